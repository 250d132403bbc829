"""Per-language figures of the assistant's understanding: `make nlu-report`.

    python scripts/nlu_report.py [--model PATH] [--no-train] [--no-serve] [--errors]

1. Training: trains the model for the current data again from scratch (models/<hash>.tar.gz;
   seeded, so the same model) and prints the wall time (all languages, one model; target
   <= 10 min on 2 cores). With --no-train (or --model) the existing model is used.
2. Intents, per language: macro-F1 on tests/languages/nlu_heldout/<code>.yml, examples written
   apart from the training data (data/nlu/<code>.yml) and never trained on (target >= 0.90
   for every language). nlu_fallback counts as a wrong answer. The worst intents are listed;
   --errors lists every misunderstood example (what to write more training examples about).
   Also, without a target, on tests/languages/nlu_heldout_romanised/<code>.yml: languages
   with their own script typed in Latin letters (romanised Nepali, Arabizi).
3. Language detection, per language, on tests/languages/fixtures/detect/heldout/<code>.txt
   (texts of 2-8 words, not in any training file): correct / menu (not sure: the texter is
   asked) / wrong (target >= 95% correct; a wrong guess is worse than the menu).
   Then on tests/languages/fixtures/detect/romanised/<code>.txt: languages with their own
   script typed in Latin letters (Arabizi, translit, romanised Nepali or Thai). Their language
   or the menu are both right; another language is wrong (target: at most 5% wrong).
4. Memory: the Rasa server's resident memory with the model loaded, all languages
   (`rasa run`, target <= 2 GB). Skipped with --no-serve.

Exit code 1 when a language misses the F1 or detection target (--no-fail to always exit 0).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.language_detect import LanguageDetector, evaluate, labelled_examples, read_corpus  # noqa: E402
from bot.languages import supported_codes  # noqa: E402

HELDOUT_NLU = REPO_ROOT / "tests" / "languages" / "nlu_heldout"
ROMANISED_NLU = REPO_ROOT / "tests" / "languages" / "nlu_heldout_romanised"
HELDOUT_DETECT = REPO_ROOT / "tests" / "languages" / "fixtures" / "detect" / "heldout"
ROMANISED_DETECT = REPO_ROOT / "tests" / "languages" / "fixtures" / "detect" / "romanised"
F1_TARGET = 0.90
DETECTION_TARGET = 0.95
ROMANISED_WRONG_TARGET = 0.05


def train() -> tuple[Path, float]:
    """The model for the current data, trained again from scratch; (its path, seconds)."""
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, "-m", "bot.model", "ensure", "--force"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(finished.stdout.strip().splitlines()[-1]), time.monotonic() - started


def heldout_examples(directory: Path) -> dict[str, list[tuple[str, str]]]:
    """(text, intent) pairs of each held-out file in `directory`, by language code."""
    return {
        path.stem: [(text, intent) for text, intent in labelled_examples(path) if intent]
        for path in sorted(directory.glob("*.yml"))
    }


def intent_scores(
    model: Path, examples: dict[str, list[tuple[str, str]]], errors: list[str] | None = None
) -> dict[str, tuple[float, int, dict]]:
    """Per set of examples (a language): (macro-F1, examples, {intent: F1}). Misunderstood
    examples are appended to `errors` as printable lines when it is given."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog
    from sklearn.metrics import f1_score

    configure_structlog(logging.WARNING)  # Rasa's debug lines would print every example
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    results = {}
    for code, pairs in examples.items():
        if not pairs:
            continue
        predicted = [
            loop.run_until_complete(agent.parse_message(text))["intent"]["name"]
            for text, _ in pairs
        ]
        expected = [intent for _, intent in pairs]
        if errors is not None:
            errors += [
                f"{code}  {want:16} -> {got:16} {text}"
                for (text, want), got in zip(pairs, predicted, strict=True)
                if got != want
            ]
        labels = sorted(set(expected))
        per_intent = f1_score(expected, predicted, labels=labels, average=None, zero_division=0)
        results[code] = (
            float(per_intent.mean()),
            len(pairs),
            dict(zip(labels, map(float, per_intent), strict=True)),
        )
    return results


def server_rss_mb(model: Path) -> float:
    """Resident memory of `rasa run` once it answers /status with the model loaded."""
    from tests.net import free_port

    port = free_port()
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", HOTLINE_VAR_DIR=tempfile.mkdtemp())
    command = [sys.executable, "-m", "rasa", "run", "--enable-api", "-m", str(model)]
    command += ["--port", str(port), "--endpoints", "endpoints.yml"]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="use this model instead of training one")
    parser.add_argument("--no-train", action="store_true", help="use the current model")
    parser.add_argument("--no-serve", action="store_true", help="skip the memory figure")
    parser.add_argument("--errors", action="store_true", help="list misunderstood examples")
    parser.add_argument("--no-fail", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    codes = list(supported_codes())
    failed = []

    if args.model:
        model = Path(args.model)
    elif args.no_train:
        from bot.model import ensure_model

        model = ensure_model(REPO_ROOT)
    else:
        model, seconds = train()
        print(f"training, all {len(codes)} languages, one model: {seconds:.0f} s")

    errors: list[str] = []
    heldout = heldout_examples(HELDOUT_NLU)
    latin = {f"{code}-latn": pairs for code, pairs in heldout_examples(ROMANISED_NLU).items()}
    scores = intent_scores(model, {**heldout, **latin}, errors)
    print(f"\n{'lang':6}{'held-out':>9}{'macro-F1':>10}  weakest intents")
    for code in codes:
        if code not in scores:
            print(f"{code:6}{0:9}{'-':>10}  no held-out file")
            failed.append(code)
            continue
        macro, count, per_intent = scores[code]
        weakest = sorted(per_intent.items(), key=lambda item: item[1])[:3]
        names = ", ".join(f"{name} {f1:.2f}" for name, f1 in weakest)
        print(f"{code:6}{count:9}{macro:10.3f}  {names}")
        if macro < F1_TARGET:
            failed.append(code)
    print("\nlanguages typed in Latin letters (no target: how well they are understood)")
    for label in latin:
        macro, count, _ = scores[label]
        print(f"{label:8}{count:7}{macro:10.3f}")
    if args.errors:
        print("\nmisunderstood held-out examples (language, expected -> understood, text)")
        print("\n".join(errors))

    detector = LanguageDetector.from_repository()
    texts = read_corpus(HELDOUT_DETECT)
    evaluation = evaluate(detector, {code: texts.get(code, []) for code in codes})
    print("\nlanguage detection on held-out texts of 2-8 words (menu = not sure: asked)")
    print(evaluation.report())
    by_language: dict[str, float] = defaultdict(float)
    for code, (correct, abstained, wrong) in evaluation.per_language.items():
        by_language[code] = correct / max(1, correct + abstained + wrong)
        if by_language[code] < DETECTION_TARGET:
            failed.append(code)

    romanised = evaluate(detector, read_corpus(ROMANISED_DETECT))
    print("\nromanised texts (own script typed in Latin letters; right language or menu)")
    print(romanised.report())
    correct, abstained, wrong = romanised.totals
    if wrong > ROMANISED_WRONG_TARGET * (correct + abstained + wrong):
        failed += ["romanised"]

    if not args.no_serve:
        print(f"\nRasa server resident memory, all languages loaded: {server_rss_mb(model):.0f} MB")

    if failed:
        print(f"\nbelow target: {sorted(set(failed))}", file=sys.stderr)
        return 0 if args.no_fail else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
