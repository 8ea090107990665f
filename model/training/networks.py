"""Keras 3 networks, backend-agnostic (TensorFlow on CPU/GPU, or JAX).

Only ``keras.layers`` are used, so weights trained under ``KERAS_BACKEND=jax`` load under TensorFlow.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from model.families import family_of
from model.families.base import EmbeddingNetwork, MelodyRnnNetwork, SeedNetwork
from model.presets import NetworkConfig, Preset
from model.training.magenta_nets import build_magenta_network
from model.training.self_attention import attention_layer


@keras.saving.register_keras_serializable(package="lstm_music_lab")
class OneHot(layers.Layer):
    """Token ids to one-hot vectors; no weights, so the ``paper-onehot`` ablation differs from the seed's
    network only in how a token enters the first LSTM."""

    def __init__(self, depth: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.depth = depth

    def call(self, ids: object) -> object:
        return ops.one_hot(ops.cast(ids, "int32"), self.depth)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return (*input_shape, self.depth)

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "depth": self.depth}


def build_paper_network(
    vocab_size: int, config: NetworkConfig, sequence_length: int, every_step_from: int | None = None,
    one_hot: bool = False,
) -> keras.Model:
    """The seed study's network.

    Input: (sequence_length, 1) ids scaled to [0, 1) (``paper``) or (sequence_length,) ids one-hot encoded
    (``paper-onehot``). Three LSTM(512, recurrent_dropout=0.3), the last returning only its final state,
    then BatchNorm, Dropout(0.3), Dense(256) + ReLU, BatchNorm, Dropout(0.3), Dense(vocab) + softmax.

    ``every_step_from=N`` builds the training twin for the every-step objective: the last LSTM returns
    every step, the first N steps are cropped, and the head runs on each remaining step. The weights are
    the same tensors in the same order, so they load into the seed's network unchanged.
    """
    model = keras.Sequential(name="paper_lstm")
    if one_hot:  # paper-onehot
        model.add(keras.Input((sequence_length,), dtype="int32", name="ids"))
        model.add(OneHot(vocab_size, name="one_hot"))
    else:
        model.add(keras.Input((sequence_length, 1), name="scaled_ids"))
    last = len(config.lstm_units) - 1
    for i, units in enumerate(config.lstm_units):
        model.add(layers.LSTM(units, recurrent_dropout=config.recurrent_dropout,
                              return_sequences=i < last or every_step_from is not None, name=f"lstm_{i + 1}"))
    if every_step_from is not None:
        model.add(layers.Cropping1D((every_step_from, 0), name="targets_with_context"))
    model.add(layers.BatchNormalization(name="batch_norm_1"))
    model.add(layers.Dropout(config.dropout, name="dropout_1"))
    model.add(layers.Dense(config.dense_units, name="dense_1"))
    model.add(layers.Activation("relu", name="relu"))
    model.add(layers.BatchNormalization(name="batch_norm_2"))
    model.add(layers.Dropout(config.dropout, name="dropout_2"))
    model.add(layers.Dense(vocab_size, name="dense_out"))
    model.add(layers.Activation("softmax", name="softmax"))
    return model


def cudnn_setting() -> str | bool:
    """Keras's cuDNN LSTM kernel, except under JAX: there, on an H100, it validated the same weights at 2.93
    nats against 1.36 from the generic path and the CPU (see :mod:`model.training.magenta_nets`)."""
    return False if keras.backend.backend() == "jax" else "auto"


def build_embedding_network(vocab_size: int, config: NetworkConfig, sequence_length: int = 0) -> keras.Model:
    """Ours: Embedding, stacked LSTMs predicting at every step, optional causal self-attention
    (:mod:`model.training.self_attention`, over windows of ``sequence_length``), Dense logits.

    The time axis is left open (``None``) so one network trains on windows and runs on any length.
    """
    model = keras.Sequential(name="grid_lstm")
    model.add(keras.Input((None,), dtype="int32", name="ids"))
    model.add(layers.Embedding(vocab_size, config.embedding_dim, name="embedding"))
    for i, units in enumerate(config.lstm_units):
        model.add(layers.LSTM(units, return_sequences=True, recurrent_dropout=config.recurrent_dropout,
                              use_cudnn=cudnn_setting(), name=f"lstm_{i + 1}"))
        if config.dropout:
            model.add(layers.Dropout(config.dropout, name=f"dropout_{i + 1}"))
    if config.self_attention_heads:
        model.add(attention_layer(config.self_attention_heads, config.lstm_units[-1], sequence_length,
                                  config.dropout))
    model.add(layers.Dense(vocab_size, name="logits"))
    return model


def build_network(vocab_size: int, preset: Preset, every_step_from: int | None = None) -> keras.Model:
    """The network of the preset's family, by its kind (:mod:`model.families.base`), sized by the preset.

    ``every_step_from`` builds the seed network's every-step training twin; other kinds predict every step anyway.
    """
    config, length = preset.network, preset.data.sequence_length
    match family_of(preset).network(config):
        case SeedNetwork(one_hot=one_hot):
            return build_paper_network(vocab_size, config, length, every_step_from, one_hot=one_hot)
        case MelodyRnnNetwork(config=encoder):
            return build_magenta_network(config, encoder)
        case EmbeddingNetwork():
            return build_embedding_network(vocab_size, config, length)
    raise TypeError(f"No Keras builder for {family_of(preset).network(config)!r}.")


def compile_network(model: keras.Model, preset: Preset) -> None:
    """Loss and optimiser by the network's kind: one-hot softmax for the seed, sparse logits for the others."""
    kind, train = family_of(preset).network(preset.network), preset.train
    optimizer: keras.optimizers.Optimizer
    if isinstance(kind, MelodyRnnNetwork):
        # MelodyRNN: Adam, gradients clipped by their global norm (tf.clip_by_global_norm in events_rnn_graph).
        optimizer = keras.optimizers.Adam(train.learning_rate, global_clipnorm=train.clipnorm)
    elif train.optimizer == "rmsprop":
        optimizer = keras.optimizers.RMSprop(train.learning_rate, clipnorm=train.clipnorm)
    else:
        optimizer = keras.optimizers.Adam(train.learning_rate, clipnorm=train.clipnorm)
    if isinstance(kind, SeedNetwork) and train.objective == "last":
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    elif isinstance(kind, SeedNetwork):
        # Every-step targets are ids: a one-hot tensor of (batch, steps, 749) per batch would dwarf the inputs.
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["sparse_categorical_accuracy"])
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=optimizer, loss=loss, metrics=["sparse_categorical_accuracy"])
