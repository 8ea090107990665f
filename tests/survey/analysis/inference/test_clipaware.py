"""min F' (Clark 1973): F1 over participants, F2 over clips, combined; checked against SciPy's t-tests and
statsmodels' repeated-measures ANOVA, computed independently here."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.anova import AnovaRM

from survey.analysis.inference.clipaware import min_f_prime, min_f_table
from survey.analysis.inference.simulate import StudyDesign, simulate_answers


def answers():
    design = StudyDesign({"a": 4.0, "b": 4.8, "c": 3.6}, participant_sd=0.8, clip_sd=0.3, residual_sd=1.0)
    return simulate_answers(design, 16, np.random.default_rng(2))


def test_a_pair_combines_the_paired_and_the_clip_means_t_tests() -> None:
    data = answers()
    row = min_f_table(data).set_index(["source_a", "source_b"]).loc[("a", "b")]
    people = data.pivot_table(index="participant", columns="source", values="rating_enjoyment")
    clips = data.groupby(["source", "clip"])["rating_enjoyment"].mean()
    f1 = sps.ttest_rel(people["a"], people["b"]).statistic ** 2
    f2 = sps.ttest_ind(clips["a"], clips["b"]).statistic ** 2
    assert (row["F1"], row["F2"]) == (pytest.approx(f1), pytest.approx(f2))
    value = f1 * f2 / (f1 + f2)
    den = (f1 + f2) ** 2 / (f1**2 / (len(clips) * 2 / 3 - 2) + f2**2 / (len(people) - 1))
    assert row["min_F"] == pytest.approx(value) and row["den_df"] == pytest.approx(den)
    assert row["p"] == pytest.approx(sps.f.sf(value, 1, den))


def test_the_omnibus_f1_is_the_repeated_measures_anova() -> None:
    data = answers()
    row = min_f_table(data).query("source_a == 'all'").iloc[0]
    means = data.groupby(["participant", "source"], as_index=False)["rating_enjoyment"].mean()
    expected = AnovaRM(means, "rating_enjoyment", "participant", within=["source"]).fit().anova_table.iloc[0]
    assert row["F1"] == pytest.approx(expected["F Value"]) and row["F1_df"] == expected["Den DF"]


def test_min_f_prime_is_never_larger_than_either_f() -> None:
    value, den, p = min_f_prime(8.0, 20.0, 4.0, 6.0, 2)
    assert value < 4.0 and 6.0 <= den <= 20.0 and 0 < p < 1
