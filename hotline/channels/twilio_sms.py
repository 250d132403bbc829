"""Twilio's SMS/WhatsApp webhooks: check, store, answer 200 at once. Nothing else.

Twilio's quirks (signatures, form encoding, redeliveries) stop here; the router never sees them.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from hotline.config import Settings
from hotline.conversations import service
from hotline.conversations.worker import InboundWorkers
from hotline.crypto import Vault
from hotline.db import Database

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 64 * 1024  # Twilio's largest request is far below this
MAX_FIELD_CHARS = 64  # sids and addresses
FORM_TYPE = "application/x-www-form-urlencoded"
EMPTY_TWIML = str(MessagingResponse())
STATUS_LOOKUP_ATTEMPTS = 10  # a status callback can overtake the sid being recorded


class BadRequest(Exception):
    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


def _twiml(text: str = EMPTY_TWIML) -> Response:
    return Response(text, media_type="application/xml")


class TwilioWebhooks:
    def __init__(
        self, settings: Settings, db: Database, vault: Vault, workers: InboundWorkers
    ) -> None:
        self._settings = settings
        self._db = db
        self._vault = vault
        self._workers = workers
        self._validator = RequestValidator(settings.twilio_auth_token)

    async def _signed_form(self, request: Request) -> ImmutableMultiDict:
        """The form, only if Twilio signed it for our public URL; BadRequest otherwise."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != FORM_TYPE:
            raise BadRequest(415, f"expected {FORM_TYPE}")
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > MAX_FORM_BYTES:
                raise BadRequest(413, "request too large")
        try:
            pairs = parse_qsl(
                raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
            )
        except (UnicodeDecodeError, ValueError):
            raise BadRequest(400, "form is not valid UTF-8") from None
        form = ImmutableMultiDict(pairs)
        url = self._settings.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        signature = request.headers.get("x-twilio-signature", "")
        if not signature or not self._validator.validate(url, form, signature):
            raise BadRequest(403, "invalid signature")
        return form

    async def sms(self, request: Request) -> Response:
        try:
            form = await self._signed_form(request)
            inbound = _inbound_from(form)
        except BadRequest as error:
            log.warning("rejected SMS webhook: %s", error.reason)
            return PlainTextResponse(error.reason, status_code=error.status_code)

        def store(session):
            message, created = service.store_inbound(session, self._vault, inbound)
            return message.id, message.conversation_id, created

        message_id, conversation_id, created = await self._db.call(store)
        if created:
            self._workers.submit(message_id, conversation_id)
        else:
            log.info("duplicate delivery of message %s ignored", message_id)
        return _twiml()

    async def status(self, request: Request) -> Response:
        try:
            form = await self._signed_form(request)
            sid = _field(form, "MessageSid")
            status = _field(form, "MessageStatus").lower()
        except BadRequest as error:
            log.warning("rejected status webhook: %s", error.reason)
            return PlainTextResponse(error.reason, status_code=error.status_code)
        error_code = (form.get("ErrorCode") or "")[:16] or None

        for _ in range(STATUS_LOOKUP_ATTEMPTS):
            if await self._db.call(service.record_delivery_status, sid, status, error_code):
                break
            await asyncio.sleep(0.1)
        else:
            log.warning("status %s for a message we do not know", status)
        return _twiml()


def _field(form: ImmutableMultiDict, name: str, *, required: bool = True) -> str:
    value = form.get(name)
    if value is None or (required and not value.strip()):
        if required:
            raise BadRequest(400, f"missing {name}")
        return ""
    if len(value) > MAX_FIELD_CHARS or not value.isprintable():
        raise BadRequest(400, f"malformed {name}")
    return value.strip()


def _inbound_from(form: ImmutableMultiDict) -> service.InboundSms:
    try:
        num_media = int(form.get("NumMedia") or "0")
    except ValueError:
        raise BadRequest(400, "malformed NumMedia") from None
    return service.InboundSms(
        message_sid=_field(form, "MessageSid"),
        from_address=_field(form, "From"),
        to_address=_field(form, "To", required=False),
        messaging_service_sid=_field(form, "MessagingServiceSid", required=False) or None,
        body=form.get("Body") or "",  # kept whole; the router sanitises and caps it
        num_media=max(0, min(num_media, 100)),
    )
