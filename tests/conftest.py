"""Shared fixtures: where POP909 lives for tests (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POP909 = ROOT.parent / "shared" / "data" / "POP909"


@pytest.fixture(scope="session")
def pop909_dir() -> Path:
    """The real POP909 folder beside the checkout (or env POP909_DIR); tests fail loudly without it."""
    path = Path(os.environ.get("POP909_DIR", DEFAULT_POP909))
    assert (path / "001" / "001.mid").is_file(), f"POP909 not found at {path}; set POP909_DIR"
    return path
