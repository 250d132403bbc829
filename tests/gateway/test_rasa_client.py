"""RasaClient against small local stand-ins for Rasa's HTTP API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hotline.rasa_client import RasaClient, RasaUnavailable

from .conftest import closed_port_url, serve

SECRET_TEXT = "my boss keeps my passport"


def _rasa_app(received: list[dict[str, Any]]) -> Starlette:
    async def webhook(request: Request) -> Response:
        payload = await request.json()
        received.append(payload)
        message = payload["message"]
        if message == "slow":
            await asyncio.sleep(1.5)
        if message == "error":
            return PlainTextResponse("boom", status_code=500)
        if message == "not json":
            return PlainTextResponse("<html>proxy error</html>")
        if message == "not a list":
            return JSONResponse({"text": "hi"})
        return JSONResponse(
            [
                {"recipient_id": payload["sender"], "text": "echo: " + message},
                {"recipient_id": payload["sender"], "text": "second"},
            ]
        )

    async def status(request: Request) -> Response:
        return JSONResponse({"model_file": "models/x.tar.gz", "num_active_training_jobs": 0})

    return Starlette(
        routes=[
            Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
            Route("/status", status),
        ]
    )


@pytest.fixture(scope="module")
def rasa() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    with serve(_rasa_app(received)) as url:
        yield url, received


async def _send(url: str, text: str, timeout: float = 2.0) -> list[dict]:
    client = RasaClient(url, timeout)
    try:
        return await client.send("c0ffee", text, {"channel": "sms", "language": "en"})
    finally:
        await client.aclose()


def test_send_posts_the_rest_payload_and_returns_replies(rasa: tuple[str, list]) -> None:
    url, received = rasa
    replies = asyncio.run(_send(url + "/", "hello"))
    assert replies == [
        {"recipient_id": "c0ffee", "text": "echo: hello"},
        {"recipient_id": "c0ffee", "text": "second"},
    ]
    assert received[-1] == {
        "sender": "c0ffee",
        "message": "hello",
        "metadata": {"channel": "sms", "language": "en"},
    }


def test_one_client_serves_many_concurrent_conversations(rasa: tuple[str, list]) -> None:
    url, _ = rasa

    async def run() -> list[list[dict]]:
        client = RasaClient(url, 2.0)
        try:
            return await asyncio.gather(*(client.send(f"c{i}", f"m{i}", {}) for i in range(20)))
        finally:
            await client.aclose()

    results = asyncio.run(run())
    assert [r[0]["text"] for r in results] == [f"echo: m{i}" for i in range(20)]


def test_slow_rasa_is_unavailable_within_the_timeout(rasa: tuple[str, list]) -> None:
    url, _ = rasa
    started = time.monotonic()
    with pytest.raises(RasaUnavailable):
        asyncio.run(_send(url, "slow", timeout=0.3))
    assert time.monotonic() - started < 1.2


@pytest.mark.parametrize("text", ["error", "not json", "not a list"])
def test_bad_answers_are_unavailable(rasa: tuple[str, list], text: str) -> None:
    url, _ = rasa
    with pytest.raises(RasaUnavailable):
        asyncio.run(_send(url, text))


def test_unreachable_rasa_is_unavailable() -> None:
    with pytest.raises(RasaUnavailable) as caught:
        asyncio.run(_send(closed_port_url(), SECRET_TEXT))
    assert SECRET_TEXT not in str(caught.value)
    assert caught.value.__cause__ is None  # httpx's exception (with the request) is not chained


def test_is_healthy(rasa: tuple[str, list]) -> None:
    url, _ = rasa

    async def check(base: str) -> bool:
        client = RasaClient(base, 0.5)
        try:
            return await client.is_healthy()
        finally:
            await client.aclose()

    assert asyncio.run(check(url)) is True
    assert asyncio.run(check(closed_port_url())) is False


def test_health_falls_back_to_root_and_fails_on_errors() -> None:
    async def status_locked(request: Request) -> Response:
        return JSONResponse({"error": "auth required"}, status_code=401)

    async def root(request: Request) -> Response:
        return PlainTextResponse("Hello from Rasa: 3.6.21")

    async def broken(request: Request) -> Response:
        return PlainTextResponse("down", status_code=503)

    async def check(base: str) -> bool:
        client = RasaClient(base, 0.5)
        try:
            return await client.is_healthy()
        finally:
            await client.aclose()

    with serve(Starlette(routes=[Route("/status", status_locked), Route("/", root)])) as url:
        assert asyncio.run(check(url)) is True
    with serve(Starlette(routes=[Route("/status", broken), Route("/", broken)])) as url:
        assert asyncio.run(check(url)) is False
