"""Two participant servers on one PostgreSQL, as `bash lab.sh serve-study 2` runs them: each replica is its own
process with its own engine, participants join through both at the same moment, and one replica dies mid-study.

API level (the survey functions a Study page calls), in real separate processes on the CI PostgreSQL: the quota and
the design's rows are decided by the database's row lock, not by anything a process holds in memory.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey.collect.assign import _clip_counts
from survey.collect.participants import start_participant
from survey.design.studyfile import parse_study_text
from survey.errors import StudyFull
from survey.store.db import open_database
from survey.store.schema import Answer, Participant, Study
from tests.survey.conftest import SMALL_STUDY, complete_participant, publish

CAP = 12
ARRIVALS = 10
"""Participants arriving at each replica: 20 against a cap of 12."""


def replica_starts(url: str, slug: str, barrier: Barrier, arrivals: int, results: Queue) -> None:
    """One replica: ``arrivals`` participants consent at once (after the other replica is ready too)."""
    factory = open_database(url)
    barrier.wait(timeout=120)
    tokens, full = [], 0
    for _ in range(arrivals):
        try:
            with factory.begin() as session:
                tokens.append(start_participant(session, slug, consent=True))
        except StudyFull:
            full += 1
    results.put((tokens, full))


def replica_serves(url: str, slug: str, tokens: list[str]) -> None:
    """A replica taking its participants through the study, screen by screen, until it is killed."""
    factory = open_database(url)
    for token in tokens:
        complete_participant(factory, slug, token=token)


@pytest.fixture
def postgres_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("replicas share a PostgreSQL server; SQLite is one process's database")
    return db_url


def one_at_a_time(folder: Path) -> Counter[int]:
    """How often clips are heard when the twelve arrive one after another, on one server (SQLite)."""
    factory = open_database(f"sqlite:///{folder / 'sequential.sqlite3'}")
    slug = publish(factory, parse_study_text(SMALL_STUDY))
    for _ in range(CAP):
        with factory.begin() as session:
            start_participant(session, slug, consent=True)
    with factory.begin() as session:
        return Counter(_clip_counts(session, session.scalar(select(Study.id).where(Study.slug == slug))).values())


def test_twenty_arrivals_through_two_replicas_fill_exactly_twelve_balanced_places(postgres_url: str,
                                                                                   tmp_path: Path) -> None:
    Session = open_database(postgres_url)
    slug = publish(Session, parse_study_text(SMALL_STUDY + f"quota: {{participants: {CAP}, idle_minutes: 60}}\n"))
    context = multiprocessing.get_context("spawn")
    barrier, queue = context.Barrier(2), context.Queue()
    replicas = [context.Process(target=replica_starts, args=(postgres_url, slug, barrier, ARRIVALS, queue))
                for _ in range(2)]
    for replica in replicas:
        replica.start()
    results = [queue.get(timeout=300) for _ in replicas]
    for replica in replicas:
        replica.join(timeout=60)
    started = [token for tokens, _ in results for token in tokens]
    assert len(started) == CAP and sum(full for _, full in results) == 2 * ARRIVALS - CAP
    with Session.begin() as session:
        study_id = session.scalar(select(Study.id).where(Study.slug == slug))
        sequences = sorted(session.scalars(select(Participant.sequence).where(Participant.study_id == study_id)))
        per_clip = Counter(_clip_counts(session, study_id).values())
    assert sequences == list(range(CAP)), "every row of the design given once"
    assert per_clip == one_at_a_time(tmp_path), "the clips are spread exactly as when participants come one by one"


def test_a_replica_killed_mid_study_leaves_its_participants_to_the_other_and_no_answer_twice(
    postgres_url: str,
) -> None:
    Session = open_database(postgres_url)
    slug = publish(Session, parse_study_text(SMALL_STUDY))
    with Session.begin() as session:
        tokens = [start_participant(session, slug, consent=True) for _ in range(4)]
    context = multiprocessing.get_context("spawn")
    doomed = context.Process(target=replica_serves, args=(postgres_url, slug, tokens))
    doomed.start()
    deadline = time.monotonic() + 120
    while answers(Session) < 6 and time.monotonic() < deadline:  # killed while its participants are mid-study
        time.sleep(0.05)
    os.kill(doomed.pid or 0, 9)
    doomed.join()
    assert 0 < answers(Session) < 4 * 8, "the replica died with participants part-way through"
    survivor = context.Process(target=replica_serves, args=(postgres_url, slug, tokens))
    survivor.start()
    survivor.join(timeout=300)
    assert survivor.exitcode == 0
    with Session.begin() as session:
        pairs = session.execute(select(Answer.participant_id, Answer.clip_id)).all()
    assert len(pairs) == 4 * 8 == len(set(pairs)), "every participant finished, every answer stored once"


def answers(Session) -> int:
    with Session.begin() as session:
        return int(session.scalar(select(func.count()).select_from(Answer)) or 0)
