"""The tune's profile: the skyline of a piece, and how its line moves."""

from __future__ import annotations

import numpy as np
import pytest

from model.evaluation.melodic import interval_profile, melody_profile, pooled, top_line

EIGHTH = 0.25  # seconds at the metrics' default 120 BPM grid


def line(pitches: list[int], start: float = 0.0) -> np.ndarray:
    return np.array([[start + i * EIGHTH, start + (i + 1) * EIGHTH, p] for i, p in enumerate(pitches)], float)


def test_the_top_line_is_the_highest_note_at_each_onset() -> None:
    melody = line([72, 74, 76, 77])
    chords = np.array([[0.0, 1.0, p] for p in (48, 52, 55)] + [[0.5, 1.0, 79]], float)  # a high note joins at 0.5 s
    steps, pitches = top_line(np.vstack([melody, chords]))
    assert steps.tolist() == [0, 2, 4, 6]
    assert pitches.tolist() == [72, 74, 79, 77]


def test_a_line_counts_unisons_steps_and_leaps_of_a_fourth_or_more() -> None:
    profile = melody_profile(line([60, 62, 64, 67, 72, 72]))  # moves 2, 2, 3, 5, 0
    assert (profile.unisons, profile.steps, profile.leaps) == pytest.approx((0.2, 0.4, 0.2))
    assert profile.range == 12
    assert profile.notes_per_bar == pytest.approx(6 / (10 / 16 + 1))


def test_a_piece_without_a_line_has_no_profile_and_pooling_skips_it() -> None:
    empty = interval_profile(np.zeros(0, int), np.zeros(0, int))
    assert np.isnan(empty.steps)
    assert pooled([empty, melody_profile(line([60, 62, 64]))]).steps == 1.0


def test_a_piece_that_names_its_melody_is_measured_by_that_voice_not_its_top_line() -> None:
    import pretty_midi

    piece = pretty_midi.PrettyMIDI()
    melody, piano = pretty_midi.Instrument(0, name="MELODY"), pretty_midi.Instrument(0, name="PIANO")
    for start, end, pitch in line([60, 62, 64, 65]):
        melody.notes.append(pretty_midi.Note(90, int(pitch), start, end))
    for start, end, pitch in line([84, 72, 88, 74]):  # higher than the tune, leaping
        piano.notes.append(pretty_midi.Note(90, int(pitch), start, end))
    piece.instruments += [melody, piano]
    assert melody_profile(piece).steps == 1.0
    piano.name = "Piano right hand"
    melody.name = "Tune"
    assert melody_profile(piece).leaps == 1.0  # no voice named: the top line, the piano's leaps
