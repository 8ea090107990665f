"""Statistics of a listening study, each as a tidy DataFrame (one row per test or cell).

All functions take the answers frame of ``survey.analysis.export.answers_frame`` (one row per answer,
``rating_<criterion>`` columns) and use the field's libraries: SciPy (bootstrap, binomial test),
pingouin (Friedman, Kruskal-Wallis, Wilcoxon, Mann-Whitney U), krippendorff (alpha), statsmodels (Holm).
Columns are documented per function.

The headline inference is not here: it is the crossed mixed model of ``survey.analysis.inference.headline``
(participants
and clips both random), which :func:`summary_tables` puts first.  The tests in this module are its companions.
Those on participants' means (Friedman, paired Wilcoxon) treat the clips heard as the whole source; with clip
variance they reject true null hypotheses far more often than 5% (``bench/validity.py``), so they are labelled
secondary and come with :func:`fixed_clips_warning`.  Each complete participant's ratings are averaged per
source; participants who stopped before hearing every source are left out and counted (``left_out``).  Only
when no participant rated every source (a between-subject design) are Kruskal-Wallis and Mann-Whitney U run on
single answers.  A test that cannot run (too few participants) says why in its ``note`` column.

Exclusions are explicit: call ``apply_exclusions`` first, and report how many were dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from survey.analysis.export import RATING_PREFIX, rated_criteria


def pingouin() -> ModuleType:
    """pingouin, imported on the first test that needs it: with the scientific stack it pulls in it takes seconds,
    which a participant-facing server, importing survey but never testing, should not pay (the one lazy import
    of it)."""
    import pingouin as pg

    return pg


def apply_exclusions(
    answers: pd.DataFrame, *, headphone: bool = True, attention: bool = True, unfinished: bool = False,
    early: bool = True,
) -> pd.DataFrame:
    """Drop answers of participants who failed the headphone check / an attention check / did not finish, and
    (``early``) single answers that reached the server sooner than their clip lasts.

    A missing check result (the study had none, or the serving time was not recorded) never excludes anyone.
    """
    keep = pd.Series(True, index=answers.index)
    if early and "answered_early" in answers:
        keep &= answers["answered_early"].ne(True)
    if headphone:
        keep &= answers["headphone_passed"].ne(False)
    if attention:
        keep &= answers["attention_passed"].ne(False)
    if unfinished:
        keep &= answers["finished"].eq(True)
    return answers[keep]


EXCLUSION_RULES = {
    "headphone": "a failed headphone check",
    "attention": "a failed attention check",
    "unfinished": "an unfinished participation",
    "early": "every answer sent before its clip could end",
}


def exclusion_sentence(answers: pd.DataFrame, kept: pd.DataFrame, rules: dict[str, bool]) -> str:
    """How many participants the ticked ``rules`` (keys of ``EXCLUSION_RULES``) left out, and by which rule: a
    participant counts under each rule that alone would have removed all of their answers."""
    total, left = answers["participant"].nunique(), kept["participant"].nunique()
    gone = set(answers["participant"]) - set(kept["participant"])
    counts = []
    for rule, ticked in rules.items():
        if ticked:
            alone = apply_exclusions(answers, **{r: r == rule for r in EXCLUSION_RULES})
            by_rule = len(gone - set(alone["participant"]))
            counts.append(f"{EXCLUSION_RULES[rule]} {by_rule}")
    why = f": {', '.join(counts)}" if gone and counts else ""
    off = [EXCLUSION_RULES[r] for r, ticked in rules.items() if not ticked]
    kept_anyway = f"; not excluded for {', '.join(off)}" if off else ""
    return (f"{left} of {total} participants kept, {total - left} excluded{why}{kept_anyway}; "
            f"{len(kept)} answer{'s' if len(kept) != 1 else ''} analysed.")


def long_ratings(answers: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, criterion): participant, clip, source, criterion, rating, guess_correct, knows_piece."""
    ids = ["participant", "clip", "source", "guess_correct", "knows_piece"]
    melted = answers.melt(
        id_vars=ids,
        value_vars=[RATING_PREFIX + c for c in rated_criteria(answers)],
        var_name="criterion",
        value_name="rating",
    )
    melted["criterion"] = melted["criterion"].str.removeprefix(RATING_PREFIX)
    melted = melted.dropna(subset=["rating"])
    return melted.astype({"rating": float})


