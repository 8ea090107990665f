"""MelodyRNN's data layer: note-seq melody extraction, the melody codec round trip, and the window encoder
checked against note-seq's own ``EventSequenceEncoderDecoder.encode``."""

from __future__ import annotations

import io
from pathlib import Path

import note_seq
import numpy as np
import pretty_midi
import pytest

from model.encoding.melody import (
    ENCODER_CONFIGS,
    WindowEncoder,
    event_value,
    extract_melodies,
    melody_encoder,
    song_melody_events,
    vocabulary_events,
)
from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.music import pop909
from model.music.score import load_score


def tiny_midi(notes: list[tuple[int, float, float]], melody_track: bool = True) -> bytes:
    """One instrument of (pitch, start, end) notes at 120 bpm (a 16th is 0.125 s), plus a low accompaniment."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    lead = pretty_midi.Instrument(0, name="MELODY" if melody_track else "Lead")
    lead.notes = [pretty_midi.Note(90, p, s, e) for p, s, e in notes]
    piano = pretty_midi.Instrument(0, name="PIANO")
    piano.notes = [pretty_midi.Note(60, 40, 0.0, 2.0)]
    midi.instruments += [lead, piano]
    out = io.BytesIO()
    midi.write(out)
    return out.getvalue()


def test_vocabulary_is_note_seq_one_hot_order() -> None:
    events = vocabulary_events()
    one_hot = note_seq.MelodyOneHotEncoding(48, 84)
    assert len(events) == 38 == one_hot.num_classes
    assert all(one_hot.encode_event(event_value(e)) == i for i, e in enumerate(events))


def test_melody_codec_round_trip() -> None:
    notes = [(60, 0.0, 0.25), (62, 0.25, 0.5), (64, 0.5, 1.0), (67, 1.25, 1.5), (65, 1.5, 2.0)]
    score = load_score(tiny_midi(notes, melody_track=False))
    codec = family_named("melody").codec()
    events = codec.encode(score)
    assert events[:6] == ["NOTE_60", "NO_EVENT", "NOTE_62", "NO_EVENT", "NOTE_64", "NO_EVENT"]
    back = codec.decode(events, score.seconds_per_beat)
    assert back.pitches.tolist() == [60, 62, 64, 67, 65]
    assert back.onsets.tolist() == [0, 2, 4, 10, 12]
    assert back.durations.tolist() == [2, 2, 4, 2, 4]
    assert codec.encode(back) == events


def test_extraction_splits_at_silent_bars_and_drops_short_melodies() -> None:
    phrase = [(60 + (i % 5), i * 0.5, i * 0.5 + 0.4) for i in range(64)]  # 16 bars of eighths, 5 pitches
    late = [(p, s + 40.0, e + 40.0) for p, s, e in phrase[:8]]  # 2 bars after a long rest: too short
    score = load_score(tiny_midi(phrase + late, melody_track=False))
    melodies = extract_melodies(score)
    assert len(melodies) == 1
    assert len(melodies[0]) >= 7 * 16


def test_pop909_melody_track_is_squashed_into_range(pop909_dir: Path) -> None:
    song = pop909.list_songs(pop909_dir)[0]
    events, seconds_per_beat = song_melody_events(song)
    assert seconds_per_beat > 0 and len(events) > 200
    assert set(events) <= set(vocabulary_events())
    pitches = [event_value(e) for e in events if e not in ("NO_EVENT", "NOTE_OFF")]
    assert min(pitches) >= 48 and max(pitches) < 84


@pytest.mark.parametrize("config", ENCODER_CONFIGS)
def test_window_encoder_equals_note_seq_encode(config: str) -> None:
    rng = np.random.default_rng(0)
    values = [int(v) for v in rng.choice([-2, -2, -2, -1, *range(55, 75)], size=65)]
    vocab = Vocabulary(tuple(vocabulary_events()))
    ids = vocab.encode([vocabulary_events()[note_seq.MelodyOneHotEncoding(48, 84).encode_event(v)] for v in values])
    inputs, labels = WindowEncoder(config)(ids, vocab.events)
    expected_inputs, expected_labels = melody_encoder(config).encode(note_seq.Melody(values))
    np.testing.assert_array_equal(inputs, np.asarray(expected_inputs, dtype=np.float32))
    assert labels.tolist() == expected_labels


def test_the_written_out_encoder_sizes_are_note_seqs() -> None:
    from model.encoding.melody import encoder_sizes
    from model.training.magenta_nets import ENCODER_SIZES

    assert {config: encoder_sizes(config) for config in ENCODER_CONFIGS} == ENCODER_SIZES
