"""A texter for the bot tests: talks to the in-process Rasa agent the way the gateway does.

A reply that is just a number picks one of the options shown in the latest turn (as on SMS,
via `resolve_option`); everything the texter receives is rendered as SMS bodies with
`format_for_sms`, and any `custom` payloads (the hand-off signal) are kept apart.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from hotline.channels.sms_format import format_for_sms, resolve_option

_senders = itertools.count(1)


@dataclass
class Turn:
    """What the texter received for one message."""

    sent: str  # what reached Rasa (a payload if a number picked an option)
    bodies: list[str] = field(default_factory=list)
    custom: list[dict[str, Any]] = field(default_factory=list)
    options: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.bodies)

    @property
    def handoff(self) -> dict[str, Any] | None:
        for payload in self.custom:
            if "handoff" in payload:
                return payload["handoff"]
        return None


class Texter:
    def __init__(self, agent: Agent, loop: asyncio.AbstractEventLoop, language: str = "en"):
        self.agent = agent
        self.loop = loop
        self.language = language
        self.sender_id = f"test-texter-{next(_senders)}"
        self.options: list[str] = []
        self.turns: list[Turn] = []

    def send(self, text: str) -> Turn:
        """A message typed by the texter (a leading "/" is stripped, as the gateway does)."""
        message = resolve_option(text, self.options) or text.lstrip("/")
        return self._deliver(message)

    def send_payload(self, payload: str) -> Turn:
        """What the gateway sends for a keyword: MENU -> /show_menu, PERSON -> /request_human."""
        return self._deliver(payload)

    def _deliver(self, message: str) -> Turn:
        output = CollectingOutputChannel()
        user_message = UserMessage(
            message,
            output,
            self.sender_id,
            input_channel="rest",
            metadata={"channel": "sms", "language": self.language},
        )
        messages = self.loop.run_until_complete(self.agent.handle_message(user_message)) or []
        turn = Turn(sent=message)
        for bot_message in messages:
            if bot_message.get("custom"):
                turn.custom.append(bot_message["custom"])
            if bot_message.get("text"):
                body, options = format_for_sms(
                    bot_message["text"], bot_message.get("buttons") or []
                )
                turn.bodies.append(body)
                if options:
                    turn.options = options
        # The options a number refers to are those of the latest turn (none if it had none).
        self.options = turn.options
        self.turns.append(turn)
        return turn
