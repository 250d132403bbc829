"""Every table, imported in one place so Alembic and tests see the whole schema."""

from hotline.contacts.models import Contact
from hotline.conversations.models import Conversation, Message
from hotline.db import Base

__all__ = ["Base", "Contact", "Conversation", "Message"]
