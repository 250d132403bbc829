"""The directory of services: who can help, per country, as data (data/directory/<code>.yml).

One YAML file per country, named by its ISO 3166-1 alpha-2 code in lower case (`gb.yml`), plus
`international.yml`, the baseline shown where a country has no entry of a kind. See the README
("How an NGO adds a country") for the format; `load_directory()` checks it and refuses a file
that does not follow it (tests/bot/test_directory.py runs the check on every file).

Only entries with a `source` and a `verified_on` date are ever shown. Everything here is
language-neutral data (names, numbers, hours, web addresses) or comes from CLDR (country names,
through Babel); the words around it are responses in domain.yml, rendered by bot/nlg.py.

Used by the NLG (placeholders such as {help_entries}) and by the action server (which flows
have something to show), so both always agree.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

import yaml

from bot.scripts import UNSPACED_SCRIPTS, main_script

REPO_ROOT = Path(__file__).resolve().parent.parent
DIRECTORY_DIR = REPO_ROOT / "data" / "directory"
EVERYDAY_NAMES_FILE = REPO_ROOT / "data" / "country_names.yml"
INTERNATIONAL = "international"

# Kinds of service, in the order the texter is offered them.
CATEGORIES = (
    "emergency",
    "hotline",
    "shelter",
    "legal_aid",
    "labour_inspection",
    "embassy",
    "child_protection",
)

# Rights modules (domain.yml slot `rights_topic`) and the kinds of service that help with each,
# most useful first.
RIGHTS_TOPICS = {
    "non_punishment": ("legal_aid", "hotline"),
    "help_without_testifying": ("hotline", "legal_aid"),
    "reflection_period": ("hotline", "shelter"),
    "own_language": ("hotline",),
    "legal_aid": ("legal_aid", "hotline"),
    "compensation": ("legal_aid", "labour_inspection", "hotline"),
    "residence_asylum": ("legal_aid", "hotline"),
    "safe_return": ("hotline", "embassy"),
    "health_care": ("hotline",),
    "consular_help": ("embassy", "hotline"),
    "privacy": ("hotline",),
}
MAX_HELPERS = 1  # entries named under a rights module (the SMS budget)

_ENTRY_FIELDS = {"name", "category", "contact", "languages", "hours", "source", "verified_on"}
_NOTE_FIELDS = {"text", "source", "verified_on"}
_FILE_FIELDS = {"country", "aliases", "entries", "rights"}
_CODE = re.compile(r"^[a-z]{2}$")
# Country names with an ending (find_country): letters an ending may add after the stem, and
# the shortest name whose last letter an ending may replace.
_ENDING = 3
_MIN_STEM = 4


class DirectoryError(ValueError):
    """A directory file that does not follow the format."""


@dataclass(frozen=True)
class Entry:
    name: str
    category: str
    contact: str
    languages: tuple[str, ...] = ()
    hours: str | None = None
    source: str | None = None
    verified_on: dt.date | None = None

    @property
    def shown(self) -> bool:
        """Entries without a source, or never verified, are never shown."""
        return bool(self.source) and self.verified_on is not None

    def line(self) -> str:
        """One SMS line, words-free: `Name: contact, hours (source)`."""
        text = f"{self.name}: {self.contact}"
        if self.hours:
            text += f", {self.hours}"
        return f"{text} ({source_label(self.source or '')})"


@dataclass(frozen=True)
class RightsNote:
    """What applies in a country for one rights module, per language (`text[language]`)."""

    text: Mapping[str, str]
    source: str | None = None
    verified_on: dt.date | None = None

    @property
    def shown(self) -> bool:
        return bool(self.source) and self.verified_on is not None


@dataclass(frozen=True)
class Country:
    code: str
    aliases: tuple[str, ...] = ()
    entries: tuple[Entry, ...] = ()
    rights: Mapping[str, RightsNote] = field(default_factory=dict)

    def shown(self, category: str | None = None) -> list[Entry]:
        return [
            entry
            for entry in self.entries
            if entry.shown and (category is None or entry.category == category)
        ]


def source_label(source: str) -> str:
    """A web address as its host without `www.` (short for SMS); anything else as it is."""
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        host = parsed.netloc.lower()
        return host[4:] if host.startswith("www.") else host
    return source


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DirectoryError(f"{where}: verified_on must be a date (YYYY-MM-DD)") from None


def _text(value: Any, where: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, (str, int)) or not str(value).strip():
        raise DirectoryError(f"{where} must be a non-empty text")
    text = " ".join(str(value).split())
    if "{" in text or "}" in text:
        raise DirectoryError(f"{where} must not contain braces")
    return text


def _entry(raw: Any, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise DirectoryError(f"{where} must be a mapping")
    unknown = set(raw) - _ENTRY_FIELDS
    if unknown:
        raise DirectoryError(f"{where}: unknown fields {sorted(unknown)}")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise DirectoryError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    languages = raw.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise DirectoryError(f"{where}: languages must be a list of language codes")
    return Entry(
        name=_text(raw.get("name"), f"{where}.name"),
        category=category,
        contact=_text(raw.get("contact"), f"{where}.contact"),
        languages=tuple(languages),
        hours=_text(raw.get("hours"), f"{where}.hours", required=False),
        source=_text(raw.get("source"), f"{where}.source", required=False),
        verified_on=_date(raw.get("verified_on"), where),
    )


def _note(raw: Any, where: str) -> RightsNote:
    if not isinstance(raw, dict) or set(raw) - _NOTE_FIELDS:
        raise DirectoryError(f"{where} must have only {sorted(_NOTE_FIELDS)}")
    text = raw.get("text")
    if not isinstance(text, dict) or not text:
        raise DirectoryError(f"{where}.text must map language codes to texts")
    return RightsNote(
        text={
            language: _text(value, f"{where}.text.{language}") for language, value in text.items()
        },
        source=_text(raw.get("source"), f"{where}.source", required=False),
        verified_on=_date(raw.get("verified_on"), where),
    )


def parse_country(path: Path) -> Country:
    """One directory file, checked."""
    where = path.name
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise DirectoryError(f"{where}: expected a mapping")
    unknown = set(raw) - _FILE_FIELDS
    if unknown:
        raise DirectoryError(f"{where}: unknown fields {sorted(unknown)}")
    code = raw.get("country")
    if code != path.stem or not (code == INTERNATIONAL or _CODE.match(str(code))):
        raise DirectoryError(
            f"{where}: `country` must be the file's name, a lower-case ISO 3166 code"
        )
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise DirectoryError(f"{where}: aliases must be a list of names")
    entries = raw.get("entries") or []
    if not isinstance(entries, list):
        raise DirectoryError(f"{where}: entries must be a list")
    rights = raw.get("rights") or {}
    if not isinstance(rights, dict) or set(rights) - set(RIGHTS_TOPICS):
        raise DirectoryError(f"{where}: rights must map topics ({', '.join(RIGHTS_TOPICS)})")
    return Country(
        code=code,
        aliases=tuple(aliases),
        entries=tuple(_entry(e, f"{where}: entries[{i}]") for i, e in enumerate(entries)),
        rights={topic: _note(note, f"{where}: rights.{topic}") for topic, note in rights.items()},
    )


@lru_cache(maxsize=4)
def load_directory(directory: Path = DIRECTORY_DIR) -> dict[str, Country]:
    """Every country file (and the baseline), by code."""
    countries = {}
    for path in sorted(Path(directory).glob("*.yml")):
        country = parse_country(path)
        countries[country.code] = country
    return countries


# --- looking things up ---------------------------------------------------------------------------


def _baseline(directory: Mapping[str, Country]) -> Country:
    return directory.get(INTERNATIONAL) or Country(INTERNATIONAL)


def listed_countries(directory: Mapping[str, Country] | None = None) -> list[str]:
    """The codes of the countries that have a file (not the baseline)."""
    directory = load_directory() if directory is None else directory
    return sorted(code for code in directory if code != INTERNATIONAL)


def is_listed(country: str | None, directory: Mapping[str, Country] | None = None) -> bool:
    directory = load_directory() if directory is None else directory
    return bool(country) and country != INTERNATIONAL and country in directory


def help_entries(
    country: str | None, category: str | None, directory: Mapping[str, Country] | None = None
) -> tuple[str, list[Entry]]:
    """("local" | "baseline" | "none", entries) for one kind of help in one country."""
    directory = load_directory() if directory is None else directory
    local = directory.get(country or "")
    if local is not None and local.code != INTERNATIONAL and category:
        found = local.shown(category)
        if found:
            return "local", found
    baseline = _baseline(directory).shown(category) if category else []
    return ("baseline", baseline) if baseline else ("none", [])


def rights_note(
    country: str | None,
    topic: str | None,
    language: str,
    directory: Mapping[str, Country] | None = None,
) -> RightsNote | None:
    """The country's note on a rights module, if it has one in this language (else None)."""
    directory = load_directory() if directory is None else directory
    local = directory.get(country or "")
    note = local.rights.get(topic or "") if local is not None else None
    if note is None or not note.shown or language not in note.text:
        return None
    return note


