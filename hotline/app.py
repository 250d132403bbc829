"""The hotline service: explicit routing table, lifespan wiring, nothing hidden."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.responses import ResponseBook
from hotline.channels.fake_twilio import FakeTwilioOutbox
from hotline.channels.twilio_outbound import TwilioSender
from hotline.channels.twilio_sms import TwilioWebhooks
from hotline.config import REPO_ROOT, Settings, load_settings
from hotline.console.routes import console_routes
from hotline.conversations.desk import HandoffDesk
from hotline.conversations.hours import load_handoff_config
from hotline.conversations.router import Router
from hotline.conversations.worker import InboundWorkers
from hotline.crypto import Vault
from hotline.db import Database
from hotline.live import LiveHub
from hotline.rasa_client import RasaClient

log = logging.getLogger(__name__)
RESPONSE_FILES = [REPO_ROOT / "domain.yml", REPO_ROOT / "hotline/content/service_messages.yml"]


class Hotline:
    """Everything one running service holds, built once from the settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.vault = Vault(settings.secret_key)
        self.rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
        self.sender = TwilioSender(settings)
        # Hand-off to people: live updates for consoles, the desk's flows and timers.
        self.hub = LiveHub()
        self.desk = HandoffDesk(
            settings,
            self.db,
            self.vault,
            ResponseBook(RESPONSE_FILES),
            load_handoff_config(simulator_mode=settings.simulator_mode),
            self.hub,
        )
        self.router = Router(
            settings,
            self.db,
            self.vault,
            self.rasa,
            self.sender,
            ResponseBook(RESPONSE_FILES),
            desk=self.desk,
        )
        self.desk.attach_sender(self.router.send)
        self.workers = InboundWorkers(self.db, self.router)
        self.webhooks = TwilioWebhooks(settings, self.db, self.vault, self.workers)
        # Simulator mode: replies go to a Twilio look-alike inside this service.
        self.outbox = FakeTwilioOutbox() if settings.simulator_mode else None

    async def start(self) -> None:
        await run_in_threadpool(self.db.upgrade)
        self.hub.start(self.db.engine)
        await self.workers.start()
        await self.desk.start()
        log.info("hotline ready (simulator mode: %s)", self.settings.simulator_mode)

    async def stop(self) -> None:
        await self.desk.stop()
        await self.workers.stop()
        self.hub.stop()
        await self.sender.aclose()
        await self.rasa.aclose()
        self.db.dispose()

    async def health(self, _request: Request) -> Response:
        checks = {
            "database": "up" if await run_in_threadpool(self.db.ping) else "down",
            "rasa": "up" if await self.rasa.is_healthy() else "down",
        }
        healthy = all(value == "up" for value in checks.values())
        return JSONResponse(
            {"status": "ok" if healthy else "degraded", **checks},
            status_code=200 if healthy else 503,
        )

    async def home(self, _request: Request) -> Response:
        if self.settings.simulator_mode:
            return RedirectResponse("/simulator")
        return PlainTextResponse("Safeline hotline service")


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    hotline = Hotline(settings)
    routes = [
        Route("/", hotline.home),
        Route("/healthz", hotline.health),
        Route("/twilio/sms", hotline.webhooks.sms, methods=["POST"]),
        Route("/twilio/status", hotline.webhooks.status, methods=["POST"]),
        *console_routes(hotline),
    ]
    if settings.simulator_mode:
        from hotline.channels.simulator import simulator_routes

        routes += simulator_routes(settings, hotline.outbox)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await hotline.start()
        try:
            yield
        finally:
            await hotline.stop()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.hotline = hotline
    return app
