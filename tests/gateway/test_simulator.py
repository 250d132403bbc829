"""Simulator mode: page, signed webhook posts, and the thread, against a stand-in webhook."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from twilio.request_validator import RequestValidator

from hotline.channels.fake_twilio import SIMULATED_HOTLINE_NUMBER
from hotline.channels.simulator import (
    DEFAULT_TEXTER_NUMBER,
    inbound_sms_params,
    post_signed_sms,
)

from .conftest import ACCOUNT_SID, AUTH_TOKEN, Hotline, wait_until

ASSETS = Path(__file__).resolve().parents[2] / "hotline" / "channels" / "simulator_assets"


def _send(hotline: Hotline, **payload: object) -> httpx.Response:
    return httpx.post(f"{hotline.base_url}/simulator/send", json=payload, timeout=10)


def _thread(hotline: Hotline, phone: str) -> list[dict]:
    response = httpx.get(f"{hotline.base_url}/simulator/thread", params={"phone": phone})
    assert response.status_code == 200
    return response.json()["messages"]


def _inbound_for(hotline: Hotline, sid: str) -> dict[str, str]:
    return wait_until(lambda: next((f for f in hotline.inbound if f["MessageSid"] == sid), None))


def test_page_is_served_with_a_strict_policy(hotline: Hotline) -> None:
    response = httpx.get(f"{hotline.base_url}/simulator")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert 'id="thread"' in response.text and DEFAULT_TEXTER_NUMBER in response.text
    script = httpx.get(f"{hotline.base_url}/simulator/simulator.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_script_never_renders_html() -> None:
    script = (ASSETS / "simulator.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "textContent" in script and 'dir = "auto"' in script


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_script_parses() -> None:
    subprocess.run(["node", "--check", str(ASSETS / "simulator.js")], check=True)


def test_send_posts_a_signed_twilio_webhook(hotline: Hotline) -> None:
    response = _send(hotline, phone="+15555550101", body="Hello there")
    assert response.status_code == 200
    result = response.json()
    assert result["ok"] is True and result["webhook_status"] == 200
    form = _inbound_for(hotline, result["sid"])
    assert re.fullmatch(r"SM[0-9a-f]{32}", form["MessageSid"])
    assert form["AccountSid"] == ACCOUNT_SID
    assert (form["From"], form["To"]) == ("+15555550101", SIMULATED_HOTLINE_NUMBER)
    assert (form["Body"], form["NumMedia"]) == ("Hello there", "0")


def test_thread_shows_both_sides_in_order_with_delivery(hotline: Hotline) -> None:
    phone = "+15555550102"
    _send(hotline, phone=phone, body="first")
    wait_until(lambda: len(_thread(hotline, phone)) == 2)
    _send(hotline, phone=phone, body="second")
    messages = wait_until(
        lambda: (
            (m := _thread(hotline, phone))
            and len(m) == 4
            and all(x["status"] == "delivered" for x in m if x["from"] == "hotline")
            and m
        )
    )
    assert [(m["from"], m["body"]) for m in messages] == [
        ("texter", "first"),
        ("hotline", "echo: first"),
        ("texter", "second"),
        ("hotline", "echo: second"),
    ]
    assert [m["at"] for m in messages] == sorted(m["at"] for m in messages)
    # The status callbacks reached the service, signed.
    hotline_sids = {m["id"] for m in messages if m["from"] == "hotline"}
    delivered = {s["MessageSid"] for s in hotline.statuses if s["MessageStatus"] == "delivered"}
    assert hotline_sids <= delivered


def test_threads_are_per_phone(hotline: Hotline) -> None:
    _send(hotline, phone="+15555550103", body="mine")
    wait_until(lambda: len(_thread(hotline, "+15555550103")) == 2)
    assert _thread(hotline, "+15555550104") == []


def test_unicode_and_rtl_text_round_trip(hotline: Hotline) -> None:
    phone = "+15555550105"
    body = "مرحبا، أحتاج مساعدة\nแรงงาน"
    result = _send(hotline, phone=phone, body=body).json()
    assert _inbound_for(hotline, result["sid"])["Body"] == body
    messages = wait_until(lambda: (m := _thread(hotline, phone)) and len(m) == 2 and m)
    assert [m["body"] for m in messages] == [body, "echo: " + body]


def test_whatsapp_toggle_prefixes_both_numbers(hotline: Hotline) -> None:
    phone = "+15555550106"
    result = _send(hotline, phone=phone, body="via whatsapp", whatsapp=True).json()
    form = _inbound_for(hotline, result["sid"])
    assert form["From"] == "whatsapp:" + phone
    assert form["To"] == "whatsapp:" + SIMULATED_HOTLINE_NUMBER
    assert form["WaId"] == phone.lstrip("+")
    messages = wait_until(lambda: (m := _thread(hotline, phone)) and len(m) == 2 and m)
    assert {m["channel"] for m in messages} == {"whatsapp"}


def test_media_is_announced_like_twilio(hotline: Hotline) -> None:
    url = "https://demo.twilio.com/owl.png"
    result = _send(hotline, phone="+15555550107", body="", media=[url]).json()
    form = _inbound_for(hotline, result["sid"])
    assert (form["NumMedia"], form["MediaUrl0"], form["Body"]) == ("1", url, "")
    assert form["MediaContentType0"].startswith("image/")


@pytest.mark.parametrize(
    "payload",
    [
        {"phone": "555", "body": "x"},
        {"phone": "+15555550108", "body": ""},
        {"phone": "+15555550108", "body": 5},
        {"phone": "+15555550108", "body": "x" * 1601},
        {"phone": "+15555550108", "body": "x", "media": "not-a-list"},
        {"phone": "+15555550108", "body": "x", "media": ["https://a.example/x.png"] * 11},
    ],
)
def test_bad_requests_are_refused(hotline: Hotline, payload: dict) -> None:
    assert _send(hotline, **payload).status_code == 400


def test_thread_needs_a_phone(hotline: Hotline) -> None:
    response = httpx.get(f"{hotline.base_url}/simulator/thread", params={"phone": "nope"})
    assert response.status_code == 400


def test_a_refused_webhook_is_reported(hotline: Hotline) -> None:
    phone = "+15555550109"
    hotline.reject_webhook = True
    try:
        response = _send(hotline, phone=phone, body="x")
    finally:
        hotline.reject_webhook = False
    assert response.status_code == 502
    assert response.json()["webhook_status"] == 403
    [message] = _thread(hotline, phone)
    assert message["status"] == "webhook answered 403"


def test_fake_twilio_is_mounted(hotline: Hotline) -> None:
    response = httpx.get(
        f"{hotline.base_url}/simulator/twilio/_captured", params={"to": "+15555550101"}
    )
    assert response.status_code == 200
    assert all(m["to"] == "+15555550101" for m in response.json())


def test_post_signed_sms_signs_like_twilio(hotline: Hotline) -> None:
    posted = asyncio.run(
        post_signed_sms(
            hotline.settings, from_="+15555550110", body="direct", message_sid="SM" + "0" * 32
        )
    )
    assert posted.status_code == 200
    assert posted.message_sid == "SM" + "0" * 32
    form = _inbound_for(hotline, posted.message_sid)
    assert form == posted.params
    # Signed with the wrong token, the same request is refused.
    wrong = replace(hotline.settings, twilio_auth_token="not-the-token")
    assert asyncio.run(post_signed_sms(wrong, from_="+15555550110", body="x")).status_code == 403


def test_inbound_params_signature_matches_validator() -> None:
    params = inbound_sms_params(
        ACCOUNT_SID, from_="+15555550111", to=SIMULATED_HOTLINE_NUMBER, body="hi"
    )
    url = "https://hotline.example.org/twilio/sms"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    assert RequestValidator(AUTH_TOKEN).validate(url, params, signature)
    assert params["MessageSid"] == params["SmsSid"] == params["SmsMessageSid"]
    assert params["NumMedia"] == "0" and params["SmsStatus"] == "received"
