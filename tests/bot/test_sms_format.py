"""The SMS helpers the gateway uses: numbered options, digit replies, segment counting."""

from __future__ import annotations

import pytest

from hotline.channels.sms_format import (
    format_for_sms,
    is_gsm7,
    message_problems,
    resolve_option,
    sms_segments,
)

YES_NO = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]


def test_buttons_become_numbered_lines_and_payloads_in_order():
    body, options = format_for_sms("Is it safe for you to text now?", YES_NO)
    assert body == "Is it safe for you to text now?\n1 Yes\n2 No"
    assert options == ["/affirm", "/deny"]


def test_text_without_buttons_is_unchanged():
    assert format_for_sms("OK.", []) == ("OK.", [])
    assert format_for_sms("OK.", None) == ("OK.", [])


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("1", "/affirm"),
        ("2", "/deny"),
        (" 2 ", "/deny"),
        ("1.", "/affirm"),
        ("(2)", "/deny"),
        ("#1!", "/affirm"),
        ("\u0661", "/affirm"),  # Arabic-Indic one
        ("\uff12", "/deny"),  # full-width two
        ("01", "/affirm"),
        ("0", None),
        ("3", None),
        ("12", None),
        ("1 yes", None),
        ("yes", None),
        ("", None),
        ("  ", None),
        ("1.5", None),
    ],
)
def test_a_reply_that_is_just_a_number_picks_an_option(reply, expected):
    assert resolve_option(reply, ["/affirm", "/deny"]) == expected


def test_no_options_means_no_choice():
    assert resolve_option("1", []) is None
    assert resolve_option("1", None) is None


def test_two_digit_options():
    options = [f"/option_{n}" for n in range(1, 13)]
    assert resolve_option("12", options) == "/option_12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("\u20ac" * 80, ("GSM-7", 1)),  # 160 septets: the euro sign is an extension character
        ("\u20ac" * 81, ("GSM-7", 2)),
        ("a" * 159 + "[", ("GSM-7", 2)),  # 161 septets
        # 306 septets, but an escape sequence never straddles two segments: 3 segments.
        ("a" * 152 + "{" + "a" * 152, ("GSM-7", 3)),
        ("Ç@£$¥èéùìòØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", ("GSM-7", 1)),
        ("\u00e1" * 70, ("UCS-2", 1)),  # á is not in GSM-7
        ("\u00e1" * 71, ("UCS-2", 2)),
        ("\u00e1" * 134, ("UCS-2", 2)),
        ("\u00e1" * 135, ("UCS-2", 3)),
        ("a" * 69 + "\u00e7", ("UCS-2", 1)),  # ç (small) is not GSM-7, Ç is
        ("\U0001f600" * 35, ("UCS-2", 1)),  # an emoji is 2 UTF-16 code units
        ("\U0001f600" * 36, ("UCS-2", 2)),
        # 67 units per part, and a surrogate pair is never split: 66 + emoji does not fit.
        ("a" * 66 + "\U0001f600" + "a" * 66, ("UCS-2", 3)),
        ("\u0645\u0631\u062d\u0628\u0627", ("UCS-2", 1)),  # Arabic
        ("It\u2019s", ("UCS-2", 1)),  # a curly apostrophe switches the whole message
    ],
)
def test_segments_are_counted_as_carriers_count_them(text, expected):
    assert sms_segments(text) == expected


def test_gsm7_detection():
    assert is_gsm7("Hello, 112 (or your local number).\n1 Yes")
    assert is_gsm7("{}[]~\\|^\u20ac")
    assert not is_gsm7("caf\u00e7")
    assert not is_gsm7("\u2014")


def test_message_problems_flags_each_rule():
    assert message_problems("OK. A person will reply here.") == []
    assert any("segments" in p for p in message_problems("a" * 307))
    assert any("police" in p for p in message_problems("Call the police if you need to."))
    assert message_problems("x" * 41 + " police") == []  # outside the preview
    assert any("emoji" in p for p in message_problems("Hello \U0001f600"))
    assert any("curly" in p for p in message_problems("It\u2019s OK"))
    assert any("GSM-7" in p for p in message_problems("Total: 5\u20ac"))
    assert any("GSM-7" in p for p in message_problems("Hello {name}"))
    assert message_problems("\u041f\u0440\u0438\u0432\u0435\u0442", gsm7_language=False) == []
    assert any("empty" in p for p in message_problems(" "))
