"""Blind, balanced assignment: which clips each participant hears, and in what order.

Two layers, as in a classic listening-test design:

1. **Source order** — a Williams design (a balanced Latin square): row ``i`` of
   ``williams_orders(k)`` is the order of the ``k`` sources for participant ``i mod rows``.
   Across a full set of rows every source appears in every position equally often and every
   source immediately follows every other equally often (first-order carry-over balance).  With
   more clips than sources the row is repeated; because a row never starts with its last source,
   the same source never plays twice in a row.
2. **Clip choice** — within a source, the least-heard clip so far (study-wide) is chosen, so every
   clip is heard about equally often.  When clips carry a ``group`` (a primer or style), the
   participant first gets groups they have not heard yet, then the least-used source x group cell,
   so cells fill up evenly (equal quotas).  Ties are broken by a seeded RNG, so a run is reproducible.

The database side (``assign_participant``) reads exposure counts under the study row lock taken by
``start_participant``, so concurrent starts cannot double-book the same slot of the design.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.store.schema import Assignment, Clip, Participant, Source


@dataclass(frozen=True)
class ClipSlot:
    """A candidate clip for the design: its id, source index and (optional) group."""

    clip_id: int
    source: int
    group: str | None


def williams_orders(k: int) -> list[list[int]]:
    """Rows of a Williams design over ``k`` sources (``k`` rows if ``k`` is even, ``2k`` if odd).

    Built from the sequence 0, 1, k-1, 2, k-2, ... shifted by each row index (Williams 1949);
    for odd ``k`` the mirrored rows are appended, which restores carry-over balance.
    """
    if k < 1:
        raise ValueError("need at least one source")
    base, low, high = [0], 1, k - 1
    while len(base) < k:
        base.append(low if len(base) % 2 else high)
        low, high = (low + 1, high) if len(base) % 2 == 0 else (low, high - 1)
    rows = [[(b + i) % k for b in base] for i in range(k)]
    return rows + [row[::-1] for row in rows] if k % 2 else rows


def source_order(sequence: int, n_sources: int, n_clips: int) -> list[int]:
    """The source index of each of ``n_clips`` positions for the participant numbered ``sequence``."""
    rows = williams_orders(n_sources)
    row = rows[sequence % len(rows)]
    return [row[i % n_sources] for i in range(n_clips)]


def choose_clips(
    order: Sequence[int],
    slots: Sequence[ClipSlot],
    clip_counts: Mapping[int, int],
    cell_counts: Mapping[tuple[int, str | None], int],
    seed: int,
) -> list[int]:
    """Pick one clip per position of ``order``: fresh group first, then emptiest cell, then least-heard clip.

    ``clip_counts`` and ``cell_counts`` are how often each clip and each (source, group) cell was
    assigned so far in the study; they are not modified.
    """
    rng = random.Random(seed)
    clips, cells = Counter(clip_counts), Counter(cell_counts)
    chosen: list[int] = []
    groups_used: set[str] = set()
    for source in order:
        candidates = [s for s in slots if s.source == source and s.clip_id not in chosen]
        if not candidates:
            raise ValueError(f"source {source} has too few clips for this design")
        tiebreak = {s.clip_id: rng.random() for s in candidates}
        best = min(
            candidates,
            key=lambda s: (
                s.group in groups_used,
                cells[(s.source, s.group)],
                clips[s.clip_id],
                tiebreak[s.clip_id],
            ),
        )
        chosen.append(best.clip_id)
        clips[best.clip_id] += 1
        cells[(best.source, best.group)] += 1
        if best.group is not None:
            groups_used.add(best.group)
    return chosen


def assign_participant(session: Session, participant: Participant, n_clips: int,
                       released: Collection[int] = ()) -> list[Assignment]:
    """Create the participant's ``Assignment`` rows (positions 0..n_clips-1) and return them.

    Clips of ``released`` participants (abandoned: ``survey.collect.quota``) no longer count as heard, so the design
    gives their cells to the next participants.
    """
    sources = session.scalars(
        select(Source).where(Source.study_id == participant.study_id).order_by(Source.position)
    ).all()
    index = {source.id: i for i, source in enumerate(sources)}
    rows = session.execute(select(Clip.id, Clip.source_id, Clip.group).where(Clip.study_id == participant.study_id))
    slots = [ClipSlot(clip_id, index[source_id], group) for clip_id, source_id, group in rows]
    clip_counts = _clip_counts(session, participant.study_id, released)
    cell_counts: Counter[tuple[int, str | None]] = Counter()
    for slot in slots:
        cell_counts[(slot.source, slot.group)] += clip_counts.get(slot.clip_id, 0)
    order = source_order(participant.sequence, len(sources), n_clips)
    chosen = choose_clips(
        order, slots, clip_counts, cell_counts, seed=participant.study_id * 100_003 + participant.sequence
    )
    assignments = [Assignment(participant_id=participant.id, clip_id=c, position=i) for i, c in enumerate(chosen)]
    session.add_all(assignments)
    session.flush()
    return assignments


def _clip_counts(session: Session, study_id: int, released: Collection[int] = ()) -> dict[int, int]:
    query = (
        select(Assignment.clip_id, func.count())
        .join(Clip, Clip.id == Assignment.clip_id)
        .where(Clip.study_id == study_id, Assignment.participant_id.not_in(list(released)))
        .group_by(Assignment.clip_id)
    )
    return {clip_id: count for clip_id, count in session.execute(query).all()}
