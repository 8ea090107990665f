"""Recruiting through Prolific (or any panel passing IDs in the URL): capture, resume by panel id, end codes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from survey.analysis.export import answers_frame
from survey.collect.participants import panel_code, start_participant
from survey.design.studyfile import parse_study_dict, parse_study_text
from survey.errors import StudyFileError
from survey.store.schema import Participant
from tests.survey.conftest import SMALL_STUDY, complete_participant, publish

PROLIFIC = """recruitment:
  capture: [PROLIFIC_PID, STUDY_ID, SESSION_ID]
  panel_id: PROLIFIC_PID
  completion_code: C1A2B3C4
  completion_url: https://app.prolific.com/submissions/complete?cc=C1A2B3C4
  screen_out_code: SCREENED1
"""
FROM_PROLIFIC = {"PROLIFIC_PID": "5f1a2b", "STUDY_ID": "s9", "SESSION_ID": "x1", "utm_source": "mail", "study": "small"}


@pytest.fixture
def panel_study(Session: sessionmaker[Session]) -> str:
    return publish(Session, parse_study_text(SMALL_STUDY + PROLIFIC))


def test_the_recruitment_block_is_read_and_kept() -> None:
    definition = parse_study_text(SMALL_STUDY + PROLIFIC)
    assert definition.recruitment.capture == ("PROLIFIC_PID", "STUDY_ID", "SESSION_ID")
    assert definition.recruitment.panel_id == "PROLIFIC_PID"
    assert parse_study_dict(definition.to_dict()) == definition


@pytest.mark.parametrize(("change", "field"), [
    (("panel_id: PROLIFIC_PID", "panel_id: WORKER_ID"), "recruitment.panel_id"),
    (("completion_code: C1A2B3C4", "completion_code: '<b>x</b>'"), "recruitment.completion_code"),
    (("https://app.prolific", "http://app.prolific"), "recruitment.completion_url"),
    (("STUDY_ID,", "STUDY ID,"), "recruitment.capture[1]"),
])
def test_bad_recruitment_settings_name_the_field(change: tuple[str, str], field: str) -> None:
    with pytest.raises(StudyFileError) as caught:
        parse_study_text(SMALL_STUDY + PROLIFIC.replace(*change))
    assert caught.value.field == field


def test_the_named_url_parameters_are_captured_and_exported(Session: sessionmaker[Session], panel_study: str) -> None:
    with Session.begin() as session:
        token = start_participant(session, panel_study, consent=True, url_parameters=FROM_PROLIFIC)
        participant = session.scalars(select(Participant).where(Participant.token == token)).one()
        assert participant.panel_id == "5f1a2b"
        assert participant.captured == {"PROLIFIC_PID": "5f1a2b", "STUDY_ID": "s9", "SESSION_ID": "x1"}, \
            "only the parameters the study names"
    complete_participant(Session, panel_study)  # a participant who came without the panel's parameters
    with Session.begin() as session:
        answers = answers_frame(session, panel_study)
    assert {"panel_id", "url_PROLIFIC_PID", "url_STUDY_ID", "url_SESSION_ID"} <= set(answers.columns)


def test_a_panel_id_seen_twice_resumes_the_same_participation(Session: sessionmaker[Session], panel_study: str) -> None:
    with Session.begin() as session:
        first = start_participant(session, panel_study, consent=True, url_parameters=FROM_PROLIFIC)
    with Session.begin() as session:
        later = {**FROM_PROLIFIC, "SESSION_ID": "x2"}  # the same person, back in a new session
        again = start_participant(session, panel_study, consent=True, url_parameters=later)
        other = start_participant(session, panel_study, consent=True, url_parameters={"PROLIFIC_PID": "77"})
        count = session.scalar(select(func.count()).select_from(Participant))
    assert again == first and other != first and count == 2


def test_the_end_screen_code_is_completion_or_screen_out(Session: sessionmaker[Session], panel_study: str) -> None:
    passed = complete_participant(Session, panel_study)
    failed = complete_participant(Session, panel_study, headphone_right=False)
    with Session.begin() as session:
        done, out = panel_code(session, passed), panel_code(session, failed)
    assert done is not None and (done.code, done.screened_out) == ("C1A2B3C4", False)
    assert done.url == "https://app.prolific.com/submissions/complete?cc=C1A2B3C4"
    assert out is not None and (out.code, out.screened_out, out.url) == ("SCREENED1", True, None)


def test_a_study_without_recruitment_shows_no_code(Session: sessionmaker[Session], study: str) -> None:
    token = complete_participant(Session, study)
    with Session.begin() as session:
        assert panel_code(session, token) is None
