"""A local stand-in for Twilio's Messages API, for simulator mode, tests and benchmarks.

It answers like Twilio (basic auth, error JSON, 201 with a message resource), captures each
message, then posts signed `sent` and `delivered` status callbacks the way Twilio does.
Test hooks: GET /_captured[?to=], DELETE /_captured, POST /_fail.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import dataclasses
import hmac
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

# The number the simulated texter writes to (and the default sender of simulated replies).
SIMULATED_HOTLINE_NUMBER = "+15555550000"
API_VERSION = "2010-04-01"
MAX_BODY_LENGTH = 1600


@dataclass
class CapturedMessage:
    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    status_callback: str | None
    created_at: datetime
    media_urls: tuple[str, ...] = ()
    status: str = "queued"

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["media_urls"] = list(self.media_urls)
        return data


@dataclass(frozen=True)
class InjectedFailure:
    status: int
    code: int
    message: str
    delay_seconds: float = 0.0


@dataclass
class FakeTwilioOutbox:
    """What the fake Twilio has been asked to send. Safe to read from any thread."""

    _messages: list[CapturedMessage] = field(default_factory=list)
    _failures: deque[InjectedFailure] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, message: CapturedMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self, to: str | None = None) -> list[CapturedMessage]:
        """Copies, oldest first, optionally only those sent to `to`."""
        with self._lock:
            return [dataclasses.replace(m) for m in self._messages if to is None or m.to == to]

    def set_status(self, sid: str, status: str) -> None:
        with self._lock:
            for message in self._messages:
                if message.sid == sid:
                    message.status = status

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self._failures.clear()

    def fail_next(
        self,
        *,
        status: int = 500,
        count: int = 1,
        code: int | None = None,
        message: str = "Injected failure",
        delay_seconds: float = 0.0,
    ) -> None:
        """Make the next `count` creates answer `status` (after `delay_seconds`). A 2xx status
        with a delay makes a slow success: the message is still created."""
        failure = InjectedFailure(
            status, code if code is not None else status, message, delay_seconds
        )
        with self._lock:
            self._failures.extend([failure] * count)

    def take_failure(self) -> InjectedFailure | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    async def wait_for(
        self, predicate: Callable[[CapturedMessage], bool], timeout: float = 5.0
    ) -> CapturedMessage:
        """The first captured message matching `predicate`; TimeoutError if none in time."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages():
                if predicate(message):
                    return message
            if time.monotonic() >= deadline:
                raise TimeoutError("no matching message captured in time")
            await asyncio.sleep(0.02)


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _basic_auth_matches(request: Request, username: str, password: str) -> bool:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, _, secret = base64.b64decode(encoded, validate=True).partition(b":")
    except binascii.Error:
        return False
    user_ok = hmac.compare_digest(user, username.encode())
    return hmac.compare_digest(secret, password.encode()) and user_ok


def _message_resource(account_sid: str, message: CapturedMessage) -> dict[str, Any]:
    created = format_datetime(message.created_at, usegmt=True)
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{message.sid}"
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": message.body,
        "date_created": created,
        "date_sent": None,
        "date_updated": created,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": message.from_,
        "messaging_service_sid": message.messaging_service_sid,
        "num_media": str(len(message.media_urls)),
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": message.sid,
        "status": "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": message.to,
        "uri": f"{uri}.json",
    }


def _field(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) and value else None


def _validate_create(form: FormData) -> JSONResponse | None:
    if not _field(form, "To"):
        return twilio_error(400, 21604, "A 'To' phone number is required.")
    if not _field(form, "From") and not _field(form, "MessagingServiceSid"):
        return twilio_error(400, 21603, "A 'From' phone number is required.")
    if not _field(form, "Body") and not form.getlist("MediaUrl"):
        return twilio_error(400, 21602, "Message body is required.")
    if len(_field(form, "Body") or "") > MAX_BODY_LENGTH:
        return twilio_error(
            400, 21617, "The concatenated message body exceeds the 1600 character limit."
        )
    return None


