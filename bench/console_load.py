"""Operator console under load, on PostgreSQL, in one run on this machine.

Starts a throwaway PostgreSQL (like the tests), fills it with 100,000 conversations and
1,000,000 messages (COPY), starts the real hotline service and a local Twilio-compatible server
as processes, connects 100 consoles to the live event stream, then measures

  (a) the queue page and a conversation page: p50 / p95 / max over N requests each,
  (b) live delivery: signed texter webhook posted -> event received by each of the 100
      consoles, and -> the message text fetched by the console that has it open.

Targets (issue 5): p95 <= 150 ms for the pages, delivery <= 1 s.

    .venv/bin/python bench/console_load.py [--conversations 100000 --messages 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hotline.crypto import Vault  # noqa: E402
from hotline.db import Database  # noqa: E402
from hotline.operators import service as operators  # noqa: E402
from hotline.processes import ProcessGroup  # noqa: E402
from tests.net import free_port  # noqa: E402
from tests.postgres import PostgresServer, server_binaries  # noqa: E402

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-auth-token"
SECRET_KEY = "bench-secret-key"
HOTLINE_NUMBER = "+15005550006"
LANGUAGES = ["en"] * 6 + ["es", "es", "ar", "ru", "tl", "th", "pt", "fr", "uk"]
FLAGS = ["documents_kept", "cannot_leave", "not_paid", "debt", "deceived", "threats"]
OUTCOMES = ["danger_now", "strong_signs", "some_signs", "no_signs", None]
NOW = datetime.now(timezone.utc)


def log(message: str) -> None:
    print(message, flush=True)


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return f"p50 {cuts[49]:7.1f}  p95 {cuts[94]:7.1f}  max {ordered[-1]:7.1f} ms  (n={len(values)})"


# --- filling the database -----------------------------------------------------------------------


def _copy(connection, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if value is None else value for value in row])
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


def fill(url: str, conversations: int, messages: int, queued: int, assigned_ids: list[int]):
    """Returns the phone numbers of the waiting texters (to text them later)."""
    vault = Vault(SECRET_KEY)
    rng = random.Random(5)
    contacts = conversations // 2
    engine = create_engine(url, future=True)
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        started = time.perf_counter()
        phones = [f"+447{index:09d}" for index in range(contacts)]
        contact_ids = [vault.pseudonym("sms", phone) for phone in phones]
        _copy(
            connection,
            "contact",
            ["id", "channel", "address_encrypted", "language", "opted_out", "created_at",
             "updated_at"],
            (
                (contact_ids[i], "sms", vault.encrypt(phones[i]), rng.choice(LANGUAGES), "f",
                 NOW.isoformat(), NOW.isoformat())
                for i in range(contacts)
            ),
        )  # fmt: skip
        log(f"  {contacts:,} contacts in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        waiting_phones: list[str] = []
        rows = []
        for conversation_id in range(1, conversations + 1):
            contact = (conversation_id - 1) % contacts
            created = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
            state, priority, queued_at, operator, activity = "closed", 0, None, None, None
            if conversation_id > conversations - queued:  # the newest ones wait
                state = "queued"
                created = NOW - timedelta(minutes=rng.randrange(1, 240))
                queued_at = created + timedelta(seconds=30)
                priority = rng.choice([0] * 6 + [50, 50, 100])
                waiting_phones.append(phones[contact])
            elif conversation_id > conversations - queued - len(assigned_ids):
                state = "assigned"
                created = NOW - timedelta(minutes=rng.randrange(1, 60))
                queued_at = created
                operator = assigned_ids[conversation_id % len(assigned_ids)]
                activity = NOW.isoformat()
            elif conversation_id % 50 == 0:
                state = "bot"
            outcome = rng.choice(OUTCOMES)
            screening = (
                f'{{"outcome": "{outcome}", "flags": ["{rng.choice(FLAGS)}"], "age": "adult"}}'
                if outcome
                else None
            )
            rows.append(
                (
                    conversation_id, contact_ids[contact], "sms", state, priority, "asked",
                    rng.choice(LANGUAGES), HOTLINE_NUMBER, "[]", created.isoformat(),
                    created.isoformat(), queued_at.isoformat() if queued_at else None,
                    None if state != "closed" else created.isoformat(), screening,
                    "t" if rng.random() < 0.05 else "f", "f", operator,
                    activity, activity, "f" if state not in ("queued", "assigned") else "t",
                    # Waiting texters were already given their one "still waiting" update.
                    queued_at.isoformat() if state == "queued" else None,
                )
            )  # fmt: skip
        _copy(
            connection,
            "conversation",
            ["id", "contact_id", "channel", "state", "priority", "handoff_reason", "language",
             "service_number", "options", "created_at", "updated_at", "queued_at", "closed_at",
             "screening", "is_child", "needs_interpreter", "assigned_operator_id",
             "assigned_at", "operator_activity_at", "rasa_paused", "waiting_update_at"],
            rows,
        )  # fmt: skip
        log(f"  {conversations:,} conversations in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        bodies = [vault.encrypt(f"message text number {i} " * 3) for i in range(2000)]
        per_conversation = messages // conversations

        def message_rows():
            message_id = 0
            for conversation_id in range(1, conversations + 1):
                base = NOW - timedelta(days=1)
                for k in range(per_conversation):
                    message_id += 1
                    inbound = k % 2 == 0
                    yield (
                        message_id, conversation_id, "in" if inbound else "out",
                        "texter" if inbound else "bot", bodies[message_id % len(bodies)], 0,
                        f"SM{message_id:032x}", "processed" if inbound else "delivered", 1,
                        (base + timedelta(seconds=k)).isoformat(),
                        (base + timedelta(seconds=k)).isoformat(),
                    )  # fmt: skip

        _copy(
            connection,
            "message",
            ["id", "conversation_id", "direction", "author", "body_encrypted", "num_media",
             "twilio_sid", "status", "attempts", "created_at", "updated_at"],
            message_rows(),
        )  # fmt: skip
        log(f"  {messages:,} messages in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        _copy(
            connection,
            "audit_event",
            ["at", "actor_id", "actor_name", "action", "conversation_id", "details"],
            (
                ((NOW - timedelta(minutes=i)).isoformat(), assigned_ids[i % len(assigned_ids)],
                 "Operator", "transcript_opened", 1 + i % conversations, "{}")
                for i in range(200_000)
            ),
        )  # fmt: skip
        with connection.cursor() as cursor:
            for table in ("conversation", "message", "audit_event"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        connection.commit()
        log(f"  200,000 audit events in {time.perf_counter() - started:.1f} s")
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return waiting_phones


def make_operators(url: str, count: int) -> tuple[list[int], list[str]]:
    """`count` operators (the first a supervisor) and a signed-in session for each."""
    database = Database(url)
    ids, tokens = [], []
    with database.session() as session:
        for index in range(count):
            operator = operators.create_operator(
                session,
                username=f"operator{index:03d}",
                password="bench password 123",
                role="supervisor" if index == 0 else "operator",
                languages=["en", random.choice(LANGUAGES)],
            )
            token, _ = operators.start_session(session, operator, NOW)
            ids.append(operator.id)
            tokens.append(token)
    database.dispose()
    return ids, tokens


# --- measuring ---------------------------------------------------------------------------------


async def time_pages(base: str, token: str, paths: list[str]) -> list[float]:
    timings = []
    async with httpx.AsyncClient(
        base_url=base, cookies={"safeline_session": token}, timeout=30
    ) as client:
        for path in paths:
            started = time.perf_counter()
            response = await client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
    return timings


class Console:
    """One connected console: its event stream, and when each event arrived."""

    def __init__(self, base: str, token: str) -> None:
        self.client = httpx.AsyncClient(
            base_url=base, cookies={"safeline_session": token}, timeout=None
        )
        self.ready = asyncio.Event()
        self.arrivals: dict[int, list[float]] = {}
        self.task: asyncio.Task | None = None

    async def run(self) -> None:
        async with self.client.stream("GET", "/console/events") as stream:
            kind = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                    if kind == "ready":
                        self.ready.set()
                elif line.startswith("data: ") and kind == "message":
                    conversation_id = int(line.split('"conversation_id":')[1].rstrip("}"))
                    self.arrivals.setdefault(conversation_id, []).append(time.perf_counter())


async def live_delivery(
    base: str, tokens: list[str], phone: str, conversation_id: int, rounds: int
):
    consoles = [Console(base, token) for token in tokens]
    for console in consoles:
        console.task = asyncio.create_task(console.run())
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in consoles)), 60)
    log(f"  {len(consoles)} consoles connected to /console/events")

    validator = RequestValidator(AUTH_TOKEN)
    url = f"{base}/twilio/sms"
    viewer = httpx.AsyncClient(base_url=base, cookies={"safeline_session": tokens[0]}, timeout=30)
    last_id = 0
    first_live = await viewer.get(f"/console/conversations/{conversation_id}/live?after=0")
    if first_live.json()["messages"]:
        last_id = first_live.json()["messages"][-1]["id"]
    event_delays: list[float] = []
    seen_delays: list[float] = []
    async with httpx.AsyncClient(timeout=30) as texter:
        for round_number in range(rounds):
            body = f"bench message {round_number} {uuid.uuid4().hex[:6]}"
            fields = {
                "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": ACCOUNT_SID,
                "From": phone, "To": HOTLINE_NUMBER, "Body": body, "NumMedia": "0",
            }  # fmt: skip
            before = {id(c): len(c.arrivals.get(conversation_id, [])) for c in consoles}
            sent_at = time.perf_counter()
            response = await texter.post(
                url,
                content=urlencode(fields),
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Twilio-Signature": validator.compute_signature(url, fields),
                },
            )
            assert response.status_code == 200
            # The viewer does what the page does: wait for the event, then fetch the text.
            viewer_console = consoles[0]
            while (
                len(viewer_console.arrivals.get(conversation_id, [])) <= before[id(viewer_console)]
            ):
                await asyncio.sleep(0.001)
            while True:
                live = (
                    await viewer.get(
                        f"/console/conversations/{conversation_id}/live?after={last_id}"
                    )
                ).json()
                texts = [m["text"] for m in live["messages"]]
                if live["messages"]:
                    last_id = live["messages"][-1]["id"]
                if body in texts:
                    break
            seen_delays.append((time.perf_counter() - sent_at) * 1000)
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline and any(
                len(c.arrivals.get(conversation_id, [])) <= before[id(c)] for c in consoles
            ):
                await asyncio.sleep(0.005)
            for console in consoles:
                arrivals = console.arrivals.get(conversation_id, [])
                if len(arrivals) > before[id(console)]:
                    event_delays.append((arrivals[before[id(console)]] - sent_at) * 1000)
            await asyncio.sleep(0.3)
    await viewer.aclose()
    for console in consoles:
        console.task.cancel()
    await asyncio.gather(*(c.task for c in consoles), return_exceptions=True)
    for console in consoles:
        await console.client.aclose()
    return event_delays, seen_delays


async def measure(base: str, tokens: list[str], queued_ids, phone, conversation_id, args):
    # 100 consoles connected while the pages are measured.
    consoles = [Console(base, token) for token in tokens]
    for console in consoles:
        console.task = asyncio.create_task(console.run())
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in consoles)), 60)
    supervisor = tokens[0]
    rng = random.Random(7)
    picks = [f"/console/conversations/{rng.choice(queued_ids)}" for _ in range(args.requests)]
    for path in ("/console", "/console/queue", picks[0], "/console/supervisor"):
        await time_pages(base, supervisor, [path] * 10)  # warm up
    queue = await time_pages(base, supervisor, ["/console"] * args.requests)
    fragment = await time_pages(base, supervisor, ["/console/queue"] * args.requests)
    conversation = await time_pages(base, supervisor, picks)
    supervision = await time_pages(base, supervisor, ["/console/supervisor"] * args.requests)
    for console in consoles:
        console.task.cancel()
    await asyncio.gather(*(c.task for c in consoles), return_exceptions=True)
    for console in consoles:
        await console.client.aclose()
    log("")
    log(f"Pages, with {len(tokens)} consoles connected (sequential requests, supervisor session):")
    log(f"  queue page        /console                  {percentiles(queue)}")
    log(f"  queue live update /console/queue            {percentiles(fragment)}")
    log(f"  conversation page /console/conversations/N  {percentiles(conversation)}")
    log(f"  supervisor view   /console/supervisor       {percentiles(supervision)}")
    events, seen = await live_delivery(base, tokens, phone, conversation_id, args.rounds)
    log("")
    log("Live delivery of a texter message (webhook posted -> ...):")
    log(f"  event at each of {len(tokens)} consoles     {percentiles(events)}")
    log(f"  text on the open conversation     {percentiles(seen)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--queued", type=int, default=500, help="conversations waiting")
    parser.add_argument("--consoles", type=int, default=100)
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument("--rounds", type=int, default=20, help="texter messages for delivery")
    args = parser.parse_args()

    bindir = server_binaries()
    if bindir is None:
        print("error: PostgreSQL server not installed (scripts/install-system-deps.sh)")
        return 1
    server = PostgresServer(bindir)
    group = ProcessGroup()
    workdir = Path(tempfile.mkdtemp(prefix="safeline-bench-"))
    try:
        server_url = server.start()
        url = server_url.rsplit("/", 1)[0] + "/bench"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT", future=True)
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE bench"))
        admin.dispose()
        Database(url).upgrade()
        log(f"PostgreSQL {bindir.parent.name}; filling (COPY):")
        operator_ids, tokens = make_operators(url, args.consoles)
        waiting = fill(url, args.conversations, args.messages, args.queued, operator_ids[1:21])
        queued_ids = list(range(args.conversations - args.queued + 1, args.conversations + 1))

        hotline_port, twilio_port = free_port(), free_port()
        base = f"http://127.0.0.1:{hotline_port}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_port}",
            "PUBLIC_BASE_URL": base,
            "HOTLINE_PORT": str(hotline_port),
            "HOTLINE_SECRET_KEY": SECRET_KEY,
            "HOTLINE_VAR_DIR": str(workdir),
            "HOTLINE_ALWAYS_OPEN": "true",
            "HOTLINE_LOG_LEVEL": "WARNING",
            "RASA_URL": f"http://127.0.0.1:{free_port()}",  # waiting texts never reach Rasa
        }
        log_file = open(workdir / "hotline.log", "ab")
        group.start(
            "twilio",
            [sys.executable, "-m", "hotline.channels.fake_twilio", "--port", str(twilio_port),
             "--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN],
            env, log_file,
        )  # fmt: skip
        group.start("hotline", [sys.executable, "-m", "hotline.cli", "serve"], env, log_file)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/console/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the hotline did not start; see " + str(workdir))
            time.sleep(0.3)
        target = queued_ids[-1]
        asyncio.run(measure(base, tokens, queued_ids, waiting[-1], target, args))
        return 0
    finally:
        group.stop_all()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
