"""Hand-off to a person: the queue, claims, transfers, wrap-up and the timers' queries.

The only code that changes a conversation's human-side state. States:

    bot -> queued -> assigned -> wrapup -> closed      (the texter's next message: a new
                ^        |                              conversation, with the assistant)
                +--------+  released, transferred back, or no operator activity

Every change that two people could race for is one conditional UPDATE (`... WHERE state = ...`),
so two operators can never both claim, transfer or end the same conversation: the database
decides, on SQLite and on PostgreSQL alike.

Ranking: priority (urgent > high > normal), then children before adults of the same priority,
then the longest wait. Routing: a conversation is offered to operators who speak its language;
when no operator who does is available (online, not away, below their load limit), it is
offered to everyone and marked "needs interpreter".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, false, func, or_, select, true, update
from sqlalchemy.orm import Session

from hotline.audit import service as audit
from hotline.contacts import service as contacts
from hotline.contacts.models import Contact
from hotline.conversations.models import (
    HUMAN_STATES,
    Conversation,
    Direction,
    Message,
    OutboundStatus,
    State,
    Wrapup,
)
from hotline.conversations.screening import CHILD_AGES
from hotline.crypto import Vault
from hotline.live import mark_changed
from hotline.operators.service import Presence, as_utc

RANKING = (
    Conversation.priority.desc(),
    Conversation.is_child.desc(),
    Conversation.queued_at.asc(),
    Conversation.id.asc(),
)
MAX_OPERATOR_TEXT = 1600
TRANSCRIPT_LIMIT = 1000
# Texter answers to "when may we contact you" (see desk.py for the dialogue).
CONTACT_PREFERENCES = {
    "any_time": "Any time",
    "safe_time": "Only at a safe time",
    "no_contact": "Do not contact",
    "not_given": "Not given",
}


class HandoffError(Exception):
    """An action that cannot happen now (the message is for the operator)."""


def screening_priority(outcome: str | None) -> int:
    from hotline.conversations.service import PRIORITY_HIGH, PRIORITY_NORMAL, PRIORITY_URGENT

    return {"danger_now": PRIORITY_URGENT, "strong_signs": PRIORITY_HIGH}.get(
        outcome or "", PRIORITY_NORMAL
    )


# --- what the assistant records ------------------------------------------------------------------


def record_screening(
    session: Session,
    conversation_id: int,
    *,
    outcome: str | None,
    flags: Iterable[str] = (),
    age: str | None = None,
) -> None:
    """Store the screening summary (issue 3's actions call this) and rank the hand-off by it.

    The priority only ever goes up: an emergency stays urgent whatever the screening says.
    """
    conversation = session.get(Conversation, conversation_id)
    conversation.screening = {"outcome": outcome, "flags": sorted(set(flags)), "age": age}
    if age is not None:
        conversation.is_child = age in CHILD_AGES
    conversation.priority = max(conversation.priority or 0, screening_priority(outcome))


def record_screening_for_sender(
    session: Session,
    sender_id: str,
    *,
    outcome: str | None,
    flags: Iterable[str] = (),
    age: str | None = None,
) -> int | None:
    """The same, for the texter's current conversation as Rasa knows them (the sender id is
    the contact's pseudonym); the conversation id, or None if they have none open."""
    conversation_id = session.execute(
        select(Conversation.id)
        .where(
            Conversation.contact_id == sender_id,
            Conversation.state.notin_((State.WRAPUP.value, State.CLOSED.value)),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if conversation_id is not None:
        record_screening(session, conversation_id, outcome=outcome, flags=flags, age=age)
    return conversation_id


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    conversation_id: int
    language: str | None
    channel: str
    queued_at: datetime
    priority: int
    is_child: bool
    screening: dict
    reason: str | None
    contact_preference: str | None
    after_hours_step: str | None
    position: int
    needs_interpreter: bool  # nobody available speaks the language
    offered: bool  # offered to the operator looking (their language, or needs interpreter)


@dataclass(frozen=True)
class QueueView:
    entries: list[QueueEntry]
    total: int
    longest_wait_since: datetime | None


def _speakers_available(presences: Sequence[Presence]) -> set[str]:
    return {language for p in presences if p.available for language in p.languages}


def _offered(language: str | None, speakers: set[str], viewer_languages: Iterable[str]) -> bool:
    return not language or language in viewer_languages or language not in speakers


def queue_view(
    session: Session,
    presences: Sequence[Presence],
    viewer_languages: Iterable[str] = (),
    limit: int = 200,
) -> QueueView:
    """The waiting conversations in ranking order, as `viewer_languages` would be offered them."""
    viewer_languages = set(viewer_languages)
    speakers = _speakers_available(presences)
    waiting = Conversation.state == State.QUEUED.value
    total, oldest = session.execute(
        select(func.count(Conversation.id), func.min(Conversation.queued_at)).where(waiting)
    ).one()
    rows = session.execute(
        select(
            Conversation.id, Conversation.language, Conversation.channel,
            Conversation.queued_at, Conversation.priority, Conversation.is_child,
            Conversation.screening, Conversation.handoff_reason,
            Conversation.contact_preference, Conversation.after_hours_step,
        )
        .where(waiting)
        .order_by(*RANKING)
        .limit(limit)
    ).all()  # fmt: skip
    entries = [
        QueueEntry(
            conversation_id=row.id,
            language=row.language,
            channel=row.channel,
            queued_at=as_utc(row.queued_at),
            priority=row.priority,
            is_child=bool(row.is_child),
            screening=row.screening or {},
            reason=row.handoff_reason,
            contact_preference=row.contact_preference,
            after_hours_step=row.after_hours_step,
            position=index,
            needs_interpreter=bool(row.language) and row.language not in speakers,
            offered=_offered(row.language, speakers, viewer_languages),
        )
        for index, row in enumerate(rows, start=1)
    ]
    return QueueView(entries, total, as_utc(oldest))


def positions(session: Session) -> dict[int, int]:
    """Place in line of every waiting conversation (1 = next)."""
    ids = session.execute(
        select(Conversation.id).where(Conversation.state == State.QUEUED.value).order_by(*RANKING)
    ).scalars()
    return {conversation_id: index for index, conversation_id in enumerate(ids, start=1)}


def position_of(session: Session, conversation_id: int) -> int | None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.state != State.QUEUED.value:
        return None
    c = Conversation
    child = bool(conversation.is_child)
    same_priority = c.priority == conversation.priority
    same_age_group = c.is_child.is_(True) if child else c.is_child.is_(False)
    ahead = or_(
        c.priority > conversation.priority,
        and_(same_priority, c.is_child.is_(True)) if not child else false(),
        and_(
            same_priority,
            same_age_group,
            or_(
                c.queued_at < conversation.queued_at,
                and_(c.queued_at == conversation.queued_at, c.id < conversation.id),
            ),
        ),
    )
    return (
        1
        + session.execute(
            select(func.count(c.id)).where(c.state == State.QUEUED.value, ahead)
        ).scalar_one()
    )


def operator_loads(session: Session) -> dict[int, int]:
    """Conversations each operator holds now."""
    return dict(
        session.execute(
            select(Conversation.assigned_operator_id, func.count(Conversation.id))
            .where(
                Conversation.state == State.ASSIGNED.value,
                Conversation.assigned_operator_id.is_not(None),
            )
            .group_by(Conversation.assigned_operator_id)
        ).all()
    )


@dataclass(frozen=True)
class HeldConversation:
    conversation_id: int
    state: str
    language: str | None
    channel: str
    operator_id: int | None
    priority: int
    is_child: bool
    needs_interpreter: bool
    activity_at: datetime | None
    since: datetime | None


def held(session: Session, operator_id: int | None = None) -> list[HeldConversation]:
    """Conversations with a person now (assigned or in wrap-up); one operator's, or all."""
    query = select(Conversation).where(
        Conversation.state.in_((State.ASSIGNED.value, State.WRAPUP.value))
    )
    if operator_id is not None:
        query = query.where(Conversation.assigned_operator_id == operator_id)
    return [
        HeldConversation(
            conversation_id=c.id,
            state=c.state,
            language=c.language,
            channel=c.channel,
            operator_id=c.assigned_operator_id,
            priority=c.priority,
            is_child=bool(c.is_child),
            needs_interpreter=bool(c.needs_interpreter),
            activity_at=as_utc(c.operator_activity_at),
            since=as_utc(c.assigned_at),
        )
        for c in session.execute(query.order_by(*RANKING)).scalars()
    ]


def per_language_since(session: Session, since: datetime) -> list[tuple[str, int, int]]:
    """(language, conversations started, of which handed to a person) since a moment."""
    rows = session.execute(
        select(
            Conversation.language, func.count(Conversation.id), func.count(Conversation.queued_at)
        )
        .where(Conversation.created_at >= since)
        .group_by(Conversation.language)
        .order_by(func.count(Conversation.id).desc())
    ).all()
    return [(language or "", int(total), int(people or 0)) for language, total, people in rows]


# --- claiming and acting ---------------------------------------------------------------------


@dataclass(frozen=True)
class Acting:
    """The operator acting: who, the languages they speak, and whether they supervise."""

    operator_id: int
    name: str
    languages: tuple[str, ...] = ()
    supervise: bool = False

    @property
    def audit_actor(self) -> audit.Actor:
        return audit.Actor(self.operator_id, self.name)


def _speaks(languages: Iterable[str], language: str | None) -> bool:
    return not language or language in set(languages)


def claim(session: Session, conversation_id: int, acting: Acting, now: datetime) -> bool:
    """Take a waiting conversation. False if someone else was faster (or it is not waiting)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    interpreter = not _speaks(acting.languages, conversation.language)
    claimed = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == State.QUEUED.value)
        .values(
            state=State.ASSIGNED.value,
            assigned_operator_id=acting.operator_id,
            assigned_at=now,
            operator_activity_at=now,
            needs_interpreter=Conversation.needs_interpreter | interpreter,
            after_hours_step=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        return False
    session.refresh(conversation)
    mark_changed(session, "conversation", conversation_id)
    audit.record(session, acting.audit_actor, "claimed", conversation_id=conversation_id, at=now)
    return True


def claim_next(
    session: Session, acting: Acting, presences: Sequence[Presence], now: datetime
) -> int | None:
    """Claim the best-ranked conversation offered to this operator; its id, or None."""
    for entry in queue_view(session, presences, acting.languages, limit=50).entries:
        if entry.offered and claim(session, entry.conversation_id, acting, now):
            return entry.conversation_id
    return None


def _held_by(conversation_id: int, acting: Acting, state: str):
    conditions = [Conversation.id == conversation_id, Conversation.state == state]
    if not acting.supervise:
        conditions.append(Conversation.assigned_operator_id == acting.operator_id)
    return conditions


def touch(session: Session, conversation_id: int, operator_id: int, now: datetime) -> bool:
    """Operator activity: resets the inactivity timer of an assignment they hold."""
    return bool(
        session.execute(
            update(Conversation)
            .where(
                Conversation.id == conversation_id,
                Conversation.state == State.ASSIGNED.value,
                Conversation.assigned_operator_id == operator_id,
            )
            .values(operator_activity_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def transfer(
    session: Session,
    conversation_id: int,
    acting: Acting,
    to_operator_id: int,
    to_languages: Iterable[str],
    now: datetime,
) -> bool:
    """Hand an assigned conversation to another operator (the caller checked they are active)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    interpreter = not _speaks(to_languages, conversation.language)
    moved = session.execute(
        update(Conversation)
        .where(*_held_by(conversation_id, acting, State.ASSIGNED.value))
        .values(
            assigned_operator_id=to_operator_id,
            assigned_at=now,
            operator_activity_at=now,
            needs_interpreter=Conversation.needs_interpreter | interpreter,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return False
    session.refresh(conversation)
    mark_changed(session, "conversation", conversation_id)
    audit.record(
        session,
        acting.audit_actor,
        "transferred",
        conversation_id=conversation_id,
        subject_operator_id=to_operator_id,
        at=now,
    )
    return True


def release(session: Session, conversation_id: int, acting: Acting, now: datetime) -> bool:
    """Back to the queue, keeping its place (queued_at is unchanged)."""
    conditions = _held_by(conversation_id, acting, State.ASSIGNED.value)
    if not _requeue(session, conversation_id, conditions, now):
        return False
    audit.record(session, acting.audit_actor, "released", conversation_id=conversation_id, at=now)
    return True


def _requeue(session: Session, conversation_id: int, conditions, now: datetime) -> bool:
    moved = session.execute(
        update(Conversation)
        .where(*conditions)
        .values(
            state=State.QUEUED.value,
            assigned_operator_id=None,
            assigned_at=None,
            operator_activity_at=None,
            position_told=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved:
        conversation = session.get(Conversation, conversation_id)
        if conversation is not None:
            session.refresh(conversation)
        mark_changed(session, "conversation", conversation_id)
    return bool(moved)


def end(session: Session, conversation_id: int, acting: Acting, now: datetime) -> bool:
    """The operator ends the conversation: wrap-up starts; the texter's next message goes to
    the assistant (in a new conversation)."""
    moved = session.execute(
        update(Conversation)
        .where(*_held_by(conversation_id, acting, State.ASSIGNED.value))
        .values(state=State.WRAPUP.value, wrapup_at=now, updated_at=now, options=[])
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return False
    conversation = session.get(Conversation, conversation_id)
    session.refresh(conversation)
    mark_changed(session, "conversation", conversation_id)
    audit.record(session, acting.audit_actor, "ended", conversation_id=conversation_id, at=now)
    return True


def complete_wrapup(
    session: Session,
    vault: Vault,
    conversation_id: int,
    acting: Acting,
    *,
    outcome: str,
    referrals: Iterable[str],
    notes: str,
    now: datetime,
) -> bool:
    moved = session.execute(
        update(Conversation)
        .where(*_held_by(conversation_id, acting, State.WRAPUP.value))
        .values(state=State.CLOSED.value, closed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not moved:
        return False
    notes = notes.strip()
    _save_wrapup(
        session,
        conversation_id,
        operator_id=acting.operator_id,
        outcome=outcome,
        referrals=list(dict.fromkeys(referrals)),
        notes_encrypted=vault.encrypt(notes) if notes else None,
        completed=True,
        now=now,
    )
    session.refresh(session.get(Conversation, conversation_id))
    mark_changed(session, "conversation", conversation_id)
    audit.record(
        session,
        acting.audit_actor,
        "wrapup_completed",
        conversation_id=conversation_id,
        at=now,
        outcome=outcome,
    )
    return True


def _save_wrapup(session: Session, conversation_id: int, **values) -> None:
    now = values.pop("now")
    wrapup = session.get(Wrapup, conversation_id)
    if wrapup is None:
        wrapup = Wrapup(conversation_id=conversation_id, created_at=now)
        session.add(wrapup)
    for name, value in values.items():
        setattr(wrapup, name, value)


def close_without_person(
    session: Session, conversation_id: int, outcome: str, now: datetime
) -> None:
    """The texter declined (out of hours: no message, no contact): closed, reason kept."""
    conversation = session.get(Conversation, conversation_id)
    conversation.state = State.CLOSED.value
    conversation.closed_at = now
    conversation.options = []
    conversation.after_hours_step = None
    _save_wrapup(
        session,
        conversation_id,
        operator_id=None,
        outcome=outcome,
        referrals=[],
        notes_encrypted=None,
        completed=True,
        now=now,
    )


# --- messages ----------------------------------------------------------------------------------


def store_operator_message(
    session: Session, vault: Vault, conversation_id: int, acting: Acting, text: str, now: datetime
) -> int:
    """Store an operator's reply as pending (the router's sender sends it); its id."""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not text:
        raise HandoffError("The message is empty.")
    if len(text) > MAX_OPERATOR_TEXT:
        raise HandoffError(f"The message is longer than {MAX_OPERATOR_TEXT} characters.")
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None and conversation.state == State.QUEUED.value:
        raise HandoffError("Take the conversation before replying.")
    if conversation is None or conversation.state != State.ASSIGNED.value:
        raise HandoffError("This conversation is not open for replies.")
    if conversation.assigned_operator_id != acting.operator_id:
        raise HandoffError("Take the conversation before replying.")
    if conversation.contact_preference == "no_contact" and not _texter_wrote_since(
        session, conversation_id, as_utc(conversation.contact_preference_at)
    ):
        raise HandoffError("The texter asked not to be contacted.")
    conversation.operator_activity_at = now
    return store_outbound(
        session, vault, conversation_id, text, author="operator", operator_id=acting.operator_id
    )


def _texter_wrote_since(session: Session, conversation_id: int, since: datetime | None) -> bool:
    if since is None:
        return True
    return bool(
        session.execute(
            select(Message.id)
            .where(
                Message.conversation_id == conversation_id,
                Message.direction == Direction.IN.value,
                Message.created_at > since,
            )
            .limit(1)
        ).first()
    )


def store_outbound(
    session: Session,
    vault: Vault,
    conversation_id: int,
    body: str,
    *,
    author: str = "system",
    operator_id: int | None = None,
) -> int:
    message = Message(
        conversation_id=conversation_id,
        direction=Direction.OUT.value,
        author=author,
        operator_id=operator_id,
        body_encrypted=vault.encrypt(body),
        status=OutboundStatus.PENDING.value,
    )
    session.add(message)
    session.flush()
    return message.id


# --- reading a conversation ---------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptMessage:
    id: int
    direction: str
    author: str
    operator_id: int | None
    text: str
    status: str
    error_code: str | None
    at: datetime


@dataclass(frozen=True)
class EarlierConversation:
    conversation_id: int
    created_at: datetime
    state: str
    outcome: str | None


@dataclass
class ConversationDetail:
    conversation_id: int
    contact_id: str
    state: str
    channel: str
    language: str | None
    priority: int
    is_child: bool
    needs_interpreter: bool
    screening: dict
    reason: str | None
    masked_address: str
    opted_out: bool
    assigned_operator_id: int | None
    created_at: datetime
    queued_at: datetime | None
    activity_at: datetime | None
    contact_preference: str | None
    contact_note: str | None
    after_hours_step: str | None
    wrapup_outcome: str | None = None
    wrapup_referrals: list[str] = field(default_factory=list)
    wrapup_notes: str | None = None
    wrapup_completed: bool = False
    earlier: list[EarlierConversation] = field(default_factory=list)


def detail(session: Session, vault: Vault, conversation_id: int) -> ConversationDetail | None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    contact = session.get(Contact, conversation.contact_id)
    address = contacts.split_address(contacts.reply_address(vault, contact))[1]
    result = ConversationDetail(
        conversation_id=conversation.id,
        contact_id=conversation.contact_id,
        state=conversation.state,
        channel=conversation.channel,
        language=conversation.language or contact.language,
        priority=conversation.priority,
        is_child=bool(conversation.is_child),
        needs_interpreter=bool(conversation.needs_interpreter),
        screening=conversation.screening or {},
        reason=conversation.handoff_reason,
        masked_address=contacts.masked(address),
        opted_out=bool(contact.opted_out),
        assigned_operator_id=conversation.assigned_operator_id,
        created_at=as_utc(conversation.created_at),
        queued_at=as_utc(conversation.queued_at),
        activity_at=as_utc(conversation.operator_activity_at),
        contact_preference=conversation.contact_preference,
        contact_note=(
            vault.decrypt(conversation.contact_note_encrypted)
            if conversation.contact_note_encrypted
            else None
        ),
        after_hours_step=conversation.after_hours_step,
    )
    wrapup = session.get(Wrapup, conversation_id)
    if wrapup is not None:
        result.wrapup_outcome = wrapup.outcome
        result.wrapup_referrals = list(wrapup.referrals or [])
        result.wrapup_notes = (
            vault.decrypt(wrapup.notes_encrypted) if wrapup.notes_encrypted else None
        )
        result.wrapup_completed = bool(wrapup.completed)
    earlier = session.execute(
        select(Conversation.id, Conversation.created_at, Conversation.state, Wrapup.outcome)
        .outerjoin(Wrapup, Wrapup.conversation_id == Conversation.id)
        .where(
            Conversation.contact_id == conversation.contact_id, Conversation.id != conversation_id
        )
        .order_by(Conversation.id.desc())
        .limit(20)
    ).all()
    result.earlier = [
        EarlierConversation(row.id, as_utc(row.created_at), row.state, row.outcome)
        for row in earlier
    ]
    return result


def revealed_address(session: Session, vault: Vault, conversation_id: int) -> str | None:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    contact = session.get(Contact, conversation.contact_id)
    return contacts.split_address(contacts.reply_address(vault, contact))[1]


def transcript(
    session: Session, vault: Vault, conversation_id: int, after_id: int = 0
) -> list[TranscriptMessage]:
    """Messages after `after_id`, oldest first (the latest TRANSCRIPT_LIMIT at most)."""
    rows = session.execute(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id.desc())
        .limit(TRANSCRIPT_LIMIT)
    ).scalars()
    return [
        TranscriptMessage(
            id=m.id,
            direction=m.direction,
            author=m.author,
            operator_id=m.operator_id,
            text=vault.decrypt(m.body_encrypted),
            status=m.status,
            error_code=m.error_code,
            at=as_utc(m.created_at),
        )
        for m in reversed(list(rows))
    ]


def outbound_statuses(session: Session, conversation_id: int, limit: int = 200) -> dict[int, str]:
    rows = session.execute(
        select(Message.id, Message.status)
        .where(Message.conversation_id == conversation_id, Message.direction == Direction.OUT.value)
        .order_by(Message.id.desc())
        .limit(limit)
    ).all()
    return {row.id: row.status for row in rows}


def state_of(session: Session, conversation_id: int) -> tuple[str, int | None] | None:
    row = session.execute(
        select(Conversation.state, Conversation.assigned_operator_id).where(
            Conversation.id == conversation_id
        )
    ).first()
    return (row.state, row.assigned_operator_id) if row else None


def may_view(session: Session, conversation_id: int, operator_id: int, supervise: bool) -> bool:
    """Supervisors see everything. Operators see the queue, what they hold or held, and the
    earlier conversations of a texter they are talking to now."""
    if supervise:
        return True
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return False
    if conversation.state == State.QUEUED.value:
        return True
    if conversation.assigned_operator_id == operator_id:
        return True
    return bool(
        session.execute(
            select(Conversation.id)
            .where(
                Conversation.contact_id == conversation.contact_id,
                Conversation.assigned_operator_id == operator_id,
                Conversation.state.in_((State.ASSIGNED.value, State.WRAPUP.value)),
            )
            .limit(1)
        ).first()
    )


# --- the out-of-hours dialogue's state -----------------------------------------------------------


def set_after_hours_step(session: Session, conversation_id: int, step: str | None) -> None:
    session.get(Conversation, conversation_id).after_hours_step = step


def set_contact_preference(
    session: Session,
    vault: Vault,
    conversation_id: int,
    preference: str,
    note: str | None,
    now: datetime,
) -> None:
    if preference not in CONTACT_PREFERENCES:
        raise ValueError(f"unknown contact preference {preference!r}")
    conversation = session.get(Conversation, conversation_id)
    conversation.contact_preference = preference
    conversation.contact_note_encrypted = vault.encrypt(note) if note else None
    conversation.contact_preference_at = now


def set_options(session: Session, conversation_id: int, options: list[str]) -> None:
    session.get(Conversation, conversation_id).options = options


@dataclass(frozen=True)
class HandoffFacts:
    """What the hand-off dialogue needs to know about a conversation, read in one go."""

    conversation_id: int
    state: str
    language: str | None
    assigned: bool
    after_hours_step: str | None
    position_told: int | None
    contact_preference: str | None
    opted_out: bool


def facts(session: Session, conversation_id: int) -> HandoffFacts:
    conversation = session.get(Conversation, conversation_id)
    contact = session.get(Contact, conversation.contact_id)
    return HandoffFacts(
        conversation_id=conversation.id,
        state=conversation.state,
        language=conversation.language or contact.language,
        assigned=conversation.assigned_operator_id is not None,
        after_hours_step=conversation.after_hours_step,
        position_told=conversation.position_told,
        contact_preference=conversation.contact_preference,
        opted_out=bool(contact.opted_out),
    )


def set_position_told(session: Session, conversation_id: int, position: int) -> None:
    session.get(Conversation, conversation_id).position_told = position


# --- timers ------------------------------------------------------------------------------------


def expire_assignments(session: Session, now: datetime, timeout: timedelta) -> list[int]:
    """Assignments without operator activity for `timeout` go back to the queue."""
    cutoff = now - timeout
    stale = and_(
        Conversation.state == State.ASSIGNED.value,
        or_(
            Conversation.operator_activity_at < cutoff, Conversation.operator_activity_at.is_(None)
        ),
    )
    expired = []
    for conversation_id, operator_id in session.execute(
        select(Conversation.id, Conversation.assigned_operator_id).where(stale)
    ).all():
        if _requeue(session, conversation_id, [Conversation.id == conversation_id, stale], now):
            audit.record(
                session,
                audit.SYSTEM,
                "assignment_timed_out",
                conversation_id=conversation_id,
                subject_operator_id=operator_id,
                at=now,
            )
            expired.append(conversation_id)
    return expired


def expire_wrapups(session: Session, now: datetime, timeout: timedelta) -> list[int]:
    """A wrap-up always ends: after `timeout` the conversation closes, marked unfinished."""
    cutoff = now - timeout
    stale = and_(
        Conversation.state == State.WRAPUP.value,
        or_(Conversation.wrapup_at < cutoff, Conversation.wrapup_at.is_(None)),
    )
    closed = []
    for conversation_id, operator_id in session.execute(
        select(Conversation.id, Conversation.assigned_operator_id).where(stale)
    ).all():
        moved = session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, stale)
            .values(state=State.CLOSED.value, closed_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if moved:
            if session.get(Wrapup, conversation_id) is None:
                _save_wrapup(
                    session,
                    conversation_id,
                    operator_id=operator_id,
                    outcome=None,
                    referrals=[],
                    notes_encrypted=None,
                    completed=False,
                    now=now,
                )
            mark_changed(session, "conversation", conversation_id)
            audit.record(
                session,
                audit.SYSTEM,
                "wrapup_expired",
                conversation_id=conversation_id,
                subject_operator_id=operator_id,
                at=now,
            )
            closed.append(conversation_id)
    return closed


def waiting_too_long(session: Session, now: datetime, after: timedelta) -> list[int]:
    """Waiting, unassigned, not yet told they are waiting, and queued longer than `after`."""
    return list(
        session.execute(
            select(Conversation.id).where(
                Conversation.state == State.QUEUED.value,
                Conversation.waiting_update_at.is_(None),
                Conversation.after_hours_step.is_(None),
                Conversation.contact_preference.is_(None),
                Conversation.queued_at < now - after,
            )
        ).scalars()
    )


def mark_waiting_update(session: Session, conversation_id: int, now: datetime) -> None:
    session.get(Conversation, conversation_id).waiting_update_at = now


def waiting_not_told_closed(session: Session) -> list[int]:
    """Waiting conversations that have not had the out-of-hours message (for closing time)."""
    return list(
        session.execute(
            select(Conversation.id).where(
                Conversation.state == State.QUEUED.value,
                Conversation.after_hours_step.is_(None),
                Conversation.contact_preference.is_(None),
            )
        ).scalars()
    )


def told_positions(session: Session) -> dict[int, int]:
    """Waiting conversations whose texter was told a place in line: id -> place told."""
    return dict(
        session.execute(
            select(Conversation.id, Conversation.position_told).where(
                Conversation.state == State.QUEUED.value,
                Conversation.position_told.is_not(None),
                Conversation.after_hours_step.is_(None),
            )
        ).all()
    )


def meaningful_move(told: int, now: int) -> bool:
    """Is a new place in line worth a message? Only forward moves, and only real ones:
    to the front, or by at least half the distance (and at least two places)."""
    if now >= told:
        return False
    return now == 1 or told - now >= max(2, told // 2)


def rasa_out_of_sync(session: Session) -> list[tuple[int, str, bool]]:
    """(conversation id, sender id, pause wanted) where Rasa was told something else."""
    human = Conversation.state.in_(HUMAN_STATES)
    rows = session.execute(
        select(Conversation.id, Conversation.contact_id, Conversation.state).where(
            or_(  # "= true/false", not "IS": PostgreSQL uses the index for "="
                and_(human, Conversation.rasa_paused == false()),
                and_(Conversation.rasa_paused == true(), ~human),
            )
        )
    ).all()
    return [(row.id, row.contact_id, row.state in HUMAN_STATES) for row in rows]


def mark_rasa_paused(session: Session, conversation_id: int, paused: bool) -> None:
    session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(rasa_paused=paused)
        .execution_options(synchronize_session=False)
    )


def wanted_rasa_pause(session: Session, conversation_id: int) -> tuple[str, bool, bool] | None:
    """(sender id, pause wanted, what Rasa was last told) for one conversation."""
    row = session.execute(
        select(Conversation.contact_id, Conversation.state, Conversation.rasa_paused).where(
            Conversation.id == conversation_id
        )
    ).first()
    if row is None:
        return None
    return row.contact_id, row.state in HUMAN_STATES, bool(row.rasa_paused)
