"""Onsets over given chords: the gaps between one onset and the next are counted as POP909 and the network leave them,
and each position is weighed by the ratio for the gap it leaves, bars crossed included, its kind's weight kept."""

from __future__ import annotations

import numpy as np
import pytest

from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.generation.onset_line import GapModel, OnsetLine, count_gaps
from model.generation.rhythm_line import RhythmLine
from model.generation.steering import steering_for
from model.models import open_model
from model.music.chords import parse_progression
from tests.conftest import ROOT

DEFAULT = ROOT / "assets" / "models" / "default"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(tuple(family_named("grid-voices").codec().all_events()))  # type: ignore[attr-defined]


def ids_of(vocab: Vocabulary, text: str) -> np.ndarray:
    return np.array([vocab.index[e] for e in text.split()])


def sixteenths_model() -> GapModel:
    """Songs whose onsets are a sixteenth apart as often as an eighth, where the network's are an eighth apart, and
    seldom three sixteenths apart as the network's are."""
    songs, network = np.zeros(33, np.int64), np.zeros(33, np.int64)
    songs[1:4] = 500, 500, 10
    network[2:4] = 1000, 100
    return GapModel(songs, network)


def test_gaps_are_counted_between_onsets_across_bar_lines(vocab: Vocabulary) -> None:
    ids = ids_of(vocab, "BAR POS_0 CH_C:maj PM_67 V_5 D_4 P_48 V_3 D_8 POS_1 P_60 V_3 D_1 POS_3 P_64 V_3 D_1 "
                       "BAR POS_2 P_60 V_3 D_1 BAR BAR POS_0 P_60 V_3 D_1")
    counts = count_gaps([ids], vocab)
    assert {int(g): int(c) for g, c in enumerate(counts) if c} == {1: 1, 2: 1, 15: 1, 30: 1}
    assert count_gaps([ids], vocab, bars=(0, 1))[1:3].tolist() == [1, 1], "the first bar's onsets alone"


def test_a_position_is_weighed_by_the_gap_it_leaves_and_the_positions_weight_is_kept(vocab: Vocabulary) -> None:
    line = OnsetLine(sixteenths_model(), vocab, batch=2)
    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    assert np.array_equal(line.weigh(uniform), uniform), "before any onset there is no gap"
    line.advance(ids_of(vocab, "BAR BAR"))
    line.advance(ids_of(vocab, "POS_4 POS_15"))
    weights = line.weigh(uniform)
    others = np.setdiff1d(np.arange(len(vocab)), line.ids)
    assert np.array_equal(weights[:, others], uniform[:, others]), "notes, bars and chords untouched"
    assert weights[:, line.ids].sum(axis=1) == pytest.approx(uniform[:, line.ids].sum(axis=1))
    first = weights[0, line.ids]
    assert first[5] > first[6] > first[7], "a sixteenth after POS_4 is favoured over an eighth, an eighth over the rest"
    line.advance(ids_of(vocab, "BAR BAR"))
    second = line.weigh(uniform)[1, line.ids]
    assert second[0] == second.max() and second[0] > second[1], "POS_0 of the next bar is a sixteenth after POS_15"


def test_the_shipped_default_weighs_gaps_over_chords_and_positions_of_free_pieces() -> None:
    bundle = open_model(DEFAULT)
    progression = parse_progression("C G Am F")
    assert isinstance(steering_for(bundle, "chords", 1, progression).rhythm, OnsetLine)
    assert isinstance(steering_for(bundle, "", 1, None).rhythm, RhythmLine)
    assert steering_for(bundle, "chords", 1, progression, rhythm_line=False).rhythm is None
