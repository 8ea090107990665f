"""Training on real POP909 songs with real TensorFlow: the loss falls and the folder is complete."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest

from model.generation.artefact import ModelBundle, load_bundle
from model.presets import TINY
from model.training.folder import keras_network
from model.training.prepare import prepare_data
from model.training.train import train


def test_a_few_training_steps_lower_the_loss_on_three_songs(tiny_model: ModelBundle) -> None:
    losses = tiny_model.card["history"]["loss"]
    assert tiny_model.card["songs"] == 3
    assert losses[-1] < losses[0]


def test_the_paper_family_trains_too(tiny_paper_model: ModelBundle) -> None:
    losses = tiny_paper_model.card["history"]["loss"]
    assert losses[-1] < losses[0]
    assert keras_network(tiny_paper_model).input_shape == (None, 100, 1)


def test_the_model_folder_holds_weights_vocabulary_preset_and_card(tiny_model: ModelBundle) -> None:
    names = {p.name for p in tiny_model.path.iterdir()}
    assert {"model.weights.h5", "vocab.json", "preset.json", "card.json", "card.md"} <= names
    card = json.loads((tiny_model.path / "card.json").read_text())
    for key in ("songs", "epochs_run", "best_validation_loss", "best_validation_accuracy", "train_seconds",
                "hardware", "selection_seed", "passes_over_training_data"):
        assert key in card
    assert load_bundle(tiny_model.path).preset == tiny_model.preset
    assert card["passes_over_training_data"] == card["epochs_run"] == 2


def test_paper_windows_are_scaled_ids_with_one_hot_targets(pop909_dir: Path) -> None:
    preset = TINY.with_overrides(representation="paper", architecture="paper", sequence_length=100)
    data = prepare_data(preset, pop909_dir, log=lambda _: None)
    x, y = data.train[0]
    assert x.shape[1:] == (100, 1)
    assert x.min() >= 0.0 and x.max() < 1.0
    assert y.shape[1] == len(data.vocab) and np.all(y.sum(axis=1) == 1)
    assert list(data.vocab.events) == sorted(data.vocab.events)


class CrashAtEpoch(keras.callbacks.Callback):
    """Stands in for a killed process: raises when the given epoch starts (after earlier ones were saved)."""

    def __init__(self, epoch: int) -> None:
        super().__init__()
        self.epoch = epoch

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if epoch == self.epoch:
            raise KeyboardInterrupt


def test_an_interrupted_run_resumes_after_its_last_finished_epoch(pop909_dir: Path, tmp_path: Path) -> None:
    preset = TINY.with_overrides(epochs=3, steps_per_epoch=2, early_stopping_patience=5)
    with pytest.raises(KeyboardInterrupt):
        train(preset, tmp_path, pop909_dir, verbose=0, log=lambda _: None, extra_callbacks=[CrashAtEpoch(2)])
    assert (tmp_path / "checkpoints" / "backup").is_dir()
    seen: list[int] = []
    recorder = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(epoch))
    card = train(preset, tmp_path, pop909_dir, verbose=0, log=lambda _: None, extra_callbacks=[recorder])
    assert seen == [2]
    assert card["epochs_run"] == 3
    assert not (tmp_path / "checkpoints" / "backup").exists()


def test_the_weight_file_holds_the_network_but_not_the_optimizer(tiny_model: ModelBundle) -> None:
    import h5py

    with h5py.File(tiny_model.path / "model.weights.h5") as weights:
        assert "optimizer" not in weights
        stored = []
        weights.visititems(lambda name, item: stored.append(item.size) if isinstance(item, h5py.Dataset) else None)
    assert sum(stored) == keras_network(tiny_model).count_params()
