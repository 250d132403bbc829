"""Fixtures shared by every test package: databases on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import itertools
import os

import pytest
from sqlalchemy import create_engine, text

from tests.postgres import PostgresServer, server_binaries

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_server_url():
    bindir = server_binaries()
    if bindir is None:
        pytest.fail("PostgreSQL server not installed: run scripts/install-system-deps.sh")
    server = PostgresServer(bindir)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind for one test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.db'}"
    server_url = request.getfixturevalue("postgres_server_url")
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
