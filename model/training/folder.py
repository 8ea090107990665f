"""The Keras side of a model folder: writing one after training and rebuilding its network from it.

Generation reads a folder without Keras (:mod:`model.generation.artefact`); what needs the network itself (training
on from a folder, converting it to the NumPy step model, tests comparing the two) comes here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import keras

from model.encoding.vocabulary import Vocabulary
from model.generation.artefact import WEIGHTS, ModelBundle, write_card
from model.presets import Preset
from model.training.networks import build_network


def keras_network(bundle: ModelBundle) -> keras.Model:
    """The folder's network with its trained weights, rebuilt from its preset (as nanoGPT's checkpoints do)."""
    network = build_network(len(bundle.vocab), bundle.preset)
    network.load_weights(bundle.weights)
    return network


def save_bundle(path: Path, network: keras.Model, preset: Preset, vocab: Vocabulary, card: dict[str, Any]) -> None:
    """Write the folder. Weights come from an uncompiled clone: a compiled model's weight file also
    carries the optimizer's slots (two or three times the network's size), which generation never reads."""
    path.mkdir(parents=True, exist_ok=True)
    bare = build_network(len(vocab), preset)
    bare.set_weights(network.get_weights())
    bare.save_weights(path / WEIGHTS)
    (path / "preset.json").write_text(json.dumps(preset.to_dict(), indent=2))
    vocab.save(path / "vocab.json")
    write_card(path, card)
