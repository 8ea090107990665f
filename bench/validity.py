"""Do the Results page's verdicts hold?  Null and alternative studies of a study file's design, by simulation.

Usage::

    python bench/validity.py [--study assets/demo_study.yaml] [--participants 24] [--studies 300]
                             [--clips-per-source 4] [--participant-sd 0.8] [--clip-sd 0.4] [--residual-sd 1.0]
                             [--effect 0.5] [--ordinal] [--headline-only] [--seed 0]

Each simulated study (``survey.analysis.inference.simulate``) has the file's sources, clip pools and clips heard per
source; ratings vary by participant, clip and answer around equal source means (null) or with the first source
``--effect`` points higher (alternative), rounded to the scale.  Every study goes through the page's own
functions: the headline crossed mixed model (``survey.analysis.inference.headline``), min F' (``clipaware``), and the
old
participant-means tests (``survey.analysis.stats.pairwise``: Wilcoxon + Holm; ``omnibus``: Friedman; ``describe``: the
participant bootstrap).  Printed per test, each with its Monte-Carlo standard error (studies as the unit):

- type-I per contrast: the share of null contrasts called significant at 5%, uncorrected (for the omnibus
  tests, the share of null studies);
- family-wise: the share of null studies with any pair significant after Holm;
- CI coverage: the share of 95% intervals (a source's mean, or a difference) that hold the true value;
- power: the share of the shifted source's pairs significant after Holm, over the alternative studies.

A rate within 4-6% (type-I), at most 5% (family-wise) and 93-97% (coverage) is what a verdict needs.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from survey.analysis import stats
from survey.analysis.inference.clipaware import min_f_table
from survey.analysis.inference.headline import fit_studies
from survey.analysis.inference.simulate import StudyDesign, design_of_study, simulate_answers, true_means
from survey.design.studyfile import load_study_file

ROOT = Path(__file__).resolve().parents[1]

ALPHA = 0.05


def rate(values: list[float]) -> tuple[float, float]:
    """Mean of per-study values and its Monte-Carlo standard error (studies are independent; contrasts not)."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if not len(array):
        return np.nan, np.nan
    return float(array.mean()), float(array.std(ddof=1) / np.sqrt(len(array))) if len(array) > 1 else np.nan


def shown(pair: tuple[float, float]) -> str:
    value, se = pair
    return "-" if not np.isfinite(value) else f"{value:.3f} ± {se:.3f}"


def studies_of(design: StudyDesign, participants: int, count: int, seed: int) -> list[pd.DataFrame]:
    rng = np.random.default_rng(seed)
    return [simulate_answers(design, participants, rng) for _ in range(count)]


def per_study(table: pd.DataFrame, n: int, measure: Callable[[pd.DataFrame], float]) -> list[float]:
    groups = dict(list(table.groupby("study")))
    return [measure(groups[str(i)]) if str(i) in groups else np.nan for i in range(n)]


def covers(table: pd.DataFrame, truth: Callable[[pd.Series], float]) -> float:
    hits = [(row.ci_low <= truth(row) <= row.ci_high) for row in table.itertuples()]
    return float(np.mean(hits)) if hits else np.nan


def headline_rows(null: dict[str, pd.DataFrame], alt: dict[str, pd.DataFrame], n: int, design: StudyDesign,
                  shifted: str, label: str) -> dict[str, str]:
    """Type-I per contrast uncorrected (each test at its nominal 5%), family-wise and power after Holm."""
    name = "headline" if label.startswith("headline") else "ordinal_mixed"
    pairs, pairs_alt = null[name], alt[name]
    row = {"test": label,
           "type-I/contrast": shown(rate(per_study(pairs, n, lambda t: float((t["p_unc"] < ALPHA).mean())))),
           "family-wise": shown(rate(per_study(pairs, n, lambda t: float((t["p_holm"] < ALPHA).any())))),
           "power/contrast": shown(rate(per_study(pairs_alt, n, lambda t: _power(t, shifted, "p_holm"))))}
    if label.startswith("headline"):
        truth = true_means(design)
        row["CI coverage"] = (
            f"means {shown(rate(per_study(null['headline_means'], n, lambda t: covers(t, lambda r: truth[r.source]))))}"
            f"; diffs {shown(rate(per_study(pairs, n, lambda t: covers(t, lambda r: 0.0))))}")
    return row


def _power(table: pd.DataFrame, shifted: str, p: str) -> float:
    mine = table[(table["source_a"] == shifted) | (table["source_b"] == shifted)]
    return float((mine[p] < ALPHA).mean()) if len(mine) else np.nan


