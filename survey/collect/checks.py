"""Recording the headphone screening and attention checks of a participant.

Both are stored as ``CheckResult`` rows (expected vs. given response), and summarised on the
participant (``headphone_passed``, ``headphone_score``, ``attention_passed``) so the analysis can
exclude failures (``survey.analysis.stats.apply_exclusions``).  A failure does not stop the participant:
excluding is the analyst's decision, made after the fact and reported.  Like answers, a check
submitted twice with the same responses is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.collect.headphone import N_TRIALS, score, trials_for
from survey.collect.participants import participant_by_token, require_open, steps
from survey.design.study import study_definition
from survey.design.studyfile import AttentionCheck
from survey.errors import AnswerConflict, InvalidAnswer, NotYourTurn, UnknownClip
from survey.store.schema import CheckResult, Participant, utcnow


def submit_headphone_check(session: Session, token: str, responses: Sequence[int]) -> tuple[int, bool]:
    """Score the participant's six answers (each 1, 2 or 3); returns (correct, passed). A failed check finishes
    the participation when the study ends there (``headphone_failed: end``)."""
    if len(responses) != N_TRIALS or any(isinstance(r, bool) or r not in (1, 2, 3) for r in responses):
        raise InvalidAnswer("responses", f"must be {N_TRIALS} answers, each 1, 2 or 3")
    participant = participant_by_token(session, token, for_update=True)
    require_open(participant.study)
    definition = study_definition(participant.study)
    if not definition.headphone_check:
        raise UnknownClip("headphone-check")
    trials = trials_for(participant.token)
    if participant.headphone_passed is not None:
        stored = _stored(session, participant, "headphone")
        if [stored[f"headphone-{i + 1}"] for i in range(N_TRIALS)] != list(responses):
            raise AnswerConflict("headphone-check")
        return participant.headphone_score or 0, participant.headphone_passed
    correct, passed = score(trials, list(responses))
    for i, (trial, response) in enumerate(zip(trials, responses, strict=True)):
        session.add(
            CheckResult(
                participant_id=participant.id,
                kind="headphone",
                key=f"headphone-{i + 1}",
                expected=trial.target,
                response=response,
                passed=trial.target == response,
            )
        )
    participant.headphone_score, participant.headphone_passed = correct, passed
    if not passed and definition.end_on_failed_headphones:  # let go at once: no place held, nothing left to do
        participant.finished_at = utcnow()
    session.flush()
    return correct, passed


def submit_attention_check(session: Session, token: str, key: str, response: int) -> bool:
    """Record the response to attention check ``key``; returns whether it was the instructed one."""
    participant = participant_by_token(session, token, for_update=True)
    require_open(participant.study)
    definition = study_definition(participant.study)
    check = next((c for c in definition.attention_checks if c.key == key), None)
    if check is None:
        raise UnknownClip(str(key))
    if (
        isinstance(response, bool)
        or not isinstance(response, int)
        or not check.scale.min <= response <= check.scale.max
    ):
        raise InvalidAnswer("response", f"must be a whole number from {check.scale.min} to {check.scale.max}")
    stored = _stored(session, participant, "attention")
    if key in stored:
        if stored[key] != response:
            raise AnswerConflict(key)
        return response == check.expected
    pending, _ = steps(session, participant, definition)
    kind, item = pending[0]
    if kind != "attention" or not isinstance(item, AttentionCheck) or item.key != key:
        raise NotYourTurn("the headphone check" if kind == "headphone" else f"the {kind} screen")
    passed = response == check.expected
    session.add(
        CheckResult(
            participant_id=participant.id,
            kind="attention",
            key=key,
            expected=check.expected,
            response=response,
            passed=passed,
        )
    )
    results = {
        **{k: v == c.expected for k, v in stored.items() for c in definition.attention_checks if c.key == k},
        key: passed,
    }
    failed = not all(results.values())
    complete = len(results) == len(definition.attention_checks)
    participant.attention_passed = False if failed else (True if complete else None)
    session.flush()
    return passed


def _stored(session: Session, participant: Participant, kind: str) -> dict[str, int]:
    rows = session.execute(
        select(CheckResult.key, CheckResult.response).where(
            CheckResult.participant_id == participant.id, CheckResult.kind == kind
        )
    )
    return {key: response for key, response in rows.all()}
