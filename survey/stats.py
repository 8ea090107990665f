"""Statistics of a listening study, each as a tidy DataFrame (one row per test or cell).

All functions take the answers frame of ``survey.export.answers_frame`` (one row per answer,
``rating_<criterion>`` columns) and use the field's libraries: SciPy (bootstrap, binomial test),
pingouin (Friedman, Kruskal-Wallis, Wilcoxon, Mann-Whitney U, Holm), krippendorff (alpha) and
statsmodels (mixed-effects model).  Columns are documented per function.

Design: a study is *within-subject* when participants rate every source (the normal case here: clips
per participant is a multiple of the sources).  Then each complete participant's ratings are averaged
per source and compared with the Friedman test and paired Wilcoxon signed-rank tests; participants who
stopped before hearing every source are left out of those tests and counted (``left_out``).  Only when
no participant rated every source (a between-subject design) are Kruskal-Wallis and Mann-Whitney U run
on single answers.  A test that cannot run (too few participants) says why in its ``note`` column.

Exclusions are explicit: call ``apply_exclusions`` first, and report how many were dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from survey.export import RATING_PREFIX, criteria_columns


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


def long_ratings(answers: pd.DataFrame) -> pd.DataFrame:
    """One row per (answer, criterion): participant, clip, source, criterion, rating, guess_correct, knows_piece."""
    ids = ["participant", "clip", "source", "guess_correct", "knows_piece"]
    melted = answers.melt(
        id_vars=ids,
        value_vars=[RATING_PREFIX + c for c in criteria_columns(answers)],
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
                "ci_method": "cluster bootstrap over participants (BCa)",
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
    for criterion in criteria_columns(answers):
        row = _friedman(complete, criterion) if within else _kruskal(answers, criterion)
        rows.append({"criterion": criterion, "left_out": left_out if within else 0, **row})
    columns = ["criterion", "test", "n", "left_out", "statistic", "dof", "p", "kendall_w", "note"]
    return pd.DataFrame(rows, columns=columns)


def _friedman(complete: pd.DataFrame, criterion: str) -> dict[str, Any]:
    import pingouin as pg

    means = participant_means(complete, criterion)
    if len(means) < MIN_PAIRED or means.shape[1] < 2:
        return {"test": "friedman", "n": len(means), "note": f"Friedman test {TOO_FEW}."}
    long = means.reset_index().melt(id_vars="participant", value_name="rating")
    result = pg.friedman(long, dv="rating", within="source", subject="participant").iloc[0]
    return {"test": "friedman", "n": len(means), "statistic": result["Q"], "dof": result["ddof1"],
            "p": result["p_unc"], "kendall_w": result["W"], "note": ""}


def _kruskal(answers: pd.DataFrame, criterion: str) -> dict[str, Any]:
    import pingouin as pg

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
    for criterion in criteria_columns(answers):
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
    import pingouin as pg

    tested = [r for r in rows if not r["note"]]
    if tested:
        _, corrected = pg.multicomp([r["p_unc"] for r in tested], method="holm")
        for row, p in zip(tested, corrected, strict=True):
            row[column] = float(p)


def _wilcoxon(means: pd.DataFrame, a: str, b: str) -> dict[str, Any]:
    import pingouin as pg

    if len(means) < MIN_PAIRED or a not in means or b not in means:
        return {"test": "wilcoxon", "n": len(means), "note": f"Wilcoxon test {TOO_FEW}."}
    if (means[a] == means[b]).all():
        return {"test": "wilcoxon", "n": len(means), "note": "Every paired difference is zero: nothing to test."}
    result = pg.wilcoxon(means[a], means[b]).iloc[0]
    return {"test": "wilcoxon", "n": len(means), "statistic": result["W_val"], "p_unc": result["p_val"],
            "rank_biserial": result["RBC"], "note": ""}


def _mann_whitney(answers: pd.DataFrame, criterion: str, a: str, b: str) -> dict[str, Any]:
    import pingouin as pg

    column = answers[RATING_PREFIX + criterion]
    x, y = column[answers["source"] == a].dropna(), column[answers["source"] == b].dropna()
    if x.empty or y.empty:
        return {"test": "mannwhitney", "n": len(x) + len(y), "note": "Mann-Whitney test needs answers for both."}
    result = pg.mwu(x, y).iloc[0]
    return {"test": "mannwhitney", "n": len(x) + len(y), "statistic": result["U_val"], "p_unc": result["p_val"],
            "rank_biserial": result["RBC"], "note": ""}


def agreement(answers: pd.DataFrame) -> pd.DataFrame:
    """Inter-rater agreement per criterion: Krippendorff's alpha, ordinal, participants x clips.

    Columns: criterion, alpha, n_raters, n_units (clips rated by at least two participants).
    """
    import krippendorff

    rows = []
    for criterion in criteria_columns(answers):
        matrix = answers.pivot_table(
            index="participant", columns="clip", values=RATING_PREFIX + criterion, aggfunc="mean"
        )
        matrix = matrix.loc[:, matrix.notna().sum() >= 2]
        alpha = np.nan
        if matrix.shape[1] >= 2 and np.unique(matrix.to_numpy()[~np.isnan(matrix.to_numpy())]).size > 1:
            alpha = krippendorff.alpha(reliability_data=matrix.to_numpy(dtype=float), level_of_measurement="ordinal")
        rows.append(
            {"criterion": criterion, "alpha": float(alpha), "n_raters": matrix.shape[0], "n_units": matrix.shape[1]}
        )
    return pd.DataFrame(rows, columns=["criterion", "alpha", "n_raters", "n_units"])


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


def mixed_models(answers: pd.DataFrame, *, reference: str | None = None) -> pd.DataFrame:
    """A linear mixed model per criterion: rating ~ source, random intercepts for participant and clip.

    Participants and clips are crossed random effects (statsmodels ``MixedLM`` with variance
    components over a single group), because ratings by one person, and of one clip, are not
    independent.  ``reference`` is the baseline source (default: the first human source, else the
    first in alphabetical order).

    Columns: criterion, term ("Intercept", or "<source> - <reference>", or "participant var",
    "clip var", "residual var"), estimate, se, z, p, ci_low, ci_high (95 %), n_obs, converged, llf,
    optimizer.  The model is fitted by several optimisers (:data:`OPTIMIZERS`) on rows in a fixed order, and
    the fit with the highest REML log-likelihood is kept: a single optimiser can stop early at a worse
    point and still call itself converged.  ``converged`` is True only when the best fit converged and a
    second optimiser reached the same log-likelihood (within 1e-3), i.e. the optimum is confirmed.
    """
    import statsmodels.formula.api as smf

    sources = sorted(answers["source"].unique())
    humans = sorted(answers.loc[answers["human_source"].astype(bool), "source"].unique())
    ref = reference or (humans[0] if humans else sources[0])
    rows = []
    for criterion in criteria_columns(answers):
        data = answers.dropna(subset=[RATING_PREFIX + criterion]).assign(
            rating=lambda d, c=criterion: d[RATING_PREFIX + c].astype(float), one=1
        )
        data = data.sort_values(["participant", "clip"], kind="stable").reset_index(drop=True)
        model = smf.mixedlm(
            f"rating ~ C(source, Treatment(reference={ref!r}))",
            data,
            groups="one",
            re_formula="0",
            vc_formula={"participant": "0 + C(participant)", "clip": "0 + C(clip)"},
        )
        fit, optimizer, confirmed = best_fit(model)
        rows += [{**row, "converged": bool(fit.converged) and confirmed, "llf": float(fit.llf),
                  "optimizer": optimizer} for row in _mixed_rows(criterion, fit, ref, len(data))]
    return pd.DataFrame(
        rows, columns=["criterion", "term", "estimate", "se", "z", "p", "ci_low", "ci_high", "n_obs", "converged",
                       "llf", "optimizer"]
    )


def ordinal_models(answers: pd.DataFrame, *, reference: str | None = None) -> pd.DataFrame:
    """A cumulative link (proportional-odds, logit) model per criterion: rating ~ source.

    1-7 ratings are ordinal; this model treats them so, beside the linear mixed model, which treats them as
    interval data. statsmodels' ``OrderedModel`` has no random effects, so standard errors are clustered by
    participant. Columns: criterion, term ("<source> - <reference>", a log-odds shift towards higher
    ratings), estimate, se, z, p, ci_low, ci_high, n_obs.
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    sources = sorted(answers["source"].unique())
    humans = sorted(answers.loc[answers["human_source"].astype(bool), "source"].unique())
    ref = reference or (humans[0] if humans else sources[0])
    rows = []
    for criterion in criteria_columns(answers):
        data = answers.dropna(subset=[RATING_PREFIX + criterion]).sort_values(["participant", "clip"], kind="stable")
        exog = pd.get_dummies(data["source"]).drop(columns=ref).astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = OrderedModel(data[RATING_PREFIX + criterion].astype(int), exog, distr="logit").fit(
                method="bfgs", disp=False, maxiter=500, cov_type="cluster",
                cov_kwds={"groups": pd.factorize(data["participant"])[0]})
        ci = fit.conf_int()
        for name in exog.columns:
            rows.append({"criterion": criterion, "term": f"{name} - {ref}", "estimate": float(fit.params[name]),
                         "se": float(fit.bse[name]), "z": float(fit.tvalues[name]), "p": float(fit.pvalues[name]),
                         "ci_low": float(ci.loc[name, 0]), "ci_high": float(ci.loc[name, 1]), "n_obs": len(data)})
    return pd.DataFrame(rows, columns=["criterion", "term", "estimate", "se", "z", "p", "ci_low", "ci_high", "n_obs"])


