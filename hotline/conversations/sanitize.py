"""Clean inbound text before anything (keywords, Rasa, storage for display) looks at it."""

from __future__ import annotations

import re
import unicodedata

# Newline is the only control character a person's message needs.
_LINE_BREAKS = re.compile(r"\r\n|\r|\u2028|\u2029")
# C0 and C1 controls (incl. NUL and DEL) except "\n" (tabs are mapped to spaces first).
_CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c != 0x0A)
# Bidi embeddings/overrides/isolates: they let a message render differently from what it says.
# LRM/RLM/ALM marks are left alone (legitimate in RTL text), as are ZWJ/ZWNJ (needed by scripts).
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# A byte-order mark is never content.
_REMOVED = str.maketrans("", "", _CONTROLS + _BIDI_CONTROLS + "\ufeff")
_LONE_SURROGATES = re.compile("[\ud800-\udfff]")
# Invisible characters that may pad a message (stripped only at its edges).
_EDGE_INVISIBLE = frozenset("\u200b\u200e\u200f\u061c\u2060")


def _is_edge_junk(char: str) -> bool:
    return char.isspace() or char in _EDGE_INVISIBLE


def _strip_edges(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_edge_junk(text[start]):
        start += 1
    while end > start and _is_edge_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def _strip_leading_slashes(text: str) -> str:
    """Rasa reads any text starting with "/" (after its own strip()) as a forced intent."""
    while text.startswith("/"):
        text = _strip_edges(text.lstrip("/"))
    return text


def sanitize_text(raw: str, max_length: int = 1600) -> str:
    """Return `raw` as safe plain text: NFC, no control/bidi characters, no leading "/",
    at most `max_length` characters."""
    if max_length < 0:
        raise ValueError("max_length must not be negative")
    text = _LONE_SURROGATES.sub("", raw)
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    text = text.translate(_REMOVED)
    # Normalise after removal so a control between a letter and its accent cannot block NFC.
    text = unicodedata.normalize("NFC", text)
    text = _strip_leading_slashes(_strip_edges(text))
    if len(text) > max_length:
        text = _strip_edges(text[:max_length])
    return text
