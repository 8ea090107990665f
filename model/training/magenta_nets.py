"""Keras networks equivalent to MelodyRNN's graph (``magenta/models/shared/events_rnn_graph.py``).

Magenta builds ``MultiRNNCell([DropoutWrapper(BasicLSTMCell(128), output_keep_prob=0.5)] * 2)``; with
``attn_length`` the *first* layer's cell is wrapped in ``AttentionCellWrapper(cell, attn_length,
state_is_tuple=True)`` (``make_rnn_cell``: "Add attention wrapper to first layer"). The outputs go
through ``tf_slim.layers.linear`` (``fully_connected``) to one logit per class; the loss is softmax
cross-entropy. A stacked ``MultiRNNCell`` equals the same layers run one after the other over the whole
sequence, so here each layer is its own Keras RNN:

    inputs (batch, time, input_size)                 note-seq encoder inputs (model.encoding.melody)
    [RNN(AttentionLstmCell(128, attn_length=40))]    attention_rnn's first layer, else LSTM(128)
    Dropout(0.5)                                     DropoutWrapper(output_keep_prob=0.5)
    LSTM(128)                                        BasicLSTMCell(128)
    Dropout(0.5)
    Dense(num_classes)                               fully_connected/weights, biases

Keras's LSTM keeps gates in the order (i, f, c, o) with separate input and recurrent kernels, and its
forget bias is a trained weight initialised to one (``unit_forget_bias``); TF1's ``BasicLSTMCell`` has
one kernel over ``[inputs, h]`` with gates (i, j, f, o) and adds a constant ``forget_bias=1.0``. The two
compute the same function; :mod:`model.training.magenta_import` converts between them.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from model.presets import NetworkConfig

ENCODER_SIZES = {"basic_rnn": (38, 38), "lookback_rnn": (121, 40), "attention_rnn": (74, 40)}
"""(input size, classes) of each configuration's note-seq encoder for notes 48-83, written out so a network
can be built where note-seq is not installed (a GPU host); a test checks it against note-seq."""


class AttentionLstmCell(keras.layers.Layer):
    """``AttentionCellWrapper(BasicLSTMCell(units), attn_length)`` from ``tf.contrib.rnn`` (Magenta's copy
    lives in ``magenta/contrib/rnn.py``), after Cheng et al. 2016 (arXiv:1601.06733).

    State: the LSTM's (c, h), the last attention read ``attns`` (units) and the wrapper's last
    ``attn_length`` outputs ``attn_states`` (flattened). One step, with ``attn_size = attn_vec_size = units``:

    1. ``x = [inputs, attns] @ input_kernel + input_bias``          (wrapper's ``_linear1``, to input size)
    2. ``c, h = LSTM(x, (c, h))``                                  (``basic_lstm_cell``)
    3. ``y = [c, h] @ query_kernel + query_bias``                   (``attention/kernel``; query = flat state)
       ``s_k = sum(attn_v * tanh(attn_states_k @ attn_w + y))``    (``attention/attn_w`` is a 1x1 conv)
       ``attns = sum_k softmax(s)_k * attn_states_k``
    4. ``output = [h, attns] @ output_kernel + output_bias``        (``attn_output_projection``)
    5. ``attn_states`` drops its oldest entry and appends ``output``.
    """

    def __init__(self, units: int, attention_length: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units, self.attention_length = units, attention_length
        self.state_size = [units, units, units, units * attention_length]
        self.output_size = units

    def build(self, input_shape: Any) -> None:
        n_in, u = int(input_shape[-1]), self.units
        self.input_kernel = self.add_weight((n_in + u, n_in), initializer="glorot_uniform", name="input_kernel")
        self.input_bias = self.add_weight((n_in,), initializer="zeros", name="input_bias")
        self.kernel = self.add_weight((n_in, 4 * u), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight((u, 4 * u), initializer="orthogonal", name="recurrent_kernel")

        def unit_forget(shape: Any, dtype: Any = None) -> Any:
            return ops.concatenate([ops.zeros((u,)), ops.ones((u,)), ops.zeros((2 * u,))])

        self.bias = self.add_weight((4 * u,), initializer=unit_forget, name="bias")
        self.attn_w = self.add_weight((u, u), initializer="glorot_uniform", name="attn_w")
        self.attn_v = self.add_weight((u,), initializer="random_uniform", name="attn_v")
        self.query_kernel = self.add_weight((2 * u, u), initializer="glorot_uniform", name="query_kernel")
        self.query_bias = self.add_weight((u,), initializer="zeros", name="query_bias")
        self.output_kernel = self.add_weight((2 * u, u), initializer="glorot_uniform", name="output_kernel")
        self.output_bias = self.add_weight((u,), initializer="zeros", name="output_bias")
        self.built = True

    def call(self, inputs: Any, states: Any, training: Any = None) -> Any:
        c, h, attns, flat = states
        u, length = self.units, self.attention_length
        history = ops.reshape(flat, (-1, length, u))
        x = ops.matmul(ops.concatenate([inputs, attns], axis=-1), self.input_kernel) + self.input_bias
        z = ops.matmul(x, self.kernel) + ops.matmul(h, self.recurrent_kernel) + self.bias
        i, f, g, o = ops.split(z, 4, axis=-1)
        c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        h = ops.sigmoid(o) * ops.tanh(c)
        query = ops.matmul(ops.concatenate([c, h], axis=-1), self.query_kernel) + self.query_bias
        features = ops.matmul(history, self.attn_w) + ops.expand_dims(query, 1)
        scores = ops.sum(self.attn_v * ops.tanh(features), axis=-1)
        weights = ops.softmax(scores, axis=-1)
        attns = ops.sum(ops.expand_dims(weights, -1) * history, axis=1)
        output = ops.matmul(ops.concatenate([h, attns], axis=-1), self.output_kernel) + self.output_bias
        history = ops.concatenate([history[:, 1:], ops.expand_dims(output, 1)], axis=1)
        return output, [c, h, attns, ops.reshape(history, (-1, length * u))]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "attention_length": self.attention_length}


# ``use_cudnn=False``: under JAX on an H100 (Keras 3.15.1, jax 0.11.2) the cuDNN LSTM path trained while
# validation of the same weights read 2.93 nats on the GPU against 1.36 when evaluated on the CPU; Keras's
# generic scan path agrees with the CPU. The LSTMs here are small, so the generic path costs little.
def build_magenta_network(config: NetworkConfig, encoder: str) -> keras.Model:
    """The MelodyRNN network of note-seq's ``encoder`` configuration (input size, classes), sized by ``config``."""
    input_size, num_classes = ENCODER_SIZES[encoder]
    model = keras.Sequential(name=config.architecture.replace("-", "_"))
    model.add(keras.Input((None, input_size), dtype="float32", name="melody_inputs"))
    for i, units in enumerate(config.lstm_units):
        if i == 0 and config.attention_length:
            model.add(layers.RNN(AttentionLstmCell(units, config.attention_length, name="attention_cell"),
                                 return_sequences=True, name="attention_lstm_1"))
        else:
            model.add(layers.LSTM(units, return_sequences=True, unit_forget_bias=True, use_cudnn=False,
                                  name=f"lstm_{i + 1}"))
        if config.dropout:
            model.add(layers.Dropout(config.dropout, name=f"dropout_{i + 1}"))
    model.add(layers.Dense(num_classes, name="fully_connected"))
    return model

