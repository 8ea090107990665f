"""import-magenta: bundles built here in Magenta's format (variables under its names, one V1 checkpoint,
wrapped in a GeneratorBundle), converted, and checked against TF1 semantics computed from the checkpoint.

The reference below re-implements ``BasicLSTMCell`` (gates i, j, f, o over [x, h], forget_bias=1.0),
``MultiRNNCell``, ``AttentionCellWrapper`` and ``fully_connected`` in NumPy straight from the checkpoint's
arrays, independently of the importer's gate re-ordering.
"""

from __future__ import annotations

from pathlib import Path

import note_seq
import numpy as np
import pytest
import tensorflow as tf
from note_seq.protobuf import generator_pb2

from model.__main__ import main
from model.encoding.melody import encoder_sizes
from model.encoding.vocabulary import Vocabulary
from model.generation.artefact import list_models
from model.generation.generate import GenerationSettings, generate_midi, step_model
from model.models import ready
from model.training.folder import keras_network
from model.training.magenta_import import BundleError, import_bundle

TF1 = tf.compat.v1
UNITS = (8, 6)
ATTN = 5
PREFIX = "rnn/multi_rnn_cell/"


def magenta_variables(config: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Random weights under the names events_rnn_graph.py gives them (plus an Adam slot, as real checkpoints hold)."""
    rng = np.random.default_rng(seed)
    n_in, classes = encoder_sizes(config)

    def w(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.4, shape).astype(np.float32)

    out: dict[str, np.ndarray] = {}
    previous = n_in
    for k, u in enumerate(UNITS):
        scope = f"{PREFIX}cell_{k}/" + ("attention_cell_wrapper/" if config == "attention_rnn" and k == 0 else "")
        out[scope + "basic_lstm_cell/kernel"] = w(previous + u, 4 * u)
        out[scope + "basic_lstm_cell/bias"] = w(4 * u)
        previous = u
    if config == "attention_rnn":
        u, wrap = UNITS[0], f"{PREFIX}cell_0/attention_cell_wrapper/"
        out[wrap + "kernel"], out[wrap + "bias"] = w(n_in + u, n_in), w(n_in)
        out[wrap + "attention/attn_w"], out[wrap + "attention/attn_v"] = w(1, 1, u, u), w(u)
        out[wrap + "attention/kernel"], out[wrap + "attention/bias"] = w(2 * u, u), w(u)
        out[wrap + "attn_output_projection/kernel"], out[wrap + "attn_output_projection/bias"] = w(2 * u, u), w(u)
    out["fully_connected/weights"], out["fully_connected/biases"] = w(UNITS[-1], classes), w(classes)
    out["fully_connected/weights/Adam"] = w(UNITS[-1], classes)
    return out


def write_bundle(path: Path, config: str, variables: dict[str, np.ndarray], attn_length: int | None = None) -> Path:
    """A .mag as sequence_generator.create_bundle_file writes it: one V1 checkpoint file plus details; with
    ``attn_length`` the metagraph holds the attention wrapper's reshape constant, as Magenta's graph does."""
    graph = tf.Graph()
    with graph.as_default():
        tf_vars = [TF1.get_variable(name, initializer=value) for name, value in variables.items()]
        if attn_length:
            tf.constant([-1, attn_length, UNITS[0]],
                        name=f"rnn/while/{PREFIX}cell_0/attention_cell_wrapper/Reshape/shape")
        saver = TF1.train.Saver(tf_vars, write_version=TF1.train.SaverDef.V1)
        with TF1.Session() as session:
            session.run(TF1.global_variables_initializer())
            checkpoint = saver.save(session, str(path.parent / f"{config}.ckpt"), write_meta_graph=False)
        metagraph = TF1.train.export_meta_graph(graph=graph).SerializeToString()
    bundle = generator_pb2.GeneratorBundle()
    bundle.generator_details.id = config
    bundle.generator_details.description = f"test {config}"
    bundle.bundle_details.description = "built by the test"
    bundle.checkpoint_file.append(Path(checkpoint).read_bytes())
    bundle.metagraph_file = metagraph
    path.write_bytes(bundle.SerializeToString())
    return path


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def tf1_lstm(x, state, kernel, bias):
    c, h = state
    i, j, f, o = np.split(np.concatenate([x, h], 1) @ kernel + bias, 4, axis=1)
    c = c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j)
    return np.tanh(c) * _sigmoid(o), (c, h)


def reference_distributions(v: dict[str, np.ndarray], inputs: np.ndarray, attention: bool) -> np.ndarray:
    """Next-event softmax at every step, from the checkpoint arrays with TF1 semantics (batch, time, classes)."""
    batch = inputs.shape[0]
    states = [(np.zeros((batch, u)), np.zeros((batch, u))) for u in UNITS]
    wrap = f"{PREFIX}cell_0/attention_cell_wrapper/"
    attns, history = np.zeros((batch, UNITS[0])), np.zeros((batch, ATTN, UNITS[0]))
    outputs = []
    for t in range(inputs.shape[1]):
        x = inputs[:, t]
        for k in range(len(UNITS)):
            if attention and k == 0:
                x = np.concatenate([x, attns], 1) @ v[wrap + "kernel"] + v[wrap + "bias"]
                c, h = states[0]
                i, j, f, o = np.split(np.concatenate([x, h], 1) @ v[wrap + "basic_lstm_cell/kernel"]
                                      + v[wrap + "basic_lstm_cell/bias"], 4, axis=1)
                c = c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j)
                h = np.tanh(c) * _sigmoid(o)
                states[0] = (c, h)
                y = np.concatenate([c, h], 1) @ v[wrap + "attention/kernel"] + v[wrap + "attention/bias"]
                hidden = history @ v[wrap + "attention/attn_w"][0, 0]  # the 1x1 conv2d
                s = (v[wrap + "attention/attn_v"] * np.tanh(hidden + y[:, None])).sum(-1)
                a = np.exp(s - s.max(1, keepdims=True))
                a /= a.sum(1, keepdims=True)
                attns = (a[..., None] * history).sum(1)
                x = (np.concatenate([h, attns], 1) @ v[wrap + "attn_output_projection/kernel"]
                     + v[wrap + "attn_output_projection/bias"])
                history = np.concatenate([history[:, 1:], x[:, None]], 1)
            else:
                c, h = states[k]
                i, j, f, o = np.split(np.concatenate([x, h], 1) @ v[f"{PREFIX}cell_{k}/basic_lstm_cell/kernel"]
                                      + v[f"{PREFIX}cell_{k}/basic_lstm_cell/bias"], 4, axis=1)
                c = c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j)
                h = np.tanh(c) * _sigmoid(o)
                states[k] = (c, h)
                x = h
        logits = x @ v["fully_connected/weights"] + v["fully_connected/biases"]
        e = np.exp(logits - logits.max(1, keepdims=True))
        outputs.append(e / e.sum(1, keepdims=True))
    return np.stack(outputs, 1)


def melody_inputs(bundle, events: list[int]) -> np.ndarray:
    from model.encoding.melody import melody_encoder
    from model.families.melody import encoder_config

    encoder = melody_encoder(encoder_config(bundle.preset.network))
    melody = note_seq.Melody(events)
    return np.asarray([[encoder.events_to_input(melody, i) for i in range(len(events))]], dtype=np.float32)


MELODY = [60, -2, 62, -2, 64, -1, 65, -2, 67, -2, -2, -2, 67, -1, 64, 62, 60, -2, -2, -2, 72, -2, 71, -1]


@pytest.mark.parametrize("config", ["basic_rnn", "lookback_rnn", "attention_rnn"])
def test_import_matches_checkpoint_weights(tmp_path: Path, config: str) -> None:
    variables = magenta_variables(config)
    path = write_bundle(tmp_path / f"{config}.mag", config, variables)
    bundle = import_bundle(path, tmp_path / "model", attention_length=ATTN)
    inputs = melody_inputs(bundle, MELODY)
    expected = reference_distributions({k: v.astype(np.float64) for k, v in variables.items()}, inputs,
                                       config == "attention_rnn")
    logits = np.asarray(keras_network(bundle)(inputs))
    keras_probs = np.exp(logits - logits.max(-1, keepdims=True))
    keras_probs /= keras_probs.sum(-1, keepdims=True)
    assert np.abs(keras_probs - expected).max() < 1e-5
    model = step_model(ready(bundle))
    model.reset(1)
    stepped = np.stack([model.step(inputs[:, t]) for t in range(inputs.shape[1])], 1)
    assert np.abs(stepped - expected).max() < 1e-5
    assert bundle.card["source"] == "pretrained-magenta"
    assert bundle.preset.network.lstm_units == UNITS


def test_imported_bundle_generates_and_is_listed(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "attention_rnn.mag", "attention_rnn", magenta_variables("attention_rnn", 1))
    assert main(["import-magenta", str(path), "--out", str(tmp_path / "models" / "pretrained"),
                 "--attention-length", str(ATTN)]) == 0
    [listed] = list_models(tmp_path / "models")
    [midi] = generate_midi(ready(listed), GenerationSettings(tokens=48, seed=3))
    pitches = [n.pitch for n in midi.instruments[0].notes]
    assert pitches and all(48 <= p < 84 for p in pitches)
    assert isinstance(listed.vocab, Vocabulary) and len(listed.vocab) == 38


def test_unsupported_generator_names_what_is_supported(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "drums.mag", "drum_kit", magenta_variables("basic_rnn"))
    with pytest.raises(BundleError, match=r"'drum_kit' bundle; import-magenta supports .*basic_rnn, lookback_rnn"):
        import_bundle(path, tmp_path / "out")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bad-checkpoint", "missing-variable", "wrong-shape"])
def test_damaged_bundles_fail_with_one_sentence(tmp_path: Path, damage: str) -> None:
    variables = magenta_variables("lookback_rnn")
    if damage == "missing-variable":
        del variables["fully_connected/biases"]
    if damage == "wrong-shape":
        variables["fully_connected/weights"] = np.zeros((UNITS[-1], 7), np.float32)
        variables["fully_connected/biases"] = np.zeros(7, np.float32)
    path = write_bundle(tmp_path / "lookback_rnn.mag", "lookback_rnn", variables)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\xff\x00 not a bundle" * 10)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bad-checkpoint":
        bundle = generator_pb2.GeneratorBundle.FromString(data)
        bundle.checkpoint_file[0] = b"\x00" * 64
        path.write_bytes(bundle.SerializeToString())
    with pytest.raises(BundleError, match="import-magenta supports Magenta's MelodyRNN") as info:
        import_bundle(path, tmp_path / "out")
    assert "\n" not in str(info.value)
    assert main(["import-magenta", str(path), "--out", str(tmp_path / "out2")]) == 2


def test_attention_length_comes_from_the_metagraph(tmp_path: Path) -> None:
    path = write_bundle(tmp_path / "attention_rnn.mag", "attention_rnn", magenta_variables("attention_rnn"), 7)
    assert import_bundle(path, tmp_path / "a").preset.network.attention_length == 7
    assert import_bundle(path, tmp_path / "b", attention_length=5).preset.network.attention_length == 5
    plain = write_bundle(tmp_path / "plain.mag", "attention_rnn", magenta_variables("attention_rnn"))
    assert import_bundle(plain, tmp_path / "c").preset.network.attention_length == 40


def test_old_attention_layout_is_named(tmp_path: Path) -> None:
    old = "rnn/attention_cell_wrapper/multi_rnn_cell/cell_0/"
    variables = {k.replace(f"{PREFIX}cell_0/attention_cell_wrapper/", old): v
                 for k, v in magenta_variables("attention_rnn").items()}
    path = write_bundle(tmp_path / "attention_rnn.mag", "attention_rnn", variables)
    with pytest.raises(BundleError, match="2016 attention_rnn layout"):
        import_bundle(path, tmp_path / "out")
