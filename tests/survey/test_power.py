"""Power by simulation: it recovers the analytic power of a known design, reads a pilot, and plans sizes."""

from __future__ import annotations

import math
import subprocess
import sys

import pandas as pd
import pytest
from statsmodels.stats.power import TTestPower

from survey.power import Design, design_from_pilot, participants_needed, simulate_power
from tests.survey.conftest import ROOT


def test_a_known_paired_design_has_the_power_statsmodels_computes() -> None:
    # Two sources, no clip variance: each participant's difference of means is normal with SD
    # sqrt(2 * residual^2 / per_source), so the paired t-test's power is statsmodels' TTestPower (analytic).
    residual, per_source, delta, n = 1.0, 2, 0.5, 30
    design = Design({"a": 4.0, "b": 4.0 + delta}, participant_sd=0.7, clip_sd=0.0, residual_sd=residual,
                    per_source=per_source, test="t")
    expected = TTestPower().power(effect_size=delta / math.sqrt(2 * residual**2 / per_source), nobs=n, alpha=0.05)
    result = simulate_power(design, n, simulations=2000, seed=1)
    assert result.power[("a", "b")] == pytest.approx(expected, abs=0.03)  # 0.754 analytic
    assert result.se[("a", "b")] == pytest.approx(math.sqrt(expected * (1 - expected) / 2000), abs=0.002)


def test_no_difference_is_found_about_as_often_as_alpha_unless_clips_vary() -> None:
    same_clips = Design({"a": 4.0, "b": 4.0}, 0.7, 0.0, 1.2, test="t")
    assert simulate_power(same_clips, 24, simulations=1500, seed=2).power[("a", "b")] == pytest.approx(0.05, abs=0.02)
    # With clip variance and 4 clips per source, the sources' clip samples differ in every study, and a test on
    # participants' means (as Results' pairwise tests) takes that for a source effect (Clark 1973): the
    # simulation shows the inflation, which is why Results also fits the mixed model with clips as random.
    varied_clips = Design({"a": 4.0, "b": 4.0}, 0.7, 0.3, 1.2, test="t")
    assert simulate_power(varied_clips, 24, simulations=1500, seed=2).power[("a", "b")] > 0.08


def test_the_planned_size_reaches_the_target_and_larger_effects_need_fewer() -> None:
    design = Design({"orig": 4.5, "small": 4.2, "large": 3.5}, 0.8, 0.2, 1.2)
    table = participants_needed(design, target=0.8, simulations=150).set_index("pair")
    assert table.loc["large vs orig", "participants"] < table.loc["orig vs small", "participants"]
    assert (table["power"].dropna() >= 0.8).all() and set(table.columns) >= {"difference", "se"}


def test_a_pilots_mixed_model_becomes_the_design() -> None:
    mixed = pd.DataFrame({"criterion": "enjoyment", "term": ["Intercept", "lstm - original", "participant var",
                                                              "clip var", "residual var"],
                          "estimate": [4.6, -0.8, 0.64, 0.09, 1.44]})
    design = design_from_pilot(mixed, "enjoyment", per_source=2, clips_per_source=4)
    assert design.means == pytest.approx({"original": 4.6, "lstm": 3.8})
    assert (design.participant_sd, design.clip_sd, design.residual_sd) == pytest.approx((0.8, 0.3, 1.2))


def test_the_cli_refuses_an_unclear_request_in_one_sentence() -> None:
    result = subprocess.run([sys.executable, "-m", "survey", "--url", "sqlite://", "power"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Give either --pilot" in result.stderr and "Traceback" not in result.stderr
