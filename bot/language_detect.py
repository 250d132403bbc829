"""Which supported language a first message is in, offline, for every language in
locales/languages.yml, including languages no detection library knows (Nepali, Burmese, ...).

The model is trained when it is loaded, in well under a second, from each language's own data
files, so a new language is detected as soon as its files exist:
- data/nlu/<code>.yml (the NLU training examples),
- locales/<code>/LC_MESSAGES/messages.po (translated responses; the source language uses the
  msgids of locales/messages.pot),
- its keywords, hotline/content/keywords/<code>.yml, and its names in locales/languages.yml.

How a text is judged:
1. Script: the script of most of its letters (Unicode names, bot/scripts.py) rules out
   every language whose training text is not written in that script (Thai text can only be
   Thai; Cyrillic only Russian or Ukrainian). Romanised texts in a language's data (Nepali or
   Arabic typed in Latin letters) make it a candidate for Latin text.
2. Among the rest, a character n-gram (1-4, within padded words) plus word naive Bayes model,
   trained per language and script (romanised Nepali against romanised Nepali), gives a
   posterior probability per language.
3. Confidence = posterior x fit, where fit is how many of the text's trigrams and words the
   language's data has seen (capped at 1 when `fit_reference` of them were seen). Fit keeps a
   text in an unsupported language (Persian, Lao, Spanish before Spanish data exists) from
   being given confidently to the only candidate of its script. Where several languages
   share the script, a language that has seen none of the text's words gets no confidence.
4. Too short (fewer than `min_letters` letters), confidence below `threshold`, or a text that
   may be a romanisation (a language whose own script is another one has at least
   `ROMANISED_DOUBT` of the confidence, or its words say it as much as the best language's:
   `_Judgement.may_be`) → None: the caller shows the numbered language menu.
   Guessing wrong is worse than asking.

    python -m bot.language_detect detect "text"                 # with the repository's data
    python -m bot.language_detect evaluate TRAIN_DIR HELDOUT_DIR # <code>.txt, a text per line
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from bot.languages import LANGUAGES_FILE, read_registry
from bot.normalise import normalise_text
from bot.scripts import letter_scripts, main_script
from hotline.conversations.keywords import read_keyword_files

REPO_ROOT = Path(__file__).resolve().parent.parent

MIN_LETTERS = 4
THRESHOLD = 0.6
FIT_REFERENCE = 0.4
ROMANISED_DOUBT = 0.02
# A language is a candidate for a script if at least this share of its letters use it.
SCRIPT_SHARE = 0.01
NGRAM_SIZES = (1, 2, 3, 4)
SMOOTHING = 0.5

_PLACEHOLDER = re.compile(r"{[^\n{}]*}")
_ENTITY = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]{[^}]*}")
_NOT_WORD = re.compile(r"[\W_]+")


def _words(text: str) -> list[str]:
    """Words, digits within them kept (Arabizi writes letters as digits: "3ayez", "ma7al");
    numbers alone dropped."""
    text = normalise_text(_PLACEHOLDER.sub(" ", text)).casefold()
    return [word for word in _NOT_WORD.sub(" ", text).split() if not word.isdigit()]


def _features(words: Iterable[str]) -> tuple[Counter[str], set[str]]:
    """All features (n-grams and words) with counts, and the ones that measure fit."""
    features: Counter[str] = Counter()
    fit: set[str] = set()
    for word in words:
        features["w:" + word] += 1
        fit.add("w:" + word)
        padded = f" {word} "
        for size in NGRAM_SIZES:
            for start in range(len(padded) - size + 1):
                gram = padded[start : start + size]
                if gram != " ":
                    features[gram] += 1
                    if size == 3:
                        fit.add(gram)
    return features, fit


@dataclass
class _LanguageModel:
    # Feature counts per script, from the texts written mainly in that script: romanised
    # Nepali or Arabic is judged against the language's own romanised texts, not against the
    # n-grams of its native script.
    counts: dict[str, Counter[str]]
    totals: dict[str, int]
    scripts: dict[str, float]  # share of letters per script
    main_script: str  # the script most of its letters are written in


@dataclass
class _Judgement:
    scores: dict[str, float] = field(default_factory=dict)  # confidence, highest first
    known: dict[str, set[str]] = field(default_factory=dict)  # the text's words each has seen
    words: int = 0  # distinct words in the text
    script: str | None = None  # the text's main script

    def may_be(self, other: str, best: str) -> bool:
        """Whether the words say `other` as much as `best`: it has seen as many of the words
        `best` has not seen as the other way round (one or more), or `best` has seen no word
        of its own and not all of them ("ne uverena naverno": French knows only "ne")."""
        own = self.known[best] - self.known[other]
        theirs = self.known[other] - self.known[best]
        return len(theirs) >= max(1, len(own)) or (not own and len(self.known[best]) < self.words)


class LanguageDetector:
    def __init__(
        self,
        texts: Mapping[str, Iterable[str]],
        *,
        threshold: float = THRESHOLD,
        min_letters: int = MIN_LETTERS,
        fit_reference: float = FIT_REFERENCE,
    ) -> None:
        self.threshold = threshold
        self.min_letters = min_letters
        self.fit_reference = fit_reference
        self._models: dict[str, _LanguageModel] = {}
        vocabulary: set[str] = set()
        for code, language_texts in texts.items():
            counts: dict[str, Counter[str]] = {}
            scripts: Counter[str] = Counter()
            for text in language_texts:
                normalised = normalise_text(text)
                script = main_script(normalised)
                if script is None:
                    continue
                counts.setdefault(script, Counter()).update(_features(_words(text))[0])
                scripts.update(letter_scripts(normalised))
            if not counts:
                continue
            letters = sum(scripts.values()) or 1
            self._models[code] = _LanguageModel(
                counts=counts,
                totals={script: sum(c.values()) for script, c in counts.items()},
                scripts={script: n / letters for script, n in scripts.items()},
                main_script=scripts.most_common(1)[0][0],
            )
            for script_counts in counts.values():
                vocabulary.update(script_counts)
        self._vocabulary_size = len(vocabulary) + 1

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this detector can answer (those with some data)."""
        return tuple(self._models)

    @classmethod
    def from_texts(cls, texts: Mapping[str, Iterable[str]], **options) -> LanguageDetector:
        return cls(texts, **options)

    @classmethod
    def from_repository(
        cls, root: str | Path = REPO_ROOT, languages_file: str | Path | None = None, **options
    ) -> LanguageDetector:
        """Trained from the data files of every language in languages.yml (and only those)."""
        root = Path(root)
        registry = read_registry(languages_file or root / "locales" / "languages.yml")
        keywords = _keyword_words(root / "hotline" / "content" / "keywords")
        texts: dict[str, list[str]] = {}
        for language in registry.languages:
            code = language.code
            language_texts = [language.native_name, *language.aliases, *keywords.get(code, [])]
            language_texts += nlu_examples(root / "data" / "nlu" / f"{code}.yml")
            if code == registry.source_language:
                language_texts += catalog_texts(root / "locales" / "messages.pot", msgids=True)
            else:
                language_texts += catalog_texts(
                    root / "locales" / code / "LC_MESSAGES" / "messages.po"
                )
            texts[code] = language_texts
        return cls(texts, **options)

    def scores(self, text: str) -> dict[str, float]:
        """Confidence per candidate language (posterior x fit), highest first."""
        return self._judge(text).scores

    def _judge(self, text: str) -> _Judgement:
        normalised = normalise_text(text or "")
        script = main_script(normalised)
        if script is None:
            return _Judgement()
        candidates = [
            code
            for code, model in self._models.items()
            if model.scripts.get(script, 0.0) >= SCRIPT_SHARE and script in model.counts
        ]
        features, fit_features = _features(_words(normalised))
        if not candidates or not features:
            return _Judgement()
        log_likelihoods = {}
        for code in candidates:
            model = self._models[code]
            counts = model.counts[script]
            denominator = math.log(model.totals[script] + SMOOTHING * self._vocabulary_size)
            log_likelihoods[code] = sum(
                count * (math.log(counts.get(feature, 0) + SMOOTHING) - denominator)
                for feature, count in features.items()
            )
        best = max(log_likelihoods.values())
        exp = {code: math.exp(value - best) for code, value in log_likelihoods.items()}
        norm = sum(exp.values())
        words = [feature for feature in fit_features if feature.startswith("w:")]
        result = {}
        known = {}
        for code in candidates:
            counts = self._models[code].counts[script]
            known[code] = {word for word in words if word in counts}
            seen = sum(1 for feature in fit_features if feature in counts)
            fit = min(1.0, seen / (len(fit_features) * self.fit_reference)) if fit_features else 0
            # Where languages share a script, their n-grams overlap: a text none of whose words
            # a language has ever seen is not taken as that language (translit Russian is not
            # Romanian, however Romanian its letters look). The menu asks instead.
            if len(candidates) > 1 and not known[code]:
                fit = 0.0
            result[code] = exp[code] / norm * fit
        scores = dict(sorted(result.items(), key=lambda item: -item[1]))
        return _Judgement(scores, known, len(words), script)

    def detect(self, text: str) -> tuple[str, float] | None:
        """(language code, confidence), or None when the text is too short or unsure."""
        letters = sum(1 for char in text or "" if unicodedata.category(char)[0] in "LM")
        if letters < self.min_letters:
            return None
        judged = self._judge(text)
        scores = judged.scores
        if not scores:
            return None
        code, confidence = next(iter(scores.items()))
        romanisations = [
            other
            for other in scores
            if other != code and self._models[other].main_script != judged.script
        ]
        # A language typed in another script's letters has little data there, so its n-grams
        # lose to a big language's even when its words match better: "nam ne platyat uzhe"
        # reads as Romanian by letters, but Russian has seen more of its words. Then ask.
        # Only words one of the two has seen count: both know "hello" and "passport".
        if (
            confidence < self.threshold
            or sum(scores[other] for other in romanisations) >= ROMANISED_DOUBT
            or any(judged.may_be(other, code) for other in romanisations)
        ):
            return None
        return code, confidence


