"""SMS text rules, as pure functions: numbered options, digit replies, segment counting.

No Rasa import: the gateway and the bot tests both use these.

- `format_for_sms(text, buttons)`: the SMS body with the options appended as "1 Yes" lines,
  and the option payloads in the same order.
- `resolve_option(reply, options)`: "1" (or " 1. ") means the first payload; anything else None.
- `sms_segments(text)`: ("GSM-7" | "UCS-2", number of segments) as carriers count them.
- `message_problems(body)`: what breaks the content rules for one SMS (budget, preview, ...).
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


MAX_SEGMENTS_UCS2 = 3  # a language written in UCS-2 may use 3 segments (201 characters)


def fits_budget(body: str) -> bool:
    """Whether `body` fits one SMS of its encoding's budget: 2 segments in GSM-7, 3 in UCS-2."""
    encoding, segments = sms_segments(body)
    return segments <= (MAX_SEGMENTS if encoding == GSM7 else MAX_SEGMENTS_UCS2)


def split_for_sms(body: str) -> list[str]:
    """`body` as one SMS when it fits its budget, else as several, cut at line breaks (a line
    too long for one SMS at spaces), each within budget.

    Only listings of directory data outgrow the budget (the texts themselves are checked to fit,
    bot/catalog_check.py): in a UCS-2 language every character of a listed phone line costs
    double, and two short SMS are cheaper and easier to read than one of five segments.
    """
    if fits_budget(body):
        return [body]
    parts: list[str] = []
    current = ""
    for line in body.split("\n"):
        for piece in _pieces(line):
            candidate = f"{current}\n{piece}" if current else piece
            if current and not fits_budget(candidate):
                parts.append(current)
                current = piece
            else:
                current = candidate
    if current:
        parts.append(current)
    return parts


def _pieces(line: str) -> list[str]:
    """The line, or its words packed into pieces that each fit the budget."""
    if fits_budget(line):
        return [line]
    pieces: list[str] = []
    for word in line.split(" "):
        if pieces and fits_budget(f"{pieces[-1]} {word}"):
            pieces[-1] = f"{pieces[-1]} {word}"
        else:
            pieces.append(word)
    return pieces


# Words that must not show in a lock-screen preview (CONTENT.md rule 8), as stems.
PREVIEW_LENGTH = 40
PREVIEW_STEMS = ("traffick", "police", "escap", "abus", "victim")
MAX_SEGMENTS = 2
# Typographic characters that push a message out of GSM-7 (CONTENT.md rule 7).
TYPOGRAPHIC = frozenset("\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u2013\u2014\u2015\u2026\u00a0")


def _is_emoji(char: str) -> bool:
    return ord(char) > 0xFFFF or unicodedata.category(char) == "So" or char in "\ufe0f\u20e3"


def message_problems(body: str, gsm7_language: bool = True) -> list[str]:
    """What breaks the rules for one outgoing SMS body (empty list: it is fine).

    Checks the 2-segment budget, the lock-screen preview, emoji, and, for languages written in
    GSM-7 (English, ...), characters that would switch the message to UCS-2, including
    GSM-7's own costly extension characters.
    """
    problems = []
    encoding, segments = sms_segments(body)
    if not body.strip():
        problems.append("empty message")
    if segments > MAX_SEGMENTS:
        problems.append(f"{segments} segments in {encoding} (at most {MAX_SEGMENTS})")
    preview = body[:PREVIEW_LENGTH].casefold()
    for stem in PREVIEW_STEMS:
        if stem in preview:
            problems.append(f"'{stem}' in the first {PREVIEW_LENGTH} characters")
    emoji = sorted({char for char in body if _is_emoji(char)})
    if emoji:
        problems.append(f"emoji: {' '.join(emoji)}")
    if gsm7_language:
        typographic = sorted({char for char in body if char in TYPOGRAPHIC})
        if typographic:
            problems.append(f"curly quotes, long dashes or similar: {typographic}")
        outside = sorted({c for c in body if c not in GSM7_BASIC and c not in TYPOGRAPHIC})
        outside = [char for char in outside if not _is_emoji(char)]
        if outside:
            problems.append(f"not GSM-7 (or costly GSM-7 extension characters): {outside}")
    return problems
