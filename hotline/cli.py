"""`hotline` command: serve, run (all processes), db upgrade, chat, operator accounts."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hotline.app import create_app
    from hotline.config import load_settings

    settings = load_settings()
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port or settings.port,
        log_level="info",
        access_log=False,  # query strings may carry numbers (simulator); ids are logged instead
        ws="none",  # uvicorn's websocket import breaks on the websockets release Rasa pins
        timeout_graceful_shutdown=3,  # open console event streams must not hold a stop
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from hotline.processes import run_all

    return run_all(Path(args.model))


def _db_upgrade(_args: argparse.Namespace) -> int:
    from hotline.config import load_settings
    from hotline.db import Database

    Database(load_settings().database_url).upgrade()
    print("database is up to date")
    return 0


def _chat(args: argparse.Namespace) -> int:
    from hotline.cli_chat import run_chat

    run_chat(args.url, args.phone)
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("HOTLINE_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # HTTP clients log whole URLs and requests, which can carry phone numbers: warnings only.
    for noisy in ("httpx", "httpcore", "twilio.http_client", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="hotline", description="Safeline hotline service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the hotline service")
    serve.add_argument("--host", default=os.environ.get("HOTLINE_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)

    run = commands.add_parser("run", help="run Rasa, the action server and the hotline together")
    run.add_argument("--model", required=True, help="trained model (see `make run`)")
    run.set_defaults(func=_run)

    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(func=_db_upgrade)

    chat = commands.add_parser("chat", help="text the hotline from this terminal (simulator mode)")
    chat.add_argument("--url", default=os.environ.get("PUBLIC_BASE_URL", "http://localhost:8000"))
    chat.add_argument("--phone", default="+15555550100", help="the texter's simulated number")
    chat.set_defaults(func=_chat)

    from hotline.operators.cli import add_operator_commands

    add_operator_commands(commands)  # hotline operator add|list|password|unlock

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
