"""Model fixtures: a tiny real network trained for a few steps on three real POP909 songs."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.generation.artefact import ModelBundle
from model.models import open_model
from model.presets import TINY
from model.training.train import train


@pytest.fixture(scope="session")
def tiny_model(pop909_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    """A grid-family model trained for two short epochs (real TensorFlow, no mocks)."""
    out = tmp_path_factory.mktemp("tiny-model")
    train(TINY, out, pop909_dir, verbose=0, log=lambda _: None)
    return open_model(out)


@pytest.fixture(scope="session")
def tiny_paper_model(pop909_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    """The paper architecture at toy width, trained a few steps on three songs."""
    preset = TINY.with_overrides(
        representation="paper", architecture="paper", lstm_units=(16, 16, 16), dense_units=16,
        recurrent_dropout=0.3, dropout=0.3, sequence_length=100, window_stride=4, optimizer="rmsprop",
        batch_size=32, epochs=2, steps_per_epoch=6,
    )
    out = tmp_path_factory.mktemp("tiny-paper")
    train(preset, out, pop909_dir, verbose=0, log=lambda _: None)
    return open_model(out)


@pytest.fixture(scope="session")
def tiny_voiced_model(pop909_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelBundle:
    """The voiced family (``grid-voices``) at toy width, trained a few steps on three songs."""
    preset = TINY.with_overrides(representation="grid-voices", steps_per_epoch=4, epochs=1)
    out = tmp_path_factory.mktemp("tiny-voiced")
    train(preset, out, pop909_dir, verbose=0, log=lambda _: None)
    return open_model(out)
