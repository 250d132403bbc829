"""The console's pages and actions: queue, conversation, live events, supervisor view, audit.

Views read and change data only through services (handoff, operators, audit) and the desk.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from hotline.audit import service as audit
from hotline.console import display
from hotline.console.web import Console, guarded, secured, wants_json
from hotline.conversations import handoff
from hotline.conversations.handoff import Acting, HandoffError
from hotline.operators import service as operators
from hotline.operators.permissions import HANDLE, READ_AUDIT, REVEAL_NUMBERS, SUPERVISE, can
from hotline.operators.service import SignedIn
from hotline.timeutil import utcnow

if TYPE_CHECKING:
    from hotline.app import Hotline

log = logging.getLogger(__name__)

WRAPUP_FILE = Path(__file__).resolve().parent.parent / "content" / "wrapup.yml"
HEARTBEAT_SECONDS = 15.0
QUEUE_ROWS = 100  # the queue page lists the first 100 waiting; the count shows them all
TRANSCRIPT_AUDIT_WINDOW = timedelta(minutes=30)
MAX_NOTES = 4000
AUTHORS = {"texter": "Texter", "bot": "Assistant", "system": "Hotline (automatic)"}


@lru_cache(maxsize=1)
def wrapup_choices() -> tuple[dict[str, str], dict[str, str]]:
    data = yaml.safe_load(WRAPUP_FILE.read_text(encoding="utf-8")) or {}
    return dict(data.get("outcomes") or {}), dict(data.get("referrals") or {})


def acting(me: SignedIn) -> Acting:
    return Acting(me.operator_id, me.display_name, me.languages, can(me.role, SUPERVISE))


class ConsoleViews:
    def __init__(self, hotline: Hotline, console: Console) -> None:
        self.hotline = hotline
        self.console = console
        self.desk = hotline.desk

    async def _in_db(self, work):
        def run():
            with self.hotline.db.session() as session:
                return work(session)

        return await run_in_threadpool(run)

    def _done(self, request: Request, target: str, **payload: Any) -> Response:
        if wants_json(request):
            return secured(JSONResponse({"ok": True, **payload}))
        return secured(RedirectResponse(target, status_code=303))

    def _refused(self, request: Request, me: SignedIn, reason: str, target: str) -> Response:
        if wants_json(request):
            return secured(JSONResponse({"ok": False, "error": reason}, status_code=409))
        return self.console.page(
            request, "error.html", me, 409, title="Not done", reason=reason, back=target
        )

    # --- queue ---------------------------------------------------------------------------------

    def _queue_context(self, session, me: SignedIn) -> dict[str, Any]:
        now = utcnow()
        presences = self.desk.presence(session, now)
        config = self.desk.config
        return {
            "view": handoff.queue_view(session, presences, me.languages, limit=QUEUE_ROWS),
            "mine": handoff.held(session, me.operator_id),
            "names": {p.operator_id: p.display_name for p in presences},
            "me_presence": next((p for p in presences if p.operator_id == me.operator_id), None),
            "open_now": config.is_open(now),
            "next_opening": None if config.is_open(now) else config.next_opening(now),
            "inactivity": config.timeouts.assignment_inactivity,
            "minutes_left": display.minutes_left,
            "now_utc": now,
        }

    @guarded(HANDLE)
    async def queue_page(self, request: Request, me: SignedIn) -> Response:
        context = await self._in_db(lambda s: self._queue_context(s, me))
        notice = {"taken": "Someone else took that conversation first."}.get(
            request.query_params.get("notice", "")
        )
        if request.query_params.get("notice") == "empty":
            notice = "Nothing is waiting for you right now."
        return self.console.page(request, "queue.html", me, notice=notice, **context)

    @guarded(HANDLE)
    async def queue_fragment(self, request: Request, me: SignedIn) -> Response:
        context = await self._in_db(lambda s: self._queue_context(s, me))
        return self.console.page(request, "_queue.html", me, **context)

    @guarded(HANDLE)
    async def claim_next(self, request: Request, me: SignedIn) -> Response:
        conversation_id = await self.desk.claim_next(acting(me))
        if conversation_id is None:
            return self._done(request, "/console?notice=empty", conversation_id=None)
        return self._done(
            request, f"/console/conversations/{conversation_id}", conversation_id=conversation_id
        )

    # --- one conversation -----------------------------------------------------------------------

    def _load_conversation(self, session, me: SignedIn, conversation_id: int):
        if not handoff.may_view(session, conversation_id, me.operator_id, can(me.role, SUPERVISE)):
            return None
        detail = handoff.detail(session, self.hotline.vault, conversation_id)
        if detail is None:
            return None
        audit.record(
            session,
            audit.Actor(me.operator_id, me.display_name),
            "transcript_opened",
            conversation_id=conversation_id,
        )
        now = utcnow()
        presences = self.desk.presence(session, now)
        return {
            "c": detail,
            "messages": handoff.transcript(session, self.hotline.vault, conversation_id),
            "presences": presences,
            "names": {o.id: o.display_name for o in operators.all_operators(session)},
            "now_utc": now,
        }

    @guarded(HANDLE)
    async def conversation_page(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        exists = await self._in_db(lambda s: handoff.state_of(s, conversation_id))
        if exists is None:
            return self.console.not_found(request, me)
        context = await self._in_db(lambda s: self._load_conversation(s, me, conversation_id))
        if context is None:
            return self.console.forbidden(request, me, "This conversation is not yours to open.")
        detail = context["c"]
        outcomes, referrals = wrapup_choices()
        return self.console.page(
            request,
            "conversation.html",
            me,
            authors=AUTHORS,
            mine=detail.assigned_operator_id == me.operator_id,
            supervise=can(me.role, SUPERVISE),
            may_reveal=can(me.role, REVEAL_NUMBERS),
            canned=self.desk.canned_replies(detail.language, me.display_name),
            outcomes=outcomes,
            referrals=referrals,
            inactivity=self.desk.config.timeouts.assignment_inactivity,
            last_id=context["messages"][-1].id if context["messages"] else 0,
            error=request.query_params.get("error"),
            **context,
        )

    @guarded(HANDLE)
    async def conversation_live(self, request: Request, me: SignedIn) -> Response:
        """New messages, delivery statuses and state, for the open conversation page (JSON)."""
        conversation_id = request.path_params["conversation_id"]
        try:
            after = max(0, int(request.query_params.get("after", "0")))
        except ValueError:
            after = 0
        vault = self.hotline.vault
        supervise = can(me.role, SUPERVISE)

        def load(session):
            if not handoff.may_view(session, conversation_id, me.operator_id, supervise):
                return None
            if not audit.recently_recorded(
                session, me.operator_id, "transcript_opened", conversation_id,
                TRANSCRIPT_AUDIT_WINDOW,
            ):  # fmt: skip
                audit.record(
                    session,
                    audit.Actor(me.operator_id, me.display_name),
                    "transcript_opened",
                    conversation_id=conversation_id,
                )
            state, assigned = handoff.state_of(session, conversation_id)
            return {
                "state": state,
                "assigned_operator_id": assigned,
                "mine": assigned == me.operator_id,
                "messages": handoff.transcript(session, vault, conversation_id, after),
                "statuses": handoff.outbound_statuses(session, conversation_id),
            }

        data = await self._in_db(load)
        if data is None:
            return self.console.forbidden(request, me, "This conversation is not yours to open.")
        tz = self.desk.config.timezone
        names = await self._operator_names()
        data["messages"] = [
            {
                "id": m.id,
                "direction": m.direction,
                "author": names.get(m.operator_id, "Operator")
                if m.author == "operator"
                else AUTHORS.get(m.author, m.author),
                "kind": m.author,
                "text": m.text,
                "status": m.status,
                "status_label": display.status_label(m.status),
                "time": display.clock(m.at, tz),
            }
            for m in data["messages"]
        ]
        data["statuses"] = {
            str(message_id): display.status_label(status)
            for message_id, status in data["statuses"].items()
        }
        return secured(JSONResponse(data))

    async def _operator_names(self) -> dict[int, str]:
        def load(session):
            return {o.id: o.display_name for o in operators.all_operators(session)}

        return await self._in_db(load)

    @guarded(HANDLE)
    async def claim(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        if not await self.desk.claim(acting(me), conversation_id):
            if wants_json(request):
                return self._refused(request, me, "Someone else took it first.", "/console")
            return secured(RedirectResponse("/console?notice=taken", status_code=303))
        return self._done(request, f"/console/conversations/{conversation_id}")

    @guarded(HANDLE)
    async def send(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        text = str((await request.form()).get("text") or "")
        page = f"/console/conversations/{conversation_id}"
        try:
            message_id = await self.desk.reply(acting(me), conversation_id, text)
        except HandoffError as error:
            return self._refused(request, me, str(error), page)
        return self._done(request, page, message_id=message_id)

    @guarded(HANDLE)
    async def activity(self, request: Request, me: SignedIn) -> Response:
        held = await self.desk.touch(acting(me), request.path_params["conversation_id"])
        return secured(JSONResponse({"ok": held}))

    @guarded(HANDLE)
    async def transfer(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        target = str((await request.form()).get("to") or "")
        page = f"/console/conversations/{conversation_id}"
        try:
            if target == "queue":
                moved = await self.desk.release(acting(me), conversation_id)
            else:
                moved = await self.desk.transfer(acting(me), conversation_id, int(target))
        except (HandoffError, ValueError) as error:
            reason = str(error) if isinstance(error, HandoffError) else "Choose an operator."
            return self._refused(request, me, reason, page)
        if not moved:
            return self._refused(request, me, "You do not hold this conversation now.", page)
        return self._done(request, "/console")

    @guarded(HANDLE)
    async def end(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        page = f"/console/conversations/{conversation_id}"
        if not await self.desk.end(acting(me), conversation_id):
            return self._refused(request, me, "You do not hold this conversation now.", page)
        return self._done(request, page)

    @guarded(HANDLE)
    async def wrapup(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        form = await request.form()
        outcomes, referrals = wrapup_choices()
        page = f"/console/conversations/{conversation_id}"
        outcome = str(form.get("outcome") or "")
        if outcome not in outcomes:
            return self._refused(request, me, "Choose an outcome.", page)
        chosen = [str(r) for r in form.getlist("referrals") if str(r) in referrals]
        notes = str(form.get("notes") or "")
        if len(notes) > MAX_NOTES:
            return self._refused(request, me, f"Notes are limited to {MAX_NOTES} characters.", page)
        done = await self.desk.complete_wrapup(
            acting(me), conversation_id, outcome=outcome, referrals=chosen, notes=notes
        )
        if not done:
            return self._refused(request, me, "This wrap-up is not open for you.", page)
        return self._done(request, "/console")

    @guarded(REVEAL_NUMBERS)
    async def reveal(self, request: Request, me: SignedIn) -> Response:
        conversation_id = request.path_params["conversation_id"]
        vault = self.hotline.vault

        def load(session):
            if not handoff.may_view(session, conversation_id, me.operator_id, True):
                return None
            number = handoff.revealed_address(session, vault, conversation_id)
            if number is not None:
                audit.record(
                    session,
                    audit.Actor(me.operator_id, me.display_name),
                    "number_revealed",
                    conversation_id=conversation_id,
                )
            return number

        number = await self._in_db(load)
        if number is None:
            return self.console.not_found(request, me)
        return secured(JSONResponse({"number": number}))

    # --- live events ---------------------------------------------------------------------------

    @guarded(HANDLE)
    async def events(self, request: Request, me: SignedIn) -> Response:
        """Server-sent events: ids of what changed; the page fetches what it may see."""
        console = self.console
        token_request = request

        async def stream():
            yield "retry: 1000\n\n"
            async with self.desk.hub.subscribe() as queue:
                yield _sse("ready", {})
                while True:
                    try:
                        first = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except asyncio.TimeoutError:
                        # Still signed in? (The check also keeps the operator "online".)
                        if await console.signed_in(token_request) is None:
                            yield _sse("signed_out", {})
                            return
                        yield ": heartbeat\n\n"
                        continue
                    batch = [first]
                    while not queue.empty():
                        batch.append(queue.get_nowait())
                    if any(event.get("type") == "closing" for event in batch):
                        return
                    for event in _dedupe(batch):
                        yield _sse(event["type"], event)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    # --- supervisor ------------------------------------------------------------------------------

    def _supervisor_context(self, session) -> dict[str, Any]:
        now = utcnow()
        config = self.desk.config
        presences = self.desk.presence(session, now)
        view = handoff.queue_view(session, presences, (), limit=0)
        local_midnight = datetime.combine(
            now.astimezone(config.timezone).date(), time(0), tzinfo=config.timezone
        )
        return {
            "view": view,
            "presences": presences,
            "held": handoff.held(session),
            "names": {p.operator_id: p.display_name for p in presences},
            "languages_today": handoff.per_language_since(session, local_midnight),
            "open_now": config.is_open(now),
            "closure": config.closure_at(now),
            "now_utc": now,
        }

    @guarded(SUPERVISE)
    async def supervisor_page(self, request: Request, me: SignedIn) -> Response:
        context = await self._in_db(self._supervisor_context)
        return self.console.page(request, "supervisor.html", me, **context)

    @guarded(SUPERVISE)
    async def supervisor_fragment(self, request: Request, me: SignedIn) -> Response:
        context = await self._in_db(self._supervisor_context)
        return self.console.page(request, "_supervisor.html", me, **context)

    # --- audit log -----------------------------------------------------------------------------

    @guarded(READ_AUDIT)
    async def audit_page(self, request: Request, me: SignedIn) -> Response:
        params = request.query_params
        action = params.get("action") or None
        if action not in audit.ACTIONS:
            action = None

        def number(name: str) -> int | None:
            try:
                return int(params[name]) if params.get(name) else None
            except ValueError:
                return None

        page = max(1, number("page") or 1)
        actor_id, conversation_id = number("actor"), number("conversation")

        def load(session):
            result = audit.search(
                session,
                action=action,
                actor_id=actor_id,
                conversation_id=conversation_id,
                limit=100,
                offset=(page - 1) * 100,
            )
            return result, operators.all_operators(session)

        result, accounts = await self._in_db(load)
        return self.console.page(
            request,
            "audit.html",
            me,
            result=result,
            accounts=accounts,
            actions=audit.ACTIONS,
            selected={"action": action, "actor": actor_id, "conversation": conversation_id},
            page=page,
            pages=max(1, -(-result.total // 100)),
        )


def _sse(kind: str, data: dict) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _dedupe(events: list[dict]) -> list[dict]:
    seen, unique = set(), []
    for event in events:
        key = (event.get("type"), event.get("conversation_id"))
        if key not in seen:
            seen.add(key)
            unique.append(event)
    return unique
