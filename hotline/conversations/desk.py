"""Hand-off flows: what happens around a person taking over, and what the texter is told.

- `on_turn` runs inside the router's transaction for every handled texter message: a
  conversation just handed to people gets its place in line (or, out of hours, the
  out-of-hours message and its choices); a waiting conversation in the out-of-hours dialogue
  moves one step on. Nothing else: while people hold a conversation, Rasa is never asked.
- Console actions (claim, reply, transfer, end, wrap-up) change state through
  `hotline.conversations.handoff` and send through the router's sender, so operator messages
  get the same retries, opt-out suppression and delivery statuses as every other reply.
- Timers (`tick`, every TICK_SECONDS): an idle assignment goes back to the queue, a wrap-up
  always ends, a long wait gets one honest update, a meaningful move in line is told, and
  waiting texters get the out-of-hours message when the hotline closes.
- Rasa is told `pause` / `resume` for its own tools (our database stays the authority): at
  once after each committed change of state, and reconciled on every tick.

Every texter-facing text is a response in hotline/content/service_messages.yml, rendered in the
texter's language.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from starlette.concurrency import run_in_threadpool

from bot.responses import ResponseBook
from hotline.channels.sms_format import format_for_sms, resolve_option
from hotline.config import Settings
from hotline.conversations import handoff
from hotline.conversations.handoff import Acting, HandoffError
from hotline.conversations.hours import HandoffConfig
from hotline.conversations.models import HUMAN_STATES, State
from hotline.conversations.sanitize import sanitize_text
from hotline.crypto import Vault
from hotline.db import Database
from hotline.live import LiveHub
from hotline.operators import service as operators
from hotline.timeutil import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

TICK_SECONDS = 2.0
RASA_EVENT_TIMEOUT = 5.0
RASA_RECONCILE_SECONDS = 10.0

# Payloads of the out-of-hours choices (the buttons in service_messages.yml).
LEAVE_MESSAGE = "/after_hours_leave_message"
NO_CONTACT_AT_ALL = "/after_hours_no_contact"
CONTACT_ANY_TIME = "/contact_any_time"
CONTACT_SAFE_TIME = "/contact_safe_time"
CONTACT_NEVER = "/contact_never"
# Who may get automated updates while waiting: not those who asked for a safe time or none.
NOTIFIABLE_PREFERENCES = (None, "any_time")


def format_back_at(moment: datetime, language: str | None, now: datetime) -> str:
    """When people are back, in the texter's language: "Monday 08:00" (a date if far)."""
    from babel import Locale, UnknownLocaleError
    from babel.dates import format_datetime

    try:
        locale = Locale.parse((language or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    pattern = "EEEE HH:mm" if moment - now < timedelta(days=6) else "EEEE d MMMM HH:mm"
    return format_datetime(moment, pattern, tzinfo=moment.tzinfo, locale=locale)


def _is_state_change(event: dict) -> bool:
    return event.get("type") in ("conversation", "resync")


def _is_skip(text: str) -> bool:
    word = text.strip().casefold()
    if word == "skip":
        return True
    return len(word) == 1 and unicodedata.digit(word, -1) == 0


class HandoffDesk:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        vault: Vault,
        responses: ResponseBook,
        config: HandoffConfig,
        hub: LiveHub,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.config = config
        self.hub = hub
        self._db = db
        self._vault = vault
        self._responses = responses
        self._clock = clock
        self._send: Callable[[int], Awaitable[None]] | None = None
        self._rasa = httpx.AsyncClient(base_url=settings.rasa_url, timeout=RASA_EVENT_TIMEOUT)
        self._tasks: list[asyncio.Task] = []
        self._rasa_lock: asyncio.Lock | None = None

    def attach_sender(self, send: Callable[[int], Awaitable[None]]) -> None:
        """The router's `send(outbound_id)`: the one way replies leave."""
        self._send = send

    async def _in_db(self, work: Callable[..., T], *args: Any) -> T:
        def run() -> T:
            with self._db.session() as session:
                return work(session, *args)

        return await run_in_threadpool(run)

    async def _send_all(self, outbound_ids: list[int]) -> None:
        for outbound_id in outbound_ids:
            if self._send is None:
                log.error("no sender attached; reply %s stays pending", outbound_id)
                return
            await self._send(outbound_id)

    # --- texts ---------------------------------------------------------------------------------

    def render(self, name: str, language: str | None, **values: Any) -> tuple[str, list[str]]:
        rendered = self._responses.render(
            name,
            language=language or "en",
            emergency_text=self.settings.emergency_text,
            hotline_text=self.settings.hotline_text,
            **values,
        )
        return format_for_sms(rendered["text"], rendered.get("buttons") or [])

    def canned_replies(self, language: str | None, operator_name: str) -> list[tuple[str, str]]:
        """(label, text) of the operator's ready-made replies, in the texter's language."""
        replies = []
        for name in self._responses.names():
            if name.startswith("utter_operator_"):
                body, _ = self.render(name, language, operator_name=operator_name)
                label = name.removeprefix("utter_operator_").replace("_", " ").capitalize()
                replies.append((label, body))
        return replies

    def _notice(self, session, facts: handoff.HandoffFacts, name: str, **values: Any) -> int | None:
        """Store one automated message to a waiting texter (sent after the commit)."""
        if facts.opted_out:
            return None
        body, options = self.render(name, facts.language, **values)
        if options:
            handoff.set_options(session, facts.conversation_id, options)
        return handoff.store_outbound(session, self._vault, facts.conversation_id, body)

    # --- the router's hook -----------------------------------------------------------------------

    def on_turn(self, session, turn, outcome) -> None:
        """Called by the router inside its transaction, after any hand-off was recorded and
        before the replies are stored; may add replies and options to `outcome`."""
        if outcome.opted_out is True or (turn.opted_out and outcome.opted_out is not False):
            return
        facts = handoff.facts(session, turn.conversation_id)
        if facts.state != State.QUEUED.value:
            return
        now = self._clock()
        if turn.state not in HUMAN_STATES:
            body, options = self._on_queued(session, facts, now)
            outcome.replies.append(body)
            outcome.options = options
        elif facts.after_hours_step and not outcome.replies:
            text = sanitize_text(turn.text, self.settings.max_text_length)
            reply = self._after_hours_step(session, facts, text, turn.options, now)
            if reply is not None:
                body, options = reply
                outcome.replies.append(body)
                outcome.options = options

    def _on_queued(self, session, facts: handoff.HandoffFacts, now: datetime):
        if not self.config.is_open(now):
            return self._closed_message(session, facts, now)
        position = handoff.position_of(session, facts.conversation_id) or 1
        handoff.set_position_told(session, facts.conversation_id, position)
        if position == 1:
            return self.render("utter_handoff_next_in_line", facts.language)
        return self.render("utter_handoff_position", facts.language, position=position)

    def _closed_message(self, session, facts: handoff.HandoffFacts, now: datetime):
        handoff.set_after_hours_step(session, facts.conversation_id, "choice")
        back = self.config.next_opening(now)
        if back is None:
            return self.render("utter_handoff_closed_no_time", facts.language)
        back_at = format_back_at(back, facts.language, now)
        return self.render("utter_handoff_closed", facts.language, back_at=back_at)

    def _after_hours_step(
        self,
        session,
        facts: handoff.HandoffFacts,
        text: str,
        options: list[str],
        now: datetime,
    ) -> tuple[str, list[str]] | None:
        """One step of: leave a message? -> the message -> when may we contact you?"""
        conversation_id, language = facts.conversation_id, facts.language
        step = facts.after_hours_step
        choice = resolve_option(text, options)

        if step == "choice":
            if choice == NO_CONTACT_AT_ALL:
                handoff.set_contact_preference(
                    session, self._vault, conversation_id, "no_contact", None, now
                )
                handoff.close_without_person(session, conversation_id, "declined_after_hours", now)
                return self.render("utter_after_hours_declined", language)
            if choice == LEAVE_MESSAGE or not text:
                handoff.set_after_hours_step(session, conversation_id, "message")
                return self.render("utter_after_hours_write", language)
            # They wrote their message straight away.
            handoff.set_after_hours_step(session, conversation_id, "contact")
            return self.render("utter_after_hours_contact_question", language)

        if step == "message":
            if not text:
                return None
            handoff.set_after_hours_step(session, conversation_id, "contact")
            return self.render("utter_after_hours_contact_question", language)

        back = self.config.next_opening(now)
        back_at = format_back_at(back, language, now) if back else ""
        if step == "contact":
            if choice == CONTACT_SAFE_TIME:
                handoff.set_after_hours_step(session, conversation_id, "safe_time")
                return self.render("utter_after_hours_safe_time_question", language)
            if choice == CONTACT_NEVER:
                preference, note = "no_contact", None
            elif choice == CONTACT_ANY_TIME:
                preference, note = "any_time", None
            elif _is_skip(text) or not text:
                preference, note = "not_given", None
            else:  # in their own words, e.g. "after 6pm": that is their safe time
                preference, note = "safe_time", text
        elif step == "safe_time":
            preference, note = ("not_given", None) if _is_skip(text) else ("safe_time", text)
        else:
            return None
        handoff.set_contact_preference(session, self._vault, conversation_id, preference, note, now)
        handoff.set_after_hours_step(session, conversation_id, None)
        handoff.set_options(session, conversation_id, [])
        if preference == "no_contact":
            return self.render("utter_after_hours_saved_no_contact", language)
        if back_at:
            return self.render("utter_after_hours_saved", language, back_at=back_at)
        return self.render("utter_after_hours_saved_no_time", language)

    # --- console actions ----------------------------------------------------------------------

    async def claim(self, acting: Acting, conversation_id: int) -> bool:
        now = self._clock()
        return await self._in_db(lambda s: handoff.claim(s, conversation_id, acting, now))

    async def claim_next(self, acting: Acting) -> int | None:
        now = self._clock()

        def work(session):
            presences = self.presence(session, now)
            return handoff.claim_next(session, acting, presences, now)

        return await self._in_db(work)

    async def reply(self, acting: Acting, conversation_id: int, text: str) -> int:
        """Store and send an operator's message; its id. HandoffError if it cannot go."""
        now = self._clock()
        outbound_id = await self._in_db(
            lambda s: handoff.store_operator_message(
                s, self._vault, conversation_id, acting, text, now
            )
        )
        await self._send_all([outbound_id])
        log.info("operator %s replied in conversation %s", acting.operator_id, conversation_id)
        return outbound_id

    async def touch(self, acting: Acting, conversation_id: int) -> bool:
        now = self._clock()
        return await self._in_db(
            lambda s: handoff.touch(s, conversation_id, acting.operator_id, now)
        )

    async def transfer(self, acting: Acting, conversation_id: int, to_operator_id: int) -> bool:
        now = self._clock()

        def work(session):
            target = operators.get(session, to_operator_id)
            if target is None or not target.active:
                raise HandoffError("That operator is not available.")
            if target.id == acting.operator_id:
                raise HandoffError("You already hold this conversation.")
            return handoff.transfer(
                session, conversation_id, acting, target.id, target.languages or (), now
            )

        return await self._in_db(work)

    async def release(self, acting: Acting, conversation_id: int) -> bool:
        now = self._clock()
        return await self._in_db(lambda s: handoff.release(s, conversation_id, acting, now))

    async def end(self, acting: Acting, conversation_id: int) -> bool:
        """End the conversation: the texter gets the closing message; wrap-up starts."""
        now = self._clock()

        def work(session) -> tuple[bool, int | None]:
            if not handoff.end(session, conversation_id, acting, now):
                return False, None
            facts = handoff.facts(session, conversation_id)
            if facts.contact_preference == "no_contact":
                return True, None  # they asked for no contact: no closing message either
            return True, self._notice(session, facts, "utter_handoff_ended")

        ended, outbound_id = await self._in_db(work)
        if outbound_id is not None:
            await self._send_all([outbound_id])
        return ended

    async def complete_wrapup(
        self,
        acting: Acting,
        conversation_id: int,
        *,
        outcome: str,
        referrals: list[str],
        notes: str,
    ) -> bool:
        now = self._clock()
        return await self._in_db(
            lambda s: handoff.complete_wrapup(
                s,
                self._vault,
                conversation_id,
                acting,
                outcome=outcome,
                referrals=referrals,
                notes=notes,
                now=now,
            )
        )

    def presence(self, session, now: datetime) -> list[operators.Presence]:
        return operators.presence(
            session,
            now,
            self.config.operator_online,
            self.config.max_conversations_per_operator,
            handoff.operator_loads(session),
        )

    # --- timers --------------------------------------------------------------------------------

    def tick(self, session, now: datetime) -> list[int]:
        """One pass of every timer; the automated messages to send (stored as pending)."""
        timeouts = self.config.timeouts
        outbound: list[int] = []
        operators.purge_expired_sessions(session, now)

        def notify(conversation_id: int, name: str, **values: Any) -> None:
            facts = handoff.facts(session, conversation_id)
            if facts.contact_preference in NOTIFIABLE_PREFERENCES:
                message_id = self._notice(session, facts, name, **values)
                if message_id is not None:
                    outbound.append(message_id)

        for conversation_id in handoff.expire_assignments(
            session, now, timeouts.assignment_inactivity
        ):
            log.info("conversation %s: no operator activity, back in the queue", conversation_id)
            notify(conversation_id, "utter_handoff_requeued")
            handoff.mark_waiting_update(session, conversation_id, now)  # that was the update
        handoff.expire_wrapups(session, now, timeouts.wrapup)

        if not self.config.is_open(now):
            for conversation_id in handoff.waiting_not_told_closed(session):
                facts = handoff.facts(session, conversation_id)
                if facts.opted_out:
                    continue
                body, options = self._closed_message(session, facts, now)
                handoff.set_options(session, conversation_id, options)
                outbound.append(handoff.store_outbound(session, self._vault, conversation_id, body))
            return outbound

        for conversation_id in handoff.waiting_too_long(session, now, timeouts.waiting_update):
            handoff.mark_waiting_update(session, conversation_id, now)
            notify(conversation_id, "utter_handoff_still_waiting")
        told = handoff.told_positions(session)
        if told:
            places = handoff.positions(session)
            for conversation_id, was in told.items():
                place = places.get(conversation_id)
                if place is not None and handoff.meaningful_move(was, place):
                    handoff.set_position_told(session, conversation_id, place)
                    if place == 1:
                        notify(conversation_id, "utter_handoff_next_in_line")
                    else:
                        notify(conversation_id, "utter_handoff_position_update", position=place)
        return outbound

    async def run_tick(self) -> None:
        now = self._clock()
        outbound = await self._in_db(self.tick, now)
        await self._send_all(outbound)

    async def _timer_loop(self) -> None:
        while True:
            try:
                await self.run_tick()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed pass is retried on the next tick
                log.exception("hand-off timers failed; retrying")
            await asyncio.sleep(TICK_SECONDS)

    # --- Rasa's pause / resume --------------------------------------------------------------------

    async def sync_rasa(self) -> None:
        """Tell Rasa pause/resume wherever it was last told something else."""
        assert self._rasa_lock is not None
        async with self._rasa_lock:
            out_of_sync = await self._in_db(handoff.rasa_out_of_sync)
            by_sender: dict[str, tuple[bool, list[int]]] = {}
            for conversation_id, sender, pause in out_of_sync:
                paused, ids = by_sender.get(sender, (False, []))
                by_sender[sender] = (paused or pause, [*ids, conversation_id])
            for sender, (pause, conversation_ids) in by_sender.items():
                if await self._rasa_event(sender, "pause" if pause else "resume"):
                    await self._in_db(self._mark_synced, conversation_ids)

    @staticmethod
    def _mark_synced(session, conversation_ids: list[int]) -> None:
        for conversation_id in conversation_ids:
            wanted = handoff.wanted_rasa_pause(session, conversation_id)
            if wanted is not None:
                handoff.mark_rasa_paused(session, conversation_id, wanted[1])

    async def _rasa_event(self, sender: str, kind: str) -> bool:
        try:
            response = await self._rasa.post(
                f"/conversations/{sender}/tracker/events", json={"event": kind}
            )
        except httpx.HTTPError as error:
            log.info("could not tell Rasa %s (%s); will retry", kind, type(error).__name__)
            return False
        if not response.is_success:
            log.info("Rasa answered HTTP %s to %s; will retry", response.status_code, kind)
            return False
        return True

    async def _rasa_loop(self) -> None:
        """Sync right after a conversation changes (the hub publishes after the commit), and
        reconcile every RASA_RECONCILE_SECONDS whatever happened (Rasa may have been down)."""
        loop = asyncio.get_running_loop()
        async with self.hub.subscribe() as events:
            next_reconcile = loop.time()
            while True:
                changed = False
                with contextlib.suppress(asyncio.TimeoutError):
                    timeout = max(0.0, next_reconcile - loop.time())
                    changed = _is_state_change(await asyncio.wait_for(events.get(), timeout))
                    while not events.empty():  # coalesce a burst into one pass
                        changed = _is_state_change(events.get_nowait()) or changed
                if not changed and loop.time() < next_reconcile:
                    continue
                next_reconcile = loop.time() + RASA_RECONCILE_SECONDS
                try:
                    await self.sync_rasa()
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001
                    log.exception("syncing Rasa's pause state failed; retrying")

    # --- life cycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._rasa_lock = asyncio.Lock()
        self._tasks = [
            asyncio.create_task(self._timer_loop(), name="handoff-timers"),
            asyncio.create_task(self._rasa_loop(), name="handoff-rasa-sync"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await self._rasa.aclose()
