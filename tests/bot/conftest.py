"""Bot test fixtures: one trained model, one action server, one agent for the whole session.

TensorFlow is loaded once. The model is the one for the current training data
(`python -m bot.model ensure`: trained here only if the data changed).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.net import free_port

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def model_path() -> Path:
    from bot.model import ensure_model

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


@pytest.fixture
def texter(agent, event_loop_for_agent):
    """A new texter (a new conversation) for each test."""
    from tests.bot.texter import Texter

    return Texter(agent, event_loop_for_agent)
