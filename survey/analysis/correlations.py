"""Objective metrics beside ratings: Spearman's rho of every metric with every criterion across clips.

Statistics about ratings, so they live with the survey's statistics rather than with the metrics themselves
(``model.evaluation``): the metrics describe music, these correlations describe how people heard it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

FIELLER_VARIANCE = 1.06
"""Variance factor of atanh(Spearman's rho): 1.06 / (n - 3) (Fieller, Hartley and Pearson 1957)."""
CORRELATION_COLUMNS = ("metric", "criterion", "n", "rho", "ci_low", "ci_high", "p_value")


def spearman_with_ci(x: npt.ArrayLike, y: npt.ArrayLike, confidence: float = 0.95) -> dict[str, float]:
    """Spearman's rho of paired samples with a Fisher-z confidence interval (Fieller et al. 1957).

    z = atanh(rho) has standard error sqrt(1.06 / (n - 3)); the interval is tanh(z -+ q SE) with q the normal
    quantile. Returns ``n``, ``rho``, ``ci_low``, ``ci_high``, ``p_value`` (SciPy's t-approximation).
    Pairs with a NaN are dropped; rho is NaN with fewer than 3 pairs or a constant side, the CI with
    fewer than 4 pairs.
    """
    a, b = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    n = len(a)
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return {"n": float(n), "rho": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan}
    result = stats.spearmanr(a, b)
    rho, p_value = float(result.statistic), float(result.pvalue)
    low = high = math.nan
    if n > 3:
        half = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(FIELLER_VARIANCE / (n - 3))
        with np.errstate(divide="ignore"):
            z = float(np.arctanh(rho))
        low, high = math.tanh(z - half), math.tanh(z + half)
    return {"n": float(n), "rho": rho, "ci_low": low, "ci_high": high, "p_value": p_value}


def metric_rating_correlations(
    metrics_df: pd.DataFrame, ratings_df: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """Spearman correlation of every metric with every rated criterion, across clips, as a tidy table.

    Parameters
    ----------
    metrics_df
        One row per clip, indexed by clip id; numeric columns are metrics (e.g. ``piece_metrics`` values).
    ratings_df
        One row per clip, indexed by the same ids; numeric columns are criteria (mean rating per clip).
    confidence
        Level of the Fisher-z interval (see :func:`spearman_with_ci`).

    Returns
    -------
    DataFrame with columns ``CORRELATION_COLUMNS``, one row per (metric, criterion): ``n`` clips rated
    and measured, ``rho``, ``ci_low``, ``ci_high``, ``p_value`` (uncorrected for the many pairs). Clips
    are matched on the index; clips in only one frame are left out.
    """
    measured = metrics_df.select_dtypes("number")
    rated = ratings_df.select_dtypes("number")
    joined = measured.join(rated.add_prefix("rating: "), how="inner")
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        for metric in measured.columns:
            for criterion in rated.columns:
                values = spearman_with_ci(joined[metric], joined[f"rating: {criterion}"], confidence)
                rows.append({"metric": metric, "criterion": criterion, **values})
    table = pd.DataFrame(rows, columns=list(CORRELATION_COLUMNS))
    return table.astype({"n": int})
