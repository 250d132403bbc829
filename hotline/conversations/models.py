"""Conversations and their messages. The state here is authoritative, never Rasa's."""

import enum

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)

from hotline.db import Base
from hotline.timeutil import utcnow


class State(str, enum.Enum):
    BOT = "bot"
    QUEUED = "queued"
    ASSIGNED = "assigned"
    WRAPUP = "wrapup"
    CLOSED = "closed"


HUMAN_STATES = (State.QUEUED.value, State.ASSIGNED.value)


class Direction(str, enum.Enum):
    IN = "in"
    OUT = "out"


class InboundStatus(str, enum.Enum):
    RECEIVED = "received"  # stored, not yet handled
    PROCESSING = "processing"  # a worker has it
    PROCESSED = "processed"  # handled; never handled again
    INTERRUPTED = "interrupted"  # the service stopped mid-way; a person looks at it


class OutboundStatus(str, enum.Enum):
    PENDING = "pending"  # stored, not yet handed to Twilio
    SENDING = "sending"
    SUPPRESSED = "suppressed"  # texter opted out before it went
    UNKNOWN = "unknown"  # the service stopped while sending; not resent to avoid doubles
    # From here on, Twilio's own statuses: queued, sent, delivered, undelivered, failed, ...
    FAILED = "failed"


class Conversation(Base):
    __tablename__ = "conversation"

    id = Column(Integer, primary_key=True, autoincrement=True)
    contact_id = Column(String(40), ForeignKey("contact.id", ondelete="CASCADE"), nullable=False)
    channel = Column(String(16), nullable=False)
    state = Column(String(16), nullable=False, default=State.BOT.value)
    priority = Column(Integer, nullable=False, default=0)
    handoff_reason = Column(String(40), nullable=True)
    language = Column(String(16), nullable=True)
    # Where replies go out from: the number that was texted, or the messaging service.
    service_number = Column(String(64), nullable=True)
    messaging_service_sid = Column(String(64), nullable=True)
    # Payloads of the numbered options shown last, so a reply "2" means what the texter saw.
    options = Column(JSON, nullable=False, default=list)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    queued_at = Column(DateTime(timezone=True), nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    # Hand-off to a person (hotline/conversations/handoff.py). Screening: {"outcome": ...,
    # "flags": [...], "age": ...} with the codes of hotline/conversations/screening.py.
    screening = Column(JSON, nullable=True)
    is_child = Column(Boolean, nullable=False, default=False)  # under 18, or unsure
    needs_interpreter = Column(Boolean, nullable=False, default=False)
    assigned_operator_id = Column(
        Integer, ForeignKey("operator.id", ondelete="SET NULL"), nullable=True
    )
    assigned_at = Column(DateTime(timezone=True), nullable=True)
    operator_activity_at = Column(DateTime(timezone=True), nullable=True)
    wrapup_at = Column(DateTime(timezone=True), nullable=True)
    position_told = Column(Integer, nullable=True)  # the queue place the texter was last told
    waiting_update_at = Column(DateTime(timezone=True), nullable=True)  # the one "still waiting"
    after_hours_step = Column(String(16), nullable=True)  # choice | message | contact | safe_time
    contact_preference = Column(String(16), nullable=True)  # any_time|safe_time|no_contact|...
    contact_note_encrypted = Column(Text, nullable=True)  # the texter's safe time, in their words
    contact_preference_at = Column(DateTime(timezone=True), nullable=True)
    rasa_paused = Column(Boolean, nullable=False, default=False)  # what Rasa was last told

    __table_args__ = (
        Index("ix_conversation_contact_state", "contact_id", "state"),
        Index("ix_conversation_queue", "state", "priority", "is_child", "queued_at"),
        Index("ix_conversation_assigned", "assigned_operator_id", "state"),
        Index("ix_conversation_created", "created_at"),
        Index("ix_conversation_rasa_paused", "rasa_paused"),
    )


class Message(Base):
    __tablename__ = "message"

    id = Column(Integer, primary_key=True, autoincrement=True)
    conversation_id = Column(
        Integer, ForeignKey("conversation.id", ondelete="CASCADE"), nullable=False
    )
    direction = Column(String(3), nullable=False)
    author = Column(String(16), nullable=False)  # texter | bot | system | operator
    operator_id = Column(Integer, ForeignKey("operator.id", ondelete="SET NULL"), nullable=True)
    body_encrypted = Column(Text, nullable=False)
    num_media = Column(Integer, nullable=False, default=0)
    twilio_sid = Column(String(64), nullable=True, unique=True)
    status = Column(String(24), nullable=False)
    error_code = Column(String(16), nullable=True)
    attempts = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        Index("ix_message_conversation", "conversation_id", "id"),
        Index("ix_message_direction_status", "direction", "status"),
    )


class Wrapup(Base):
    """What the operator recorded when a hand-off ended (one per conversation)."""

    __tablename__ = "wrapup"

    conversation_id = Column(
        Integer, ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )
    operator_id = Column(Integer, ForeignKey("operator.id", ondelete="SET NULL"), nullable=True)
    outcome = Column(String(40), nullable=True)  # None: the wrap-up time ran out
    referrals = Column(JSON, nullable=False, default=list)  # directory categories
    notes_encrypted = Column(Text, nullable=True)
    completed = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
