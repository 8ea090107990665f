"""Voices (``grid-voices``): POP909's MELODY, BRIDGE and PIANO kept apart from the song file to the piece's MIDI."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pretty_midi

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.tokens import ChordGridCodec, VoicedGridCodec
from model.encoding.transpose import shift_table
from model.encoding.vocabulary import Vocabulary
from model.music.chords import parse_progression
from model.music.score import BRIDGE, MELODY, PIANO, VOICES, Score, load_score, score_to_midi
from model.training.warm_start import ancestor_ids, grown_weights
from tests.model.music.test_chords import positions_rise_within_bars, sample_at_random

VOICED = Vocabulary(tuple(VoicedGridCodec.all_events()))


def voiced_score(onsets: list[int], pitches: list[int], voices: list[int], durations: list[int] | None = None) -> Score:
    n = len(onsets)
    return Score(np.array(onsets), np.array(durations or [4] * n), np.array(pitches), np.full(n, 90), 0.5,
                 voices=np.array(voices))


def notes_of(score: Score) -> list[tuple[int, int, int, int]]:
    return sorted(zip(score.onsets.tolist(), np.minimum(score.durations, 32).tolist(), score.pitches.tolist(),
                      score.voice_ids.tolist(), strict=True))


def test_pop909_tracks_are_read_as_the_three_voices(pop909_dir: Path) -> None:
    score = load_score(pop909_dir / "001" / "001.mid", pop909_dir / "001" / "beat_midi.txt")
    midi = pretty_midi.PrettyMIDI(str(pop909_dir / "001" / "001.mid"))
    counts = {i.name.strip().upper(): len(i.notes) for i in midi.instruments}
    assert np.bincount(score.voice_ids, minlength=3).tolist() == [counts[name] for name in VOICES]


def test_a_file_with_other_track_names_has_no_voices() -> None:
    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(pretty_midi.Instrument(0, name="Lead"))
    midi.instruments[0].notes.append(pretty_midi.Note(90, 60, 0.0, 0.5))
    buffer = io.BytesIO()
    midi.write(buffer)
    assert load_score(buffer.getvalue()).voices is None


def test_each_pitch_event_names_its_voice_melody_first_at_a_position() -> None:
    score = voiced_score([0, 0, 0, 4], [48, 76, 64, 55], [PIANO, MELODY, BRIDGE, PIANO], [8, 2, 4, 4])
    assert VoicedGridCodec().encode(score) == [
        "BAR", "POS_0", "PM_76", "V_5", "D_2", "PB_64", "V_5", "D_4", "P_48", "V_5", "D_8",
        "POS_4", "P_55", "V_5", "D_4"]


def test_voices_round_trip_through_the_codec(pop909_dir: Path) -> None:
    song = pop909_dir / "001"
    score = load_score(song / "001.mid", song / "beat_midi.txt", song / "chord_midi.txt")
    decoded = VoicedGridCodec().decode(VoicedGridCodec().encode(score))
    assert score.n_notes > 1000 and notes_of(decoded) == notes_of(score)
    assert decoded.chords == score.chords


def test_the_voiced_vocabulary_keeps_every_grid_chords_id() -> None:
    unvoiced = ChordGridCodec.all_events()
    assert VOICED.events[:len(unvoiced)] == tuple(unvoiced) and len(VOICED) == len(unvoiced) + 256


def test_a_melody_note_ends_where_the_next_one_begins() -> None:
    events = ["BAR", "POS_0", "PM_72", "V_5", "D_8", "P_48", "V_5", "D_16", "POS_4", "PM_74", "V_5", "D_4"]
    decoded = VoicedGridCodec().decode(events)
    assert notes_of(decoded) == [(0, 4, 72, MELODY), (0, 16, 48, PIANO), (4, 4, 74, MELODY)]


def test_transposition_keeps_voices() -> None:
    score = voiced_score([0, 0, 4], [72, 48, 67], [MELODY, PIANO, BRIDGE])
    moved_ids = shift_table(VOICED, 3)[VOICED.encode(VoicedGridCodec().encode(score))]
    assert VOICED.decode(moved_ids) == VoicedGridCodec().encode(score.transposed(3))
    assert notes_of(score.transposed(3)) == [(0, 4, 51, PIANO), (0, 4, 75, MELODY), (4, 4, 70, BRIDGE)]


def test_a_voiced_score_is_written_as_pop909s_three_named_tracks_and_read_back() -> None:
    score = voiced_score([0, 0, 4], [72, 48, 67], [MELODY, PIANO, BRIDGE])
    midi = score_to_midi(score)
    assert [(i.name, len(i.notes)) for i in midi.instruments] == [("MELODY", 1), ("BRIDGE", 1), ("PIANO", 1)]
    buffer = io.BytesIO()
    midi.write(buffer)
    assert notes_of(load_score(buffer.getvalue())) == notes_of(score)


def test_a_score_without_voices_is_still_one_track() -> None:
    score = Score(np.array([0]), np.array([4]), np.array([60]), np.array([90]), 0.5)
    assert len(score_to_midi(score).instruments) == 1


def test_sampled_pieces_keep_one_melody_note_a_position_before_the_accompaniment() -> None:
    grammar = ChordGridGrammar(VOICED, 4, parse_progression("C G Am F"))
    for events in sample_at_random(VOICED, grammar, ["BAR"], 4):
        assert positions_rise_within_bars(events)
        kinds = [e.partition("_")[0] for e in events]
        assert "PM" in kinds and "PB" in kinds and "P" in kinds
        assert all(later in allowed_after(earlier) for earlier, later in voice_pairs(events))


def voice_pairs(events: list[str]) -> list[tuple[str, str]]:
    """Consecutive notes' pitch kinds within each position."""
    pairs, last = [], None
    for event in events:
        kind = event.partition("_")[0]
        if event == "BAR" or kind == "POS":
            last = None
        elif kind in ("PM", "PB", "P"):
            if last is not None:
                pairs.append((last, kind))
            last = kind
    return pairs


