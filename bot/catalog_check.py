"""Does a language say everything the assistant and the hotline say, within the rules?

    python -m bot.catalog_check            # every language of locales/languages.yml
    python -m bot.catalog_check es ar      # some languages

For every entry of locales/messages.pot (each response text and option title of domain.yml and
hotline/content/service_messages.yml), the language's catalog must have a translation that is
- present and not fuzzy, with exactly the placeholders of the English ({country_name}, ...),
- not English left in (no run of three words of the English source), no blank line,
- in a GSM-7 language: none of its `gsm7_avoid` letters, curly quotes or long dashes;
and every response variation, rendered as the texter gets it (the real gettext path through a
freshly compiled catalog, placeholders filled with long real-world values in that language,
options as numbered lines) must fit the SMS budget: GSM-7 and at most 2 segments in a GSM-7
language, at most 3 segments in a UCS-2 one (the text alone; with the directory's lines
filled in, a reply may go as two SMS cut at a line, each within that budget); option titles at
most 40 characters; nothing in the language's `preview_avoid` in the first 40 characters. The
source language is checked by the same rendering rules. tests/languages/test_catalog_gates.py
runs this for every language.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import directory
from bot.languages import Language, registry
from bot.responses import (
    DEFAULT_RESPONSE_FILES,
    LOCALE_DIR,
    config_placeholders,
    load_responses,
    localise,
    reload_catalogs,
)
from hotline.channels.sms_format import (
    PREVIEW_LENGTH,
    TYPOGRAPHIC,
    format_for_sms,
    message_problems,
    sms_segments,
    split_for_sms,
)

MAX_SEGMENTS_GSM7 = 2
MAX_SEGMENTS_UCS2 = 3
MAX_TITLE = 40
# Values for the placeholders that are neither configuration nor slots, as long as they get in
# practice (the directory's are checked with every country's real data in
# tests/bot/test_directory.py). A new placeholder needs an entry here, or its "{...}" is
# reported as unfilled.
LONGEST_VALUES = {
    "position": "99",
    "operator_name": "Maria Alejandra",
    "progress": "10/10",
    "help_entries": "National Human Trafficking Hotline: call 1-888-373-7888, text 233733,"
    " 24/7 (humantraffickinghotline.org)",
    "rights_note": "A T visa can let people who were trafficked stay and work in the US. A lawyer"
    " can tell you if it fits your case.",
    "rights_note_source": "uscis.gov",
    "rights_helpers": "Modern Slavery & Exploitation Helpline: 08000 121 700, 24/7"
    " (modernslaveryhelpline.org)",
    "child_contacts": "Childhelp Hotline: 1-800-422-4453, 24/7 (childhelphotline.org)",
}
# Placeholders filled with lines of the directory (names, numbers, web addresses): their length
# is the data's, not the translator's. The text around them must fit one SMS on its own; with
# the data, the reply may be sent as two SMS cut at a line (split_for_sms), never more.
DATA_PLACEHOLDERS = ("help_entries", "rights_note", "rights_helpers", "child_contacts")
MAX_SMS_WITH_DATA = 2
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


@dataclass(frozen=True)
class Problem:
    language: str
    response: str
    problem: str
    text: str

    def __str__(self) -> str:
        return f"{self.language} {self.response}: {self.problem}\n    {self.text!r}"


def sample_values(language: str) -> dict[str, str]:
    """Long, realistic values for every placeholder, in `language`."""
    from hotline.conversations.desk import format_back_at  # the hotline's own formatting

    saturday = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
    return {
        **LONGEST_VALUES,
        "back_at": format_back_at(saturday, language, saturday),
        "country_name": directory.country_name("ae", language),
    }


def _english_runs(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = [word.casefold() for word in _WORD.findall(_PLACEHOLDER.sub(" ", text))]
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def entry_problems(language: Language, context: str, source: str, translation: str) -> list[str]:
    """What is wrong with one catalog entry (the English `source`, its `translation`)."""
    if not translation:
        return ["not translated"]
    problems = []
    if set(_PLACEHOLDER.findall(source)) != set(_PLACEHOLDER.findall(translation)):
        problems.append(
            f"placeholders {sorted(set(_PLACEHOLDER.findall(translation)))} instead of "
            f"{sorted(set(_PLACEHOLDER.findall(source)))}"
        )
    leaked = _english_runs(source) & _english_runs(translation)
    if leaked:
        problems.append(f"English left in: {' '.join(sorted(leaked)[0])!r}")
    if "\n\n" in translation:
        problems.append("a blank line (Rasa's REST channel would split the message there)")
    if language.gsm7:
        avoided = sorted({char for char in translation if char in language.gsm7_avoid})
        if avoided:
            problems.append(f"letters outside GSM-7 (write them without accent): {avoided}")
        typographic = sorted({char for char in translation if char in TYPOGRAPHIC})
        if typographic:
            problems.append(f"curly quotes, long dashes or similar: {typographic}")
    return problems


def body_problems(language: Language, body: str) -> list[str]:
    """What is wrong with one rendered SMS body in this language."""
    encoding, segments = sms_segments(body)
    budget = MAX_SEGMENTS_GSM7 if language.gsm7 else MAX_SEGMENTS_UCS2
    problems = [
        problem
        for problem in message_problems(body, gsm7_language=language.gsm7)
        if " segments in " not in problem  # the budget depends on the language: below
    ]
    if segments > budget:
        problems.append(
            f"{segments} {encoding} segments ({len(body)} characters; at most {budget})"
        )
    if language.gsm7 and encoding != "GSM-7":
        problems.append("falls into UCS-2")
    preview = body[:PREVIEW_LENGTH].casefold()
    problems += [
        f"{stem!r} in the first {PREVIEW_LENGTH} characters (lock-screen preview)"
        for stem in language.preview_avoid
        if stem in preview
    ]
    if _PLACEHOLDER.search(body):
        problems.append("unfilled placeholder")
    return problems


def check_language(code: str, locale_dir: Path = LOCALE_DIR) -> list[Problem]:
    """Every problem of one language's catalog and rendered messages (empty: all good)."""
    reg = registry()
    language = reg.get(code)
    if language is None:
        return [Problem(code, "-", "not in locales/languages.yml", "")]
    problems: list[Problem] = []
    with tempfile.TemporaryDirectory() as compiled:
        if code != reg.source_language:
            po_path = locale_dir / code / "LC_MESSAGES" / "messages.po"
            if not po_path.is_file():
                return [Problem(code, "-", f"no catalog {po_path}", "")]
            with open(locale_dir / "messages.pot", "rb") as handle:
                template = read_po(handle)
            with open(po_path, "rb") as handle:
                catalog = read_po(handle, locale=None)
            for message in template:
                if not message.id:
                    continue
                found = catalog.get(message.id, context=message.context)
                if found is None or found.fuzzy:
                    state = "missing" if found is None else "fuzzy"
                    problems.append(Problem(code, str(message.context), state, message.id))
                    continue
                for problem in entry_problems(
                    language, str(message.context), message.id, found.string
                ):
                    problems.append(Problem(code, str(message.context), problem, found.string))
            target = Path(compiled) / code / "LC_MESSAGES"
            target.mkdir(parents=True)
            with open(target / "messages.mo", "wb") as handle:
                write_mo(handle, catalog)
        problems += rendering_problems(language, Path(compiled))
    reload_catalogs()
    return problems


