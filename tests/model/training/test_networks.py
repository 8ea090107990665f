"""The networks: the paper's exact architecture, and ours."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from model.generation.step import SelfAttentionWeights
from model.presets import DEFAULT, PAPER, get_preset
from model.training.networks import build_embedding_network, build_paper_network
from model.training.to_step import step_model_of


def lstm_params(inputs: int, units: int) -> int:
    return 4 * units * (inputs + units + 1)


def test_the_paper_network_has_the_seed_layer_list() -> None:
    net = build_paper_network(400, PAPER.network, 100)
    assert [type(layer).__name__ for layer in net.layers] == [
        "LSTM", "LSTM", "LSTM", "BatchNormalization", "Dropout", "Dense", "Activation",
        "BatchNormalization", "Dropout", "Dense", "Activation",
    ]


def test_the_paper_network_uses_three_512_unit_lstms_with_30_percent_recurrent_dropout() -> None:
    net = build_paper_network(400, PAPER.network, 100)
    lstms = [layer for layer in net.layers if isinstance(layer, keras.layers.LSTM)]
    assert [layer.units for layer in lstms] == [512, 512, 512]
    assert [layer.recurrent_dropout for layer in lstms] == [0.3, 0.3, 0.3]
    assert [layer.return_sequences for layer in lstms] == [True, True, False]
    assert net.input_shape == (None, 100, 1)
    assert net.layers[5].units == 256 and net.layers[-2].units == 400
    assert net.layers[-1].activation.__name__ == "softmax"


def test_the_paper_network_parameter_count_matches_the_formula() -> None:
    vocab = 400
    expected = (
        lstm_params(1, 512) + 2 * lstm_params(512, 512)
        + 4 * 512  # batch norm over the LSTM output (gamma, beta, moving mean, moving variance)
        + 512 * 256 + 256  # Dense(256)
        + 4 * 256  # batch norm
        + 256 * vocab + vocab  # Dense(vocab)
    )
    assert build_paper_network(vocab, PAPER.network, 100).count_params() == expected == 5_488_272


def test_the_paper_preset_trains_as_the_seed_did() -> None:
    assert (PAPER.train.optimizer, PAPER.train.epochs, PAPER.train.batch_size) == ("rmsprop", 10, 1024)
    assert (PAPER.data.songs, PAPER.data.sequence_length, PAPER.data.representation) == (250, 100, "paper")


def test_our_network_embeds_ids_and_predicts_every_next_token() -> None:
    net = build_embedding_network(177, DEFAULT.network, DEFAULT.data.sequence_length)
    assert isinstance(net.layers[0], keras.layers.Embedding)
    assert net.output_shape == (None, None, 177)


def test_the_default_network_attends_causally_over_its_lstm_outputs() -> None:
    net = build_embedding_network(40, DEFAULT.network, 16)
    assert [type(layer).__name__ for layer in net.layers][-2:] == ["CausalSelfAttention", "Dense"]
    ids = np.random.default_rng(0).integers(0, 40, (2, 16))
    changed = ids.copy()
    changed[:, 10:] = (ids[:, 10:] + 1) % 40
    before, after = np.asarray(net(ids)), np.asarray(net(changed))
    assert np.allclose(before[:, :10], after[:, :10], atol=1e-5)  # no position reads a later one
    assert not np.allclose(before[:, 10:], after[:, 10:])


def test_the_numpy_step_model_replays_self_attention_exactly() -> None:
    config = dataclasses.replace(DEFAULT.network, lstm_units=(24, 24), embedding_dim=8, dropout=0.0)
    net = build_embedding_network(30, config, 12)
    rng = np.random.default_rng(0)
    for weight in net.weights:
        weight.assign(rng.normal(0, 0.3, weight.shape).astype("float32"))
    ids = rng.integers(0, 30, (3, 12))
    expected = np.asarray(keras.ops.softmax(net(ids)))
    step = step_model_of(net)
    step.reset(3)
    got = np.stack([step.step(ids[:, t]) for t in range(12)], axis=1)
    assert np.abs(expected - got).max() < 1e-5


def test_unknown_presets_and_settings_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="paper, paper-onehot, default"):
        get_preset("jazz")
    with pytest.raises(ValueError, match="epochz"):
        PAPER.with_overrides(epochz=3)


def test_overrides_replace_only_what_they_name() -> None:
    preset = PAPER.with_overrides(songs=3, epochs=1, batch_size=None)
    assert (preset.data.songs, preset.train.epochs, preset.train.batch_size) == (3, 1, 1024)


@pytest.mark.parametrize(
    ("override", "allowed"),
    [({"epochs": 0}, "between 1 and 10000"), ({"batch_size": -5}, "between 1 and 65536"),
     ({"songs": 5000}, "between 1 and 909"), ({"learning_rate": 0.0}, r"\(0, 1\]"),
     ({"sequence_length": 1}, "between 2 and 4096"), ({"max_minutes": -1.0}, "> 0")],
)
def test_absurd_training_settings_name_the_allowed_range(override: dict, allowed: str) -> None:
    with pytest.raises(ValueError, match=allowed):
        PAPER.with_overrides(**override)


def test_the_every_step_objective_trains_the_very_weights_of_the_seed_network() -> None:
    inference = build_paper_network(300, PAPER.network, 100)
    twin = build_paper_network(300, PAPER.network, 100, every_step_from=50)
    assert [w.shape for w in twin.get_weights()] == [w.shape for w in inference.get_weights()]
    assert twin.output_shape == (None, 50, 300)  # one prediction per position with 50+ tokens of context
    inference.set_weights(twin.get_weights())
    window = np.linspace(0, 1, 100, dtype="float32").reshape(1, 100, 1)
    last_of_twin = twin.predict(window, verbose=0)[0, -1]
    np.testing.assert_allclose(inference.predict(window, verbose=0)[0], last_of_twin, rtol=1e-4, atol=1e-6)


def test_the_one_hot_ablation_differs_from_the_seed_only_in_its_input() -> None:
    seed = build_paper_network(300, PAPER.network, 100)
    onehot = build_paper_network(300, get_preset("paper-onehot").network, 100, one_hot=True)
    assert onehot.input_shape == (None, 100)
    assert [type(layer).__name__ for layer in onehot.layers] == ["OneHot"] + [
        type(layer).__name__ for layer in seed.layers]
    assert onehot.count_params() - seed.count_params() == 4 * 512 * (300 - 1)  # wider first input kernel


def random_network(preset: str) -> keras.Model:
    """A small network of the preset's architecture (vocabulary 30, windows of 12) with random weights."""
    config = dataclasses.replace(get_preset(preset).network, lstm_units=(24, 24), embedding_dim=8, dropout=0.0)
    net = (build_paper_network(30, config, 12) if preset == "paper" else build_embedding_network(30, config, 12))
    rng = np.random.default_rng(0)
    for weight in net.weights:
        weight.assign(rng.normal(0, 0.3, weight.shape).astype("float32"))
        if "variance" in weight.path:  # a batch norm's variance stays positive
            weight.assign(np.abs(weight.numpy()) + 0.5)
    return net


