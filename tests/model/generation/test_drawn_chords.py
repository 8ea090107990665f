"""A free piece's chords: drawn from whole training songs' progressions, a phrase start at a time, in another key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.generation.drawn_chords import PROGRESSIONS_FILE, ProgressionBook, load_progressions
from model.music.chords import Chord, Progression

C, G, A_MIN, F = Chord(0), Chord(7), Chord(9, "min"), Chord(5)
SONG = Progression(((0, Chord(None)), (64, C), (72, G), (80, A_MIN), (96, F), (128, C), (160, G), (200, F)), 16)
"""Four bars without chords (an intro), then changes on and inside bars."""


def test_a_draw_lasts_the_bars_asked_from_a_phrase_start_with_a_chord_moved_by_one_of_the_shifts() -> None:
    book = ProgressionBook((SONG,), (0, 2))
    allowed = {SONG.excerpt(start, min(8, 16 - start)).fitted(8).transposed(shift)
               for start in (4, 8, 12) for shift in (0, 2)}
    drawn = [book.draw(8, np.random.default_rng(seed)) for seed in range(30)]
    assert all(p in allowed and p.bars == 8 for p in drawn)
    assert all(p.changes[0] == (0, p.changes[0][1]) and p.changes[0][1].root is not None for p in drawn)
    assert len(set(drawn)) > 3, "starts and keys vary with the seed"
    assert book.draw(8, np.random.default_rng(5)) == drawn[5], "the seed decides"


def test_the_book_survives_its_file_and_a_folder_without_one_has_none(tmp_path: Path) -> None:
    book = ProgressionBook((SONG, SONG.transposed(5)), (0, -3, 3))
    assert load_progressions(tmp_path) is None
    book.save(tmp_path)
    assert load_progressions(tmp_path) == book
    (tmp_path / PROGRESSIONS_FILE).write_text('{"songs": [{"bars": 4}]}')
    with pytest.raises(ValueError, match="cannot be read as a progression book"):
        load_progressions(tmp_path)
