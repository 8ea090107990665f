"""Answers: stored once, resumable, validated, and refused clearly when they should be."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from survey.analysis.export import answers_frame
from survey.analysis.stats import apply_exclusions
from survey.collect.answers import AnswerIn, submit_answer
from survey.collect.checks import submit_attention_check, submit_headphone_check
from survey.collect.headphone import trials_for
from survey.collect.participants import ClipScreen, finish_participant, next_screen, progress, start_participant
from survey.design.study import close_study
from survey.errors import (
    AnswerConflict,
    ConsentRequired,
    InvalidAnswer,
    NotFinished,
    NotYourTurn,
    StudyNotOpen,
    UnknownClip,
    UnknownToken,
)
from survey.store.schema import Answer, Assignment, Rating
from tests.survey.conftest import GOOD, ROOT, complete_participant


def count_answers(factory: sessionmaker[Session]) -> int:
    with factory.begin() as session:
        return session.scalar(select(func.count()).select_from(Answer)) or 0


def started_at_first_clip(factory: sessionmaker[Session], slug: str) -> tuple[str, ClipScreen]:
    """A participant past the headphone check, looking at their first clip."""
    with factory.begin() as session:
        token = start_participant(session, slug, consent=True)
        submit_headphone_check(session, token, [t.target for t in trials_for(token)])
        screen = next_screen(session, token)
    assert isinstance(screen, ClipScreen)
    return token, screen


def test_a_participant_goes_through_every_screen_and_finishes(Session: sessionmaker[Session], study: str) -> None:
    token = complete_participant(Session, study)
    with Session.begin() as session:
        done = finish_participant(session, token)
    assert (done.answered, done.total, done.finished, done.complete) == (8, 8, True, True)
    assert count_answers(Session) == 8
    with Session.begin() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == 8 * 4


def test_clip_screens_never_reveal_the_source(Session: sessionmaker[Session], study: str) -> None:
    _, screen = started_at_first_clip(Session, study)
    shown = repr(screen).lower()
    for secret in ("original", "lstm", "magenta", "pop909", "trained"):
        assert secret not in shown
    assert len(screen.clip_id) == 16


def test_submitting_the_same_screen_twice_stores_one_answer(Session: sessionmaker[Session], study: str) -> None:
    token, screen = started_at_first_clip(Session, study)
    with Session.begin() as session:
        first = submit_answer(session, token, screen.clip_id, GOOD)
    with Session.begin() as session:
        again = submit_answer(session, token, screen.clip_id, dataclasses.replace(GOOD, time_spent_s=14.0))
    assert first.stored and not again.stored and again.answer_id == first.answer_id
    assert again.progress.answered == 1 and count_answers(Session) == 1


def test_a_different_second_answer_is_refused_and_the_first_kept(Session: sessionmaker[Session], study: str) -> None:
    token, screen = started_at_first_clip(Session, study)
    with Session.begin() as session:
        submit_answer(session, token, screen.clip_id, GOOD)
    changed = dataclasses.replace(GOOD, ratings={**GOOD.ratings, "enjoyment": 1})
    with pytest.raises(AnswerConflict), Session.begin() as session:
        submit_answer(session, token, screen.clip_id, changed)
    with Session.begin() as session:
        values = session.scalars(select(Rating.value).where(Rating.criterion == "enjoyment")).all()
    assert values == [6]


def test_a_returning_participant_resumes_at_the_first_unanswered_clip(
    Session: sessionmaker[Session], study: str
) -> None:
    token, first = started_at_first_clip(Session, study)
    with Session.begin() as session:
        submit_answer(session, token, first.clip_id, GOOD)
        second = next_screen(session, token)
    # The tab is closed; later, from another device, only the link (token) is known.
    with Session.begin() as session:
        resumed = next_screen(session, token)
        state = progress(session, token)
    assert resumed == second and isinstance(resumed, ClipScreen) and resumed.position == 2
    assert (state.answered, state.screens_done, state.finished) == (1, 2, False)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ratings": {"complexity": 3, "creativity": 4, "emotion": 5, "enjoyment": 8}}, "ratings.enjoyment"),
        ({"ratings": {"complexity": 0, "creativity": 4, "emotion": 5, "enjoyment": 6}}, "ratings.complexity"),
        ({"ratings": {"complexity": 3, "creativity": 4, "emotion": 5}}, "ratings.enjoyment"),
        ({"ratings": {"complexity": 3.5, "creativity": 4, "emotion": 5, "enjoyment": 6}}, "ratings.complexity"),
        ({"ratings": {**GOOD.ratings, "tempo": 3}}, "ratings.tempo"),
        ({"guess": "robot"}, "guess"),
        ({"confidence": 6}, "confidence"),
        ({"confidence": None}, "confidence"),
        ({"heard_fraction": 1.5}, "heard_fraction"),
        ({"heard_fraction": float("nan")}, "heard_fraction"),
        ({"time_spent_s": -1.0}, "time_spent_s"),
        ({"comment": "x" * 2001}, "comment"),
    ],
)
def test_out_of_range_answers_are_refused_naming_the_field_and_store_nothing(
    Session: sessionmaker[Session],
    study: str,
    change: dict[str, object],
    field: str,
) -> None:
    token, screen = started_at_first_clip(Session, study)
    with pytest.raises(InvalidAnswer) as caught, Session.begin() as session:
        submit_answer(session, token, screen.clip_id, dataclasses.replace(GOOD, **change))  # type: ignore[arg-type]
    assert caught.value.field == field and field in str(caught.value)
    assert count_answers(Session) == 0


def test_unknown_tokens_and_foreign_clips_are_refused(Session: sessionmaker[Session], study: str) -> None:
    token, screen = started_at_first_clip(Session, study)
    other, _ = started_at_first_clip(Session, study)
    with Session.begin() as session:
        with pytest.raises(UnknownToken):
            submit_answer(session, "not-a-real-token", screen.clip_id, GOOD)
        with pytest.raises(UnknownToken):
            next_screen(session, "")
        with pytest.raises(UnknownClip):
            submit_answer(session, token, "0123456789abcdef", GOOD)
        unassigned = next(c for c in _all_clip_ids(session) if c not in _assigned(session, other))
        with pytest.raises(UnknownClip):
            submit_answer(session, other, unassigned, GOOD)
    assert count_answers(Session) == 0


def _all_clip_ids(session: Session) -> list[str]:
    from survey.store.schema import Clip

    return list(session.scalars(select(Clip.public_id)))


def _assigned(session: Session, token: str) -> set[str]:
    from survey.collect.participants import participant_by_token

    return {a.clip.public_id for a in participant_by_token(session, token).assignments}


def test_answers_must_follow_the_screen_order(Session: sessionmaker[Session], study: str) -> None:
    with Session.begin() as session:
        token = start_participant(session, study, consent=True)
        later = _assigned(session, token).pop()
    with pytest.raises(NotYourTurn, match="headphone"), Session.begin() as session:
        submit_answer(session, token, later, GOOD)
    with pytest.raises(NotFinished), Session.begin() as session:
        finish_participant(session, token)
    assert count_answers(Session) == 0


def test_a_closed_study_accepts_no_participants_and_no_answers(Session: sessionmaker[Session], study: str) -> None:
    token, screen = started_at_first_clip(Session, study)
    with Session.begin() as session:
        close_study(session, study)
    with Session.begin() as session:
        with pytest.raises(StudyNotOpen, match="closed"):
            submit_answer(session, token, screen.clip_id, GOOD)
        with pytest.raises(StudyNotOpen):
            start_participant(session, study, consent=True)
        with pytest.raises(StudyNotOpen):
            next_screen(session, token)
        assert progress(session, token).answered == 0
    assert count_answers(Session) == 0


def test_consent_and_profile_choices_are_checked(Session: sessionmaker[Session], study: str) -> None:
    with Session.begin() as session:
        with pytest.raises(ConsentRequired):
            start_participant(session, study, consent=False)
        with pytest.raises(InvalidAnswer, match="listening_device"):
            start_participant(session, study, consent=True, listening_device="telepathy")


def test_attention_checks_are_recorded_and_summarised(Session: sessionmaker[Session], study: str) -> None:
    passed = complete_participant(Session, study, attention=2)
    failed = complete_participant(Session, study, attention=5, headphone_right=False)
    from survey.collect.participants import participant_by_token

    with Session.begin() as session:
        good, bad = participant_by_token(session, passed), participant_by_token(session, failed)
        assert (good.attention_passed, good.headphone_passed, good.headphone_score) == (True, True, 6)
        assert (bad.attention_passed, bad.headphone_passed, bad.headphone_score) == (False, False, 0)
        assert submit_attention_check(session, passed, "attn", 2) is True  # a repeat changes nothing
        with pytest.raises(AnswerConflict):
            submit_attention_check(session, passed, "attn", 3)


CRASHING_WRITER = """
import os, sys
from survey.collect.answers import AnswerIn, submit_answer
from survey.collect.checks import submit_headphone_check
from survey.store.engine import make_engine, make_sessionmaker
from survey.collect.headphone import trials_for
from survey.collect.participants import next_screen
Session = make_sessionmaker(make_engine(sys.argv[1]))
token = sys.argv[2]
answer = AnswerIn({"complexity": 3, "creativity": 4, "emotion": 5, "enjoyment": 6}, "human", 3)
with Session.begin() as s:
    submit_headphone_check(s, token, [t.target for t in trials_for(token)])
