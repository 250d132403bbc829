"""The fake Twilio Messages API: answers, captures and status callbacks like Twilio."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from twilio.request_validator import RequestValidator

from hotline.channels.fake_twilio import FakeTwilioOutbox, create_fake_twilio_app

from .conftest import ACCOUNT_SID, AUTH_TOKEN, bound_socket, serve, wait_until

TO = "+15555550123"
FROM = "+15555550000"


@dataclass
class Fake:
    url: str
    outbox: FakeTwilioOutbox
    callbacks: list[tuple[dict[str, str], bool]] = field(default_factory=list)

    @property
    def messages_url(self) -> str:
        return f"{self.url}/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"

    @property
    def callback_url(self) -> str:
        return f"{self.url}/callback?tag=1"

    def create(
        self, auth: tuple[str, str] = (ACCOUNT_SID, AUTH_TOKEN), **form: str
    ) -> httpx.Response:
        return httpx.post(self.messages_url, data=form, auth=auth)


@pytest.fixture(scope="module")
def fake() -> Iterator[Fake]:
    state = Fake("", FakeTwilioOutbox())

    async def callback(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        valid = RequestValidator(AUTH_TOKEN).validate(
            str(request.url), form, request.headers.get("X-Twilio-Signature", "")
        )
        state.callbacks.append((form, valid))
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Mount(
                "/twilio",
                app=create_fake_twilio_app(
                    ACCOUNT_SID, AUTH_TOKEN, state.outbox, callback_delay_seconds=0.01
                ),
            ),
            Route("/callback", callback, methods=["POST"]),
        ]
    )
    with serve(app) as url:
        state.url = url
        yield state


@pytest.fixture(autouse=True)
def _clean(fake: Fake) -> None:
    fake.outbox.clear()
    fake.callbacks.clear()


def test_creates_a_message_like_twilio(fake: Fake) -> None:
    response = fake.create(To=TO, From=FROM, Body="Hello", StatusCallback=fake.callback_url)
    assert response.status_code == 201
    resource = response.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", resource["sid"])
    assert resource["status"] == "queued"
    assert resource["account_sid"] == ACCOUNT_SID
    assert (resource["to"], resource["from"], resource["body"]) == (TO, FROM, "Hello")
    assert resource["direction"] == "outbound-api"
    assert resource["uri"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{resource['sid']}.json"

    [captured] = fake.outbox.messages()
    assert captured.sid == resource["sid"]
    assert (captured.to, captured.from_, captured.body) == (TO, FROM, "Hello")
    assert captured.status_callback == fake.callback_url
    assert captured.messaging_service_sid is None


def test_posts_signed_sent_then_delivered_callbacks(fake: Fake) -> None:
    sid = fake.create(To=TO, From=FROM, Body="Hi", StatusCallback=fake.callback_url).json()["sid"]

    # Callbacks of earlier tests' messages may still arrive: look at this message's only.
    def mine() -> list[tuple[dict[str, str], bool]]:
        return [(form, valid) for form, valid in fake.callbacks if form["MessageSid"] == sid]

    wait_until(lambda: len(mine()) == 2)
    assert [form["MessageStatus"] for form, _ in mine()] == ["sent", "delivered"]
    for form, valid in mine():
        assert valid, "signature must validate with the auth token over the callback URL"
        assert form["MessageSid"] == form["SmsSid"] == sid
        assert (form["AccountSid"], form["To"], form["From"]) == (ACCOUNT_SID, TO, FROM)
    assert fake.outbox.messages()[0].status == "delivered"


def test_messaging_service_sends_without_from(fake: Fake) -> None:
    response = fake.create(To=TO, MessagingServiceSid="MG" + "a" * 32, Body="x")
    assert response.status_code == 201
    [captured] = fake.outbox.messages()
    assert captured.from_ is None and captured.messaging_service_sid == "MG" + "a" * 32


@pytest.mark.parametrize(
    "auth", [None, (ACCOUNT_SID, "wrong"), ("AC" + "2" * 32, AUTH_TOKEN), ("", "")]
)
def test_refuses_bad_credentials(fake: Fake, auth: tuple[str, str] | None) -> None:
    response = httpx.post(fake.messages_url, data={"To": TO, "From": FROM, "Body": "x"}, auth=auth)  # type: ignore[arg-type]
    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert fake.outbox.messages() == []


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": FROM, "Body": "x"}, 21604),
        ({"To": TO, "Body": "x"}, 21603),
        ({"To": TO, "From": FROM}, 21602),
        ({"To": TO, "From": FROM, "Body": "x" * 1601}, 21617),
    ],
)
def test_refuses_incomplete_messages(fake: Fake, form: dict[str, str], code: int) -> None:
    response = fake.create(**form)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == code and error["status"] == 400
    assert error["more_info"].endswith(str(code))
    assert fake.outbox.messages() == []


def test_injected_failures_then_success(fake: Fake) -> None:
    assert (
        httpx.post(
            f"{fake.url}/twilio/_fail", json={"status": 500, "count": 2, "code": 20500}
        ).status_code
        == 200
    )
    for _ in range(2):
        response = fake.create(To=TO, From=FROM, Body="x")
        assert response.status_code == 500 and response.json()["code"] == 20500
    assert fake.create(To=TO, From=FROM, Body="x").status_code == 201
    assert len(fake.outbox.messages()) == 1


def test_captured_hook_filters_by_recipient_and_clears(fake: Fake) -> None:
    fake.create(To=TO, From=FROM, Body="one")
    fake.create(To="+15555550999", From=FROM, Body="two")
    everything = httpx.get(f"{fake.url}/twilio/_captured").json()
    assert [m["body"] for m in everything] == ["one", "two"]
    only = httpx.get(f"{fake.url}/twilio/_captured", params={"to": TO}).json()
    assert [m["body"] for m in only] == ["one"]
    assert set(only[0]) >= {
        "sid",
        "to",
        "from_",
        "messaging_service_sid",
        "body",
        "status_callback",
        "created_at",
        "status",
    }
    assert httpx.delete(f"{fake.url}/twilio/_captured").status_code == 204
    assert httpx.get(f"{fake.url}/twilio/_captured").json() == []


def test_wait_for(fake: Fake) -> None:
    async def run() -> str:
        waiter = asyncio.create_task(fake.outbox.wait_for(lambda m: m.body == "awaited", timeout=3))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(fake.create, To=TO, From=FROM, Body="awaited")
        return (await waiter).body

    assert asyncio.run(run()) == "awaited"
    with pytest.raises(TimeoutError):
        asyncio.run(fake.outbox.wait_for(lambda m: m.body == "never", timeout=0.1))


def test_runs_standalone() -> None:
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hotline.channels.fake_twilio",
            "--port",
            str(port),
            "--account-sid",
            ACCOUNT_SID,
            "--auth-token",
            AUTH_TOKEN,
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return httpx.get(f"{base}/_captured").status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, timeout=20, interval=0.1)
        response = httpx.post(
            f"{base}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
            data={"To": TO, "From": FROM, "Body": "hi"},
            auth=(ACCOUNT_SID, AUTH_TOKEN),
        )
        assert response.status_code == 201
        assert [m["body"] for m in httpx.get(f"{base}/_captured").json()] == ["hi"]
    finally:
        process.terminate()
        process.wait(timeout=10)
