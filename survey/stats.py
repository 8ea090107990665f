"""Statistics of a listening study, each as a tidy DataFrame (one row per test or cell).

All functions take the answers frame of ``survey.export.answers_frame`` (one row per answer,
``rating_<criterion>`` columns) and use the field's libraries: SciPy (bootstrap, binomial test),
pingouin (Friedman, Kruskal-Wallis, Wilcoxon, Mann-Whitney U, Holm), krippendorff (alpha) and
statsmodels (mixed-effects model).  Columns are documented per function.

Design: a study is *within-subject* for a criterion when every participant rated every source
(the normal case here: clips per participant is a multiple of the sources).  Then each
participant's ratings are averaged per source and compared with the Friedman test and paired
Wilcoxon signed-rank tests; otherwise Kruskal-Wallis and Mann-Whitney U on single answers.

Exclusions are explicit: call ``apply_exclusions`` first, and report how many were dropped.
"""

from __future__ import annotations

import warnings
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

from survey.export import RATING_PREFIX, criteria_columns


def apply_exclusions(
    answers: pd.DataFrame, *, headphone: bool = True, attention: bool = True, unfinished: bool = False
) -> pd.DataFrame:
    """Drop answers of participants who failed the headphone check / an attention check / did not finish.

    A missing check result (the study had none) never excludes anyone.
    """
    keep = pd.Series(True, index=answers.index)
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
    """Per source and criterion: n, mean, median, sd and a bootstrap CI of the mean.

    Columns: source, criterion, n, mean, median, sd, ci_low, ci_high.  The CI is
    ``scipy.stats.bootstrap`` (BCa, ``n_resamples`` resamples, ``rng=seed``) over answers; NaN if n < 2.
    """
    rows = []
    for (source, criterion), group in long_ratings(answers).groupby(["source", "criterion"], sort=True):
        values = group["rating"].to_numpy()
        low = high = np.nan
        if len(values) >= 2 and np.ptp(values) > 0:
            ci = sps.bootstrap(
                (values,),
                np.mean,
                n_resamples=n_resamples,
                confidence_level=confidence,
                method="BCa",
                rng=np.random.default_rng(seed),
            ).confidence_interval
            low, high = float(ci.low), float(ci.high)
        elif len(values) >= 2:
            low = high = float(values[0])
        rows.append(
            {
                "source": source,
                "criterion": criterion,
                "n": len(values),
                "mean": float(values.mean()),
                "median": float(np.median(values)),
                "sd": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows, columns=["source", "criterion", "n", "mean", "median", "sd", "ci_low", "ci_high"])


def participant_means(answers: pd.DataFrame, criterion: str) -> pd.DataFrame:
    """Each participant's mean rating per source (rows: participants who rated every source)."""
    table = answers.pivot_table(index="participant", columns="source", values=RATING_PREFIX + criterion, aggfunc="mean")
    return table.dropna()


def is_within(answers: pd.DataFrame) -> bool:
    """True when every participant rated every source (so paired tests apply)."""
    n_sources = answers["source"].nunique()
    return bool((answers.groupby("participant")["source"].nunique() == n_sources).all())


def omnibus(answers: pd.DataFrame) -> pd.DataFrame:
    """Does any source differ?  Friedman (within-subject) or Kruskal-Wallis (between), per criterion.

    Columns: criterion, test ("friedman" | "kruskal"), n (participants or answers), statistic
    (Q or H), dof, p, kendall_w (Friedman only: Kendall's coefficient of concordance).
    """
    import pingouin as pg

    rows = []
    within = is_within(answers)
    for criterion in criteria_columns(answers):
        if within:
            means = participant_means(answers, criterion).reset_index().melt(id_vars="participant", value_name="rating")
            result = pg.friedman(means, dv="rating", within="source", subject="participant").iloc[0]
            rows.append(
                {
                    "criterion": criterion,
                    "test": "friedman",
                    "n": means["participant"].nunique(),
                    "statistic": result["Q"],
                    "dof": result["ddof1"],
                    "p": result["p_unc"],
                    "kendall_w": result["W"],
                }
            )
        else:
            data = answers.dropna(subset=[RATING_PREFIX + criterion])
            result = pg.kruskal(data, dv=RATING_PREFIX + criterion, between="source").iloc[0]
            rows.append(
                {
                    "criterion": criterion,
                    "test": "kruskal",
                    "n": len(data),
                    "statistic": result["H"],
                    "dof": result["ddof1"],
                    "p": result["p_unc"],
                    "kendall_w": np.nan,
                }
            )
    return pd.DataFrame(rows, columns=["criterion", "test", "n", "statistic", "dof", "p", "kendall_w"])


def pairwise(answers: pd.DataFrame) -> pd.DataFrame:
    """Every pair of sources, per criterion: Wilcoxon signed-rank (within) or Mann-Whitney U (between).

    Columns: criterion, source_a, source_b, test, n, statistic (W or U), p_unc, p_holm (Holm
    correction over the pairs of one criterion), rank_biserial (positive: ``source_a`` rated higher
    for Mann-Whitney; the matched-pairs rank-biserial of a - b for Wilcoxon).  Wilcoxon p-values
    are pingouin's: SciPy's test with the continuity correction on; Mann-Whitney U likewise.
    """
    import pingouin as pg

    rows: list[dict[str, Any]] = []
    within = is_within(answers)
    for criterion in criteria_columns(answers):
        start = len(rows)
        means = participant_means(answers, criterion) if within else None
        for a, b in combinations(sorted(answers["source"].unique()), 2):
            if means is not None:
                result = pg.wilcoxon(means[a], means[b]).iloc[0]
                test, n, statistic = "wilcoxon", len(means), result["W_val"]
            else:
                column = answers[RATING_PREFIX + criterion]
                x, y = column[answers["source"] == a].dropna(), column[answers["source"] == b].dropna()
                result = pg.mwu(x, y).iloc[0]
                test, n, statistic = "mannwhitney", len(x) + len(y), result["U_val"]
            rows.append(
                {
                    "criterion": criterion,
                    "source_a": a,
                    "source_b": b,
                    "test": test,
                    "n": n,
                    "statistic": statistic,
                    "p_unc": result["p_val"],
                    "rank_biserial": result["RBC"],
                }
            )
        if len(rows) > start:
            _, corrected = pg.multicomp([r["p_unc"] for r in rows[start:]], method="holm")
            for row, p in zip(rows[start:], corrected, strict=True):
                row["p_holm"] = float(p)
    columns = ["criterion", "source_a", "source_b", "test", "n", "statistic", "p_unc", "p_holm", "rank_biserial"]
    return pd.DataFrame(rows, columns=columns)


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

    Columns: source, human_source, n, n_human, share_human, ci_low, ci_high, p_binom.
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
            }
        )
    columns = ["source", "human_source", "n", "n_human", "share_human", "ci_low", "ci_high", "p_binom"]
    return pd.DataFrame(rows, columns=columns)


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
        h, f = (hits + 0.5) / (n_signal + 1), (false_alarms + 0.5) / (n_noise + 1)
        zh, zf = sps.norm.ppf(h), sps.norm.ppf(f)
        se = float(
            np.sqrt(h * (1 - h) / (n_signal * sps.norm.pdf(zh) ** 2) + f * (1 - f) / (n_noise * sps.norm.pdf(zf) ** 2))
        )
        d = float(zh - zf)
        rows.append(
            {
                "source": source,
                "n_signal": n_signal,
                "hits": hits,
                "n_noise": n_noise,
                "false_alarms": false_alarms,
                "hit_rate": h,
                "fa_rate": f,
                "d_prime": d,
                "se": se,
                "ci_low": d - z_crit * se,
                "ci_high": d + z_crit * se,
            }
        )
    columns = [
        "source",
        "n_signal",
        "hits",
        "n_noise",
        "false_alarms",
        "hit_rate",
        "fa_rate",
        "d_prime",
        "se",
        "ci_low",
        "ci_high",
    ]
    return pd.DataFrame(rows, columns=columns)


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
    "clip var", "residual var"), estimate, se, z, p, ci_low, ci_high (95 %), n_obs, converged.
    """
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    sources = sorted(answers["source"].unique())
    humans = sorted(answers.loc[answers["human_source"].astype(bool), "source"].unique())
    ref = reference or (humans[0] if humans else sources[0])
    rows = []
    for criterion in criteria_columns(answers):
        data = answers.dropna(subset=[RATING_PREFIX + criterion]).assign(
            rating=lambda d, c=criterion: d[RATING_PREFIX + c].astype(float), one=1
        )
        model = smf.mixedlm(
            f"rating ~ C(source, Treatment(reference={ref!r}))",
            data,
            groups="one",
            re_formula="0",
            vc_formula={"participant": "0 + C(participant)", "clip": "0 + C(clip)"},
        )
        with warnings.catch_warnings():
            # A variance at the boundary (zero) is a legitimate estimate, reported as such in the table.
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit = model.fit(reml=True, method=["lbfgs", "powell"])
        rows += _mixed_rows(criterion, fit, ref, len(data))
    return pd.DataFrame(
        rows, columns=["criterion", "term", "estimate", "se", "z", "p", "ci_low", "ci_high", "n_obs", "converged"]
    )


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
    """Every table above, by name, for the app's results page and ``python -m survey stats``."""
    tables = {
        "describe": describe(answers),
        "omnibus": omnibus(answers),
        "pairwise": pairwise(answers),
        "agreement": agreement(answers),
        "human_guesses": human_guesses(answers),
        "detection": detection(answers),
        "by_guess_correct": split_ratings(answers, "guess_correct"),
        "by_knows_piece": split_ratings(answers, "knows_piece"),
    }
    if mixed:
        tables["mixed_models"] = mixed_models(answers)
    return tables
