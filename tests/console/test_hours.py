"""Opening hours, closures and timeouts from configuration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hotline.conversations.desk import format_back_at
from hotline.conversations.hours import HOURS_FILE, load_handoff_config, parse_handoff_config

LONDON = ZoneInfo("Europe/London")
WEEK = {
    "timezone": "Europe/London",
    "opening_hours": {
        "monday": "08:00-20:00",
        "tuesday": ["08:00-12:00", "13:00-20:00"],
        "wednesday": "08:00-20:00",
        "thursday": "08:00-20:00",
        "friday": "22:00-02:00",  # a night shift into Saturday
        "saturday": "closed",
        "sunday": None,
    },
    "closures": [
        {"date": "2026-03-04", "reason": "public holiday"},
        {"from": "2026-03-05 14:00", "until": "2026-03-05 16:30", "reason": "staff shortage"},
    ],
}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture
def config():
    return parse_handoff_config(WEEK, {})


def test_open_within_the_weekly_hours_only(config):
    assert config.is_open(local("2026-03-02 08:00"))  # Monday
    assert config.is_open(local("2026-03-02 19:59"))
    assert not config.is_open(local("2026-03-02 20:00"))
    assert not config.is_open(local("2026-03-02 07:59"))
    assert not config.is_open(local("2026-03-03 12:30"))  # Tuesday lunch
    assert config.is_open(local("2026-03-03 13:00"))


def test_a_range_can_run_past_midnight(config):
    assert config.is_open(local("2026-03-06 23:00"))  # Friday night
    assert config.is_open(local("2026-03-07 01:59"))  # Saturday morning, same shift
    assert not config.is_open(local("2026-03-07 02:00"))


def test_closures_override_the_week(config):
    assert not config.is_open(local("2026-03-04 10:00"))  # holiday, whole day
    assert config.closure_at(local("2026-03-04 10:00")).reason == "public holiday"
    assert config.is_open(local("2026-03-05 13:59"))
    assert not config.is_open(local("2026-03-05 14:00"))
    assert config.is_open(local("2026-03-05 16:30"))


def test_next_opening_skips_closed_days_and_closures(config):
    assert config.next_opening(local("2026-03-02 21:00")) == local("2026-03-03 08:00")
    assert config.next_opening(local("2026-03-03 12:15")) == local("2026-03-03 13:00")
    # Tuesday evening: Wednesday is a holiday, so Thursday.
    assert config.next_opening(local("2026-03-03 20:30")) == local("2026-03-05 08:00")
    # During the staff shortage: its end.
    assert config.next_opening(local("2026-03-05 15:00")) == local("2026-03-05 16:30")
    # Saturday: Monday.
    assert config.next_opening(local("2026-03-07 12:00")) == local("2026-03-09 08:00")


def test_opening_hours_follow_daylight_saving_time(config):
    # Clocks go forward in London on 2026-03-29: 08:00 local is 07:00 UTC from Monday 30th.
    assert config.is_open(datetime(2026, 3, 30, 7, 0, tzinfo=timezone.utc))
    assert not config.is_open(datetime(2026, 3, 23, 7, 0, tzinfo=timezone.utc))


def test_never_open_gives_no_time():
    config = parse_handoff_config({"timezone": "UTC", "opening_hours": {}}, {})
    assert config.next_opening(datetime(2026, 3, 2, tzinfo=timezone.utc)) is None


def test_environment_overrides(tmp_path):
    env = {
        "HOTLINE_ALWAYS_OPEN": "true",
        "HOTLINE_TIMEZONE": "Asia/Bangkok",
        "HOTLINE_ASSIGNMENT_TIMEOUT_MINUTES": "3",
        "HOTLINE_WRAPUP_TIMEOUT_MINUTES": "7",
        "HOTLINE_WAITING_UPDATE_MINUTES": "11",
    }
    config = parse_handoff_config(WEEK, env)
    assert config.always_open and config.is_open(local("2026-03-07 12:00"))
    assert str(config.timezone) == "Asia/Bangkok"
    assert config.timeouts.assignment_inactivity == timedelta(minutes=3)
    assert config.timeouts.wrapup == timedelta(minutes=7)
    assert config.timeouts.waiting_update == timedelta(minutes=11)
    other = tmp_path / "hours.yml"
    other.write_text("timezone: UTC\nalways_open: false\nopening_hours: {}\n")
    assert not load_handoff_config({"HOTLINE_HOURS_FILE": str(other)}).always_open


def test_the_simulator_is_always_open_unless_told_otherwise():
    assert load_handoff_config({}, simulator_mode=True).always_open
    assert not load_handoff_config({"HOTLINE_ALWAYS_OPEN": "false"}, simulator_mode=True).is_open(
        local("2026-03-08 12:00")  # a Sunday
    )


def test_the_shipped_file_loads():
    config = load_handoff_config({"HOTLINE_HOURS_FILE": str(HOURS_FILE)})
    assert config.timeouts.assignment_inactivity > timedelta(0)
    assert not config.always_open


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Tuesday 08:00"), ("es", "martes 08:00"), ("ar", "الثلاثاء"), ("xx", "Tuesday 08:00")],
)
def test_when_people_are_back_is_said_in_the_texters_language(language, expected):
    said = format_back_at(local("2026-03-03 08:00"), language, local("2026-03-02 21:00"))
    assert expected in said
