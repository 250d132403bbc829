"""ResponseBook (used by the gateway without Rasa) and LocalisedNLG (used by Rasa)."""

from __future__ import annotations

import asyncio

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.nlg import LocalisedNLG, conversation_language
from bot.responses import (
    DEFAULT_EMERGENCY_TEXT,
    DEFAULT_HOTLINE_TEXT,
    DOMAIN_FILE,
    SERVICE_MESSAGES_FILE,
    ResponseBook,
    config_placeholders,
    fill_placeholders,
    reload_catalogs,
)

REPO_ROOT = DOMAIN_FILE.parent
HANDOFF = {"handoff": {"reason": "asked", "priority": "normal"}}
DOMAIN = Domain.load(str(DOMAIN_FILE))


def write_catalog(locale_dir, language: str, messages: dict[str, str]) -> None:
    catalog = Catalog(locale=language)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    target = locale_dir / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)


# --- ResponseBook --------------------------------------------------------------------------


def test_the_book_reads_the_domain_and_the_service_messages():
    book = ResponseBook()
    for name in (
        "utter_intro_safety",
        "utter_handoff",
        "utter_keyword_help",
        "utter_opted_in",
        "utter_service_fallback",
        "utter_media_unsupported",
        "utter_empty_message",
    ):
        assert name in book


def test_render_fills_the_configured_texts_with_their_defaults():
    book = ResponseBook([DOMAIN_FILE, SERVICE_MESSAGES_FILE], env={})
    rendered = book.render("utter_service_fallback")
    assert DEFAULT_EMERGENCY_TEXT in rendered["text"]
    assert DEFAULT_HOTLINE_TEXT in rendered["text"]
    assert rendered["buttons"] == []


def test_render_takes_the_configured_texts_from_the_environment():
    env = {"HOTLINE_EMERGENCY_TEXT": "Call 999.", "HOTLINE_CONTACT_TEXT": "Call 0800 123."}
    book = ResponseBook(env=env)
    text = book.render("utter_service_fallback")["text"]
    assert "Call 999." in text and "Call 0800 123." in text
    assert DEFAULT_EMERGENCY_TEXT not in text


def test_explicit_values_win():
    book = ResponseBook(env={})
    text = book.render("utter_handoff", emergency_text="Dial 911.")["text"]
    assert text.endswith("Dial 911.")


def test_render_returns_buttons_and_custom_payloads():
    book = ResponseBook(env={})
    intro = book.render("utter_intro_safety")
    assert [b["payload"] for b in intro["buttons"]] == ["/affirm", "/deny"]
    assert [b["title"] for b in intro["buttons"]] == ["Yes", "No"]
    assert book.render("utter_handoff")["custom"] == HANDOFF


def test_unknown_names_and_bad_files_are_errors(tmp_path):
    with pytest.raises(KeyError):
        ResponseBook(env={}).render("utter_nothing_like_this")
    with pytest.raises(FileNotFoundError):
        ResponseBook([tmp_path / "missing.yml"])
    with pytest.raises(ValueError, match="defined twice"):
        ResponseBook([SERVICE_MESSAGES_FILE, SERVICE_MESSAGES_FILE])


def test_unknown_placeholders_are_left_alone():
    assert fill_placeholders("Hi {name}, {x}", {"x": 1}) == "Hi {name}, 1"
    assert fill_placeholders("{emergency_text}", config_placeholders({})) == DEFAULT_EMERGENCY_TEXT


def test_the_emergency_and_hotline_texts_are_in_the_language_unless_configured(tmp_path):
    write_catalog(
        tmp_path,
        "es",
        {
            DEFAULT_EMERGENCY_TEXT: "En una emergencia llama al 112.",
            DEFAULT_HOTLINE_TEXT: "Escribe PERSONA.",
        },
    )
    assert config_placeholders({}, "es", tmp_path) == {
        "emergency_text": "En una emergencia llama al 112.",
        "hotline_text": "Escribe PERSONA.",
    }
    configured = {"HOTLINE_EMERGENCY_TEXT": "Call 999.", "HOTLINE_CONTACT_TEXT": "Call us."}
    assert config_placeholders(configured, "es", tmp_path) == {
        "emergency_text": "Call 999.",
        "hotline_text": "Call us.",
    }