def old_rows(null: list[pd.DataFrame], alt: list[pd.DataFrame], design: StudyDesign, shifted: str) -> list[dict]:
    """The participant-means tests the page used to lead with, on the same studies."""
    wilcoxon = [stats.pairwise(a) for a in null]
    wilcoxon_alt = [stats.pairwise(a) for a in alt]
    friedman = [stats.omnibus(a)["p"].iloc[0] for a in null]
    truth = true_means(design)
    described = [stats.describe(a, n_resamples=999) for a in null]
    return [
        {"test": "old: Wilcoxon on participant means + Holm",
         "type-I/contrast": shown(rate([float((t["p_unc"] < ALPHA).mean()) for t in wilcoxon])),
         "family-wise": shown(rate([float((t["p_holm"] < ALPHA).any()) for t in wilcoxon])),
         "power/contrast": shown(rate([_power(t, shifted, "p_holm") for t in wilcoxon_alt]))},
        {"test": "old: Friedman (omnibus)", "type-I/contrast": shown(rate([float(p < ALPHA) for p in friedman]))},
        {"test": "old: participant bootstrap CI (chart)",
         "CI coverage": f"means {shown(rate([covers(t, lambda r: truth[r.source]) for t in described]))}"},
    ]


def min_f_rows(null: list[pd.DataFrame], alt: list[pd.DataFrame], shifted: str) -> list[dict]:
    tables = [min_f_table(a) for a in null]
    pairs = [t[t["source_a"] != "all"] for t in tables]
    alt_pairs = [t[t["source_a"] != "all"] for t in (min_f_table(a) for a in alt)]
    return [
        {"test": "companion: min F' pairs (Holm)",
         "type-I/contrast": shown(rate([float((t["p"] < ALPHA).mean()) for t in pairs])),
         "family-wise": shown(rate([float((t["p_holm"] < ALPHA).any()) for t in pairs])),
         "power/contrast": shown(rate([_power(t, shifted, "p_holm") for t in alt_pairs]))},
        {"test": "companion: min F' omnibus",
         "type-I/contrast": shown(rate([float(t.loc[t["source_a"] == "all", "p"].iloc[0] < ALPHA) for t in tables]))},
    ]


def run(design: StudyDesign, participants: int, count: int, effect: float, ordinal: bool, seed: int,
        headline_only: bool = False) -> pd.DataFrame:
    shifted = design.sources[0]
    alternative = replace(design, means={**design.means, shifted: design.means[shifted] + effect})
    null, alt = studies_of(design, participants, count, seed), studies_of(alternative, participants, count, seed + 1)
    fitted = fit_studies(null + alt, ordinal=ordinal)
    null_t = {k: v[v["study"].astype(int) < count] for k, v in fitted.items()}
    alt_t = {k: v[v["study"].astype(int) >= count].assign(study=lambda d: (d["study"].astype(int) - count).astype(str))
             for k, v in fitted.items()}
    rows = [headline_rows(null_t, alt_t, count, design, shifted, "headline: crossed LMM, Satterthwaite, Holm")]
    omnibus = per_study(null_t["headline_model"], count, lambda t: float(t["p"].iloc[0] < ALPHA))
    rows.append({"test": "headline: omnibus F (Satterthwaite)", "type-I/contrast": shown(rate(omnibus))})
    if ordinal:
        rows.append(headline_rows(null_t, alt_t, count, design, shifted, "ordinal: clmm, Wald z, Holm"))
    if not headline_only:
        rows += min_f_rows(null, alt, shifted) + old_rows(null, alt, design, shifted)
    singular = per_study(null_t["headline_model"], count, lambda t: float(t["dropped"].iloc[0] != ""))
    print(f"  null fits that dropped a random term by the rule: {rate(singular)[0]:.0%}")
    columns = ["test", "type-I/contrast", "family-wise", "CI coverage", "power/contrast"]
    return pd.DataFrame(rows, columns=columns).fillna("")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--study", type=Path, default=ROOT / "assets" / "demo_study.yaml")
    parser.add_argument("--participants", type=int, nargs="+", default=[24])
    parser.add_argument("--studies", type=int, default=300)
    parser.add_argument("--clips-per-source", type=int, help="override the file's pool of clips per source")
    parser.add_argument("--participant-sd", type=float, default=0.8)
    parser.add_argument("--clip-sd", type=float, default=0.4)
    parser.add_argument("--residual-sd", type=float, default=1.0)
    parser.add_argument("--effect", type=float, default=0.5, help="the first source's shift in the alternative")
    parser.add_argument("--ordinal", action="store_true", help="also the clmm (about 2 s a study)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--headline-only", action="store_true",
                        help="skip the companions (SciPy's Wilcoxon permutes exactly below 14 participants: slow)")
    args = parser.parse_args(argv)
    design = design_of_study(load_study_file(args.study), participant_sd=args.participant_sd, clip_sd=args.clip_sd,
                             residual_sd=args.residual_sd)
    if args.clips_per_source:
        design = replace(design, clips_per_source=args.clips_per_source)
    for n in args.participants:
        start = time.perf_counter()
        print(f"\n{len(design.means)} sources, {design.clips_per_source} clips per source, {design.per_source} heard "
              f"per source, {n} participants; SD participant {design.participant_sd}, clip {design.clip_sd}, "
              f"residual {design.residual_sd}; {args.studies} null + {args.studies} alternative studies "
              f"(first source +{args.effect}); ± = Monte-Carlo SE")
        table = run(design, n, args.studies, args.effect, args.ordinal, args.seed, args.headline_only)
        with pd.option_context("display.width", 200, "display.max_colwidth", 60):
            print(table.to_string(index=False))
        print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
