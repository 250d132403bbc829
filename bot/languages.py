"""The language registry: locales/languages.yml, loaded and checked.

    python -m bot.languages codes            # every supported code, one line
    python -m bot.languages catalog-codes    # the codes that have a gettext catalog

No Rasa import: the NLG, the NLU components, the gateway and the Makefile all use it.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES_FILE = REPO_ROOT / "locales" / "languages.yml"

DIRECTIONS = ("ltr", "rtl")
REVIEW_STATES = ("draft", "reviewed")
_CODE = re.compile(r"^[a-z]{2,3}$")
_FIELDS = {
    "code",
    "name",
    "native_name",
    "direction",
    "gsm7",
    "gsm7_avoid",
    "say",
    "review",
    "aliases",
    "preview_avoid",
}
_REQUIRED = _FIELDS - {"aliases", "gsm7_avoid", "preview_avoid"}


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in English, for staff
    native_name: str  # in the language itself, for texters
    direction: str  # "ltr" | "rtl"
    gsm7: bool  # replies are written to fit GSM-7
    gsm7_avoid: str  # letters of the language written without accent to stay in GSM-7
    say_language: str | None  # Twilio <Say language=...>
    say_voice: str | None  # Twilio <Say voice=...>
    review: str  # "draft" | "reviewed"
    aliases: tuple[str, ...] = ()
    preview_avoid: tuple[str, ...] = ()  # word stems kept out of lock-screen previews

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def reviewed(self) -> bool:
        return self.review == "reviewed"


@dataclass(frozen=True)
class LanguageRegistry:
    source_language: str
    languages: tuple[Language, ...]

    def codes(self) -> tuple[str, ...]:
        return tuple(language.code for language in self.languages)

    def get(self, code: str) -> Language | None:
        return next((language for language in self.languages if language.code == code), None)

    def catalog_codes(self) -> tuple[str, ...]:
        """The languages that are translated from the source language (one catalog each)."""
        return tuple(code for code in self.codes() if code != self.source_language)


def _fail(path: Path, message: str) -> None:
    raise ValueError(f"{path}: {message}")


def _language(path: Path, entry: Any, index: int) -> Language:
    where = f"languages[{index}]"
    if not isinstance(entry, dict):
        _fail(path, f"{where} must be a mapping")
    unknown = set(entry) - _FIELDS
    if unknown:
        _fail(path, f"{where} has unknown fields {sorted(unknown)}")
    missing = _REQUIRED - set(entry)
    if missing:
        _fail(path, f"{where} lacks {sorted(missing)}")
    code = entry["code"]
    if not isinstance(code, str) or not _CODE.match(code):
        _fail(path, f"{where}: code {code!r} is not a lower-case ISO 639 code")
    where = f"language {code!r}"
    for field in ("name", "native_name"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            _fail(path, f"{where}: {field} must be a non-empty string")
    if entry["direction"] not in DIRECTIONS:
        _fail(path, f"{where}: direction must be one of {DIRECTIONS}")
    if not isinstance(entry["gsm7"], bool):
        _fail(path, f"{where}: gsm7 must be true or false")
    avoid = entry.get("gsm7_avoid") or ""
    if not isinstance(avoid, str):
        _fail(path, f"{where}: gsm7_avoid must be a string of letters")
    if avoid and not entry["gsm7"]:
        _fail(path, f"{where}: gsm7_avoid only makes sense when gsm7 is true")
    if entry["review"] not in REVIEW_STATES:
        _fail(path, f"{where}: review must be one of {REVIEW_STATES}")
    say = entry["say"]
    if say is not None:
        if not isinstance(say, dict) or set(say) != {"language", "voice"}:
            _fail(path, f"{where}: say must be null or {{language: ..., voice: ...}}")
        if not all(isinstance(value, str) and value for value in say.values()):
            _fail(path, f"{where}: say.language and say.voice must be non-empty strings")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        _fail(path, f"{where}: aliases must be a list of names")
    preview_avoid = entry.get("preview_avoid") or []
    if not isinstance(preview_avoid, list) or not all(
        isinstance(stem, str) and stem for stem in preview_avoid
    ):
        _fail(path, f"{where}: preview_avoid must be a list of word stems")
    return Language(
        preview_avoid=tuple(stem.casefold() for stem in preview_avoid),
        code=code,
        name=entry["name"].strip(),
        native_name=entry["native_name"].strip(),
        direction=entry["direction"],
        gsm7=entry["gsm7"],
        gsm7_avoid=avoid,
        say_language=say["language"] if say else None,
        say_voice=say["voice"] if say else None,
        review=entry["review"],
        aliases=tuple(aliases),
    )


def read_registry(path: str | Path = LANGUAGES_FILE) -> LanguageRegistry:
    """Read and check a languages file (ValueError, naming the file, if it is wrong)."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or set(data) != {"source_language", "languages"}:
        _fail(path, "expected exactly 'source_language' and 'languages'")
    entries = data["languages"]
    if not isinstance(entries, list) or not entries:
        _fail(path, "'languages' must be a non-empty list")
    languages = tuple(_language(path, entry, index) for index, entry in enumerate(entries))
    codes = [language.code for language in languages]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        _fail(path, f"languages listed twice: {duplicates}")
    if data["source_language"] not in codes:
        _fail(path, f"source_language {data['source_language']!r} is not a listed language")
    return LanguageRegistry(source_language=data["source_language"], languages=languages)


@lru_cache(maxsize=8)
def _cached_registry(path: str) -> LanguageRegistry:
    return read_registry(path)


def registry(path: str | Path = LANGUAGES_FILE) -> LanguageRegistry:
    """The registry of `path` (read once per process)."""
    return _cached_registry(str(path))


def load_languages(path: str | Path = LANGUAGES_FILE) -> list[Language]:
    """Every supported language, in the order of the file (the order of the language menu)."""
    return list(registry(path).languages)


def supported_codes(path: str | Path = LANGUAGES_FILE) -> tuple[str, ...]:
    return registry(path).codes()


def get_language(code: str, path: str | Path = LANGUAGES_FILE) -> Language | None:
    return registry(path).get(code)


def source_language(path: str | Path = LANGUAGES_FILE) -> str:
    return registry(path).source_language


def fit_alphabet(text: str, code: str, path: str | Path = LANGUAGES_FILE) -> str:
    """`text` with the language's `gsm7_avoid` letters written without their accent ("sábado" →
    "sabado" in Spanish), so filled-in words (dates, country names) keep a GSM-7 reply in GSM-7."""
    language = registry(path).get(code)
    if language is None or not language.gsm7_avoid:
        return text
    table = _unaccent_table(language.gsm7_avoid)
    return text.translate(table)


@lru_cache(maxsize=32)
def _unaccent_table(letters: str) -> dict[int, str]:
    table = {}
    for letter in letters:
        base = "".join(
            c for c in unicodedata.normalize("NFD", letter) if not unicodedata.combining(c)
        )
        table[ord(letter)] = base or letter
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.languages")
    parser.add_argument("what", choices=["codes", "catalog-codes"])
    parser.add_argument("--file", default=str(LANGUAGES_FILE))
    args = parser.parse_args(argv)
    reg = read_registry(args.file)
    codes = reg.codes() if args.what == "codes" else reg.catalog_codes()
    sys.stdout.write("".join(f"{code}\n" for code in codes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
