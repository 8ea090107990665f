"""Yang & Lerch relative measures, on sets with a known difference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pretty_midi
import pytest

from model.evaluation import metrics, relative


def scale_from(root: int, steps: list[int]) -> pretty_midi.PrettyMIDI:
    """Quarter notes at 120 BPM: ``root`` plus each of ``steps`` semitones."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    pm.instruments.append(pretty_midi.Instrument(0))
    pm.instruments[0].notes = [
        pretty_midi.Note(90, root + step, 0.5 * i, 0.5 * i + 0.5) for i, step in enumerate(steps)
    ]
    return pm


MAJOR = [0, 2, 4, 5, 7, 9, 11, 12]


def test_histogram_columns_form_one_metric():
    groups = relative.metric_groups(["pitch_range", "ioi_hist[1/8]", "ioi_hist[1/4]", "polyphony"])
    assert groups == {
        "pitch_range": ["pitch_range"],
        "ioi_hist": ["ioi_hist[1/8]", "ioi_hist[1/4]"],
        "polyphony": ["polyphony"],
    }


def test_distances_are_euclidean_within_and_across_sets():
    np.testing.assert_allclose(relative.intra_set_distances([0.0, 1.0, 3.0]), [1.0, 3.0, 2.0])
    np.testing.assert_allclose(relative.inter_set_distances([0.0, 1.0], [3.0]), [3.0, 2.0])
    np.testing.assert_allclose(relative.intra_set_distances([[1.0, 0.0], [0.0, 1.0]]), [math.sqrt(2)])


class TestOverlapAndKL:
    def test_one_sample_against_itself_overlaps_fully(self):
        sample = np.random.default_rng(0).normal(0, 1, 500)
        overlap, kl = relative.overlap_and_kl(sample, sample)
        assert overlap == pytest.approx(1.0, abs=1e-3)
        assert kl == pytest.approx(0.0, abs=1e-9)

    def test_two_unit_normals_one_apart(self):
        # Exact for the true densities: OA = 2 Phi(-1/2) = 0.617, KL = 1/2 nat; the estimate is close.
        rng = np.random.default_rng(1)
        overlap, kl = relative.overlap_and_kl(rng.normal(0, 1, 2000), rng.normal(1, 1, 2000))
        assert overlap == pytest.approx(0.617, abs=0.04)
        assert kl == pytest.approx(0.5, abs=0.08)

    def test_samples_without_spread_still_compare(self):
        assert relative.overlap_and_kl([0.0, 0.0, 0.0], [0.0, 0.0]) == pytest.approx((1.0, 0.0), abs=1e-6)
        overlap, kl = relative.overlap_and_kl([0.0, 0.0], [12.0, 12.0])
        assert overlap == pytest.approx(0.0, abs=1e-6)
        assert kl > 10

    def test_an_empty_sample_gives_nan(self):
        assert all(math.isnan(v) for v in relative.overlap_and_kl([], [1.0, 2.0]))


class TestRelativeMeasures:
    """Single notes against major scales: pitch range 0 against 12 semitones, rhythm the same."""

    single_notes = pd.DataFrame([metrics.piece_metrics(scale_from(r, [0] * 8)) for r in range(60, 66)])
    scales = pd.DataFrame([metrics.piece_metrics(scale_from(r, MAJOR)) for r in range(55, 62)])
    scales_again = pd.DataFrame([metrics.piece_metrics(scale_from(r, MAJOR)) for r in range(62, 68)])

    def test_one_row_per_metric_with_documented_columns(self):
        table = relative.relative_measures(self.single_notes, self.scales)
        assert list(table.columns) == list(relative.RELATIVE_COLUMNS)
        assert list(table["metric"]) == [*metrics.SCALAR_METRICS, *metrics.HISTOGRAM_METRICS]

    def test_a_different_pitch_range_separates_the_sets(self):
        row = (
            relative.relative_measures(self.single_notes, self.scales).set_index("metric").loc["pitch_range"]
        )
        assert (row.source_mean, row.reference_mean, row.inter_mean) == (0.0, 12.0, 12.0)
        assert row.intra_source_mean == row.intra_reference_mean == 0.0
        assert row.oa_source < 0.01 and row.oa_reference < 0.01
        assert row.kl_source > 5 and row.kl_reference > 5

    def test_a_shared_feature_overlaps(self):
        table = relative.relative_measures(self.single_notes, self.scales).set_index("metric")
        assert table.loc["ioi_hist", "inter_mean"] == 0.0  # quarter notes in both sets
        assert table.loc["ioi_hist", "oa_source"] == pytest.approx(1.0, abs=1e-3)
        assert math.isnan(table.loc["ioi_hist", "source_mean"])  # a histogram has no scalar mean

    def test_a_set_like_the_reference_overlaps_on_every_metric(self):
        table = relative.relative_measures(self.scales_again, self.scales).set_index("metric")
        assert (table["oa_source"].dropna() > 0.9).all()
        assert (table["kl_source"].dropna() < 0.1).all()

    def test_empty_pieces_and_labels_are_left_out(self):
        source = self.single_notes.assign(file="x.mid")
        source.loc[len(source)] = metrics.piece_metrics(np.zeros((0, 3))) | {"file": "empty.mid"}
        row = relative.relative_measures(source, self.scales).set_index("metric").loc["pitch_range"]
        assert row.n_source == len(self.single_notes)

    def test_one_piece_has_no_intra_set_distance(self):
        row = relative.relative_measures(self.scales.head(1), self.scales).iloc[0]
        assert row.n_source == 1
        assert math.isnan(row.intra_source_mean) and math.isnan(row.oa_source)
