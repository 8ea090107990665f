"""Presentation policy: every source's MIDI gets the same tempo, dynamics, texture and instrument."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pretty_midi
import pytest

from audio.midi import load_midi
from audio.presentation import (
    HUMANISE_SD,
    ContentPolicy,
    PresentationPolicy,
    TempoPolicy,
    VelocityPolicy,
    piece_bpm,
    policy_from_dict,
    policy_summary,
    present,
)


def piece(bpm: float = 120.0, tracks: dict[str, list[tuple[int, float, float, int]]] | None = None) -> bytes:
    """A MIDI file at ``bpm`` with tracks of (pitch, start beat, length in beats, velocity) notes."""
    beat = 60.0 / bpm
    midi = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    tracks = tracks or {"PIANO": [(60 + i, i, 0.9, 50 + 10 * (i % 4)) for i in range(8)]}
    for name, notes in tracks.items():
        inst = pretty_midi.Instrument(program=33, name=name)
        inst.notes = [pretty_midi.Note(v, p, s * beat, (s + d) * beat) for p, s, d, v in notes]
        midi.instruments.append(inst)
    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()


def notes(midi: bytes) -> list[pretty_midi.Note]:
    return sorted((n for i in load_midi(midi).instruments for n in i.notes), key=lambda n: (n.start, n.pitch))


def test_the_default_policy_renders_the_file_as_it_is() -> None:
    data = piece()
    shown = present(data, PresentationPolicy())
    assert shown.midi == data and shown.time_scale == 1.0 and shown.bpm == pytest.approx(120.0)


def test_one_bpm_for_all_stretches_time_and_keeps_pitches() -> None:
    shown = present(piece(bpm=120.0), policy_from_dict({"tempo": 60}))
    before, after = notes(piece(bpm=120.0)), notes(shown.midi)
    assert shown.time_scale == pytest.approx(2.0) and piece_bpm(load_midi(shown.midi)) == pytest.approx(60.0)
    assert [n.pitch for n in after] == [n.pitch for n in before]
    assert [n.start for n in after] == pytest.approx([2 * n.start for n in before], abs=1e-3)


def test_the_group_tempo_is_the_group_songs_and_needs_one() -> None:
    policy = policy_from_dict({"tempo": "group"})
    assert present(piece(bpm=90.0), policy, group_bpm=72.0).bpm == pytest.approx(72.0)
    with pytest.raises(ValueError, match="group"):
        present(piece(), policy)


def test_one_velocity_for_all() -> None:
    shown = present(piece(), policy_from_dict({"velocity": 80}))
    assert {n.velocity for n in notes(shown.midi)} == {80}


def test_humanised_velocities_spread_around_the_pieces_mean_and_repeat_per_clip() -> None:
    many = piece(tracks={"PIANO": [(60 + i % 12, i / 2, 0.4, 40 + (i % 2) * 40) for i in range(400)]})
    policy = policy_from_dict({"velocity": "humanised"})
    first = [n.velocity for n in notes(present(many, policy, seed_text="clip-1").midi)]
    again = [n.velocity for n in notes(present(many, policy, seed_text="clip-1").midi)]
    other = [n.velocity for n in notes(present(many, policy, seed_text="clip-2").midi)]
    assert first == again and first != other
    assert np.mean(first) == pytest.approx(60.0, abs=2.0)
    assert np.std(first) == pytest.approx(HUMANISE_SD, rel=0.15)


def test_melody_only_keeps_a_melody_track() -> None:
    song = piece(tracks={"MELODY": [(72, 0, 1, 90), (74, 1, 1, 90)], "PIANO": [(48, 0, 2, 60), (79, 0, 2, 60)]})
    shown = present(song, policy_from_dict({"content": "melody"}))
    assert [n.pitch for n in notes(shown.midi)] == [72, 74]


def test_melody_only_takes_the_top_line_of_a_piece_without_one() -> None:
    chords = piece(tracks={"PIANO": [(60, 0, 2, 70), (64, 0, 2, 70), (67, 0, 2, 70), (62, 1, 2, 70), (65, 2, 1, 70)]})
    line = notes(present(chords, policy_from_dict({"content": "melody"})).midi)
    assert [n.pitch for n in line] == [67, 62, 65], "the highest note of each onset"
    assert all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(line)), "one note at a time"


def test_one_instrument_for_all() -> None:
    song = piece(tracks={"MELODY": [(72, 0, 1, 90)], "PIANO": [(48, 0, 2, 60)]})
    programs = {i.program for i in load_midi(present(song, policy_from_dict({"instrument": 0})).midi).instruments}
    assert programs == {0}


@pytest.mark.parametrize("recorded", [
    {"tempo": "own", "velocity": "as-written", "content": "full", "instrument": "as-written"},
    {"tempo": 96.0, "velocity": 80, "content": "melody", "instrument": 0},
    {"tempo": "group", "velocity": "humanised", "content": "full", "instrument": 1},
])
def test_a_policy_is_recorded_in_the_study_files_words(recorded: dict[str, object]) -> None:
    policy = policy_from_dict(recorded)
    assert policy.to_dict() == recorded
    assert policy_summary(policy)


def test_a_policy_must_be_consistent() -> None:
    with pytest.raises(ValueError, match="BPM"):
        PresentationPolicy(tempo=TempoPolicy.FIXED)
    with pytest.raises(ValueError, match="velocity"):
        PresentationPolicy(velocity=VelocityPolicy.FIXED)
    assert PresentationPolicy(content=ContentPolicy.MELODY).changes_nothing is False
