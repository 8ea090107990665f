"""Fixtures for the audio tests: tiny MIDI built inline, short excerpt settings, a private cache."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import pytest

from audio.cache import RenderCache
from audio.settings import ExcerptSettings


def scale_midi(seconds: float = 4.0, program: int = 0, name: str = "PIANO") -> pretty_midi.PrettyMIDI:
    """A C-major scale of quarter notes at 120 bpm lasting `seconds`, on one instrument."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    instrument = pretty_midi.Instrument(program=program, name=name)
    for index in range(int(seconds * 2)):
        pitch = 60 + (0, 2, 4, 5, 7, 9, 11, 12)[index % 8]
        instrument.notes.append(pretty_midi.Note(90, pitch, index * 0.5, index * 0.5 + 0.45))
    midi.instruments.append(instrument)
    return midi


@pytest.fixture
def scale() -> pretty_midi.PrettyMIDI:
    return scale_midi()


@pytest.fixture
def short() -> ExcerptSettings:
    """Four-second clips keep the suite fast; every other setting is the study default."""
    return ExcerptSettings(seconds=4.0)


@pytest.fixture
def cache(tmp_path: Path) -> RenderCache:
    return RenderCache(tmp_path / "cache")


@pytest.fixture
def song(pop909_dir: Path) -> Path:
    return pop909_dir / "001" / "001.mid"
