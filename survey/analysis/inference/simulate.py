"""Listening studies with a known truth: the design of a real study, ratings drawn from stated variance components.

A rating is ``mean[source] + participant + participant x source + clip + residual``, rounded to a whole number and
clipped to the scale, as a participant's slider gives it.  Each participant hears ``per_source`` distinct clips
drawn from each source's pool of ``clips_per_source``.  The answers come back in the shape of
``survey.analysis.export.answers_frame``, so a simulated study goes through exactly the functions that analyse a real
one
(``bench/validity.py`` checks those functions' error rates this way; ``survey.analysis.power`` plans with it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats as sps

from survey.analysis.export import RATING_PREFIX
from survey.design.studyfile import StudyDefinition


@dataclass(frozen=True)
class StudyDesign:
    """What is simulated: true source means (rating points), variance components as SDs, and the clip layout."""

    means: dict[str, float]
    participant_sd: float = 0.8
    clip_sd: float = 0.4
    residual_sd: float = 1.0
    participant_source_sd: float = 0.0
    clips_per_source: int = 4
    per_source: int = 2
    scale: tuple[int, int] = (1, 7)
    criterion: str = "enjoyment"

    def __post_init__(self) -> None:
        if len(self.means) < 2:
            raise ValueError("A design needs at least two sources to compare.")
        if not 1 <= self.per_source <= self.clips_per_source:
            raise ValueError(f"Each participant hears 1 to {self.clips_per_source} clips of a source "
                             f"(the pool), not {self.per_source}.")

    @property
    def sources(self) -> list[str]:
        return sorted(self.means)

    def null(self, level: float | None = None) -> StudyDesign:
        """The same design with every source at one mean (the middle of the scale by default)."""
        middle = (self.scale[0] + self.scale[1]) / 2 if level is None else level
        return replace(self, means=dict.fromkeys(self.means, middle))


def design_of_study(definition: StudyDefinition, participant_sd: float = 0.8, clip_sd: float = 0.4,
                    residual_sd: float = 1.0) -> StudyDesign:
    """A study file's layout (its sources, clip pools and clips heard per source) under stated components.

    Every source starts at the middle of the scale; pass ``means`` through :func:`dataclasses.replace` for an
    alternative.  The pool is the smallest source's (the one that limits what can be generalised)."""
    sources = [s.key for s in definition.sources]
    scale = definition.criteria[0].scale
    middle = (scale.min + scale.max) / 2
    return StudyDesign(dict.fromkeys(sources, middle), clips_per_source=min(len(s.clips) for s in definition.sources),
                       per_source=max(1, definition.clips_per_participant // len(sources)),
                       scale=(scale.min, scale.max), participant_sd=participant_sd, clip_sd=clip_sd,
                       residual_sd=residual_sd)


def simulate_answers(design: StudyDesign, participants: int, rng: np.random.Generator) -> pd.DataFrame:
    """One simulated study's answers (one row per rating), in the export's columns."""
    sources, k, pool, m = design.sources, len(design.means), design.clips_per_source, design.per_source
    clip_effect = rng.normal(0.0, design.clip_sd, (k, pool))
    picks = np.argsort(rng.random((participants, k, pool)), axis=2)[:, :, :m]
    latent = (np.array([design.means[s] for s in sources])[None, :, None]
              + rng.normal(0.0, design.participant_sd, (participants, 1, 1))
              + rng.normal(0.0, design.participant_source_sd, (participants, k, 1))
              + np.take_along_axis(np.broadcast_to(clip_effect, (participants, k, pool)), picks, axis=2)
              + rng.normal(0.0, design.residual_sd, (participants, k, m)))
    rating = np.clip(np.rint(latent), *design.scale)
    person, source, _ = np.indices((participants, k, m))
    names = np.array(sources, dtype=object)[source.ravel()]
    return pd.DataFrame({
        "participant": person.ravel(), "clip": [f"{s}-{c}" for s, c in zip(names, picks.ravel(), strict=True)],
        "source": names, "human_source": False, "guess": None, "guess_correct": None, "knows_piece": None,
        "headphone_passed": True, "attention_passed": True, "finished": True,
        RATING_PREFIX + design.criterion: rating.ravel(),
    })


def true_means(design: StudyDesign) -> dict[str, float]:
    """Each source's expected rating over people and clips, after rounding and clipping to the scale.

    The latent rating is normal around the source's mean with the summed variance; the expected whole-number
    rating is the sum over scale points of the point times its probability (exact, from the normal CDF)."""
    sd = float(np.sqrt(design.participant_sd**2 + design.participant_source_sd**2 + design.clip_sd**2
                       + design.residual_sd**2))
    low, high = design.scale
    points = np.arange(low, high + 1)
    edges = np.concatenate([[-np.inf], points[:-1] + 0.5, [np.inf]])
    out = {}
    for source, mean in design.means.items():
        probabilities = np.diff(sps.norm.cdf(edges, loc=mean, scale=sd)) if sd > 0 else (points == np.clip(
            np.rint(mean), low, high)).astype(float)
        out[source] = float((points * probabilities).sum())
    return out
