"""The directory of services (data/directory/*.yml, bot/directory.py): its format is checked,
unsourced or unverified entries are never shown, and every message built from the real data
of every country keeps the SMS rules."""

from __future__ import annotations

import itertools
import re

import pytest
import yaml

from bot import directory
from bot.directory import (
    CATEGORIES,
    DIRECTORY_DIR,
    RIGHTS_TOPICS,
    DirectoryError,
    find_country,
    load_directory,
    parse_country,
)
from bot.nlg import directory_placeholders
from bot.responses import DOMAIN_FILE, ResponseBook, load_responses
from hotline.channels.sms_format import format_for_sms, message_problems

DOMAIN = yaml.safe_load(DOMAIN_FILE.read_text())
RESPONSES = load_responses(DOMAIN_FILE)
PLACEHOLDERS = {
    "country_name",
    "help_entries",
    "rights_note",
    "rights_note_source",
    "rights_helpers",
    "child_contacts",
}


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# --- the format ----------------------------------------------------------------------------------


def test_every_file_follows_the_format():
    countries = load_directory()
    assert directory.INTERNATIONAL in countries
    assert len(directory.listed_countries()) >= 3
    for country in countries.values():
        assert country.shown(), f"{country.code}: nothing to show"
        for entry in country.entries:
            assert entry.shown, f"{country.code}: {entry.name} has no source or verified_on"
            assert entry.source.startswith("https://"), entry
        for note in country.rights.values():
            assert note.shown and "en" in note.text


def test_every_country_has_an_emergency_number():
    for code in directory.listed_countries():
        assert directory.help_entries(code, "emergency")[0] == "local", code


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("country: xx\nentries: []\n", "file's name"),
        ("country: zz\nentries:\n  - {name: A, category: spa, contact: '1'}\n", "category"),
        ("country: zz\nentries:\n  - {name: A, category: hotline}\n", "contact"),
        ("country: zz\nentries:\n  - {name: A, category: hotline, contact: '1', x: 1}\n", "x"),
        (
            "country: zz\nentries:\n  - {name: A, category: hotline, contact: '1',"
            " verified_on: soon}\n",
            "date",
        ),
        ("country: zz\nrights: {flying: {text: {en: x}}}\n", "rights"),
        ("country: zz\nentries:\n  - {name: 'A {x}', category: hotline, contact: '1'}\n", "braces"),
        ("country: zz\ncolour: red\n", "colour"),
    ],
)
def test_a_file_that_breaks_the_format_is_refused(tmp_path, text, error):
    with pytest.raises(DirectoryError, match=error):
        parse_country(write(tmp_path, "zz.yml", text))


def test_entries_without_a_source_or_a_date_are_never_shown(tmp_path):
    write(
        tmp_path,
        "zz.yml",
        """
country: zz
entries:
  - {name: Sourced, category: hotline, contact: "1", source: "https://a.example",
     verified_on: 2026-01-02}
  - {name: No source, category: hotline, contact: "2", verified_on: 2026-01-02}
  - {name: Not verified, category: hotline, contact: "3", source: "https://b.example"}
  - {name: Nothing, category: shelter, contact: "4"}
rights:
  privacy: {text: {en: Unsourced}, verified_on: 2026-01-02}
""",
    )
    write(tmp_path, "international.yml", "country: international\nentries: []\n")
    countries = load_directory(tmp_path)
    found, entries = directory.help_entries("zz", "hotline", countries)
    assert found == "local" and [e.name for e in entries] == ["Sourced"]
    assert entries[0].line() == "Sourced: 1 (a.example)"
    assert directory.help_entries("zz", "shelter", countries) == ("none", [])
    assert directory.rights_note("zz", "privacy", "en", countries) is None


def test_the_baseline_stands_in_for_a_missing_kind_of_help():
    assert directory.help_entries("co", "hotline")[0] == "local"
    found, entries = directory.help_entries("np", "emergency")
    assert found == "baseline" and "112" in entries[0].contact
    assert directory.help_entries("np", "legal_aid") == ("none", [])
    assert "116 111" in directory.lines(directory.child_contacts(None))


# --- the domain and the directory agree ------------------------------------------------------


def payloads(response: str) -> list[str]:
    return [button["payload"] for button in RESPONSES[response][0]["buttons"]]


def test_the_country_question_lists_exactly_the_countries_with_a_file():
    codes = [re.search(r'"country": "(\w+)"', p).group(1) for p in payloads("utter_ask_country")]
    assert sorted(codes) == directory.listed_countries()
    names = [button["title"] for button in RESPONSES["utter_ask_country"][0]["buttons"]]
    assert names == sorted(names)
    assert names == [directory.country_name(code) for code in codes]


def test_the_kinds_of_help_are_the_directory_categories():
    slot = DOMAIN["slots"]["help_category"]["values"]
    assert slot == list(CATEGORIES)
    chosen = [re.search(r'"help_category": "(\w+)"', p) for p in payloads("utter_help_categories")]
    assert [m.group(1) for m in chosen if m] == list(CATEGORIES)


