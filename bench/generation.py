"""Windowed vs stateful generation on the ``paper`` network, measured side by side in one run.

Windowed: the seed's way, the 100-token window re-run through the Keras network for every new token
(``model.predict_on_batch``, the fastest Keras call for one batch). Stateful: :class:`model.step.StepModel`
carrying the LSTM states, one step per token. Target (issue 2): ``ratio >= 200``.
Run: ``python bench/generation.py [--model assets/models/paper] [--tokens 40]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras
import numpy as np

from model.artefact import load_bundle
from model.networks import build_paper_network
from model.presets import PAPER
from model.step import StepModel, single_threaded_blas


def paper_network(model_dir: Path | None) -> keras.Model:
    if model_dir is not None and (model_dir / "model.weights.h5").is_file():
        return load_bundle(model_dir).network
    return build_paper_network(400, PAPER.network, PAPER.data.sequence_length)


def windowed_ms(network: keras.Model, tokens: int, rng: np.random.Generator) -> float:
    window = rng.random((1, PAPER.data.sequence_length, 1)).astype("float32")
    network.predict_on_batch(window)
    start = time.perf_counter()
    for _ in range(tokens):
        probs = network.predict_on_batch(window)[0]
        window = np.concatenate([window[:, 1:], [[[int(np.argmax(probs)) / len(probs)]]]], axis=1).astype("float32")
    return (time.perf_counter() - start) * 1000 / tokens


def stateful_ms(network: keras.Model, tokens: int) -> float:
    step = StepModel.from_keras(network)
    step.reset(1)
    x = np.array([[0.5]], dtype=np.float32)
    step.step(x)
    with single_threaded_blas():
        start = time.perf_counter()
        for _ in range(tokens):
            probs = step.step(x)[0]
            x = np.array([[int(np.argmax(probs)) / len(probs)]], dtype=np.float32)
        return (time.perf_counter() - start) * 1000 / tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=Path("assets/models/paper"))
    parser.add_argument("--tokens", type=int, default=40)
    args = parser.parse_args()
    network = paper_network(args.model)
    rng = np.random.default_rng(0)
    # Stateful first: TensorFlow's worker threads keep spinning for a while after a call and would
    # otherwise steal the cores from the NumPy step being timed.
    stateful = stateful_ms(network, args.tokens * 25)
    windowed = windowed_ms(network, args.tokens, rng)
    print(f"paper network: {network.count_params()} parameters, window {PAPER.data.sequence_length}")
    print(f"windowed: {windowed:.2f} ms/token")
    print(f"stateful: {stateful:.3f} ms/token")
    print(f"ratio: {windowed / stateful:.0f}")


if __name__ == "__main__":
    main()
