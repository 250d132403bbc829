"""The conversation router: one inbound message in, the right replies out.

Order of decisions (business rules live here once, whatever the channel):
sanitise → language of a first contact (its keyword's language, or detected from the text) →
STOP/START → emergency phrases → DELETE → HELP → LANGUAGE menu and its answer →
human-held conversations never reach Rasa → empty/media-only → a first contact whose language
is unknown gets the language menu → numbered option or free text to Rasa (with the language in
the message metadata, which the NLG renders in) → replies stored, sent.
The language chosen or detected sticks to the contact (and its later conversations).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypeVar

from starlette.concurrency import run_in_threadpool

from bot.language_detect import repository_detector
from bot.languages import source_language
from bot.responses import ResponseBook
from hotline.channels.sms_format import format_for_sms, resolve_option, split_for_sms
from hotline.channels.twilio_outbound import SendResult, TwilioSender
from hotline.config import Settings
from hotline.contacts.erasure import erase_contact, erase_rasa_tracker
from hotline.conversations import service
from hotline.conversations.handoff import record_screening
from hotline.conversations.keywords import Keyword, is_emergency, keyword_language, match_keyword
from hotline.conversations.language_choice import language_menu, resolve_language_reply, wants_more
from hotline.conversations.models import HUMAN_STATES
from hotline.conversations.sanitize import sanitize_text
from hotline.conversations.screening import AGES, FLAGS, OUTCOMES
from hotline.crypto import Vault
from hotline.db import Database
from hotline.rasa_client import RasaClient, RasaUnavailable

if TYPE_CHECKING:
    from hotline.conversations.desk import HandoffDesk

log = logging.getLogger(__name__)
T = TypeVar("T")

# Keywords that steer the assistant: sent to Rasa as our own intent payloads.
KEYWORD_PAYLOADS = {Keyword.MENU: "/show_menu", Keyword.PERSON: "/request_human"}
# The DELETE confirmation's options; the gateway answers them itself, Rasa never sees them.
ERASE_CONFIRM, ERASE_CANCEL = "/erase_confirm", "/erase_cancel"
# The language menu is open: the options hold "/language_menu:<page>:<times shown>". Its
# answers are read by hotline/conversations/language_choice.py, never by the assistant.
LANGUAGE_MENU = "/language_menu"
# A first contact that answers the menu with neither a language nor a detectable text this
# many times goes on in the source language (never a loop).
LANGUAGE_MENU_TRIES = 2
HANDOFF_PRIORITIES = {
    "normal": service.PRIORITY_NORMAL,
    "high": service.PRIORITY_HIGH,
    "urgent": service.PRIORITY_URGENT,
}


@dataclass
class Outcome:
    replies: list[str] = field(default_factory=list)
    options: list[str] | None = None  # None keeps the options shown before
    handoff: tuple[str, int] | None = None  # (reason, priority)
    opted_out: bool | None = None  # None leaves the opt-out flag alone
    erase: bool = False  # DELETE confirmed: erase everything, then say so
    screening: dict | None = None  # the assistant's screening summary: codes only
    language: str | None = None  # chosen or detected this turn: kept on contact and conversation


class KeyedLocks:
    """One asyncio lock per conversation, so its messages are handled in arrival order."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: Counter[int] = Counter()

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] += 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]


