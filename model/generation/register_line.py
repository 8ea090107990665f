"""How far the melody strays from where it has been singing: each melody pitch weighed by how often POP909's melodies
stray that far.

With its moves weighed (:mod:`model.generation.melody_line`) the voiced network's melody steps as POP909's does, but it
wanders: over 80 held-out songs' chords a piece's melody spans 24 semitones where the songs' span 17, and its top
notes reach 85 where theirs reach 79. A move's share says nothing of where the line already is, so a run of upward
steps climbs on. This line follows the melody's centre (an exponential average of its pitches, :data:`CENTRE_STEP` of
the way to each new note) and weighs each next melody pitch by the share of its distance from that centre in the
training songs' melodies over its share in the network's own melodies over training songs' chords, as the other lines
do ("density ratio" fusion). The training songs' melodies sit 10 semitones or more from their centre 0.012 of the time,
the network's 0.029. The melody's total weight is kept. On 40 training songs' chords (not those counted) a piece's
melody then spans 18.6 semitones instead of 21.9 (the songs' 17.2). A centre and a histogram of distances are a few
lines of numpy; no library follows a line's tessitura.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from model.encoding.grammar import event_table
from model.encoding.tokens import VOICE_PITCH_KINDS
from model.encoding.vocabulary import Vocabulary
from model.generation.line_counts import LineCounts, share_ratio
from model.generation.melody_line import id_span, mass_kept
from model.music.score import MELODY

REGISTER_FILE = "melody_register.json"
"""Where a voiced model folder keeps its register counts (``python -m model intervals``, after training)."""
CENTRE_STEP = 0.05
"""How far the centre moves towards each new melody note: it follows about the last 20 notes, a phrase or two."""
FARTHEST = 16
"""Distances are counted in semitones from -16 to +16; farther counts as 16."""


def distances(line: np.ndarray) -> np.ndarray:
    """Each note's distance in semitones (rounded, clipped) from the centre of the notes before it (none for the
    first)."""
    line = np.asarray(line, dtype=float)
    out = np.empty(max(len(line) - 1, 0))
    centre = line[0] if len(line) else 0.0
    for i, pitch in enumerate(line[1:]):
        out[i] = pitch - centre
        centre += CENTRE_STEP * (pitch - centre)
    return np.clip(np.round(out), -FARTHEST, FARTHEST).astype(np.int64)


def count_distances(melodies: Iterable[np.ndarray]) -> np.ndarray:
    """How often each distance (index = distance + FARTHEST) occurs over some melody lines."""
    counts = np.zeros(2 * FARTHEST + 1, dtype=np.int64)
    for line in melodies:
        counts += np.bincount(distances(line) + FARTHEST, minlength=2 * FARTHEST + 1)
    return counts


class RegisterModel(LineCounts):
    """Distance counts of the training songs' melodies and of the network's own melodies over training songs' chords
    (index: distance + FARTHEST)."""

    FILE = REGISTER_FILE

    def factors(self) -> np.ndarray:
        """``factors[distance + FARTHEST]``: the ratio of its share in the songs to that in the network's melodies."""
        return share_ratio(self.songs, self.network)


class RegisterLine:
    """Per-sequence state (the melody's centre, NaN before its first note) and the reweighing of the next melody
    pitch."""

    def __init__(self, model: RegisterModel, vocab: Vocabulary, batch: int) -> None:
        kinds, values = event_table(vocab)
        self.ids = np.flatnonzero(kinds == VOICE_PITCH_KINDS[MELODY])
        self.pitch = np.where(kinds == VOICE_PITCH_KINDS[MELODY], values, -1)
        self.pitches = self.pitch[self.ids].astype(float)
        self.span = id_span(self.ids)
        self.factors = model.factors()
        self.centre = np.full(batch, np.nan)

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """``weights`` (batch, vocab) with each melody pitch's weight multiplied by the factor of its distance from
        the centre, the melody's total weight at the step kept."""
        rows = np.flatnonzero(~np.isnan(self.centre))
        if not len(rows) or not len(self.ids):
            return weights
        away = np.clip(np.rint(self.pitches[None, :] - self.centre[rows, None]), -FARTHEST, FARTHEST)
        cells = (rows, self.span) if self.span is not None else np.ix_(rows, self.ids)  # a slice reads faster
        before = weights[cells]
        weights = weights.copy()
        weights[cells] = mass_kept(before, before * self.factors[away.astype(np.int64) + FARTHEST])
        return weights

    def advance(self, ids: np.ndarray) -> None:
        """Move every sequence past the ids just fed: a melody pitch moves the centre towards it (or sets it)."""
        pitch = self.pitch[ids]
        sung = pitch >= 0
        first = sung & np.isnan(self.centre)
        self.centre[first] = pitch[first]
        later = sung & ~first
        self.centre[later] += CENTRE_STEP * (pitch[later] - self.centre[later])
