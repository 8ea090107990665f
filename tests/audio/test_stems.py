"""Stems: a voiced piece's tracks as separate MIDI files that line up with the piece."""

from __future__ import annotations

import numpy as np
import pretty_midi

from audio import track_stems
from audio.midi import load_midi, midi_bytes
from model.music.score import BRIDGE, MELODY, PIANO, Score, score_to_midi


def voiced_piece() -> bytes:
    score = Score(np.array([0, 0, 8, 16]), np.array([4, 16, 4, 4]), np.array([72, 48, 67, 74]), np.full(4, 90), 0.4,
                  voices=np.array([MELODY, PIANO, BRIDGE, MELODY]))
    return midi_bytes(score_to_midi(score))


def test_each_voice_is_a_stem_with_its_own_notes_at_the_pieces_times() -> None:
    piece = load_midi(voiced_piece())
    stems = track_stems(voiced_piece())
    assert [s.name for s in stems] == ["MELODY", "BRIDGE", "PIANO"]
    for stem, track in zip(stems, piece.instruments, strict=True):
        alone = load_midi(stem.midi)
        assert len(alone.instruments) == 1
        assert [(n.pitch, n.start, n.end) for n in alone.instruments[0].notes] == [
            (n.pitch, n.start, n.end) for n in track.notes]


def test_a_one_track_piece_is_its_own_single_stem_and_silent_tracks_give_none() -> None:
    midi = pretty_midi.PrettyMIDI()
    midi.instruments += [pretty_midi.Instrument(0, name="Piano"), pretty_midi.Instrument(0, name="Empty")]
    midi.instruments[0].notes.append(pretty_midi.Note(90, 60, 0.0, 0.5))
    assert [s.name for s in track_stems(midi)] == ["Piano"]
