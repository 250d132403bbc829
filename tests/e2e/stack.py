"""The real system for end-to-end tests: Rasa, the action server, the hotline service and a
local Twilio-compatible server, each its own process, wired as in production."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

from hotline.crypto import Vault
from hotline.processes import Ports, ProcessGroup, commands, endpoints_file, wait_until_healthy
from tests.net import free_port

ACCOUNT_SID = "AC" + "e2e0" * 8
AUTH_TOKEN = "e2e-auth-token"
SECRET_KEY = "e2e-secret-key"
HOTLINE_NUMBER = "+15005550006"


def model_path() -> Path:
    if os.environ.get("SAFELINE_MODEL"):  # pin a model while the training data is being edited
        return Path(os.environ["SAFELINE_MODEL"])
    out = subprocess.run(
        [sys.executable, "-m", "bot.model", "path"], capture_output=True, text=True, check=True
    )
    return Path(out.stdout.strip())


@dataclass
class Stack:
    """Processes started on free ports; `hotline` can be restarted on its own."""

    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="safeline-e2e-")))
    ports: Ports = field(default_factory=lambda: Ports(free_port(), free_port(), free_port()))
    twilio_port: int = field(default_factory=free_port)
    group: ProcessGroup = field(default_factory=ProcessGroup)

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def hotline_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.hotline}"

    @property
    def twilio_url(self) -> str:
        return f"http://127.0.0.1:{self.twilio_port}"

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'hotline.db'}"

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": self.twilio_url,
            "PUBLIC_BASE_URL": self.hotline_url,
            "DATABASE_URL": self.database_url,
            "HOTLINE_PORT": str(self.ports.hotline),
            "HOTLINE_SECRET_KEY": SECRET_KEY,
            "HOTLINE_VAR_DIR": str(self.workdir),
            "RASA_URL": self.rasa_url,
            # People answer at any hour in tests (the out-of-hours tests use their own config).
            "HOTLINE_ALWAYS_OPEN": "true",
        }

    def _log(self, name: str):
        return open(self.workdir / f"{name}.log", "ab")

    def start_twilio(self) -> None:
        self.group.start(
            "twilio",
            [
                sys.executable, "-m", "hotline.channels.fake_twilio", "--port",
                str(self.twilio_port), "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN,
            ],
            self.env(),
            self._log("twilio"),
        )  # fmt: skip
        wait_until_healthy(f"{self.twilio_url}/_captured", self.group, timeout=30)

    def start_rasa(self) -> None:
        cmds = commands(model_path(), self.ports, endpoints_file(self.ports, self.workdir))
        self.group.start("actions", cmds["actions"], self.env(), self._log("actions"))
        self.group.start("rasa", cmds["rasa"], self.env(), self._log("rasa"))
        wait_until_healthy(f"{self.rasa_url}/status", self.group, timeout=240)

    def start_hotline(self, *, require_rasa: bool = True) -> None:
        cmd = commands(model_path(), self.ports, self.workdir)["hotline"]
        self.group.start("hotline", cmd, self.env(), self._log("hotline"))
        # /healthz is 503 while Rasa is down; the home page answers as soon as we serve.
        ready = "/healthz" if require_rasa else "/"
        wait_until_healthy(self.hotline_url + ready, self.group, timeout=60)

    def add_operator(
        self, username: str, password: str, *, role: str = "operator", languages: str = "en"
    ) -> None:
        """An operator account, made the way an admin makes one: `hotline operator add`."""
        subprocess.run(
            [
                sys.executable, "-m", "hotline.cli", "operator", "add", username, "--role", role,
                "--languages", languages, "--name", username.capitalize(), "--password-stdin",
            ],
            input=password + "\n", text=True, env=self.env(), check=True, capture_output=True,
        )  # fmt: skip

    def logs(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        self.group.stop_all()

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Stack]:
        """The whole system started, and stopped again however the block ends."""
        system = cls()
        try:
            system.start_twilio()
            system.start_rasa()
            system.start_hotline()
            yield system
        finally:
            system.stop()

    # --- what a test sees -------------------------------------------------------------

    def sql(self, query: str, **params) -> list:
        engine = create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                return connection.execute(text(query), params).all()
        finally:
            engine.dispose()

    def captured(self, to: str | None = None) -> list[dict]:
        params = {"to": to} if to else {}
        return httpx.get(f"{self.twilio_url}/_captured", params=params, timeout=10).json()

    def pseudonym(self, phone: str, channel: str = "sms") -> str:
        return Vault(SECRET_KEY).pseudonym(channel, phone)

    def turn_done(self, sid: str) -> bool:
        """The hotline has handled this message and handed every reply to Twilio."""
        rows = self.sql(
            "SELECT m.status, (SELECT count(*) FROM message o WHERE o.conversation_id ="
            " m.conversation_id AND o.direction = 'out' AND o.status IN ('pending', 'sending'))"
            " FROM message m WHERE m.twilio_sid = :sid",
            sid=sid,
        )
        return bool(rows) and rows[0][0] in ("processed", "interrupted") and rows[0][1] == 0

    def wait_turn_done(self, sid: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.turn_done(sid):
                return
            time.sleep(0.05)
        raise TimeoutError(f"message {sid} not handled within {timeout} s")


class Texter:
    """A phone texting the hotline through signed Twilio webhooks."""

    def __init__(self, stack: Stack, phone: str, *, channel_prefix: str = "") -> None:
        self.stack = stack
        self.phone = phone
        self.address = channel_prefix + phone
        self._seen = 0

    def webhook(self, fields: dict[str, str], *, signature: str | None = None, url=None):
        url = url or f"{self.stack.hotline_url}/twilio/sms"
        if signature is None:
            signature = RequestValidator(AUTH_TOKEN).compute_signature(url, fields)
        return httpx.post(
            f"{self.stack.hotline_url}/twilio/sms",
            content=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signature,
            },
            timeout=10,
        )

    def fields(self, body: str, **extra: str) -> dict[str, str]:
        return {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": ACCOUNT_SID,
            "From": self.address,
            "To": extra.pop("To", HOTLINE_NUMBER),
            "Body": body,
            "NumMedia": "0",
            **extra,
        }

    def send(self, body: str, **extra: str) -> list[str]:
        """Text the hotline; return the SMS bodies that came back for this message."""
        fields = self.fields(body, **extra)
        response = self.webhook(fields)
        assert response.status_code == 200, response.text
        self.stack.wait_turn_done(fields["MessageSid"])
        return self.new_replies()

    def new_replies(self) -> list[str]:
        messages = self.stack.captured(to=self.address)
        fresh = messages[self._seen :]
        self._seen = len(messages)
        return [message["body"] for message in fresh]