def describe(
    answers: pd.DataFrame, *, n_resamples: int = 2000, confidence: float = 0.95, seed: int = 0
) -> pd.DataFrame:
    """Per source and criterion: n, participants, mean, median, sd and a cluster-bootstrap CI of the mean.

    Columns: source, criterion, n, participants, mean, median, sd, ci_low, ci_high, ci_method.  One
    participant gives several answers, which are not independent, so the CI resamples *participants*
    (each with all their answers: ``scipy.stats.bootstrap`` over paired per-participant sums and counts,
    BCa, ``n_resamples``, ``rng=seed``); an answer-level bootstrap would be too narrow.  NaN if fewer than
    two participants.
    """
    rows = []
    for (source, criterion), group in long_ratings(answers).groupby(["source", "criterion"], sort=True):
        values = group["rating"].to_numpy()
        low, high = _cluster_ci(group, n_resamples, confidence, seed)
        rows.append(
            {
                "source": source,
                "criterion": criterion,
                "n": len(values),
                "participants": group["participant"].nunique(),
                "mean": float(values.mean()),
                "median": float(np.median(values)),
                "sd": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                "ci_low": low,
                "ci_high": high,
                "ci_method": "cluster bootstrap over participants (BCa; clips as fixed)",
            }
        )
    columns = ["source", "criterion", "n", "participants", "mean", "median", "sd", "ci_low", "ci_high", "ci_method"]
    return pd.DataFrame(rows, columns=columns)


def _cluster_ci(group: pd.DataFrame, n_resamples: int, confidence: float, seed: int) -> tuple[float, float]:
    """BCa interval of the pooled mean, resampling participants with all of their answers."""
    per = group.groupby("participant")["rating"].agg(["sum", "count"])
    if len(per) < 2:
        return np.nan, np.nan
    sums, counts = per["sum"].to_numpy(dtype=float), per["count"].to_numpy(dtype=float)
    means = sums / counts
    if np.ptp(means) == 0:
        return float(means[0]), float(means[0])
    ci = sps.bootstrap(
        (sums, counts), lambda s, c, axis=-1: s.sum(axis=axis) / c.sum(axis=axis), paired=True, vectorized=True,
        n_resamples=n_resamples, confidence_level=confidence, method="BCa", rng=np.random.default_rng(seed),
    ).confidence_interval
    return float(ci.low), float(ci.high)


def participant_means(answers: pd.DataFrame, criterion: str) -> pd.DataFrame:
    """Each participant's mean rating per source (rows: participants who rated every source)."""
    table = answers.pivot_table(index="participant", columns="source", values=RATING_PREFIX + criterion, aggfunc="mean")
    return table.dropna()


def complete_participants(answers: pd.DataFrame) -> pd.DataFrame:
    """Answers of the participants who rated every source, the ones a paired test can use."""
    n_sources = answers["source"].nunique()
    counts = answers.groupby("participant")["source"].nunique()
    return answers[answers["participant"].isin(counts.index[counts == n_sources])]


def is_within(answers: pd.DataFrame) -> bool:
    """True when the design is within-subject: at least one participant rated every source.

    Then participants who stopped early are left out of the paired tests (and counted), rather than
    turning every test into a between-subject one over answers that are not independent.
    """
    return not complete_participants(answers).empty


MIN_PAIRED = 2
TOO_FEW = f"needs at least {MIN_PAIRED} participants who rated every source"


