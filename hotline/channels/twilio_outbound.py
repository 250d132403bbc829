"""Send one SMS/WhatsApp message through Twilio's REST Messages API, with retries.

Uses the real `twilio` client (async), pointed at `settings.twilio_api_base_url`, so tests and
the simulator exercise exactly the code production runs: requests go to
`{twilio_api_base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json` (in twilio's source:
Domain.absolute_url + Version "2010-04-01" + MessageList's "/Accounts/{sid}/Messages.json").
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from hotline.config import Settings

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (0.5, 1, 2, 4, 8)
# Twilio's error text can quote the phone number (e.g. 21211): never pass one on.
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_TWILIO_PREFIX = "Unable to create record: "


@dataclass(frozen=True)
class SendResult:
    sid: str | None
    status: str | None
    error_code: int | None
    error_message: str | None
    failed: bool
    # True when the failure was transient (retries exhausted): sending later may work.
    transient: bool = False


class _AsyncHttpClient(AsyncTwilioHttpClient):
    """twilio 8.2's async client ignores its own timeout (aiohttp then waits forever)."""

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return await super().request(method, url, *args, **kwargs)


def _is_transient(status: int) -> bool:
    return status == 429 or status >= 500


def _scrub(message: str | None) -> str | None:
    if message is None:
        return None
    message = message.removeprefix(_TWILIO_PREFIX)
    return _PHONE_LIKE.sub("[number]", message)


class TwilioSender:
    def __init__(
        self,
        settings: Settings,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        *,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._settings = settings
        self._retry_delays = tuple(retry_delays)
        self._timeout = timeout_seconds
        self._http: _AsyncHttpClient | None = None
        self._client: Client | None = None

    def _twilio(self) -> Client:
        # Built on first use: aiohttp's session must be created inside the running loop.
        if self._client is None:
            self._http = _AsyncHttpClient(timeout=self._timeout)
            client = Client(
                self._settings.twilio_account_sid,
                self._settings.twilio_auth_token,
                http_client=self._http,
            )
            # TWILIO_EDGE/TWILIO_REGION in the environment would rewrite the host; we pin it.
            client.edge = None
            client.region = None
            client.api.base_url = self._settings.twilio_api_base_url
            self._client = client
        return self._client

    async def send(
        self,
        *,
        to: str,
        body: str,
        from_number: str | None,
        messaging_service_sid: str | None,
    ) -> SendResult:
        """Send `body` to `to`. Never raises for Twilio or network errors: see `SendResult`."""
        params: dict[str, Any] = {
            "to": to,
            "body": body,
            "status_callback": self._settings.status_callback_url,
        }
        if messaging_service_sid:
            params["messaging_service_sid"] = messaging_service_sid
        elif from_number:
            params["from_"] = from_number
        else:
            raise ValueError("send needs from_number or messaging_service_sid")

        messages = self._twilio().messages
        attempts = len(self._retry_delays) + 1
        for attempt in range(1, attempts + 1):
            try:
                message = await messages.create_async(**params)
            except TwilioRestException as exc:
                code = exc.code if isinstance(exc.code, int) else None
                if not _is_transient(exc.status):
                    log.warning("twilio refused a message: HTTP %s, code %s", exc.status, code)
                    return SendResult(None, "failed", code, _scrub(exc.msg), failed=True)
                failure = SendResult(None, "failed", code, _scrub(exc.msg), True, transient=True)
                reason = f"HTTP {exc.status}"
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                reason = type(exc).__name__
                failure = SendResult(None, "failed", None, reason, True, transient=True)
            except ValueError:  # a 2xx answer that is not JSON: Twilio may have sent it.
                log.error("twilio answered unreadable JSON; not retrying to avoid a duplicate")
                return SendResult(None, "unknown", None, "unreadable answer", failed=True)
            else:
                log.info("twilio accepted message %s (%s)", message.sid, message.status)
                return SendResult(
                    message.sid,
                    message.status,
                    message.error_code,
                    _scrub(message.error_message),
                    failed=False,
                )
            if attempt == attempts:
                break
            delay = self._retry_delays[attempt - 1]
            log.warning(
                "twilio send attempt %d failed (%s); retrying in %gs", attempt, reason, delay
            )
            await asyncio.sleep(delay)
        log.error("twilio send failed after %d attempts (%s)", attempts, reason)
        return failure

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None
