"""Bot test fixtures: a new in-process texter per test (the agent is in tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def texter(agent, event_loop_for_agent):
    """A new texter (a new conversation) for each test."""
    from tests.bot.texter import Texter

    return Texter(agent, event_loop_for_agent)