def omnibus(answers: pd.DataFrame) -> pd.DataFrame:
    """Does any source differ?  Friedman (within-subject) or Kruskal-Wallis (between), per criterion.

    Columns: criterion, test ("friedman" | "kruskal"), n (participants or answers), left_out (participants
    without every source, within only), statistic (Q or H), dof, p, kendall_w (Friedman only), note (why a
    test could not run, else empty).
    """
    rows = []
    within = is_within(answers)
    complete = complete_participants(answers)
    left_out = answers["participant"].nunique() - complete["participant"].nunique()
    for criterion in rated_criteria(answers):
        row = _friedman(complete, criterion) if within else _kruskal(answers, criterion)
        rows.append({"criterion": criterion, "left_out": left_out if within else 0, **row})
    columns = ["criterion", "test", "n", "left_out", "statistic", "dof", "p", "kendall_w", "note"]
    return pd.DataFrame(rows, columns=columns)


def _friedman(complete: pd.DataFrame, criterion: str) -> dict[str, Any]:
    pg = pingouin()
    means = participant_means(complete, criterion)
    if len(means) < MIN_PAIRED or means.shape[1] < 2:
        return {"test": "friedman", "n": len(means), "note": f"Friedman test {TOO_FEW}."}
    long = means.reset_index().melt(id_vars="participant", value_name="rating")
    result = pg.friedman(long, dv="rating", within="source", subject="participant").iloc[0]
    if not np.isfinite(result["Q"]):
        return {"test": "friedman", "n": len(means),
                "note": "Friedman test: every participant's means are tied across sources: nothing to rank."}
    return {"test": "friedman", "n": len(means), "statistic": result["Q"], "dof": result["ddof1"],
            "p": result["p_unc"], "kendall_w": result["W"], "note": ""}


def _kruskal(answers: pd.DataFrame, criterion: str) -> dict[str, Any]:
    pg = pingouin()
    data = answers.dropna(subset=[RATING_PREFIX + criterion])
    if data["source"].nunique() < 2 or len(data) < 3:
        return {"test": "kruskal", "n": len(data), "note": "Kruskal-Wallis test needs answers for 2+ sources."}
    result = pg.kruskal(data, dv=RATING_PREFIX + criterion, between="source").iloc[0]
    return {"test": "kruskal", "n": len(data), "statistic": result["H"], "dof": result["ddof1"],
            "p": result["p_unc"], "kendall_w": np.nan, "note": ""}


def pairwise(answers: pd.DataFrame) -> pd.DataFrame:
    """Every pair of sources, per criterion: Wilcoxon signed-rank (within) or Mann-Whitney U (between).

    Columns: criterion, source_a, source_b, test, n, statistic (W or U), p_unc, p_holm (Holm
    correction over the pairs of one criterion), p_holm_all (Holm over the whole family: every criterion
    x every pair, for a claim across criteria), rank_biserial (positive: ``source_a`` rated higher
    for Mann-Whitney; the matched-pairs rank-biserial of a - b for Wilcoxon), note.  Wilcoxon p-values
    are pingouin's: SciPy's test with the continuity correction on; Mann-Whitney U likewise. Within a
    within-subject design only participants who rated every source are paired (see :func:`omnibus`).
    """

    rows: list[dict[str, Any]] = []
    within = is_within(answers)
    complete = complete_participants(answers)
    for criterion in rated_criteria(answers):
        start = len(rows)
        means = participant_means(complete, criterion) if within else None
        for a, b in combinations(sorted(answers["source"].unique()), 2):
            pair = _wilcoxon(means, a, b) if means is not None else _mann_whitney(answers, criterion, a, b)
            rows.append({"criterion": criterion, "source_a": a, "source_b": b, **pair})
        _holm(rows[start:], "p_holm")
    _holm(rows, "p_holm_all")
    columns = ["criterion", "source_a", "source_b", "test", "n", "statistic", "p_unc", "p_holm", "p_holm_all",
               "rank_biserial", "note"]
    return pd.DataFrame(rows, columns=columns)


def multiplicity_note(pairs: pd.DataFrame) -> str:
    """One sentence naming both Holm families of a :func:`pairwise` table, for the page and the report."""
    if "p_holm_all" not in pairs or pairs.empty:
        return ""
    per_criterion = int(pairs.groupby("criterion").size().max())
    return (f"Pairwise p-values are Holm-adjusted within each criterion (p_holm, a family of {per_criterion} "
            f"pairs) and over every criterion and pair together (p_holm_all, a family of {len(pairs)} tests).")


