"""The headline model: every estimate, standard error and degree of freedom is R's, checked by an independent R
call in each test (lmerTest's ``summary`` and ``anova`` on a treatment-coded model; ordinal's ``clmm``), on data sets
with clip variance, with none (the rule drops the term) and with by-participant source effects."""

from __future__ import annotations

import subprocess
import tempfile
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from survey.analysis.inference.headline import MIN_PARTICIPANTS, headline_tables, rating_rows, too_few
from survey.analysis.inference.simulate import StudyDesign, simulate_answers

MEANS = {"lstm": 4.0, "magenta": 3.4, "original": 4.6}


def study(seed: int, **components: float) -> pd.DataFrame:
    design = StudyDesign(MEANS, **{"participant_sd": 0.8, "clip_sd": 0.4, "residual_sd": 1.0, **components})
    return simulate_answers(design, 20, np.random.default_rng(seed))


def lmertest(answers: pd.DataFrame, random: str) -> dict[str, pd.DataFrame]:
    """lmerTest's own tables for ``rating ~ source + random``: treatment contrasts against the first source (its
    summary), the cell means (``0 + source``) and the type-III F test (its anova), all Satterthwaite."""
    script = f"""
    suppressPackageStartupMessages(library(lmerTest))
    d <- read.csv(commandArgs(TRUE)[1]); d$source <- factor(d$source)
    d$participant <- factor(d$participant); d$clip <- factor(d$clip)
    m <- lmer(rating ~ source + {random}, data = d)
    c <- as.data.frame(summary(m)$coefficients); c$term <- rownames(c)
    means <- as.data.frame(summary(lmer(rating ~ 0 + source + {random}, data = d))$coefficients)
    means$term <- rownames(means)
    a <- as.data.frame(anova(m))
    write.csv(c, stdout(), row.names = FALSE); cat("---\\n")
    write.csv(means, stdout(), row.names = FALSE); cat("---\\n")
    write.csv(a, stdout(), row.names = FALSE)
    """
    return _run_r(script, rating_rows(answers).query("criterion == 'enjoyment'"), ["contrasts", "means", "anova"])


def _run_r(script: str, data: pd.DataFrame, names: list[str]) -> dict[str, pd.DataFrame]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "d.csv")
        data.to_csv(path, index=False)
        out = subprocess.run(["Rscript", "-e", script, str(path)], capture_output=True, text=True, check=True).stdout
    return {name: pd.read_csv(StringIO(part)) for name, part in zip(names, out.split("---\n"), strict=True)}


def check_against_lmertest(answers: pd.DataFrame, random: str) -> dict[str, pd.DataFrame]:
    tables = headline_tables(answers, ordinal=False)
    reference = lmertest(answers, random)
    contrasts = reference["contrasts"].set_index("term")
    pairs = tables["headline"].set_index(["source_a", "source_b"])
    for other in ("magenta", "original"):  # lmerTest's rows are <other> - lstm; ours lstm - <other>
        row, expected = pairs.loc[("lstm", other)], contrasts.loc[f"source{other}"]
        assert row["estimate"] == pytest.approx(-expected["Estimate"], abs=1e-6)
        assert row["se"] == pytest.approx(expected["Std. Error"], rel=1e-4)
        assert row["df"] == pytest.approx(expected["df"], rel=1e-3)
        assert row["p_unc"] == pytest.approx(expected["Pr(>|t|)"], rel=1e-3, abs=1e-12)
    means = tables["headline_means"].set_index("source")
    expected_means = reference["means"].set_index("term")
    for source in MEANS:
        assert means.loc[source, "mean"] == pytest.approx(expected_means.loc[f"source{source}", "Estimate"], abs=1e-6)
        assert means.loc[source, "se"] == pytest.approx(expected_means.loc[f"source{source}", "Std. Error"], rel=1e-4)
        assert means.loc[source, "df"] == pytest.approx(expected_means.loc[f"source{source}", "df"], rel=1e-3)
    model = tables["headline_model"].iloc[0]
    anova = reference["anova"].iloc[0]
    assert model["F"] == pytest.approx(anova["F value"], rel=1e-4)
    assert (model["num_df"], model["den_df"]) == (anova["NumDF"], pytest.approx(anova["DenDF"], rel=1e-3))
    return tables


