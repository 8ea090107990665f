"""The melody's line while sampling: each melody note's pitch weighed by how POP909's melodies move.

The voiced network writes a melody that a listener hears, but it moves like a chord-tone picker: sampled over held-out
songs' chords, 0.27 of its moves are steps (1-2 semitones) where POP909's MELODY tracks have 0.45, with more repeated
notes (0.35 against 0.23) and half the semitones. Its next melody pitch sits tens of events after the last one
(bridge and piano notes, durations and positions come between), and a network trained for two hours on two CPU cores
has not learnt to carry it that far. Rather than wait for a GPU, the melody's moves get a correction at sampling
time, as speech recognisers correct a network with language models ("density ratio" fusion, McDermott et al. 2019):
the share of each move (unison, up a semitone, down a third... past an octave) in the training songs' melodies over
its share in the network's own melodies, sampled over the training songs' chords (both counted by
:mod:`model.training.melody_intervals` from the training split), multiplies the network's weight of each melody
pitch. Only *which* pitch the melody takes is reweighed: the melody's total weight at a step is kept, so whether a
melody note comes, and when, stays the network's.

Measured on 10 held-out songs' chords (form ``chords``): the plain product with the songs' moves (shallow fusion)
counts twice what the network already likes, repeated notes 0.35 -> 0.61; the ratio of move shares gives unisons
0.23, steps 0.48, leaps 0.12 (POP909: 0.23, 0.45, 0.15). Moves are counted after the move before them too, but
40 pieces (5,500 notes) spread over 756 such pairs make the network's side too thin for a ratio (tried: leaps rose to
0.24), so the factors are the shares' ratio. Counting moves is a few lines of numpy; note-seq and music21 have no
such counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.encoding.grammar import event_table
from model.encoding.tokens import VOICE_PITCH_KINDS
from model.encoding.vocabulary import Vocabulary
from model.music.score import MELODY

INTERVALS_FILE = "melody_intervals.json"
"""Where a voiced model folder keeps its interval model (``python -m model intervals``, after training)."""
OCTAVE = 12
MOVES = 2 * OCTAVE + 3
"""Move classes: down more than an octave, -12..+12 semitones, up more than an octave."""
UNISON = OCTAVE + 1
"""The class of a repeated note; a move of ``k`` semitones is class ``UNISON + k`` within an octave."""
START = MOVES
"""The row of a melody's second note, which has no previous move."""
LINE_STRENGTH = 1.0
"""The exponent of the factors (0: the network alone): 1 is the ratio itself, kept as it is. Looked at on the same 10
songs: at 0.7 steps were 0.36, at 1.5 0.45 with leaps 0.27 (rare moves overdone)."""


def move_class(semitones: np.ndarray) -> np.ndarray:
    """Each signed move's class (0: down more than an octave ... MOVES - 1: up more than an octave)."""
    return np.clip(semitones, -OCTAVE - 1, OCTAVE + 1) + UNISON


@dataclass(frozen=True)
class MoveCounts:
    """How often each move followed each previous move (``counts[previous class or START, class]``) over some melody
    lines, and how many notes they held."""

    counts: np.ndarray
    notes: int

    def shares(self) -> np.ndarray:
        """Each move's share of all moves, add-one smoothed."""
        totals = self.counts.sum(axis=0) + 1
        return totals / totals.sum()


def count_moves(melodies: Iterable[np.ndarray]) -> MoveCounts:
    """Count the moves of melody lines (each its pitches in order)."""
    counts = np.zeros((MOVES + 1, MOVES), dtype=np.int64)
    notes = 0
    for line in melodies:
        moves = move_class(np.diff(np.asarray(line, dtype=np.int64)))
        notes += len(line)
        if len(moves):
            np.add.at(counts, (np.concatenate([[START], moves[:-1]]), moves), 1)
    return MoveCounts(counts, notes)


