"""Everything the assistant and the hotline say, rendered in one place.

Responses are written in the format of a Rasa domain's `responses:` section (domain.yml for the
assistant, hotline/content/service_messages.yml for what the gateway sends itself). English is
the source text; other languages come from gettext catalogs,
`locales/<lang>/LC_MESSAGES/messages.mo`, whose entries have msgctxt = the response name and
msgid = the English text (extracted by bot/babel_extract.py, `make catalogs`). An entry missing
from a language's catalog falls back to the English text, logged once.

Placeholders are `{name}`. Besides slot values and explicit values, two come from configuration
and work in every response: `{emergency_text}` (HOTLINE_EMERGENCY_TEXT) and `{hotline_text}`
(HOTLINE_CONTACT_TEXT). Unknown placeholders are left as they are, never an error: a message
that cannot be completed is still better than a message dropped.

Used by the Rasa NLG class (bot/nlg.py) and, without Rasa running, by the hotline service.
"""

from __future__ import annotations

import copy
import gettext
import logging
import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.languages import fit_alphabet

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = REPO_ROOT / "locales"
DOMAIN_FILE = REPO_ROOT / "domain.yml"
SERVICE_MESSAGES_FILE = REPO_ROOT / "hotline" / "content" / "service_messages.yml"
DEFAULT_RESPONSE_FILES = (DOMAIN_FILE, SERVICE_MESSAGES_FILE)

DEFAULT_LANGUAGE = "en"
GETTEXT_DOMAIN = "messages"
DEFAULT_EMERGENCY_TEXT = "In an emergency call 112 (or your local emergency number)."
DEFAULT_HOTLINE_TEXT = "Reply PERSON at any time to reach a hotline worker."

# Rasa's placeholder syntax: {name}, no braces or newline inside.
_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


def config_placeholders(
    env: Mapping[str, str] | None = None,
    language: str = DEFAULT_LANGUAGE,
    locale_dir: Path = LOCALE_DIR,
) -> dict[str, str]:
    """The placeholders every response may use: the deployment's texts from the environment,
    else the defaults (responses config_emergency_text / config_hotline_text) in `language`."""
    env = os.environ if env is None else env
    return {
        "emergency_text": env.get("HOTLINE_EMERGENCY_TEXT")
        or translate(DEFAULT_EMERGENCY_TEXT, language, locale_dir, "config_emergency_text"),
        "hotline_text": env.get("HOTLINE_CONTACT_TEXT")
        or translate(DEFAULT_HOTLINE_TEXT, language, locale_dir, "config_hotline_text"),
    }


