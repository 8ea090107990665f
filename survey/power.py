"""Power planned before the study: how many participants the design needs, by simulating it.

A design is the study's: ``k`` sources, each participant rating ``per_source`` clips of every source (drawn
from each source's clip pool), ratings that vary by participant, by clip and by answer (the linear mixed
model's three variance components) around each source's mean. Each simulated study is analysed as the
Results page analyses a real one: per participant and source the mean rating, then a paired test for every
pair of sources (Wilcoxon signed-rank, as ``survey.stats.pairwise``; or a paired t-test) with Holm's
correction over the pairs. Power is the share of simulated studies in which a pair comes out significant;
its own uncertainty is the binomial standard error of that share.

With clip variance, a test on participants' means takes the difference between the few clips drawn for each
source for a difference between sources (the language-as-fixed-effect fallacy, Clark 1973): simulated with no
true difference, 4 clips per source and a clip SD of 0.3 points, it rejects in about 13% of studies, not 5%.
The simulation reproduces this, so its power is that of the analysis Results runs, inflation included; the
mixed model with clips as random effects is the one to read when clip pools are small.

The inputs come from a pilot study (its mixed model per criterion: ``design_from_pilot``) or are stated
(source means in rating points and the three standard deviations). ``participants_needed`` steps through
sample sizes in whole Williams rows, so every row of the order design is used equally.

No listening platform offers this; power analysis packages (statsmodels' ``TTestPower``) cover a single
paired comparison, not crossed participants x clips with a multiplicity correction, hence a simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class Design:
    """What is simulated: source means (rating points), variance components as SDs, and the clip layout."""

    means: dict[str, float]
    participant_sd: float
    clip_sd: float
    residual_sd: float
    per_source: int = 2
    clips_per_source: int = 4
    test: str = "wilcoxon"
    alpha: float = 0.05
    pairs: tuple[tuple[str, str], ...] = field(default=())

    def all_pairs(self) -> tuple[tuple[str, str], ...]:
        """The pairs compared (and corrected together): given, or every pair of sources."""
        return self.pairs or tuple(combinations(sorted(self.means), 2))


@dataclass(frozen=True)
class PowerResult:
    """Simulated power of each pair at ``participants``, with its standard error."""

    participants: int
    power: dict[tuple[str, str], float]
    se: dict[tuple[str, str], float]
    simulations: int


def simulate_power(design: Design, participants: int, simulations: int = 500, seed: int = 0) -> PowerResult:
    """Power of every pair at this sample size, from ``simulations`` simulated studies."""
    rng = np.random.default_rng(seed)
    sources = sorted(design.means)
    index = {s: i for i, s in enumerate(sources)}
    pairs = design.all_pairs()
    hits = np.zeros(len(pairs))
    for _ in range(simulations):
        means = _participant_means(design, participants, sources, rng)
        p_values = np.array([_paired_p(means[:, index[a]], means[:, index[b]], design.test) for a, b in pairs])
        hits += _holm_reject(p_values, design.alpha)
    power = hits / simulations
    return PowerResult(participants, dict(zip(pairs, power.tolist(), strict=True)),
                       {pair: math.sqrt(p * (1 - p) / simulations) for pair, p in zip(pairs, power, strict=True)},
                       simulations)


def _participant_means(design: Design, n: int, sources: list[str], rng: np.random.Generator) -> np.ndarray:
    """Each simulated participant's mean rating of each source (n x k)."""
    k, m = len(sources), design.per_source
    clip_effects = rng.normal(0.0, design.clip_sd, (k, design.clips_per_source))
    person = rng.normal(0.0, design.participant_sd, (n, 1))
    picks = np.argsort(rng.random((n, k, design.clips_per_source)), axis=2)[:, :, :m]  # m distinct clips each
    heard = np.take_along_axis(np.broadcast_to(clip_effects, (n, k, design.clips_per_source)), picks, axis=2)
    noise = rng.normal(0.0, design.residual_sd, (n, k, m))
    base = np.array([design.means[s] for s in sources])
    return base[None, :] + person + (heard + noise).mean(axis=2)


