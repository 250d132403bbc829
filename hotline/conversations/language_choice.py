"""The language menu and the replies that choose from it, as pure functions (no database).

The menu lists every language of locales/languages.yml in its own name, one per line, numbered
in the order of that file: "1 English", "2 Español", "5 العربية", ... A language keeps its
number on every page, so a digit always means the same language, whatever page was shown.

The menu mixes scripts, so it is always sent in UCS-2: 67 characters per segment. A page holds
as many lines as fit in `max_segments` segments (2 by default, CONTENT.md rule 7); when the
languages do not all fit, the page ends with "0 >>" and "0" shows the next page (the last page
leads back to the first). Twelve languages fit on one page (125 characters); a thirteenth opens
a second page. No words are added around the list: any words would be in one language only,
and the names speak for themselves.

A reply chooses a language by its number (digits of any script: "٣", "３"), by its name in
itself, in English or in any other listed language as CLDR spells it ("Spanish", "espagnol",
"испанский"), by an alias from languages.yml, or by its code; accents and case do not matter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from bot.languages import Language, load_languages
from bot.normalise import normalise_choice
from hotline.channels.sms_format import sms_segments

MORE = "0"
MORE_LINE = "0 >>"
DEFAULT_MAX_SEGMENTS = 2
_NUMBERED = re.compile(r"^\W*(\d+)(?:\W+(.*))?$", re.DOTALL)


@dataclass(frozen=True)
class MenuPage:
    text: str
    codes: tuple[str, ...]  # the languages shown on this page
    page: int
    pages: int


def _line(number: int, language: Language) -> str:
    return f"{number} {language.native_name}"


def _fits(lines: Sequence[str], max_segments: int) -> bool:
    return sms_segments("\n".join(lines))[1] <= max_segments


def menu_pages(
    languages: Sequence[Language] | None = None, max_segments: int = DEFAULT_MAX_SEGMENTS
) -> list[list[int]]:
    """The 1-based language numbers on each page (each page within `max_segments`)."""
    languages = list(load_languages() if languages is None else languages)
    numbered = [(number, _line(number, lang)) for number, lang in enumerate(languages, 1)]
    if _fits([line for _, line in numbered], max_segments):
        return [[number for number, _ in numbered]]
    pages: list[list[int]] = []
    current: list[tuple[int, str]] = []
    for number, line in numbered:
        if current and not _fits([*(text for _, text in current), line, MORE_LINE], max_segments):
            pages.append([n for n, _ in current])
            current = []
        current.append((number, line))
    if current:
        pages.append([n for n, _ in current])
    return pages


def language_menu(
    page: int = 0,
    languages: Sequence[Language] | None = None,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> MenuPage:
    """One page of the numbered language menu (page numbers wrap around)."""
    languages = list(load_languages() if languages is None else languages)
    pages = menu_pages(languages, max_segments)
    page %= len(pages)
    lines = [_line(number, languages[number - 1]) for number in pages[page]]
    if len(pages) > 1:
        lines.append(MORE_LINE)
    return MenuPage(
        text="\n".join(lines),
        codes=tuple(languages[number - 1].code for number in pages[page]),
        page=page,
        pages=len(pages),
    )


def _fold(text: str) -> str:
    """Case, accents on Latin, Greek and Cyrillic letters, punctuation and spacing ignored.

    Marks that are part of other scripts (Thai vowels, Devanagari signs) are kept.
    """
    text = unicodedata.normalize("NFKD", normalise_choice(text).casefold())
    kept, previous = [], ""
    for char in text:
        if unicodedata.combining(char) and previous and ord(previous) < 0x0530:
            continue
        kept.append(char)
        if not unicodedata.combining(char):
            previous = char
    text = unicodedata.normalize("NFC", "".join(kept))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


def _cldr_names(code: str, codes: Sequence[str]) -> set[str]:
    try:
        locale = Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return set()
    names = {locale.english_name or ""}
    for other in codes:
        try:
            names.add(locale.get_language_name(other) or "")
        except (UnknownLocaleError, ValueError):
            continue
    return names


@lru_cache(maxsize=8)
def _name_index(languages: tuple[Language, ...]) -> dict[str, str]:
    codes = [language.code for language in languages]
    owners: dict[str, set[str]] = {}
    for language in languages:
        names = {language.code, language.name, language.native_name, *language.aliases}
        names |= _cldr_names(language.code, codes)
        for name in names:
            folded = _fold(name)
            if folded:
                owners.setdefault(folded, set()).add(language.code)
    # A name that could mean two languages chooses neither.
    return {name: next(iter(codes)) for name, codes in owners.items() if len(codes) == 1}


def resolve_language_reply(reply: str, languages: Sequence[Language] | None = None) -> str | None:
    """The language code a reply to the menu chooses, or None.

    "2", "2.", "٢", "2 Español", "espanol", "Spanish", "es" → "es". "0" (next page) is not a
    language: see `wants_more`.
    """
    languages = tuple(load_languages() if languages is None else languages)
    text = normalise_choice(reply or "").strip()
    if not text:
        return None
    numbered = _NUMBERED.match(text)
    if numbered:
        number = int(numbered.group(1))
        return languages[number - 1].code if 1 <= number <= len(languages) else None
    return _name_index(languages).get(_fold(text))


def wants_more(reply: str) -> bool:
    """Whether the reply asks for the next page of the menu ("0", "٠")."""
    return normalise_choice(reply or "").strip(" .)") == MORE
