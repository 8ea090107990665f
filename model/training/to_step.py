"""Keras networks to the NumPy step model generation runs (:mod:`model.generation.step`).

The translation reads each layer's weights once; it is the only part of stepping that needs Keras, so it lives
here and a converted model is cached on disk (:func:`model.generation.generate.step_file`) for every later run.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np

from model.generation.artefact import ModelBundle
from model.generation.generate import step_file
from model.generation.step import (
    ActivationOp,
    AttentionWeights,
    DenseOp,
    LstmWeights,
    NormOp,
    SelfAttentionWeights,
    StepModel,
)
from model.training.folder import keras_network
from model.training.magenta_nets import AttentionLstmCell
from model.training.networks import OneHot
from model.training.self_attention import CausalSelfAttention


def step_model_of(network: keras.Model) -> StepModel:
    """The network's layers as NumPy stages; its output is logits when the last layer is a linear Dense."""
    stages: list[tuple[str, object]] = []
    for layer in network.layers:
        stages.extend(_stages_for(layer))
    last = network.layers[-1]
    logits = isinstance(last, keras.layers.Dense) and _activation_name(last) == "linear"
    return StepModel(stages, outputs_logits=logits)


def convert_bundle(bundle: ModelBundle) -> StepModel:
    """The folder's step model from its Keras weights, attached to the bundle and cached for the next process."""
    step = step_model_of(keras_network(bundle))
    with contextlib.suppress(OSError):  # a read-only cache: generation works, only the next start is slower
        step.save(step_file(bundle))
    bundle.step = step
    return step


def _activation_name(layer: keras.layers.Layer) -> str:
    activation = getattr(layer, "activation", None)
    return getattr(activation, "__name__", "linear") if activation is not None else "linear"


def _stages_for(layer: keras.layers.Layer) -> list[tuple[str, object]]:
    """Translate one Keras layer into NumPy stages; unknown layers are an error, not a silent skip."""

    weights = [np.asarray(v, dtype=np.float32) for v in layer.get_weights()]
    if isinstance(layer, keras.layers.Embedding):
        return [("embedding", weights[0])]
    if isinstance(layer, keras.layers.LSTM):
        cell = layer.cell
        if (cell.activation.__name__, cell.recurrent_activation.__name__) != ("tanh", "sigmoid"):
            raise ValueError(f"LSTM {layer.name} must use tanh/sigmoid activations for the step model.")
        return [("lstm", LstmWeights(*weights))]
    if isinstance(layer, keras.layers.RNN) and isinstance(layer.cell, AttentionLstmCell):
        ik, ib, k, r, b, aw, av, qk, qb, ok, ob = weights
        return [("lstm", AttentionWeights(ik, ib, LstmWeights(k, r, b), aw, av, qk, qb, ok, ob,
                                          layer.cell.attention_length))]
    if isinstance(layer, CausalSelfAttention):
        qk, qb, kk, kb, vk, vb, ok, ob, gamma, beta = weights
        return [("lstm", SelfAttentionWeights((qk, qb), (kk, kb), (vk, vb), (ok, ob), gamma, beta,
                                              float(layer.norm.epsilon), int(layer.window)))]
    if isinstance(layer, keras.layers.Dense):
        kernel, bias = weights
        return [("op", DenseOp(kernel, bias, _activation_name(layer)))]
    if isinstance(layer, keras.layers.Activation):
        return [("op", ActivationOp(_activation_name(layer)))]
    if isinstance(layer, keras.layers.BatchNormalization):
        gamma, beta, mean, var = weights
        return [("op", NormOp((gamma / np.sqrt(var + layer.epsilon)).astype(np.float32), mean, beta))]
    if isinstance(layer, keras.layers.Dropout):
        return []
    if isinstance(layer, OneHot):
        return [("embedding", np.eye(layer.depth, dtype=np.float32))]  # one-hot = a row of the identity
    raise ValueError(f"Layer {layer.name} ({type(layer).__name__}) is not supported by the step model.")
