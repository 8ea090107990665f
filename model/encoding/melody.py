"""MelodyRNN's data layer through Magenta's own ``note_seq`` library (the first tokeniser layer).

The Magenta baselines see what MelodyRNN sees: a monophonic melody on a 16th-note grid (4 steps per
quarter), one event per step: a MIDI pitch (note on), ``-1`` (note off) or ``-2`` (no event). Here:

* POP909's ``MELODY`` track is read on the song's annotated beat grid (as our own models read it) and
  written as a quantised ``NoteSequence`` (``note_seq.protobuf.music_pb2``).
* Melodies are extracted with ``note_seq.Melody.from_quantized_sequence`` in the loop of Magenta's
  ``melody_pipelines.extract_melodies`` (a new melody after a silent bar, ``gap_bars=1``; melodies of
  under 7 bars or under 5 distinct pitches dropped), then ``Melody.squash(48, 84, transpose_to_key=0)``
  moves each into MelodyRNN's note range and into C, as ``melody_rnn_pipeline.EncoderPipeline`` does.
  Where the vocal line overlaps itself the highest note wins (``ignore_polyphonic_notes=True``).
  Magenta's training examples are whole melodies cut at 512 steps; ours are the windows of
  :mod:`model.training.windows`, so the melodies of one song are joined with a bar of rest between them.
* The model inputs and labels are note-seq's encoders, chosen by MelodyRNN's configurations
  (``magenta/models/melody_rnn/melody_rnn_model.py``): ``basic_rnn`` one-hot
  (``OneHotEventSequenceEncoderDecoder(MelodyOneHotEncoding(48, 84))``, 38 inputs and classes),
  ``lookback_rnn`` (``LookbackEventSequenceEncoderDecoder``, 121 inputs, 40 classes: the 38 events
  plus "repeat 1 bar / 2 bars ago"), ``attention_rnn`` (``KeyMelodyEncoderDecoder(48, 84)``, 74 inputs,
  40 classes). The second layer (:class:`model.training.windows.WindowDataset`) is shared with our LSTM.

Event names in a vocabulary are ``NO_EVENT``, ``NOTE_OFF`` and ``NOTE_p``, in the order of
``MelodyOneHotEncoding`` class indices, so a vocabulary id is note-seq's one-hot index.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

with warnings.catch_warnings():
    # note_seq imports pydub, which warns at import time when ffmpeg is missing; nothing here uses audio.
    warnings.filterwarnings("ignore", message="Couldn't find ffmpeg", category=RuntimeWarning)
    import note_seq
    from note_seq.protobuf import music_pb2

from model.music.midi_notes import read_notes
from model.music.pop909 import MELODY_TRACK, SongFile, read_beat_file
from model.music.score import STEPS_PER_BEAT, Score, to_score

MIN_NOTE, MAX_NOTE = 48, 84  # melody_rnn_model.DEFAULT_MIN_NOTE / DEFAULT_MAX_NOTE (max exclusive)
TRANSPOSE_TO_KEY = 0  # melody_rnn_model.DEFAULT_TRANSPOSE_TO_KEY: C major / A minor
MIN_BARS, MIN_UNIQUE_PITCHES, GAP_BARS = 7, 5, 1.0  # melody_rnn_pipeline's MelodyExtractor settings
STEPS_PER_BAR = 4 * STEPS_PER_BEAT
DEFAULT_PRIMER_PITCH = 60  # melody_rnn_generate: "Defaulting to a single middle C."

ENCODER_CONFIGS = ("basic_rnn", "lookback_rnn", "attention_rnn")


class MelodyError(ValueError):
    """A song or MIDI file from which no usable melody can be extracted."""


def event_name(value: int) -> str:
    """note-seq melody value to vocabulary name: ``-2 -> NO_EVENT``, ``-1 -> NOTE_OFF``, ``60 -> NOTE_60``."""
    if value == note_seq.MELODY_NO_EVENT:
        return "NO_EVENT"
    if value == note_seq.MELODY_NOTE_OFF:
        return "NOTE_OFF"
    return f"NOTE_{value}"


def event_value(name: str) -> int:
    if name == "NO_EVENT":
        return note_seq.MELODY_NO_EVENT
    if name == "NOTE_OFF":
        return note_seq.MELODY_NOTE_OFF
    return int(name.removeprefix("NOTE_"))


def vocabulary_events(min_note: int = MIN_NOTE, max_note: int = MAX_NOTE) -> list[str]:
    """Event names in ``MelodyOneHotEncoding`` class order (38 for MelodyRNN's 48..83 range)."""
    one_hot = note_seq.MelodyOneHotEncoding(min_note, max_note)
    return [event_name(one_hot.decode_event(i)) for i in range(one_hot.num_classes)]


def score_to_quantized_sequence(score: Score) -> music_pb2.NoteSequence:
    """A quantised NoteSequence (4 steps per quarter, 4/4) holding the score's notes on their grid steps."""
    seq = music_pb2.NoteSequence()
    seq.ticks_per_quarter = note_seq.STANDARD_PPQ
    seq.tempos.add(qpm=60.0 / score.seconds_per_beat)
    seq.time_signatures.add(numerator=4, denominator=4)
    seq.quantization_info.steps_per_quarter = STEPS_PER_BEAT
    step_seconds = score.seconds_per_beat / STEPS_PER_BEAT
    for onset, duration, pitch, velocity in zip(score.onsets, score.durations, score.pitches, score.velocities,
                                                strict=True):
        note = seq.notes.add(pitch=int(pitch), velocity=int(velocity), instrument=0, program=0)
        note.quantized_start_step, note.quantized_end_step = int(onset), int(onset + duration)
        note.start_time, note.end_time = onset * step_seconds, (onset + duration) * step_seconds
    seq.total_quantized_steps = int((score.onsets + score.durations).max()) if score.n_notes else 0
    seq.total_time = seq.total_quantized_steps * step_seconds
    return seq


def extract_melodies(score: Score, min_bars: int = MIN_BARS, min_unique_pitches: int = MIN_UNIQUE_PITCHES,
                     gap_bars: float = GAP_BARS) -> list[note_seq.Melody]:
    """Magenta's ``extract_melodies`` loop over ``note_seq.Melody.from_quantized_sequence``.

    Starting at step 0, a melody runs until a silence of ``gap_bars`` bars; the next search starts
    where it ended. Melodies shorter than ``min_bars`` bars or with fewer distinct pitches than
    ``min_unique_pitches`` are dropped, as the pipeline drops them.
    """
    if score.n_notes == 0:
        return []
    sequence = score_to_quantized_sequence(score)
    melodies, start = [], 0
    while start < sequence.total_quantized_steps:
        melody = note_seq.Melody()
        melody.from_quantized_sequence(sequence, search_start_step=start, instrument=0, gap_bars=gap_bars,
                                       ignore_polyphonic_notes=True, pad_end=True)
        if not melody.steps_per_bar or melody.end_step <= start:
            break
        start = melody.end_step
        if len(melody) < min_bars * melody.steps_per_bar:
            continue
        if len({e for e in melody if e >= 0}) < min_unique_pitches:
            continue
        melodies.append(melody)
    return melodies


def squash(melody: note_seq.Melody, transpose_to_key: int | None = TRANSPOSE_TO_KEY) -> note_seq.Melody:
    """``Melody.squash``: into MelodyRNN's note range and, for training data, into C."""
    melody.squash(MIN_NOTE, MAX_NOTE, transpose_to_key)
    return melody


def melody_track_score(song: SongFile) -> Score:
    """The ``MELODY`` track of a POP909 song on its annotated beat grid."""
    data = song.midi.read_bytes()
    if not read_notes(data).has_track(MELODY_TRACK):
        raise MelodyError(f"{song.midi} has no {MELODY_TRACK} track.")
    return melody_score(data, song.beats)


def melody_score(midi_bytes: bytes, beats: Path | None = None) -> Score:
    """A MIDI file's ``MELODY`` track (POP909's naming) where it has one, else all its notes, on the grid."""
    notes = read_notes(midi_bytes).tracks(MELODY_TRACK)
    if beats is not None:
        beat_times, downbeats = read_beat_file(beats)
        return to_score(notes, beat_times, downbeats)
    return to_score(notes)


def training_events(score: Score) -> list[str]:
    """A score's training events: its extracted melodies, squashed into range and C, joined by a bar of rest."""
    events: list[int] = []
    for melody in extract_melodies(score):
        if events:
            events += [note_seq.MELODY_NOTE_OFF] + [note_seq.MELODY_NO_EVENT] * (STEPS_PER_BAR - 1)
        events += list(squash(melody))
    return [event_name(e) for e in events]


def song_melody_events(song: SongFile) -> tuple[list[str], float]:
    """Training events of one POP909 song (:func:`training_events` of its MELODY track)."""
    score = melody_track_score(song)
    events = training_events(score)
    if not events:
        raise MelodyError(f"{song.midi}: no melody of {MIN_BARS}+ bars with {MIN_UNIQUE_PITCHES}+ pitches.")
    return events, score.seconds_per_beat


@dataclass(frozen=True)
class MelodyCodec:
    """Score to melody events and back (the ``melody`` representation).

    Encoding keeps the highest note at each onset (the whole piece as one melody, with no minimum
    length, so a primer of one bar works) and squashes it into MelodyRNN's range without changing key.
    Decoding goes through ``note_seq.Melody.to_sequence``.
    """

    name: str = "melody"

    @staticmethod
    def all_events() -> list[str]:
        """MelodyRNN's 38 melody events, in note-seq's one-hot order: the fixed vocabulary."""
        return vocabulary_events()

    def encode(self, score: Score) -> list[str]:
        if score.n_notes == 0:
            return []
        melodies = extract_melodies(score, min_bars=0, min_unique_pitches=0, gap_bars=10_000)
        return [event_name(e) for e in squash(melodies[0], None)] if melodies else []

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score:
        melody = note_seq.Melody([event_value(e) for e in events], steps_per_quarter=STEPS_PER_BEAT)
        sequence = melody.to_sequence(velocity=80, qpm=60.0)  # one quarter = 1 s, so a step is 0.25 s
        notes = sorted(sequence.notes, key=lambda n: n.start_time)
        onsets = np.array([round(n.start_time * STEPS_PER_BEAT) for n in notes], dtype=np.int64)
        ends = np.array([round(n.end_time * STEPS_PER_BEAT) for n in notes], dtype=np.int64)
        return Score(onsets=onsets, durations=np.maximum(ends - onsets, 1),
                     pitches=np.array([n.pitch for n in notes], dtype=np.int64),
                     velocities=np.full(len(notes), 80, dtype=np.int64), seconds_per_beat=seconds_per_beat)


def encode_in_key(score: Score) -> tuple[list[str], int]:
    """A primer as MelodyRNN's generator prepares it: squashed into range and transposed into C.

    Returns the events and the transposition in semitones, which the generator undoes on the result
    (``melody_rnn_sequence_generator``: ``melody.squash(...)`` then ``transpose(-transpose_amount)``).
    """
    melodies = extract_melodies(score, min_bars=0, min_unique_pitches=0, gap_bars=10_000)
    if not melodies:
        return [], 0
    amount = int(melodies[0].squash(MIN_NOTE, MAX_NOTE, TRANSPOSE_TO_KEY))
    return [event_name(e) for e in melodies[0]], amount


@cache
def melody_encoder(config: str) -> Any:
    """note-seq's ``EventSequenceEncoderDecoder`` of a MelodyRNN configuration (``basic_rnn``, ``lookback_rnn``,
    ``attention_rnn``: Magenta's names)."""
    if config == "basic_rnn":
        return note_seq.OneHotEventSequenceEncoderDecoder(note_seq.MelodyOneHotEncoding(MIN_NOTE, MAX_NOTE))
    if config == "lookback_rnn":
        return note_seq.LookbackEventSequenceEncoderDecoder(note_seq.MelodyOneHotEncoding(MIN_NOTE, MAX_NOTE))
    if config == "attention_rnn":
        return note_seq.KeyMelodyEncoderDecoder(MIN_NOTE, MAX_NOTE)
    raise ValueError(f"{config!r} is not a MelodyRNN configuration; choose one of: {', '.join(ENCODER_CONFIGS)}.")


@dataclass(frozen=True)
class WindowEncoder:
    """Window of vocabulary ids to MelodyRNN inputs and labels, as ``EventSequenceEncoderDecoder.encode`` does.

    For ``n + 1`` events, inputs are ``events_to_input(events, i)`` for i < n (float32, shape
    (n, input_size)) and labels ``events_to_label(events, i + 1)`` (int32, shape (n,)). Lookback and
    key features see the window's own history.
    """

    config: str

    def __call__(self, window: np.ndarray, vocab_events: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        encoder = melody_encoder(self.config)
        melody = note_seq.Melody([event_value(vocab_events[int(i)]) for i in window])
        n = len(window) - 1
        inputs = np.asarray([encoder.events_to_input(melody, i) for i in range(n)], dtype=np.float32)
        labels = np.asarray([encoder.events_to_label(melody, i + 1) for i in range(n)], dtype=np.int32)
        return inputs, labels


def encoder_sizes(config: str) -> tuple[int, int]:
    """(input size, number of classes) of a MelodyRNN configuration's note-seq encoder."""
    encoder = melody_encoder(config)
    return int(encoder.input_size), int(encoder.num_classes)

