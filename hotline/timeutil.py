"""Timezone-aware UTC timestamps, one definition for the whole service."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
