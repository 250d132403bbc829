"""`hotline chat`: lines in, the hotline's replies out, through the simulator API."""

from __future__ import annotations

import io

import pytest

from hotline import cli_chat
from hotline.cli_chat import run_chat

from .conftest import Hotline, closed_port_url


@pytest.fixture(autouse=True)
def _quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_chat, "_SETTLE_QUIET_SECONDS", 0.3)


def test_sends_lines_and_prints_replies(hotline: Hotline) -> None:
    out = io.StringIO()
    run_chat(
        hotline.base_url,
        "+15555550201",
        stdin=io.StringIO("hello\n\n  \nمرحبا\n"),
        stdout=out,
        poll_interval=0.05,
    )
    text = out.getvalue()
    assert "hotline> echo: hello" in text
    assert "hotline> echo: مرحبا" in text
    assert text.index("echo: hello") < text.index("echo: مرحبا")
    assert [f["Body"] for f in hotline.inbound if f["From"] == "+15555550201"] == [
        "hello",
        "مرحبا",
    ]


def test_history_is_not_replayed(hotline: Hotline) -> None:
    phone = "+15555550202"
    run_chat(
        hotline.base_url,
        phone,
        stdin=io.StringIO("one\n"),
        stdout=io.StringIO(),
        poll_interval=0.05,
    )
    out = io.StringIO()
    run_chat(hotline.base_url, phone, stdin=io.StringIO("two\n"), stdout=out, poll_interval=0.05)
    assert "echo: two" in out.getvalue() and "echo: one" not in out.getvalue()


def test_ends_quietly_on_empty_input(hotline: Hotline) -> None:
    out = io.StringIO()
    run_chat(hotline.base_url, "+15555550203", stdin=io.StringIO(""), stdout=out)
    assert "hotline>" not in out.getvalue()


def test_unreachable_service_exits_with_an_error() -> None:
    with pytest.raises(SystemExit) as exited:
        run_chat(closed_port_url(), "+15555550204", stdin=io.StringIO("x\n"), stdout=io.StringIO())
    assert exited.value.code == 1
