"""Composing a study definition from the Studio's choices: POP909 songs, model outputs, uploaded files.

The Studio collects plain choices; this module turns them into the same mapping a study file holds and
validates it with ``parse_study_dict``, so a study made in the browser and one written by hand obey the
same rules (and a bad choice fails with the same one-sentence ``StudyFileError``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.design.studyfile import StudyDefinition, parse_study_dict

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
    """Validate ``plan`` as a study definition; raises ``StudyFileError`` naming the field at fault."""
    return parse_study_dict(plan_to_dict(plan), source=f"study {plan.slug or '(unnamed)'}")
