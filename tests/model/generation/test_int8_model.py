"""The int8 twin of a step model: pieces sampled from the distributions the float32 network gives, the float32 model
left exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model.families import family_of
from model.generation.generate import GenerationSettings, generate_ids, sampling_model, step_model
from model.generation.int8_attention import Int8CacheAttention
from model.generation.int8_model import int8_twin
from model.generation.int8_rows import Int8Rows
from model.generation.step import RowBlocks, StepModel
from model.models import open_model
from model.training.to_step import step_model_of
from tests.model.training.test_networks import random_network

MODELS = Path(__file__).resolve().parents[3] / "assets" / "models"


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
    kl, agree = kl_and_agreement(step_model(bundle), int8_twin(step_model(bundle)), inputs)
    assert kl < 1e-3  # measured 1.5e-4 nats over 800 tokens, against an entropy of 1.03
    assert agree > 0.97  # measured 0.991


@pytest.mark.parametrize("preset", ["default", "paper", "magenta-attention"])
def test_every_family_steps_through_int8_twin_close_to_float32(preset: str) -> None:
    exact = step_model_of(random_network(preset))
    ids = np.random.default_rng(2).integers(0, 30, (3, 24))
    kl, agree = kl_and_agreement(exact, int8_twin(exact), ids / 30 if preset == "paper" else ids)
    assert kl < 1e-3
    assert agree > 0.9


def products(model: StepModel) -> list[type]:
    """The types of the per-step products of a model's stages (RowBlocks for float32, Int8Rows for int8)."""
    return [type(v) for _, stage in model.stages if hasattr(stage, "__dict__") for v in vars(stage).values()
            if isinstance(v, RowBlocks | Int8Rows)]


def test_the_float32_model_is_left_exact_and_its_int8_twin_made_once() -> None:
    exact = step_model_of(random_network("default"))
    twin = int8_twin(exact)
    assert int8_twin(exact) is twin
    assert set(products(exact)) == {RowBlocks}
    assert set(products(twin)) == {Int8Rows}
    assert len(products(twin)) == len(products(exact)) == 7  # 2 per LSTM (fused, recurrent), qkv, out, the Dense
    assert sum(isinstance(stage, Int8CacheAttention) for _, stage in twin.stages) == 1
    assert not any(isinstance(stage, Int8CacheAttention) for _, stage in exact.stages)


def test_a_rebuilt_state_and_a_stepped_one_agree_in_the_twin() -> None:
    twin = int8_twin(step_model_of(random_network("default")))
    ids = np.random.default_rng(4).integers(0, 30, (2, 12))
    twin.reset(2)
    for t in range(12):
        stepped = twin.step(ids[:, t])
    assert np.abs(twin.run(ids) - stepped).max() < 0.02  # the two paths quantise at different places
    follow = twin.step(ids[:, 0])
    twin.reset(2)
    for t in range(12):
        twin.step(ids[:, t])
    assert np.abs(twin.step(ids[:, 0]) - follow).max() < 0.02


def test_pieces_are_sampled_from_the_int8_twin_unless_float32_is_asked_for() -> None:
    bundle = open_model(MODELS / "default")
    assert sampling_model(bundle, GenerationSettings()) is int8_twin(step_model(bundle))
    assert sampling_model(bundle, GenerationSettings(float32=True)) is step_model(bundle)