class Router:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        vault: Vault,
        rasa: RasaClient,
        sender: TwilioSender,
        responses: ResponseBook,
        desk: HandoffDesk | None = None,
    ) -> None:
        self._settings = settings
        self._desk = desk  # hand-off flows: place in line, out-of-hours dialogue
        self._db = db
        self._vault = vault
        self._rasa = rasa
        self._sender = sender
        self._responses = responses
        self._locks = KeyedLocks()

    async def _in_db(self, work: Callable[..., T], *args) -> T:
        return await self._db.call(work, *args)

    async def handle(self, message_id: int, conversation_id: int) -> None:
        """Handle one stored inbound message exactly once, in its conversation's order."""
        async with self._locks.hold(conversation_id):
            turn = await self._in_db(service.claim_inbound, self._vault, message_id)
            if turn is None:
                return  # already handled (a redelivery or a second worker)
            try:
                outcome = await self._decide(turn)
            except Exception:  # noqa: BLE001 - a texter must never be left without an answer
                log.exception("turn failed; falling back to a person (message %s)", message_id)
                outcome = self._fallback(turn)
            await self._finish(turn, outcome)

    async def resume_interrupted(self, message_id: int, conversation_id: int) -> None:
        """A message the service stopped in the middle of: never asked again, a person takes it."""
        async with self._locks.hold(conversation_id):
            turn = await self._in_db(service.load_turn, self._vault, message_id)
            outcome = Outcome() if turn.opted_out else self._fallback(turn, reason="interrupted")
            await self._finish(turn, outcome)

    async def _finish(self, turn: service.Turn, outcome: Outcome) -> None:
        if outcome.erase:
            await self._erase(turn)
            return
        if outcome.language:
            turn = replace(turn, language=outcome.language)

        def record(session) -> list[int]:
            if outcome.language:
                service.set_language(session, turn.conversation_id, outcome.language)
            if outcome.opted_out is not None:
                service.set_opted_out(session, turn.contact_id, outcome.opted_out)
            if outcome.handoff:
                reason, priority = outcome.handoff
                service.queue_for_person(session, turn.conversation_id, reason, priority)
            if outcome.screening:  # after the queueing: the screening only raises priority
                record_screening(session, turn.conversation_id, **outcome.screening)
            if self._desk is not None:
                self._desk.on_turn(session, turn, outcome)
            return service.finish_turn(
                session, self._vault, turn, outcome.replies, options=outcome.options
            )

        for outbound_id in await self._in_db(record):
            await self.send(outbound_id)
        log.info(
            "handled message %s: %d replies, handoff=%s",
            turn.message_id,
            len(outcome.replies),
            outcome.handoff[0] if outcome.handoff else None,
        )

    async def _erase(self, turn: service.Turn) -> None:
        """Erase the texter's contact, conversations, messages and Rasa tracker; the last
        reply is sent but not stored, so nothing about them is left."""
        body, _ = self._say(turn, "utter_deleted")

        def erase(session) -> service.Route:
            route = service.route_of(session, self._vault, turn.conversation_id)
            erase_contact(session, turn.contact_id)
            return route

        route = await self._in_db(erase)
        await run_in_threadpool(
            erase_rasa_tracker, self._settings.rasa_tracker_db_url, turn.contact_id
        )
        result = await self._transmit(route, body)
        log.info("erased a contact's data on request (goodbye sent: %s)", not result.failed)

    async def _transmit(self, route: service.Route, body: str) -> SendResult:
        return await self._sender.send(
            to=route.to,
            body=body,
            from_number=route.from_number,
            messaging_service_sid=route.messaging_service_sid,
        )

    async def send(self, outbound_id: int) -> None:
        outgoing = await self._in_db(service.start_sending, self._vault, outbound_id)
        if outgoing is None:
            return
        result = await self._transmit(outgoing.route, outgoing.body)
        await self._in_db(
            lambda session: service.record_sent(
                session,
                outbound_id,
                sid=result.sid,
                status="failed" if result.failed else (result.status or "queued"),
                error_code=str(result.error_code) if result.error_code else None,
            )
        )
        if result.failed:
            log.warning(
                "reply %s not sent (%s, Twilio error %s)",
                outbound_id,
                "retries exhausted" if result.transient else "refused",
                result.error_code,
            )

    def _say(self, turn: service.Turn, response: str) -> tuple[str, list[str]]:
        rendered = self._responses.render(
            response,
            language=turn.language or "en",
            emergency_text=self._settings.emergency_text,
            hotline_text=self._settings.hotline_text,
        )
        return format_for_sms(rendered["text"], rendered.get("buttons") or [])

    def _fallback(self, turn: service.Turn, reason: str = "assistant_unavailable") -> Outcome:
        body, _ = self._say(turn, "utter_service_fallback")
        return Outcome(replies=[body], options=[], handoff=(reason, service.PRIORITY_NORMAL))

    async def _decide(self, turn: service.Turn) -> Outcome:
        text = sanitize_text(turn.text, self._settings.max_text_length)
        keyword = match_keyword(text, opted_out=turn.opted_out)
        first_contact = turn.language is None  # no language chosen or detected yet
        found = self._first_language(text, keyword) if first_contact else None
        if found:
            turn = replace(turn, language=found)
        outcome = await self._decide_in_language(turn, text, keyword, first_contact)
        if found and outcome.language is None:
            outcome.language = found
        return outcome

    @staticmethod
    def _first_language(text: str, keyword: Keyword | None) -> str | None:
        """A first contact's language: its keyword's, or confidently detected from the text."""
        if keyword is not None:
            return keyword_language(text)
        detected = repository_detector().detect(text)
        return detected[0] if detected else None

    async def _decide_in_language(
        self, turn: service.Turn, text: str, keyword: Keyword | None, first_contact: bool
    ) -> Outcome:
        if keyword is Keyword.STOP:
            return Outcome(
                opted_out=True
            )  # Twilio sends the carrier's confirmation; we send nothing
        if turn.opted_out and keyword is not Keyword.START:
            return Outcome()  # kept, never answered: they asked us to stop
        if keyword is Keyword.START:
            body, _ = self._say(turn, "utter_opted_in")
            return Outcome(replies=[body], opted_out=False)
        if is_emergency(text):
            body, _ = self._say(turn, "utter_emergency")
            return Outcome(
                replies=[body], options=[], handoff=("emergency", service.PRIORITY_URGENT)
            )
        if keyword is Keyword.DELETE:
            body, options = self._say(turn, "utter_delete_confirm")
            return Outcome(replies=[body], options=options)
        if turn.options and turn.options[0] == ERASE_CONFIRM:
            if resolve_option(text, turn.options) == ERASE_CONFIRM:
                return Outcome(erase=True)
            body, _ = self._say(turn, "utter_delete_kept")
            return Outcome(replies=[body], options=[])
        if keyword is Keyword.HELP:
            body, _ = self._say(turn, "utter_keyword_help")
            return Outcome(replies=[body])
        if keyword is Keyword.LANGUAGE:
            return self._language_menu(page=0, shown=1)
        if keyword is None and turn.options and turn.options[0].startswith(LANGUAGE_MENU):
            answered = await self._answer_language_menu(turn, text, first_contact)
            if answered is not None:
                return answered
            turn = replace(turn, options=[])  # not an answer to the menu: an ordinary message
        if turn.state in HUMAN_STATES:
            return Outcome()  # a person holds this conversation; Rasa is not asked
        if not text:
            body, _ = self._say(
                turn, "utter_media_unsupported" if turn.num_media else "utter_empty_message"
            )
            return Outcome(replies=[body])
        if turn.language is None and keyword is None:
            return self._language_menu(page=0, shown=1)  # first contact, language unknown
        message = KEYWORD_PAYLOADS.get(keyword) or resolve_option(text, turn.options) or text
        return await self._ask_assistant(turn, message)

    async def _ask_assistant(self, turn: service.Turn, message: str) -> Outcome:
        try:
            bot_messages = await self._rasa.send(
                turn.contact_id,
                message,
                {"channel": turn.channel, "language": turn.language or source_language()},
            )
        except RasaUnavailable:
            log.warning(
                "assistant unavailable for message %s; queued for a person", turn.message_id
            )
            return self._fallback(turn)
        return self._from_assistant(bot_messages)

    @staticmethod
    def _language_menu(page: int, shown: int) -> Outcome:
        menu = language_menu(page)
        return Outcome(replies=[menu.text], options=[f"{LANGUAGE_MENU}:{menu.page}:{shown}"])

    async def _answer_language_menu(
        self, turn: service.Turn, text: str, first_contact: bool
    ) -> Outcome | None:
        """The reply to the language menu; None when it is not an answer to the menu."""
        _, page, shown = (turn.options[0].split(":") + ["0", "1"])[:3]
        chosen = resolve_language_reply(text)
        if chosen is None and wants_more(text):
            return self._language_menu(page=int(page) + 1, shown=int(shown))
        if chosen is None and first_contact:
            # The text itself may tell the language (detected already, see _decide); else
            # ask again, a limited number of times, then go on in the source language.
            chosen = turn.language
            if chosen is None and int(shown) < LANGUAGE_MENU_TRIES:
                return self._language_menu(page=int(page), shown=int(shown) + 1)
            if chosen is not None:
                return replace(await self._ask_assistant(turn, text), language=chosen)
            chosen = source_language()
        if chosen is None:
            return None
        chosen_turn = replace(turn, language=chosen, options=[])
        if turn.state in HUMAN_STATES:
            return Outcome(language=chosen, options=[])  # the person sees the new language
        # A first contact starts the conversation in the language; a switch shows the menu.
        message = "/greet" if first_contact else KEYWORD_PAYLOADS[Keyword.MENU]
        return replace(await self._ask_assistant(chosen_turn, message), language=chosen)

    @staticmethod
    def _from_assistant(bot_messages: list[dict]) -> Outcome:
        outcome = Outcome(options=[])
        for bot_message in bot_messages:
            handoff = (bot_message.get("custom") or {}).get("handoff")
            if handoff:
                priority = HANDOFF_PRIORITIES.get(handoff.get("priority"), 0)
                outcome.handoff = (str(handoff.get("reason") or "asked")[:40], priority)
            screening = (bot_message.get("custom") or {}).get("screening")
            if isinstance(screening, dict):  # known codes only, never free text
                code, flags, age = (screening.get(k) for k in ("outcome", "flags", "age"))
                outcome.screening = {
                    "outcome": code if code in OUTCOMES else None,
                    "flags": [f for f in flags if f in FLAGS] if isinstance(flags, list) else [],
                    "age": age if age in AGES else None,
                }
            if bot_message.get("text"):
                body, options = format_for_sms(
                    bot_message["text"], bot_message.get("buttons") or []
                )
                outcome.replies.extend(split_for_sms(body))
                if options:  # the choices shown last are what a digit reply refers to
                    outcome.options = options
        return outcome