def _paired_p(a: np.ndarray, b: np.ndarray, test: str) -> float:
    if test == "t":
        return float(stats.ttest_rel(a, b).pvalue)
    return float(stats.wilcoxon(a, b, correction=True).pvalue)  # as survey.stats.pairwise


def _holm_reject(p_values: np.ndarray, alpha: float) -> np.ndarray:
    """Holm's step-down rejections (statsmodels' ``multipletests(method='holm')``, without its import cost)."""
    order = np.argsort(p_values)
    reject = np.zeros(len(p_values), dtype=bool)
    for rank, i in enumerate(order):
        if p_values[i] > alpha / (len(p_values) - rank):
            break
        reject[i] = True
    return reject


def participants_needed(design: Design, target: float = 0.8, rows: int = 2, start: int | None = None,
                        most: int = 400, simulations: int = 400, seed: int = 0) -> pd.DataFrame:
    """For every pair, the smallest simulated sample (a multiple of ``rows``, the Williams rows) reaching
    ``target`` power; columns: pair, difference (rating points), participants, power, se. NaN beyond ``most``."""
    pairs = design.all_pairs()
    found: dict[tuple[str, str], tuple[int, float, float]] = {}
    n = start or max(rows, 4)
    n += (-n) % rows
    while n <= most and len(found) < len(pairs):
        result = simulate_power(design, n, simulations, seed + n)
        for pair in pairs:
            if pair not in found and result.power[pair] >= target:
                found[pair] = (n, result.power[pair], result.se[pair])
        n = n + rows if n < 40 else n + max(rows, (n // 5) // rows * rows)
    rows_out = []
    for a, b in pairs:
        size, power, se = found.get((a, b), (math.nan, math.nan, math.nan))
        rows_out.append({"pair": f"{a} vs {b}", "difference": design.means[a] - design.means[b],
                         "participants": size, "power": power, "se": se})
    return pd.DataFrame(rows_out, columns=["pair", "difference", "participants", "power", "se"])


def design_from_pilot(mixed: pd.DataFrame, criterion: str, per_source: int, clips_per_source: int) -> Design:
    """A design with a pilot's estimates: ``survey.stats.mixed_models`` rows of one criterion."""
    rows = mixed[mixed["criterion"] == criterion].set_index("term")["estimate"]
    if "Intercept" not in rows:
        raise ValueError(f"The pilot has no mixed model for '{criterion}'.")
    effects = {term.split(" - ")[0]: float(value) for term, value in rows.items() if " - " in term}
    reference = next(term.split(" - ")[1] for term in rows.index if " - " in term)
    means = {reference: float(rows["Intercept"]), **{s: float(rows["Intercept"]) + e for s, e in effects.items()}}
    return Design(means, math.sqrt(max(float(rows.get("participant var", 0.0)), 0.0)),
                  math.sqrt(max(float(rows.get("clip var", 0.0)), 0.0)),
                  math.sqrt(max(float(rows["residual var"]), 1e-9)), per_source, clips_per_source)


def parse_means(text: str) -> dict[str, float]:
    """Stated source means, written ``original=4.5, lstm=4.0``; ``ValueError`` in one sentence otherwise."""
    try:
        means = {name.strip(): float(value) for name, value in (part.split("=") for part in text.split(","))}
    except ValueError:
        raise ValueError("Write the means as original=4.5, lstm=4.0 (a source, =, a rating).") from None
    if len(means) < 2:
        raise ValueError("Give at least two sources to compare.")
    return means


def pilot_designs(answers: pd.DataFrame, study: str, criterion: str | None = None, per_source: int = 2,
                  clips_per_source: int = 4) -> dict[str, Design]:
    """One design per criterion (or the one named) from a pilot's answers: its mixed models after the default
    exclusions (``survey.stats``). ``ValueError`` when no answer is left to plan from."""
    from survey.stats import apply_exclusions, mixed_models

    kept = apply_exclusions(answers)
    if kept.empty:
        raise ValueError(f"Study '{study}' has no answers to plan from.")
    mixed = mixed_models(kept)
    criteria = [criterion] if criterion else sorted(mixed["criterion"].unique())
    return {c: design_from_pilot(mixed, c, per_source, clips_per_source) for c in criteria}
