"""Train the Rasa model only when its training data changed.

    python -m bot.model ensure   # train if models/<hash12>.tar.gz is missing; print its path
    python -m bot.model ensure --force   # train again even if it exists
    python -m bot.model path     # print the current model's path (exit 1 if not trained)
    python -m bot.model hash     # print the 12-character content hash

The hash is a SHA-256 over the files that determine the model (config.yml, domain.yml,
data/** except data/directory/, bot/*.py), in sorted path order, each with its path. Rasa's
own fingerprinting is not used because it needs Rasa loaded and it decides per component, not
per file.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = "models"
HASH_LENGTH = 12


def training_files(root: Path = REPO_ROOT) -> list[Path]:
    """The files whose content determines the model, sorted by their path."""
    files = [root / "config.yml", root / "domain.yml"]
    data = root / "data"
    if data.is_dir():
        # The directory of services is read at run time (bot/directory.py), not trained on:
        # an NGO adding a country does not need a new model.
        files += [
            path
            for path in data.rglob("*")
            if path.is_file() and "directory" not in path.relative_to(data).parts[:1]
        ]
    files += [path for path in (root / "bot").glob("*.py") if path.is_file()]
    return sorted(
        (path for path in files if "__pycache__" not in path.parts),
        key=lambda path: path.relative_to(root).as_posix(),
    )


def content_hash(root: Path = REPO_ROOT) -> str:
    """The first 12 hex digits of the SHA-256 over the training files and their paths."""
    digest = hashlib.sha256()
    for path in training_files(root):
        relative = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        digest.update(len(relative).to_bytes(8, "big") + relative)
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()[:HASH_LENGTH]


def model_path(root: Path = REPO_ROOT) -> Path:
    """Where the model for the current training data is (whether or not it exists yet)."""
    return root / MODELS_DIR / f"{content_hash(root)}.tar.gz"


def train(root: Path = REPO_ROOT, force: bool = False) -> Path:
    """Train into a temporary directory, then move the model into place atomically.

    Rasa's log goes to stderr, so stdout carries only what this module prints (the path).
    `force` also makes Rasa ignore its training cache (.rasa/cache).
    """
    name = content_hash(root)
    target = root / MODELS_DIR / f"{name}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    with tempfile.TemporaryDirectory(prefix=f".train-{name}-", dir=target.parent) as tmp:
        command = [sys.executable, "-m", "rasa", "train", "--fixed-model-name", name, "--out", tmp]
        if force:
            command.append("--force")
        sys.stdout.flush()
        subprocess.run(command, cwd=root, env=env, check=True, stdout=sys.stderr)
        trained = Path(tmp) / f"{name}.tar.gz"
        if not trained.exists():
            raise RuntimeError(f"rasa train did not write {trained}")
        os.replace(trained, target)
    return target


def ensure_model(root: Path = REPO_ROOT, force: bool = False) -> Path:
    """The current model's path, training it first if the training data changed (or `force`)."""
    target = model_path(root)
    if force or not target.exists():
        started = time.monotonic()
        train(root, force=force)
        print(f"trained {target.name} in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.model", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["ensure", "path", "hash"])
    parser.add_argument("--force", action="store_true", help="ensure: train even if it exists")
    args = parser.parse_args(argv)
    if args.command == "hash":
        print(content_hash())
        return 0
    if args.command == "ensure":
        print(ensure_model(force=args.force))
        return 0
    target = model_path()
    if not target.exists():
        print(
            f"error: no model for the current training data ({target.name}); "
            "run `python -m bot.model ensure`",
            file=sys.stderr,
        )
        return 1
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
