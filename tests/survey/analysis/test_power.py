"""Power by the headline model: the approximation is the paired t-test's where clips do not vary, the simulation
agrees with it, clips per source are planned when participants alone cannot reach the target, the planned
participant count is the smallest that reaches it, and a pilot too small to plan from is refused."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.power import TTestPower

from survey.analysis.inference.headline import MIN_PARTICIPANTS
from survey.analysis.inference.simulate import StudyDesign, simulate_answers
from survey.analysis.power import (
    approximate_power,
    clips_needed,
    design_from_pilot,
    participants_needed,
    pilot_designs,
    simulate_power,
)
from tests.survey.conftest import ROOT


def test_without_clip_variance_the_approximation_is_the_paired_t_tests_power() -> None:
    # Two sources, no clip variance: a participant's difference of means has SD sqrt(2 (residual^2 + 1/12) /
    # per_source) (1/12: rounding to whole points), so the power is statsmodels' TTestPower with n - 1 df.
    design = StudyDesign({"a": 4.0, "b": 4.5}, participant_sd=0.7, clip_sd=0.0, residual_sd=1.0, per_source=2)
    expected = TTestPower().power(effect_size=0.5 / math.sqrt(2 * (1.0 + 1 / 12) / 2), nobs=30, alpha=0.05)
    assert approximate_power(design, ("a", "b"), 30) == pytest.approx(expected, rel=1e-6)


def test_simulated_power_is_alpha_without_a_difference_and_high_with_a_large_one() -> None:
    null = StudyDesign({"a": 4.0, "b": 4.0}, participant_sd=0.7, clip_sd=0.3, residual_sd=1.0, clips_per_source=6)
    result = simulate_power(null, 16, simulations=150, seed=1)
    assert result.power[("a", "b")] <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 150)
    large = StudyDesign({"a": 3.0, "b": 4.5}, participant_sd=0.7, clip_sd=0.3, residual_sd=1.0, clips_per_source=6)
    result = simulate_power(large, 16, simulations=60, seed=1)
    assert result.power[("a", "b")] > 0.9
    assert result.se[("a", "b")] == pytest.approx(math.sqrt(result.power[("a", "b")] * (1 - result.power[("a", "b")])
                                                            / 60))


def test_too_few_clips_cannot_be_made_up_by_participants() -> None:
    design = StudyDesign({"a": 2.5, "b": 4.5}, participant_sd=0.8, clip_sd=1.0, residual_sd=1.0, clips_per_source=2,
                         per_source=1)
    assert approximate_power(design, ("a", "b"), 10_000) < 0.5
    clips = clips_needed(design, ("a", "b"), 0.8, most=400)
    assert clips is not None and clips > 2
    row = participants_needed(design, 0.8, simulations=40).iloc[0]
    assert row["clips_per_source"] == clips and "With 2 clips per source no number of participants" in row["note"]
    assert row["power"] >= 0.8


def test_the_planned_size_is_the_smallest_that_reaches_the_target() -> None:
    design = StudyDesign({"a": 3.5, "b": 4.5}, participant_sd=0.8, clip_sd=0.1, residual_sd=1.0, clips_per_source=6)
    row = participants_needed(design, 0.8, simulations=40, seed=3).iloc[0]
    n = int(row["participants"])
    assert row["power"] >= 0.8 and row["clips_per_source"] == 6
    if n - 2 >= MIN_PARTICIPANTS:  # same seed at every size, as the search uses
        assert simulate_power(design, n - 2, simulations=40, seed=3).power[("a", "b")] < 0.8


def test_a_pilots_headline_model_becomes_the_design() -> None:
    means = pd.DataFrame({"criterion": "enjoyment", "source": ["original", "lstm"], "mean": [4.6, 3.8]})
    model = pd.DataFrame({"criterion": ["enjoyment"], "participant_var": [0.64], "participant_source_var": [0.0],
                          "clip_var": [0.09], "residual_var": [1.44]})
    design = design_from_pilot({"headline_means": means, "headline_model": model}, "enjoyment", 2, 4)
    assert design.means == pytest.approx({"original": 4.6, "lstm": 3.8})
    assert (design.participant_sd, design.clip_sd, design.residual_sd) == pytest.approx((0.8, 0.3, 1.2))


def test_a_pilot_too_small_to_plan_from_is_refused_with_the_minimum() -> None:
    design = StudyDesign({"a": 4.0, "b": 4.5})
    one = simulate_answers(design, 1, np.random.default_rng(0))
    with pytest.raises(ValueError, match=f"has 1 usable participant.*needs at least {MIN_PARTICIPANTS}"):
        pilot_designs(one, "pilot")


def test_the_cli_refuses_an_unclear_request_in_one_sentence() -> None:
    result = subprocess.run([sys.executable, "-m", "survey", "--url", "sqlite://", "power"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Give either --pilot" in result.stderr and "Traceback" not in result.stderr
