"""Assignment: a Williams design over sources, balanced clips and cells, never a source twice in a row."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from survey.collect.assign import ClipSlot, choose_clips, source_order, williams_orders
from survey.collect.participants import start_participant
from survey.store.schema import Assignment, Clip, Participant, Source


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_williams_rows_balance_positions_and_first_order_carry_over(k: int) -> None:
    rows = williams_orders(k)
    assert len(rows) == (k if k % 2 == 0 else 2 * k)
    assert all(sorted(row) == list(range(k)) for row in rows)
    for position in range(k):
        assert Counter(row[position] for row in rows) == Counter({s: len(rows) // k for s in range(k)})
    pairs = Counter((row[i], row[i + 1]) for row in rows for i in range(k - 1))
    assert len(pairs) == k * (k - 1) and len(set(pairs.values())) == 1


def test_four_sources_use_the_textbook_williams_square() -> None:
    # Williams (1949) square for four treatments, as tabulated e.g. by Bate & Jones (2006).
    assert williams_orders(4) == [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]


@pytest.mark.parametrize(("k", "n"), [(2, 6), (3, 9), (4, 8), (4, 12), (5, 10)])
def test_no_source_plays_twice_in_a_row(k: int, n: int) -> None:
    for sequence in range(2 * k):
        order = source_order(sequence, k, n)
        assert all(a != b for a, b in pairwise(order))
        assert Counter(order) == Counter({s: n // k for s in range(k)})


def test_clip_choice_prefers_fresh_groups_then_empty_cells_then_unheard_clips() -> None:
    slots = [ClipSlot(1, 0, "a"), ClipSlot(2, 0, "b"), ClipSlot(3, 1, "a"), ClipSlot(4, 1, "b")]
    # Clip 1 was heard more, so source 0 gets clip 2 (group b); then source 1 avoids group b.
    assert choose_clips([0, 1], slots, {1: 3}, {(0, "a"): 3}, seed=0) == [2, 3]


def test_many_participants_hear_every_clip_and_cell_about_equally_often(
    Session: sessionmaker[Session],
    study: str,
) -> None:
    for _ in range(32):
        with Session.begin() as session:
            start_participant(session, study, consent=True)
    with Session.begin() as session:
        rows = session.execute(
            select(Participant.sequence, Assignment.position, Source.key, Clip.key, Clip.group)
            .join(Assignment, Assignment.participant_id == Participant.id)
            .join(Clip, Clip.id == Assignment.clip_id)
            .join(Source, Source.id == Clip.source_id)
        ).all()
    assert len(rows) == 32 * 8
    per_clip = Counter(clip for *_, clip, _ in rows)
    assert len(per_clip) == 16 and max(per_clip.values()) - min(per_clip.values()) <= 1
    cells = Counter((source, group) for _, _, source, _, group in rows)
    assert max(cells.values()) - min(cells.values()) <= 1
    by_participant: dict[int, list[tuple[int, str, str | None]]] = {}
    for sequence, position, source, _, group in rows:
        by_participant.setdefault(sequence, []).append((position, source, group))
    for answers in by_participant.values():
        ordered = [source for _, source, _ in sorted(answers)]
        assert Counter(ordered) == Counter({s: 2 for s in ("original", "lstm", "trained", "pretrained")})
        assert all(a != b for a, b in pairwise(ordered))
    first_positions = Counter(source for _, position, source, _, _ in rows if position == 0)
    assert set(first_positions.values()) == {8}
