"""8-bit weight products: each within half a level of every weight, for one piece and batches of any size."""

from __future__ import annotations

import numpy as np
import pytest

from model.generation.int8_rows import Int8Rows, quantised


@pytest.mark.parametrize("batch", [1, 2, 4, 5, 9])
def test_a_product_is_off_by_at_most_half_a_level_of_each_weight(batch: int) -> None:
    rng = np.random.default_rng(batch)
    matrix = (rng.normal(0, 0.05, (301, 70)) * rng.uniform(0.1, 3, (301, 1))).astype(np.float32)
    x = rng.normal(0, 1, (batch, 70)).astype(np.float32)
    rows = Int8Rows(matrix)
    bound = 0.5 * rows.scale[None, :] * np.abs(x).sum(axis=1, keepdims=True)  # |error| <= sum_j |x_j| * scale / 2
    error = np.abs(rows.times(x) - x @ matrix.T)
    assert error.shape == (batch, 301)  # an odd count: the last pair of weight rows is one row
    assert (error <= bound * 1.001 + 1e-6).all()
    assert error.max() > 0  # really 8 bits: a product that stayed float32 would pass the bound too


def test_a_row_of_zeros_gives_zeros() -> None:
    matrix = np.zeros((3, 8), np.float32)
    matrix[1] = np.arange(8)
    got = Int8Rows(matrix).times(np.ones((2, 8), np.float32))
    assert np.array_equal(got[:, [0, 2]], np.zeros((2, 2)))
    assert np.allclose(got[:, 1], 28, rtol=1e-2)


def test_a_vector_comes_back_within_half_a_level_of_its_largest_entry() -> None:
    vectors = np.random.default_rng(0).normal(size=(3, 4, 16)).astype(np.float32)
    values, scale = quantised(vectors)
    assert values.dtype == np.int8 and scale.shape == (3, 4)
    error = np.abs(values * scale[..., None] - vectors)
    assert (error <= 0.5 * scale[..., None] + 1e-7).all() and error.max() > 0
    assert np.array_equal(quantised(np.zeros((2, 5), np.float32))[0], np.zeros((2, 5), np.int8))