def _holm(rows: list[dict[str, Any]], column: str) -> None:
    """Holm-adjusted p-values of the tested ``rows`` (one family) into ``column``."""
    pg = pingouin()
    tested = [r for r in rows if not r["note"]]
    if tested:
        _, corrected = pg.multicomp([r["p_unc"] for r in tested], method="holm")
        for row, p in zip(tested, corrected, strict=True):
            row[column] = float(p)


def _wilcoxon(means: pd.DataFrame, a: str, b: str) -> dict[str, Any]:
    pg = pingouin()
    if len(means) < MIN_PAIRED or a not in means or b not in means:
        return {"test": "wilcoxon", "n": len(means), "note": f"Wilcoxon test {TOO_FEW}."}
    if (means[a] == means[b]).all():
        return {"test": "wilcoxon", "n": len(means), "note": "Every paired difference is zero: nothing to test."}
    result = pg.wilcoxon(means[a], means[b]).iloc[0]
    return {"test": "wilcoxon", "n": len(means), "statistic": result["W_val"], "p_unc": result["p_val"],
            "rank_biserial": result["RBC"], "note": ""}


def _mann_whitney(answers: pd.DataFrame, criterion: str, a: str, b: str) -> dict[str, Any]:
    pg = pingouin()
    column = answers[RATING_PREFIX + criterion]
    x, y = column[answers["source"] == a].dropna(), column[answers["source"] == b].dropna()
    if x.empty or y.empty:
        return {"test": "mannwhitney", "n": len(x) + len(y), "note": "Mann-Whitney test needs answers for both."}
    result = pg.mwu(x, y).iloc[0]
    return {"test": "mannwhitney", "n": len(x) + len(y), "statistic": result["U_val"], "p_unc": result["p_val"],
            "rank_biserial": result["RBC"], "note": ""}


def agreement(answers: pd.DataFrame) -> pd.DataFrame:
    """Inter-rater agreement per criterion: Krippendorff's alpha, ordinal, participants x clips.

    Columns: criterion, alpha, n_raters, n_units (clips rated by at least two participants), note (why alpha is
    missing, else empty).
    """
    import krippendorff

    rows = []
    for criterion in rated_criteria(answers):
        matrix = answers.pivot_table(
            index="participant", columns="clip", values=RATING_PREFIX + criterion, aggfunc="mean"
        )
        matrix = matrix.loc[:, matrix.notna().sum() >= 2]
        alpha, note = np.nan, ""
        if matrix.shape[1] < 2:
            note = "Krippendorff's alpha needs two clips each rated by two participants or more."
        elif np.unique(matrix.to_numpy()[~np.isnan(matrix.to_numpy())]).size < 2:
            note = "Krippendorff's alpha is undefined: every rating is the same."
        else:
            alpha = krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float), level_of_measurement="ordinal")
        rows.append({"criterion": criterion, "alpha": float(alpha), "n_raters": matrix.shape[0],
                     "n_units": matrix.shape[1], "note": note})
    return pd.DataFrame(rows, columns=["criterion", "alpha", "n_raters", "n_units", "note"])


