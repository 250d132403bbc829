"""SMS text rules, as pure functions: numbered options, digit replies, segment counting.

No Rasa import: the gateway and the bot tests both use these.

- `format_for_sms(text, buttons)`: the SMS body with the options appended as "1 Yes" lines,
  and the option payloads in the same order.
- `resolve_option(reply, options)`: "1" (or " 1. ") means the first payload; anything else None.
- `sms_segments(text)`: ("GSM-7" | "UCS-2", number of segments) as carriers count them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# 3GPP TS 23.038 default alphabet (without the escape code 0x1B, which is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each character is sent as escape + character, so it costs 2 septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE_SEGMENT = 160  # septets
GSM7_MULTI_SEGMENT = 153  # septets per part once a user-data header is needed
UCS2_SINGLE_SEGMENT = 70  # UTF-16 code units
UCS2_MULTI_SEGMENT = 67

_DIGIT_REPLY = re.compile(r"^[\W_]*(\d+)[\W_]*$")


def format_for_sms(text: str, buttons: Sequence[dict]) -> tuple[str, list[str]]:
    """The SMS body for a message and its buttons, and the buttons' payloads in order.

    Buttons become numbered lines after the text ("1 Yes", "2 No"); a texter answers with the
    digit (see `resolve_option`) or in their own words.
    """
    body = (text or "").strip()
    lines: list[str] = []
    payloads: list[str] = []
    for number, button in enumerate(buttons or [], start=1):
        title = str(button.get("title") or "").strip()
        lines.append(f"{number} {title}".rstrip())
        payloads.append(str(button.get("payload") or title))
    if lines:
        body = "\n".join([body, *lines]) if body else "\n".join(lines)
    return body, payloads


def resolve_option(reply: str, options: Sequence[str] | None) -> str | None:
    """The payload a numbered reply chooses, or None if the reply is not just a valid number.

    "2", " 2 ", "2.", "(2)" choose the second option; digits of any script count ("٢" is 2).
    """
    if not reply or not options:
        return None
    match = _DIGIT_REPLY.match(reply.strip())
    if not match:
        return None
    number = int("".join(str(unicodedata.decimal(char)) for char in match.group(1)))
    if 1 <= number <= len(options):
        return options[number - 1]
    return None


def is_gsm7(text: str) -> bool:
    """True if every character of `text` can be sent in the GSM 7-bit alphabet."""
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _segments(costs: Sequence[int], single: int, multi: int) -> int:
    """Segments for a sequence of indivisible units (a unit never straddles two segments)."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


def sms_segments(text: str) -> tuple[str, int]:
    """The encoding a phone network uses for `text` and how many SMS segments it takes.

    GSM-7: 160 septets in one segment, 153 per segment beyond that; extension characters
    (^ { } [ ] ~ \\ | € and form feed) take 2 septets and are never split across segments.
    Anything outside GSM-7 makes the whole message UCS-2: 70 UTF-16 code units in one segment,
    67 per segment beyond that; a surrogate pair (e.g. an emoji) is never split.
    An empty text takes 0 segments.
    """
    if is_gsm7(text):
        costs = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return GSM7, _segments(costs, GSM7_SINGLE_SEGMENT, GSM7_MULTI_SEGMENT)
    costs = [len(char.encode("utf-16-le")) // 2 for char in text]
    return UCS2, _segments(costs, UCS2_SINGLE_SEGMENT, UCS2_MULTI_SEGMENT)
