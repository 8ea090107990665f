"""8-bit step products: each within half a level of every weight, and pieces sampled from the distributions the
float32 network gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.families import family_of
from model.generation.generate import GenerationSettings, generate_ids, step_model
from model.generation.int8_rows import Int8Rows, int8_products
from model.generation.step import RowBlocks, StepModel
from model.models import open_model
from model.training.to_step import step_model_of
from tests.model.training.test_networks import random_network

MODELS = Path(__file__).resolve().parents[3] / "assets" / "models"


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


def kl_and_agreement(exact: StepModel, int8: StepModel, inputs: np.ndarray) -> tuple[float, float]:
    """Mean KL divergence (nats) of the int8 model's next-token distributions from the float32 model's, teacher-forced
    over ``inputs`` (batch, time), and how often their most likely tokens agree."""
    exact.reset(len(inputs))
    int8.reset(len(inputs))
    kls, agree = [], []
    for t in range(inputs.shape[1]):
        p, q = (np.clip(m.step(inputs[:, t]), 1e-12, 1) for m in (exact, int8))
        kls.append((p * np.log(p / q)).sum(-1))
        agree.append(p.argmax(-1) == q.argmax(-1))
    return float(np.mean(kls)), float(np.mean(agree))


def test_the_shipped_default_samples_from_the_distributions_of_its_float32_network() -> None:
    bundle = open_model(MODELS / "default")
    ids = generate_ids(bundle, GenerationSettings(seed=7, tokens=400), n_pieces=2)
    inputs = family_of(bundle.preset).step_inputs(ids, len(bundle.vocab), bundle.preset.network)
    kl, agree = kl_and_agreement(step_model(bundle), int8_products(step_model(bundle)), inputs)
    assert kl < 1e-3  # measured 1.5e-4 nats over 800 tokens, against an entropy of 1.03
    assert agree > 0.97  # measured 0.991


@pytest.mark.parametrize("preset", ["default", "paper", "magenta-attention"])
def test_every_family_steps_through_int8_products_close_to_float32(preset: str) -> None:
    exact = step_model_of(random_network(preset))
    ids = np.random.default_rng(2).integers(0, 30, (3, 24))
    kl, agree = kl_and_agreement(exact, int8_products(exact), ids / 30 if preset == "paper" else ids)
    assert kl < 1e-3
    assert agree > 0.9


def products(model: StepModel) -> list[type]:
    """The types of the per-step products of a model's stages (RowBlocks for float32, Int8Rows for int8)."""
    return [type(v) for _, stage in model.stages if hasattr(stage, "__dict__") for v in vars(stage).values()
            if isinstance(v, RowBlocks | Int8Rows)]


def test_the_float32_model_is_left_exact_and_its_int8_twin_made_once() -> None:
    exact = step_model_of(random_network("default"))
    twin = int8_products(exact)
    assert int8_products(exact) is twin
    assert set(products(exact)) == {RowBlocks}
    assert set(products(twin)) == {Int8Rows}
    assert len(products(twin)) == len(products(exact)) == 7  # 2 per LSTM (fused, recurrent), qkv, out, the Dense
