"""Hard participant quotas, and places released by participants who abandoned the study.

Without a cap a study keeps taking participants after it has enough; with one, a participant who opened the
study and left would hold a place (and the clips of their design row) forever. So a participant counts
towards the quota, and their clips towards the design's balance, while they are finished or active: an
unfinished participant without activity (start, a clip served, an answer) for the study's ``idle_minutes``
is *abandoned* and releases both. An abandoned participant who comes back may still finish; their answers
count as any others. A participant let go at a failed headphone check releases both too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from survey.store.schema import Answer, Assignment, Participant, utcnow


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def abandoned_participants(session: Session, study_id: int, idle_minutes: float,
                           now: dt.datetime | None = None) -> set[int]:
    """Ids of the study's unfinished participants idle for longer than ``idle_minutes``."""
    now = now or utcnow()
    unfinished = {p.id: _aware(p.started_at) for p in session.scalars(
        select(Participant).where(Participant.study_id == study_id, Participant.finished_at.is_(None)))}
    if not unfinished:
        return set()
    latest = dict(unfinished)
    for rows in (_latest(session, Answer.participant_id, Answer.submitted_at, unfinished),
                 _latest(session, Assignment.participant_id, Assignment.served_at, unfinished)):
        for participant_id, moment in rows:
            moment = _aware(moment)
            current = latest[participant_id]
            if moment is not None and (current is None or moment > current):
                latest[participant_id] = moment
    limit = now - dt.timedelta(minutes=idle_minutes)
    return {pid for pid, moment in latest.items() if moment is not None and moment < limit}


def _latest(session: Session, who: InstrumentedAttribute[int], when: InstrumentedAttribute[Any],
            ids: Iterable[int]) -> list[tuple[int, dt.datetime | None]]:
    query = select(who, func.max(when)).where(who.in_(list(ids))).group_by(who)
    return [(pid, moment) for pid, moment in session.execute(query).all()]


def screened_out_participants(session: Session, study_id: int) -> set[int]:
    """Ids of participants who finished without answering a clip, let go at a failed headphone check: they hold
    no place of the quota and no row of the design."""
    answered = select(Answer.participant_id).where(Answer.participant_id == Participant.id).exists()
    return set(session.scalars(select(Participant.id).where(
        Participant.study_id == study_id, Participant.finished_at.is_not(None), Participant.headphone_passed.is_(False),
        ~answered)))


def places_taken(session: Session, study_id: int, idle_minutes: float, released: set[int] | None = None) -> int:
    """Participants holding a place: finished, or unfinished and active. ``released``: the abandoned participants
    when the caller already has them (:func:`abandoned_participants`), so they are not looked up twice."""
    total = session.scalar(select(func.count()).select_from(Participant).where(Participant.study_id == study_id))
    if released is None:
        released = abandoned_participants(session, study_id, idle_minutes)
    return int(total or 0) - len(released)
