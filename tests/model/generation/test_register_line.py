"""The melody's register: each melody pitch is weighed by how often POP909's melodies stray as far from where they have
been singing (an exponential centre) against how often the network's do, the melody's weight kept."""

from __future__ import annotations

import numpy as np
import pytest

from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.generation.register_line import (
    CENTRE_STEP,
    FARTHEST,
    RegisterLine,
    RegisterModel,
    count_distances,
    distances,
)
from model.generation.steering import steering_for
from model.models import open_model
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(tuple(family_named("grid-voices").codec().all_events()))  # type: ignore[attr-defined]


def near_model() -> RegisterModel:
    """Songs that keep within a fourth of their centre, a network that strays an octave."""
    return RegisterModel(count_distances([np.array([60, 62, 64, 65, 64, 62] * 20)]),
                         count_distances([np.array([60, 72, 48, 60, 67, 55] * 20)]))


def test_a_distance_is_measured_from_the_centre_of_the_notes_before() -> None:
    line = np.array([60, 72, 72])
    centre = 60 + CENTRE_STEP * 12
    assert distances(line).tolist() == [12, round(72 - centre)]
    assert distances(np.array([60, 100])).tolist() == [FARTHEST], "farther than the histogram counts as its edge"
    assert len(distances(np.array([60]))) == 0 and len(distances(np.array([]))) == 0


def test_a_pitch_far_from_the_centre_loses_weight_to_near_ones_and_the_melodys_weight_is_kept(
        vocab: Vocabulary) -> None:
    line = RegisterLine(near_model(), vocab, batch=2)
    uniform = np.full((2, len(vocab)), 1 / len(vocab))
    assert np.array_equal(line.weigh(uniform), uniform), "no centre before the first melody note"
    line.advance(np.array([vocab.index["PM_64"], vocab.index["P_40"]]))
    weights = line.weigh(uniform)
    assert np.array_equal(weights[1], uniform[1]), "an accompaniment note sets no melody centre"
    others = np.setdiff1d(np.arange(len(vocab)), line.ids)
    assert np.array_equal(weights[0, others], uniform[0, others]), "positions, durations, accompaniment untouched"
    assert weights[0, line.ids].sum() == pytest.approx(uniform[0, line.ids].sum())
    near, far = weights[0, vocab.index["PM_65"]], weights[0, vocab.index["PM_76"]]
    assert near > 3 * far


def test_the_shipped_default_follows_its_register_with_the_melodys_line() -> None:
    bundle = open_model(ROOT / "assets" / "models" / "default")
    assert isinstance(steering_for(bundle, "", 1, None).register, RegisterLine)
    assert steering_for(bundle, "", 1, None, melody_line=False).register is None, "off with the melody's line"
