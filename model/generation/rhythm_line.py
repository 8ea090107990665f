"""Where a free piece's notes fall: each onset position and duration weighed by how often POP909 uses it.

Given no chords, the voiced network writes its own and falls into an eighth-note grid: over 20 free pieces of 32 bars,
0.95 of their onsets sit on eighths (POP909: 0.85), and their duration and inter-onset histograms lie 0.130 and 0.333
from POP909's (Jensen-Shannon; 20-song draws of POP909 lie 0.027-0.063 and 0.023-0.130 from it). Drawing the chords
for a free piece from the training songs did not help (tried: 0.122 / 0.293). So free pieces get the correction the
melody gets (:mod:`model.generation.melody_line`, "density ratio" fusion): each ``POS_k`` (an onset at the k-th
sixteenth of the bar) and each ``D_d`` (a duration of d sixteenths) is weighed by its share in the training songs
over its share in the network's own free pieces, both counted by :mod:`model.training.rhythm_counts`. A kind's total
weight at a step is kept (:func:`model.generation.melody_line.mass_kept`): *whether* time moves, or a note ends, stays
the network's; only *where* and *how long* are reweighed.

Measured on the bench's free pieces (other seeds than the counts'), mean of ten draws: durations 0.09, inter-onsets
0.11; in the form AABBAABB 0.065 and 0.065. Over given chords it is not applied: the same correction counted over 40
training songs' chords moved held-out pieces away from their songs, over four draws paired by seed (the classifier
test +0.15 +- 0.06, the duration distance +0.09 +- 0.03; ``bench/quality.py --seed``); there the gap between one onset
and the next is weighed instead (:mod:`model.generation.onset_line`). Counting events is a bincount;
no library counts a token vocabulary's shares.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.encoding.grammar import event_table
from model.encoding.vocabulary import Vocabulary
from model.generation.melody_line import mass_kept

RHYTHM_FILE = "rhythm.json"
"""Where a voiced model folder keeps its rhythm counts (``python -m model intervals``, after training)."""
RULED_KINDS = ("POS", "D")
"""Onset positions within the bar, and durations."""


def count_events(sequences: Iterable[np.ndarray], vocab: Vocabulary) -> dict[str, int]:
    """How often each position and duration event occurs in some token sequences, by event name."""
    counts = np.zeros(len(vocab), dtype=np.int64)
    for ids in sequences:
        counts += np.bincount(np.asarray(ids, dtype=np.int64), minlength=len(vocab))
    kinds, _ = event_table(vocab)
    return {vocab.events[i]: int(counts[i]) for i in np.flatnonzero(np.isin(kinds, RULED_KINDS))}


@dataclass(frozen=True)
class RhythmModel:
    """Position and duration counts of the training songs and of the network's own free pieces."""

    songs: dict[str, int]
    network: dict[str, int]

    def factors(self, vocab: Vocabulary) -> np.ndarray:
        """Each event's weight multiplier (1 for events of other kinds): the ratio of its add-one smoothed share
        among its kind in the songs to that in the network's pieces."""
        kinds, _ = event_table(vocab)
        out = np.ones(len(vocab))
        for kind in RULED_KINDS:
            ids = np.flatnonzero(kinds == kind)
            songs, network = (np.array([side.get(vocab.events[i], 0) for i in ids]) + 1.0
                              for side in (self.songs, self.network))
            out[ids] = (songs / songs.sum()) / (network / network.sum())
        return out

    def save(self, folder: Path) -> None:
        (folder / RHYTHM_FILE).write_text(json.dumps({"songs": self.songs, "network": self.network}))


def load_rhythm(folder: Path) -> RhythmModel | None:
    """The folder's rhythm counts, or None for a folder without them."""
    path = folder / RHYTHM_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return RhythmModel({k: int(v) for k, v in data["songs"].items()}, {k: int(v) for k, v in data["network"].items()})


class RhythmLine:
    """The reweighing of positions and durations; it keeps no state (a share, not a move)."""

    def __init__(self, model: RhythmModel, vocab: Vocabulary) -> None:
        kinds, _ = event_table(vocab)
        self.factors = model.factors(vocab)
        self.groups = [np.flatnonzero(kinds == kind) for kind in RULED_KINDS]

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """``weights`` (batch, vocab) with each position and duration multiplied by its factor, each kind's total
        weight at the step kept."""
        weights = weights.copy()
        for ids in self.groups:
            before = weights[:, ids]
            weights[:, ids] = mass_kept(before, before * self.factors[ids])
        return weights

    def advance(self, ids: np.ndarray) -> None:
        """Nothing to move past: a position's weight does not depend on what came before."""
