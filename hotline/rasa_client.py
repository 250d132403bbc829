"""Talk to the Rasa server's REST channel; any failure is one exception the router can act on."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class RasaUnavailable(Exception):
    """Rasa could not answer in time or answered nonsense. The message carries no user text."""


class RasaClient:
    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        # One pooled client for every conversation; its own timeout bounds each phase,
        # `asyncio.wait_for` below bounds the whole call.
        self._http = httpx.AsyncClient(base_url=self._base_url, timeout=timeout_seconds)

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        """The bot's replies to `text` (the REST channel's JSON list)."""
        payload = {"sender": sender_id, "message": text, "metadata": metadata}
        try:
            response = await asyncio.wait_for(
                self._http.post("/webhooks/rest/webhook", json=payload), self._timeout
            )
        except (httpx.TimeoutException, asyncio.TimeoutError):
            raise RasaUnavailable(f"no answer within {self._timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"cannot reach Rasa ({type(exc).__name__})") from None
        if not response.is_success:
            raise RasaUnavailable(f"Rasa answered HTTP {response.status_code}")
        try:
            replies = response.json()
        except ValueError:
            raise RasaUnavailable("Rasa answered something that is not JSON") from None
        if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
            raise RasaUnavailable("Rasa answered JSON that is not a list of messages")
        return replies

    async def is_healthy(self) -> bool:
        """True if Rasa's /status (or, behind an auth token, its root) answers 200."""
        for path in ("/status", "/"):
            try:
                response = await asyncio.wait_for(self._http.get(path), self._timeout)
            except (httpx.HTTPError, asyncio.TimeoutError):
                return False
            if response.status_code == 200:
                return True
        return False

    async def aclose(self) -> None:
        await self._http.aclose()
