"""Self-attention with int8 keys and values: reads what the float32 cache reads, within the cache's rounding."""

from __future__ import annotations

import dataclasses

import numpy as np

from model.generation.int8_attention import Int8CacheAttention
from model.generation.step import SelfAttentionWeights
from model.presets import DEFAULT
from model.training.networks import build_embedding_network
from model.training.to_step import step_model_of


def attention_layer(window: int = 12) -> SelfAttentionWeights:
    config = dataclasses.replace(DEFAULT.network, lstm_units=(32, 32), embedding_dim=8, dropout=0.0)
    return next(w for _, w in step_model_of(build_embedding_network(30, config, window)).stages
                if isinstance(w, SelfAttentionWeights))


def test_stepping_reads_what_the_float32_layer_reads_past_a_full_window() -> None:
    exact = attention_layer()
    int8 = Int8CacheAttention.of(exact)
    xs = np.random.default_rng(1).normal(size=(3, 30, 32)).astype(np.float32)  # 30 steps: the ring wraps twice
    a, b = exact.zero_state(3), int8.zero_state(3)
    for t in range(30):
        want, a = exact.step(xs[:, t], a)
        got, b = int8.step(xs[:, t], b)
        assert np.abs(got - want).max() < 0.05  # layer-normed outputs of unit scale
    assert b[0].dtype == np.int8 and b[2].dtype == np.int8


def test_a_window_read_at_once_leaves_the_cache_stepping_would_have_left() -> None:
    exact = attention_layer()
    int8 = Int8CacheAttention.of(exact)
    xs = np.random.default_rng(2).normal(size=(2, 12, 32)).astype(np.float32)
    _, state = int8.run(xs)
    stepped = int8.zero_state(2)
    for t in range(12):
        _, stepped = int8.step(xs[:, t], stepped)
    keys, key_scales = state[0] * state[1][..., None], stepped[0] * stepped[1][..., None]
    assert np.abs(keys - key_scales).max() < 1e-2 * np.abs(keys).max()
    assert int(state[4][0]) == int(stepped[4][0]) == 12


def test_dropped_pieces_take_their_cache_and_leave_the_fill_count() -> None:
    int8 = Int8CacheAttention.of(attention_layer())
    state = int8.zero_state(4)
    _, state = int8.step(np.ones((4, 32), np.float32), state)
    kept = int8.keep_rows(state, np.array([0, 2]))
    assert [part.shape[0] for part in kept[:4]] == [2, 2, 2, 2]
    assert kept[4] is state[4]