def test_with_clip_variance_every_number_is_lmertests() -> None:
    tables = check_against_lmertest(study(1), "(1 | participant) + (1 | clip)")
    model = tables["headline_model"].iloc[0]
    assert model["random"] == "participants, clips" and model["clip_var"] > 0
    assert "participant x source" in model["dropped"]  # simulated without it: estimated at zero, refitted


def test_a_clip_variance_at_zero_is_dropped_and_said_never_a_nan() -> None:
    answers = study(0, clip_sd=0.0)  # its clip and participant x source variances are estimated at zero
    tables = check_against_lmertest(answers, "(1 | participant)")
    model = tables["headline_model"].iloc[0]
    assert model["random"] == "participants" and "clips (estimated at zero)" in model["dropped"]
    assert tables["headline"][["se", "df", "p_unc", "ci_low", "ci_high"]].notna().all().all()


def test_by_participant_source_effects_are_kept_when_present() -> None:
    answers = study(2, participant_source_sd=0.7)
    tables = check_against_lmertest(answers, "(1 | participant) + (1 | participant:source) + (1 | clip)")
    assert tables["headline_model"].iloc[0]["participant_source_var"] > 0.1


def test_the_ordinal_mixed_model_is_ordinal_clmm() -> None:
    answers = study(3)
    ours = headline_tables(answers)["ordinal_mixed"].set_index(["source_a", "source_b"])
    script = """
    suppressPackageStartupMessages(library(ordinal))
    d <- read.csv(commandArgs(TRUE)[1]); d$y <- factor(d$rating, ordered = TRUE)
    d$participant <- factor(d$participant); d$clip <- factor(d$clip); d$source <- factor(d$source)
    m <- clmm(y ~ source + (1 | participant) + (1 | clip), data = d)
    c <- as.data.frame(summary(m)$coefficients); c$term <- rownames(c)
    write.csv(c, stdout(), row.names = FALSE)
    """
    reference = _run_r(script, rating_rows(answers).query("criterion == 'enjoyment'"), ["c"])["c"].set_index("term")
    for other in ("magenta", "original"):
        row, expected = ours.loc[("lstm", other)], reference.loc[f"source{other}"]
        assert row["estimate"] == pytest.approx(-expected["Estimate"], rel=1e-3)
        assert row["se"] == pytest.approx(expected["Std. Error"], rel=1e-3)
        assert row["p_unc"] == pytest.approx(expected["Pr(>|z|)"], rel=1e-3)


def test_holm_within_each_criterion_and_over_the_family() -> None:
    answers = study(5).assign(rating_complexity=lambda a: np.clip(a["rating_enjoyment"] + 1, 1, 7))
    pairs = headline_tables(answers, ordinal=False)["headline"]
    for _, group in pairs.groupby("criterion"):
        assert group["p_holm"].to_numpy() == pytest.approx(multipletests(group["p_unc"], method="holm")[1])
    assert pairs["p_holm_all"].to_numpy() == pytest.approx(multipletests(pairs["p_unc"], method="holm")[1])


def test_below_the_minimum_the_tables_say_no_inference_yet() -> None:
    answers = study(6)
    few = answers[answers["participant"] < MIN_PARTICIPANTS - 1]
    tables = headline_tables(few)
    sentence = f"No inference yet: the mixed models need at least {MIN_PARTICIPANTS} participants and this study has " \
               f"{MIN_PARTICIPANTS - 1}; the charts show descriptives only."
    assert all(list(t.columns) == ["note"] and t["note"].iloc[0] == sentence for t in tables.values())
    assert too_few(answers) == ""


def test_a_criterion_nobody_rated_is_left_out() -> None:
    answers = study(7).assign(rating_creativity=np.nan)
    assert set(rating_rows(answers)["criterion"]) == {"enjoyment"}
    assert set(headline_tables(answers, ordinal=False)["headline_model"]["criterion"]) == {"enjoyment"}
