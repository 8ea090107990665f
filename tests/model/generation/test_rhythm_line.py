"""A free piece's rhythm: positions and durations are counted as POP909 and the network's own free pieces use them,
and only where a note falls and how long it lasts are reweighed by their ratio; over given chords the onsets' gaps are
weighed instead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.generation.generate import generate_ids
from model.generation.rhythm_line import RhythmLine, RhythmModel, count_events, load_rhythm
from model.generation.settings import GenerationSettings
from model.generation.steering import steering_for
from model.models import open_model
from model.music.chords import parse_progression
from tests.conftest import ROOT

DEFAULT = ROOT / "assets" / "models" / "default"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(tuple(family_named("grid-voices").codec().all_events()))  # type: ignore[attr-defined]


def sixteenths_model(vocab: Vocabulary) -> RhythmModel:
    """Songs that fall on every sixteenth where the network keeps to eighths."""
    songs = [np.array([vocab.index[f"POS_{k}"] for k in range(16)] + [vocab.index["D_1"]] * 8)]
    network = [np.array([vocab.index[f"POS_{k}"] for k in range(0, 16, 2)] * 2 + [vocab.index["D_2"]] * 8)]
    return RhythmModel(count_events(songs, vocab), count_events(network, vocab))


def test_only_positions_and_durations_are_counted_by_name(vocab: Vocabulary) -> None:
    ids = np.array([vocab.index[e] for e in ("BAR", "POS_0", "PM_67", "V_5", "D_4", "POS_4", "P_60", "D_4")])
    counts = count_events([ids], vocab)
    assert {k: v for k, v in counts.items() if v} == {"POS_0": 1, "POS_4": 1, "D_4": 2}


def test_what_the_songs_use_more_than_the_network_is_favoured_and_each_kinds_weight_is_kept(vocab: Vocabulary) -> None:
    line = RhythmLine(sixteenths_model(vocab), vocab)
    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    weights = line.weigh(uniform)
    positions, durations = line.groups
    others = np.setdiff1d(np.arange(len(vocab)), np.concatenate(line.groups))
    assert np.array_equal(weights[:, others], uniform[:, others]), "notes, velocities, bars and chords untouched"
    assert weights[:, positions].sum(axis=1) == pytest.approx(uniform[:, positions].sum(axis=1))
    assert weights[:, durations].sum(axis=1) == pytest.approx(uniform[:, durations].sum(axis=1))
    assert weights[0, vocab.index["POS_1"]] > weights[0, vocab.index["POS_2"]]
    assert weights[0, vocab.index["D_1"]] > weights[0, vocab.index["D_2"]]


def test_rhythm_counts_are_written_into_a_folder_and_read_back(tmp_path: Path, vocab: Vocabulary) -> None:
    assert load_rhythm(tmp_path) is None
    sixteenths_model(vocab).save(tmp_path)
    assert load_rhythm(tmp_path) == sixteenths_model(vocab)


def test_the_shipped_default_weighs_free_pieces_positions_and_over_chords_their_gaps() -> None:
    bundle = open_model(DEFAULT)
    assert isinstance(steering_for(bundle, "", 1, None).rhythm, RhythmLine)
    assert steering_for(bundle, "", 1, None, rhythm_line=False).rhythm is None
    assert not isinstance(steering_for(bundle, "chords", 1, parse_progression("C G Am F")).rhythm, RhythmLine), \
        "over given chords a position's share is not what is weighed (model.generation.onset_line)"
    free = GenerationSettings(tokens=300, seed=2)
    plain = GenerationSettings(tokens=300, seed=2, rhythm_line=False)
    assert not np.array_equal(generate_ids(bundle, free), generate_ids(bundle, plain)), "same seed, weighed or not"
    progression = parse_progression("C G Am F")
    assert not np.array_equal(generate_ids(bundle, free, progression=progression),
                              generate_ids(bundle, plain, progression=progression)), "over chords, the gaps weighed"