@dataclass(frozen=True)
class IntervalModel:
    """How the training songs' melodies move, and how the network's own melodies move when sampled over the training
    songs' chords: the ratio of the two is what the network misses (density ratio fusion, McDermott et al. 2019)."""

    songs: MoveCounts
    network: MoveCounts

    def factors(self, strength: float) -> np.ndarray:
        """``factors[previous class or START, class]``: each move's weight multiplier."""
        ratio = self.songs.shares() / self.network.shares()
        return np.broadcast_to(ratio ** strength, (MOVES + 1, MOVES))

    def save(self, folder: Path) -> None:
        data = {name: {"notes": c.notes, "counts": c.counts.tolist()}
                for name, c in (("songs", self.songs), ("network", self.network))}
        (folder / INTERVALS_FILE).write_text(json.dumps(data))


def load_intervals(folder: Path) -> IntervalModel | None:
    """The folder's interval model, or None for a folder without one (a model without voices)."""
    path = folder / INTERVALS_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    songs, network = (MoveCounts(np.array(data[k]["counts"], dtype=np.int64), int(data[k]["notes"]))
                      for k in ("songs", "network"))
    return IntervalModel(songs, network)


def melody_pitches(ids: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The melody's pitches, in order, of one voiced token sequence."""
    kinds, values = event_table(vocab)
    melody = kinds[ids] == VOICE_PITCH_KINDS[MELODY]
    return values[ids][melody]


def mass_kept(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """``after`` (rows of reweighed weights) scaled so each row sums to what ``before`` did: a fusion moves weight among
    the events it rules, never to or from the others (the melody line's pitches, the rhythm line's positions)."""
    return after * (before.sum(axis=1, keepdims=True) / np.maximum(after.sum(axis=1, keepdims=True), 1e-300))


def id_span(ids: np.ndarray) -> slice | None:
    """The ids a line rules as a slice where they run without a gap, as they do in every vocabulary the lab builds: a
    slice of a batch's weights reads several times faster than the same columns picked one by one."""
    return slice(int(ids[0]), int(ids[-1]) + 1) if len(ids) and np.all(np.diff(ids) == 1) else None


class MelodyLine:
    """Per-sequence state (last melody pitch, last move) and the reweighing of the next melody pitch."""

    def __init__(self, model: IntervalModel, vocab: Vocabulary, batch: int, strength: float = LINE_STRENGTH) -> None:
        kinds, values = event_table(vocab)
        self.ids = np.flatnonzero(kinds == VOICE_PITCH_KINDS[MELODY])
        self.pitch = np.where(kinds == VOICE_PITCH_KINDS[MELODY], values, -1)
        self.factors = model.factors(strength)
        self.move_from = move_class(self.pitch[self.ids][None, :] - np.arange(128)[:, None])  # [last pitch, melody id]
        self.span = id_span(self.ids)
        self.last = np.full(batch, -1)
        self.previous = np.full(batch, START)

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """``weights`` (batch, vocab, rows summing to 1) with each melody pitch's weight multiplied by the factor of the
        move to it, the melody's total weight at the step kept."""
        rows = np.flatnonzero(self.last >= 0)
        if not len(rows) or not len(self.ids):
            return weights
        cells = (rows, self.span) if self.span is not None else np.ix_(rows, self.ids)  # a slice reads faster
        before = weights[cells]
        weights = weights.copy()
        weights[cells] = mass_kept(before, before * self.factors[self.previous[rows][:, None],
                                                                 self.move_from[self.last[rows]]])
        return weights

    def advance(self, ids: np.ndarray) -> None:
        """Move every sequence past the ids just fed: a melody pitch becomes the one the next move starts from."""
        pitch = self.pitch[ids]
        sung = pitch >= 0
        moved = sung & (self.last >= 0)
        self.previous[moved] = move_class(pitch[moved] - self.last[moved])
        self.last[sung] = pitch[sung]
