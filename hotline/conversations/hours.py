"""Opening hours, dated closures, hand-off timeouts and routing limits, from YAML.

`load_handoff_config()` reads hotline/content/hours.yml (or HOTLINE_HOURS_FILE) and applies the
environment overrides documented in that file. Everything time-related takes an explicit `now`
(timezone-aware), so tests can ask about any moment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

HOURS_FILE = Path(__file__).resolve().parent.parent / "content" / "hours.yml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LOOKAHEAD_DAYS = 15


@dataclass(frozen=True)
class Closure:
    start: datetime  # local, aware
    end: datetime
    reason: str

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class Timeouts:
    assignment_inactivity: timedelta = timedelta(minutes=10)
    wrapup: timedelta = timedelta(minutes=30)
    waiting_update: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class HandoffConfig:
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    always_open: bool = False
    # weekday index (0 = Monday) -> [(start minute, end minute)], end may exceed 1440
    weekly: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_conversations_per_operator: int = 3
    operator_online: timedelta = timedelta(seconds=45)

    # --- opening hours --------------------------------------------------------------------

    def closure_at(self, now: datetime) -> Closure | None:
        local = now.astimezone(self.timezone)
        return next((closure for closure in self.closures if closure.covers(local)), None)

    def is_open(self, now: datetime) -> bool:
        if self.always_open:
            return True
        local = now.astimezone(self.timezone)
        if self.closure_at(local) is not None:
            return False
        for start, end in self._ranges_around(local.date()):
            if start <= local < end:
                return True
        return False

    def next_opening(self, now: datetime) -> datetime | None:
        """The next moment people answer (local time), or None if not within two weeks."""
        if self.is_open(now):
            return now.astimezone(self.timezone)
        local = now.astimezone(self.timezone)
        candidates = {start for start, _ in self._ranges_from(local.date())}
        candidates |= {closure.end for closure in self.closures}
        for candidate in sorted(candidates):
            if candidate > local and self.is_open(candidate):
                return candidate
        return None

    def _ranges_on(self, day: date) -> list[tuple[datetime, datetime]]:
        midnight = datetime.combine(day, time(0), tzinfo=self.timezone)
        return [
            (_local(midnight, start), _local(midnight, end))
            for start, end in self.weekly.get(day.weekday(), ())
        ]

    def _ranges_around(self, day: date) -> list[tuple[datetime, datetime]]:
        # Yesterday's ranges may run past midnight into today.
        return self._ranges_on(day - timedelta(days=1)) + self._ranges_on(day)

    def _ranges_from(self, day: date) -> list[tuple[datetime, datetime]]:
        ranges: list[tuple[datetime, datetime]] = []
        for offset in range(_LOOKAHEAD_DAYS):
            ranges += self._ranges_on(day + timedelta(days=offset))
        return ranges


def _local(midnight: datetime, minutes: int) -> datetime:
    """Wall-clock minutes after local midnight (DST-safe: built from the date, not added)."""
    day = midnight.date() + timedelta(days=minutes // 1440)
    minute = minutes % 1440
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=midnight.tzinfo)


# --- loading --------------------------------------------------------------------------------


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 1440:
        raise ValueError(f"time out of range: {text!r}")
    return value


def _parse_ranges(value: Any, where: str) -> tuple[tuple[int, int], ...]:
    if value in (None, False) or str(value).strip().lower() == "closed":
        return ()
    items = value if isinstance(value, list) else [value]
    ranges = []
    for item in items:
        start_text, sep, end_text = str(item).partition("-")
        if not sep:
            raise ValueError(f"{where}: expected HH:MM-HH:MM, got {item!r}")
        start, end = _minutes(start_text), _minutes(end_text)
        if end <= start:
            end += 1440  # past midnight
        ranges.append((start, end))
    return tuple(ranges)


def _parse_local(value: Any, tz: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0))
    else:
        moment = datetime.fromisoformat(str(value).strip())
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


def _parse_closure(item: Mapping[str, Any], tz: ZoneInfo) -> Closure:
    reason = str(item.get("reason") or "closed")
    if "date" in item:
        start = _parse_local(item["date"], tz)
        end = _parse_local(start.date() + timedelta(days=1), tz)
    else:
        start, end = _parse_local(item["from"], tz), _parse_local(item["until"], tz)
    if end <= start:
        raise ValueError(f"closure ends before it starts: {item!r}")
    return Closure(start, end, reason)


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def parse_handoff_config(
    data: Mapping[str, Any], env: Mapping[str, str] | None = None, *, simulator_mode: bool = False
) -> HandoffConfig:
    env = {} if env is None else env
    tz = ZoneInfo(env.get("HOTLINE_TIMEZONE") or data.get("timezone") or "UTC")
    hours = data.get("opening_hours") or {}
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekday(s) in opening_hours: {sorted(unknown)}")
    weekly = {
        index: _parse_ranges(hours.get(name), f"opening_hours.{name}")
        for index, name in enumerate(WEEKDAYS)
    }
    if "HOTLINE_ALWAYS_OPEN" in env:
        always_open = _truthy(env["HOTLINE_ALWAYS_OPEN"])
    else:
        always_open = bool(data.get("always_open")) or simulator_mode
    timeouts = data.get("timeouts") or {}
    routing = data.get("routing") or {}

    def minutes(env_name: str, key: str, default: float) -> timedelta:
        return timedelta(minutes=float(env.get(env_name) or timeouts.get(key) or default))

    return HandoffConfig(
        timezone=tz,
        always_open=always_open,
        weekly=weekly,
        closures=tuple(_parse_closure(item, tz) for item in data.get("closures") or []),
        timeouts=Timeouts(
            assignment_inactivity=minutes(
                "HOTLINE_ASSIGNMENT_TIMEOUT_MINUTES", "assignment_inactivity_minutes", 10
            ),
            wrapup=minutes("HOTLINE_WRAPUP_TIMEOUT_MINUTES", "wrapup_minutes", 30),
            waiting_update=minutes("HOTLINE_WAITING_UPDATE_MINUTES", "waiting_update_minutes", 15),
        ),
        max_conversations_per_operator=int(
            env.get("HOTLINE_MAX_CONVERSATIONS")
            or routing.get("max_conversations_per_operator")
            or 3
        ),
        operator_online=timedelta(seconds=float(routing.get("operator_online_seconds") or 45)),
    )


def load_handoff_config(
    env: Mapping[str, str] | None = None, *, simulator_mode: bool = False
) -> HandoffConfig:
    env = dict(os.environ if env is None else env)
    path = Path(env.get("HOTLINE_HOURS_FILE") or HOURS_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return parse_handoff_config(data, env, simulator_mode=simulator_mode)
