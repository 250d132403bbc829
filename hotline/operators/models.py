"""Operator accounts and their console sessions."""

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Index, Integer, String

from hotline.db import Base
from hotline.timeutil import utcnow


class Operator(Base):
    __tablename__ = "operator"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)  # what texters see, e.g. in a greeting
    password_hash = Column(String(255), nullable=False)  # argon2id
    role = Column(String(16), nullable=False, default="operator")  # operator|supervisor|admin
    languages = Column(JSON, nullable=False, default=list)  # language codes spoken
    active = Column(Boolean, nullable=False, default=True)
    status = Column(String(16), nullable=False, default="available")  # available | away
    last_seen_at = Column(DateTime(timezone=True), nullable=True)  # console heartbeat
    max_conversations = Column(Integer, nullable=True)  # None: the configured default
    failed_logins = Column(Integer, nullable=False, default=0)
    locked_until = Column(DateTime(timezone=True), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class OperatorSession(Base):
    """A console login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "operator_session"

    id = Column(String(64), primary_key=True)  # sha256 hex of the cookie token
    operator_id = Column(Integer, ForeignKey("operator.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)

    __table_args__ = (Index("ix_operator_session_operator", "operator_id"),)
