"""The default family's self-attention with its cache of keys and values in 8 bits.

After the weights (:mod:`model.generation.int8_rows`), the largest read of a step is the attention cache: a piece's
keys and values for up to 1,024 positions, 4 MB in float32, read whole every step, four times over for four pieces.
Kept as int8 with a float32 scale per position and head (as int8 key-value caches of language models keep them), it
is a quarter of that, and the scores and the read run in one compiled loop instead of a batched matrix product per
piece and head (the layer's step at a cache three quarters full, int8 weights either way: 0.31 -> 0.20 ms for one
piece, 0.80 -> 0.61 for four). Queries, the softmax and everything after the read stay float32.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numba import njit

from model.generation.int8_rows import Int8Rows, quantised
from model.generation.step import SelfAttentionWeights


class Int8CacheAttention(SelfAttentionWeights):
    """:class:`SelfAttentionWeights` whose products read int8 weights and whose cache holds int8 keys and values.

    State: keys, their scales, values, their scales ((batch, heads, window, key_dim) and (batch, heads, window)), and
    how many positions are filled (the batch's, as in the float32 layer).
    """

    @classmethod
    def of(cls, layer: SelfAttentionWeights) -> Int8CacheAttention:
        """The float32 layer's weights (shared, not copied), with int8 products."""
        made = cls(**{f.name: getattr(layer, f.name) for f in dataclasses.fields(layer)})
        made.qkv_blocks, made.out_blocks = Int8Rows(layer.qkv.T), Int8Rows(layer.out_kernel.T)
        return made

    def zero_state(self, batch: int) -> tuple[np.ndarray, ...]:
        heads, dim = self.query[1].shape
        cache = np.zeros((batch, heads, self.window, dim), np.int8)
        scales = np.ones((batch, heads, self.window), np.float32)
        return cache, scales, cache.copy(), scales.copy(), np.zeros(1, np.int64)

    def step(self, x: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        keys, key_scales, values, value_scales, filled = state
        heads, dim = self.query[1].shape
        slot, count = int(filled[0]) % self.window, min(int(filled[0]) + 1, self.window)
        qkv = (self.qkv_blocks.times(x) + self.qkv_bias).reshape(len(x), 3, heads, dim)
        keys[:, :, slot], key_scales[:, :, slot] = quantised(qkv[:, 1])
        values[:, :, slot], value_scales[:, :, slot] = quantised(qkv[:, 2])
        read = np.empty((len(x), heads, dim), np.float32)
        _attend(keys, key_scales, values, value_scales, np.ascontiguousarray(qkv[:, 0]), count,
                np.float32(dim**-0.5), read)
        projected = self.out_blocks.times(read.reshape(len(x), heads * dim))
        return self._finish(x, projected), (keys, key_scales, values, value_scales, filled + 1)

    def run(self, xs: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """The float32 layer's whole-sequence pass, its cache then stored in 8 bits."""
        y, (keys, values, filled) = super().run(xs)
        return y, (*quantised(keys), *quantised(values), filled)


@njit(fastmath=True, boundscheck=False, cache=True, nogil=True)
def _attend(keys: np.ndarray, key_scales: np.ndarray, values: np.ndarray, value_scales: np.ndarray,
            queries: np.ndarray, count: int, scale: np.float32, out: np.ndarray) -> None:  # pragma: no cover
    """Each piece's and head's query against its first ``count`` cached keys, softmax, and the values so weighed."""
    weights = np.empty(count, np.float32)
    for b in range(keys.shape[0]):
        for h in range(keys.shape[1]):
            query, top = queries[b, h], np.float32(-np.inf)
            for t in range(count):
                acc = np.float32(0.0)
                for k in range(keys.shape[3]):
                    acc += np.float32(keys[b, h, t, k]) * query[k]
                weights[t] = acc * key_scales[b, h, t] * scale
                top = max(top, weights[t])
            total = np.float32(0.0)
            for t in range(count):
                weights[t] = np.exp(weights[t] - top)
                total += weights[t]
            read = out[b, h]
            read[:] = 0.0
            for t in range(count):
                weight = weights[t] * value_scales[b, h, t] / total
                for k in range(values.shape[3]):
                    read[k] += weight * np.float32(values[b, h, t, k])