@lru_cache(maxsize=1)
def repository_detector() -> LanguageDetector:
    """The detector trained from this repository's data, built once per process."""
    return LanguageDetector.from_repository()


def labelled_examples(path: Path) -> list[tuple[str, str | None]]:
    """(text, intent) for every example of a Rasa NLU file, entity annotations reduced to
    their text; the intent is None for lookup tables and synonyms."""
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs = []
    for item in data.get("nlu") or []:
        examples = item.get("examples") if isinstance(item, dict) else None
        if not isinstance(examples, str):
            continue
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                text = _ENTITY.sub(lambda m: m.group(1) or m.group(2) or "", line[2:])
                pairs.append((text, item.get("intent")))
    return pairs


def nlu_examples(path: Path) -> list[str]:
    """The example texts of a Rasa NLU file (entity annotations reduced to their text)."""
    return [text for text, _ in labelled_examples(path)]


def catalog_texts(path: Path, msgids: bool = False) -> list[str]:
    """The translated (not fuzzy) texts of a .po file, or the msgids of a .pot file."""
    if not path.is_file():
        return []
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        catalog = read_po(handle)
    texts = []
    for message in catalog:
        if not message.id or (message.fuzzy and not msgids):
            continue
        value = message.id if msgids else message.string
        values = value if isinstance(value, tuple | list) else (value,)
        texts.extend(text for text in values if text)
    return texts


