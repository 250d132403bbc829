"""Shared helpers: real HTTP servers (uvicorn in a thread) on free local ports."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from hotline.channels.fake_twilio import FakeTwilioOutbox
from hotline.channels.simulator import simulator_routes
from hotline.channels.twilio_outbound import TwilioSender
from hotline.config import Settings
from tests.net import bound_socket, closed_port_url, serve  # noqa: F401 - re-exported

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "test-auth-token"
T = TypeVar("T")


def make_settings(base_url: str, var_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token=AUTH_TOKEN,
        twilio_api_base_url=f"{base_url}/simulator/twilio",
        public_base_url=base_url,
        database_url="sqlite://",
        port=0,
        rasa_url="http://127.0.0.1:1",
        rasa_tracker_db_url="sqlite://",
        secret_key="test-secret",
        emergency_text="In an emergency call 112.",
        hotline_text="Reply PERSON to reach a person.",
        simulator_mode=True,
        production=False,
        var_dir=var_dir,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class Hotline:
    """A simulator-mode server whose /twilio/sms is a stand-in for the real webhook: it checks
    the signature like the service does, records the form and echoes the body back through
    the real TwilioSender and the mounted fake Twilio."""

    base_url: str
    settings: Settings
    outbox: FakeTwilioOutbox
    inbound: list[dict[str, str]] = field(default_factory=list)
    statuses: list[dict[str, str]] = field(default_factory=list)
    reject_webhook: bool = False


def _signed(request: Request, form: dict[str, str], token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    return RequestValidator(token).validate(str(request.url), form, signature)


def build_hotline_app(hotline: Hotline) -> Starlette:
    sender = TwilioSender(hotline.settings, retry_delays=(0.01, 0.01))
    tasks: set[asyncio.Task[object]] = set()

    async def sms(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if hotline.reject_webhook or not _signed(request, form, hotline.settings.twilio_auth_token):
            return Response(status_code=403)
        hotline.inbound.append(form)
        task = asyncio.get_running_loop().create_task(
            sender.send(
                to=form["From"],
                body="echo: " + form["Body"],
                from_number=form["To"],
                messaging_service_sid=None,
            )
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return Response("<Response/>", media_type="application/xml")

    async def status(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not _signed(request, form, hotline.settings.twilio_auth_token):
            return Response(status_code=403)
        hotline.statuses.append(form)
        return Response(status_code=204)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await sender.aclose()

    return Starlette(
        routes=[
            *simulator_routes(hotline.settings, hotline.outbox),
            Route("/twilio/sms", sms, methods=["POST"]),
            Route("/twilio/status", status, methods=["POST"]),
        ],
        lifespan=lifespan,
    )


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hotline]:
    sock = bound_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    state = Hotline(
        base_url, make_settings(base_url, tmp_path_factory.mktemp("var")), FakeTwilioOutbox()
    )
    with serve(build_hotline_app(state), sock):
        yield state


def wait_until(condition: Callable[[], T], timeout: float = 5.0, interval: float = 0.02) -> T:
    """Poll `condition` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)
