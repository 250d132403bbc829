"""Unicode scripts of characters, without a table to maintain: the first word of a character's
Unicode name ("THAI CHARACTER KO KAI" → THAI). Used by the tokenizer (which scripts are written
without spaces) and the language detector (which languages a text can be in)."""

from __future__ import annotations

import unicodedata
from collections import Counter

# Scripts whose words are not separated by spaces (the first word of each character's Unicode
# name). The tokenizer's default (config.yml may override it there) and the country finder.
UNSPACED_SCRIPTS = (
    "THAI",
    "LAO",
    "KHMER",
    "MYANMAR",
    "CJK",
    "HIRAGANA",
    "KATAKANA",
    "TIBETAN",
)


def script_of(char: str) -> str:
    """The script of a character ("LATIN", "ARABIC", "THAI", "CJK", ...; "" if unnamed)."""
    name = unicodedata.name(char, "")
    if name.startswith("CJK"):
        return "CJK"
    return name.split(" ", 1)[0] if name else ""


def letter_scripts(text: str) -> Counter[str]:
    """How many letters (and combining marks) of `text` are in each script."""
    return Counter(script_of(char) for char in text if unicodedata.category(char)[0] in "LM")


def main_script(text: str) -> str | None:
    """The script of most of the letters of `text`, or None if it has no letters."""
    counts = letter_scripts(text)
    return counts.most_common(1)[0][0] if counts else None