def rendering_problems(language: Language, compiled_dir: Path) -> list[Problem]:
    values = {
        **config_placeholders({}, language.code, compiled_dir),
        **sample_values(language.code),
    }
    without_data = {**values, **dict.fromkeys(DATA_PLACEHOLDERS, "")}
    problems = []
    for path in DEFAULT_RESPONSE_FILES:
        for name, variations in load_responses(path).items():
            for variation in variations:
                rendered = localise(variation, language.code, without_data, compiled_dir, name)
                if not rendered.get("text"):
                    continue
                buttons = rendered.get("buttons") or []
                body = format_for_sms(rendered["text"], buttons)[0]
                for problem in body_problems(language, body):
                    problems.append(Problem(language.code, name, problem, body))
                full = localise(variation, language.code, values, compiled_dir, name)
                parts = split_for_sms(format_for_sms(full["text"], buttons)[0])
                if len(parts) > MAX_SMS_WITH_DATA:
                    problems.append(
                        Problem(language.code, name, f"{len(parts)} SMS with data", parts[0])
                    )
                for part in parts:
                    for problem in body_problems(language, part):
                        problems.append(Problem(language.code, name, f"with data: {problem}", part))
                for button in buttons:
                    if len(button.get("title") or "") > MAX_TITLE:
                        problems.append(
                            Problem(language.code, name, "option title too long", button["title"])
                        )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.catalog_check")
    parser.add_argument("codes", nargs="*", help="languages (default: all)")
    args = parser.parse_args(argv)
    logging.getLogger("bot.responses").setLevel(logging.ERROR)  # "missing" is reported below
    failed = 0
    for code in args.codes or registry().codes():
        problems = check_language(code)
        print(f"{code}: {len(problems)} problem(s)")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
