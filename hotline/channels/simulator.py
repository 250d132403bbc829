"""Simulator mode: a phone in the browser that texts the hotline through its real webhook.

Messages from the simulated texter are signed and posted to the service's own /twilio/sms
exactly as Twilio would; the replies are whatever the service sends through the fake Twilio
API mounted at /simulator/twilio (captured in a FakeTwilioOutbox).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from twilio.request_validator import RequestValidator

from hotline.channels.fake_twilio import (
    SIMULATED_HOTLINE_NUMBER,
    FakeTwilioOutbox,
    create_fake_twilio_app,
)
from hotline.config import Settings

DEFAULT_TEXTER_NUMBER = "+15555550100"
WEBHOOK_PATH = "/twilio/sms"
MAX_BODY_LENGTH = 1600
MAX_MEDIA = 10  # as Twilio
# Kept in memory per number; older simulated messages are forgotten.
MAX_THREAD_LENGTH = 500
_ASSETS = Path(__file__).resolve().parent / "simulator_assets"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
WHATSAPP_PREFIX = "whatsapp:"


@dataclass(frozen=True)
class InboundPost:
    message_sid: str
    status_code: int
    params: dict[str, str]


def inbound_sms_params(
    account_sid: str,
    *,
    from_: str,
    to: str,
    body: str,
    media_urls: Sequence[str] = (),
    message_sid: str | None = None,
) -> dict[str, str]:
    """The form fields Twilio posts to a messaging webhook for one inbound message."""
    sid = message_sid or "SM" + uuid.uuid4().hex
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": from_,
        "MessageSid": sid,
        "NumMedia": str(len(media_urls)),
        "NumSegments": "1",
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "To": to,
    }
    for index, url in enumerate(media_urls):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = "image/jpeg"
    if from_.startswith(WHATSAPP_PREFIX):
        params["WaId"] = from_.removeprefix(WHATSAPP_PREFIX).lstrip("+")
    return params


async def post_signed_sms(
    settings: Settings,
    *,
    from_: str,
    body: str,
    to: str = SIMULATED_HOTLINE_NUMBER,
    media_urls: Sequence[str] = (),
    message_sid: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> InboundPost:
    """Deliver one inbound message to the service's webhook, signed as Twilio signs it.
    Raises httpx.HTTPError if the service cannot be reached."""
    url = settings.public_base_url + WEBHOOK_PATH
    params = inbound_sms_params(
        settings.twilio_account_sid,
        from_=from_,
        to=to,
        body=body,
        media_urls=media_urls,
        message_sid=message_sid,
    )
    signature = RequestValidator(settings.twilio_auth_token).compute_signature(url, params)
    headers = {"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"}
    if client is not None:
        response = await client.post(url, data=params, headers=headers)
    else:
        async with httpx.AsyncClient(timeout=15.0) as own_client:
            response = await own_client.post(url, data=params, headers=headers)
    return InboundPost(params["MessageSid"], response.status_code, params)


@dataclass
class _TexterMessage:
    sid: str
    phone: str
    channel: str
    body: str
    media: int
    at: datetime
    status: str = "sending"


class _TexterMessages:
    """What the simulated texters sent, in memory (the outbox holds the hotline's side)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_phone: dict[str, list[_TexterMessage]] = {}

    def add(self, message: _TexterMessage) -> None:
        with self._lock:
            thread = self._by_phone.setdefault(message.phone, [])
            thread.append(message)
            del thread[:-MAX_THREAD_LENGTH]

    def set_status(self, message: _TexterMessage, status: str) -> None:
        with self._lock:
            message.status = status

    def thread(self, phone: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "id": m.sid,
                    "from": "texter",
                    "channel": m.channel,
                    "body": m.body,
                    "media": m.media,
                    "at": _iso(m.at),
                    "status": m.status,
                }
                for m in self._by_phone.get(phone, [])
            ]


def _phone_of(value: Any) -> str | None:
    phone = str(value or "").strip().removeprefix(WHATSAPP_PREFIX)
    return phone if _E164.match(phone) else None


