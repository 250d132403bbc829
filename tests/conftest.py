"""Fixtures shared by every test package: databases on SQLite and on a real PostgreSQL; one
trained model, one action server and one in-process Rasa agent for the whole session
(TensorFlow is loaded once; the model is the one for the current training data,
`python -m bot.model ensure`: trained here only if the data changed)."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.net import free_port
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


REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def model_path() -> Path:
    from bot.model import ensure_model

    if os.environ.get("SAFELINE_MODEL"):  # pin a model while the training data is being edited
        return Path(os.environ["SAFELINE_MODEL"])
    return ensure_model(REPO_ROOT)


@pytest.fixture(scope="session")
def action_server_url(tmp_path_factory):
    """`rasa run actions` on a free port, for the session."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("action-server") / "actions.log"
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    with open(log_path, "wb") as log:
        command = [sys.executable, "-m", "rasa", "run", "actions", "--actions", "actions"]
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"action server exited:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"action server did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield f"{url}/webhook"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def event_loop_for_agent():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def agent(model_path, action_server_url, event_loop_for_agent):
    """The trained model in-process, with the NLG configured in endpoints.yml."""
    from rasa.core.agent import Agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig

    endpoints = AvailableEndpoints.read_endpoints(str(REPO_ROOT / "endpoints.yml"))
    asyncio.set_event_loop(event_loop_for_agent)
    agent = Agent.load(
        str(model_path),
        generator=endpoints.nlg,
        action_endpoint=EndpointConfig(url=action_server_url),
    )
    assert type(agent.nlg).__name__ == "LocalisedNLG"  # the NLG of endpoints.yml is exercised
    return agent


# --- A real browser: Debian's chromium driven by Playwright ------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: run scripts/install-system-deps.sh")
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
