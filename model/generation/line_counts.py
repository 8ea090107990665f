"""What the onset and register lines read: two histograms over the same classes, the training songs' and the network's
own, kept in a model folder as JSON, and the ratio of their shares ("density ratio" fusion) that a line weighs by."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

import numpy as np


def share_ratio(songs: np.ndarray, network: np.ndarray) -> np.ndarray:
    """Each class's add-one smoothed share in the songs over its share in the network's pieces: add-one, so a class
    the network never wrote in its few thousand events gets a large factor, not an infinite one."""
    songs, network = songs + 1.0, network + 1.0
    return (songs / songs.sum()) / (network / network.sum())


@dataclass(frozen=True)
class LineCounts:
    """The songs' and the network's counts of one line's classes; a subclass names the file its folder keeps them in."""

    songs: np.ndarray
    network: np.ndarray
    FILE: ClassVar[str]

    def save(self, folder: Path) -> None:
        (folder / self.FILE).write_text(json.dumps({"songs": self.songs.tolist(), "network": self.network.tolist()}))

    @classmethod
    def load(cls, folder: Path) -> Self | None:
        """The folder's counts, or None for a folder without them (a model without voices)."""
        path = folder / cls.FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        return cls(np.array(data["songs"], dtype=np.int64), np.array(data["network"], dtype=np.int64))
