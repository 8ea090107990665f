"""Load and fault test of the survey: 50 concurrent simulated participants, one writer killed mid-run.

Usage::

    python bench/survey_load.py [--url URL] [--participants 50] [--processes 5] [--think 0.3]

Participants run in ``--processes`` writer processes (threads inside each), through exactly the
functions the app calls: ``start_participant``, ``next_screen``, ``submit_headphone_check``,
``submit_attention_check``, ``submit_answer`` (each screen in its own transaction) and
``finish_participant``.  Every answer whose commit returned is logged as *sent*.  One writer process
is killed with SIGKILL mid-run; its participants then come back "with their link" (the parent
resumes them by token) and finish.  At the end the database must hold every sent answer:

    sent N, stored N, lost 0
    answer write latency: p50 ... ms, p95 ... ms   (target on SQLite: p95 < 50 ms)

Default database: a fresh SQLite file in a temporary folder (WAL, synchronous=FULL).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import signal
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from survey.analysis.export import answers_frame
from survey.collect.answers import AnswerIn, submit_answer
from survey.collect.checks import submit_attention_check, submit_headphone_check
from survey.collect.headphone import trials_for
from survey.collect.participants import finish_participant, next_screen, start_participant
from survey.design.audit import AuditReport
from survey.design.study import import_study, publish_study, register_clip
from survey.design.studyfile import load_study_file
from survey.store.db import open_database
from survey.store.engine import make_engine, make_sessionmaker
from survey.store.schema import Answer, Clip, Participant

ROOT = Path(__file__).resolve().parents[1]

CRITERIA = ("complexity", "creativity", "emotion", "enjoyment")


def prepare(url: str) -> str:
    """Create the demo study with fake audio hashes and publish it; returns its slug."""
    factory = open_database(url)
    definition = load_study_file(ROOT / "assets" / "demo_study.yaml")
    with factory.begin() as session:
        study = import_study(session, definition)
        for i, clip in enumerate(study.clips):
            register_clip(session, definition.slug, clip.key, audio_sha256=f"{i:064x}")
        publish_study(session, definition.slug, AuditReport((), pd.DataFrame()))
    factory.kw["bind"].dispose()
    return definition.slug


def run_participant(
    factory: sessionmaker[Session], slug: str, token: str | None, think: float, log: Path, rng: random.Random
) -> list[float]:
    """Take one participant through every remaining screen; returns answer-write latencies in seconds."""
    latencies: list[float] = []
    if token is None:
        with factory.begin() as session:
            token = start_participant(session, slug, consent=True, listening_device="headphones")
        _append(log, f"token {token}\n")
    while True:
        time.sleep(rng.uniform(0, 2 * think))
        with factory.begin() as session:
            screen = next_screen(session, token)
        if screen is None:
            break
        if screen.kind == "clip":
            answer = AnswerIn(
                {c: rng.randint(1, 7) for c in CRITERIA},
                rng.choice(["human", "computer"]),
                rng.randint(1, 5),
                time_spent_s=rng.uniform(10, 40),
            )
            start = time.perf_counter()
            with factory.begin() as session:
                submit_answer(session, token, screen.clip_id, answer)
            latencies.append(time.perf_counter() - start)
            _append(log, f"sent {token} {screen.clip_id}\n")
        with factory.begin() as session:
            if screen.kind == "headphone":
                submit_headphone_check(session, token, [t.target for t in trials_for(token)])
            elif screen.kind == "attention":
                submit_attention_check(session, token, screen.key, 2)
    with factory.begin() as session:
        finish_participant(session, token)
    return latencies


def _append(log: Path, line: str) -> None:
    # One unbuffered write per line: what is in the log was acknowledged before any kill.
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def writer(url: str, slug: str, n: int, think: float, log: str, seed: int) -> None:
    """A writer process: ``n`` participants in threads, latencies appended to the log."""
    factory = make_sessionmaker(make_engine(url, pool_size=n, max_overflow=0))
    results: list[float] = []

    def one(i: int) -> None:
        results.extend(run_participant(factory, slug, None, think, Path(log), random.Random(seed * 1000 + i)))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    _append(Path(log), "".join(f"latency {x}\n" for x in results))


def main() -> None:
    """Run the benchmark and print the summary lines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--think", type=float, default=0.3, help="mean pause between screens, seconds")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="survey_load_"))
    url = args.url or f"sqlite:///{folder / 'survey.sqlite3'}"
    slug = prepare(url)
    per = args.participants // args.processes
    logs = [folder / f"writer{i}.log" for i in range(args.processes)]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=writer, args=(url, slug, per, args.think, str(log), i)) for i, log in enumerate(logs)]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    victim = procs[0]
    while _count(logs[0], "sent ") < per * 2 and victim.is_alive():
        time.sleep(0.05)
    os.kill(victim.pid or 0, signal.SIGKILL)
    victim.join()
    for proc in procs[1:]:
        proc.join()
    resumed = _resume_killed(url, slug, logs[0], args.think)
    report(url, slug, logs, resumed, victim.exitcode, time.perf_counter() - started)


def _count(log: Path, prefix: str) -> int:
    return sum(line.startswith(prefix) for line in log.read_text().splitlines()) if log.exists() else 0


def _resume_killed(url: str, slug: str, log: Path, think: float) -> list[float]:
    """The killed writer's participants come back with their links and finish."""
    factory = make_sessionmaker(make_engine(url))
    tokens = [line.split()[1] for line in log.read_text().splitlines() if line.startswith("token ")]
    latencies: list[float] = []
    for i, token in enumerate(tokens):
        latencies += run_participant(factory, slug, token, think / 10, log, random.Random(i))
    return latencies


def report(url: str, slug: str, logs: list[Path], resumed: list[float], exitcode: int | None, seconds: float) -> None:
    """Compare what was acknowledged with what is stored, and print latency percentiles.

    The killed writer's own latencies die with it; the percentiles cover every other write.
    """
    lines = [line.split() for log in logs for line in log.read_text().splitlines()]
    sent = {(parts[1], parts[2]) for parts in lines if parts[0] == "sent"}
    latencies = [float(parts[1]) for parts in lines if parts[0] == "latency"] + resumed
    factory = open_database(url)
    with factory.begin() as session:
        frame = answers_frame(session, slug)
        stored = _stored_pairs(session)
        started = session.scalar(select(func.count()).select_from(Participant)) or 0
    print(f"writer killed with SIGKILL (exit code {exitcode}); its participants resumed by token and finished")
    print(
        f"participants started {started}, with answers {frame['participant'].nunique()} (a start cut off by the "
        f"kill before its link was handed out has none), all finished: {bool(frame['finished'].all())}, "
        f"answers in database {len(frame)} (one per participant and clip: {len(stored) == len(frame)})"
    )
    print(f"sent {len(sent)}, stored {len(sent & stored)}, lost {len(sent - stored)}")
    ms = pd.Series(latencies) * 1000
    print(
        f"answer write latency: p50 {ms.quantile(0.5):.1f} ms, p95 {ms.quantile(0.95):.1f} ms, max {ms.max():.1f} ms "
        f"({len(ms)} writes, {seconds:.1f} s)"
    )


def _stored_pairs(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(
        select(Participant.token, Clip.public_id)
        .join(Answer, Answer.participant_id == Participant.id)
        .join(Clip, Clip.id == Answer.clip_id)
    )
    return {(token, clip) for token, clip in rows}


if __name__ == "__main__":
    main()
