"""The excerpt's MIDI: only what sounds in the window, cut to it and starting at 0."""

from __future__ import annotations

import io

import pretty_midi
import pytest

from audio.midi import load_midi
from audio.window import excerpt_midi


def two_halves() -> bytes:
    """A primer of low Es for 10 s, then 80-84 for 10 s, at 120 BPM (one note per beat, 0.45 s long; the
    primer's last note lasts 0.7 s, so it sounds into the second half)."""
    song = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(80, 40 if i < 20 else 80 + i % 5, i * 0.5, i * 0.5 + (0.7 if i == 19 else 0.45))
                   for i in range(40)]
    song.instruments.append(piano)
    buffer = io.BytesIO()
    song.write(buffer)
    return buffer.getvalue()


def test_the_window_keeps_what_sounds_in_it_from_zero() -> None:
    window = load_midi(excerpt_midi(two_halves(), start=10.0, seconds=5.0))
    notes = window.instruments[0].notes
    assert {n.pitch for n in notes} == {40, 80, 81, 82, 83, 84}, "the primer's last note still sounds at 10 s"
    first = min(notes, key=lambda n: n.start)
    assert first.pitch == 40 and (first.start, first.end) == pytest.approx((0.0, 0.2), abs=1e-3), "cut to the window"
    assert len(notes) == 1 + 10 and max(n.end for n in notes) <= 5.0 + 1e-6


def test_the_window_keeps_the_tempo() -> None:
    window = load_midi(excerpt_midi(two_halves(), start=10.0, seconds=5.0))
    assert window.estimate_tempo() > 0 and window.get_tempo_changes()[1][0] == pytest.approx(120.0)
