"""A texter, known only by a pseudonym; the address is encrypted at rest."""

from sqlalchemy import Boolean, Column, DateTime, String, Text

from hotline.db import Base
from hotline.timeutil import utcnow


class Contact(Base):
    __tablename__ = "contact"

    id = Column(String(40), primary_key=True)  # keyed HMAC of channel + address
    channel = Column(String(16), nullable=False)  # sms | whatsapp
    address_encrypted = Column(Text, nullable=False)
    language = Column(String(16), nullable=True)
    opted_out = Column(Boolean, nullable=False, default=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
