"""Every table, imported in one place so Alembic and tests see the whole schema."""

from hotline.audit.models import AuditEvent
from hotline.contacts.models import Contact
from hotline.conversations.models import Conversation, Message, Wrapup
from hotline.db import Base
from hotline.operators.models import Operator, OperatorSession

__all__ = [
    "AuditEvent",
    "Base",
    "Contact",
    "Conversation",
    "Message",
    "Operator",
    "OperatorSession",
    "Wrapup",
]
