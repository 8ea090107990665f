"""Metrics of a set of pieces against a reference set (their correlation with ratings:
``survey.analysis.correlations``).

Yang & Lerch (2018, "On the evaluation of generative models in music", Neural Computing and Applications)
compare a generated set with a training set per metric through distances between pieces rather than the
metric values alone: the *intra-set* distances (between pieces of one set) show how varied a set is, the
*inter-set* distances (from each piece of one set to each of the other) how far apart the sets are. Each
distance sample is smoothed into a density (a Gaussian kernel density estimate), and the source's
intra-set density is compared with the inter-set density by their overlapping area (OA, 1 means the sets
are as close to each other as the source's pieces are to one another) and the Kullback-Leibler divergence
(KL, 0 means the same). The reference set's own pair (its intra-set density against the inter-set one) is
reported beside it, as in their paper.

Metrics come as DataFrames of :func:`model.evaluation.metrics.piece_metrics` rows, one per piece. Histogram metrics
span several columns (``duration_hist[1/8]`` ...); a column group sharing the name before ``[`` is one
vector metric, and distances are Euclidean over its columns, as Yang & Lerch do for histograms.

The kernel density estimate is written here (a few lines of numpy) rather than taken from
``scipy.stats.gaussian_kde``, which refuses samples without spread; those are common (every piece of a
set in one key gives scale consistency 1, so all its intra-set distances are 0).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from scipy.spatial.distance import cdist, pdist

KDE_POINTS = 1000
"""Points of the grid the densities are evaluated and integrated on."""
MAX_KDE_SAMPLES = 2000
"""Distances kept per density (a seeded random subset): POP909 alone has 412,000 intra-set pairs."""
DENSITY_FLOOR = 1e-12
"""Densities are floored at this share of their peak before KL, which then stays finite."""

RELATIVE_COLUMNS = (
    "metric",
    "n_source",
    "n_reference",
    "source_mean",
    "source_std",
    "reference_mean",
    "reference_std",
    "intra_source_mean",
    "intra_reference_mean",
    "inter_mean",
    "oa_source",
    "kl_source",
    "oa_reference",
    "kl_reference",
)


def metric_groups(columns: Iterable[str]) -> dict[str, list[str]]:
    """Columns grouped into metrics: ``duration_hist[1/8]`` ... form ``duration_hist``; others stand alone."""
    groups: dict[str, list[str]] = {}
    for column in columns:
        groups.setdefault(str(column).split("[", 1)[0], []).append(str(column))
    return groups


def intra_set_distances(features: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Euclidean distances between every two pieces of one set: ``n (n - 1) / 2`` values.

    ``features`` is ``(pieces,)`` for a scalar metric or ``(pieces, bins)`` for a histogram.
    """
    x = np.asarray(features, dtype=np.float64)
    return np.asarray(pdist(x.reshape(len(x), -1)), dtype=np.float64)


