"""bot.model: the model is named by a hash of what it is trained from."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from bot import model
from bot.model import REPO_ROOT, content_hash, model_path, training_files


@pytest.fixture
def project(tmp_path):
    for name in ("config.yml", "domain.yml"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    shutil.copytree(
        REPO_ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "actions.py").write_text("# not part of the model\n")
    return tmp_path


def test_the_hash_covers_config_domain_data_and_bot_code(project):
    relative = [path.relative_to(project).as_posix() for path in training_files(project)]
    assert relative == sorted(relative)
    assert {"config.yml", "domain.yml", "data/rules.yml", "data/nlu/en.yml", "bot/nlg.py"} <= set(
        relative
    )
    assert not any(path.startswith("actions/") for path in relative)


def test_the_hash_is_stable_and_follows_the_content(project):
    first = content_hash(project)
    assert len(first) == 12 and first == content_hash(project)
    assert model_path(project) == project / "models" / f"{first}.tar.gz"

    (project / "actions" / "actions.py").write_text("# changed, still not part of the model\n")
    assert content_hash(project) == first

    nlu = project / "data" / "nlu" / "en.yml"
    nlu.write_text(nlu.read_text() + "\n")
    second = content_hash(project)
    assert second != first

    nlu.rename(project / "data" / "nlu" / "xx.yml")  # same bytes, another file name
    assert content_hash(project) != second


def test_ensure_does_not_train_when_the_model_exists(project, monkeypatch):
    target = model_path(project)
    target.parent.mkdir()
    target.write_bytes(b"model")
    monkeypatch.setattr(model, "train", lambda root, force=False: pytest.fail("trained"))
    assert model.ensure_model(project) == target


def test_the_command_line_prints_the_hash_and_the_path():
    run = [sys.executable, "-m", "bot.model"]
    result = subprocess.run([*run, "hash"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == content_hash()
    result = subprocess.run([*run, "path"], cwd=REPO_ROOT, capture_output=True, text=True)
    if model_path().exists():
        assert result.returncode == 0 and result.stdout.strip() == str(model_path())
    else:
        assert result.returncode == 1 and "ensure" in result.stderr


def test_the_directory_of_services_is_not_part_of_the_model(project):
    before = content_hash(project)
    country = project / "data" / "directory" / "zz.yml"
    country.write_text("country: zz\n")
    assert content_hash(project) == before
    assert not any("directory" in path.parts for path in training_files(project))
