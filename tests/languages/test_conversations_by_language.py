"""Every language, end to end through the real router and the trained model (in-process):
a first contact in the language is answered in it, each main flow is reachable, the
language's keywords work, and the language can be switched mid-conversation.

The texts a texter sends are data: tests/languages/conversations/<code>.yml (never training
data) and the language's keywords, hotline/content/keywords/<code>.yml. A new language is
tested here as soon as its files exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.languages import fit_alphabet, load_languages, supported_codes
from bot.responses import ResponseBook, translate
from hotline.conversations.keywords import KEYWORDS_DIR, keyword_language
from hotline.conversations.language_choice import language_menu
from hotline.conversations.models import State

CONVERSATIONS = Path(__file__).parent / "conversations"
BOOK = ResponseBook()
_PLACEHOLDER = re.compile(r"{[^\n{}]+}")
FLOWS = {
    "check_offer": ("utter_offer_ask_type", "utter_offer_question"),
    "know_rights": ("utter_rights_menu", "utter_rights_module"),
    "something_wrong": ("utter_screening_consent",),
    "find_help": ("utter_ask_country", "utter_help_categories"),
}


def texts(code: str) -> dict[str, str]:
    return yaml.safe_load((CONVERSATIONS / f"{code}.yml").read_text(encoding="utf-8"))


def keyword(code: str, name: str) -> str:
    """The word the language's messages tell people to send for `name`."""
    words = yaml.safe_load((KEYWORDS_DIR / f"{code}.yml").read_text(encoding="utf-8"))
    return words[name][0]


def said(bodies: list[str], response: str, code: str) -> bool:
    """Whether one of `bodies` is a variation of `response`, in `code`: the longest literal
    part of the translated template (between placeholders) is in the body."""
    for variation in BOOK._responses[response]:  # noqa: SLF001 - every variation, not one
        template = fit_alphabet(translate(variation["text"], code, context=response), code)
        literal = max(_PLACEHOLDER.split(template), key=len).strip()
        if any(literal[:60] in body for body in bodies):
            return True
    return False


def started(line, code: str):
    """A texter whose first message, in `code`, was answered with the safety question."""
    texter = line.texter()
    bodies = texter.send(texts(code)["first_contact"])
    assert said(bodies, "utter_intro_safety", code), bodies
    return texter


CODES = supported_codes()


def test_every_language_has_its_conversation_texts():
    for code in CODES:
        assert set(FLOWS) | {"first_contact", "country_answer"} <= set(texts(code)), code


@pytest.mark.parametrize("code", CODES)
def test_a_first_contact_is_answered_in_its_language_and_the_language_sticks(line, code):
    texter = started(line, code)
    assert texter.contact().language == code
    assert texter.conversation().language == code
    assert said(texter.send("1"), "utter_main_menu", code)  # 1 = yes, safe to text


@pytest.mark.parametrize("code", CODES)
def test_other_ways_of_writing_a_first_message_are_answered_in_the_language(line, code):
    """`first_contact_variants` (optional): e.g. Burmese typed in Zawgyi, Arabic in Arabizi."""
    for text in texts(code).get("first_contact_variants") or []:
        texter = line.texter()
        assert said(texter.send(text), "utter_intro_safety", code), text
        assert texter.contact().language == code


@pytest.mark.parametrize("code", CODES)
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_each_main_flow_is_reachable_in_the_language(line, code, flow):
    texter = started(line, code)
    texter.send("1")
    bodies = texter.send(texts(code)[flow])
    assert any(said(bodies, response, code) for response in FLOWS[flow]), bodies


@pytest.mark.parametrize("code", CODES)
def test_a_country_named_in_the_language_is_understood(line, code):
    """Find help, then the country in the language's own words, with its case ending or glued
    postposition where the language has them ("в Польше", "कतारमा", "มาเลเซีย" inside the
    sentence): the kinds of help come next, not the country question again."""
    texter = started(line, code)
    texter.send("1")
    assert said(texter.send(texts(code)["find_help"]), "utter_ask_country", code)
    bodies = texter.send(texts(code)["country_answer"])
    assert said(bodies, "utter_help_categories", code), bodies


