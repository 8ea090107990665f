"""A line's counts: each kind is kept in its own file of a model folder and read back as it was written; a folder
without them has none."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from model.generation.onset_line import GapModel
from model.generation.register_line import RegisterModel


def test_each_kind_of_counts_is_written_into_a_folder_and_read_back_from_its_own_file(tmp_path: Path) -> None:
    written = [GapModel(np.arange(33), np.arange(33)[::-1].copy()),
               RegisterModel(np.full(33, 7), np.arange(33) % 5)]
    for counts in written:
        assert type(counts).load(tmp_path) is None
        counts.save(tmp_path)
    for counts in written:
        back = type(counts).load(tmp_path)
        assert back is not None and np.array_equal(back.songs, counts.songs)
        assert np.array_equal(back.network, counts.network)