def allowed_after(kind: str) -> set[str]:
    return {"PM": {"PB", "P"}, "PB": {"PB", "P"}, "P": {"P"}}[kind]


def test_a_grid_chords_network_seeds_a_voiced_one_each_voice_starting_as_the_piano() -> None:
    old = Vocabulary(tuple(ChordGridCodec.all_events()))
    ids = ancestor_ids(old, VOICED)
    assert VOICED.events[ids[VOICED.index["PM_60"]]] == "P_60" == old.events[ids[VOICED.index["PB_60"]]]
    embedding, recurrent = np.arange(len(old) * 2.0).reshape(len(old), 2), np.ones((2, 8))
    output = np.ones((3, len(old)))
    grown = grown_weights([embedding, recurrent, output], [(len(VOICED), 2), (2, 8), (3, len(VOICED))], old, VOICED)
    assert grown[0].shape == (len(VOICED), 2) and grown[2].shape == (3, len(VOICED))
    assert np.array_equal(grown[0][VOICED.index["PM_60"]], embedding[old.index["P_60"]])
    assert np.array_equal(grown[0][: len(old)], embedding) and np.array_equal(grown[1], recurrent)


def test_a_silent_melody_takes_the_bridges_opening_notes_and_a_singing_one_leaves_them() -> None:
    grammar = ChordGridGrammar(VOICED, 1)
    uniform = np.full((1, len(VOICED)), 1.0)

    def after(events: list[str]) -> np.ndarray:
        for token in VOICED.encode(events):
            grammar.advance(np.array([token]))
        return grammar.weigh(uniform)[0]

    opening = after(["BAR", "POS_0"])  # nothing sung yet: an intro's bridge note is the melody's
    assert opening[VOICED.index["PB_72"]] == 0 and opening[VOICED.index["PM_72"]] == 2 * opening[VOICED.index["P_72"]]
    singing = after(["PM_72", "V_5", "D_4", "POS_4"])  # sung a quarter ago: the bridge may answer
    assert singing[VOICED.index["PB_72"]] == singing[VOICED.index["PM_72"]] > 0
    silent = after(["BAR", "POS_4"])  # a bar since the melody's last note
    assert silent[VOICED.index["PB_72"]] == 0
    assert np.isclose(silent.sum(), 1.0)
