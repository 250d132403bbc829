"""Rasa's conversation state survives across messages in its own SQLite file."""

from __future__ import annotations

import asyncio

from rasa.core.tracker_store import FailSafeTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.responses import DOMAIN_FILE
from bot.tracker_store import LocalSQLTrackerStore, sqlite_file

REPO_ROOT = DOMAIN_FILE.parent


def test_the_file_goes_to_the_var_dir_when_there_is_one(tmp_path):
    assert sqlite_file("var/rasa-tracker.db", env={}).as_posix() == "var/rasa-tracker.db"
    env = {"HOTLINE_VAR_DIR": str(tmp_path)}
    assert sqlite_file("var/rasa-tracker.db", env=env) == tmp_path / "rasa-tracker.db"


def test_endpoints_yml_store_creates_its_directory_and_keeps_trackers(tmp_path, monkeypatch):
    var_dir = tmp_path / "not" / "there" / "yet"
    monkeypatch.setenv("HOTLINE_VAR_DIR", str(var_dir))
    domain = Domain.load(str(DOMAIN_FILE))
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "tracker_store")
    store = create_tracker_store(config, domain)
    if isinstance(store, FailSafeTrackerStore):
        store = store._tracker_store
    assert isinstance(store, LocalSQLTrackerStore)
    assert (var_dir / "rasa-tracker.db").exists()

    tracker = DialogueStateTracker.from_events(
        "texter-1", [ActionExecuted("action_listen"), UserUttered("hi", {"name": "greet"})]
    )
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve("texter-1"))
    assert again is not None and again.latest_message.text == "hi"
