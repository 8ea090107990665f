"""Encodings: the seed's note/chord spelling, and our grid events, round-trip on tiny scores."""

from __future__ import annotations

import io

import numpy as np
import pretty_midi
import pytest

from model.encoding.tokens import (
    GridCodec,
    PaperCodec,
    TokenError,
    normal_order,
    parse_pitch_name,
    pitch_name,
)
from model.families import family_named
from model.music.score import MidiError, Score, load_score


def make_score(onsets: list[int], pitches: list[int], durations: list[int] | None = None) -> Score:
    n = len(onsets)
    return Score(np.array(onsets), np.array(durations or [4] * n), np.array(pitches), np.full(n, 90), 0.5)


def test_pitch_names_are_spelled_as_music21_spells_midi_input() -> None:
    assert [pitch_name(p) for p in (60, 61, 63, 66, 70, 71)] == ["C4", "C#4", "E-4", "F#4", "B-4", "B4"]


def test_pitch_names_round_trip_over_the_usable_midi_range() -> None:
    assert all(parse_pitch_name(pitch_name(p)) == p for p in range(12, 128))


def test_an_unknown_pitch_name_is_a_token_error() -> None:
    with pytest.raises(TokenError):
        parse_pitch_name("H4")


@pytest.mark.parametrize(
    ("pitch_classes", "expected"),
    [([0, 4, 7], [0, 4, 7]), ([7, 11, 2], [7, 11, 2]), ([0, 3, 8], [8, 0, 3]), ([2, 6, 11], [11, 2, 6]),
     ([0, 4, 7, 10], [4, 7, 10, 0]), ([5], [5])],
)
def test_chords_are_written_in_normal_order(pitch_classes: list[int], expected: list[int]) -> None:
    assert normal_order(pitch_classes) == expected


def test_chords_of_five_or_more_notes_follow_music21_not_the_textbook_rule() -> None:
    # Rahn's rule gives 7.8.0.1.3; the seed used music21, whose spelling we must reproduce.
    assert normal_order([0, 1, 3, 7, 8]) == [0, 1, 3, 7, 8]


def test_every_pitch_class_set_is_spelt_exactly_as_music21_spells_it() -> None:
    from music21 import chord

    for mask in range(1, 1 << 12):
        pcs = [pc for pc in range(12) if mask >> pc & 1]
        expected = list(chord.Chord(pcs).normalOrder) if len(pcs) > 1 else pcs
        assert normal_order(reversed(pcs)) == expected, pcs


def test_paper_encoding_writes_one_event_per_onset() -> None:
    score = make_score([0, 0, 0, 4, 8, 8], [60, 64, 67, 62, 55, 67])
    assert PaperCodec().encode(score) == ["0.4.7", "D4", "7"]


def test_paper_decoding_places_one_event_per_eighth_note() -> None:
    decoded = PaperCodec().decode(["0.4.7", "D4"])
    assert list(decoded.onsets) == [0, 0, 0, 2]
    assert list(decoded.pitches) == [60, 64, 67, 62]


def test_paper_round_trip_keeps_pitches_of_single_notes_and_pitch_classes_of_chords() -> None:
    score = make_score([0, 2, 2, 6], [72, 57, 60, 65])
    decoded = PaperCodec().decode(PaperCodec().encode(score))
    assert list(decoded.pitches[:1]) == [72]
    assert sorted(p % 12 for p in decoded.pitches[1:3]) == sorted(p % 12 for p in (57, 60))
    assert PaperCodec().encode(decoded) == PaperCodec().encode(score)


def test_grid_encoding_keeps_bars_positions_pitches_and_durations() -> None:
    score = make_score([0, 0, 6, 20], [60, 64, 67, 72], [4, 8, 2, 12])
    events = GridCodec().encode(score)
    assert events == ["BAR", "POS_0", "P_60", "D_4", "P_64", "D_8", "POS_6", "P_67", "D_2",
                      "BAR", "POS_4", "P_72", "D_12"]


def test_grid_round_trip_is_exact_for_durations_up_to_two_bars() -> None:
    rng = np.random.default_rng(3)
    onsets = np.sort(rng.integers(0, 200, 40))
    score = make_score(list(onsets), list(rng.integers(21, 108, 40)), list(rng.integers(1, 33, 40)))
    order = np.lexsort((score.pitches, score.onsets))
    decoded = GridCodec().decode(GridCodec().encode(score))
    assert np.array_equal(decoded.onsets, score.onsets[order])
    assert np.array_equal(decoded.pitches, score.pitches[order])
    assert np.array_equal(decoded.durations, score.durations[order])


def test_grid_decoding_skips_a_pitch_without_duration() -> None:
    decoded = GridCodec().decode(["BAR", "POS_0", "P_60", "POS_4", "P_62", "D_2"])
    assert list(decoded.pitches) == [62] and list(decoded.onsets) == [4]


def test_empty_bars_survive_as_rests() -> None:
    events = GridCodec().encode(make_score([0, 40], [60, 62]))
    assert events.count("BAR") == 3
    assert list(GridCodec().decode(events).onsets) == [0, 40]


def test_a_pop909_song_round_trips_through_the_grid(pop909_dir) -> None:
    score = load_score(pop909_dir / "001" / "001.mid", pop909_dir / "001" / "beat_midi.txt")
    decoded = GridCodec().decode(GridCodec().encode(score))
    assert score.n_notes > 1000
    assert np.array_equal(decoded.onsets, score.onsets)
    assert np.array_equal(decoded.durations, np.minimum(score.durations, 32))


def midi_bytes(midi: pretty_midi.PrettyMIDI) -> bytes:
    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()


def test_midi_onsets_land_on_the_sixteenth_grid_of_the_tempo_map() -> None:
    midi = pretty_midi.PrettyMIDI(initial_tempo=120)
    piano = pretty_midi.Instrument(0)
    piano.notes += [pretty_midi.Note(90, 60, 0.0, 0.5), pretty_midi.Note(90, 62, 0.126, 0.25),
                    pretty_midi.Note(90, 64, 2.0, 3.0)]
    midi.instruments.append(piano)
    score = load_score(midi_bytes(midi))
    assert list(score.onsets) == [0, 1, 16]
    assert list(score.durations) == [4, 1, 8]


def test_a_midi_file_without_notes_is_refused() -> None:
    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(pretty_midi.Instrument(0))
    with pytest.raises(MidiError, match="no notes"):
        load_score(midi_bytes(midi))


@pytest.mark.parametrize("data", [b"", b"not a midi file", b"MThd\x00\x00\x00\x06\x00\x01"])
def test_corrupt_or_empty_bytes_are_a_midi_error(data: bytes) -> None:
    with pytest.raises(MidiError):
        load_score(data)


def test_unknown_representation_names_the_choices() -> None:
    with pytest.raises(ValueError, match="paper, grid"):
        family_named("abc")
