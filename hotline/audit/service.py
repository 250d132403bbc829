"""The only code that writes or reads the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.audit.models import AuditEvent
from hotline.timeutil import utcnow

# Actions, with how the audit page words them.
ACTIONS = {
    "login": "Logged in",
    "login_failed": "Failed login",
    "locked_out": "Account locked after failed logins",
    "logout": "Logged out",
    "transcript_opened": "Opened a transcript",
    "number_revealed": "Revealed a phone number",
    "claimed": "Took a conversation",
    "transferred": "Transferred a conversation",
    "released": "Put a conversation back in the queue",
    "assignment_timed_out": "Assignment timed out (no activity)",
    "ended": "Ended a conversation",
    "wrapup_completed": "Completed the wrap-up",
    "wrapup_expired": "Wrap-up closed unfinished (time ran out)",
    "operator_created": "Created an account",
    "operator_updated": "Changed an account",
    "status_changed": "Changed availability",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: an operator (id, name) or the system (both None)."""

    id: int | None = None
    name: str | None = None


SYSTEM = Actor()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    conversation_id: int | None = None,
    subject_operator_id: int | None = None,
    at: datetime | None = None,
    **details: Any,
) -> None:
    """Write one event. `details` must hold ids and categories only, never texts or numbers."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEvent(
            at=at or utcnow(),
            actor_id=actor.id,
            actor_name=actor.name,
            action=action,
            conversation_id=conversation_id,
            subject_operator_id=subject_operator_id,
            details=details,
        )
    )


def recently_recorded(
    session: Session, actor_id: int, action: str, conversation_id: int, within: timedelta
) -> bool:
    since = utcnow() - within
    return bool(
        session.execute(
            select(AuditEvent.id)
            .where(
                AuditEvent.actor_id == actor_id,
                AuditEvent.action == action,
                AuditEvent.conversation_id == conversation_id,
                AuditEvent.at >= since,
            )
            .limit(1)
        ).first()
    )


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    total: int


def search(
    session: Session,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    conversation_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> AuditPage:
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if conversation_id is not None:
        query = query.where(AuditEvent.conversation_id == conversation_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    events = list(
        session.execute(
            query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
        ).scalars()
    )
    return AuditPage(events, total)