for _ in range(3):
    with Session.begin() as s:
        submit_answer(s, token, next_screen(s, token).clip_id, answer)
s = Session()
s.begin()
submit_answer(s, token, next_screen(s, token).clip_id, answer)
s.flush()
os._exit(9)  # dies mid-transaction: the fourth answer was never committed
"""


def test_committed_answers_survive_a_writer_that_dies_mid_transaction(
    Session: sessionmaker[Session],
    study: str,
    db_url: str,
) -> None:
    with Session.begin() as session:
        token = start_participant(session, study, consent=True)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CRASHING_WRITER), db_url, token],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 9, result.stderr
    with Session.begin() as session:
        state = progress(session, token)
        screen = next_screen(session, token)
    assert state.answered == 3
    assert isinstance(screen, ClipScreen) and screen.position == 4


def test_answer_defaults_describe_a_fully_heard_unknown_piece() -> None:
    answer = AnswerIn(ratings={"complexity": 1})
    assert (answer.knows_piece, answer.heard_fraction, answer.comment) == (False, 1.0, None)


def test_the_server_times_each_clip_from_when_it_was_first_served(Session: sessionmaker[Session], study: str) -> None:
    token, screen = started_at_first_clip(Session, study)
    with Session.begin() as session:
        first = session.scalars(select(Assignment).where(Assignment.served_at.is_not(None))).one().served_at
        assert next_screen(session, token) == screen, "showing the screen again (a reload) ..."
        again = session.scalars(select(Assignment).where(Assignment.served_at.is_not(None))).one().served_at
    assert first == again, "... does not restart the clock"


def test_answers_sooner_than_the_clip_lasts_are_flagged_and_excluded(
    Session: sessionmaker[Session], study: str
) -> None:
    complete_participant(Session, study, listen=False)  # every answer sent at once, as with playbackRate = 16
    complete_participant(Session, study)
    with Session.begin() as session:
        answers = answers_frame(session, study)
    first, second = answers["participant"].unique()  # in the order they took part
    hurried, patient = answers[answers["participant"] == first], answers[answers["participant"] == second]
    assert hurried["answered_early"].all() and (hurried["served_for_s"] < 1.0).all()
    assert not patient["answered_early"].any() and (patient["served_for_s"] > 20.0).all()
    assert hurried["heard_fraction"].eq(1.0).all(), "the browser claimed a full listen all the same"
    kept = apply_exclusions(answers)
    assert set(kept["participant"]) == {second}
    assert len(apply_exclusions(answers, early=False)) == len(answers)
