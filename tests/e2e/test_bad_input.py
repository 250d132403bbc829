"""Forged and malformed webhooks: a clear 4xx or a polite reply; never a 5xx or a lost message."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import pytest
from twilio.request_validator import RequestValidator

from tests.e2e.stack import AUTH_TOKEN


def count_inbound(stack) -> int:
    return stack.sql("SELECT count(*) FROM message WHERE direction = 'in'")[0][0]


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("Zm9yZ2Vk", id="forged"),
        pytest.param(
            RequestValidator("wrong-token").compute_signature("http://x/twilio/sms", {}),
            id="other-token",
        ),
    ],
)
def test_unsigned_or_forged_webhooks_are_refused_and_not_stored(stack, texter, signature):
    before = count_inbound(stack)
    response = texter.webhook(texter.fields("hello"), signature=signature)
    assert response.status_code == 403
    assert count_inbound(stack) == before


def test_a_signature_for_another_url_is_refused(stack, texter):
    before = count_inbound(stack)
    response = texter.webhook(texter.fields("hello"), url="https://evil.example/twilio/sms")
    assert response.status_code == 403
    assert count_inbound(stack) == before


def test_a_changed_body_breaks_the_signature(stack, texter):
    fields = texter.fields("hello")
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{stack.hotline_url}/twilio/sms", fields
    )
    response = texter.webhook({**fields, "Body": "tampered"}, signature=signature)
    assert response.status_code == 403


def signed_raw(stack, raw: str, fields: dict[str, str], content_type: str):
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        f"{stack.hotline_url}/twilio/sms", fields
    )
    return httpx.post(
        f"{stack.hotline_url}/twilio/sms",
        content=raw.encode("latin-1") if isinstance(raw, str) else raw,
        headers={"Content-Type": content_type, "X-Twilio-Signature": signature},
        timeout=10,
    )


@pytest.mark.parametrize(
    "change, expected",
    [
        pytest.param({"MessageSid": None}, 400, id="missing-sid"),
        pytest.param({"From": None}, 400, id="missing-from"),
        pytest.param({"Body": None}, 200, id="missing-body"),
        pytest.param({"Body": ""}, 200, id="empty-body"),
        pytest.param({"Body": "x" * 10_000}, 200, id="10kB-body"),
        pytest.param({"Body": "hi\x00there\u202e\u2066evil"}, 200, id="nul-and-bidi"),
        pytest.param({"Body": "<script>alert(1)</script>"}, 200, id="html"),
        pytest.param({"Body": "\U0001f600 \u0645\u0631\u062d\u0628\u0627"}, 200, id="emoji-rtl"),
        pytest.param({"NumMedia": "lots"}, 400, id="bad-num-media"),
        pytest.param({"From": "+1" * 100}, 400, id="huge-from"),
    ],
)
def test_malformed_forms_get_4xx_or_a_reply_never_5xx(stack, texter, change, expected):
    fields = texter.fields("hello")
    for name, value in change.items():
        if value is None:
            fields.pop(name)
        else:
            fields[name] = value
    before = count_inbound(stack)
    response = texter.webhook(fields)
    assert response.status_code == expected, response.text
    if expected == 200:
        assert count_inbound(stack) == before + 1
        stack.wait_turn_done(fields["MessageSid"])
        assert texter.new_replies(), "a stored message always gets an answer"
    else:
        assert count_inbound(stack) == before


def test_invalid_utf8_percent_encoding_is_a_clear_400(stack, texter):
    fields = texter.fields("hello")
    raw = urlencode(fields).replace("Body=hello", "Body=%FF%FEhello")
    response = signed_raw(stack, raw, fields, "application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_unknown_content_type_is_415(stack, texter):
    fields = texter.fields("hello")
    response = signed_raw(stack, '{"Body": "hello"}', fields, "application/json")
    assert response.status_code == 415


def test_an_oversized_request_is_413(stack, texter):
    fields = texter.fields("x" * 100_000)
    response = texter.webhook(fields)
    assert response.status_code == 413


def test_status_callbacks_need_a_signature_too(stack):
    response = httpx.post(
        f"{stack.hotline_url}/twilio/status",
        data={"MessageSid": "SMx", "MessageStatus": "delivered"},
        timeout=10,
    )
    assert response.status_code == 403
