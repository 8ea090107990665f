"""O(1)-per-token inference: the trained Keras network replayed one step at a time in NumPy.

The seed re-runs the whole 100-token window through the network for every new token. An LSTM does
not need that: its state after token t summarises tokens 1..t, so carrying the state makes each new
token cost one step of each layer. The weights are read once from the Keras model; the step itself is
plain NumPy, which for a batch of a few sequences beats a framework call by far (no graph dispatch),
and needs neither TensorFlow nor JAX at generation time: the translation from Keras layers lives in
:mod:`model.training.to_step`.

Supported layers: Embedding, LSTM (Keras gate order i, f, c, o; sigmoid/tanh), Dense, Activation,
BatchNormalization (inference statistics), Dropout (identity at inference), MelodyRNN's attention
layer (:class:`model.training.magenta_nets.AttentionLstmCell`), whose state also carries its last outputs, and
the default family's causal self-attention (:class:`model.training.self_attention.CausalSelfAttention`), whose state
is a cache of keys and values.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

Op = Callable[[np.ndarray], np.ndarray]


class Product(Protocol):
    """A weight matrix (out, in) a step multiplies by: :class:`RowBlocks` in float32, or
    :class:`model.generation.int8_rows.Int8Rows`."""

    def times(self, x: np.ndarray) -> np.ndarray:
        """``x @ matrix.T`` for ``x`` (batch, in): (batch, out)."""
        ...


def single_threaded_blas() -> AbstractContextManager[object]:
    """Run steps on one BLAS thread.

    A step is a few matrix-vector products, too small to split across cores: with several threads each
    step waits on hand-offs, and on a busy machine on descheduled spinning threads. Measured on the
    2-core CPU here while another job trained: 700 tokens of the default model in 0.13 s with one
    thread, 5-10 s with two.
    """
    return threadpool_limits(limits=1, user_api="blas")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1.0)


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Op] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "softmax": _softmax,
}


@dataclass
class DenseOp:
    """A Dense layer: ``activation(x @ kernel + bias)``."""

    kernel: np.ndarray
    bias: np.ndarray
    activation: str = "linear"

    def __post_init__(self) -> None:
        self.blocks: Product = RowBlocks(self.kernel.T)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if x.ndim != 2:  # a whole sequence (StepModel.run): one product
            return ACTIVATIONS[self.activation](x @ self.kernel + self.bias)
        return ACTIVATIONS[self.activation](self.blocks.times(x) + self.bias)


@dataclass
class ActivationOp:
    """An Activation layer."""

    activation: str

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return ACTIVATIONS[self.activation](x)


@dataclass
class NormOp:
    """BatchNormalization at inference: ``(x - mean) * scale + beta``."""

    scale: np.ndarray
    mean: np.ndarray
    beta: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean) * self.scale + self.beta


class RowBlocks:
    """A weight matrix (out, in) kept whole and in blocks of :data:`BLOCK_ROWS` rows, for products with a batch.

    One piece is a matrix-vector product over the whole matrix. For a batch, OpenBLAS's matrix product packs the
    whole weight matrix on every call (2.2x a vector product's time at four rows, so four pieces cost about four
    times one); blocks of 128 rows are small enough for its unpacked small-matrix kernel, and four pieces cost a
    block product about what one piece costs a vector product (measured on this 2-core SkylakeX, d=512 -> 2048:
    one piece 0.25 ms, four 0.34 ms whole, 0.17 ms in blocks). NumPy has no other way to reach that kernel.
    """

    def __init__(self, matrix: np.ndarray) -> None:
        self.whole = np.ascontiguousarray(matrix, dtype=np.float32)
        self.blocks = np.split(self.whole, range(BLOCK_ROWS, len(self.whole), BLOCK_ROWS))

    def times(self, x: np.ndarray) -> np.ndarray:
        """``x @ matrix.T`` for ``x`` (batch, in): (batch, out)."""
        if len(x) == 1:
            return (self.whole @ x.T).T
        return np.concatenate([block @ x.T for block in self.blocks]).T


BLOCK_ROWS = 128


def _rows_of(state: tuple[np.ndarray, ...], rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """These rows of every part of a recurrent state whose parts are all (batch, ...)."""
    return tuple(part[rows] for part in state)


@dataclass
class LstmWeights:
    """Input and recurrent kernels stacked into one matrix, so a step is a single matrix product."""

    kernel: np.ndarray
    recurrent: np.ndarray
    bias: np.ndarray

    def __post_init__(self) -> None:
        # Stored transposed, as blocks (RowBlocks): a step's products are ``fused_t @ v.T`` for one piece or a batch.
        self.fused_t: Product = RowBlocks(np.vstack([self.kernel, self.recurrent]).T)
        self.recurrent_t: Product = RowBlocks(self.recurrent.T)

    @property
    def units(self) -> int:
        return self.recurrent.shape[0]

    def zero_state(self, batch: int) -> tuple[np.ndarray, ...]:
        return (np.zeros((batch, self.units), np.float32), np.zeros((batch, self.units), np.float32))

    def step(self, x: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        h, c = _lstm_step(x, (state[0], state[1]), self)
        return h, (h, c)

    keep_rows = staticmethod(_rows_of)

    def step_looked_up(self, z: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """A step whose input product and bias ``z`` (batch, 4 * units) were looked up (:class:`StepModel`)."""
        h, c = _gates(z + self.recurrent_t.times(state[0]), state[1])
        return h, (h, c)

    def run(self, xs: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """All positions of ``xs`` (batch, time, d) from a zero state: the input kernel for every position in one
        product, then only the recurrent product per position."""
        batch, time, _ = xs.shape
        return self.run_looked_up((xs.reshape(batch * time, -1) @ self.kernel + self.bias).reshape(batch, time, -1))

    def run_looked_up(self, projected: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """:meth:`run` from every position's input product and bias, (batch, time, 4 * units), looked up or computed."""
        batch, time, _ = projected.shape
        h, c = self.zero_state(batch)
        out = np.empty((batch, time, self.units), np.float32)
        for t in range(time):
            out[:, t], (h, c) = self.step_looked_up(projected[:, t], (h, c))
        return out, (h, c)


