"""Event encodings: a :class:`~model.music.score.Score` to a list of string events and back.

Two encodings, one per preset family (the first of note-seq's two layers; :mod:`model.training.windows` is the
second, turning event ids into training windows):

``paper``
    The seed study's ``get_notes_from_midi``: one event per onset; a lone note is its pitch name as
    music21 spells MIDI pitches (``"E-4"``, ``"F#3"``), several notes are a chord written as their
    pitch classes in normal order joined with dots (``"11.2.6"``). Durations are dropped, as in the
    seed; decoding places one event every eighth note, as the seed's ``create_midi`` does.
``grid``
    Ours (REMI-like, Huang & Yang 2020): ``BAR`` opens every 4/4 bar, ``POS_k`` (k = 0..15) marks a
    16th-note position inside it, then each note at that position is ``P_pitch D_steps`` with the
    duration in 16ths (1..32). Rhythm, duration and metre survive the round trip.
``grid-chords``
    The default family: ``grid`` plus a chord event ``CH_root:quality`` (:mod:`model.music.chords`) right after the
    position of every chord change, and a velocity bin ``V_b`` between each note's pitch and duration, so a
    piece can be conditioned on a progression and has dynamics: ``BAR POS_0 CH_C:maj P_60 V_5 D_4 ...``.
``grid-voices``
    ``grid-chords`` with each note's voice (POP909's MELODY, BRIDGE, PIANO tracks) in its pitch event: ``PM_p``
    a melody note, ``PB_p`` the bridge's, ``P_p`` the piano's; at each position the melody comes first, then the
    bridge, then the piano, so the accompaniment is written knowing the tune. The voice rides on the pitch rather
    than in an event of its own, so a piece is no longer than in ``grid-chords`` (generation time is per event).
``melody``
    Magenta MelodyRNN's monophonic melody events, one per 16th step, through note-seq
    (:class:`model.encoding.melody.MelodyCodec`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from model.music.chords import Chord, chord_vocabulary, from_token
from model.music.score import MELODY, PIANO, STEPS_PER_BAR, Score

MUSIC21_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "G#", "A", "B-", "B")
PAPER_STEP = 2
PAPER_DURATION = 4
MAX_DURATION = 32
DEFAULT_VELOCITY = 80
VELOCITY_BINS = 8
"""Velocity bins of 16 MIDI steps each (``V_0`` = 1-15 ... ``V_7`` = 112-127), decoded to their centres."""


class TokenError(ValueError):
    """Events that cannot be decoded or a vocabulary that does not fit."""


class EventCodec(Protocol):
    """What every encoding offers: encode a score and decode events."""

    @property
    def name(self) -> str: ...

    def encode(self, score: Score) -> list[str]: ...

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score: ...


def pitch_name(pitch: int) -> str:
    """Spell a MIDI pitch as music21 does for MIDI input (``61 -> "C#4"``, ``63 -> "E-4"``)."""
    return f"{MUSIC21_NAMES[pitch % 12]}{pitch // 12 - 1}"


def parse_pitch_name(name: str) -> int:
    """Inverse of :func:`pitch_name` for MIDI 12-127.

    music21 writes octave -1 with a minus too, so ``"E-1"`` is read as E-flat 1; pitches 0-11 never
    occur in POP909 and are not round-tripped.
    """
    for head_length in (2, 1):
        head, octave = name[:head_length], name[head_length:]
        if head in MUSIC21_NAMES and re.fullmatch(r"-?\d+", octave):
            pitch = MUSIC21_NAMES.index(head) + 12 * (int(octave) + 1)
            if 0 <= pitch <= 127:
                return pitch
    raise TokenError(f"Not a pitch name: {name!r}.")


def normal_order(pitch_classes: Iterable[int]) -> list[int]:
    """Normal order of a pitch-class set, exactly as the seed spells chords: music21's ``Chord.normalOrder``.

    music21 is asked rather than re-implemented because its tie-breaking for 5-9 note sets differs from
    Rahn's textbook rule (``{0,1,3,7,8}`` is ``0.1.3.7.8`` in music21, ``7.8.0.1.3`` by Rahn), and the
    seed's vocabulary is music21's. Asking it costs about 9 ms a set, and every corpus worker asked again (the
    paper corpus' cold build took 6 s), so its answers for all 4,095 sets are tabulated in
    :data:`NORMAL_ORDER_TABLE` by :func:`write_normal_order_table`; a test holds the table to music21.
    """
    mask = sum(1 << pc for pc in {int(p) % 12 for p in pitch_classes})
    return list(_normal_order_table()[mask]) if mask else []


NORMAL_ORDER_TABLE = Path(__file__).with_name("music21_normal_order.json")


@functools.cache
def _normal_order_table() -> dict[int, tuple[int, ...]]:
    """Bit mask of the set (bit k: pitch class k) -> music21's normal order."""
    return {int(mask): tuple(order) for mask, order in json.loads(NORMAL_ORDER_TABLE.read_text()).items()}


def music21_normal_order(pcs: frozenset[int]) -> tuple[int, ...]:
    """music21's own answer (about a second to import music21, then about 9 ms a set)."""
    if len(pcs) <= 1:
        return tuple(pcs)
    from music21 import chord

    return tuple(int(p) for p in chord.Chord(sorted(pcs)).normalOrder)


def write_normal_order_table(path: Path = NORMAL_ORDER_TABLE) -> None:
    """Tabulate music21's normal order of every non-empty pitch-class set (about 40 s)."""
    table = {mask: music21_normal_order(frozenset(k for k in range(12) if mask >> k & 1)) for mask in range(1, 4096)}
    path.write_text(json.dumps({str(k): list(v) for k, v in table.items()}, separators=(",", ":")) + "\n")


@dataclass(frozen=True)
class PaperCodec:
    """The seed study's note/chord-per-onset encoding (durations ignored)."""

    name: str = "paper"

    def encode(self, score: Score) -> list[str]:
        events = []
        _, starts = np.unique(score.onsets, return_index=True)
        for pitches in np.split(score.pitches, starts[1:]):
            if len(pitches) == 1:
                events.append(pitch_name(int(pitches[0])))
            else:
                events.append(".".join(str(p) for p in normal_order(pitches)))
        return events

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score:
        onsets, pitches = [], []
        for i, event in enumerate(events):
            if "." in event or event.isdigit():
                chord = [60 + int(pc) for pc in event.split(".")]
            else:
                chord = [parse_pitch_name(event)]
            onsets += [i * PAPER_STEP] * len(chord)
            pitches += chord
        return _score(onsets, [PAPER_DURATION] * len(onsets), pitches, seconds_per_beat)


@dataclass(frozen=True)
class GridCodec:
    """Bar / position / pitch / duration events on the 16th-note grid."""

    name: str = "grid"

    def encode(self, score: Score) -> list[str]:
        return _grid_events(score, (PITCH_NAMES[score.pitches], DURATION_NAMES[_durations(score)]), {})

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score:
        """Tolerant decoding: malformed runs (a pitch without duration, a position before BAR) are skipped.

        Grid events are a subset of ``grid-chords`` events (no chords, no velocities), so one decoder serves both.
        """
        return ChordGridCodec().decode(events, seconds_per_beat)

    @staticmethod
    def all_events() -> list[str]:
        """The full grid vocabulary, so every model of this family shares one id mapping."""
        return (["BAR"] + [f"POS_{k}" for k in range(STEPS_PER_BAR)] + [f"P_{p}" for p in range(128)]
                + [f"D_{d}" for d in range(1, MAX_DURATION + 1)])


VOICE_PITCH_KINDS = ("PM", "PB", "P")
"""The kind of a pitch event by the note's voice (:data:`model.music.score.VOICES` order); ``P`` is the piano's,
which is every note of a family without voices."""
VOICE_PITCH_NAMES = np.array([[f"{kind}_{p}" for p in range(128)] for kind in VOICE_PITCH_KINDS], dtype=object)
PITCH_NAMES = VOICE_PITCH_NAMES[PIANO]
VELOCITY_NAMES = np.array([f"V_{v}" for v in range(VELOCITY_BINS)], dtype=object)
DURATION_NAMES = np.array([f"D_{d}" for d in range(MAX_DURATION + 1)], dtype=object)


def _durations(score: Score) -> np.ndarray:
    return np.minimum(score.durations, MAX_DURATION)


def _grid_events(score: Score, note_names: tuple[np.ndarray, ...], changes: dict[int, str]) -> list[str]:
    """Grid events: a BAR per bar, a POS at every step with a note or a chord change, the change's chord, then
    each note's events (``note_names``: one array of names per event kind, in order).

    Names are looked up in arrays and steps walked once (not notes): the corpus encodes 5.5 million events, and
    building every name with an f-string per note was two thirds of its cold build.
    """
    order = np.argsort(score.onsets, kind="stable")
    onsets = score.onsets[order]
    per_note = np.stack([names[order] for names in note_names], axis=1).ravel().tolist()
    width = len(note_names)
    steps = np.union1d(onsets, np.fromiter(changes, dtype=np.int64, count=len(changes))).tolist()
    first, last = np.searchsorted(onsets, steps, "left").tolist(), np.searchsorted(onsets, steps, "right").tolist()
    events: list[str] = []
    last_bar = -1
    for step, a, b in zip(steps, first, last, strict=True):
        bar, position = divmod(step, STEPS_PER_BAR)
        events += ["BAR"] * (bar - last_bar)
        last_bar = bar
        events.append(POSITION_NAMES[position])
        if step in changes:
            events.append(changes[step])
        events += per_note[a * width:b * width]
    return events


POSITION_NAMES = [f"POS_{k}" for k in range(STEPS_PER_BAR)]


def velocity_bins(velocities: np.ndarray) -> np.ndarray:
    """Each velocity's bin, 0 to ``VELOCITY_BINS - 1`` (16 velocities a bin)."""
    return np.minimum(np.maximum(velocities, 0) // (128 // VELOCITY_BINS), VELOCITY_BINS - 1)


def bin_velocity(bin_index: int) -> int:
    return int(bin_index) * (128 // VELOCITY_BINS) + 128 // VELOCITY_BINS // 2


@dataclass(frozen=True)
class ChordGridCodec:
    """Bar / position / chord / pitch / velocity / duration events on the 16th-note grid."""

    name: str = "grid-chords"

    def encode(self, score: Score) -> list[str]:
        names = (PITCH_NAMES[score.pitches], VELOCITY_NAMES[velocity_bins(score.velocities)],
                 DURATION_NAMES[_durations(score)])
        return _grid_events(score, names, {step: chord.token for step, chord in score.chords})

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score:
        """Tolerant decoding: malformed runs (a pitch without duration, a position before BAR) are skipped; a note
        without a velocity gets the default one."""
        return _decode_grid(events, seconds_per_beat, voiced=False)

    @staticmethod
    def all_events() -> list[str]:
        """The full vocabulary: the grid's events, every chord and every velocity bin."""
        return GridCodec.all_events() + chord_vocabulary() + [f"V_{b}" for b in range(VELOCITY_BINS)]


@dataclass(frozen=True)
class VoicedGridCodec:
    """``grid-chords`` events with each note's voice in its pitch event (``PM_p``, ``PB_p``, ``P_p``)."""

    name: str = "grid-voices"

    def encode(self, score: Score) -> list[str]:
        """Events with the melody first at each position, then the bridge, then the piano (each by pitch); a score
        without voices is all piano."""
        order = np.lexsort((score.pitches, score.voice_ids, score.onsets))
        ordered = score.kept(order, score.onsets[order], score.pitches[order], score.chords)
        names = (VOICE_PITCH_NAMES[ordered.voice_ids, ordered.pitches],
                 VELOCITY_NAMES[velocity_bins(ordered.velocities)], DURATION_NAMES[_durations(ordered)])
        return _grid_events(ordered, names, {step: chord.token for step, chord in score.chords})

    def decode(self, events: Sequence[str], seconds_per_beat: float = 0.5) -> Score:
        """A score with voices, decoded as tolerantly as ``grid-chords``."""
        return _decode_grid(events, seconds_per_beat, voiced=True)

    @staticmethod
    def all_events() -> list[str]:
        """``grid-chords``' vocabulary (same ids) and then the melody's and the bridge's pitch events."""
        return ChordGridCodec.all_events() + [str(name) for name in VOICE_PITCH_NAMES[:PIANO].ravel()]


def unvoiced(event: str) -> str:
    """The ``grid-chords`` event a ``grid-voices`` event grows from (``PM_60`` -> ``P_60``; others are themselves),
    so a voiced network can start from an unvoiced one's weights (:mod:`model.training.warm_start`)."""
    kind, _, value = event.partition("_")
    return f"P_{value}" if kind in VOICE_PITCH_KINDS else event


def _decode_grid(events: Sequence[str], seconds_per_beat: float, voiced: bool) -> Score:
    """Notes of grid events; ``voiced``: with the voice each pitch event names (else none)."""
    notes: list[tuple[int, int, int, int, int]] = []  # onset, duration, pitch, velocity, voice
    chords: list[tuple[int, Chord]] = []
    bar, position, pitch, velocity, voice = -1, 0, None, DEFAULT_VELOCITY, PIANO
    for event in events:
        kind, _, value = event.partition("_")
        if kind == "BAR":
            bar, position, pitch = bar + 1, 0, None
        elif kind == "POS":
            position, pitch = int(value), None
        elif kind == "CH":
            chords.append((max(bar, 0) * STEPS_PER_BAR + position, from_token(event)))
        elif kind in VOICE_PITCH_KINDS:
            pitch, velocity, voice = int(value), DEFAULT_VELOCITY, VOICE_PITCH_KINDS.index(kind)
        elif kind == "V":
            velocity = bin_velocity(int(value))
        elif kind == "D" and pitch is not None:
            notes.append((max(bar, 0) * STEPS_PER_BAR + position, int(value), pitch, velocity, voice))
            pitch = None
    columns = [list(column) for column in zip(*notes, strict=True)] if notes else [[], [], [], [], []]
    if not voiced:
        return _score(columns[0], columns[1], columns[2], seconds_per_beat, columns[3], tuple(chords))
    voices = np.asarray(columns[4], dtype=np.int64)
    durations = _melody_one_line(np.asarray(columns[0]), np.asarray(columns[1]), voices == MELODY)
    return _score(columns[0], durations.tolist(), columns[2], seconds_per_beat, columns[3], tuple(chords), voices)


def _melody_one_line(onsets: np.ndarray, durations: np.ndarray, melody: np.ndarray) -> np.ndarray:
    """Durations with each melody note ended where the next one begins: the tune is one line (a sung melody), as
    POP909's MELODY tracks are before quantisation (1.5% of their notes overlap the next by rounding alone)."""
    out = durations.copy()
    at = np.flatnonzero(melody)
    at = at[np.argsort(onsets[at], kind="stable")]
    gaps = np.diff(onsets[at])
    out[at[:-1]] = np.where(gaps > 0, np.minimum(durations[at[:-1]], gaps), durations[at[:-1]])
    return out


def _score(onsets: list[int], durations: list[int], pitches: list[int], seconds_per_beat: float,
           velocities: list[int] | None = None, chords: tuple[tuple[int, Chord], ...] = (),
           voices: np.ndarray | None = None) -> Score:
    return Score(
        onsets=np.asarray(onsets, dtype=np.int64),
        durations=np.asarray(durations, dtype=np.int64),
        pitches=np.asarray(pitches, dtype=np.int64),
        velocities=(np.full(len(onsets), DEFAULT_VELOCITY, dtype=np.int64) if velocities is None
                    else np.asarray(velocities, dtype=np.int64)),
        seconds_per_beat=seconds_per_beat,
        chords=chords,
        voices=voices,
    )
