"""Token packs: a preset's tokenised songs in one file, so a GPU host trains without POP909 or note-seq."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.data.pack import read_pack, tokenise, write_pack
from model.presets import get_preset


def test_a_pack_gives_back_the_same_songs_vocabulary_and_split(pop909_dir: Path, tmp_path: Path) -> None:
    songs = tokenise(get_preset("paper").with_overrides(songs=4), pop909_dir, log=lambda _: None)
    write_pack(songs, tmp_path / "paper.npz")
    back = read_pack(tmp_path / "paper.npz")
    assert back.vocab == songs.vocab and back.info == songs.info
    assert len(back.train) == len(songs.train) and len(back.validation) == len(songs.validation)
    assert all(np.array_equal(a, b) for a, b in zip(back.train + back.validation, songs.train + songs.validation,
                                                    strict=True))


def test_a_file_that_is_not_a_pack_is_named_with_the_command_that_makes_one(tmp_path: Path) -> None:
    bad = tmp_path / "x.npz"
    bad.write_bytes(b"not numpy")
    with pytest.raises(ValueError, match=r"is not a token pack.*python -m model pack"):
        read_pack(bad)