def rights_helpers(
    country: str | None, topic: str | None, directory: Mapping[str, Country] | None = None
) -> list[Entry]:
    """Who can help with a rights module in a listed country (at most MAX_HELPERS)."""
    directory = load_directory() if directory is None else directory
    local = directory.get(country or "")
    if local is None or local.code == INTERNATIONAL:
        return []
    helpers: list[Entry] = []
    for category in RIGHTS_TOPICS.get(topic or "", ()):
        helpers.extend(local.shown(category))
    return helpers[:MAX_HELPERS]


def child_contacts(
    country: str | None, directory: Mapping[str, Country] | None = None
) -> list[Entry]:
    """Child protection contacts: the country's, else the baseline's."""
    return help_entries(country, "child_protection", directory)[1]


def lines(entries: Iterable[Entry]) -> str:
    return "\n".join(entry.line() for entry in entries)


# --- country names -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case, no accents or punctuation, single spaces: "Côte d'Ivoire" → "cote d ivoire".
    Vowel signs that are part of a letter (Devanagari, Burmese) stay in their word."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = "".join(char if _in_word(char) else " " for char in text)
    return " ".join(text.split())


def _in_word(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


@lru_cache(maxsize=32)
def _territories(language: str) -> dict[str, str]:
    """CLDR country names in one language, by lower-case ISO code ({} if Babel lacks it)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return {}
    return {
        code.lower(): name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO")
    }


def country_name(code: str | None, language: str = "en") -> str:
    """A country's name in the texter's language (CLDR), else in English, else its code."""
    if not code:
        return ""
    return _territories(language).get(code) or _territories("en").get(code) or code.upper()


class _Name(NamedTuple):
    code: str
    length: int
    whole: re.Pattern[str]  # the name as whole words
    with_ending: re.Pattern[str] | None  # the name with an ending, or inside unspaced text


@lru_cache(maxsize=32)
def _names(language: str, directory_key: Path) -> list[_Name]:
    """Every name of a country, longest first, its patterns compiled once: CLDR names in
    `language` and English, then the everyday names of data/country_names.yml and the aliases
    of the directory's countries."""
    names: dict[str, str] = {}
    for source in ("en", language):
        for code, name in _territories(source).items():
            names.setdefault(_fold(name), code)
    everyday = yaml.safe_load(EVERYDAY_NAMES_FILE.read_text(encoding="utf-8")) or {}
    aliases = [(code, alias) for code, listed in everyday.items() for alias in listed]
    for code, country in load_directory(directory_key).items():
        if code != INTERNATIONAL:
            aliases += [(code, alias) for alias in country.aliases]
    for code, alias in aliases:
        names[_fold(alias)] = code
    ordered = sorted(
        ((name, code) for name, code in names.items() if name), key=lambda x: -len(x[0])
    )
    return [
        _Name(code, len(name), re.compile(_whole_name(name)), _name_with_ending(name))
        for name, code in ordered
    ]


def find_country(text: str, language: str = "en", directory: Path = DIRECTORY_DIR) -> str | None:
    """The country a texter named ("im in the uk" → "gb"), or None.

    Names are whole words of the message. Names of three letters or fewer ("uk", "usa") count
    only in a short message, so that "help us" in a sentence is not the United States. When no
    name stands whole, a name in a script written without spaces (Thai, Burmese) may stand
    anywhere, and one in another non-Latin script may carry an ending: Russian case endings
    ("в Польше"), Nepali postpositions glued on ("कतारमा"). Latin-script names stay whole:
    "child" is not Chile.
    """
    folded = _fold(text or "")
    if not folded:
        return None
    short_message = len(folded.split()) <= 4
    names = [name for name in _names(language, directory) if name.length > 3 or short_message]
    for name in names:
        if name.whole.search(folded):
            return name.code
    for name in names:
        if name.with_ending and name.with_ending.search(folded):
            return name.code
    return None


def _whole_name(name: str) -> str:
    return rf"(?<!\S){re.escape(name)}(?!\S)"


def _name_with_ending(name: str) -> re.Pattern[str] | None:
    """The name with an ending of up to `_ENDING` letters after its stem (the name less its
    last letter, which case endings replace: Польша → Польше); None for names in Latin
    script."""
    script = main_script(name)
    if script in UNSPACED_SCRIPTS:
        return re.compile(re.escape(name))
    if script in (None, "LATIN"):
        return None
    stem = name[:-1] if len(name) > _MIN_STEM else name
    return re.compile(rf"(?<!\S){re.escape(stem)}\S{{0,{_ENDING}}}(?!\S)")