class _StatusCallbacks:
    """Posts `sent` then `delivered`, signed like Twilio, without holding up the API answer."""

    def __init__(
        self, account_sid: str, auth_token: str, outbox: FakeTwilioOutbox, delay_seconds: float
    ) -> None:
        self._account_sid = account_sid
        self._validator = RequestValidator(auth_token)
        self._outbox = outbox
        self._delay = delay_seconds
        self._tasks: set[asyncio.Task[None]] = set()  # keep references until done

    def schedule(self, message: CapturedMessage) -> None:
        task = asyncio.get_running_loop().create_task(self._run(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, message: CapturedMessage) -> None:
        async with httpx.AsyncClient(timeout=15.0) as client:
            for status in ("sent", "delivered"):
                await asyncio.sleep(self._delay)
                self._outbox.set_status(message.sid, status)
                if message.status_callback:
                    await self._post(client, message, status)

    async def _post(self, client: httpx.AsyncClient, message: CapturedMessage, status: str) -> None:
        assert message.status_callback is not None
        sender = message.from_ or (
            "whatsapp:" + SIMULATED_HOTLINE_NUMBER
            if message.to.startswith("whatsapp:")
            else SIMULATED_HOTLINE_NUMBER
        )
        params = {
            "AccountSid": self._account_sid,
            "ApiVersion": API_VERSION,
            "From": sender,
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        headers = {
            "X-Twilio-Signature": self._validator.compute_signature(
                message.status_callback, params
            ),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1",
        }
        try:
            response = await client.post(message.status_callback, data=params, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("fake twilio: status callback failed (%s)", type(exc).__name__)
            return
        if response.status_code >= 300:
            log.warning("fake twilio: status callback answered HTTP %s", response.status_code)


def create_fake_twilio_app(
    account_sid: str,
    auth_token: str,
    outbox: FakeTwilioOutbox,
    *,
    callback_delay_seconds: float = 0.05,
) -> Starlette:
    callbacks = _StatusCallbacks(account_sid, auth_token, outbox, callback_delay_seconds)

    async def create_message(request: Request) -> Response:
        if not _basic_auth_matches(request, account_sid, auth_token):
            return twilio_error(401, 20003, "Authenticate")
        if request.path_params["account_sid"] != account_sid:
            return twilio_error(404, 20404, "The requested resource was not found")
        failure = outbox.take_failure()
        if failure is not None:
            await asyncio.sleep(failure.delay_seconds)
            if failure.status >= 300:
                return twilio_error(failure.status, failure.code, failure.message)
        form = await request.form()
        invalid = _validate_create(form)
        if invalid is not None:
            return invalid
        message = CapturedMessage(
            sid="SM" + uuid.uuid4().hex,
            to=_field(form, "To") or "",
            from_=_field(form, "From"),
            messaging_service_sid=_field(form, "MessagingServiceSid"),
            body=_field(form, "Body") or "",
            status_callback=_field(form, "StatusCallback"),
            created_at=datetime.now(timezone.utc),
            media_urls=tuple(str(u) for u in form.getlist("MediaUrl")),
        )
        outbox.add(message)
        callbacks.schedule(message)
        return JSONResponse(_message_resource(account_sid, message), status_code=201)

    async def captured(request: Request) -> Response:
        to = request.query_params.get("to")
        return JSONResponse([m.to_json() for m in outbox.messages(to)])

    async def clear_captured(request: Request) -> Response:
        outbox.clear()
        return Response(status_code=204)

    async def inject_failure(request: Request) -> Response:
        spec = await request.json()
        outbox.fail_next(
            status=int(spec.get("status", 500)),
            count=int(spec.get("count", 1)),
            code=int(spec["code"]) if "code" in spec else None,
            message=str(spec.get("message", "Injected failure")),
            delay_seconds=float(spec.get("delay_seconds", 0.0)),
        )
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route(
                f"/{API_VERSION}/Accounts/{{account_sid}}/Messages.json",
                create_message,
                methods=["POST"],
            ),
            Route("/_captured", captured, methods=["GET"]),
            Route("/_captured", clear_captured, methods=["DELETE"]),
            Route("/_fail", inject_failure, methods=["POST"]),
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a local fake of Twilio's Messages API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument(
        "--callback-delay", type=float, default=0.05, help="seconds before each status callback"
    )
    args = parser.parse_args(argv)

    import uvicorn

    app = create_fake_twilio_app(
        args.account_sid,
        args.auth_token,
        FakeTwilioOutbox(),
        callback_delay_seconds=args.callback_delay,
    )
    # No access log: query strings (?to=) would put phone numbers in it. No websockets:
    # uvicorn's "auto" websockets support fails to import with the websockets 10 Rasa pins.
    uvicorn.run(
        app, host=args.host, port=args.port, log_level="warning", access_log=False, ws="none"
    )


if __name__ == "__main__":
    main()
