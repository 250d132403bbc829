"""`hotline chat`: text the hotline from a terminal, through the simulator's API."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

import httpx

# After end of input, wait this long for replies still on their way (scripted use: echo hi |).
_SETTLE_QUIET_SECONDS = 1.5
_SETTLE_MAX_SECONDS = 10.0


class _Replies:
    """Polls the simulator thread and prints each hotline message once."""

    def __init__(self, http: httpx.Client, phone: str, out: TextIO, interval: float) -> None:
        self._http = http
        self._phone = phone
        self._out = out
        self._interval = interval
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self.last_reply_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chat-replies", daemon=True)

    def _fetch(self) -> list[dict[str, Any]]:
        response = self._http.get("/simulator/thread", params={"phone": self._phone})
        response.raise_for_status()
        return [m for m in response.json()["messages"] if m.get("from") == "hotline"]

    def start(self) -> None:
        self._seen.update(m["id"] for m in self._fetch())  # history is not replayed
        self._thread.start()

    def poll_once(self) -> None:
        try:
            messages = self._fetch()
        except httpx.HTTPError:
            return  # the service may be restarting; keep trying
        with self._lock:
            for message in messages:
                if message["id"] in self._seen:
                    continue
                self._seen.add(message["id"])
                self.last_reply_at = time.monotonic()
                lines = str(message.get("body", "")).splitlines() or [""]
                self._out.write("hotline> " + "\n         ".join(lines) + "\n")
                self._out.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.poll_once()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def _settle(replies: _Replies, sent_at: float, interval: float) -> None:
    """Wait for the replies to the last message, then until they stop coming."""
    deadline = sent_at + _SETTLE_MAX_SECONDS
    while time.monotonic() < deadline:
        last = replies.last_reply_at
        if last > sent_at and time.monotonic() - last >= _SETTLE_QUIET_SECONDS:
            return
        time.sleep(interval / 2)


def run_chat(
    base_url: str,
    phone: str,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    poll_interval: float = 0.7,
) -> None:
    """Send each line of stdin as an SMS from `phone`; print the hotline's replies.
    Ends on end of input or Ctrl-C. Exits with status 1 if the simulator cannot be reached."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    with httpx.Client(base_url=base_url.rstrip("/"), timeout=20.0) as http:
        replies = _Replies(http, phone, out, poll_interval)
        try:
            replies.start()
        except (httpx.HTTPError, KeyError, ValueError):
            print(
                f"Cannot reach the simulator at {base_url}/simulator: is `hotline serve` "
                "running in simulator mode?",
                file=sys.stderr,
            )
            raise SystemExit(1) from None
        out.write(f"Texting the hotline as {phone}. Ctrl-D or Ctrl-C to leave.\n")
        out.flush()
        last_sent = 0.0
        try:
            for line in stdin:
                text = line.rstrip("\n")
                if not text.strip():
                    continue
                last_sent = time.monotonic()
                _send(http, phone, text)
            if last_sent:
                _settle(replies, last_sent, poll_interval)
        except KeyboardInterrupt:
            pass
        finally:
            replies.stop()
            replies.poll_once()


def _send(http: httpx.Client, phone: str, text: str) -> None:
    try:
        response = http.post("/simulator/send", json={"phone": phone, "body": text})
    except httpx.HTTPError as exc:
        print(f"(not sent: {type(exc).__name__})", file=sys.stderr)
        return
    if response.status_code >= 300:
        try:
            detail = response.json().get("error") or response.json().get("webhook_status")
        except ValueError:
            detail = response.status_code
        print(f"(not delivered: {detail})", file=sys.stderr)
