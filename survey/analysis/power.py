"""Power planned before the study, by the headline model: how many participants *and clips per source* it needs.

A design (``survey.analysis.inference.simulate.StudyDesign``) states the source means and the variance components
(participant, participant x source, clip, residual) and the clip layout: each participant hears ``per_source`` of
each source's ``clips_per_source``.  A simulated study is analysed as the Results page analyses a real one: the
crossed mixed model with Satterthwaite degrees of freedom, pairs Holm-corrected
(``survey.analysis.inference.headline``).
Power is the share of simulated studies in which a pair comes out significant; its uncertainty is the binomial
standard error of that share.

Why clips matter (Westfall, Kenny & Judd 2014): the difference between two sources is estimated with variance
about 2 clip_var / clips_per_source + 2 (participant_source_var + residual_var / per_source) / participants, so
more participants shrink only the second term, and its degrees of freedom come from the clips; with few clips
and clip variance, no number of participants reaches the target.  That approximation (:func:`approximate_power`,
noncentral t with Welch-Satterthwaite degrees of freedom and a Bonferroni alpha) finds the bracket and the clips
needed; the simulation then finds the smallest participant count by bisection over whole Williams rows, every
size simulated with the same seed.

The inputs come from a pilot (its headline model: :func:`pilot_designs`; refused below the model's minimum of
participants) or are stated.  No listening platform offers this; power packages (statsmodels' ``TTestPower``)
cover one paired comparison, not crossed participants x clips with a multiplicity correction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from survey.analysis.inference.headline import MIN_PARTICIPANTS, fit_studies, headline_tables
from survey.analysis.inference.simulate import StudyDesign, simulate_answers
from survey.analysis.stats import apply_exclusions

MOST_CLIPS = 64
COLUMNS = ["pair", "difference", "clips_per_source", "participants", "power", "se", "note"]


@dataclass(frozen=True)
class PowerResult:
    """Simulated power of each pair at ``participants``, with its standard error."""

    participants: int
    power: dict[tuple[str, str], float]
    se: dict[tuple[str, str], float]
    simulations: int


def pairs_of(design: StudyDesign) -> list[tuple[str, str]]:
    """Every pair of sources, as the headline table orders them."""
    return list(combinations(design.sources, 2))


def simulate_power(design: StudyDesign, participants: int, simulations: int = 200, seed: int = 0,
                   alpha: float = 0.05) -> PowerResult:
    """Power of every pair at this sample size: ``simulations`` studies through the headline model."""
    rng = np.random.default_rng(seed)
    studies = [simulate_answers(design, participants, rng) for _ in range(simulations)]
    pairs = fit_studies(studies, pairs_only=True)["headline"]
    power, se = {}, {}
    for a, b in pairs_of(design):
        mine = pairs[(pairs["source_a"] == a) & (pairs["source_b"] == b)]
        share = float((mine["p_holm"] < alpha).sum()) / simulations
        power[(a, b)], se[(a, b)] = share, math.sqrt(share * (1 - share) / simulations)
    return PowerResult(participants, power, se, simulations)


ROUNDING_VARIANCE = 1 / 12
"""Whole-number ratings add the variance of rounding (uniform over one scale step) to the residual."""


def approximate_power(design: StudyDesign, pair: tuple[str, str], participants: float, alpha: float = 0.05) -> float:
    """The headline contrast's approximate power: the bracket of the search, and the clips a target needs.

    The difference of two sources' means has variance a + b, a = 2 clip_var / clips + 2 residual_var /
    (participants x per_source), estimated from the clip means (2 (clips - 1) df, as lmerTest's Satterthwaite df
    come out when the clip variance is kept), and b = 2 participant_source_var / participants (participants - 1
    df); without clip variance it is the paired t-test.  Noncentral t, Bonferroni alpha over the pairs (Holm's
    power is at least that).  It is optimistic where lmerTest keeps a clip variance near zero (smaller df), so
    the simulation, not this, gives the planned size."""
    residual = 2 * (design.residual_sd**2 + ROUNDING_VARIANCE) / (participants * design.per_source)
    clips = 2 * design.clip_sd**2 / design.clips_per_source
    slopes = 2 * design.participant_source_sd**2 / participants
    people_df = max(participants - 1, 1)
    a, a_df = (clips + residual, 2 * (design.clips_per_source - 1)) if design.clip_sd > 0 else (residual, people_df)
    variance = a + slopes
    df = variance**2 / (a**2 / a_df + slopes**2 / people_df)
    level = alpha / max(len(pairs_of(design)), 1)
    critical = stats.t.ppf(1 - level / 2, df)
    shift = abs(design.means[pair[0]] - design.means[pair[1]]) / math.sqrt(variance)
    return float(stats.nct.sf(critical, df, shift) + stats.nct.cdf(-critical, df, shift))


def clips_needed(design: StudyDesign, pair: tuple[str, str], target: float, most: int) -> int | None:
    """The fewest clips per source with which ``most`` participants reach ``target`` (approximately), or None."""
    for clips in range(max(design.clips_per_source, design.per_source), MOST_CLIPS + 1):
        if approximate_power(replace(design, clips_per_source=clips), pair, most) >= target:
            return clips
    return None


def participants_needed(design: StudyDesign, target: float = 0.8, rows: int = 2, most: int = 400,
                        simulations: int = 200, seed: int = 0) -> pd.DataFrame:
    """For every pair, the smallest number of participants (a multiple of ``rows``, the Williams rows) whose
    simulated power reaches ``target``, with the clips per source it assumes (more than the design's when the
    design's pool cannot reach the target).  Columns: :data:`COLUMNS`; participants NaN when even ``most``
    participants and :data:`MOST_CLIPS` clips per source do not reach it."""
    out = []
    for pair in pairs_of(design):
        clips = clips_needed(design, pair, target, most)
        row: dict[str, object] = {"pair": f"{pair[0]} vs {pair[1]}",
                                  "difference": design.means[pair[0]] - design.means[pair[1]],
                                  "clips_per_source": clips or np.nan}
        notes = []
        if clips is None:
            notes.append(f"Not reachable with {most} participants and up to {MOST_CLIPS} clips per source.")
        else:
            if clips > design.clips_per_source:
                notes.append(f"With {design.clips_per_source} clips per source no number of participants reaches "
                             f"{target:.0%}: the plan needs {clips}.")
            found = _bisect(replace(design, clips_per_source=clips), pair, target, rows, most, simulations, seed)
            if found is None:
                notes.append(f"The simulation did not reach {target:.0%} by {most} participants.")
            else:
                row.update(participants=found.participants, power=found.power[pair], se=found.se[pair])
        out.append({**row, "note": " ".join(notes)})
    return pd.DataFrame(out, columns=COLUMNS)


def _bisect(design: StudyDesign, pair: tuple[str, str], target: float, rows: int, most: int, simulations: int,
            seed: int) -> PowerResult | None:
    """Smallest multiple of ``rows`` in [rows, most] whose simulated power reaches ``target`` (same seed at every
    size, so the search sees one stream of studies), started from the approximation's answer."""
    cache: dict[int, PowerResult] = {}
    most -= most % rows

    def power(n: int) -> PowerResult:
        if n not in cache:
            cache[n] = simulate_power(design, n, simulations, seed)
        return cache[n]

    floor_n = max(rows, MIN_PARTICIPANTS + (-MIN_PARTICIPANTS) % rows)
    guess = next((n for n in range(floor_n, most + 1, rows) if approximate_power(design, pair, n) >= target), most)
    high = min(most, guess + (-guess) % rows)
    while power(high).power[pair] < target:
        if high >= most:
            return None
        high = min(most, 2 * high + (-2 * high) % rows)
    low = max(floor_n - rows, high // 2 - (high // 2) % rows)
    while low >= floor_n and power(low).power[pair] >= target:
        high, low = low, max(floor_n - rows, low // 2 - (low // 2) % rows)
    while high - low > rows:
        middle = (low + high) // 2
        middle -= middle % rows
        if middle <= low:
            middle = low + rows
        if power(middle).power[pair] >= target:
            high = middle
        else:
            low = middle
    return power(high)


def design_from_pilot(tables: dict[str, pd.DataFrame], criterion: str, per_source: int,
                      clips_per_source: int) -> StudyDesign:
    """A design with a pilot's headline estimates for one criterion: source means and variance components."""
    means_table, model = tables["headline_means"], tables["headline_model"]
    if "criterion" not in model or criterion not in set(model["criterion"]):
        raise ValueError(f"The pilot has no headline model for '{criterion}'.")
    means = means_table[means_table["criterion"] == criterion].set_index("source")["mean"].astype(float).to_dict()
    row = model.set_index("criterion").loc[criterion]

    def sd(column: str) -> float:
        return math.sqrt(max(float(row[column]) if pd.notna(row[column]) else 0.0, 0.0))

    return StudyDesign(means, participant_sd=sd("participant_var"), clip_sd=sd("clip_var"),
                       residual_sd=max(sd("residual_var"), 1e-3), participant_source_sd=sd("participant_source_var"),
                       clips_per_source=clips_per_source, per_source=per_source, criterion=criterion)


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
                  clips_per_source: int = 4) -> dict[str, StudyDesign]:
    """One design per criterion (or the one named) from a pilot's answers after the default exclusions.

    ``ValueError`` in one sentence when the pilot is too small: below the headline model's minimum of
    participants its variance components are not estimates (one participant has no participant variance)."""
    kept = apply_exclusions(answers)
    n = kept["participant"].nunique() if not kept.empty else 0
    if n < MIN_PARTICIPANTS:
        raise ValueError(f"Study '{study}' has {n} usable participant(s); planning from a pilot needs at least "
                         f"{MIN_PARTICIPANTS}, or state the means and standard deviations instead.")
    tables = headline_tables(kept, ordinal=False)
    if list(tables["headline_model"].columns) == ["note"]:
        raise ValueError(str(tables["headline_model"]["note"].iloc[0]))
    criteria = [criterion] if criterion else sorted(tables["headline_model"]["criterion"].unique())
    return {c: design_from_pilot(tables, c, per_source, clips_per_source) for c in criteria}
