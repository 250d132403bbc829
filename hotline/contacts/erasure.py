"""DELETE: erase everything we hold about one texter, here and in Rasa's tracker store."""

from __future__ import annotations

import logging

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from hotline.contacts.models import Contact

log = logging.getLogger(__name__)
RASA_EVENTS_TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent


def erase_contact(session: Session, contact_id: str) -> None:
    """The contact row; its conversations and messages go with it (ON DELETE CASCADE)."""
    contact = session.get(Contact, contact_id)
    if contact is not None:
        session.delete(contact)


def erase_rasa_tracker(tracker_db_url: str, sender_id: str) -> int:
    """Rasa's events for this sender (Rasa has no API that deletes them). Returns rows removed."""
    engine = create_engine(tracker_db_url, future=True)
    try:
        if not inspect(engine).has_table(RASA_EVENTS_TABLE):
            return 0
        with engine.begin() as connection:
            return connection.execute(
                text(f"DELETE FROM {RASA_EVENTS_TABLE} WHERE sender_id = :sender"),
                {"sender": sender_id},
            ).rowcount
    finally:
        engine.dispose()
