"""Hard participant quotas; an abandoned participant's place and clips are released after the idle time."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from survey.collect.assign import _clip_counts
from survey.collect.participants import panel_code, progress, start_participant
from survey.collect.quota import abandoned_participants, places_taken
from survey.design.studyfile import parse_study_text
from survey.errors import StudyFileError, StudyFull
from survey.store.schema import Assignment, Participant
from tests.survey.conftest import SMALL_STUDY, complete_participant, publish

CAPPED = SMALL_STUDY + "quota: {participants: 2, idle_minutes: 30}\n"


@pytest.fixture
def capped(Session: sessionmaker[Session]) -> str:
    return publish(Session, parse_study_text(CAPPED))


def go_idle(session: Session, token: str, minutes: float) -> None:
    """Move every trace of the participant's activity ``minutes`` into the past."""
    participant = session.scalars(select(Participant).where(Participant.token == token)).one()
    back = dt.timedelta(minutes=minutes)
    participant.started_at -= back
    session.execute(update(Assignment).where(Assignment.participant_id == participant.id,
                                             Assignment.served_at.is_not(None))
                    .values(served_at=Assignment.served_at - back))
    session.flush()


def test_the_cap_is_hard(Session: sessionmaker[Session], capped: str) -> None:
    complete_participant(Session, capped)
    complete_participant(Session, capped)
    with Session.begin() as session, pytest.raises(StudyFull, match="all the 2 participants it needs"):
        start_participant(session, capped, consent=True)


def test_an_active_unfinished_participant_holds_a_place(Session: sessionmaker[Session], capped: str) -> None:
    complete_participant(Session, capped)
    with Session.begin() as session:
        start_participant(session, capped, consent=True)  # consented a moment ago, still listening
    with Session.begin() as session, pytest.raises(StudyFull):
        start_participant(session, capped, consent=True)


def test_an_idle_participant_releases_the_place_and_the_clips(Session: sessionmaker[Session], capped: str) -> None:
    complete_participant(Session, capped)
    with Session.begin() as session:
        token = start_participant(session, capped, consent=True)
        go_idle(session, token, minutes=31)
        study_id = session.scalars(select(Participant.study_id).where(Participant.token == token)).one()
        left = session.scalars(select(Participant.id).where(Participant.token == token)).one()
        assert abandoned_participants(session, study_id, 30) == {left}
        assert places_taken(session, study_id, 30) == 1
        held = set(session.scalars(select(Assignment.clip_id).where(Assignment.participant_id == left)))
        counted = _clip_counts(session, study_id, released={left})
        assert sum(counted.values()) == 8, "only the finished participant's 8 clips still count"
        assert sum(_clip_counts(session, study_id).values()) == 16 and held
    with Session.begin() as session:
        start_participant(session, capped, consent=True)  # takes the released place


def test_an_idle_time_must_be_minutes() -> None:
    with pytest.raises(StudyFileError, match="number of minutes"):
        parse_study_text(SMALL_STUDY + "quota: {participants: 2, idle_minutes: soon}\n")


def test_a_participant_let_go_at_the_headphone_check_holds_no_place(Session, definition) -> None:
    import dataclasses

    ending = dataclasses.replace(definition, slug="ending", end_on_failed_headphones=True,
                                 quota=dataclasses.replace(definition.quota, participants=1))
    publish(Session, ending)
    failed = complete_participant(Session, "ending", headphone_right=False)
    with Session.begin() as session:
        done = progress(session, failed)
        assert done.finished and done.screened_out and done.answered == 0
        assert panel_code(session, failed) is None
    complete_participant(Session, "ending")  # the one place is still free
