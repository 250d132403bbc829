"""Text normalisation before keywords, menus and NLU: the same function in the gateway and in
Rasa (bot/nlu_normaliser.py), so what the model was trained on is what it is asked.

- Burmese typed in the Zawgyi font encoding → Unicode Burmese (Zawgyi detected with Google's
  model from `myanmartools`, converted with the rule tables of `python-myanmar`).
- Arabic: tashkeel (short-vowel marks) and tatweel removed; alef forms (أ إ آ ٱ) → ا;
  alef maksura ى → ي; hamza on waw/ya (ؤ ئ) → و ي; ta marbuta ة → ه. Texters write all of
  these interchangeably; the assistant's own replies are never normalised.
- Digits of every script (Arabic-Indic ٣, Persian ۳, Devanagari ३, Thai ๓, Burmese ၃, full-width
  ３, …) → ASCII, so "٢" chooses option 2 and NLU sees one form of a number.
- Full-width and half-width forms (ＳＴＯＰ) and Arabic presentation forms → their plain letters
  (Unicode compatibility normalisation, applied to those blocks only).

Pure functions, no Rasa import. Every function is idempotent.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Zawgyi text is converted when the detector is at least this sure (Google recommends 0.95).
ZAWGYI_THRESHOLD = 0.95

_TASHKEEL = (
    "\u0610\u0611\u0612\u0613\u0614\u0615\u0616\u0617\u0618\u0619\u061a"
    + "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e3\u06e4"
)
_TATWEEL = "\u0640"
_ARABIC_LETTERS = {
    "\u0622": "\u0627",  # آ alef with madda
    "\u0623": "\u0627",  # أ alef with hamza above
    "\u0625": "\u0627",  # إ alef with hamza below
    "\u0671": "\u0627",  # ٱ alef wasla
    "\u0649": "\u064a",  # ى alef maksura → ya
    "\u0624": "\u0648",  # ؤ waw with hamza → waw
    "\u0626": "\u064a",  # ئ ya with hamza → ya
    "\u0629": "\u0647",  # ة ta marbuta → ha
}
_ARABIC_TABLE = str.maketrans({**_ARABIC_LETTERS, **dict.fromkeys(_TASHKEEL + _TATWEEL)})

# Blocks normalised with NFKC: Arabic presentation forms A and B, half-/full-width forms.
_COMPATIBILITY_BLOCKS = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF00, 0xFFEF))


def _in_compatibility_block(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _COMPATIBILITY_BLOCKS)


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit ("٢٣" → "23")."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if not char.isascii() and char.isdecimal() else char
        for char in text
    )


def compatibility_forms(text: str) -> str:
    """Full-width/half-width forms and Arabic presentation forms as plain characters."""
    if text.isascii():
        return text
    return "".join(
        unicodedata.normalize("NFKC", char) if _in_compatibility_block(char) else char
        for char in text
    )


def normalise_arabic(text: str) -> str:
    """Arabic letters in one spelling: no tashkeel or tatweel, one alef, ya, waw and ha."""
    return text.translate(_ARABIC_TABLE)


def _has_myanmar(text: str) -> bool:
    return any("\u1000" <= char <= "\u109f" for char in text)


@lru_cache(maxsize=1)
def _zawgyi_detector():
    from myanmartools import ZawgyiDetector

    return ZawgyiDetector()


def zawgyi_probability(text: str) -> float:
    """How likely it is that `text` is Burmese in the Zawgyi encoding (0 if no Burmese)."""
    if not _has_myanmar(text):
        return 0.0
    return float(_zawgyi_detector().get_zawgyi_probability(text))


def is_zawgyi(text: str, threshold: float = ZAWGYI_THRESHOLD) -> bool:
    return zawgyi_probability(text) >= threshold


def zawgyi_to_unicode(text: str) -> str:
    """Zawgyi-encoded Burmese as Unicode Burmese (the text must be Zawgyi)."""
    from myanmar.converter import convert

    return unicodedata.normalize("NFC", convert(text, "zawgyi", "unicode"))


def burmese_unicode(text: str, threshold: float = ZAWGYI_THRESHOLD) -> str:
    """`text` with Burmese in Unicode: converted if it looks like Zawgyi, else unchanged."""
    return zawgyi_to_unicode(text) if is_zawgyi(text, threshold) else text


def normalise_choice(text: str) -> str:
    """For menu choices and keywords: ASCII digits and plain (not full-width) letters."""
    return ascii_digits(compatibility_forms(text))


def normalise_text(text: str) -> str:
    """The whole normalisation, in order: NFC, Zawgyi → Unicode, compatibility forms, Arabic,
    digits. For NLU (training and prediction) and for the gateway's keyword matching."""
    if not text:
        return text
    text = unicodedata.normalize("NFC", text)
    text = burmese_unicode(text)
    text = compatibility_forms(text)
    text = normalise_arabic(text)
    return ascii_digits(text)
