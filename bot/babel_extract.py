"""A Babel extraction method for response files in the format of a Rasa domain.

Registered by locales/babel.cfg as `[bot.babel_extract.extract_responses: domain.yml]` (Babel
imports a dotted `module.function` method itself; no entry point needed). Run by `make catalogs`.

Every response text and button title becomes one catalog entry with msgctxt = the response
name and msgid = the English text, exactly the (context, msgid) pair bot/responses.py looks up
with `pgettext`. So the same English in two responses ("Yes" in two questions) can be
translated differently. `custom` data is never extracted (it is data, not words).
Extracted comments tell translators about placeholders and the SMS budget.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
# The keyword Babel maps to (context, msgid) by default: pgettext(context, message).
_CONTEXT_FUNCTION = "pgettext"


def _mapping_items(node: Node) -> Iterator[tuple[str, Node]]:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode):
                yield key.value, value


def _child(node: Node, name: str) -> Node | None:
    return next((value for key, value in _mapping_items(node) if key == name), None)


def _comments(text: str, what: str) -> list[str]:
    comments = [what]
    names = sorted(set(_PLACEHOLDER.findall(text)))
    if names:
        comments.append(
            "Keep the placeholders as they are: " + ", ".join(f"{{{n}}}" for n in names)
        )
    return comments


def iter_response_texts(node: Node) -> Iterator[tuple[int, str, str, str]]:
    """(line, response name, English text, what it is) for a composed YAML document."""
    responses = _child(node, "responses")
    for name, variations in _mapping_items(responses) if responses is not None else ():
        if not isinstance(variations, SequenceNode):
            continue
        for variation in variations.value:
            text = _child(variation, "text")
            if isinstance(text, ScalarNode) and text.value.strip():
                yield text.start_mark.line + 1, name, text.value, "Message text (SMS budget)."
            buttons = _child(variation, "buttons")
            if not isinstance(buttons, SequenceNode):
                continue
            for button in buttons.value:
                title = _child(button, "title")
                if isinstance(title, ScalarNode) and title.value.strip():
                    yield (
                        title.start_mark.line + 1,
                        name,
                        title.value,
                        "Button title: a short numbered option on SMS.",
                    )


def extract_responses(
    fileobj: IO[bytes],
    keywords: Any,
    comment_tags: Any,
    options: dict[str, Any],
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel's extractor interface: (lineno, funcname, messages, comments) per message."""
    encoding = options.get("encoding", "utf-8")
    document = yaml.compose(fileobj.read().decode(encoding))
    if document is None:
        return
    for line, name, text, what in iter_response_texts(document):
        yield line, _CONTEXT_FUNCTION, (name, text), _comments(text, what)