def inter_set_distances(features: npt.ArrayLike, other: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Euclidean distances from every piece of one set to every piece of the other: ``n m`` values."""
    x, y = np.asarray(features, dtype=np.float64), np.asarray(other, dtype=np.float64)
    return np.asarray(cdist(x.reshape(len(x), -1), y.reshape(len(y), -1)).ravel(), dtype=np.float64)


def _bandwidth(samples: npt.NDArray[np.float64], scale: float) -> float:
    """Scott's rule (as ``gaussian_kde``), floored at a thousandth of ``scale`` for samples without spread."""
    spread = float(np.std(samples, ddof=1)) if len(samples) > 1 else 0.0
    return max(spread * len(samples) ** (-1 / 5), 1e-3 * scale, 1e-12)


def _density(
    samples: npt.NDArray[np.float64], grid: npt.NDArray[np.float64], h: float
) -> npt.NDArray[np.float64]:
    """Gaussian kernel density of ``samples`` with bandwidth ``h`` on ``grid``."""
    z = (grid[:, None] - samples[None, :]) / h
    return np.asarray(np.exp(-0.5 * z**2).sum(axis=1) / (len(samples) * h * math.sqrt(2 * math.pi)))


def overlap_and_kl(samples: npt.ArrayLike, other: npt.ArrayLike) -> tuple[float, float]:
    """Overlapping area (0 to 1) and KL divergence KL(samples || other) in nats of two samples' densities.

    Both densities are Gaussian kernel estimates on one grid spanning both samples plus six bandwidths;
    OA integrates their pointwise minimum (trapezoid rule), KL compares them as discrete distributions on
    the grid, as Yang & Lerch's toolbox does. NaN, NaN if either sample is empty.
    """
    a, b = np.asarray(samples, dtype=np.float64), np.asarray(other, dtype=np.float64)
    if len(a) == 0 or len(b) == 0:
        return math.nan, math.nan
    scale = max(float(np.abs(np.concatenate([a, b])).max()), 1e-9)
    ha, hb = _bandwidth(a, scale), _bandwidth(b, scale)
    lo = min(a.min(), b.min()) - 6 * max(ha, hb)
    hi = max(a.max(), b.max()) + 6 * max(ha, hb)
    grid = np.linspace(lo, hi, KDE_POINTS)
    pa, pb = _density(a, grid, ha), _density(b, grid, hb)
    overlap = float(np.trapezoid(np.minimum(pa, pb), grid))
    floor = DENSITY_FLOOR * max(pa.max(), pb.max())
    kl = float(stats.entropy(np.maximum(pa, floor), np.maximum(pb, floor)))
    return min(overlap, 1.0), max(kl, 0.0)  # clip rounding: OA cannot exceed 1, KL cannot be negative


def _subsample(x: npt.NDArray[np.float64], rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """At most ``MAX_KDE_SAMPLES`` values of ``x``, drawn without replacement."""
    return x if len(x) <= MAX_KDE_SAMPLES else rng.choice(x, MAX_KDE_SAMPLES, replace=False)


def _summary(x: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a scalar metric's values (NaN for a histogram or too few pieces)."""
    if x.shape[1] != 1 or len(x) == 0:
        return math.nan, math.nan
    return float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else math.nan


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else math.nan


def _one_metric(name: str, src: np.ndarray, ref: np.ndarray, rng: np.random.Generator) -> dict[str, object]:
    """One row of :func:`relative_measures` from the complete-case feature arrays of both sets."""
    intra_src, intra_ref = intra_set_distances(src), intra_set_distances(ref)
    inter = inter_set_distances(src, ref)
    inter_kde = _subsample(inter, rng)
    oa_src, kl_src = overlap_and_kl(_subsample(intra_src, rng), inter_kde)
    oa_ref, kl_ref = overlap_and_kl(_subsample(intra_ref, rng), inter_kde)
    (src_mean, src_std), (ref_mean, ref_std) = _summary(src), _summary(ref)
    return {
        "metric": name,
        "n_source": len(src),
        "n_reference": len(ref),
        "source_mean": src_mean,
        "source_std": src_std,
        "reference_mean": ref_mean,
        "reference_std": ref_std,
        "intra_source_mean": _mean(intra_src),
        "intra_reference_mean": _mean(intra_ref),
        "inter_mean": _mean(inter),
        "oa_source": oa_src,
        "kl_source": kl_src,
        "oa_reference": oa_ref,
        "kl_reference": kl_ref,
    }


def relative_measures(source: pd.DataFrame, reference: pd.DataFrame, *, seed: int = 0) -> pd.DataFrame:
    """Yang & Lerch's absolute and relative measures of ``source`` against ``reference``, one row per metric.

    Parameters
    ----------
    source, reference
        One row per piece, metric columns as :func:`model.evaluation.metrics.piece_metrics` names them; non-numeric
        columns and metrics missing from either set are ignored. Pieces with NaN in a metric (empty
        pieces) are left out of that metric only.
    seed
        Seed of the subsets of distances used for the densities (see ``MAX_KDE_SAMPLES``).

    Returns
    -------
    DataFrame with columns ``RELATIVE_COLUMNS``: ``metric``; ``n_source``, ``n_reference`` (pieces used);
    ``*_mean``, ``*_std`` of the metric per set (NaN for histograms); ``intra_source_mean``,
    ``intra_reference_mean``, ``inter_mean`` (mean distances, in the metric's unit); ``oa_source`` and
    ``kl_source`` (source intra-set density against the inter-set density); ``oa_reference`` and
    ``kl_reference`` (the same for the reference). Distances need two pieces: with fewer, NaN.
    """
    rng = np.random.default_rng(seed)
    shared = [c for c in source.select_dtypes("number").columns if c in set(reference.columns)]
    rows = []
    for name, columns in metric_groups(shared).items():
        src = source[columns].dropna().to_numpy(dtype=np.float64)
        ref = reference[columns].dropna().to_numpy(dtype=np.float64)
        rows.append(_one_metric(name, src, ref, rng))
    return pd.DataFrame(rows, columns=list(RELATIVE_COLUMNS))
