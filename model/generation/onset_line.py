"""How far each onset lies from the one before: every position weighed by how often POP909 leaves that gap.

Over held-out songs' chords the voiced network's texture walks in eighths: of the gaps between one onset and the next
(any voice), 0.16 are a sixteenth where the songs have 0.39, and 0.75 an eighth against 0.55 (80 held-out songs,
bars 8-40). That gap is the largest single tell a classifier finds between its pieces and the songs. The rhythm line
(:mod:`model.generation.rhythm_line`) weighs *where in the bar* onsets fall; over given chords it moved pieces away
from their songs, since a position's share says nothing of the onset before it. This line weighs each ``POS_k`` by the
*gap* it leaves after the previous onset (bars crossed included): the gap's share in the training songs over its share
in the network's own pieces over training songs' chords (both counted by :mod:`model.training.over_chords`), the
"density ratio" fusion of the melody line. The positions' total weight at a step is kept (:func:`mass_kept`): *whether*
the next onset comes in this bar stays the network's; only *which* position is reweighed. Counting gaps is a diff of
onset positions; no library counts a token grammar's gaps.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from model.encoding.grammar import event_table
from model.encoding.vocabulary import Vocabulary
from model.generation.line_counts import LineCounts, share_ratio
from model.generation.melody_line import id_span, mass_kept
from model.music.score import STEPS_PER_BAR

GAPS_FILE = "onset_gaps.json"
"""Where a voiced model folder keeps its gap counts (``python -m model intervals``, after training)."""
LONGEST = 2 * STEPS_PER_BAR
"""Gaps are counted in sixteenths from 1 to two bars; a longer silence counts as two bars."""
GAP_STRENGTH = 0.5
"""The exponent of the factors. The ratio itself overshoots: a sixteenth made likelier makes the next one likelier
still, since the network carries on in the texture it has started. Set on 40 training songs' chords (not the ones
counted, nor the bench's held-out songs), against those songs' own 8-bar windows: the sixteenth's share of the gaps
was 0.36 at 0.5, 0.51 at 0.75 (songs 0.38; the network alone 0.16-0.20)."""


def onset_steps(ids: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The sixteenth step of every position event of one token sequence, from its first bar line (bar 0)."""
    kinds, values = event_table(vocab)
    ids = np.asarray(ids, dtype=np.int64)
    bars = np.cumsum(kinds[ids] == "BAR") - 1
    onsets = kinds[ids] == "POS"
    return bars[onsets] * STEPS_PER_BAR + values[ids][onsets]


def count_gaps(sequences: Iterable[np.ndarray], vocab: Vocabulary, bars: tuple[int, int] | None = None) -> np.ndarray:
    """How often each gap (index = sixteenths, 1..LONGEST) separates two onsets in some token sequences; with
    ``bars`` (first, end) only onsets in those bars count."""
    counts = np.zeros(LONGEST + 1, dtype=np.int64)
    for ids in sequences:
        steps = onset_steps(ids, vocab)
        if bars is not None:
            steps = steps[(steps >= bars[0] * STEPS_PER_BAR) & (steps < bars[1] * STEPS_PER_BAR)]
        gaps = np.diff(steps)
        counts += np.bincount(np.clip(gaps[gaps > 0], 1, LONGEST), minlength=LONGEST + 1)
    return counts


class GapModel(LineCounts):
    """Gap counts of the training songs and of the network's own pieces over training songs' chords (index: gap in
    sixteenths; 0 unused)."""

    FILE = GAPS_FILE

    def factors(self, strength: float = GAP_STRENGTH) -> np.ndarray:
        """``factors[gap]``: the ratio of its share in the songs to that in the network's pieces, to the power
        ``strength``."""
        return np.concatenate([[1.0], share_ratio(self.songs[1:], self.network[1:]) ** strength])


class OnsetLine:
    """Per-sequence state (the last onset's step, bar lines since) and the reweighing of the next position."""

    def __init__(self, model: GapModel, vocab: Vocabulary, batch: int, strength: float = GAP_STRENGTH) -> None:
        kinds, values = event_table(vocab)
        self.ids = np.flatnonzero(kinds == "POS")
        self.position = np.where(kinds == "POS", values, -1)
        self.steps = self.position[self.ids]
        self.span = id_span(self.ids)
        self.bar_line = kinds == "BAR"
        self.factors = model.factors(strength)
        self.bar = np.zeros(batch, dtype=np.int64)
        self.last = np.full(batch, -1, dtype=np.int64)

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """``weights`` (batch, vocab) with each position's weight multiplied by the factor of the gap it leaves, the
        positions' total weight at the step kept."""
        rows = np.flatnonzero(self.last >= 0)
        if not len(rows):
            return weights
        gaps = (self.bar[rows] * STEPS_PER_BAR - self.last[rows])[:, None] + self.steps[None, :]
        cells = (rows, self.span) if self.span is not None else np.ix_(rows, self.ids)  # a slice reads faster
        before = weights[cells]
        weights = weights.copy()
        factors = np.where(gaps > 0, self.factors[np.clip(gaps, 0, LONGEST)], 1.0)  # the grammar rules out going back
        weights[cells] = mass_kept(before, before * factors)
        return weights

    def advance(self, ids: np.ndarray) -> None:
        """Move every sequence past the ids just fed: a bar line moves the bar on, a position becomes the last
        onset."""
        self.bar += self.bar_line[ids]
        placed = self.position[ids] >= 0
        self.last[placed] = self.bar[placed] * STEPS_PER_BAR + self.position[ids][placed]