@pytest.mark.parametrize("preset", ["default", "paper", "magenta-attention"])
def test_sequences_dropped_from_a_batch_leave_the_others_going_as_before(preset: str) -> None:
    step = step_model_of(random_network(preset))
    ids = np.random.default_rng(2).integers(0, 30, (4, 16))
    inputs = ids / 30 if preset == "paper" else ids
    step.reset(4)
    for t in range(8):
        step.step(inputs[:, t])
    kept = step_model_of(random_network(preset))
    kept.states = step.states
    kept.keep(np.array([1, 3]))
    for t in range(8, 16):
        expected = step.step(inputs[:, t])[[1, 3]]
        assert np.abs(kept.step(inputs[[1, 3], t]) - expected).max() < 1e-5


@pytest.mark.parametrize("preset", ["default", "paper", "magenta-attention"])
def test_a_whole_window_read_at_once_leaves_the_step_models_probabilities_and_states(preset: str) -> None:
    net, rng = random_network(preset), np.random.default_rng(0)
    ids = rng.integers(0, 30, (3, 12))
    inputs = ids / 30 if preset == "paper" else ids
    stepped, whole = step_model_of(net), step_model_of(net)
    stepped.reset(3)
    for t in range(12):
        expected = stepped.step(inputs[:, t])
    assert np.abs(whole.run(inputs) - expected).max() < 1e-5
    follow = ids[:, 0] / 30 if preset == "paper" else ids[:, 0]  # the next step starts from the states left
    assert np.abs(whole.step(follow) - stepped.step(follow)).max() < 1e-5


def test_attention_read_at_once_lets_no_position_see_a_later_one() -> None:
    config = dataclasses.replace(DEFAULT.network, lstm_units=(24, 24), embedding_dim=8, dropout=0.0)
    attention = next(w for kind, w in step_model_of(build_embedding_network(30, config, 12)).stages
                     if isinstance(w, SelfAttentionWeights))
    xs = np.random.default_rng(1).normal(size=(2, 12, 24)).astype(np.float32)
    whole, _ = attention.run(xs)
    state = attention.zero_state(2)
    for t in range(12):
        out, state = attention.step(xs[:, t], state)
        assert np.abs(whole[:, t] - out).max() < 1e-5
