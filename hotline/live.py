"""Live updates for operator consoles: an in-process publish/subscribe hub.

What changed is learnt from the database itself: after each committed transaction of the
service's engine, the hub publishes one small event per conversation whose messages or hand-off
state changed (ORM inserts and updates are seen automatically; code that changes rows with a
bulk UPDATE calls `mark_changed`). Events carry ids only, never a number or a text: a console
that gets one fetches what it may see through the normal, access-checked views.

Sessions run in worker threads, so publishing hops onto the event loop with
`call_soon_threadsafe`. One hub serves one process; several hotline replicas would relay these
events through PostgreSQL LISTEN/NOTIFY (not needed for one process).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hotline.conversations.models import Conversation, Message

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000  # per subscriber; a console that falls this far behind is told to resync
_PENDING = "live_events"
# Conversation attributes whose change is worth a console refresh (not updated_at & co).
WATCHED_CONVERSATION_FIELDS = (
    "state", "priority", "is_child", "screening", "language", "assigned_operator_id",
    "needs_interpreter", "contact_preference", "after_hours_step",
)  # fmt: skip


def mark_changed(session: Session, kind: str, conversation_id: int | None = None) -> None:
    """Publish an event when this session's transaction commits (for bulk UPDATEs)."""
    session.info.setdefault(_PENDING, set()).add((kind, conversation_id))


class LiveHub:
    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: Engine | None = None

    # --- wiring -----------------------------------------------------------------------------

    def start(self, engine: Engine) -> None:
        """Listen to `engine`'s sessions; publish on the running event loop."""
        self._loop = asyncio.get_running_loop()
        self._engine = engine
        event.listen(Session, "after_flush", self._after_flush)
        event.listen(Session, "after_commit", self._after_commit)
        event.listen(Session, "after_soft_rollback", self._after_rollback)

    def stop(self) -> None:
        if self._engine is None:
            return
        event.remove(Session, "after_flush", self._after_flush)
        event.remove(Session, "after_commit", self._after_commit)
        event.remove(Session, "after_soft_rollback", self._after_rollback)
        self._engine = None
        for queue in list(self._subscribers):
            _offer(queue, {"type": "closing"})

    def _ours(self, session: Session) -> bool:
        return self._engine is not None and session.bind is self._engine

    def _after_flush(self, session: Session, _context) -> None:
        if not self._ours(session):
            return
        pending = session.info.setdefault(_PENDING, set())
        for instance in list(session.new) + list(session.dirty):
            if isinstance(instance, Message) and instance.conversation_id is not None:
                pending.add(("message", instance.conversation_id))
            elif isinstance(instance, Conversation) and _watched_change(instance):
                pending.add(("conversation", instance.id))

    def _after_commit(self, session: Session) -> None:
        if not self._ours(session):
            return
        pending = session.info.pop(_PENDING, None)
        for kind, conversation_id in sorted(pending or (), key=lambda e: (e[0], e[1] or 0)):
            self.publish({"type": kind, "conversation_id": conversation_id})

    def _after_rollback(self, session: Session, previous_transaction) -> None:
        if self._ours(session) and previous_transaction.parent is None:
            session.info.pop(_PENDING, None)

    # --- publish / subscribe ------------------------------------------------------------------

    def publish(self, message: dict[str, Any]) -> None:
        """From any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fan_out(message)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(self._fan_out, message)

    def _fan_out(self, message: dict[str, Any]) -> None:
        for queue in list(self._subscribers):
            _offer(queue, message)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)


def _offer(queue: asyncio.Queue, message: dict[str, Any]) -> None:
    try:
        queue.put_nowait(message)
    except asyncio.QueueFull:
        # Too far behind: drop what is queued and ask the console to reload everything.
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait({"type": "resync"})


def _watched_change(instance: Conversation) -> bool:
    state = inspect(instance)
    if state.pending or instance.id is None:
        return True
    return any(state.attrs[name].history.has_changes() for name in WATCHED_CONVERSATION_FIELDS)
