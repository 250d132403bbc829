"""Fixtures for the hand-off and console tests.

- `db`: a migrated database, SQLite and PostgreSQL (the `database_url` fixture).
- `system`: the real hotline app in simulator mode (its fake Twilio inside), served by uvicorn
  on a free port, with a scripted stand-in for Rasa's REST API; texters post signed webhooks.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hotline.app import create_app
from hotline.channels.simulator import post_signed_sms
from hotline.config import load_settings
from hotline.contacts.models import Contact
from hotline.conversations import handoff, service
from hotline.conversations.hours import HandoffConfig, parse_handoff_config
from hotline.conversations.models import Conversation, Message
from hotline.crypto import Vault
from hotline.db import Database
from hotline.operators import service as operators
from tests.net import bound_socket, serve

PASSWORD = "correct horse battery staple"
HOTLINE_NUMBER = "+15555550000"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday, 10:00 UTC

ALWAYS_OPEN = parse_handoff_config({"timezone": "UTC", "always_open": True})
CLOSED = parse_handoff_config(
    {"timezone": "UTC", "opening_hours": {"monday": "08:00-09:00"}, "always_open": False},
    {"HOTLINE_ALWAYS_OPEN": "false"},
)


@pytest.fixture
def db(database_url) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def vault() -> Vault:
    return Vault("test-secret")


_phones = iter(range(10_000, 99_999))


def new_phone() -> str:
    return f"+4477009{next(_phones):05d}"


def add_conversation(
    session,
    vault: Vault,
    *,
    state: str = "queued",
    priority: int = 0,
    is_child: bool = False,
    language: str | None = "en",
    queued_at: datetime | None = None,
    phone: str | None = None,
) -> int:
    """A conversation as the router leaves it: one inbound message, then handed to people."""
    message, _ = service.store_inbound(
        session,
        vault,
        service.InboundSms(
            message_sid="SM" + str(time.monotonic_ns()),
            from_address=phone or new_phone(),
            to_address=HOTLINE_NUMBER,
            messaging_service_sid=None,
            body="hello",
            num_media=0,
        ),
    )
    conversation = session.get(Conversation, message.conversation_id)
    conversation.language = language
    if state != "bot":
        service.queue_for_person(session, conversation.id, "asked", priority)
        conversation.queued_at = queued_at or T0
        conversation.is_child = is_child
        conversation.state = state
    session.flush()
    return conversation.id


def add_operator(
    session,
    username: str,
    *,
    role: str = "operator",
    languages: tuple[str, ...] = ("en",),
    online_at: datetime | None = T0,
    capacity: int | None = None,
):
    operator = operators.create_operator(
        session,
        username=username,
        password=PASSWORD,
        display_name=username.capitalize(),
        role=role,
        languages=languages,
        max_conversations=capacity,
    )
    operator.last_seen_at = online_at
    session.flush()
    return operator


def acting(operator, supervise: bool = False) -> handoff.Acting:
    return handoff.Acting(
        operator.id, operator.display_name, tuple(operator.languages or ()), supervise
    )


# --- a running system ----------------------------------------------------------------------


@dataclass
class FakeRasa:
    """Rasa's REST channel and tracker-events API, scripted."""

    received: list[tuple[str, str]] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)
    paused: dict[str, bool] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def webhook(request: Request) -> JSONResponse:
            payload = await request.json()
            sender, text = payload["sender"], payload["message"]
            self.received.append((sender, text))
            if self.paused.get(sender):
                return JSONResponse([])  # what a paused Rasa does: nothing
            if text in ("/request_human", "person please"):
                return JSONResponse(
                    [
                        {
                            "recipient_id": sender,
                            "text": "OK. A person from the hotline will reply here.",
                            "custom": {"handoff": {"reason": "asked", "priority": "normal"}},
                        }
                    ]
                )
            return JSONResponse([{"recipient_id": sender, "text": f"Assistant: {text}"}])

        async def tracker_events(request: Request) -> JSONResponse:
            sender = request.path_params["sender"]
            event = (await request.json())["event"]
            self.events.append((sender, event))
            self.paused[sender] = event == "pause"
            return JSONResponse({"sender_id": sender})

        async def status(_request: Request) -> JSONResponse:
            return JSONResponse({"model_file": "fake"})

        return Starlette(
            routes=[
                Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
                Route("/conversations/{sender}/tracker/events", tracker_events, methods=["POST"]),
                Route("/status", status),
            ]
        )

    def texts_from(self, sender: str) -> list[str]:
        return [text for who, text in self.received if who == sender]


