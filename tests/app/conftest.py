"""Fixtures for the app tests: an isolated lab (data, cache, database, password) and a prepared study.

Every test gets its own ``LAB_DATA_DIR`` (so its own SQLite database, clips and uploads); rendered audio is
cached for the whole session in one ``LAB_CACHE_DIR``, so only the first test pays for FluidSynth.  The
models are the shipped ``assets/models/default`` and ``paper`` when present, else a tiny model trained once
into the session's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from survey.clips.prepare import prepare_and_publish
from survey.design.studyfile import StudyDefinition, parse_study_text
from survey.store.db import open_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-password"

SMALL_STUDY = """\
study: app-test
title: App test study
consent: You agree to the test.
clips_per_participant: 2
excerpt: {start: 0.0, duration: 3.0, fade: 0.2}
headphone_check: true
headphone_failed: continue
attention_checks:
  - {key: attn, after: 1, prompt: "Select 2.", expected: 2}
sources:
  - key: original
    label: POP909 original
    human: true
    clips:
      - {key: o1, midi: "pop909:001/001.mid", group: "001", start: 10.0}
  - key: lstm
    label: LSTM default
    clips:
      - {key: l1, generate: {model: default, primer: "001", seed: 1, bars: 4}, group: "001"}
"""


@pytest.fixture(autouse=True)
def keep_the_main_module() -> Iterator[None]:
    """AppTest runs a page as ``__main__`` and leaves it in ``sys.modules``; a later process pool (forkserver or
    spawn, e.g. ``model metrics --jobs 2``) would import that page in its workers and run it there (a forkserver
    died on the page's locked SQLite database), so each app test hands the session's own main module back."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory, pop909_dir: Path) -> Path:
    """A folder holding ``default`` and ``paper`` model folders (shipped ones, else one tiny model)."""
    folder = tmp_path_factory.mktemp("models")
    shipped = ROOT / "assets" / "models"
    if (shipped / "default" / "preset.json").is_file() and (shipped / "paper" / "preset.json").is_file():
        return shipped
    tiny = ROOT / "runs" / "tiny"
    if not (tiny / "preset.json").is_file():
        tiny = folder / "tiny"
        env = {**os.environ, "POP909_DIR": str(pop909_dir)}
        subprocess.run([sys.executable, "-m", "model", "train", "--preset", "tiny", "--songs", "3", "--out", str(tiny)],
                       cwd=ROOT, env=env, check=True, capture_output=True)
    for name in ("default", "paper"):
        (folder / name).symlink_to(tiny, target_is_directory=True)
    return folder


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Render cache shared by the session's tests (``LAB_CACHE_DIR`` if the runner set one)."""
    return Path(os.environ.get("LAB_CACHE_DIR") or tmp_path_factory.mktemp("cache"))


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, models_dir: Path, cache_dir: Path, pop909_dir: Path) -> Path:
    """An isolated lab: its own data folder and SQLite database, the password set, no demo preparation."""
    monkeypatch.setenv("LAB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LAB_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("LAB_MODELS_DIR", str(models_dir))
    monkeypatch.setenv("POP909_DIR", str(pop909_dir))
    monkeypatch.setenv("LAB_PASSWORD", PASSWORD)
    monkeypatch.setenv("LAB_DEMO", "0")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture
def factory(lab: Path) -> Iterator[sessionmaker[Session]]:
    """The lab's database, as the app opens it."""
    from app.resources import database

    yield database()


@pytest.fixture
def small_study() -> StudyDefinition:
    return parse_study_text(SMALL_STUDY)


@pytest.fixture
def small_study_text() -> str:
    """The small study's file text, to derive variants from."""
    return SMALL_STUDY


@pytest.fixture
def open_study(factory: sessionmaker[Session], small_study: StudyDefinition, lab: Path) -> str:
    """The small study, rendered, audited and published; returns its slug."""
    from app.resources import clip_renderer, clip_store

    outcome = prepare_and_publish(factory, small_study, clip_renderer(), clip_store(), override="3-second test clips")
    assert outcome.status == "open", outcome
    return small_study.slug


def fresh_database(path: Path) -> sessionmaker[Session]:
    """A database opened outside the app, to check what the app wrote."""
    return open_database(f"sqlite:///{path / 'survey.sqlite3'}")


def copy_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