def test_the_rights_topics_are_the_directory_topics():
    assert DOMAIN["slots"]["rights_topic"]["values"] == list(RIGHTS_TOPICS)
    offered = payloads("utter_rights_menu") + payloads("utter_rights_menu_more")
    topics = [re.search(r'"rights_topic": "(\w+)"', p) for p in offered]
    assert sorted(m.group(1) for m in topics if m) == sorted(RIGHTS_TOPICS)
    modules = {
        condition["value"]
        for variation in RESPONSES["utter_rights_module"]
        for condition in variation.get("condition") or []
        if condition["name"] == "rights_topic"
    }
    assert modules == set(RIGHTS_TOPICS)


# --- country names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "code"),
    [
        ("uk", "en", "gb"),
        ("im in the uk", "en", "gb"),
        ("United Kingdom", "en", "gb"),
        ("i am in london now", "en", "gb"),
        ("Philippines", "en", "ph"),
        ("philipines", "en", "ph"),
        ("usa", "en", "us"),
        ("COLOMBIA!", "en", "co"),
        ("i am in saudi arabia", "en", "sa"),
        ("nepal", "en", "np"),
        ("Côte d'Ivoire", "en", "ci"),
        ("Reino Unido", "es", "gb"),
        ("Estados Unidos", "es", "us"),
        ("asdfgh", "en", None),
        ("can you help us with this", "en", None),  # "us" only in a short message
        ("", "en", None),
        # Names with an ending, or glued to the next word where words have no spaces
        ("я сейчас в Польше", "ru", "pl"),
        ("работаю в Катаре", "ru", "qa"),
        ("я в Польщі", "uk", "pl"),
        ("म कतारमा छु", "ne", "qa"),
        ("ผมทำงานอยู่ที่มาเลเซีย", "th", "my"),
        ("ထိုင်းမှာ အလုပ်လုပ်တယ်", "my", "th"),
        ("my child is with me", "en", None),  # Latin names stay whole: not Chile
        # Everyday names (data/country_names.yml): cities and short names
        ("nasa saudi po ako", "tl", "sa"),
        ("انا بالسعودية", "ar", "sa"),
        ("я в Дубае", "ru", "ae"),
        ("em đang ở hàn quốc", "vi", "kr"),
        ("my boss", "en", None),
    ],
)
def test_a_country_written_by_the_texter(text, language, code):
    assert find_country(text, language) == code


def test_country_names_are_in_the_texters_language():
    assert directory.country_name("gb", "en") == "United Kingdom"
    assert directory.country_name("gb", "es") == "Reino Unido"
    assert directory.country_name("gb", "xx") == "United Kingdom"
    assert directory.country_name(None) == ""


# --- every message built from the real data keeps the SMS rules ----------------------------


def variations_with_directory_words():
    for name, variations in RESPONSES.items():
        for index, variation in enumerate(variations):
            used = set(re.findall(r"{(\w+)}", variation.get("text", ""))) & PLACEHOLDERS
            if used:
                yield name, index, variation, used


VARIATIONS = list(variations_with_directory_words())
COUNTRIES = [*directory.listed_countries(), "np", None]


def test_there_are_directory_messages_to_check():
    names = {name for name, _, _, _ in VARIATIONS}
    assert {"utter_help_entries", "utter_rights_here", "utter_screening_child"} <= names


@pytest.mark.parametrize("country", COUNTRIES, ids=str)
def test_every_message_from_the_directory_fits_two_sms(country):
    checked = 0
    for (name, index, variation, used), category, topic in itertools.product(
        VARIATIONS, CATEGORIES, RIGHTS_TOPICS
    ):
        slots = {"country": country, "help_category": category, "rights_topic": topic}
        values = directory_placeholders(slots, "en")
        if not used <= {key for key, value in values.items() if value}:
            continue  # this variation is never chosen for these codes
        book = ResponseBook.from_responses({"r": [variation]}, env={})
        rendered = book.render("r", progress="10/10", **values)
        body, _ = format_for_sms(rendered["text"], rendered["buttons"])
        assert message_problems(body) == [], f"{name}[{index}] {slots}:\n{body}"
        checked += 1
    assert checked


def test_the_directory_files_are_in_the_training_data_folder_without_harm():
    # data/directory/ is read by bot/directory.py, not by Rasa, which skips files that are
    # neither NLU nor stories; the files are part of the model hash like all of data/.
    assert DIRECTORY_DIR.parent.name == "data"


def test_everyday_country_names_are_countries_and_never_two_at_once():
    from bot.directory import EVERYDAY_NAMES_FILE, _fold

    everyday = yaml.safe_load(EVERYDAY_NAMES_FILE.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for code, names in everyday.items():
        assert directory.country_name(code) != code.upper(), code  # a code CLDR knows
        for name in names:
            assert seen.setdefault(_fold(name), code) == code, name
