"""Audit events. They name people and conversations by id and never hold a number or a text."""

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String

from hotline.db import Base
from hotline.timeutil import utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id = Column(Integer, ForeignKey("operator.id", ondelete="SET NULL"), nullable=True)
    actor_name = Column(String(64), nullable=True)  # kept if the account is removed; None=system
    action = Column(String(40), nullable=False)
    conversation_id = Column(Integer, nullable=True)  # no foreign key: the log outlives data
    subject_operator_id = Column(Integer, nullable=True)
    details = Column(JSON, nullable=False, default=dict)

    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_conversation", "conversation_id", "at"),
        Index("ix_audit_event_actor", "actor_id", "action", "at"),
    )
