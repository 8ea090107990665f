"""The classifier two-sample test tells different sources apart and cannot tell a source from itself."""

from __future__ import annotations

import numpy as np
import pytest

from model.evaluation.two_sample import classifier_test, feature_count, window_features

SIXTEENTH = 0.125  # seconds at 120 BPM


def random_piece(rng: np.random.Generator, leap: int, bars: int = 16) -> np.ndarray:
    """A melody of eighths moving by up to ``leap`` semitones, over a held chord each bar."""
    moves = rng.integers(-leap, leap + 1, bars * 8)
    pitches = 72 + np.cumsum(moves) % 12
    tune = [[i * 2 * SIXTEENTH, (i + 1) * 2 * SIXTEENTH, p] for i, p in enumerate(pitches)]
    chords = [[b * 2.0, (b + 1) * 2.0, p] for b in range(bars) for p in (48, 52, 55)]
    return np.array(tune + chords, float)


def test_every_whole_eight_bar_window_gets_one_row_of_features() -> None:
    features = window_features(random_piece(np.random.default_rng(0), 2, bars=20))
    assert features.shape == (2, feature_count())
    assert window_features(np.zeros((0, 3))).shape == (0, feature_count())


def test_stepping_and_leaping_tunes_are_told_apart() -> None:
    rng = np.random.default_rng(1)
    steps = [window_features(random_piece(rng, 2)) for _ in range(12)]
    leaps = [window_features(random_piece(rng, 7)) for _ in range(12)]
    result = classifier_test(steps, leaps)
    assert result.accuracy > 0.9 and result.auc > 0.95
    assert result.windows == (24, 24)


def test_one_source_cannot_be_told_from_itself() -> None:
    rng = np.random.default_rng(2)
    a = [window_features(random_piece(rng, 3)) for _ in range(20)]
    b = [window_features(random_piece(rng, 3)) for _ in range(20)]
    assert classifier_test(a, b).accuracy < 0.65


def test_too_few_pieces_are_refused_in_a_sentence() -> None:
    rows = [window_features(random_piece(np.random.default_rng(3), 2))]
    with pytest.raises(ValueError, match="at least 5 pieces"):
        classifier_test(rows, rows)