@dataclass
class AttentionWeights:
    """:class:`model.training.magenta_nets.AttentionLstmCell` in NumPy: an LSTM step plus attention over its last
    ``length`` outputs; state (h, c, attns, history and its attention keys, each (batch, length, units))."""

    input_kernel: np.ndarray
    input_bias: np.ndarray
    lstm: LstmWeights
    attn_w: np.ndarray
    attn_v: np.ndarray
    query_kernel: np.ndarray
    query_bias: np.ndarray
    output_kernel: np.ndarray
    output_bias: np.ndarray
    length: int

    def zero_state(self, batch: int) -> tuple[np.ndarray, ...]:
        u = self.lstm.units
        zeros = np.zeros((batch, u), np.float32)
        history = np.zeros((batch, self.length, u), np.float32)
        return zeros, zeros.copy(), zeros.copy(), history, history.copy()

    keep_rows = staticmethod(_rows_of)

    def step(self, x: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        h, c, attns, history, keys = state
        x = np.concatenate([x, attns], axis=1) @ self.input_kernel + self.input_bias
        h, c = _lstm_step(x, (h, c), self.lstm)
        query = np.concatenate([c, h], axis=1) @ self.query_kernel + self.query_bias
        scores = (np.tanh(keys + query[:, None, :]) * self.attn_v).sum(axis=-1)
        attns = (_softmax(scores)[..., None] * history).sum(axis=1)
        output = np.concatenate([h, attns], axis=1) @ self.output_kernel + self.output_bias
        history = np.concatenate([history[:, 1:], output[:, None, :]], axis=1)
        # Each remembered output's attention key (output @ attn_w) is computed once, when it enters the
        # history: a step costs O(length * units) and no (length x units) matrix product, which would also
        # wake BLAS's thread pool.
        keys = np.concatenate([keys[:, 1:], (output @ self.attn_w)[:, None, :]], axis=1)
        return output, (h, c, attns, history, keys)


@dataclass
class SelfAttentionWeights:
    """:class:`model.training.self_attention.CausalSelfAttention` one step at a time: the new position's query reads the
    cached keys and values of the last ``window`` positions (itself included), as in training, where a
    position sees at most its window. State: keys and values (batch, heads, window, key_dim) and how many
    positions are filled; the cache is a ring, since attention does not depend on the order of its keys.

    Every product is a BLAS call: query, key and value in one (d, 3 * heads * key_dim) matrix, and attention as
    batched matrix products over the cache, whose rows per head are contiguous. (It was ``np.einsum``, which
    contracts in C loops without BLAS: 45% of a batch of four pieces' time.)
    """

    query: tuple[np.ndarray, np.ndarray]
    key: tuple[np.ndarray, np.ndarray]
    value: tuple[np.ndarray, np.ndarray]
    output: tuple[np.ndarray, np.ndarray]
    gamma: np.ndarray
    beta: np.ndarray
    epsilon: float
    window: int

    def __post_init__(self) -> None:
        d, heads, dim = self.query[0].shape
        parts = (self.query, self.key, self.value)
        self.qkv = np.ascontiguousarray(np.concatenate([w.reshape(d, heads * dim) for w, _ in parts], axis=1))
        self.qkv_bias = np.concatenate([b.reshape(heads * dim) for _, b in parts])
        self.out_kernel = np.ascontiguousarray(self.output[0].reshape(heads * dim, -1))
        self.qkv_blocks: Product = RowBlocks(self.qkv.T)
        self.out_blocks: Product = RowBlocks(self.out_kernel.T)

    def zero_state(self, batch: int) -> tuple[np.ndarray, ...]:
        heads, dim = self.query[1].shape
        cache = np.zeros((batch, heads, self.window, dim), np.float32)
        return cache, cache.copy(), np.zeros(1, np.int64)

    @staticmethod
    def keep_rows(state: tuple[np.ndarray, ...], rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """The caches of ``rows`` (every part but the last); how many positions are filled (the last) is the batch's,
        shared by every row."""
        *cache, filled = state
        return (*(part[rows] for part in cache), filled)

    def step(self, x: np.ndarray, state: tuple[np.ndarray, ...]) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        keys, values, filled = state
        heads, dim = self.query[1].shape
        slot, count = int(filled[0]) % self.window, min(int(filled[0]) + 1, self.window)
        qkv = (self.qkv_blocks.times(x) + self.qkv_bias).reshape(len(x), 3, heads, dim)
        keys[:, :, slot], values[:, :, slot] = qkv[:, 1], qkv[:, 2]
        scores = np.matmul(keys[:, :, :count], qkv[:, 0, :, :, None])[..., 0] * dim**-0.5
        read = np.matmul(_softmax(scores)[:, :, None, :], values[:, :, :count])[:, :, 0]
        return self._finish(x, self.out_blocks.times(read.reshape(len(x), heads * dim))), (keys, values, filled + 1)

    def run(self, xs: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """All positions of ``xs`` (batch, time, d) from a zero state at once, causally, as training saw them:
        outputs (batch, time, d) and the state after the last. ``time`` must not exceed the window."""
        batch, time, d = xs.shape
        heads, dim = self.query[1].shape
        qkv = (xs.reshape(batch * time, d) @ self.qkv + self.qkv_bias).reshape(batch, time, 3, heads, dim)
        q, k, v = (np.ascontiguousarray(qkv[:, :, i].transpose(0, 2, 1, 3)) for i in range(3))
        scores = np.matmul(q, k.transpose(0, 1, 3, 2)) * dim**-0.5  # a Python float keeps float32
        scores = np.where(np.tri(time, dtype=bool), scores, -np.inf)
        read = np.matmul(_softmax(scores), v).transpose(0, 2, 1, 3).reshape(batch * time, heads * dim)
        keys, values, _ = SelfAttentionWeights.zero_state(self, batch)  # float32 (a subclass may keep another cache)
        keys[:, :, :time], values[:, :, :time] = k, v
        y = self._finish(xs.reshape(batch * time, d), read @ self.out_kernel).reshape(batch, time, d)
        return y, (keys, values, np.array([time], np.int64))

    def _finish(self, x: np.ndarray, projected: np.ndarray) -> np.ndarray:
        """The residual and the layer norm after attention (``projected``: the read through the output kernel)."""
        y = x + projected + self.output[1]
        mean, var = y.mean(axis=-1, keepdims=True), y.var(axis=-1, keepdims=True)
        y = (y - mean) / np.sqrt(var + self.epsilon) * self.gamma + self.beta
        return y.astype(np.float32)


Recurrent = LstmWeights | AttentionWeights | SelfAttentionWeights


class StepModel:
    """A stack of per-step operations with the LSTM states carried between calls.

    ``step(inputs)`` takes one input per sequence in the batch — ids for embedding networks, scaled
    ids for the paper network — and returns next-token probabilities, shape (batch, vocab).
    """

    def __init__(self, stages: list[tuple[str, object]], outputs_logits: bool) -> None:
        self.stages = stages
        self.outputs_logits = outputs_logits
        # An embedding read by an LSTM: each row's input product (plus the bias) computed once for the vocabulary,
        # so a step looks the product up instead of multiplying (a quarter of the first layer's work).
        self.looked_up = {i + 1: table @ lstm.kernel + lstm.bias
                          for i, ((kind, table), (_, lstm)) in enumerate(itertools.pairwise(stages))
                          if kind == "embedding" and isinstance(table, np.ndarray) and isinstance(lstm, LstmWeights)}
        self.states: list[tuple[np.ndarray, ...]] = []

    def save(self, path: Path) -> None:
        """Write the stages as one ``.npz`` (arrays) with a JSON manifest, to load without Keras."""
        arrays: dict[str, np.ndarray] = {}
        manifest = [_stage_manifest(i, kind, payload, arrays) for i, (kind, payload) in enumerate(self.stages)]
        arrays["manifest"] = np.frombuffer(json.dumps({"stages": manifest, "logits": self.outputs_logits}).encode(),
                                           dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]  # numpy stubs read the kwargs as allow_pickle

    @classmethod
    def load(cls, path: Path) -> StepModel:
        """The step model :meth:`save` wrote; NumPy only."""
        with np.load(path, allow_pickle=False) as data:
            manifest = json.loads(bytes(data["manifest"]).decode())
            stages = [(entry["kind"], _stage_from_manifest(entry, data)) for entry in manifest["stages"]]
        return cls(stages, outputs_logits=bool(manifest["logits"]))

    def reset(self, batch: int) -> None:
        self.states = [w.zero_state(batch) for kind, w in self.stages if kind == "lstm" and isinstance(w, Recurrent)]

    def keep(self, rows: np.ndarray) -> None:
        """Go on with only these sequences of the batch (indices into it, in order), dropping the others' states.

        A batch steps as long as its longest sequence; a finished piece whose remaining events are all forced
        need not be stepped (its attention cache alone is 4 MB read per step).
        """
        recurrent = [w for kind, w in self.stages if kind == "lstm" and isinstance(w, Recurrent)]
        self.states = [w.keep_rows(state, rows) for w, state in zip(recurrent, self.states, strict=True)]

    def step(self, inputs: np.ndarray) -> np.ndarray:
        x = np.asarray(inputs)
        if not self.states:
            self.reset(len(x))
        lstm_index = 0
        for i, (kind, payload) in enumerate(self.stages):
            if i + 1 in self.looked_up:
                continue  # the LSTM after it looks its ids up
            if i in self.looked_up and isinstance(payload, LstmWeights):
                ids = x.astype(np.int64).reshape(len(x))  # one id per sequence, (batch,) or (batch, 1)
                x, self.states[lstm_index] = payload.step_looked_up(self.looked_up[i][ids], self.states[lstm_index])
                lstm_index += 1
            elif kind == "embedding":
                x = payload[x.astype(np.int64)]  # type: ignore[index]
            elif kind == "lstm":
                assert isinstance(payload, Recurrent)
                x, self.states[lstm_index] = payload.step(x.reshape(len(x), -1).astype(np.float32),
                                                          self.states[lstm_index])
                lstm_index += 1
            else:
                x = payload(x)  # type: ignore[operator]
        return _softmax(x) if self.outputs_logits else x

    def run(self, inputs: np.ndarray) -> np.ndarray:
        """Start afresh and read whole sequences, ``inputs`` (batch, time, ...): the probabilities after the last
        position, and the states :meth:`step` would have left, layer by layer instead of position by position.

        Replaying a window this way (a primer, or the default family's rebuilt state) costs a third of stepping
        through it: each layer's input products become one matrix product and attention one causal pass; only
        the LSTMs' recurrent products stay one per position. A layer without a whole-sequence form (MelodyRNN's
        attention cell) or a sequence longer than an attention window is stepped through as before.
        """
        inputs = np.asarray(inputs)
        batch, time = inputs.shape[:2]
        if not self._runs_whole(time):
            self.reset(batch)
            probs = np.empty(0)
            for t in range(time):
                probs = self.step(inputs[:, t])
            return probs
        x, self.states = inputs, []
        last_recurrent = max(i for i, (kind, _) in enumerate(self.stages) if kind == "lstm")
        for i, (kind, payload) in enumerate(self.stages):
            if i + 1 in self.looked_up:
                continue  # the LSTM after it looks its ids up, as in step
            if i in self.looked_up and isinstance(payload, LstmWeights):
                x, state = payload.run_looked_up(self.looked_up[i][x.astype(np.int64).reshape(batch, time)])
                self.states.append(state)
            elif kind == "embedding":
                x = payload[x.astype(np.int64)]  # type: ignore[index]
            elif isinstance(payload, LstmWeights | SelfAttentionWeights):
                x, state = payload.run(x.reshape(batch, time, -1).astype(np.float32))
                self.states.append(state)
            else:
                x = payload(x)  # type: ignore[operator]
            if i == last_recurrent:
                x = x[:, -1:]  # the layers after the last recurrent one work per position: only the last is wanted
        last = x[:, -1]
        return _softmax(last) if self.outputs_logits else last

    def _runs_whole(self, time: int) -> bool:
        return all(isinstance(w, LstmWeights) or (isinstance(w, SelfAttentionWeights) and time <= w.window)
                   for kind, w in self.stages if kind == "lstm")


def _lstm_step(x: np.ndarray, state: tuple[np.ndarray, np.ndarray], w: LstmWeights) -> tuple[np.ndarray, np.ndarray]:
    h, c = state
    return _gates(w.fused_t.times(np.concatenate([x, h], axis=1)) + w.bias, c)


def _gates(z: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The LSTM's new (h, c) from its gates' pre-activations ``z`` (Keras order i, f, c, o) and the old cell."""
    u = z.shape[-1] // 4  # slices, not np.split: its bookkeeping cost 6% of a step
    i, f, g, o = z[:, :u], z[:, u:2 * u], z[:, 2 * u:3 * u], z[:, 3 * u:]
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


STAGE_TYPES: dict[str, type] = {t.__name__: t for t in (DenseOp, ActivationOp, NormOp, LstmWeights, AttentionWeights,
                                                         SelfAttentionWeights)}


def _stage_manifest(i: int, kind: str, payload: object, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """One stage's entry: its type and scalar fields; its arrays go into ``arrays`` under ``s<i>.<path>``."""
    if isinstance(payload, np.ndarray):  # an embedding table
        arrays[f"s{i}.table"] = payload
        return {"kind": kind, "type": "table", "array": f"s{i}.table"}
    return {"kind": kind, "type": type(payload).__name__, "fields": _fields(f"s{i}", payload, arrays)}


def _fields(prefix: str, value: object, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        item = getattr(value, f.name)
        key = f"{prefix}.{f.name}"
        if isinstance(item, np.ndarray):
            arrays[key] = item
            out[f.name] = {"array": key}
        elif isinstance(item, tuple):
            for j, part in enumerate(item):
                arrays[f"{key}.{j}"] = part
            out[f.name] = {"arrays": [f"{key}.{j}" for j in range(len(item))]}
        elif dataclasses.is_dataclass(item):
            out[f.name] = {"type": type(item).__name__, "fields": _fields(key, item, arrays)}
        else:
            out[f.name] = {"value": item}
    return out


def _stage_from_manifest(entry: dict[str, Any], data: Any) -> object:
    if entry["type"] == "table":
        return data[entry["array"]]
    return _build(entry["type"], entry["fields"], data)


def _build(type_name: str, fields: dict[str, Any], data: Any) -> object:
    values = {}
    for name, spec in fields.items():
        if "array" in spec:
            values[name] = data[spec["array"]]
        elif "arrays" in spec:
            values[name] = tuple(data[k] for k in spec["arrays"])
        elif "type" in spec:
            values[name] = _build(spec["type"], spec["fields"], data)
        else:
            values[name] = spec["value"]
    return STAGE_TYPES[type_name](**values)
