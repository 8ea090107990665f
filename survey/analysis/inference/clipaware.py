"""The clip-aware companion to the headline model: by-participant (F1) and by-clip (F2) analyses combined as min F'.

Clark (1973): F1 treats the clips as fixed, F2 the participants; min F' = F1 F2 / (F1 + F2) with denominator
degrees of freedom (F1 + F2)^2 / (F1^2 / df2(F2) + F2^2 / df2(F1)) is a conservative test that generalises over
both.  It needs no model fit, so it runs where R does not, and it disagrees with the mixed model only when the
design is badly unbalanced.  F1 is the repeated-measures ANOVA on participants' source means (participants who
rated every source); F2 is SciPy's one-way ANOVA on clip means, clips nested in sources.  For a pair of
sources the same with two levels: F1 = t^2 of the paired t-test, F2 = t^2 of the two-sample t-test on clip means.
No library computes min F' itself; it is one line of arithmetic.

Columns of :func:`min_f_table`: criterion, source_a, source_b ("all" for the omnibus row), F1, F1_df, F2, F2_df,
min_F, num_df, den_df, p, p_holm (Holm over the pairs of the criterion), note.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from survey.analysis.export import RATING_PREFIX, rated_criteria

COLUMNS = ["criterion", "source_a", "source_b", "F1", "F1_df", "F2", "F2_df", "min_F", "num_df", "den_df", "p",
           "p_holm", "note"]


def min_f_prime(f1: float, df1: float, f2: float, df2: float, num_df: float) -> tuple[float, float, float]:
    """(min F', its denominator df, p) from F1 with denominator df ``df1`` and F2 with ``df2``."""
    if f1 + f2 <= 0:
        return 0.0, np.nan, 1.0
    value = f1 * f2 / (f1 + f2)
    den = (f1 + f2) ** 2 / (f1**2 / df2 + f2**2 / df1)
    return float(value), float(den), float(sps.f.sf(value, num_df, den))


def min_f_table(answers: pd.DataFrame) -> pd.DataFrame:
    """The omnibus and every pair, per criterion (see the module's docstring)."""
    rows: list[dict[str, Any]] = []
    for criterion in rated_criteria(answers):
        data = answers.dropna(subset=[RATING_PREFIX + criterion])
        column = RATING_PREFIX + criterion
        by_person = data.pivot_table(index="participant", columns="source", values=column, aggfunc="mean").dropna()
        by_clip = data.groupby(["source", "clip"])[column].mean()
        sources = sorted(data["source"].unique())
        rows.append({"criterion": criterion, "source_a": "all", "source_b": "", **_row(by_person, by_clip, sources)})
        start = len(rows)
        for a, b in combinations(sources, 2):
            rows.append({"criterion": criterion, "source_a": a, "source_b": b, **_row(by_person, by_clip, [a, b])})
        tested = [r for r in rows[start:] if not r["note"]]
        if tested:
            for row, p in zip(tested, multipletests([r["p"] for r in tested], method="holm")[1], strict=True):
                row["p_holm"] = float(p)
    return pd.DataFrame(rows, columns=COLUMNS)


def _row(by_person: pd.DataFrame, by_clip: pd.Series, sources: list[str]) -> dict[str, Any]:
    people = by_person[sources] if set(sources) <= set(by_person.columns) else by_person.iloc[:0]
    clips = [by_clip[s].to_numpy(float) for s in sources if s in by_clip.index.get_level_values(0)]
    if len(people) < 2 or len(clips) < len(sources) or sum(len(c) for c in clips) <= len(sources):
        return {"note": "min F' needs two participants who rated these sources and two clips of one of them."}
    f1, f1_df = _f1(people)
    f2, f2_df = _f2(clips)
    if not (np.isfinite(f1) and np.isfinite(f2)):
        return {"note": "min F' is undefined: the ratings do not vary within participants or within sources."}
    value, den, p = min_f_prime(f1, f1_df, f2, f2_df, len(sources) - 1)
    return {"F1": f1, "F1_df": f1_df, "F2": f2, "F2_df": f2_df, "min_F": value, "num_df": len(sources) - 1,
            "den_df": den, "p": p, "note": ""}


def _f1(people: pd.DataFrame) -> tuple[float, float]:
    """Repeated-measures F over participants' source means (participants x sources, one value a cell), and its
    denominator df.  The textbook sums of squares, written out because pingouin's ``rm_anova`` drops its F column
    when the error term vanishes; statsmodels' ``AnovaRM`` gives the same F (the tests check it)."""
    values = people.to_numpy(float)
    n, k = values.shape
    grand = values.mean()
    between = n * ((values.mean(axis=0) - grand) ** 2).sum()
    error = ((values - grand) ** 2).sum() - between - k * ((values.mean(axis=1) - grand) ** 2).sum()
    error_df = (n - 1) * (k - 1)
    if error <= 1e-12:
        return np.nan, float(error_df)
    return float((between / (k - 1)) / (error / error_df)), float(error_df)


def _f2(clips: list[np.ndarray]) -> tuple[float, float]:
    """One-way F over clip means (clips nested in sources), and its denominator df."""
    with np.errstate(divide="ignore", invalid="ignore"):
        result = sps.f_oneway(*clips)
    return float(result.statistic), float(sum(len(c) for c in clips) - len(clips))
