"""The headline analysis of a listening study: per criterion, a linear mixed model with participants and clips as
crossed random effects, Satterthwaite degrees of freedom, Holm-corrected pairwise contrasts and model-based
confidence intervals of each source's mean; beside it the same design as a cumulative link mixed model.

Why this is the headline: a study samples people *and* clips.  Tests on participants' means treat the few clips of
each source as the whole source, so with clip variance they find differences that are not there (Clark 1973's
language-as-fixed-effect fallacy; Baayen, Davidson & Bates 2008; Barr et al. 2013).  ``bench/validity.py``
shows it by simulation, through these very functions.  The fitting is R's (``crossed.R``: lme4, lmerTest,
ordinal); this module turns the study into R's input and R's fits into tidy tables.

Tables (``headline_tables``), each with a ``criterion`` column:

``headline``
    one row per pair of sources: estimate (mean of ``source_a`` minus ``source_b``, rating points), se, df
    (Satterthwaite), t, p_unc, p_holm (Holm over the pairs of the criterion), p_holm_all (Holm over every
    criterion and pair), ci_low, ci_high.
``headline_means``
    one row per source: mean (the model's estimate), se, df, ci_low, ci_high: the interval the charts draw.
``headline_model``
    one row per criterion: the omnibus F test of equal means (F, num_df, den_df, p), the random part as fitted
    and what the rule dropped, the variance components, n_obs, participants, converged, note.
``ordinal_mixed``
    one row per pair: the clmm's log-odds shift towards higher ratings of ``source_a`` over ``source_b``, se,
    z, p_unc, p_holm, and the random part.  A sensitivity analysis, not a verdict: its Wald z ignores the
    uncertainty of the clip variance, and with 4 clips per source it rejects 11% of true null contrasts
    (``bench/validity.py --ordinal``), where the linear model's Satterthwaite t rejects 5%.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from survey.analysis.export import RATING_PREFIX, rated_criteria
from survey.analysis.inference.rbridge import InferenceUnavailable, fit_batch

MIN_PARTICIPANTS = 4
"""Below this many participants the page shows descriptives only.  Derived from ``bench/validity.py --participants
3 4 5 6 8 --headline-only`` on the demo design (300 null studies each): the smallest size at which the headline's
95% intervals cover 93-97% of the time for means and for differences, with type-I at most 5% per contrast.  At 3
participants the differences' intervals cover 97.6% (too wide) and type-I is 2.4%; at 4: 96.1% / 96.5%, 3.5%;
5: 4.0%; 6: 3.4%; 8: 3.3%; 24: 4.8%.  Small studies are conservative, never liberal; with 1-2 participants the
participant variance has no replication to be estimated from."""

TERM_WORDS = {"participant": "participants", "participant:source": "participant x source (by-participant slopes)",
              "clip": "clips"}
PAIR_COLUMNS = ["criterion", "source_a", "source_b", "estimate", "se", "df", "t", "p_unc", "p_holm", "p_holm_all",
                "ci_low", "ci_high", "note"]
MEAN_COLUMNS = ["criterion", "source", "mean", "se", "df", "ci_low", "ci_high"]
MODEL_COLUMNS = ["criterion", "F", "num_df", "den_df", "p", "random", "dropped", "participant_var",
                 "participant_source_var", "clip_var", "residual_var", "n_obs", "participants", "converged", "note"]
ORDINAL_COLUMNS = ["criterion", "source_a", "source_b", "estimate", "se", "z", "p_unc", "p_holm", "random",
                   "dropped", "note"]
TABLES = ("headline", "headline_means", "headline_model", "ordinal_mixed")


def rating_rows(answers: pd.DataFrame, study: str = "study") -> pd.DataFrame:
    """``answers`` as ``crossed.R`` reads them: one row per rating (study, criterion, participant, clip, source)."""
    frames = []
    for criterion in rated_criteria(answers):
        rated = answers.dropna(subset=[RATING_PREFIX + criterion])
        frames.append(pd.DataFrame({"study": study, "criterion": criterion, "participant": rated["participant"],
                                    "clip": rated["clip"], "source": rated["source"],
                                    "rating": rated[RATING_PREFIX + criterion].astype(float)}))
    columns = ["study", "criterion", "participant", "clip", "source", "rating"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def too_few(answers: pd.DataFrame) -> str:
    """Why no inference is drawn from these answers yet, or "" when it is."""
    n = answers["participant"].nunique() if "participant" in answers else 0
    if n < MIN_PARTICIPANTS:
        return (f"No inference yet: the mixed models need at least {MIN_PARTICIPANTS} participants and this study has "
                f"{n}; the charts show descriptives only.")
    if answers["source"].nunique() < 2:
        return "No inference: the answers come from a single source, so there is nothing to compare."
    if not rated_criteria(answers):
        return "No inference: no criterion has a rating yet."
    return ""


def headline_tables(answers: pd.DataFrame, *, ordinal: bool = True,
                    confidence: float = 0.95) -> dict[str, pd.DataFrame]:
    """Every headline table (see the module's docstring); one-row ``note`` tables when no inference can be drawn."""
    why = too_few(answers)
    if not why:
        try:
            fits = fit_batch(rating_rows(answers), ordinal=ordinal)
        except InferenceUnavailable as exc:
            why = str(exc)
    if why:
        return {name: pd.DataFrame({"note": [why]}) for name in TABLES}
    tables = fit_tables(fits, confidence)
    tables["headline_model"] = tables["headline_model"].assign(participants=answers["participant"].nunique())
    if not ordinal:
        del tables["ordinal_mixed"]
    return {name: table.drop(columns="study") for name, table in tables.items()}


def fit_studies(studies: Sequence[pd.DataFrame], *, ordinal: bool = False, pairs_only: bool = False,
                workers: int = 2) -> dict[str, pd.DataFrame]:
    """The headline tables of many studies' answers (simulated ones: power, ``bench/validity.py``) from one batch
    of R processes; study ``i`` of the list is ``str(i)`` in each table's ``study`` column."""
    batch = pd.concat([rating_rows(answers, study=str(i)) for i, answers in enumerate(studies)], ignore_index=True)
    return fit_tables(fit_batch(batch, ordinal=ordinal, workers=workers, pairs_only=pairs_only))


def fit_tables(fits: list[dict[str, Any]], confidence: float = 0.95) -> dict[str, pd.DataFrame]:
    """R's fits as the headline tables, each with a ``study`` column first (a batch may hold many studies)."""
    pairs, means, models, ordinals = [], [], [], []
    for fit in sorted(fits, key=lambda f: (str(f["study"]), str(f["criterion"]))):
        key = {"study": str(fit["study"]), "criterion": str(fit["criterion"])}
        lmm = fit.get("lmm") or {"error": "no fit"}
        models.append({**key, **_model_row(lmm, int(fit["n_obs"]))})
        if "error" not in lmm:
            pairs += [{**key, **_pair_row(row, confidence)} for row in lmm.get("pairs") or []]
            means += [{**key, **_mean_row(row, confidence)} for row in lmm.get("means") or []]
        if "clmm" in fit:
            ordinals += _ordinal_rows(key, fit["clmm"])
    tables = {
        "headline": _holm(pd.DataFrame(pairs, columns=["study", *PAIR_COLUMNS])),
        "headline_means": pd.DataFrame(means, columns=["study", *MEAN_COLUMNS]),
        "headline_model": pd.DataFrame(models, columns=["study", *MODEL_COLUMNS]),
        "ordinal_mixed": _holm(pd.DataFrame(ordinals, columns=["study", *ORDINAL_COLUMNS]), overall=False),
    }
    return tables


def _interval(estimate: float, se: float, df: float, confidence: float) -> tuple[float, float]:
    half = float(sps.t.ppf(0.5 + confidence / 2, df)) * se
    return estimate - half, estimate + half


def _pair_row(row: dict[str, Any], confidence: float) -> dict[str, Any]:
    if not all(isinstance(row.get(k), int | float) and np.isfinite(row[k]) for k in ("estimate", "se", "df", "p")):
        return {"source_a": row["source_a"], "source_b": row["source_b"], "p_unc": np.nan,
                "note": "lmerTest could not compute this contrast's standard error or degrees of freedom; no test."}
    low, high = _interval(row["estimate"], row["se"], row["df"], confidence)
    return {"source_a": row["source_a"], "source_b": row["source_b"], "estimate": row["estimate"], "se": row["se"],
            "df": row["df"], "t": row["t"], "p_unc": row["p"], "ci_low": low, "ci_high": high, "note": ""}


def _mean_row(row: dict[str, Any], confidence: float) -> dict[str, Any]:
    """A source's modelled mean; R leaves out what it could not compute (then NaN, and the chart no bar)."""
    estimate, se, df = (float(row.get(k, np.nan)) for k in ("estimate", "se", "df"))
    low, high = _interval(estimate, se, df, confidence)
    return {"source": row["source"], "mean": estimate, "se": se, "df": df, "ci_low": low, "ci_high": high}


def dropped_sentence(dropped: list[dict[str, str]]) -> str:
    """What the random-effects rule left out and why, as one sentence ("" when nothing was)."""
    if not dropped:
        return ""
    parts = [f"{TERM_WORDS.get(d['term'], d['term'])} ({d['reason']})" for d in dropped]
    return "Left out of the random part, refitted without: " + "; ".join(parts) + "."


def _model_row(lmm: dict[str, Any], n_obs: int) -> dict[str, Any]:
    if "error" in lmm:
        return {"n_obs": n_obs, "converged": False,
                "note": "The mixed model could not be fitted to these ratings; the descriptives still stand."}
    variances = lmm.get("variances") or {}
    omnibus = lmm.get("omnibus") or {}
    note = "" if lmm["converged"] else "The optimiser reported a convergence problem: read these p-values with care."
    return {"F": omnibus.get("F", np.nan), "num_df": omnibus.get("num_df", np.nan),
            "den_df": omnibus.get("den_df", np.nan), "p": omnibus.get("p", np.nan),
            "random": ", ".join(TERM_WORDS[t] for t in lmm["random"]) or "none",
            "dropped": dropped_sentence(lmm["dropped"]),
            "participant_var": variances.get("participant", 0.0),
            "participant_source_var": variances.get("participant:source", 0.0),
            "clip_var": variances.get("clip", 0.0), "residual_var": variances.get("residual", np.nan),
            "n_obs": n_obs, "converged": bool(lmm["converged"]), "note": note}


def _ordinal_rows(key: dict[str, str], clmm: dict[str, Any]) -> list[dict[str, Any]]:
    if "error" in clmm:
        return [{**key, "note": "The ordinal mixed model could not be fitted to these ratings (often: a rating "
                                "level used by one participant only); the linear model still stands."}]
    random = ", ".join(TERM_WORDS[t] for t in clmm["random"]) or "none"
    note = "" if clmm["converged"] else "The optimiser reported a convergence problem: read with care."
    return [{**key, "source_a": row["source_a"], "source_b": row["source_b"], "estimate": row["estimate"],
             "se": row["se"], "z": row["z"], "p_unc": row["p"], "random": random,
             "dropped": dropped_sentence(clmm["dropped"]), "note": note} for row in clmm["pairs"]]


def _holm(table: pd.DataFrame, overall: bool = True) -> pd.DataFrame:
    """``p_holm`` within each (study, criterion) and, with ``overall``, ``p_holm_all`` over each study's family."""
    table = table.copy()
    tested = table["p_unc"].notna()
    families = {"p_holm": ["study", "criterion"], **({"p_holm_all": ["study"]} if overall else {})}
    for column, by in families.items():
        table[column] = np.nan
        if tested.any():
            table.loc[tested, column] = table[tested].groupby(by, sort=False)["p_unc"].transform(
                lambda p: multipletests(p.to_numpy(float), method="holm")[1])
    return table


def headline_statement(tables: dict[str, pd.DataFrame]) -> str:
    """What the headline model is and treats as random, for the top of the Results page and the report."""
    model = tables.get("headline_model")
    fitted = model is not None and "random" in model
    what = ("Headline: per criterion, a linear mixed model of the ratings with participants and clips as crossed "
            "random effects (and by-participant source slopes where the design identifies them), fitted by R's "
            "lme4 with lmerTest's Satterthwaite degrees of freedom; pairwise differences are Holm-adjusted within "
            "each criterion (p_holm) and over every criterion and pair (p_holm_all), and the chart's intervals are "
            "the model's.  Beside it, ordinal::clmm treats the ratings as ordinal (its Wald tests are liberal with few "
            "clips: read it for direction, not significance).")
    rule = (f"Inference needs at least {MIN_PARTICIPANTS} participants; a random term the data cannot identify, or "
            "estimated at zero, is left out and the model refitted (column 'dropped').")
    return f"{what} {rule}" if fitted else rule
