"""Submitting answers: validated, in order, idempotent, and committed one screen at a time.

``submit_answer`` stores one ``Answer`` (plus one ``Rating`` per criterion) for a (participant,
clip) pair, which the schema makes unique.  Submitting the same screen again (a double click, a
retried request, a reloaded page) returns the stored answer and changes nothing.  Sending a
*different* answer for a clip already answered raises ``AnswerConflict``: the first answer
stands, because the participant has since heard other clips.  The identity of an answer is what
the participant chose (ratings, guess, confidence, "I know this piece", comment); the measured
``heard_fraction`` and ``time_spent_s`` of a resubmission naturally differ and are ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.collect.participants import Progress, participant_by_token, progress, require_open, steps
from survey.design.study import study_definition
from survey.design.studyfile import Scale, StudyDefinition
from survey.errors import AnswerConflict, InvalidAnswer, NotYourTurn, UnknownClip
from survey.store.schema import Answer, Assignment, Clip, Rating, utcnow

GUESSES = ("human", "computer")
MAX_COMMENT_CHARS = 2000
MAX_TIME_S = 24 * 3600.0


@dataclass(frozen=True)
class AnswerIn:
    """One clip screen as the participant filled it in.

    Attributes
    ----------
    ratings : criterion key -> integer on that criterion's scale (every criterion required).
    guess : "human" or "computer" (required when the study asks the question, else None).
    confidence : confidence in the guess, on the study's confidence scale.
    knows_piece : the participant says they know this piece.
    heard_fraction : share of the clip played before answering, 0..1.
    time_spent_s : seconds from showing the screen to submitting it.
    comment : optional free text, at most 2000 characters.
    """

    ratings: Mapping[str, int]
    guess: str | None = None
    confidence: int | None = None
    knows_piece: bool = False
    heard_fraction: float = 1.0
    time_spent_s: float = 0.0
    comment: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    """``stored`` is False when the same answer was already there (nothing changed)."""

    stored: bool
    progress: Progress
    answer_id: int = field(default=0)


def validate_answer(answer: AnswerIn, definition: StudyDefinition) -> None:
    """Raise ``InvalidAnswer`` naming the first field that is missing or out of range."""
    keys = {c.key for c in definition.criteria}
    extra = set(answer.ratings) - keys
    if extra:
        raise InvalidAnswer(f"ratings.{sorted(extra)[0]}", "is not a criterion of this study")
    for criterion in definition.criteria:
        _on_scale(f"ratings.{criterion.key}", answer.ratings.get(criterion.key), criterion.scale)
    question = definition.human_question
    if question.enabled:
        if answer.guess not in GUESSES:
            raise InvalidAnswer("guess", "must be 'human' or 'computer'")
        _on_scale("confidence", answer.confidence, question.confidence)
    elif answer.guess is not None or answer.confidence is not None:
        raise InvalidAnswer("guess", "is not asked in this study")
    if not isinstance(answer.knows_piece, bool):
        raise InvalidAnswer("knows_piece", "must be true or false")
    _in_range("heard_fraction", answer.heard_fraction, 0.0, 1.0)
    _in_range("time_spent_s", answer.time_spent_s, 0.0, MAX_TIME_S)
    if answer.comment is not None and (not isinstance(answer.comment, str) or len(answer.comment) > MAX_COMMENT_CHARS):
        raise InvalidAnswer("comment", f"must be text of at most {MAX_COMMENT_CHARS} characters")


def _on_scale(name: str, value: object, scale: Scale) -> None:
    if value is None:
        raise InvalidAnswer(name, "is required")
    if isinstance(value, bool) or not isinstance(value, int) or not scale.min <= value <= scale.max:
        raise InvalidAnswer(name, f"must be a whole number from {scale.min} to {scale.max} (got {value!r})")


def _in_range(name: str, value: object, low: float, high: float) -> None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not low <= value <= high:  # type: ignore[operator]
        raise InvalidAnswer(name, f"must be a number from {low:g} to {high:g} (got {value!r})")


def submit_answer(session: Session, token: str, clip_id: str, answer: AnswerIn) -> SubmitResult:
    """Store the participant's answer for clip ``clip_id`` (its public id); idempotent.

    Raises ``UnknownToken``, ``StudyNotOpen``, ``InvalidAnswer``, ``UnknownClip`` (not assigned to
    this participant), ``AnswerConflict`` (answered differently before) or ``NotYourTurn`` (an
    earlier screen is still open).  The participant row is locked, so concurrent duplicates of
    the same screen are serialised and the second one finds the first.
    """
    participant = participant_by_token(session, token, for_update=True)
    require_open(participant.study)
    definition = study_definition(participant.study)
    validate_answer(answer, definition)
    assignment = session.scalar(
        select(Assignment)
        .join(Clip, Clip.id == Assignment.clip_id)
        .where(Assignment.participant_id == participant.id, Clip.public_id == clip_id)
    )
    if assignment is None:
        raise UnknownClip(str(clip_id))
    existing = session.scalar(
        select(Answer).where(Answer.participant_id == participant.id, Answer.clip_id == assignment.clip_id)
    )
    if existing is not None:
        if not _same(existing, answer):
            raise AnswerConflict(clip_id)
        return SubmitResult(stored=False, progress=progress(session, token), answer_id=existing.id)
    pending, _ = steps(session, participant, definition)
    kind, item = pending[0]
    if kind != "clip" or item is not assignment:
        raise NotYourTurn("the headphone check" if kind == "headphone" else f"the {kind} screen")
    row = _answer_row(participant.id, assignment.clip_id, answer)
    row.served_for_s = served_for(assignment)
    session.add(row)
    session.flush()
    return SubmitResult(stored=True, progress=progress(session, token), answer_id=row.id)


def served_for(assignment: Assignment) -> float | None:
    """Seconds since the clip was first served, by the server's clock (None if it never was, e.g. an API call).

    The player's ``heard_fraction`` is the browser's word; this is the server's: an answer that arrives sooner
    than the clip lasts cannot follow a full listen (``answered_early`` in the export, excluded by default).
    """
    if assignment.served_at is None:
        return None
    served = assignment.served_at
    served = served if served.tzinfo is not None else served.replace(tzinfo=UTC)  # SQLite drops the zone
    return round((utcnow() - served).total_seconds(), 3)


def _answer_row(participant_id: int, clip_id: int, answer: AnswerIn) -> Answer:
    comment = (answer.comment or "").strip() or None
    row = Answer(
        participant_id=participant_id,
        clip_id=clip_id,
        guess=answer.guess,
        confidence=answer.confidence,
        knows_piece=answer.knows_piece,
        heard_fraction=float(answer.heard_fraction),
        time_spent_s=float(answer.time_spent_s),
        comment=comment,
    )
    row.ratings = [Rating(criterion=k, value=int(v)) for k, v in sorted(answer.ratings.items())]
    return row


def _same(stored: Answer, answer: AnswerIn) -> bool:
    return (
        {r.criterion: r.value for r in stored.ratings} == dict(answer.ratings)
        and stored.guess == answer.guess
        and stored.confidence == answer.confidence
        and stored.knows_piece == answer.knows_piece
        and stored.comment == ((answer.comment or "").strip() or None)
    )
