"""The packages depend one way: app -> survey -> model and audio; audio takes only the MIDI limits from model."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALLOWED = {
    "model": {"model"},
    "audio": {"audio", "model.music.midi_limits"},
    "survey": {"survey", "model", "audio"},
    "app": {"app", "survey", "model", "audio"},
}


def lab_imports(path: Path) -> set[str]:
    """Every module of the lab's four packages that ``path`` imports (at any depth of the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        found |= {n for n in names if n.split(".")[0] in ALLOWED}
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_import_runs_back_up(package: str) -> None:
    wrong = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = {name for name in lab_imports(path)
               if not any(name == ok or name.startswith(f"{ok}.") for ok in ALLOWED[package])
               and not any(ok.startswith(f"{name}.") for ok in ALLOWED[package])}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong, f"{package} imports against the layering: {wrong}"


def test_the_audio_package_copies_pop909s_track_names_exactly() -> None:
    from audio.presentation import MELODY_TRACK
    from audio.settings import POP909_TRACKS
    from model.music.pop909 import MELODY_TRACK as MODEL_MELODY_TRACK
    from model.music.pop909 import TRACKS

    assert POP909_TRACKS == TRACKS and MELODY_TRACK == MODEL_MELODY_TRACK
