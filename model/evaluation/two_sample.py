"""A classifier two-sample test: can a classifier tell 8-bar windows of one source from another's?

Lopez-Paz & Oquab (2017): train a classifier to tell two samples apart; held-out accuracy near 0.5 means it cannot,
so the two are alike on everything the features see. The features here are composition only (no tempo, velocity,
instrument or absolute key): how the top line moves, rhythm on the beat grid, density, texture and pitch spread.
Folds are grouped by piece, so no piece has windows on both sides of a split (its windows are alike, and a
classifier that recognised the piece would look as if it recognised the source). scikit-learn does the fitting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import GroupKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from model.evaluation.melodic import skyline
from model.evaluation.metrics import (
    BEATS_PER_BAR,
    HISTOGRAM_EDGES_BEATS,
    STEPS_PER_BEAT,
    Piece,
    beat_grid,
    notes_of,
    onset_steps,
    to_beats,
)

WINDOW_BARS = 8
MOVE_BINS = 13
"""Top-line moves of 0..11 semitones, and an octave or more."""


@dataclass(frozen=True)
class TwoSample:
    """Held-out balanced accuracy and ROC AUC of telling source A's windows from B's (0.5: cannot tell)."""

    accuracy: float
    auc: float
    windows: tuple[int, int]


def window_features(piece: Piece, beats: npt.ArrayLike | None = None, bars: int = WINDOW_BARS) -> np.ndarray:
    """One row of features per whole ``bars``-bar window of the piece (none for a piece shorter than one)."""
    notes = notes_of(piece)
    if len(notes) == 0:
        return np.zeros((0, feature_count()))
    grid = beat_grid(piece, beats)
    steps = onset_steps(notes, grid)
    lengths = to_beats(notes[:, 1], grid) - to_beats(notes[:, 0], grid)
    span = bars * BEATS_PER_BAR * STEPS_PER_BEAT
    end = round(float(to_beats(np.array([notes[:, 1].max()]), grid)[0]) * STEPS_PER_BEAT)
    windows = [(steps >= w * span) & (steps < (w + 1) * span) for w in range(end // span)]
    return np.array([_features(steps[m], notes[m, 2].astype(int), lengths[m], bars) for m in windows if m.sum() > 1]
                    ).reshape(-1, feature_count())


def feature_count() -> int:
    return MOVE_BINS + 2 * (len(HISTOGRAM_EDGES_BEATS) - 1) + 6


def _features(steps: np.ndarray, pitches: np.ndarray, lengths: np.ndarray, bars: int) -> np.ndarray:
    onsets, top = skyline(steps, pitches)
    moves = np.minimum(np.abs(np.diff(top)), MOVE_BINS - 1)
    iois = np.diff(onsets) / STEPS_PER_BEAT
    pcs = np.bincount(pitches % 12, minlength=12) / len(pitches)
    entropy = -float(np.sum(pcs[pcs > 0] * np.log2(pcs[pcs > 0])))
    return np.concatenate([
        _shares(np.bincount(moves, minlength=MOVE_BINS)),
        _shares(np.histogram(lengths, HISTOGRAM_EDGES_BEATS)[0]),
        _shares(np.histogram(iois, HISTOGRAM_EDGES_BEATS)[0]),
        [len(pitches) / bars, len(onsets) / bars, len(pitches) / len(onsets), float(np.ptp(pitches)),
         float(np.ptp(top)), entropy],
    ])


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum()
    return counts / total if total else np.zeros(len(counts))


def classifier_test(a: Sequence[np.ndarray], b: Sequence[np.ndarray], folds: int = 5) -> TwoSample:
    """Tell windows of the pieces in ``a`` (each a :func:`window_features` array) from those in ``b``."""
    sides = [(rows, side, piece) for side, pieces in enumerate((a, b)) for piece, rows in enumerate(pieces)]
    x = np.vstack([rows for rows, _, _ in sides])
    y = np.concatenate([np.full(len(rows), side) for rows, side, _ in sides])
    groups = np.concatenate([np.full(len(rows), side * 100_000 + piece) for rows, side, piece in sides])
    counts = (int((y == 0).sum()), int((y == 1).sum()))
    if min(counts) < folds or len(np.unique(groups)) < folds:
        raise ValueError(f"a two-sample test needs windows from at least {folds} pieces on each side, got {counts} "
                         "windows.")
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, class_weight="balanced"))
    p = cross_val_predict(model, x, y, groups=groups, cv=GroupKFold(folds), method="predict_proba")[:, 1]
    return TwoSample(float(balanced_accuracy_score(y, p > 0.5)), float(roc_auc_score(y, p)), counts)
