"""Fixtures for the survey tests: a fresh database per test, on SQLite and on PostgreSQL.

Every storage test runs twice: on a new SQLite file in ``tmp_path``, and on PostgreSQL in a new
schema of the server named by ``LAB_TEST_POSTGRES_URL`` (``bash .ci/start-postgres.sh`` prints
it).  Without that variable the PostgreSQL variants are skipped, saying why.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import sessionmaker

from survey.clips.sources import stored_excerpt
from survey.collect.answers import AnswerIn, submit_answer
from survey.collect.checks import submit_attention_check, submit_headphone_check
from survey.collect.headphone import trials_for
from survey.collect.participants import next_screen, start_participant
from survey.design.audit import AuditReport
from survey.design.study import import_study, publish_study, register_clip
from survey.design.studyfile import StudyDefinition, parse_study_text
from survey.store.db import open_database
from survey.store.schema import Assignment, Clip, Participant

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ENV = "LAB_TEST_POSTGRES_URL"

SMALL_STUDY = """\
study: small
title: Small test study
consent: You agree.
clips_per_participant: 8
headphone_check: true
attention_checks:
  - {key: attn, after: 4, prompt: "Select 2.", expected: 2}
sources:
  - key: original
    label: POP909 original
    human: true
    clips:
      - {key: o1, midi: "pop909:001/001.mid", group: g1}
      - {key: o2, midi: "pop909:002/002.mid", group: g2}
      - {key: o3, midi: "pop909:003/003.mid", group: g3}
      - {key: o4, midi: "pop909:004/004.mid", group: g4}
  - key: lstm
    label: LSTM
    clips:
      - {key: l1, generate: {model: lstm, primer: "001"}, group: g1}
      - {key: l2, generate: {model: lstm, primer: "002"}, group: g2}
      - {key: l3, generate: {model: lstm, primer: "003"}, group: g3}
      - {key: l4, generate: {model: lstm, primer: "004"}, group: g4}
  - key: trained
    label: Trained Magenta
    clips:
      - {key: t1, generate: {model: magenta-trained, primer: "001"}, group: g1}
      - {key: t2, generate: {model: magenta-trained, primer: "002"}, group: g2}
      - {key: t3, generate: {model: magenta-trained, primer: "003"}, group: g3}
      - {key: t4, generate: {model: magenta-trained, primer: "004"}, group: g4}
  - key: pretrained
    label: Pretrained Magenta
    clips:
      - {key: p1, generate: {model: magenta-pretrained, primer: "001"}, group: g1}
      - {key: p2, generate: {model: magenta-pretrained, primer: "002"}, group: g2}
      - {key: p3, generate: {model: magenta-pretrained, primer: "003"}, group: g3}
      - {key: p4, generate: {model: magenta-pretrained, primer: "004"}, group: g4}
headphone_failed: continue
"""

GOOD = AnswerIn(
    ratings={"complexity": 3, "creativity": 4, "emotion": 5, "enjoyment": 6},
    guess="human",
    confidence=3,
    knows_piece=False,
    heard_fraction=1.0,
    time_spent_s=12.5,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'survey.sqlite3'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f'{POSTGRES_ENV} is not set; `eval "$(bash .ci/start-postgres.sh)"` starts a local server')
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def Session(db_url: str) -> Iterator[sessionmaker[DbSession]]:
    """A migrated, empty database."""
    factory = open_database(db_url)
    yield factory
    bind = factory.kw["bind"]
    bind.dispose()


@pytest.fixture
def definition() -> StudyDefinition:
    """Four sources x four clips, eight clips each, a headphone check and one attention check."""
    return parse_study_text(SMALL_STUDY, source="small.yaml")


def publish(factory: sessionmaker[DbSession], definition: StudyDefinition) -> str:
    """Import, register fake audio hashes for every clip, and publish (audit taken as passed)."""
    with factory.begin() as session:
        study = import_study(session, definition)
        for i, clip in enumerate(study.clips):
            register_clip(session, definition.slug, clip.key, audio_sha256=f"{i:064x}", midi_sha256=f"{i + 1:064x}")
        publish_study(session, definition.slug, AuditReport((), pd.DataFrame()))
    return definition.slug


@pytest.fixture
def study(Session: sessionmaker[DbSession], definition: StudyDefinition) -> str:
    """The small study, published; returns its slug."""
    return publish(Session, definition)


def complete_participant(
    factory: sessionmaker[DbSession],
    slug: str,
    answer_for: Callable[[str], AnswerIn] = lambda clip_id: GOOD,
    *,
    headphone_right: bool = True,
    attention: int = 2,
    listen: bool = True,
    token: str | None = None,
) -> str:
    """Run one participant through every screen, each in its own transaction; returns the token.

    ``listen`` stands for hearing each clip to its end: the clip's serving time is moved back by its duration,
    as the server would see a participant who listened; without it every answer arrives at once (too early).
    """
    if token is None:  # else a participation started elsewhere (another replica) goes on here
        with factory.begin() as session:
            token = start_participant(session, slug, consent=True, listening_device="headphones")
    while True:
        with factory.begin() as session:
            screen = next_screen(session, token)
            if screen is None:
                return token
            if screen.kind == "headphone":
                right = [t.target for t in trials_for(token)]
                submit_headphone_check(
                    session, token, right if headphone_right else [t.target % 3 + 1 for t in trials_for(token)]
                )
            elif screen.kind == "attention":
                submit_attention_check(session, token, screen.key, attention)
            else:
                if listen:
                    heard_in_full(session, token, screen.clip_id)
                submit_answer(session, token, screen.clip_id, answer_for(screen.clip_id))


def heard_in_full(session: DbSession, token: str, clip_id: str) -> None:
    """Move the clip's serving time back by the clip's duration plus a second: a full listen, as timed."""
    assignment = session.scalars(
        sa.select(Assignment).join(Participant).join(Clip, Clip.id == Assignment.clip_id)
        .where(Participant.token == token, Clip.public_id == clip_id)
    ).one()
    duration = stored_excerpt(assignment.clip.spec).duration
    assert assignment.served_at is not None, "the clip's screen was served"
    assignment.served_at -= dt.timedelta(seconds=duration + 1.0)
    session.flush()