def _keyword_words(directory: Path) -> dict[str, list[str]]:
    """Each language's keywords and emergency phrases, from its <code>.yml."""
    words: dict[str, list[str]] = {}
    for by_language in read_keyword_files(directory).values():
        for code, entries in by_language.items():
            words.setdefault(code, []).extend(str(entry) for entry in entries)
    return words


def read_corpus(directory: str | Path) -> dict[str, list[str]]:
    """<code>.txt files: one text per line, blank lines and # comments skipped."""
    corpus = {}
    for path in sorted(Path(directory).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        corpus[path.stem] = [line.strip() for line in lines if line.strip() and line[0] != "#"]
    return corpus


@dataclass
class Evaluation:
    per_language: dict[str, tuple[int, int, int]]  # correct, abstained (menu), wrong

    @property
    def totals(self) -> tuple[int, int, int]:
        return tuple(sum(values[i] for values in self.per_language.values()) for i in range(3))

    @property
    def accuracy(self) -> float:
        correct, abstained, wrong = self.totals
        return correct / max(1, correct + abstained + wrong)

    def report(self) -> str:
        lines = [f"{'lang':6}{'texts':>7}{'correct':>9}{'menu':>6}{'wrong':>7}{'accuracy':>10}"]
        for code, (correct, abstained, wrong) in self.per_language.items():
            total = correct + abstained + wrong
            lines.append(
                f"{code:6}{total:7}{correct:9}{abstained:6}{wrong:7}{correct / max(1, total):10.1%}"
            )
        correct, abstained, wrong = self.totals
        lines.append(
            f"{'all':6}{correct + abstained + wrong:7}{correct:9}{abstained:6}{wrong:7}"
            f"{self.accuracy:10.1%}"
        )
        return "\n".join(lines)


def evaluate(detector: LanguageDetector, heldout: Mapping[str, list[str]]) -> Evaluation:
    results = {}
    for code, texts in heldout.items():
        correct = abstained = wrong = 0
        for text in texts:
            found = detector.detect(text)
            if found is None:
                abstained += 1
            elif found[0] == code:
                correct += 1
            else:
                wrong += 1
        results[code] = (correct, abstained, wrong)
    return Evaluation(results)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.language_detect")
    commands = parser.add_subparsers(dest="command", required=True)
    detect = commands.add_parser("detect", help="detect with the repository's language data")
    detect.add_argument("text", nargs="+")
    check = commands.add_parser("evaluate", help="train on TRAIN, measure on HELDOUT")
    check.add_argument("train")
    check.add_argument("heldout")
    check.add_argument("--show-errors", action="store_true")
    for sub in (detect, check):
        sub.add_argument("--threshold", type=float, default=THRESHOLD)
        sub.add_argument("--languages-file", default=str(LANGUAGES_FILE))
    args = parser.parse_args(argv)
    if args.command == "detect":
        detector = LanguageDetector.from_repository(
            languages_file=args.languages_file, threshold=args.threshold
        )
        text = " ".join(args.text)
        print(detector.detect(text), {k: round(v, 3) for k, v in detector.scores(text).items()})
        return 0
    codes = set(read_registry(args.languages_file).codes())
    train = {code: texts for code, texts in read_corpus(args.train).items() if code in codes}
    heldout = {code: texts for code, texts in read_corpus(args.heldout).items() if code in codes}
    detector = LanguageDetector.from_texts(train, threshold=args.threshold)
    print(evaluate(detector, heldout).report())
    if args.show_errors:
        for code, texts in heldout.items():
            for text in texts:
                found = detector.detect(text)
                if found is None or found[0] != code:
                    scores = {k: round(v, 2) for k, v in list(detector.scores(text).items())[:3]}
                    print(f"{code}: {text!r} -> {found} {scores}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
