"""How the console shows things to operators: names of languages, labels, times.

Languages are data: names and writing direction come from locales/languages.yml when it lists
the language, else from CLDR (babel). Nothing here is shown to texters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import yaml

from hotline.config import REPO_ROOT
from hotline.conversations import screening
from hotline.conversations.handoff import CONTACT_PREFERENCES
from hotline.operators.service import as_utc

LANGUAGES_FILE = REPO_ROOT / "locales" / "languages.yml"

PRIORITY_LABELS = ((100, "Urgent"), (50, "High"), (0, "Normal"))
STATUS_LABELS = {
    "pending": "Waiting to send",
    "sending": "Sending",
    "accepted": "Sent",
    "queued": "Sent",
    "sent": "Sent",
    "delivered": "Delivered",
    "read": "Read",
    "undelivered": "Not delivered",
    "failed": "Not sent",
    "suppressed": "Not sent (texter opted out)",
    "unknown": "Unknown (service restarted while sending)",
    "received": "Received",
    "processing": "Received",
    "processed": "Received",
    "interrupted": "Received",
}


@lru_cache(maxsize=1)
def _languages_file() -> dict[str, dict[str, Any]]:
    if not LANGUAGES_FILE.exists():
        return {}
    data = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8")) or {}
    entries = data.get("languages", data) if isinstance(data, dict) else data
    result: dict[str, dict[str, Any]] = {}
    if isinstance(entries, dict):
        for code, entry in entries.items():
            result[str(code)] = entry if isinstance(entry, dict) else {}
    elif isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and entry.get("code"):
                result[str(entry["code"])] = entry
    return result


@lru_cache(maxsize=256)
def _cldr(code: str) -> tuple[str, str, str]:
    try:
        from babel import Locale

        locale = Locale.parse(code.replace("-", "_"))
        english = locale.get_display_name("en") or code
        native = locale.get_display_name(locale) or english
        direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
        return english, native, direction
    except Exception:  # noqa: BLE001 - unknown codes are shown as they are
        return code, code, "ltr"


def language_name(code: str | None) -> str:
    """ "Arabic (العربية)" - the English name for operators, and the language's own."""
    if not code:
        return "Not detected"  # the assistant answers in English until the language is known
    entry = _languages_file().get(code, {})
    english, native, _ = _cldr(code)
    native = entry.get("native_name") or entry.get("native") or native
    english = entry.get("name") or english
    return english if native == english else f"{english} ({native})"


def language_dir(code: str | None) -> str:
    if not code:
        return "auto"
    entry = _languages_file().get(code, {})
    direction = entry.get("direction") or entry.get("dir")
    return str(direction) if direction in ("rtl", "ltr") else _cldr(code)[2]


def priority_label(priority: int) -> str:
    return next(label for floor, label in PRIORITY_LABELS if priority >= floor)


def outcome_label(code: str | None) -> str:
    return screening.outcome_label(code)


def flag_labels(codes) -> list[str]:
    return screening.flag_labels(codes)


def reason_label(code: str | None) -> str:
    return screening.reason_label(code)


def age_label(code: str | None) -> str:
    return screening.AGES.get(code or "", "")


def preference_label(code: str | None) -> str:
    return CONTACT_PREFERENCES.get(code or "", "")


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "")


def clock(moment: datetime | None, timezone) -> str:
    if moment is None:
        return ""
    return as_utc(moment).astimezone(timezone).strftime("%H:%M")


def when(moment: datetime | None, timezone) -> str:
    if moment is None:
        return ""
    return as_utc(moment).astimezone(timezone).strftime("%Y-%m-%d %H:%M")


def waited(moment: datetime | None, now: datetime) -> str:
    """ "4 min", "2 h 05 min", "3 days" """
    if moment is None:
        return ""
    seconds = max(0, int((now - as_utc(moment)).total_seconds()))
    if seconds < 60:
        return "under 1 min"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} days"


def minutes_left(since: datetime | None, timeout: timedelta, now: datetime) -> int | None:
    if since is None:
        return None
    return max(0, int((as_utc(since) + timeout - now).total_seconds() // 60))
