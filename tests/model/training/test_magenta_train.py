"""The three MelodyRNN presets train a few steps on real POP909 melodies (real TensorFlow), and their model
folders generate valid, renderable MIDI through the same API as our LSTM."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from model.__main__ import main
from model.encoding.melody import WindowEncoder
from model.generation.artefact import ModelBundle, list_models
from model.generation.generate import (
    GenerationSettings,
    generate_ids,
    generate_midi,
    primer_from_midi,
    primer_from_song,
    step_model,
)
from model.models import open_model
from model.music.pop909 import list_songs
from model.presets import PRESETS, get_preset
from model.training.folder import keras_network
from model.training.magenta_nets import AttentionLstmCell
from model.training.prepare import prepare_data
from model.training.train import train

MAGENTA = ("magenta-basic", "magenta-lookback", "magenta-attention")


def tiny(name: str):
    return get_preset(name).with_overrides(
        songs=4, lstm_units=(16, 16), sequence_length=32, window_stride=32, batch_size=8, epochs=1,
        steps_per_epoch=2, validation_batches=1, attention_length=8 if name == "magenta-attention" else None,
    )


@pytest.fixture(scope="module")
def magenta_models(pop909_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModelBundle]:
    root = tmp_path_factory.mktemp("magenta-models")
    for name in MAGENTA:
        train(tiny(name), root / name, pop909_dir, verbose=0, log=lambda _: None)
    return {name: open_model(root / name) for name in MAGENTA}


def test_presets_follow_melody_rnn_hparams() -> None:
    for name in MAGENTA:
        p = PRESETS[name]
        assert p.network.lstm_units == (128, 128) and p.network.dropout == 0.5 and p.train.batch_size == 128
        assert p.train.learning_rate == 1e-3 and p.data.representation == "melody"
    assert PRESETS["magenta-attention"].network.attention_length == 40
    assert PRESETS["magenta-attention"].train.clipnorm == 3.0 and PRESETS["magenta-basic"].train.clipnorm == 5.0


def test_train_help_lists_magenta_presets(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in MAGENTA)


def test_prepared_batches_are_note_seq_encodings(pop909_dir: Path) -> None:
    preset = tiny("magenta-lookback")
    data = prepare_data(preset, pop909_dir, log=lambda _: None)
    x, y = data.train[0]
    assert x.shape == (8, 32, 121) and y.shape == (8, 32) and y.max() < 40
    song, start = data.train.starts[int(data.train.order[0])]
    expected_x, expected_y = WindowEncoder("lookback_rnn")(
        data.train.sequences[song][start:start + 33].astype(np.int64), data.vocab.events)
    np.testing.assert_array_equal(x[0], expected_x)
    np.testing.assert_array_equal(y[0], expected_y)


@pytest.mark.parametrize("name", MAGENTA)
def test_trained_folder_generates_valid_midi(magenta_models: dict[str, ModelBundle], name: str) -> None:
    bundle = magenta_models[name]
    assert bundle.card["best_validation_loss"] > 0 and bundle.card["best_validation_accuracy"] is not None
    pieces = generate_midi(bundle, GenerationSettings(tokens=64, seed=1, temperature=1.0, top_k=10), n_pieces=2)
    for midi in pieces:
        buffer = io.BytesIO()
        midi.write(buffer)
        reread = pretty_midi.PrettyMIDI(io.BytesIO(buffer.getvalue()))
        notes = reread.instruments[0].notes
        assert notes and all(48 <= n.pitch < 84 and n.end > n.start for n in notes)
        starts = [n.start for n in notes]
        assert starts == sorted(starts) and all(a.end <= b.start + 1e-6 for a, b in itertools.pairwise(notes))


def test_generation_is_seeded_and_primed(magenta_models: dict[str, ModelBundle], pop909_dir: Path) -> None:
    bundle = magenta_models["magenta-attention"]
    settings = GenerationSettings(tokens=40, seed=7)
    assert np.array_equal(generate_ids(bundle, settings, 2), generate_ids(bundle, settings, 2))
    song = list_songs(pop909_dir)[0]
    primer = primer_from_song(bundle, song, start_bar=8, bars=2)
    assert 0 < len(primer) <= 32 and len(primer) % 16 == 0  # whole bars, from the first note of the window
    assert generate_ids(bundle, settings, 1, primer).shape == (1, 40)
    midi_primer = primer_from_midi(bundle, song.midi.read_bytes(), max_events=48)
    assert len(midi_primer) == 48


def test_step_model_matches_keras_on_trained_attention(magenta_models: dict[str, ModelBundle]) -> None:
    bundle = magenta_models["magenta-attention"]
    network = keras_network(bundle)
    assert any(isinstance(getattr(layer, "cell", None), AttentionLstmCell) for layer in network.layers)
    x = np.random.default_rng(0).choice([0.0, 1.0, -1.0], size=(2, 20, 74)).astype(np.float32)
    logits = np.asarray(network(x))
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    expected /= expected.sum(-1, keepdims=True)
    model = step_model(bundle)
    model.reset(2)
    got = np.stack([model.step(x[:, t]) for t in range(20)], 1)
    assert np.abs(got - expected).max() < 1e-5


def test_model_list_includes_magenta_sources(magenta_models: dict[str, ModelBundle]) -> None:
    root = next(iter(magenta_models.values())).path.parent
    names = {b.path.name for b in list_models(root)}
    assert set(MAGENTA) <= names


def test_generated_melody_renders(magenta_models: dict[str, ModelBundle]) -> None:
    from audio.render import render_midi

    [midi] = generate_midi(magenta_models["magenta-basic"], GenerationSettings(tokens=64, seed=2))
    samples, rate = render_midi(midi)
    assert rate > 0 and samples.size > 0 and np.abs(samples).max() > 0
