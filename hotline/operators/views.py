"""HTTP for operators: sign in and out, availability, and account management (admins)."""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hotline.audit import service as audit
from hotline.console.web import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    Console,
    guarded,
    same_origin,
    secured,
)
from hotline.operators import service as operators
from hotline.operators.permissions import HANDLE, MANAGE_OPERATORS, Role
from hotline.operators.service import AccountError, SignedIn
from hotline.timeutil import utcnow

if TYPE_CHECKING:
    from hotline.app import Hotline

log = logging.getLogger(__name__)

LOGIN_FAILED = "Wrong username or password, or the account is locked. Try again later."


class OperatorViews:
    def __init__(self, hotline: Hotline, console: Console) -> None:
        self.hotline = hotline
        self.console = console

    async def _in_db(self, work):
        def run():
            with self.hotline.db.session() as session:
                return work(session)

        return await run_in_threadpool(run)

    # --- sign in / out -------------------------------------------------------------------------

    def _login_page(self, request: Request, error: str | None = None, status_code: int = 200):
        token = secrets.token_urlsafe(32)
        response = self.console.page(
            request, "login.html", None, status_code, login_csrf=token, error=error
        )
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            max_age=3600,
            path="/console/login",
            secure=self.console.secure_cookies,
            httponly=True,
            samesite="strict",
        )
        return response

    async def login_page(self, request: Request) -> Response:
        if await self.console.signed_in(request) is not None:
            return secured(RedirectResponse("/console", status_code=303))
        return self._login_page(request)

    async def login(self, request: Request) -> Response:
        form = await request.form()
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        supplied = str(form.get(CSRF_FIELD) or "")
        if not same_origin(request) or not cookie or not hmac.compare_digest(cookie, supplied):
            return self._login_page(request, "This form expired. Please try again.", 403)
        username = str(form.get("username") or "").strip()[:64]
        password = str(form.get("password") or "")[:1024]
        now = utcnow()

        def check(session):
            result = operators.authenticate(session, username, password, now)
            operator = result.operator
            if result.outcome == "ok":
                token, _ = operators.start_session(session, operator, now)
                audit.record(session, audit.Actor(operator.id, operator.display_name), "login")
                return token
            if operator is not None:
                action = "locked_out" if result.just_locked else "login_failed"
                audit.record(
                    session,
                    audit.SYSTEM,
                    action,
                    subject_operator_id=operator.id,
                    reason=result.outcome,
                )
            return None

        token = await self._in_db(check)
        if token is None:
            log.info("failed console login")
            return self._login_page(request, LOGIN_FAILED, 401)
        response = secured(RedirectResponse("/console", status_code=303))
        self.console.set_session_cookie(response, token)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console/login")
        return response

    @guarded(HANDLE)
    async def logout(self, request: Request, me: SignedIn) -> Response:
        def end(session):
            operators.end_session(session, me.session_id)
            audit.record(session, audit.Actor(me.operator_id, me.display_name), "logout")

        await self._in_db(end)
        response = secured(RedirectResponse("/console/login", status_code=303))
        self.console.clear_session_cookie(response)
        return response

    @guarded(HANDLE)
    async def set_status(self, request: Request, me: SignedIn) -> Response:
        status = str((await request.form()).get("status") or "")
        if status not in operators.STATUSES:
            return self.console.forbidden(request, me, "Unknown status.")

        def change(session):
            operators.set_status(session, me.operator_id, status)
            audit.record(
                session, audit.Actor(me.operator_id, me.display_name), "status_changed",
                status=status,
            )  # fmt: skip

        await self._in_db(change)
        return secured(RedirectResponse("/console", status_code=303))

    # --- accounts (admins) ---------------------------------------------------------------------

    @guarded(MANAGE_OPERATORS)
    async def operators_page(self, request: Request, me: SignedIn) -> Response:
        return await self._operators_page(request, me)

    async def _operators_page(
        self, request: Request, me: SignedIn, error: str | None = None, status_code: int = 200
    ) -> Response:
        now = utcnow()
        accounts = await self._in_db(
            lambda s: [
                (operator, operators.as_utc(operator.locked_until))
                for operator in operators.all_operators(s)
            ]
        )
        return self.console.page(
            request,
            "operators.html",
            me,
            status_code,
            accounts=accounts,
            roles=[role.value for role in Role],
            error=error,
            now_utc=now,
        )

    @guarded(MANAGE_OPERATORS)
    async def create_operator(self, request: Request, me: SignedIn) -> Response:
        form = await request.form()

        def create(session):
            operator = operators.create_operator(
                session,
                username=str(form.get("username") or ""),
                password=str(form.get("password") or ""),
                display_name=str(form.get("display_name") or "") or None,
                role=str(form.get("role") or Role.OPERATOR.value),
                languages=str(form.get("languages") or "").replace(";", ",").split(","),
            )
            audit.record(
                session,
                audit.Actor(me.operator_id, me.display_name),
                "operator_created",
                subject_operator_id=operator.id,
                role=operator.role,
            )

        try:
            await self._in_db(create)
        except AccountError as error:
            return await self._operators_page(request, me, str(error), 400)
        return secured(RedirectResponse("/console/operators", status_code=303))

    @guarded(MANAGE_OPERATORS)
    async def update_operator(self, request: Request, me: SignedIn) -> Response:
        operator_id = request.path_params["operator_id"]
        form = await request.form()
        action = str(form.get("action") or "save")

        def change(session):
            if operators.get(session, operator_id) is None:
                raise AccountError("No such account.")
            if action == "unlock":
                operators.unlock(session, operator_id)
            elif action == "password":
                operators.update_operator(
                    session, operator_id, password=str(form.get("password") or "")
                )
            else:
                active = form.get("active") == "on"
                if operator_id == me.operator_id and not active:
                    raise AccountError("You cannot deactivate your own account.")
                operators.update_operator(
                    session,
                    operator_id,
                    display_name=str(form.get("display_name") or ""),
                    role=str(form.get("role") or Role.OPERATOR.value),
                    languages=str(form.get("languages") or "").replace(";", ",").split(","),
                    active=active,
                )
            audit.record(
                session,
                audit.Actor(me.operator_id, me.display_name),
                "operator_updated",
                subject_operator_id=operator_id,
                change=action,
            )

        try:
            await self._in_db(change)
        except AccountError as error:
            return await self._operators_page(request, me, str(error), 400)
        return secured(RedirectResponse("/console/operators", status_code=303))