@pytest.mark.parametrize("code", CODES)
def test_the_keywords_of_the_language_work(line, code):
    texter = started(line, code)
    assert said(texter.send(keyword(code, "help")), "utter_keyword_help", code)
    assert said(texter.send(keyword(code, "menu")), "utter_main_menu", code)
    assert texter.send(keyword(code, "language")) == [language_menu(0).text]
    assert said(texter.send(f"{code_number(code)}"), "utter_main_menu", code)
    assert said(texter.send(keyword(code, "delete")), "utter_delete_confirm", code)
    assert said(texter.send("2"), "utter_delete_kept", code)
    assert texter.send(keyword(code, "stop")) == []
    assert texter.contact().opted_out
    assert texter.send(texts(code)["find_help"]) == []  # nothing is sent after STOP
    assert said(texter.send(keyword(code, "start")), "utter_opted_in", code)
    assert said(texter.send(keyword(code, "person")), "utter_handoff", code)
    assert texter.conversation().state == State.QUEUED.value


@pytest.mark.parametrize("code", CODES)
def test_an_emergency_phrase_of_the_language_is_answered_in_it(line, code):
    phrase = keyword(code, "emergency")
    texter = started(line, code)
    assert said(texter.send(phrase), "utter_emergency", code)
    assert texter.conversation().state == State.QUEUED.value


@pytest.mark.parametrize("code", CODES)
def test_a_keyword_of_one_language_only_starts_a_conversation_in_it(line, code):
    help_word = keyword(code, "help")
    if keyword_language(help_word) != code:
        pytest.skip(f"{help_word!r} is a word of several languages")
    texter = line.texter()
    assert said(texter.send(help_word), "utter_keyword_help", code)
    assert texter.contact().language == code


def code_number(code: str) -> int:
    return [language.code for language in load_languages()].index(code) + 1


@pytest.mark.parametrize("code", CODES)
def test_switching_language_mid_conversation(line, code):
    other = CODES[(CODES.index(code) + 1) % len(CODES)]
    texter = started(line, code)
    texter.send("1")
    assert texter.send(keyword(code, "language")) == [language_menu(0).text]
    assert said(texter.send(str(code_number(other))), "utter_main_menu", other)
    assert texter.contact().language == other
    # The conversation goes on in the new language, with the new language's words too.
    bodies = texter.send(texts(other)["something_wrong"])
    assert said(bodies, "utter_screening_consent", other), bodies
    assert said(texter.send(keyword(other, "menu")), "utter_main_menu", other)


def test_a_short_first_message_gets_the_language_menu_and_the_choice_starts_in_it(line):
    texter = line.texter()
    assert texter.send("hi") == [language_menu(0).text]
    assert texter.contact().language is None
    spanish = code_number("es")
    assert said(texter.send(f"{spanish}"), "utter_intro_safety", "es")
    assert texter.contact().language == "es"


def test_the_menu_also_takes_a_language_name_or_a_detectable_message(line):
    texter = line.texter()
    texter.send("ok")
    assert said(texter.send("français"), "utter_intro_safety", "fr")
    other = line.texter()
    other.send("?")
    assert said(other.send(texts("es")["find_help"]), "utter_intro_safety", "es")


def test_no_answer_to_the_menu_goes_on_in_english_and_never_loops(line):
    texter = line.texter()
    menu = language_menu(0).text
    assert texter.send("hm") == [menu]
    assert texter.send("??") == [menu]
    assert said(texter.send("zz"), "utter_intro_safety", "en")
    assert texter.contact().language == "en"


@pytest.mark.parametrize("language", load_languages(), ids=lambda language: language.code)
def test_the_language_menu_lists_every_language_in_its_own_name(language):
    pages = [language_menu(page).text for page in range(language_menu(0).pages)]
    assert any(f"{code_number(language.code)} {language.native_name}" in page for page in pages)
