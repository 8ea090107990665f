"""Weights of a network on one vocabulary carried onto a network on a larger one that grows from it.

A ``grid-voices`` network reads and writes the same events as a ``grid-chords`` one, plus each pitch again for the
melody and the bridge. Training it from nothing costs a GPU run; started from a trained ``grid-chords`` network, the
LSTMs already know bars, chords and durations and only have to learn which voice a note belongs to. Every weight
whose shape does not depend on the vocabulary is copied; along an axis the size of the vocabulary (the embedding's
rows, the output layer's columns and bias) each new event takes its ancestor's slice (``PM_60`` and ``PB_60`` start
as ``P_60``; :func:`model.encoding.tokens.unvoiced`). Keras has no such operation (``set_weights`` wants equal
shapes), hence this module.
"""

from __future__ import annotations

import numpy as np

from model.encoding.tokens import unvoiced
from model.encoding.vocabulary import Vocabulary


def ancestor_ids(old: Vocabulary, new: Vocabulary) -> np.ndarray:
    """For each event of ``new``, the id of the event of ``old`` it grows from; ``ValueError`` if one has none."""
    missing = [event for event in new.events if unvoiced(event) not in old.index]
    if missing:
        raise ValueError(f"The new vocabulary holds {len(missing)} events the old one cannot seed (e.g. "
                         f"{missing[0]!r}); continue from a model trained on the same events.")
    return np.array([old.index[unvoiced(event)] for event in new.events], dtype=np.int64)


def grown_weights(old_weights: list[np.ndarray], new_shapes: list[tuple[int, ...]], old: Vocabulary,
                  new: Vocabulary) -> list[np.ndarray]:
    """``old_weights`` reshaped to ``new_shapes``: equal shapes copied, vocabulary axes gathered by ancestor."""
    if len(old_weights) != len(new_shapes):
        raise ValueError("The two networks are not the same architecture; continue from a model of the same preset "
                         "family.")
    if len(new) <= len(old):
        raise ValueError("The model was trained on another vocabulary; it cannot be continued with this data.")
    ids = ancestor_ids(old, new)
    grown = []
    for weight, shape in zip(old_weights, new_shapes, strict=True):
        for axis, (was, now) in enumerate(zip(weight.shape, shape, strict=False)):
            if was != now and was == len(old) and now == len(new):
                weight = np.take(weight, ids, axis=axis)
        if weight.shape != shape:
            raise ValueError(f"A weight of shape {weight.shape} cannot become {shape}; continue from a model of the "
                             "same preset family.")
        grown.append(weight)
    return grown
