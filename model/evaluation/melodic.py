"""How a piece's tune moves: the interval profile of its melody voice, or of its top line when it has no voice.

A listener hears a pop song's melody first, and POP909's MELODY tracks move mostly by step. A model that writes one
stream of notes has no melody voice, so its tune is taken as the *skyline* (Uitdenbogerd & Zobel 1999): at each
onset the highest note struck. That is the line a listener follows on top of piano textures, and what issue 22's
"top voice leaps where POP909's melody steps" measured. Written here with numpy: neither MusPy nor music21 has a
skyline or an interval profile on a beat grid (music21's ``analysis`` works on its own streams, one per call,
seconds a piece).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pretty_midi

from model.evaluation.metrics import BEATS_PER_BAR, STEPS_PER_BEAT, Piece, beat_grid, notes_of, onset_steps
from model.music.pop909 import MELODY_TRACK
from model.music.tracks import keeping

STEP_SEMITONES = (1, 2)
"""A step: a semitone or a whole tone."""
LEAP_SEMITONES = 5
"""A leap: a fourth or wider (a third is neither step nor leap, as in melodic analysis)."""


@dataclass(frozen=True)
class IntervalProfile:
    """Shares of a line's moves (unison, step, leap), its range in semitones and its notes per bar."""

    unisons: float
    steps: float
    leaps: float
    range: float
    notes_per_bar: float

    @classmethod
    def empty(cls) -> IntervalProfile:
        return cls(*(float("nan"),) * 5)


def top_line(piece: Piece, beats: npt.ArrayLike | None = None) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]:
    """The skyline: (onset steps on the sixteenth grid, the highest pitch struck at each), in time order."""
    notes = notes_of(piece)
    if len(notes) == 0:
        return np.zeros(0, int), np.zeros(0, int)
    return skyline(onset_steps(notes, beat_grid(piece, beats)), notes[:, 2].astype(int))


def skyline(steps: npt.NDArray[np.int_], pitches: npt.NDArray[np.int_]) -> tuple[npt.NDArray[np.int_],
                                                                                   npt.NDArray[np.int_]]:
    """Of notes given as onset steps and pitches (any order): each distinct onset and the highest pitch there."""
    order = np.lexsort((-pitches, steps))  # by onset, highest pitch first
    steps, pitches = steps[order], pitches[order]
    first = np.concatenate([[True], steps[1:] != steps[:-1]])
    return steps[first], pitches[first]


def interval_profile(steps: npt.NDArray[np.int_], pitches: npt.NDArray[np.int_]) -> IntervalProfile:
    """The profile of one monophonic line (onset steps and pitches); NaN shares for fewer than two notes."""
    if len(pitches) < 2:
        return IntervalProfile.empty()
    moves = np.abs(np.diff(pitches))
    bars = (int(steps.max()) - int(steps.min())) / (STEPS_PER_BEAT * BEATS_PER_BAR) + 1
    return IntervalProfile(unisons=float(np.mean(moves == 0)), steps=float(np.isin(moves, STEP_SEMITONES).mean()),
                           leaps=float(np.mean(moves >= LEAP_SEMITONES)), range=float(np.ptp(pitches)),
                           notes_per_bar=len(pitches) / bars)


def melody_profile(piece: Piece, beats: npt.ArrayLike | None = None) -> IntervalProfile:
    """The profile of ``piece``'s melody voice (its track named MELODY, as POP909 and voiced models write it), else
    of its top line (the melody itself when ``piece`` is one melody line)."""
    return interval_profile(*top_line(melody_voice(piece) or piece, beats))


def melody_voice(piece: Piece) -> pretty_midi.PrettyMIDI | None:
    """The piece's track named MELODY (with two notes or more) as a piece of its own, on the piece's tempo map, or
    None for a piece without one."""
    if not isinstance(piece, pretty_midi.PrettyMIDI):
        return None
    tracks = [i for i in piece.instruments if i.name.strip().upper() == MELODY_TRACK and len(i.notes) >= 2]
    if not tracks:
        return None
    return keeping(piece, tracks)


def has_melody_voice(piece: Piece) -> bool:
    """Whether ``piece`` names its melody (so :func:`melody_profile` reads that voice, not the top line)."""
    return melody_voice(piece) is not None


def pooled(profiles: list[IntervalProfile]) -> IntervalProfile:
    """The mean of each field over pieces, ignoring pieces without a line."""
    table = np.array([[p.unisons, p.steps, p.leaps, p.range, p.notes_per_bar] for p in profiles], dtype=float)
    if len(table) == 0 or np.isnan(table).all():
        return IntervalProfile.empty()
    return IntervalProfile(*(float(v) for v in np.nanmean(table, axis=0)))
