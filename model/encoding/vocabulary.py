"""Event names to integer ids: the one vocabulary every family, the network's output units and generation share.

Kept apart from ``model.training.windows`` (training batches, on Keras) so that generation reads a model's vocabulary
without importing Keras.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Vocabulary:
    """The id of every event; ids index the network's output units."""

    events: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {e: i for i, e in enumerate(self.events)})

    def __len__(self) -> int:
        return len(self.events)

    @property
    def index(self) -> dict[str, int]:
        """Event name to id."""
        table: dict[str, int] = self._index  # type: ignore[attr-defined]
        return table

    def encode(self, events: Sequence[str]) -> np.ndarray:
        """Ids of ``events``; events the vocabulary lacks are dropped (a primer may hold unseen chords)."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        return np.asarray([index[e] for e in events if e in index], dtype=np.int64)

    def decode(self, ids: Sequence[int] | np.ndarray) -> list[str]:
        return [self.events[int(i)] for i in ids]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(list(self.events)))

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        return cls(tuple(json.loads(path.read_text())))