@dataclass
class System:
    url: str
    app: Starlette
    rasa: FakeRasa
    var_dir: Path

    @property
    def hotline(self):
        return self.app.state.hotline

    @property
    def settings(self):
        return self.hotline.settings

    @property
    def db(self) -> Database:
        return self.hotline.db

    def set_config(self, config: HandoffConfig) -> None:
        self.hotline.desk.config = config

    # texters -----------------------------------------------------------------------------

    def text(self, phone: str, body: str, *, wait: bool = True) -> str:
        """Send a signed inbound SMS; wait until the hotline handled it and sent its replies."""
        posted = asyncio.run(post_signed_sms(self.settings, from_=phone, body=body))
        assert posted.status_code == 200
        if wait:
            self.wait_handled(posted.message_sid)
        return posted.message_sid

    def wait_handled(self, sid: str, timeout: float = 10) -> None:
        def done():
            with self.db.session() as session:
                message = session.execute(
                    select(Message).where(Message.twilio_sid == sid)
                ).scalar_one_or_none()
                if message is None or message.status not in ("processed", "interrupted"):
                    return False
                pending = session.execute(
                    select(Message.id).where(
                        Message.conversation_id == message.conversation_id,
                        Message.direction == "out",
                        Message.status.in_(("pending", "sending")),
                    )
                ).first()
                return pending is None

        wait_until(done, timeout)

    def replies(self, phone: str) -> list[str]:
        return [m.body for m in self.hotline.outbox.messages(to=phone)]

    def conversation(self, phone: str) -> Conversation:
        with self.db.session() as session:
            contact_id = self.hotline.vault.pseudonym("sms", phone)
            return session.execute(
                select(Conversation)
                .where(Conversation.contact_id == contact_id)
                .order_by(Conversation.id.desc())
                .limit(1)
            ).scalar_one()

    def sender_id(self, phone: str) -> str:
        return self.hotline.vault.pseudonym("sms", phone)

    # operators ---------------------------------------------------------------------------

    def add_operator(self, username: str, role: str = "operator", languages=("en",)) -> int:
        with self.db.session() as session:
            return add_operator(session, username, role=role, languages=languages).id

    def login(self, username: str, password: str = PASSWORD) -> ConsoleClient:
        client = ConsoleClient(httpx.Client(base_url=self.url, timeout=10))
        response = client.login(username, password)
        assert response.status_code == 303, response.text
        return client


@dataclass
class ConsoleClient:
    http: httpx.Client
    csrf: str = ""

    def login(self, username: str, password: str) -> httpx.Response:
        page = self.http.get("/console/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.http.post(
            "/console/login",
            data={"csrf_token": token, "username": username, "password": password},
        )
        if response.status_code == 303:
            queue = self.http.get("/console")
            self.csrf = re.search(r'data-csrf="([^"]+)"', queue.text).group(1)
        return response

    def get(self, path: str, **kwargs) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, data: dict | None = None, *, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf)
        return self.http.post(path, data=data, **kwargs)

    def act(self, path: str, data: dict | None = None) -> httpx.Response:
        """A console action as the page's script sends it (JSON answer)."""
        return self.http.post(
            path,
            data=data or {},
            headers={
                "X-CSRF-Token": self.csrf,
                "X-Requested-With": "fetch",
                "Accept": "application/json",
            },
        )

    def close(self) -> None:
        self.http.close()


def wait_until(condition: Callable[[], Any], timeout: float = 10, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


@pytest.fixture
def system_factory(tmp_path) -> Iterator[Callable[..., System]]:
    """Start a system; a second call on the same var dir is a restart of the hotline."""
    rasa = FakeRasa()
    stack: list[Any] = []
    rasa_context = serve(rasa.app())
    rasa_url = rasa_context.__enter__()
    stack.append(rasa_context)
    var_dir = tmp_path / "var"

    def start(config: HandoffConfig = ALWAYS_OPEN, database_url: str | None = None) -> System:
        sock = bound_socket()
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        env = {
            "HOTLINE_VAR_DIR": str(var_dir),
            "PUBLIC_BASE_URL": url,
            "RASA_URL": rasa_url,
            "HOTLINE_SECRET_KEY": "console-tests",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        app = create_app(load_settings(env))
        app.state.hotline.desk.config = config
        context = serve(app, sock)
        context.__enter__()
        stack.append(context)
        return System(url, app, rasa, var_dir)

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def system(system_factory) -> System:
    return system_factory()


def queued_conversation(system: System, phone: str) -> int:
    """Text the hotline and ask for a person; the conversation id."""
    system.text(phone, "hello")
    system.text(phone, "person please")
    conversation = system.conversation(phone)
    assert conversation.state == "queued"
    return conversation.id


def contact_of(session, conversation_id: int) -> Contact:
    return session.get(Contact, session.get(Conversation, conversation_id).contact_id)