def human_guesses(answers: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """Per source, the share of "human" guesses, its Wilson CI, and a two-sided binomial test against 0.5.

    Columns: source, human_source, n, n_human, share_human, ci_low, ci_high, p_binom, then
    cluster_ci_low, cluster_ci_high: the share's BCa interval resampling participants with all their
    guesses. The Wilson interval and binomial test treat every guess as independent; when one person
    guesses several clips of a source, read the cluster interval.
    """
    rows = []
    guessed = answers.dropna(subset=["guess"])
    for source, group in guessed.groupby("source", sort=True):
        k, n = int((group["guess"] == "human").sum()), len(group)
        test = sps.binomtest(k, n, 0.5)
        ci = test.proportion_ci(confidence_level=confidence, method="wilson")
        rows.append(
            {
                "source": source,
                "human_source": bool(group["human_source"].iloc[0]),
                "n": n,
                "n_human": k,
                "share_human": k / n,
                "ci_low": ci.low,
                "ci_high": ci.high,
                "p_binom": test.pvalue,
                **dict(zip(("cluster_ci_low", "cluster_ci_high"), _guess_cluster_ci(group, confidence), strict=True)),
            }
        )
    columns = ["source", "human_source", "n", "n_human", "share_human", "ci_low", "ci_high", "p_binom",
               "cluster_ci_low", "cluster_ci_high"]
    return pd.DataFrame(rows, columns=columns)


def _guess_cluster_ci(group: pd.DataFrame, confidence: float) -> tuple[float, float]:
    """The human-guess share's interval over participants (NaN for guesses without participant ids)."""
    if "participant" not in group:
        return np.nan, np.nan
    return _cluster_ci(group.assign(rating=(group["guess"] == "human").astype(float)), 2000, confidence, 0)


def detection(answers: pd.DataFrame, *, confidence: float = 0.95) -> pd.DataFrame:
    """How well listeners tell each computer source from the human one(s): d' with a confidence interval.

    Signal = clips of the computer source, noise = clips of the human source(s), a "computer"
    guess = "yes".  Rates use the log-linear correction (Hautus 1995): (count + 0.5) / (n + 1),
    so d' stays finite with perfect rates.  d' = z(H) - z(F); its variance is the Gourevitch &
    Galanter (1967) approximation H(1-H) / (N_s phi(z(H))^2) + F(1-F) / (N_n phi(z(F))^2)
    (Macmillan & Creelman 2005, ch. 13).  d' = 0: indistinguishable from human music.

    Columns: source, n_signal, hits, n_noise, false_alarms, hit_rate, fa_rate, d_prime, se, ci_low, ci_high.
    """
    guessed = answers.dropna(subset=["guess"])
    noise = guessed[guessed["human_source"].astype(bool)]
    n_noise, false_alarms = len(noise), int((noise["guess"] == "computer").sum())
    z_crit = sps.norm.ppf(0.5 + confidence / 2)
    rows = []
    for source, signal in guessed[~guessed["human_source"].astype(bool)].groupby("source", sort=True):
        if n_noise == 0:
            break
        hits, n_signal = int((signal["guess"] == "computer").sum()), len(signal)
        h, f, d, se = _d_prime(hits, n_signal, false_alarms, n_noise)
        rows.append({"source": source, "n_signal": n_signal, "hits": hits, "n_noise": n_noise,
                     "false_alarms": false_alarms, "hit_rate": h, "fa_rate": f, "d_prime": d, "se": se,
                     "ci_low": d - z_crit * se, "ci_high": d + z_crit * se})
    return pd.DataFrame(rows, columns=DETECTION_COLUMNS)


DETECTION_COLUMNS = ["source", "n_signal", "hits", "n_noise", "false_alarms", "hit_rate", "fa_rate", "d_prime",
                     "se", "ci_low", "ci_high"]


def _d_prime(hits: int, n_signal: int, false_alarms: int, n_noise: int) -> tuple[float, float, float, float]:
    """(hit rate, false-alarm rate, d', its standard error), with the corrections :func:`detection` names."""
    h, f = (hits + 0.5) / (n_signal + 1), (false_alarms + 0.5) / (n_noise + 1)
    zh, zf = sps.norm.ppf(h), sps.norm.ppf(f)
    se = float(np.sqrt(h * (1 - h) / (n_signal * sps.norm.pdf(zh) ** 2)
                       + f * (1 - f) / (n_noise * sps.norm.pdf(zf) ** 2)))
    return h, f, float(zh - zf), se


def split_ratings(answers: pd.DataFrame, by: str) -> pd.DataFrame:
    """Ratings per source and criterion, split by ``by`` ("guess_correct" or "knows_piece").

    Columns: source, criterion, <by>, n, mean, median.  Shows, e.g., whether clips taken for
    human are rated higher, and whether knowing the piece inflates the originals' ratings.
    """
    if by not in ("guess_correct", "knows_piece"):
        raise ValueError("by must be 'guess_correct' or 'knows_piece'")
    data = long_ratings(answers).dropna(subset=[by])
    grouped = data.groupby(["source", "criterion", by], sort=True)["rating"]
    table = grouped.agg(n="count", mean="mean", median="median").reset_index()
    return table.astype({by: bool})


def summary_tables(answers: pd.DataFrame, *, mixed: bool = True) -> dict[str, pd.DataFrame]:
    """Every table above, by name, in the order a researcher should read them.

    With ``mixed`` the headline comes first: the crossed mixed models of ``survey.analysis.inference.headline``
    (participants and clips random; ``headline``, ``headline_means``, ``headline_model``, ``ordinal_mixed``),
    then their clip-aware companion ``min_f`` (``survey.analysis.inference.clipaware``), the descriptives, and only
    then the
    participant-means tests, which treat the clips as fixed (``omnibus_participant_means``,
    ``pairwise_participant_means``; see :func:`fixed_clips_warning`).  A table whose computation fails on these
    answers becomes a one-row table whose ``note`` says why, so one impossible test never hides the others.
    Below ``MIN_PARTICIPANTS`` no test is run: one ``inference`` table says so, and the descriptives follow.
    """
    from survey.analysis.inference.clipaware import min_f_table
    from survey.analysis.inference.headline import headline_tables, too_few

    descriptive: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
        "describe": describe,
        "agreement": agreement,
        "human_guesses": human_guesses,
        "detection": detection,
        "by_guess_correct": lambda a: split_ratings(a, "guess_correct"),
        "by_knows_piece": lambda a: split_ratings(a, "knows_piece"),
    }
    tests: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
        "omnibus_participant_means": omnibus,
        "pairwise_participant_means": pairwise,
    }
    tables: dict[str, pd.DataFrame] = {}
    if why := too_few(answers):
        tables["inference"] = pd.DataFrame({"note": [why]})
        tests = {}
    elif mixed:
        tables.update(headline_tables(answers))
    if tests:
        tables["min_f"] = _guarded("min_f", min_f_table, answers)
    tables["describe"] = _guarded("describe", describe, answers)
    tables.update({name: _guarded(name, build, answers) for name, build in tests.items()})
    tables.update({name: _guarded(name, build, answers) for name, build in descriptive.items() if name != "describe"})
    return tables


