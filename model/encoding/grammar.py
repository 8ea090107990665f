"""Which grid events may follow which: masks that keep sampled grid sequences well formed.

A grid piece reads ``BAR (POS_k (P_p D_d)+)* ...`` with positions rising inside a bar. A network
that has learnt this almost always obeys it; masking the few violations at sampling time means every
generated sequence decodes to exactly the notes it names, and pitches stay on the piano (21-108).
"""

from __future__ import annotations

import functools

import numpy as np

from model.encoding.vocabulary import Vocabulary
from model.music.score import STEPS_PER_BAR

PIANO_LOW, PIANO_HIGH = 21, 108


@functools.lru_cache(maxsize=16)
def event_table(vocab: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Each event's kind (``"P"`` of ``P_60``) and number (60; -1 for events without one, as ``BAR`` or chords).

    Kept per vocabulary, read-only: every grammar, line and echo of every batch reads it, and counting a corpus's
    melodies reads it once a song."""
    kinds = np.array([e.partition("_")[0] for e in vocab.events])
    values = np.array([int(v) if (v := e.partition("_")[2]).isdigit() else -1 for e in vocab.events])
    kinds.setflags(write=False)
    values.setflags(write=False)
    return kinds, values


def masked(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``weights`` (batch, vocab) with what ``mask`` forbids removed, each row summing to 1 again."""
    weights = weights * mask
    return weights / weights.sum(axis=-1, keepdims=True)


class GridGrammar:
    """Per-sequence state (last event kind, position in bar) and the mask it allows next."""

    def __init__(self, vocab: Vocabulary, batch: int) -> None:
        size = len(vocab)
        kinds, values = event_table(vocab)
        self.kinds, self.values = kinds, values
        pitch = (kinds == "P") & (values >= PIANO_LOW) & (values <= PIANO_HIGH)
        self.after_bar = (kinds == "BAR") | (kinds == "POS")
        self.after_pos = pitch
        self.after_pitch = kinds == "D"
        self.after_duration = [pitch | (kinds == "BAR") | ((kinds == "POS") & (values > k))
                               for k in range(STEPS_PER_BAR)]
        self.kind = np.array(["BAR"] * batch, dtype=object)
        self.position = np.zeros(batch, dtype=np.int64)
        self.size = size

    def mask(self) -> np.ndarray:
        """Allowed next ids, shape (batch, vocab)."""
        rows = []
        for kind, position in zip(self.kind, self.position, strict=True):
            if kind == "BAR":
                rows.append(self.after_bar)
            elif kind == "POS":
                rows.append(self.after_pos)
            elif kind == "P":
                rows.append(self.after_pitch)
            else:
                rows.append(self.after_duration[min(int(position), STEPS_PER_BAR - 1)])
        return np.stack(rows)

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """The network's next-event weights masked to what may come next, rows summing to 1."""
        return masked(weights, self.mask())

    def advance(self, ids: np.ndarray) -> None:
        for row, token in enumerate(ids):
            kind = self.kinds[int(token)]
            self.kind[row] = kind
            if kind == "BAR":
                self.position[row] = -1
            elif kind == "POS":
                self.position[row] = self.values[int(token)]

    def forced(self) -> np.ndarray:
        """Nothing is imposed on a grid piece: -1 for every sequence (see :mod:`model.encoding.chord_grammar`)."""
        return np.full(len(self.kind), -1, dtype=np.int64)

    def resolve(self, ids: np.ndarray, forced: np.ndarray) -> np.ndarray:
        return ids

    @property
    def settled(self) -> np.ndarray:
        """A free piece is never over before its token budget."""
        return np.zeros(len(self.kind), dtype=bool)