OPTIMIZERS = ("lbfgs", "powell", "nm", "bfgs", "cg")


def best_fit(model: Any) -> tuple[Any, str, bool]:
    """Fit ``model`` (REML) with each optimiser; the best log-likelihood wins, and is confirmed when a second
    optimiser reaches it too. Returns (fit, optimiser name, confirmed)."""
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    fits = []
    for optimizer in OPTIMIZERS:
        with warnings.catch_warnings():
            # A variance at the boundary (zero) is a legitimate estimate, reported as such in the table.
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                fit = model.fit(reml=True, method=optimizer)
            except (ValueError, np.linalg.LinAlgError):
                continue
        if np.isfinite(fit.llf):
            fits.append((float(fit.llf), optimizer, fit))
    if not fits:
        raise ValueError("no optimiser could fit the mixed model to these answers")
    fits.sort(key=lambda item: -item[0])
    best_llf, optimizer, fit = fits[0]
    confirmed = sum(abs(llf - best_llf) < 1e-3 for llf, _, _ in fits) >= 2
    return fit, optimizer, confirmed


def _mixed_rows(criterion: str, fit: Any, ref: str, n_obs: int) -> list[dict[str, object]]:
    params, bse, pvalues = fit.fe_params, fit.bse_fe, fit.pvalues
    ci = fit.conf_int().loc[params.index]
    rows: list[dict[str, object]] = []
    for name in params.index:
        term = "Intercept" if name == "Intercept" else f"{name.split('[T.')[1].rstrip(']')} - {ref}"
        rows.append(
            {
                "criterion": criterion,
                "term": term,
                "estimate": float(params[name]),
                "se": float(bse[name]),
                "z": float(params[name] / bse[name]),
                "p": float(pvalues[name]),
                "ci_low": float(ci.loc[name, 0]),
                "ci_high": float(ci.loc[name, 1]),
                "n_obs": n_obs,
                "converged": bool(fit.converged),
            }
        )
    for name, value in zip(fit.model.exog_vc.names, fit.vcomp, strict=True):
        rows.append({"criterion": criterion, "term": f"{name} var", "estimate": float(value), "n_obs": n_obs})
    rows.append({"criterion": criterion, "term": "residual var", "estimate": float(fit.scale), "n_obs": n_obs})
    return rows


