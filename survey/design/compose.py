"""Composing a study definition from the Studio's choices: POP909 songs, model outputs, uploaded files.

The Studio collects plain choices; this module turns them into the same mapping a study file holds and
validates it with ``parse_study_dict``, so a study made in the browser and one written by hand obey the
same rules (and a bad choice fails with the same one-sentence ``StudyFileError``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.design.studyfile import MAX_SLUG, SLUG, StudyDefinition, parse_study_dict
from survey.errors import PlanRefused, StudyFileError

DEFAULT_CONSENT = (
    "You will hear short excerpts of music and rate each one. Some were composed by people, some by computer "
    "programs; you will not be told which. Taking part is voluntary and you may stop at any time. Your anonymous "
    "answers may be analysed and published."
)


MATCHED_PRESENTATION: dict[str, Any] = {"tempo": "group", "velocity": 80, "content": "full", "instrument": 0}
"""The Studio's default presentation: every source at its group song's tempo, one velocity, one piano."""


@dataclass(frozen=True)
class SourcePlan:
    """One source of a new study: a key, a label (never shown to participants) and its clip references.

    ``clips`` holds study-file clip mappings without keys, e.g. ``{"midi": "pop909:001/001.mid"}`` or
    ``{"generate": {"model": "default", "primer": "001", "seed": 3}}``.
    """

    key: str
    label: str
    clips: tuple[dict[str, Any], ...]
    human: bool = False


@dataclass(frozen=True)
class StudyPlan:
    """Everything the Studio asks for a new study (seconds are excerpt lengths)."""

    slug: str
    title: str
    sources: tuple[SourcePlan, ...]
    clips_per_source: int = 2
    seconds: float = 20.0
    headphone_check: bool = True
    attention_check: bool = True
    consent: str = DEFAULT_CONSENT
    extra: dict[str, Any] = field(default_factory=dict)
    presentation: dict[str, Any] = field(default_factory=lambda: dict(MATCHED_PRESENTATION))


def pop909_source(songs: Sequence[str], start: float = 10.0) -> SourcePlan:
    """The human reference: the POP909 songs, each from ``start`` seconds."""
    clips = tuple({"midi": f"pop909:{s}/{s}.mid", "group": s, "start": start} for s in songs)
    return SourcePlan("original", "POP909 original", clips, human=True)


def model_source(model: str, primers: Sequence[str], per_primer: int = 1) -> SourcePlan:
    """``per_primer`` pieces of model folder ``model`` for each POP909 primer song (seeds 1, 2, ...)."""
    clips = tuple(
        {"generate": {"model": model, "primer": p, "seed": seed, "bars": 16}, "group": p}
        for p in primers for seed in range(1, per_primer + 1)
    )
    return SourcePlan(f"model-{model}".lower(), f"Model {model}", clips)


def plan_to_dict(plan: StudyPlan) -> dict[str, Any]:
    """The study-file mapping of ``plan`` (clip keys are ``<source>-<n>``)."""
    sources = [
        {"key": s.key, "label": s.label, "human": s.human,
         "clips": [{"key": f"{s.key}-{i + 1:03d}", **clip} for i, clip in enumerate(s.clips)]}
        for s in plan.sources
    ]
    data: dict[str, Any] = {
        "study": plan.slug, "title": plan.title, "consent": plan.consent, "sources": sources,
        "clips_per_participant": plan.clips_per_source * len(plan.sources),
        "excerpt": {"start": 0.0, "duration": plan.seconds, "fade": 0.5},
        "headphone_check": plan.headphone_check,
        "presentation": dict(plan.presentation),
    }
    if plan.attention_check:
        data["attention_checks"] = [{"key": "attention-1", "after": max(1, data["clips_per_participant"] // 2),
                                     "prompt": "To show that you are reading carefully, please select 2.",
                                     "expected": 2}]
    return data


def compose_study(plan: StudyPlan) -> StudyDefinition:
    """Validate ``plan`` as a study definition; ``PlanRefused`` says in one sentence what to change in the Studio.

    The Studio's own choices are checked first, in the form's order, in the researcher's words; what only the study
    file's rules catch is said in their words, without the file's field names."""
    check_plan(plan)
    try:
        return parse_study_dict(plan_to_dict(plan), source=f"study {plan.slug}")
    except StudyFileError as exc:
        subject = exc.field.rsplit(".", 1)[-1].replace("_", " ")
        raise PlanRefused(f"The study cannot be made as chosen: its {subject} {exc.message.rstrip('.')}.") from exc


def check_plan(plan: StudyPlan) -> None:
    """The short name, the title, then the sources: the first thing the researcher needs to change."""
    slug = plan.slug.strip()
    if not slug:
        raise PlanRefused("Give the study a short name (letters, digits, - and _) for the participants' link.")
    if len(slug) > MAX_SLUG:
        raise PlanRefused(f"The short name has {len(slug)} characters; at most {MAX_SLUG} are allowed.")
    if not SLUG.match(slug):
        raise PlanRefused(f"The short name {slug!r} may use only letters, digits, - and _, starting with a letter or "
                          "digit.")
    if not plan.title.strip():
        raise PlanRefused("Give the study a title: participants see it on every screen.")
    empty = [source.label for source in plan.sources if not source.clips]
    if empty:
        raise PlanRefused(f"{empty[0]} has nothing to play: choose POP909 songs for the models to start from.")
    if len(plan.sources) < 2:
        chosen = f"only {plan.sources[0].label} is chosen" if plan.sources else "nothing is chosen yet"
        raise PlanRefused(f"A comparison needs at least two sources, and {chosen}: add POP909 songs, a model or "
                          "uploaded music.")
    short = next((source for source in plan.sources if len(source.clips) < plan.clips_per_source), None)
    if short is not None:
        raise PlanRefused(f"Each participant hears {plan.clips_per_source} clips per source, but {short.label} has "
                          f"{len(short.clips)}: choose more songs or pieces, or fewer clips per source.")
