"""The console's routing table (mounted by hotline/app.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hotline.console.views import ConsoleViews
from hotline.console.web import STATIC_DIR, Console
from hotline.operators.views import OperatorViews

if TYPE_CHECKING:
    from hotline.app import Hotline

POST = ["POST"]


def console_routes(hotline: Hotline) -> list[BaseRoute]:
    console = Console(hotline)
    pages = ConsoleViews(hotline, console)
    accounts = OperatorViews(hotline, console)
    conversation = "/console/conversations/{conversation_id:int}"
    return [
        Route("/console", pages.queue_page),
        Route("/console/login", accounts.login_page, methods=["GET"]),
        Route("/console/login", accounts.login, methods=POST),
        Route("/console/logout", accounts.logout, methods=POST),
        Route("/console/status", accounts.set_status, methods=POST),
        Route("/console/queue", pages.queue_fragment),
        Route("/console/next", pages.claim_next, methods=POST),
        Route("/console/events", pages.events),
        Route(conversation, pages.conversation_page),
        Route(f"{conversation}/live", pages.conversation_live),
        Route(f"{conversation}/claim", pages.claim, methods=POST),
        Route(f"{conversation}/messages", pages.send, methods=POST),
        Route(f"{conversation}/activity", pages.activity, methods=POST),
        Route(f"{conversation}/transfer", pages.transfer, methods=POST),
        Route(f"{conversation}/end", pages.end, methods=POST),
        Route(f"{conversation}/wrapup", pages.wrapup, methods=POST),
        Route(f"{conversation}/reveal", pages.reveal, methods=POST),
        Route("/console/supervisor", pages.supervisor_page),
        Route("/console/supervisor/live", pages.supervisor_fragment),
        Route("/console/audit", pages.audit_page),
        Route("/console/operators", accounts.operators_page, methods=["GET"]),
        Route("/console/operators", accounts.create_operator, methods=POST),
        Route("/console/operators/{operator_id:int}", accounts.update_operator, methods=POST),
        Mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static"),
    ]