def summary_tables(answers: pd.DataFrame, *, mixed: bool = True) -> dict[str, pd.DataFrame]:
    """Every table above, by name, for the app's results page and ``python -m survey stats``.

    A table whose computation fails on these answers (too few participants, no variance) becomes a
    one-row table whose ``note`` says so, so one impossible test never hides the others or the downloads.
    """
    builders: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
        "describe": describe,
        "omnibus": omnibus,
        "pairwise": pairwise,
        "agreement": agreement,
        "human_guesses": human_guesses,
        "detection": detection,
        "by_guess_correct": lambda a: split_ratings(a, "guess_correct"),
        "by_knows_piece": lambda a: split_ratings(a, "knows_piece"),
    }
    if mixed:
        builders["mixed_models"] = mixed_models
        builders["ordinal_models"] = ordinal_models
    return {name: _guarded(name, build, answers) for name, build in builders.items()}


def _guarded(name: str, build: Callable[[pd.DataFrame], pd.DataFrame], answers: pd.DataFrame) -> pd.DataFrame:
    try:
        return build(answers)
    except (ValueError, ArithmeticError, KeyError, IndexError, np.linalg.LinAlgError) as exc:
        n = answers["participant"].nunique()
        sentence = f"The {name.replace('_', ' ')} table cannot be computed from {n} participant(s): {exc}"
        return pd.DataFrame({"note": [sentence]})
