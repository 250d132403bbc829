"""What every console page shares: sessions from cookies, CSRF checks, permissions, templates
with autoescaping, and strict security headers.

- The session cookie holds a random token (HttpOnly, SameSite=Strict, Secure behind https);
  the database keeps only its hash (hotline/operators/service.py).
- Every state-changing request (POST) needs the session's CSRF token, as the form field
  `csrf_token` or the `X-CSRF-Token` header, and a same-origin `Origin` when the browser sends
  one. The login form uses a double-submit cookie, since there is no session yet.
- Templates autoescape everything; texter text reaches the page only as escaped text, and the
  Content-Security-Policy allows no inline script at all, so even a missed escape stays inert.
"""

from __future__ import annotations

import functools
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from hotline.console import display
from hotline.operators import service as operators
from hotline.operators.permissions import can
from hotline.operators.service import SignedIn
from hotline.timeutil import utcnow

if TYPE_CHECKING:
    from hotline.app import Hotline

log = logging.getLogger(__name__)

SESSION_COOKIE = "safeline_session"
LOGIN_CSRF_COOKIE = "safeline_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make browsers send Origin: null
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def build_templates(timezone) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = lambda moment: display.clock(moment, timezone)
    env.filters["when"] = lambda moment: display.when(moment, timezone)
    env.filters["waited"] = lambda moment: display.waited(moment, utcnow())
    env.globals.update(
        language_name=display.language_name,
        language_dir=display.language_dir,
        outcome_label=display.outcome_label,
        flag_labels=display.flag_labels,
        reason_label=display.reason_label,
        priority_label=display.priority_label,
        preference_label=display.preference_label,
        status_label=display.status_label,
        age_label=display.age_label,
        can=can,
    )
    return env


class Console:
    """Request plumbing bound to one running hotline."""

    def __init__(self, hotline: Hotline) -> None:
        self.hotline = hotline
        self.templates = build_templates(hotline.desk.config.timezone)
        self.secure_cookies = hotline.settings.public_base_url.startswith("https://")

    # --- responses -----------------------------------------------------------------------------

    def page(
        self,
        request: Request,
        template: str,
        signed_in: SignedIn | None,
        status_code: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        html = self.templates.get_template(template).render(
            request=request, me=signed_in, now=utcnow(), **context
        )
        return secured(HTMLResponse(html, status_code=status_code))

    def forbidden(self, request: Request, signed_in: SignedIn | None, reason: str) -> Response:
        if wants_json(request):
            return secured(JSONResponse({"error": reason}, status_code=403))
        return self.page(request, "error.html", signed_in, 403, title="Not allowed", reason=reason)

    def not_found(self, request: Request, signed_in: SignedIn | None) -> Response:
        if wants_json(request):
            return secured(JSONResponse({"error": "not found"}, status_code=404))
        return self.page(
            request, "error.html", signed_in, 404, title="Not found", reason="Nothing here."
        )

    # --- sessions ------------------------------------------------------------------------------

    async def signed_in(self, request: Request) -> SignedIn | None:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        now = utcnow()

        def resolve():
            with self.hotline.db.session() as session:
                return operators.resolve_session(session, token, now)

        return await run_in_threadpool(resolve)

    def set_session_cookie(self, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=int(operators.SESSION_LIFETIME.total_seconds()),
            path="/",
            secure=self.secure_cookies,
            httponly=True,
            samesite="strict",
        )

    def clear_session_cookie(self, response: Response) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", secure=self.secure_cookies, httponly=True, samesite="strict"
        )

    async def csrf_ok(self, request: Request, expected: str) -> bool:
        if not same_origin(request):
            return False
        supplied = request.headers.get(CSRF_HEADER)
        if supplied is None and _is_form(request):
            supplied = (await request.form()).get(CSRF_FIELD)
        return bool(supplied) and hmac.compare_digest(str(supplied), expected)


Endpoint = Callable[..., Awaitable[Response]]


def guarded(permission: str) -> Callable[[Endpoint], Callable[[Any, Request], Awaitable[Response]]]:
    """An endpoint for signed-in operators with `permission`; POSTs also need the CSRF token.

    The endpoint is a method `(self, request, me)`; `self.console` is the Console.
    """

    def decorate(endpoint: Endpoint):
        @functools.wraps(endpoint)
        async def wrapper(self, request: Request) -> Response:
            console: Console = self.console
            me = await console.signed_in(request)
            if me is None:
                if wants_json(request) or request.method != "GET":
                    return secured(JSONResponse({"error": "sign in first"}, status_code=401))
                return secured(RedirectResponse("/console/login", status_code=303))
            if request.method not in ("GET", "HEAD") and not await console.csrf_ok(
                request, me.csrf_token
            ):
                log.warning("operator %s: request without a valid CSRF token", me.operator_id)
                return console.forbidden(request, me, "This form expired. Reload the page.")
            if not can(me.role, permission):
                return console.forbidden(request, me, "Your role cannot open this page.")
            return await endpoint(self, request, me)

        return wrapper

    return decorate


def secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "") or (
        request.headers.get("x-requested-with") == "fetch"
    )


def same_origin(request: Request) -> bool:
    """A browser's Origin (if sent) must be this host: cross-site posts are refused."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    if origin == "null":
        return False
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _is_form(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def back_to(request: Request, default: str) -> str:
    """A safe redirect target: a path on this site only."""
    target = request.query_params.get("next") or default
    if not target.startswith("/console") or target.startswith("//"):
        return default
    return target


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