def test_the_default_texts_are_the_ones_in_the_service_messages():
    book = ResponseBook(env={})
    assert book.template("config_emergency_text")["text"] == DEFAULT_EMERGENCY_TEXT
    assert book.template("config_hotline_text")["text"] == DEFAULT_HOTLINE_TEXT


def test_a_compiled_catalog_translates_text_and_button_titles(tmp_path):
    book = ResponseBook(env={}, locale_dir=tmp_path)
    intro = book.template("utter_intro_safety")
    write_catalog(tmp_path, "es", {intro["text"]: "Hola. {hotline_text}", "Yes": "S\u00ed"})
    rendered = book.render("utter_intro_safety", language="es")
    assert rendered["text"] == f"Hola. {DEFAULT_HOTLINE_TEXT}"
    # Spanish is sent in GSM-7: its accents outside GSM-7 are dropped (locales/languages.yml).
    assert [b["title"] for b in rendered["buttons"]] == ["Si", "No"]
    # No catalog for a language: the English source text.
    assert book.render("utter_intro_safety", language="fr")["text"].startswith("Hello")


# --- LocalisedNLG ----------------------------------------------------------------------------


def tracker_with(*events) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("nlg-test", list(events), slots=DOMAIN.slots)
    return tracker


def generate(nlg, name, tracker):
    return asyncio.run(nlg.generate(name, tracker, "rest"))


def test_endpoints_yml_configures_the_localised_nlg():
    config = read_endpoint_config(str(REPO_ROOT / "endpoints.yml"), "nlg")
    nlg = NaturalLanguageGenerator.create(config, DOMAIN)
    assert isinstance(nlg, LocalisedNLG)
    assert set(nlg.responses) == set(DOMAIN.responses)


def test_the_nlg_fills_the_configured_texts(monkeypatch):
    monkeypatch.delenv("HOTLINE_EMERGENCY_TEXT", raising=False)
    nlg = LocalisedNLG(EndpointConfig(type="bot.nlg.LocalisedNLG"), DOMAIN)
    response = generate(nlg, "utter_handoff", tracker_with())
    assert response["text"].endswith(DEFAULT_EMERGENCY_TEXT)
    assert response["custom"] == HANDOFF

    monkeypatch.setenv("HOTLINE_EMERGENCY_TEXT", "Call 999 in an emergency.")
    response = generate(nlg, "utter_handoff", tracker_with())
    assert response["text"].endswith("Call 999 in an emergency.")


def test_the_nlg_answers_in_the_language_of_the_conversation(tmp_path):
    intro = DOMAIN.responses["utter_intro_safety"][0]
    write_catalog(tmp_path, "es", {intro["text"]: "Hola. {hotline_text}"})
    nlg = LocalisedNLG(EndpointConfig(type="bot.nlg.LocalisedNLG", locale_dir=tmp_path), DOMAIN)
    spanish = UserUttered("hola", {"name": "greet"}, metadata={"language": "es"})
    tracker = tracker_with(spanish)
    assert conversation_language(tracker) == "es"
    assert generate(nlg, "utter_intro_safety", tracker)["text"].startswith("Hola.")
    assert generate(nlg, "utter_intro_safety", tracker_with())["text"].startswith("Hello")


def test_the_nlg_fills_slots_and_keeps_rasa_semantics_for_missing_responses():
    nlg = LocalisedNLG(domain=DOMAIN)
    nlg.responses = {"utter_x": [{"text": "Seen {misunderstood} time. {hotline_text}"}]}
    response = generate(nlg, "utter_x", tracker_with(SlotSet("misunderstood", "once")))
    assert response["text"] == f"Seen once time. {DEFAULT_HOTLINE_TEXT}"
    assert generate(nlg, "utter_restart", tracker_with()) is None


def test_new_catalogs_are_used_after_a_reload(tmp_path):
    book = ResponseBook(env={}, locale_dir=tmp_path)
    assert book.render("utter_goodbye", language="pt")["text"].startswith("Take care.")
    write_catalog(tmp_path, "pt", {book.template("utter_goodbye")["text"]: "Cuide-se."})
    reload_catalogs()
    assert book.render("utter_goodbye", language="pt")["text"] == "Cuide-se."
