"""Intent quality of the NLU, by cross-validation: `make nlu-report`.

    python scripts/nlu_report.py [--folds 3] [--nlu data/nlu/en.yml] [--out results/nlu] [--seed N]

Runs `rasa test nlu --cross-validation` with the project's config.yml (few folds: CI has two
cores) and prints the intent macro-F1 and each intent's F1, worst first. The target for a
language is a macro-F1 of at least 0.92; `--min` makes the exit code fail below a threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--nlu", default="data/nlu/en.yml")
    parser.add_argument("--out", default="results/nlu")
    parser.add_argument("--seed", type=int, default=20261124, help="how the folds are drawn")
    parser.add_argument("--min", type=float, default=None, help="fail below this macro-F1")
    args = parser.parse_args(argv)

    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    # Rasa shuffles the folds with numpy's global generator: seeded, the report is repeatable.
    seeded_rasa = (
        "import sys, numpy; numpy.random.seed(int(sys.argv[1])); "
        "from rasa.__main__ import main; sys.argv = ['rasa', *sys.argv[2:]]; main()"
    )
    command = [
        sys.executable, "-c", seeded_rasa, str(args.seed), "test", "nlu", "--cross-validation",
        "--folds", str(args.folds), "--nlu", args.nlu, "--config", "config.yml",
        "--out", args.out,
    ]  # fmt: skip
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=True, stdout=sys.stderr)

    report = json.loads((REPO_ROOT / args.out / "intent_report.json").read_text())
    macro_f1 = report["macro avg"]["f1-score"]
    intents = {
        name: scores["f1-score"]
        for name, scores in report.items()
        if isinstance(scores, dict) and "support" in scores and not name.endswith(" avg")
    }
    for name, f1 in sorted(intents.items(), key=lambda item: item[1]):
        print(f"{f1:.3f}  {name}")
    print(f"intent macro-F1 ({args.folds}-fold cross-validation, {args.nlu}): {macro_f1:.3f}")
    if args.min is not None and macro_f1 < args.min:
        print(f"below the target {args.min}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
