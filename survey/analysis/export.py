"""Export a study's answers: a tidy pandas DataFrame, CSV (long format) and JSON.

``answers_frame`` has one row per answer, with the source revealed.  Columns:

=================== ====================================================================
study               study slug
participant         participant number within the study (pseudonymous; never the token)
musical_experience  self-reported, or empty
listening_device    self-reported, or empty
headphone_passed    Huggins-pitch headphone check passed (empty if the study has none)
headphone_score     correct headphone trials (0-6)
attention_passed    all attention checks passed (empty if none, or not all answered)
finished            the participant reached the end
clip                clip key from the study file
clip_id             the opaque id participants saw
source              source key;  ``source_label``: its display name
human_source        the source is human-composed (the reference for d')
group               primer or style group of the clip, or empty
position            1-based position of the clip in the participant's order
rating_<criterion>  one integer column per criterion, on that criterion's scale
guess               "human" or "computer" (empty if not asked)
guess_correct       the guess matches ``human_source``
confidence          confidence in the guess
knows_piece         the participant said they know the piece
heard_fraction      share of the clip played, 0..1
time_spent_s        seconds on the screen
comment             free text, or empty
submitted_at        ISO 8601 UTC timestamp
=================== ====================================================================
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.clips.sources import stored_excerpt
from survey.design.study import get_study, study_definition
from survey.store.schema import Answer, Assignment, Clip, Participant, Rating, Source

RATING_PREFIX = "rating_"


def answers_frame(session: Session, slug: str) -> pd.DataFrame:
    """Every stored answer of the study, one row each (see the module docstring for columns)."""
    study = get_study(session, slug)
    criteria = [c.key for c in study_definition(study).criteria]
    query = (
        select(Answer, Participant, Clip, Source, Assignment.position)
        .join(Participant, Participant.id == Answer.participant_id)
        .join(Clip, Clip.id == Answer.clip_id)
        .join(Source, Source.id == Clip.source_id)
        .join(
            Assignment,
            (Assignment.participant_id == Answer.participant_id) & (Assignment.clip_id == Answer.clip_id),
        )
        .where(Participant.study_id == study.id)
        .order_by(Participant.sequence, Assignment.position)
    )
    rows = [_row(slug, *row) for row in session.execute(query).all()]
    ratings = _ratings(session, study.id)
    for row in rows:
        values = ratings.get(row.pop("_answer_id"), {})
        row.update({f"{RATING_PREFIX}{c}": values.get(c) for c in criteria})
    captured = [f"{URL_PREFIX}{name}" for name in study_definition(study).recruitment.capture]
    columns = _COLUMNS[:15] + [f"{RATING_PREFIX}{c}" for c in criteria] + _COLUMNS[15:] + captured
    return pd.DataFrame(rows, columns=columns)


_COLUMNS = [
    "study",
    "participant",
    "musical_experience",
    "listening_device",
    "headphone_passed",
    "headphone_score",
    "attention_passed",
    "finished",
    "clip",
    "clip_id",
    "source",
    "source_label",
    "human_source",
    "group",
    "position",
    "guess",
    "guess_correct",
    "confidence",
    "knows_piece",
    "heard_fraction",
    "time_spent_s",
    "comment",
    "submitted_at",
    "served_for_s",
    "answered_early",
    "panel_id",
]
URL_PREFIX = "url_"
"""Columns of the URL parameters the study captures (``recruitment.capture``), e.g. ``url_PROLIFIC_PID``."""

EARLY_TOLERANCE_S = 0.5
"""Clock slack: an answer counts as early when it came more than this before the clip could have ended."""


def _row(
    slug: str, answer: Answer, participant: Participant, clip: Clip, source: Source, position: int
) -> dict[str, Any]:
    guess_correct = None if answer.guess is None else (answer.guess == "human") == source.human
    return {
        "study": slug,
        "participant": participant.sequence,
        "musical_experience": participant.musical_experience,
        "listening_device": participant.listening_device,
        "headphone_passed": participant.headphone_passed,
        "headphone_score": participant.headphone_score,
        "attention_passed": participant.attention_passed,
        "finished": participant.finished_at is not None,
        "clip": clip.key,
        "clip_id": clip.public_id,
        "source": source.key,
        "source_label": source.label,
        "human_source": source.human,
        "group": clip.group,
        "position": position + 1,
        "guess": answer.guess,
        "guess_correct": guess_correct,
        "confidence": answer.confidence,
        "knows_piece": answer.knows_piece,
        "heard_fraction": answer.heard_fraction,
        "time_spent_s": answer.time_spent_s,
        "comment": answer.comment,
        "submitted_at": answer.submitted_at.isoformat(),
        "served_for_s": answer.served_for_s,
        "answered_early": answered_early(answer.served_for_s, clip),
        "panel_id": participant.panel_id,
        **{f"{URL_PREFIX}{name}": value for name, value in (participant.captured or {}).items()},
        "_answer_id": answer.id,
    }


def answered_early(served_for_s: float | None, clip: Clip) -> bool | None:
    """True when the answer came sooner after serving than the clip lasts: it cannot follow a full listen.

    None when the serving time is unknown (answers stored before it was recorded, or sent without a screen).
    """
    if served_for_s is None:
        return None
    return served_for_s < stored_excerpt(clip.spec).duration - EARLY_TOLERANCE_S


def _ratings(session: Session, study_id: int) -> dict[int, dict[str, int]]:
    query = (
        select(Rating.answer_id, Rating.criterion, Rating.value)
        .join(Answer, Answer.id == Rating.answer_id)
        .join(Participant, Participant.id == Answer.participant_id)
        .where(Participant.study_id == study_id)
    )
    out: dict[int, dict[str, int]] = {}
    for answer_id, criterion, value in session.execute(query).all():
        out.setdefault(answer_id, {})[criterion] = value
    return out


def criteria_columns(frame: pd.DataFrame) -> list[str]:
    """The criterion keys present in an answers frame (its ``rating_*`` columns, prefix removed)."""
    return [c.removeprefix(RATING_PREFIX) for c in frame.columns if c.startswith(RATING_PREFIX)]


def rated_criteria(frame: pd.DataFrame) -> list[str]:
    """The criterion keys with at least one rating: a criterion nobody rated has nothing to test or model."""
    return [c for c in criteria_columns(frame) if frame[RATING_PREFIX + c].notna().any()]


def study_json(session: Session, slug: str) -> dict[str, Any]:
    """The study (definition, status, audit) and all its answers as one JSON-safe document."""
    study = get_study(session, slug)
    frame = answers_frame(session, slug)
    records = json.loads(frame.to_json(orient="records", date_format="iso"))
    return {
        "study": {
            "slug": study.slug,
            "title": study.title,
            "status": study.status,
            "published_at": study.published_at.isoformat() if study.published_at else None,
            "audit_passed": study.audit_passed,
            "audit_override": study.audit_override,
            "audit": study.audit,
            "definition": study.definition,
        },
        "answers": records,
    }


def write_csv(session: Session, slug: str, path: str | Path) -> int:
    """Write the answers frame as CSV (UTF-8, header row); returns the number of answers."""
    frame = answers_frame(session, slug)
    frame.to_csv(path, index=False)
    return len(frame)


def write_json(session: Session, slug: str, path: str | Path) -> int:
    """Write ``study_json`` to ``path``; returns the number of answers."""
    document = study_json(session, slug)
    Path(path).write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    return len(document["answers"])
