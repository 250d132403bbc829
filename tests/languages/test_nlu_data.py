"""data/nlu/<code>.yml and tests/languages/nlu_heldout/<code>.yml: every language is trained on
every intent of English, and its held-out examples (the F1 of `make nlu-report`) are never
training data: a held-out line copied into training would make the figure a lie."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language_detect import labelled_examples
from bot.languages import supported_codes

REPOSITORY = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).parent / "nlu_heldout"
# The language typed in Latin letters (romanised Nepali, Arabizi): measured, no target yet.
ROMANISED = Path(__file__).parent / "nlu_heldout_romanised"


def intents(path: Path) -> set[str]:
    return {intent for _, intent in labelled_examples(path) if intent}


@pytest.mark.parametrize("code", supported_codes())
def test_the_language_is_trained_on_every_intent_of_english(code):
    english = intents(REPOSITORY / "data" / "nlu" / "en.yml")
    assert english <= intents(REPOSITORY / "data" / "nlu" / f"{code}.yml")


def trained(code: str) -> set[str]:
    return {
        text.casefold()
        for text, _ in labelled_examples(REPOSITORY / "data" / "nlu" / f"{code}.yml")
    }


def heldout(path: Path) -> set[str]:
    return {text.casefold() for text, intent in labelled_examples(path) if intent}


@pytest.mark.parametrize("code", supported_codes())
def test_held_out_examples_are_never_training_data(code):
    examples = heldout(HELDOUT / f"{code}.yml")
    assert len(examples) >= 100
    assert sorted(examples & trained(code)) == []


@pytest.mark.parametrize("path", sorted(ROMANISED.glob("*.yml")), ids=lambda path: path.stem)
def test_romanised_held_out_examples_are_never_training_data(path):
    assert path.stem in supported_codes()
    assert sorted(heldout(path) & trained(path.stem)) == []
