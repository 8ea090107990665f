"""The step model generation samples from: the float32 one, its weights and attention cache read in 8 bits.

Why: a step is memory-bound (:mod:`model.generation.int8_rows`); measured on the shipped ``default``, the next-token
distributions of the two models differ by 1.5e-4 nats on average (entropy 1.03) and agree on the likeliest token 99%
of the time (tests/model/generation/test_int8_model.py).
"""

from __future__ import annotations

import copy
import dataclasses
import weakref

from model.generation.int8_attention import Int8CacheAttention
from model.generation.int8_rows import Int8Rows
from model.generation.step import RowBlocks, SelfAttentionWeights, StepModel

_MADE: weakref.WeakKeyDictionary[StepModel, StepModel] = weakref.WeakKeyDictionary()


def int8_twin(model: StepModel) -> StepModel:
    """A step model whose per-step products read int8 weights (:class:`Int8Rows`) and whose self-attention caches its
    keys and values in int8 (:class:`Int8CacheAttention`), made once per float32 model.

    Everything else is the float32 model's, shared: embeddings, biases, norms, and the kernels that whole-sequence
    replays (:meth:`StepModel.run`) multiply as matrices, where float32 BLAS is already fast. The float32 model stays
    as it was, for what must match Keras exactly (the conversion's tests, windowed sampling).
    """
    made = _MADE.get(model)
    if made is None:
        made = _MADE[model] = StepModel([(kind, _with_int8(payload)) for kind, payload in model.stages],
                                        model.outputs_logits)
    return made


def _with_int8(payload: object) -> object:
    """A shallow copy of a stage whose :class:`RowBlocks` products (its own and those of the layers it holds, as
    MelodyRNN's attention cell holds an LSTM) read int8 weights, the self-attention's int8 twin, or the stage as it
    is when it has no products."""
    if not dataclasses.is_dataclass(payload) or isinstance(payload, type):
        return payload
    if isinstance(payload, SelfAttentionWeights):
        return Int8CacheAttention.of(payload)
    changed = {name: Int8Rows(value.whole) if isinstance(value, RowBlocks) else _with_int8(value)
               for name, value in vars(payload).items()
               if isinstance(value, RowBlocks) or dataclasses.is_dataclass(value)}
    if not changed:
        return payload
    twin = copy.copy(payload)
    for name, value in changed.items():
        setattr(twin, name, value)
    return twin
