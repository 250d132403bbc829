"""Rasa's SQL tracker store, made safe for a local SQLite file.

Configured in endpoints.yml as `tracker_store: type: bot.tracker_store.LocalSQLTrackerStore`
with the same keys as Rasa's `type: SQL`. Why not `type: SQL` itself: when the SQLite file's
directory does not exist, Rasa only logs an error and then silently falls back to a new, empty
tracker on every message, so every message looks like a first contact. Here:

- the SQLite file's directory is created;
- when HOTLINE_VAR_DIR is set (the hotline service's data directory, see hotline/config.py),
  the file goes there under its own name, so each deployment or test run keeps Rasa's database
  next to its own and never shares it by accident.

Any other dialect (PostgreSQL in production: give Rasa its own database or schema) is passed
to Rasa unchanged.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

VAR_DIR_ENV = "HOTLINE_VAR_DIR"


def sqlite_file(db: str, env: dict[str, str] | None = None) -> Path:
    """Where the SQLite file `db` goes (HOTLINE_VAR_DIR wins for its directory)."""
    env = dict(os.environ) if env is None else env
    var_dir = env.get(VAR_DIR_ENV)
    path = Path(db)
    if var_dir:
        return Path(var_dir) / path.name
    return path


class LocalSQLTrackerStore(SQLTrackerStore):
    def __init__(self, dialect: str = "sqlite", db: str = "rasa.db", **kwargs: Any) -> None:
        if dialect == "sqlite" and db and db != ":memory:":
            path = sqlite_file(db)
            path.parent.mkdir(parents=True, exist_ok=True)
            db = str(path)
        super().__init__(dialect=dialect, db=db, **kwargs)
