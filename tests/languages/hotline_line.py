"""A hotline line for conversation tests in every language: the real router (keywords, language
detection and menu, DELETE, hand-off), a real SQLite database, the real twilio client sending to
the fake Twilio, and the trained Rasa model in-process instead of the Rasa server.

    line = HotlineLine(...)            # see the `line` fixture in conftest.py
    texter = line.texter()
    texter.send("hola, necesito ayuda")  # -> the bodies the texter received, in order
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from hotline.channels.fake_twilio import FakeTwilioOutbox
from hotline.contacts.models import Contact
from hotline.conversations import service
from hotline.conversations.models import Conversation
from hotline.conversations.router import Router
from hotline.crypto import Vault
from hotline.db import Database

_numbers = itertools.count(1)
SERVICE_NUMBER = "+15550001000"


class InProcessRasa:
    """Stands in for hotline.rasa_client.RasaClient: the agent in this process instead of the
    Rasa server's REST channel (which returns the same list of message dicts)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        output = CollectingOutputChannel()
        message = UserMessage(text, output, sender_id, input_channel="rest", metadata=metadata)
        await self.agent.handle_message(message)
        return output.messages


@dataclass
class HotlineLine:
    loop: asyncio.AbstractEventLoop
    db: Database
    vault: Vault
    router: Router
    outbox: FakeTwilioOutbox

    def texter(self) -> LineTexter:
        return LineTexter(self, f"+1555{next(_numbers):07d}")


@dataclass
class LineTexter:
    line: HotlineLine
    phone: str
    received: list[str] = field(default_factory=list)
    _sids: itertools.count = field(default_factory=itertools.count)

    def send(self, text: str) -> list[str]:
        """Text the hotline; the bodies sent back for this message."""
        sms = service.InboundSms(
            message_sid=f"SM{self.phone[1:]}{next(self._sids):08d}",
            from_address=self.phone,
            to_address=SERVICE_NUMBER,
            messaging_service_sid=None,
            body=text,
            num_media=0,
        )
        with self.line.db.session() as session:
            message, _ = service.store_inbound(session, self.line.vault, sms)
            ids = (message.id, message.conversation_id)
        before = len(self.line.outbox.messages(to=self.phone))
        self.line.loop.run_until_complete(self.line.router.handle(*ids))
        bodies = [m.body for m in self.line.outbox.messages(to=self.phone)[before:]]
        self.received += bodies
        return bodies

    def contact(self) -> Contact | None:
        with self.line.db.session() as session:
            return session.get(Contact, self.line.vault.pseudonym("sms", self.phone))

    def conversation(self) -> Conversation | None:
        with self.line.db.session() as session:
            contact = session.get(Contact, self.line.vault.pseudonym("sms", self.phone))
            return service.current_conversation(session, contact)
