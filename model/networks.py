"""Keras 3 networks, backend-agnostic (TensorFlow on CPU/GPU, or JAX).

Only ``keras.layers`` are used, so weights trained under ``KERAS_BACKEND=jax`` load under TensorFlow.
"""

from __future__ import annotations

import keras
from keras import layers

from model.presets import NetworkConfig, TrainConfig


def build_paper_network(vocab_size: int, config: NetworkConfig, sequence_length: int) -> keras.Model:
    """The seed study's network.

    Input: (sequence_length, 1) ids scaled to [0, 1). Three LSTM(512, recurrent_dropout=0.3), the last
    returning only its final state, then BatchNorm, Dropout(0.3), Dense(256) + ReLU, BatchNorm,
    Dropout(0.3), Dense(vocab) + softmax.
    """
    model = keras.Sequential(name="paper_lstm")
    model.add(keras.Input((sequence_length, 1), name="scaled_ids"))
    last = len(config.lstm_units) - 1
    for i, units in enumerate(config.lstm_units):
        model.add(layers.LSTM(units, recurrent_dropout=config.recurrent_dropout, return_sequences=i < last,
                              name=f"lstm_{i + 1}"))
    model.add(layers.BatchNormalization(name="batch_norm_1"))
    model.add(layers.Dropout(config.dropout, name="dropout_1"))
    model.add(layers.Dense(config.dense_units, name="dense_1"))
    model.add(layers.Activation("relu", name="relu"))
    model.add(layers.BatchNormalization(name="batch_norm_2"))
    model.add(layers.Dropout(config.dropout, name="dropout_2"))
    model.add(layers.Dense(vocab_size, name="dense_out"))
    model.add(layers.Activation("softmax", name="softmax"))
    return model


def build_embedding_network(vocab_size: int, config: NetworkConfig) -> keras.Model:
    """Ours: Embedding, stacked LSTMs predicting at every step, Dense logits.

    The time axis is left open (``None``) so one network trains on windows and runs on any length.
    """
    model = keras.Sequential(name="grid_lstm")
    model.add(keras.Input((None,), dtype="int32", name="ids"))
    model.add(layers.Embedding(vocab_size, config.embedding_dim, name="embedding"))
    for i, units in enumerate(config.lstm_units):
        model.add(layers.LSTM(units, return_sequences=True, recurrent_dropout=config.recurrent_dropout,
                              name=f"lstm_{i + 1}"))
        if config.dropout:
            model.add(layers.Dropout(config.dropout, name=f"dropout_{i + 1}"))
    model.add(layers.Dense(vocab_size, name="logits"))
    return model


def build_network(vocab_size: int, config: NetworkConfig, sequence_length: int) -> keras.Model:
    """The network of ``config.architecture``; the Magenta families live in :mod:`model.magenta_nets`."""
    if config.architecture.startswith("magenta-"):
        from model.magenta_nets import build_magenta_network

        return build_magenta_network(config)
    if config.architecture == "paper":
        return build_paper_network(vocab_size, config, sequence_length)
    return build_embedding_network(vocab_size, config)


def compile_network(model: keras.Model, network: NetworkConfig, train: TrainConfig) -> None:
    """Loss and optimiser per family: one-hot softmax for the seed, sparse logits for ours."""
    optimizer: keras.optimizers.Optimizer
    if network.architecture.startswith("magenta-"):
        # MelodyRNN: Adam, gradients clipped by their global norm (tf.clip_by_global_norm in events_rnn_graph).
        optimizer = keras.optimizers.Adam(train.learning_rate, global_clipnorm=train.clipnorm)
    elif train.optimizer == "rmsprop":
        optimizer = keras.optimizers.RMSprop(train.learning_rate, clipnorm=train.clipnorm)
    else:
        optimizer = keras.optimizers.Adam(train.learning_rate, clipnorm=train.clipnorm)
    if network.architecture == "paper":
        model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        model.compile(optimizer=optimizer, loss=loss, metrics=["sparse_categorical_accuracy"])
