"""A step's weight matrices in 8 bits: the same products read from a quarter of the memory.

A step of ``default`` is a handful of matrix-vector products over about 18 MB of float32 weights, more than a core's
caches hold, so its time is the time to read them (about 27 GB/s on the 2-core machine here: 0.6 ms a step, half of
it). Stored as int8 with one float32 scale per output row (symmetric, as in the dynamic quantisation of recurrent
networks that inference libraries ship), a product reads 4.5 MB: one piece's products take 0.13 ms where OpenBLAS's
float32 ``gemv`` takes 0.30 (a 2048 x 1024 matrix), four pieces' 0.20 where its blocks take 0.37. Each weight moves by
at most half of one of its row's 255 levels (0.4% of the row's largest weight); what that does to a piece is measured
against the float32 network in tests/model/generation/test_int8_model.py and by ``bench/quality.py --float32``.

Why not a library: NumPy's OpenBLAS has no reduced-precision product (no ``sbgemv``), and int8 matrices
times float vectors are not a NumPy operation; numba (already pinned: ``note-seq`` imports ``librosa``, which needs it)
compiles the two loops below to vectorised machine code, cached on disk after the first run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

LEVELS = 127
"""The largest magnitude of a row's weights maps to this int8 value (symmetric: -127..127)."""


def quantised(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectors (..., dim) as int8 and one float32 scale each (...,): ``values * scale[..., None]`` approximates them,
    each entry within half a level. An all-zero vector gets scale 1 (and zeros)."""
    largest = np.abs(vectors).max(axis=-1)
    scale = np.where(largest > 0, largest / LEVELS, 1.0).astype(np.float32)
    return np.round(vectors / scale[..., None]).astype(np.int8), scale


class Int8Rows:
    """A weight matrix (out, in) as int8 rows and a scale per row; :meth:`times` as :class:`RowBlocks` has it."""

    def __init__(self, matrix: np.ndarray) -> None:
        values, self.scale = quantised(np.asarray(matrix, dtype=np.float32))
        self.values = np.ascontiguousarray(values)

    def times(self, x: np.ndarray) -> np.ndarray:
        """``x @ matrix.T`` for ``x`` (batch, in): (batch, out), float32."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        out = np.empty((len(x), len(self.values)), np.float32)
        if len(x) == 1:
            _one_row(self.values, self.scale, x[0], out[0])
        else:
            _four_rows(self.values, self.scale, x, out)
        return out


@njit(fastmath=True, boundscheck=False, cache=True, nogil=True)
def _one_row(values: np.ndarray, scale: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """One piece: a dot product per weight row (numba vectorises the inner loop)."""
    for i in range(values.shape[0]):
        acc = np.float32(0.0)
        for j in range(values.shape[1]):
            acc += np.float32(values[i, j]) * x[j]
        out[i] = acc * scale[i]


@njit(fastmath=True, boundscheck=False, cache=True, nogil=True)
def _four_rows(values: np.ndarray, scale: np.ndarray, x: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """A batch, four pieces by two weight rows at a time: each weight is read and widened once for four products, and
    eight sums run side by side (four alone left the FMA units waiting on each other: 0.25 ms against 0.20 for a
    2048 x 1024 matrix). The last group repeats its last piece and row rather than branch in the inner loop."""
    batch, n = x.shape[0], values.shape[0]
    for first in range(0, batch, 4):
        x0, x1 = x[first], x[min(first + 1, batch - 1)]
        x2, x3 = x[min(first + 2, batch - 1)], x[min(first + 3, batch - 1)]
        for i in range(0, n, 2):
            k = min(i + 1, n - 1)
            a0 = a1 = a2 = a3 = b0 = b1 = b2 = b3 = np.float32(0.0)
            for j in range(values.shape[1]):
                v, w = np.float32(values[i, j]), np.float32(values[k, j])
                a0 += v * x0[j]
                a1 += v * x1[j]
                a2 += v * x2[j]
                a3 += v * x3[j]
                b0 += w * x0[j]
                b1 += w * x1[j]
                b2 += w * x2[j]
                b3 += w * x3[j]
            for r, (a, b) in enumerate(((a0, b0), (a1, b1), (a2, b2), (a3, b3))):
                if first + r < batch:
                    out[first + r, i] = a * scale[i]
                    out[first + r, k] = b * scale[k]
