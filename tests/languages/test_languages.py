"""locales/languages.yml: the schema, and the twelve languages of issue 4."""

from __future__ import annotations

import pytest
from babel import Locale

from bot.languages import LANGUAGES_FILE, load_languages, read_registry, supported_codes
from hotline.channels.sms_format import is_gsm7

ISSUE_LANGUAGES = {"en", "es", "fr", "pt", "ar", "ru", "uk", "ro", "tl", "ne", "th", "vi"}


def test_the_registry_lists_the_languages_of_the_issue():
    assert ISSUE_LANGUAGES <= set(supported_codes())
    assert read_registry(LANGUAGES_FILE).source_language == "en"


def test_only_english_is_reviewed_the_drafts_are_marked():
    for language in load_languages():
        assert language.review == ("reviewed" if language.code == "en" else "draft")


@pytest.mark.parametrize("language", load_languages(), ids=lambda language: language.code)
def test_each_entry_is_consistent(language):
    locale = Locale.parse(language.code)
    # The direction agrees with CLDR's character order for the language.
    assert language.rtl == (locale.character_order == "right-to-left")
    # What is avoided to stay in GSM-7 is exactly what GSM-7 lacks.
    assert all(not is_gsm7(char) for char in language.gsm7_avoid)
    if not language.gsm7:
        assert not language.gsm7_avoid
    if language.say_language is not None:
        assert language.say_voice
    # The name a texter chooses from is written in the language's own script.
    assert language.native_name.strip()


def test_the_menu_names_are_the_native_names():
    names = {language.code: language.native_name for language in load_languages()}
    assert names["es"] == "Español" and names["ar"] == "العربية" and names["th"] == "ไทย"


def _write(tmp_path, text):
    path = tmp_path / "languages.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """source_language: en
languages:
  - {code: en, name: English, native_name: English, direction: ltr, gsm7: true,
     say: null, review: reviewed}
"""


def test_a_minimal_file_loads(tmp_path):
    registry = read_registry(_write(tmp_path, GOOD))
    assert registry.codes() == ("en",) and registry.catalog_codes() == ()


@pytest.mark.parametrize(
    "change, message",
    [
        (("direction: ltr", "direction: up"), "direction"),
        (("review: reviewed", "review: maybe"), "review"),
        (("code: en", "code: EN"), "ISO 639"),
        (("gsm7: true", "gsm7: yes please"), "gsm7"),
        (("say: null", "say: {language: en-US}"), "say"),
        (("review: reviewed}", "review: reviewed, colour: red}"), "unknown fields"),
        (("source_language: en", "source_language: fr"), "source_language"),
        (("native_name: English, ", ""), "lacks"),
    ],
)
def test_a_wrong_file_is_refused_with_a_reason(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        read_registry(_write(tmp_path, GOOD.replace(*change)))


def test_a_language_listed_twice_is_refused(tmp_path):
    entry = GOOD.split("languages:\n")[1]
    with pytest.raises(ValueError, match="twice"):
        read_registry(_write(tmp_path, GOOD + entry))


def test_the_makefile_helper_lists_the_catalog_languages(capsys):
    from bot.languages import main

    main(["catalog-codes"])
    codes = capsys.readouterr().out.split()
    assert "en" not in codes and set(codes) == set(supported_codes()) - {"en"}