def _thread(texters: _TexterMessages, outbox: FakeTwilioOutbox, phone: str) -> list[dict]:
    hotline = [
        {
            "id": m.sid,
            "from": "hotline",
            "channel": "whatsapp" if m.to.startswith(WHATSAPP_PREFIX) else "sms",
            "body": m.body,
            "media": len(m.media_urls),
            "at": _iso(m.created_at),
            "status": m.status,
        }
        for to in (phone, WHATSAPP_PREFIX + phone)
        for m in outbox.messages(to)
    ]
    # Same-format UTC timestamps: string order is time order.
    return sorted(texters.thread(phone) + hotline, key=lambda m: m["at"])


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def simulator_routes(settings: Settings, outbox: FakeTwilioOutbox) -> list[BaseRoute]:
    """Routes for simulator mode only: the page, its API, and the fake Twilio API."""
    texters = _TexterMessages()

    async def page(request: Request) -> Response:
        return FileResponse(_ASSETS / "simulator.html", headers=_PAGE_SECURITY_HEADERS)

    async def script(request: Request) -> Response:
        return FileResponse(_ASSETS / "simulator.js", media_type="text/javascript")

    async def thread(request: Request) -> Response:
        phone = _phone_of(request.query_params.get("phone"))
        if phone is None:
            return JSONResponse({"error": "phone must be an E.164 number"}, status_code=400)
        return JSONResponse({"phone": phone, "messages": _thread(texters, outbox, phone)})

    async def send(request: Request) -> Response:
        try:
            data = await request.json()
        except ValueError:
            return JSONResponse({"error": "expected a JSON body"}, status_code=400)
        if not isinstance(data, dict):
            return JSONResponse({"error": "expected a JSON object"}, status_code=400)
        phone = _phone_of(data.get("phone"))
        body = data.get("body") or ""
        media = data.get("media") or []
        if phone is None:
            return JSONResponse({"error": "phone must be an E.164 number"}, status_code=400)
        if not isinstance(body, str) or len(body) > MAX_BODY_LENGTH:
            return JSONResponse(
                {"error": "body must be text of at most 1600 characters"}, status_code=400
            )
        if (
            not isinstance(media, list)
            or len(media) > MAX_MEDIA
            or not all(isinstance(u, str) for u in media)
        ):
            return JSONResponse({"error": "media must be a list of up to 10 URLs"}, status_code=400)
        if not body and not media:
            return JSONResponse({"error": "nothing to send"}, status_code=400)
        whatsapp = bool(data.get("whatsapp")) or str(data.get("phone")).startswith(WHATSAPP_PREFIX)
        prefix = WHATSAPP_PREFIX if whatsapp else ""

        message = _TexterMessage(
            sid="SM" + uuid.uuid4().hex,
            phone=phone,
            channel="whatsapp" if whatsapp else "sms",
            body=body,
            media=len(media),
            at=datetime.now(timezone.utc),
        )
        texters.add(message)
        try:
            posted = await post_signed_sms(
                settings,
                from_=prefix + phone,
                to=prefix + SIMULATED_HOTLINE_NUMBER,
                body=body,
                media_urls=media,
                message_sid=message.sid,
            )
        except httpx.HTTPError as exc:
            texters.set_status(message, "webhook unreachable")
            return JSONResponse(
                {"ok": False, "sid": message.sid, "error": type(exc).__name__}, status_code=502
            )
        ok = 200 <= posted.status_code < 300
        texters.set_status(message, "received" if ok else f"webhook answered {posted.status_code}")
        return JSONResponse(
            {"ok": ok, "sid": message.sid, "webhook_status": posted.status_code},
            status_code=200 if ok else 502,
        )

    fake_twilio = create_fake_twilio_app(
        settings.twilio_account_sid, settings.twilio_auth_token, outbox
    )
    return [
        Route("/simulator", page, methods=["GET"]),
        Route("/simulator/simulator.js", script, methods=["GET"]),
        Route("/simulator/thread", thread, methods=["GET"]),
        Route("/simulator/send", send, methods=["POST"]),
        Mount("/simulator/twilio", app=fake_twilio),
    ]
