"""Sampling: the seed study's functions, kept public, plus top-k and nucleus (top-p) filtering.

``sample`` and ``generate_notes`` keep the seed's names and behaviour (log-probabilities divided by the
temperature, one multinomial draw; a window of 100 scaled ids re-run through the network for every
new token). ``generate_notes`` is the slow reference; :mod:`model.generation.generate` is the O(1)-per-token path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np


class WindowNetwork(Protocol):
    """What the seed's loop needs of its network (a Keras model is one): next-token probabilities of a window.
    Named structurally so generation never imports Keras."""

    def __call__(self, x: np.ndarray, training: bool = ...) -> Any: ...

EPSILON = 1e-12


def check_temperature(temperature: float) -> None:
    if not 0.0 < temperature <= 10.0:
        raise ValueError(f"temperature must be in (0, 10], got {temperature}.")


def apply_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Reweight a distribution (last axis) by ``p ** (1 / T)``; T < 1 sharpens, T > 1 flattens."""
    check_temperature(temperature)
    logits = np.log(np.asarray(probabilities, dtype=np.float64) + EPSILON) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    weights = np.exp(logits)
    return weights / weights.sum(axis=-1, keepdims=True)


def filter_top_k(probabilities: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` most likely ids per row (0 keeps all) and renormalise."""
    if k < 0:
        raise ValueError(f"top_k must be >= 0, got {k}.")
    if k == 0 or k >= probabilities.shape[-1]:
        return probabilities
    threshold = np.sort(probabilities, axis=-1)[..., -k][..., None]
    kept = np.where(probabilities >= threshold, probabilities, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def filter_top_p(probabilities: np.ndarray, p: float) -> np.ndarray:
    """Nucleus filtering: keep the smallest set of ids whose mass reaches ``p`` (1.0 keeps all)."""
    if not 0.0 < p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {p}.")
    if p >= 1.0:
        return probabilities
    order = np.argsort(-probabilities, axis=-1)
    sorted_p = np.take_along_axis(probabilities, order, axis=-1)
    keep_sorted = np.cumsum(sorted_p, axis=-1) - sorted_p < p
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=-1)
    kept = np.where(keep, probabilities, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def sample(probabilities: np.ndarray, temperature: float = 1.0, rng: np.random.Generator | None = None) -> int:
    """The seed's ``sample``: one id drawn from ``probabilities`` reweighted by ``temperature``."""
    rng = rng or np.random.default_rng()
    weights = apply_temperature(np.asarray(probabilities).reshape(-1), temperature)
    return int(np.argmax(rng.multinomial(1, weights / weights.sum())))


def sample_rows(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (batch, vocab) matrix of already-filtered probabilities."""
    cumulative = np.cumsum(probabilities, axis=-1)
    draws = rng.random((len(probabilities), 1)) * cumulative[:, -1:]
    return np.minimum((cumulative < draws).sum(axis=-1), probabilities.shape[-1] - 1)


def generate_notes(
    model: WindowNetwork, network_input: np.ndarray, pitchnames: Sequence[str], n_vocab: int,
    n_notes: int = 500, temperature: float = 1.0, rng: np.random.Generator | None = None,
) -> list[str]:
    """The seed's windowed generation: pick a training window, predict, slide by one, repeat.

    ``network_input`` is (windows, length, 1) scaled ids, as the seed builds it. Each new token costs a
    full pass over the window: O(window) per token.
    """
    rng = rng or np.random.default_rng()
    pattern = list(network_input[int(rng.integers(len(network_input)))].reshape(-1))
    output = []
    for _ in range(n_notes):
        x = np.asarray(pattern, dtype="float32").reshape(1, len(pattern), 1)
        prediction = np.asarray(model(x, training=False))[0]
        index = sample(prediction, temperature, rng)
        output.append(pitchnames[index])
        pattern = [*pattern[1:], index / float(n_vocab)]
    return output
