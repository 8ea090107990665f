"""Hostile MIDI gets one verdict from every entry point: rendered, measured, uploaded and used as a primer alike,
or refused by all of them in the same sentence; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from audio import RenderError, render_midi
from audio.midi import load_midi
from bench.hostile_midi import hostile_files
from model.evaluation.metrics import piece_metrics_from_bytes
from model.generation.settings import GenerationSettings
from model.pieces import MidiPrimer, PieceRequest, make_piece
from tests.conftest import ROOT

MODELS = ROOT / "assets" / "models"
PRIMER = "The primer cannot be used: "


def primed(model: str) -> Callable[[bytes], object]:
    return lambda data: make_piece(PieceRequest(MODELS / model, GenerationSettings(seed=0), bars=1,
                                                primer=MidiPrimer(data)))


ENTRY_POINTS: dict[str, Callable[[bytes], object]] = {
    "render": render_midi,
    "Studio upload": load_midi,
    "metrics": piece_metrics_from_bytes,
    "primer of default": primed("default"),
    "primer of magenta-attention": primed("magenta-attention"),
}


def verdict(entry: Callable[[bytes], object], data: bytes) -> str:
    """``read`` or the refusal's sentence (without the primer's lead-in); anything but a refusal fails the test."""
    try:
        entry(data)
    except (ValueError, RenderError) as refusal:
        message = str(refusal).removeprefix(PRIMER)
        assert "\n" not in message and message.endswith(".") and message[0].isupper(), message
        return message
    return "read"


@pytest.mark.parametrize("name", sorted(hostile_files()))
def test_every_entry_point_gives_the_same_verdict(name: str, pop909_dir: Path) -> None:
    data = hostile_files()[name]
    verdicts = {label: verdict(entry, data) for label, entry in ENTRY_POINTS.items()}
    assert len(set(verdicts.values())) == 1, verdicts
    assert not any(leak in next(iter(verdicts.values())) for leak in ("division by zero", "is not a valid",
                                                                       "Note end time", "MiniMidi", "Get "))


def test_the_unknown_chunk_is_skipped_as_the_standard_says_and_the_rest_are_refused() -> None:
    read = {name for name, data in hostile_files().items() if verdict(render_midi, data) == "read"}
    assert read == {"unknown chunk between tracks"}


def test_the_metrics_command_prints_only_the_refusal(tmp_path: Path) -> None:
    path = tmp_path / "zero-tempo.mid"
    path.write_bytes(hostile_files()["tempo of 0"])
    # CI=1: pyfluidsynth then prints where it found its library at import; stdout must stay the command's own.
    result = subprocess.run([sys.executable, "-m", "model", "metrics", str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "CI": "1"})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().endswith("it sets a tempo of 0 (a beat that never ends).")
