"""Metric-rating correlations: Spearman's rho across clips with a Fisher-z interval, matched to SciPy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from survey.analysis import correlations as relative


class TestMetricRatingCorrelations:
    clips = pd.Index(["c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "c10"], name="clip_id")
    metric_values = pd.DataFrame(
        {"pitch_range": np.arange(1.0, 11.0), "polyphony": np.full(10, 2.0)}, index=clips
    )
    ratings = pd.DataFrame(
        {"liking": [2.0, 1, 4, 3, 6, 5, 8, 7, 10, 9], "humanness": np.arange(10.0, 0.0, -1.0)}, index=clips
    )

    def test_tidy_rows_for_every_metric_and_criterion(self):
        table = relative.metric_rating_correlations(self.metric_values, self.ratings)
        assert list(table.columns) == list(relative.CORRELATION_COLUMNS)
        assert list(zip(table.metric, table.criterion, strict=True)) == [
            ("pitch_range", "liking"),
            ("pitch_range", "humanness"),
            ("polyphony", "liking"),
            ("polyphony", "humanness"),
        ]

    def test_known_rho_and_fisher_interval(self):
        # rho = 1 - 6 * 10 / (10 * 99) = 0.93939 (no ties; SciPy's spearmanr agrees); CI: tanh(atanh(rho)
        # -+ 1.95996 * sqrt(1.06 / 7)), computed by hand: 0.74878, 0.98650.
        row = relative.metric_rating_correlations(self.metric_values, self.ratings).iloc[0]
        assert row.n == 10
        assert row.rho == pytest.approx(0.939394, abs=1e-6)
        assert (row.ci_low, row.ci_high) == pytest.approx((0.748779, 0.986496), abs=1e-6)
        assert row.p_value == pytest.approx(5.484e-05, rel=1e-3)

    def test_a_perfect_inverse_ranking(self):
        row = relative.metric_rating_correlations(self.metric_values, self.ratings).iloc[1]
        assert (row.rho, row.ci_low, row.ci_high) == pytest.approx((-1.0, -1.0, -1.0))

    def test_a_constant_metric_has_no_correlation(self):
        table = relative.metric_rating_correlations(self.metric_values, self.ratings)
        assert table.query("metric == 'polyphony'")["rho"].isna().all()

    def test_clips_are_matched_by_id_and_missing_values_dropped(self):
        ratings = self.ratings.drop(index=["c1", "c2"]).iloc[::-1].copy()
        ratings.loc["c3", "liking"] = np.nan
        ratings.loc["unmeasured"] = [5.0, 5.0]
        table = relative.metric_rating_correlations(self.metric_values, ratings)
        assert table.set_index(["metric", "criterion"]).loc[("pitch_range", "liking"), "n"] == 7
        assert table.set_index(["metric", "criterion"]).loc[("pitch_range", "humanness"), "rho"] == -1.0

    def test_a_criterion_named_like_a_metric(self):
        table = relative.metric_rating_correlations(
            self.metric_values, self.ratings[["liking"]].set_axis(["pitch_range"], axis=1)
        )
        assert table.iloc[0][["metric", "criterion"]].tolist() == ["pitch_range", "pitch_range"]
        assert table.iloc[0].rho == pytest.approx(0.939394, abs=1e-6)
