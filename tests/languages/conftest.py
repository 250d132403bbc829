"""The `line` fixture: the real router with the in-process model (see hotline_line.py)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from bot.responses import ResponseBook
from hotline.channels.fake_twilio import FakeTwilioOutbox
from hotline.channels.simulator import simulator_routes
from hotline.channels.twilio_outbound import TwilioSender
from hotline.conversations.router import Router
from hotline.crypto import Vault
from hotline.db import Database
from tests.gateway.conftest import make_settings
from tests.languages.hotline_line import HotlineLine, InProcessRasa
from tests.net import bound_socket, serve


@pytest.fixture(scope="module")
def line(agent, event_loop_for_agent, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("line")
    outbox = FakeTwilioOutbox()
    sock = bound_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = make_settings(
        base_url,
        var_dir,
        database_url=f"sqlite:///{var_dir / 'hotline.db'}",
        emergency_text=None,  # the translated default texts
        hotline_text=None,
    )
    with serve(Starlette(routes=simulator_routes(settings, outbox)), sock):
        db = Database(settings.database_url)
        db.upgrade()
        vault = Vault(settings.secret_key)
        sender = TwilioSender(settings, retry_delays=(0.01,))
        router = Router(settings, db, vault, InProcessRasa(agent), sender, ResponseBook())
        yield HotlineLine(event_loop_for_agent, db, vault, router, outbox)
        event_loop_for_agent.run_until_complete(sender.aclose())
        db.dispose()
