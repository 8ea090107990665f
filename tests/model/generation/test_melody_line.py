"""The melody's line: moves are counted as POP909 and the network make them, and only which pitch the melody takes
is reweighed by their ratio (whether and when a melody note comes stays the network's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.__main__ import main
from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.generation.melody_line import (
    MOVES,
    START,
    IntervalModel,
    MelodyLine,
    count_moves,
    load_intervals,
    melody_pitches,
    move_class,
)
from model.generation.steering import steering_for
from model.models import open_model
from tests.conftest import ROOT

MODELS = ROOT / "assets" / "models"
UNISON, UP_STEP, UP_THIRD = move_class(np.array([0, 2, 4]))


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(tuple(family_named("grid-voices").codec().all_events()))  # type: ignore[attr-defined]


def stepping_model() -> IntervalModel:
    """Songs that step where the network repeats its notes."""
    return IntervalModel(count_moves([np.array([60, 62, 64, 65, 67, 65, 64, 62])]),
                         count_moves([np.array([60, 60, 60, 64, 64, 64, 67, 67])]))


def test_moves_are_counted_after_the_move_before_them_and_clipped_past_an_octave() -> None:
    moves = count_moves([np.array([60, 62, 64, 64]), np.array([70])])
    assert moves.notes == 5 and moves.counts.sum() == 3
    assert moves.counts[START, UP_STEP] == 1 and moves.counts[UP_STEP, UP_STEP] == 1
    assert moves.counts[UP_STEP, UNISON] == 1
    assert list(move_class(np.array([-30, -13, 13, 30]))) == [0, 0, MOVES - 1, MOVES - 1]


def test_a_move_the_songs_make_more_than_the_network_is_favoured_and_one_it_overdoes_is_not() -> None:
    factors = stepping_model().factors(1.0)
    assert factors[START, UP_STEP] > 1 > factors[START, UNISON]
    assert np.all(stepping_model().factors(0.0) == 1.0)


def test_only_the_melodys_pitch_is_reweighed_and_its_total_weight_is_kept(vocab: Vocabulary) -> None:
    line = MelodyLine(stepping_model(), vocab, batch=2)
    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    assert np.array_equal(line.weigh(uniform), uniform), "before its first note a melody has no move to weigh"
    line.advance(np.array([vocab.index["PM_60"], vocab.index["P_40"]]))
    weights = line.weigh(uniform)
    melody = line.ids
    others = np.setdiff1d(np.arange(len(vocab)), melody)
    assert np.array_equal(weights[:, others], uniform[:, others]) and np.array_equal(weights[1], uniform[1])
    assert weights[0, melody].sum() == pytest.approx(uniform[0, melody].sum())
    assert weights[0, vocab.index["PM_62"]] > weights[0, vocab.index["PM_60"]]


def test_the_line_follows_each_sequences_last_melody_pitch_and_move(vocab: Vocabulary) -> None:
    line = MelodyLine(stepping_model(), vocab, batch=1)
    for event in ("PM_60", "PB_72", "P_48", "PM_64", "D_4"):
        line.advance(np.array([vocab.index[event]]))
    assert line.last[0] == 64 and line.previous[0] == UP_THIRD


def test_a_voiced_sequences_melody_is_read_in_order(vocab: Vocabulary) -> None:
    ids = np.array([vocab.index[e] for e in ("BAR", "POS_0", "PM_67", "V_5", "D_4", "P_48", "POS_4", "PM_69")])
    assert list(melody_pitches(ids, vocab)) == [67, 69]


def test_an_interval_model_is_written_into_a_folder_and_read_back(tmp_path: Path) -> None:
    assert load_intervals(tmp_path) is None
    stepping_model().save(tmp_path)
    back = load_intervals(tmp_path)
    assert back is not None and np.array_equal(back.factors(1.0), stepping_model().factors(1.0))


def test_the_shipped_default_weighs_its_melody_by_moves_counted_from_training_songs_and_its_own_pieces() -> None:
    bundle = open_model(MODELS / "default")
    intervals = load_intervals(bundle.path)
    assert intervals is not None and intervals.songs.notes > 100_000 and intervals.network.notes > 4_000
    assert bundle.card["melody_intervals"]["network_pieces"] >= 40
    assert steering_for(bundle, "", 1, None).line is not None
    assert steering_for(bundle, "", 1, None, melody_line=False).line is None


def test_intervals_are_refused_in_one_sentence_for_a_model_without_a_melody_voice(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["intervals", str(MODELS / "chords")]) == 2
    assert "has no melody voice; intervals are counted for voiced models" in capsys.readouterr().err
