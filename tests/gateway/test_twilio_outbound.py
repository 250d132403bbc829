"""TwilioSender: the real twilio client against the fake Twilio API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from hotline.channels.fake_twilio import FakeTwilioOutbox, create_fake_twilio_app
from hotline.channels.twilio_outbound import SendResult, TwilioSender
from hotline.config import Settings

from .conftest import ACCOUNT_SID, AUTH_TOKEN, closed_port_url, make_settings, serve

TO = "+15555550123"
FROM = "+15555550000"
FAST_RETRIES = (0.01, 0.01, 0.01)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, FakeTwilioOutbox]]:
    outbox = FakeTwilioOutbox()
    fake = create_fake_twilio_app(ACCOUNT_SID, AUTH_TOKEN, outbox, callback_delay_seconds=0.01)
    # Mounted under a prefix, as in simulator mode, so the base URL really is honoured.
    with serve(Starlette(routes=[Mount("/simulator/twilio", app=fake)])) as url:
        yield make_settings(url, tmp_path_factory.mktemp("var")), outbox


@pytest.fixture(autouse=True)
def _clean(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    api[1].clear()


def _send(
    settings: Settings,
    retry_delays: tuple[float, ...] = FAST_RETRIES,
    timeout_seconds: float = 5.0,
    **kwargs: str | None,
) -> tuple[SendResult, str | None]:
    async def run() -> tuple[SendResult, str | None]:
        sender = TwilioSender(settings, retry_delays, timeout_seconds=timeout_seconds)
        try:
            params = {
                "to": TO,
                "body": "Hello",
                "from_number": FROM,
                "messaging_service_sid": None,
                **kwargs,
            }
            result = await sender.send(**params)  # type: ignore[arg-type]
            last = sender._http._test_only_last_request if sender._http else None
            return result, last.url if last else None
        finally:
            await sender.aclose()

    return asyncio.run(run())


def test_sends_through_the_configured_base_url(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    result, url = _send(settings)
    assert not result.failed
    assert result.sid and result.sid.startswith("SM")
    assert result.status == "queued"
    assert url == f"{settings.twilio_api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    [captured] = outbox.messages()
    assert captured.sid == result.sid
    assert (captured.to, captured.from_, captured.body) == (TO, FROM, "Hello")
    assert captured.status_callback == settings.status_callback_url
    assert captured.messaging_service_sid is None


def test_messaging_service_replaces_from(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    result, _ = _send(settings, messaging_service_sid="MG" + "b" * 32)
    assert not result.failed
    [captured] = outbox.messages()
    assert captured.from_ is None and captured.messaging_service_sid == "MG" + "b" * 32


def test_whatsapp_and_unicode_pass_through(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    body = "مرحبا، نحن هنا للمساعدة. ภาษาไทย"
    result, _ = _send(settings, to="whatsapp:" + TO, from_number="whatsapp:" + FROM, body=body)
    assert not result.failed
    [captured] = outbox.messages()
    assert (captured.to, captured.body) == ("whatsapp:" + TO, body)


def test_retries_server_errors_then_sends_exactly_once(
    api: tuple[Settings, FakeTwilioOutbox],
) -> None:
    settings, outbox = api
    outbox.fail_next(status=500, count=2, code=20500)
    result, _ = _send(settings)
    assert not result.failed
    assert [m.sid for m in outbox.messages()] == [result.sid]
    assert outbox.take_failure() is None


def test_retries_rate_limits(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    outbox.fail_next(status=429, count=1, code=20429)
    result, _ = _send(settings)
    assert not result.failed
    assert len(outbox.messages()) == 1


def test_retries_a_timeout(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    outbox.fail_next(status=500, count=1, delay_seconds=1.0)  # answers too late
    started = time.monotonic()
    result, _ = _send(settings, timeout_seconds=0.3)
    assert not result.failed
    assert time.monotonic() - started < 1.0
    assert len(outbox.messages()) == 1


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (21610, "Attempt to send to unsubscribed recipient"),
        (21211, "The 'To' number +15555550123 is not a valid phone number."),
    ],
)
def test_permanent_errors_fail_without_retry(
    api: tuple[Settings, FakeTwilioOutbox], code: int, text: str
) -> None:
    settings, outbox = api
    outbox.fail_next(status=400, count=1, code=code, message=text)
    result, _ = _send(settings)
    assert result.failed and not result.transient
    assert result.error_code == code
    assert result.sid is None
    assert outbox.messages() == []  # a retry would have gone through
    assert result.error_message and "5555550123" not in result.error_message


def test_gives_up_after_the_retries(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    settings, outbox = api
    outbox.fail_next(status=503, count=10, code=20503)
    result, _ = _send(settings, retry_delays=(0.01, 0.01))
    assert result.failed and result.transient
    assert result.error_code == 20503
    assert outbox.messages() == []
    remaining = 0
    while outbox.take_failure():
        remaining += 1
    assert remaining == 10 - 3  # one attempt plus two retries


def test_unreachable_api_is_a_transient_failure(tmp_path: Path) -> None:
    settings = make_settings(closed_port_url(), tmp_path)
    result, _ = _send(settings, retry_delays=(0.01,))
    assert result.failed and result.transient
    assert result.sid is None


def test_needs_a_sender(api: tuple[Settings, FakeTwilioOutbox]) -> None:
    with pytest.raises(ValueError):
        _send(api[0], from_number=None)


def test_environment_edge_does_not_redirect(
    api: tuple[Settings, FakeTwilioOutbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_EDGE", "sydney")
    monkeypatch.setenv("TWILIO_REGION", "au1")
    result, _ = _send(api[0])
    assert not result.failed


def test_wrong_credentials_are_a_permanent_failure(
    api: tuple[Settings, FakeTwilioOutbox],
) -> None:
    settings = replace(api[0], twilio_auth_token="wrong")
    result, _ = _send(settings)
    assert result.failed and not result.transient and result.error_code == 20003