def fixed_clips_warning(tables: dict[str, pd.DataFrame]) -> str:
    """The sentence that goes above the participant-means tests, or "" when the clips are known not to vary.

    Those tests average each participant's clips of a source, so the clips drawn stand for the whole source: with
    clip variance above zero they find differences that are not there (``bench/validity.py``)."""
    model = tables.get("headline_model")
    if model is None or "clip_var" not in model:
        return ("The participant-means tests treat the clips as fixed: with few clips per source their p-values are "
                "too small whenever clips differ; read them only beside the headline model.")
    varied = model.loc[model["clip_var"].fillna(0) > 0, "criterion"].tolist()
    if not varied:
        return ""
    return (f"The clip variance is estimated above zero for {', '.join(varied)}: the participant-means tests treat "
            "the clips as fixed, so their p-values are too small there; the headline model is the one to report.")


def _guarded(name: str, build: Callable[[pd.DataFrame], pd.DataFrame], answers: pd.DataFrame) -> pd.DataFrame:
    """The table, or a one-row ``note`` table in words a researcher reads (never an exception's text)."""
    try:
        return build(answers)
    except (ValueError, ArithmeticError, KeyError, IndexError, np.linalg.LinAlgError):
        n = answers["participant"].nunique()
        sentence = (f"The {name.replace('_', ' ')} table cannot be computed from these answers ({n} participant(s), "
                    f"{len(answers)} answers): too few, or ratings that do not vary.")
        return pd.DataFrame({"note": [sentence]})
