"""The gettext cycle: the domain extractor, the babel mapping, and lookups by (context, msgid)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.babel_extract import extract_responses
from bot.languages import registry
from bot.responses import DEFAULT_RESPONSE_FILES, ResponseBook, reload_catalogs

REPO = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).with_name("pybabel")

DOMAIN = b"""
version: "3.1"
responses:
  utter_ask_safe:
    - text: "Is it safe to text now? {hotline_text}"
      buttons:
        - title: "Yes"
          payload: /affirm
        - title: "No"
          payload: /deny
  utter_ask_adult:
    - text: "Are you 18 or older?"
      buttons:
        - title: "Yes"
          payload: /affirm
    - text: "Are you 18 or older? (voice)"
      channel: voice
  utter_handoff:
    - text: "A person will reply."
      custom:
        handoff: {reason: asked}
"""


def entries(source: bytes) -> list[tuple[str | None, str, list[str]]]:
    method = "bot.babel_extract.extract_responses"
    return [
        (context, message, comments)
        for _, message, comments, context in extract(method, io.BytesIO(source))
    ]


def test_every_text_and_button_title_is_extracted_with_its_response_as_context():
    found = [(context, message) for context, message, _ in entries(DOMAIN)]
    assert found == [
        ("utter_ask_safe", "Is it safe to text now? {hotline_text}"),
        ("utter_ask_safe", "Yes"),
        ("utter_ask_safe", "No"),
        ("utter_ask_adult", "Are you 18 or older?"),
        ("utter_ask_adult", "Yes"),
        ("utter_ask_adult", "Are you 18 or older? (voice)"),
        ("utter_handoff", "A person will reply."),
    ]  # `custom` data is never extracted


def test_translators_are_told_about_placeholders():
    comments = entries(DOMAIN)[0][2]
    assert any("{hotline_text}" in comment for comment in comments)


def test_the_extractor_yields_line_numbers():
    lines = [line for line, *_ in extract_responses(io.BytesIO(DOMAIN), [], [], {})]
    assert lines[0] == 5 and lines == sorted(lines)


def test_the_real_response_files_extract_every_response():
    book = ResponseBook()
    contexts = set()
    for path in DEFAULT_RESPONSE_FILES:
        contexts |= {context for context, _, _ in entries(Path(path).read_bytes())}
    assert contexts == set(book.names())


def write_catalog(locale_dir: Path, language: str, messages: dict) -> None:
    catalog = Catalog(locale=language)
    for key, translation in messages.items():
        context, msgid = key if isinstance(key, tuple) else (None, key)
        catalog.add(msgid, translation, context=context)
    target = locale_dir / language / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    reload_catalogs()


@pytest.fixture
def book(tmp_path):
    import yaml

    responses = yaml.safe_load(DOMAIN)["responses"]
    return ResponseBook.from_responses(responses, locale_dir=tmp_path, env={})


def test_the_same_english_is_translated_per_response(tmp_path, book):
    write_catalog(
        tmp_path,
        "es",
        {
            (
                "utter_ask_safe",
                "Is it safe to text now? {hotline_text}",
            ): "Es seguro? {hotline_text}",
            ("utter_ask_safe", "Yes"): "Si, es seguro",
            ("utter_ask_adult", "Yes"): "Si, tengo 18",
        },
    )
    safe = book.render("utter_ask_safe", "es", hotline_text="X")
    adult = book.render("utter_ask_adult", "es")
    assert safe["text"] == "Es seguro? X"
    assert safe["buttons"][0]["title"] == "Si, es seguro"
    assert adult["buttons"][0]["title"] == "Si, tengo 18"
    # Missing entries fall back to English.
    assert safe["buttons"][1]["title"] == "No"
    assert adult["text"] == "Are you 18 or older?"


def test_an_entry_without_context_serves_every_response(tmp_path, book):
    write_catalog(tmp_path, "pt", {"Yes": "Sim"})
    assert book.render("utter_ask_safe", "pt")["buttons"][0]["title"] == "Sim"
    assert book.render("utter_ask_adult", "pt")["buttons"][0]["title"] == "Sim"


def test_a_missing_entry_is_logged_once(tmp_path, book, caplog):
    write_catalog(tmp_path, "fr", {("utter_ask_safe", "Yes"): "Oui"})
    for _ in range(3):
        book.render("utter_handoff", "fr")
    missing = [r for r in caplog.records if "utter_handoff" in r.getMessage()]
    assert len(missing) == 1


def test_pybabel_extracts_with_the_repository_mapping(tmp_path):
    pot = tmp_path / "messages.pot"
    files = [str(Path(path).relative_to(REPO)) for path in DEFAULT_RESPONSE_FILES]
    subprocess.run(
        [
            str(PYBABEL),
            "-q",
            "extract",
            "-F",
            "locales/babel.cfg",
            "--no-location",
            "-o",
            str(pot),
            *files,
        ],
        cwd=REPO,
        check=True,
    )
    with open(pot, "rb") as handle:
        catalog = read_po(handle)
    contexts = {message.context for message in catalog if message.id}
    assert contexts == set(ResponseBook().names())


def test_the_committed_template_is_up_to_date_with_the_responses():
    """Fails after domain.yml or service_messages.yml changed: run `make catalogs`."""
    pot = REPO / "locales" / "messages.pot"
    with open(pot, "rb") as handle:
        committed = {(m.context, m.id) for m in read_po(handle) if m.id}
    current = set()
    for path in DEFAULT_RESPONSE_FILES:
        current |= {(context, message) for context, message, _ in entries(Path(path).read_bytes())}
    assert committed == current, "locales/messages.pot is out of date: run `make catalogs`"


@pytest.mark.parametrize("code", registry().catalog_codes())
def test_every_language_has_a_catalog_with_every_entry(code):
    po = REPO / "locales" / code / "LC_MESSAGES" / "messages.po"
    assert po.is_file(), f"no catalog for {code}: run `make catalogs`"
    with open(REPO / "locales" / "messages.pot", "rb") as handle:
        template = {(m.context, m.id) for m in read_po(handle) if m.id}
    with open(po, "rb") as handle:
        catalog = {(m.context, m.id) for m in read_po(handle) if m.id}
    assert template <= catalog, f"{code} catalog is out of date: run `make catalogs`"
