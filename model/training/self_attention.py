"""Causal self-attention over an LSTM's outputs: how the default family learns to bring phrases back.

Pop songs repeat 4- and 8-bar phrases; an LSTM alone forgets a phrase long before it would repeat it (the
grid LSTM scored a 4-bar self-similarity of 0.29 against POP909's 0.66). Music Transformer (Huang et al.
2018) showed that attention to earlier positions is what lets a model copy and vary what came before;
Magenta's attention_rnn attends over 40 steps, far too few for a phrase of 200 events. This block lets each
position read every earlier position of its window (a few hundred events, 8-16 bars):

    y = LayerNorm(x + MultiHeadAttention(x, x, causal mask))

The LSTM below it supplies order, so no positional encoding is needed. At generation time
:class:`model.generation.step.SelfAttentionWeights` replays it one step at a time with a cache of the last ``window``
keys and values, the longest context the block saw in training.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import layers


class CausalSelfAttention(layers.Layer):
    """Residual multi-head self-attention with a causal mask, then layer normalisation."""

    def __init__(self, heads: int, key_dim: int, window: int, dropout: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heads, self.key_dim, self.window, self.dropout = heads, key_dim, window, dropout
        self.attention = layers.MultiHeadAttention(heads, key_dim, dropout=dropout, name="attention")
        self.norm = layers.LayerNormalization(epsilon=1e-5, name="norm")

    def build(self, input_shape: Any) -> None:
        self.attention.build(input_shape, input_shape)
        self.norm.build(input_shape)

    def call(self, x: Any, training: Any = None) -> Any:
        attended = self.attention(x, x, use_causal_mask=True, training=training)
        return self.norm(x + attended)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "heads": self.heads, "key_dim": self.key_dim, "window": self.window,
                "dropout": self.dropout}


def attention_layer(heads: int, units: int, window: int, dropout: float) -> keras.layers.Layer:
    """The block for an LSTM of ``units`` outputs: ``heads`` heads sharing the width equally."""
    return CausalSelfAttention(heads, max(1, units // heads), window, dropout, name="self_attention")
