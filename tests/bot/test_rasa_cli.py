"""The Rasa project itself: data validation and the test stories, as CI runs them."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false")
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_training_data_validates_without_warnings():
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]


def test_every_test_story_is_predicted(model_path, tmp_path):
    stories = ["--stories", "tests/stories", "--fail-on-prediction-errors"]
    out = ["--out", str(tmp_path / "results")]
    result = rasa("test", "core", "--model", str(model_path), *stories, *out)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert (tmp_path / "results" / "story_report.json").exists()
