"""Simulated studies have the design's layout, and their true means account for rounding and clipping."""

from __future__ import annotations

import numpy as np
import pytest

from survey.analysis.inference.simulate import StudyDesign, design_of_study, simulate_answers, true_means
from survey.design.studyfile import load_study_file
from tests.survey.conftest import ROOT


def test_each_participant_hears_distinct_clips_of_every_source_from_its_pool() -> None:
    design = StudyDesign({"a": 4.0, "b": 5.0}, clips_per_source=5, per_source=3)
    answers = simulate_answers(design, 12, np.random.default_rng(0))
    per = answers.groupby(["participant", "source"])["clip"].agg(["nunique", "size"])
    assert (per["nunique"] == 3).all() and (per["size"] == 3).all()
    assert answers.groupby("source")["clip"].nunique().max() <= 5
    assert answers["rating_enjoyment"].between(1, 7).all() and (answers["rating_enjoyment"] % 1 == 0).all()


def test_true_means_match_a_large_simulation_after_rounding_and_clipping() -> None:
    design = StudyDesign({"low": 1.3, "high": 6.5}, participant_sd=0.8, clip_sd=0.4, residual_sd=1.0,
                         clips_per_source=400, per_source=4)
    answers = simulate_answers(design, 4000, np.random.default_rng(1))
    observed = answers.groupby("source")["rating_enjoyment"].mean()
    three_se = 3 * np.sqrt(0.8**2 / 4000 + 0.4**2 / 400)  # the sampled participants' and clips' own noise
    for source, mean in true_means(design).items():
        assert observed[source] == pytest.approx(mean, abs=three_se)
    assert true_means(design)["low"] > 1.3 + 3 * three_se  # clipping at 1 pulls a low mean up, measurably


def test_the_demo_study_files_layout() -> None:
    design = design_of_study(load_study_file(ROOT / "assets" / "demo_study.yaml"))
    assert (len(design.means), design.clips_per_source, design.per_source) == (5, 4, 2)