def fill_placeholders(text: str, values: Mapping[str, Any]) -> str:
    """Replace each `{name}` that has a value; leave the others untouched."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name in values and values[name] is not None:
            return str(values[name])
        return match.group(0)

    return _PLACEHOLDER.sub(replace, text)


@lru_cache(maxsize=64)
def _catalog(language: str, locale_dir: str) -> gettext.NullTranslations:
    return gettext.translation(
        GETTEXT_DOMAIN, localedir=locale_dir, languages=[language], fallback=True
    )


def reload_catalogs() -> None:
    """Forget the loaded catalogs (after `pybabel compile` wrote new .mo files)."""
    _catalog.cache_clear()


# What was already logged as missing: (language,) for a whole catalog, (language, context,
# text) for one entry. Each is logged once per process.
_reported_missing: set[tuple[str, ...]] = set()


def _report_missing_once(key: tuple[str, ...]) -> None:
    if key in _reported_missing:
        return
    _reported_missing.add(key)
    if len(key) == 1:
        log.warning("no compiled catalog for language %r: answering in English", key[0])
    else:
        log.warning("no %r translation of %s %r: answering in English", *key[:2], key[2][:40])


def translate(
    text: str, language: str, locale_dir: Path = LOCALE_DIR, context: str | None = None
) -> str:
    """`text` in `language` if a compiled catalog has it, else `text` itself.

    `context` is the msgctxt, i.e. the name of the response the text belongs to (that is how
    `make catalogs` extracts every entry). An entry with the same msgid and no context, if a
    catalog has one, serves every response whose own entry is missing. A missing catalog or
    entry is logged once.
    """
    if not text or not language or language == DEFAULT_LANGUAGE:
        return text
    catalog = _catalog(language, str(locale_dir))
    if not isinstance(catalog, gettext.GNUTranslations):
        _report_missing_once((language,))
        return text
    # gettext stores a context entry under "context\x04msgid"; an untranslated entry is not
    # compiled into the .mo at all, so absence here is exactly "missing".
    entries = catalog._catalog  # noqa: SLF001 - the only way to tell missing from equal
    if context is not None and f"{context}\x04{text}" in entries:
        return catalog.pgettext(context, text)
    if text in entries:
        return catalog.gettext(text)
    _report_missing_once((language, str(context), text))
    return text


def localise(
    response: Mapping[str, Any],
    language: str,
    values: Mapping[str, Any],
    locale_dir: Path = LOCALE_DIR,
    context: str | None = None,
) -> dict[str, Any]:
    """A copy of one response variation, translated and with its placeholders filled.

    Text and button titles are translated (msgctxt = `context`, the response name; msgid = the
    English template), then filled; string values inside `custom` are filled but never
    translated (they are data, not words).
    """
    result = copy.deepcopy(dict(response))
    if isinstance(result.get("text"), str):
        result["text"] = fit_alphabet(
            fill_placeholders(translate(result["text"], language, locale_dir, context), values),
            language,
        )
    if result.get("buttons"):
        buttons = []
        for button in result["buttons"]:
            button = dict(button)
            if isinstance(button.get("title"), str):
                button["title"] = fit_alphabet(
                    fill_placeholders(
                        translate(button["title"], language, locale_dir, context), values
                    ),
                    language,
                )
            buttons.append(button)
        result["buttons"] = buttons
    if "custom" in result:
        result["custom"] = _fill_data(result["custom"], values)
    return result


def _fill_data(data: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(data, str):
        return fill_placeholders(data, values)
    if isinstance(data, dict):
        return {key: _fill_data(value, values) for key, value in data.items()}
    if isinstance(data, list):
        return [_fill_data(item, values) for item in data]
    return data


def load_responses(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The `responses:` section of one YAML file (domain format)."""
    with open(path, encoding="utf-8") as handle:
        content = yaml.safe_load(handle) or {}
    responses = content.get("responses") or {}
    if not isinstance(responses, dict):
        raise ValueError(f"{path}: 'responses' must be a mapping")
    for name, variations in responses.items():
        if not isinstance(variations, list) or not variations:
            raise ValueError(f"{path}: response {name!r} must be a non-empty list")
    return responses


class ResponseBook:
    """Responses from one or more YAML files, rendered per language with placeholders filled.

    `ResponseBook()` reads domain.yml and hotline/content/service_messages.yml; files given
    explicitly must exist, default ones that are missing (e.g. an installed package without the
    Rasa project next to it) are skipped. A name defined twice is an error.
    """

    def __init__(
        self,
        paths: Iterable[str | Path] | None = None,
        locale_dir: str | Path = LOCALE_DIR,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.locale_dir = Path(locale_dir)
        self._env = env
        self._responses: dict[str, list[dict[str, Any]]] = {}
        explicit = paths is not None
        for path in map(Path, DEFAULT_RESPONSE_FILES if paths is None else paths):
            if not path.exists() and not explicit:
                log.warning("response file %s not found; skipped", path)
                continue
            for name, variations in load_responses(path).items():
                if name in self._responses:
                    raise ValueError(f"{path}: response {name!r} is defined twice")
                self._responses[name] = variations

    @classmethod
    def from_responses(
        cls,
        responses: Mapping[str, list[dict[str, Any]]],
        locale_dir: str | Path = LOCALE_DIR,
        env: Mapping[str, str] | None = None,
    ) -> ResponseBook:
        book = cls(paths=[], locale_dir=locale_dir, env=env)
        book._responses = {name: list(variations) for name, variations in responses.items()}
        return book

    def names(self) -> list[str]:
        return sorted(self._responses)

    def __contains__(self, name: object) -> bool:
        return name in self._responses

    def template(self, name: str) -> dict[str, Any]:
        """The response's default variation (no condition, no channel), untranslated."""
        try:
            variations = self._responses[name]
        except KeyError:
            raise KeyError(f"no response named {name!r}") from None
        for variation in variations:
            if not variation.get("condition") and not variation.get("channel"):
                return variation
        return variations[0]

    def render(self, name: str, language: str = DEFAULT_LANGUAGE, **values: Any) -> dict:
        """{"text": ..., "buttons": [...]} (plus "custom" if the response has one).

        Placeholders take `values` first (None values are ignored), then the configured
        emergency and hotline texts.
        """
        filled = {**config_placeholders(self._env, language, self.locale_dir)}
        filled.update({name: value for name, value in values.items() if value is not None})
        rendered = localise(self.template(name), language, filled, self.locale_dir, name)
        result: dict[str, Any] = {
            "text": rendered.get("text") or "",
            "buttons": rendered.get("buttons") or [],
        }
        if rendered.get("custom"):
            result["custom"] = rendered["custom"]
        return result
