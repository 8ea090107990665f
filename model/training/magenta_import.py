"""Import Google's pretrained MelodyRNN bundles (``.mag``) as model folders, without the magenta package.

A bundle is a ``GeneratorBundle`` protobuf (its definition ships with note-seq as
``note_seq.protobuf.generator_pb2``): ``generator_details.id`` names the configuration (``basic_rnn``,
``lookback_rnn``, ``attention_rnn``), ``checkpoint_file`` holds one TensorFlow checkpoint file in the V1
format and ``metagraph_file`` the graph (``magenta/models/shared/sequence_generator.py``). The checkpoint
is read with ``tf.compat.v1.train.NewCheckpointReader`` and its variables, named as
``events_rnn_graph.py`` creates them, are copied onto :func:`model.training.magenta_nets.build_magenta_network`:

==========================================================================  ===============================
checkpoint variable                                                          Keras weights
==========================================================================  ===============================
``rnn/multi_rnn_cell/cell_k/basic_lstm_cell/{kernel,bias}``                 ``lstm_{k+1}`` (gates re-ordered)
``rnn/multi_rnn_cell/cell_0/attention_cell_wrapper/basic_lstm_cell/...``    the attention layer's LSTM
``.../attention_cell_wrapper/{kernel,bias}``                                 ``input_kernel``, ``input_bias``
``.../attention_cell_wrapper/attention/{attn_w,attn_v,kernel,bias}``         ``attn_w``, ``attn_v``, ``query_*``
``.../attention_cell_wrapper/attn_output_projection/{kernel,bias}``          ``output_kernel``, ``output_bias``
``fully_connected/{weights,biases}``                                         ``fully_connected``
==========================================================================  ===============================

TF1's ``BasicLSTMCell`` has one kernel over ``[inputs, h]`` with gates (i, j, f, o) and adds
``forget_bias=1.0`` to f; Keras's LSTM has separate input and recurrent kernels, gates (i, f, c, o) and
a trained forget bias, so the kernel is split, the gates re-ordered and 1.0 added to the forget bias.
TF 1.0-era names (``weights``/``biases``, ``Linear/Matrix``/``Linear/Bias``) are accepted too. The
attention length is not a variable: it is read from the metagraph (the wrapper reshapes its state to
``[-1, attn_length, attn_size]``), else Magenta's default of 40 is used, unless the caller gives one.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from model.generation.artefact import ModelBundle, load_bundle
from model.presets import Preset, get_preset
from model.training.folder import save_bundle

GENERATORS = {"basic_rnn": "magenta-basic", "lookback_rnn": "magenta-lookback", "attention_rnn": "magenta-attention"}
SUPPORTED = (f"import-magenta supports Magenta's MelodyRNN generator bundles {', '.join(GENERATORS)} "
             f"({', '.join(g + '.mag' for g in GENERATORS)})")
DEFAULT_ATTENTION_LENGTH = 40
FORGET_BIAS = 1.0

_KERNEL = r"(?:kernel|weights|Linear/Matrix)"
_BIAS = r"(?:bias|biases|Linear/Bias)"
_CELL = r"rnn/multi_rnn_cell/cell_{k}/"
_WRAP = r"rnn/multi_rnn_cell/cell_0/attention_cell_wrapper/"


class BundleError(ValueError):
    """A file that is not a usable MelodyRNN bundle; the message says what is supported."""


def read_bundle(path: Path) -> Any:
    """The ``GeneratorBundle`` in ``path``; anything that does not parse as one is a :class:`BundleError`."""
    from google.protobuf.message import DecodeError
    from note_seq.protobuf import generator_pb2

    bundle = generator_pb2.GeneratorBundle()
    try:
        bundle.ParseFromString(Path(path).read_bytes())
    except (DecodeError, ValueError, RuntimeError) as exc:
        raise BundleError(f"{path} is damaged or not a Magenta generator bundle ({exc}); {SUPPORTED}.") from exc
    if not bundle.generator_details.id or not bundle.checkpoint_file:
        raise BundleError(f"{path} is damaged or not a Magenta generator bundle (no generator id or no "
                          f"checkpoint); {SUPPORTED}.")
    return bundle


def checkpoint_arrays(bundle: Any, source: Path) -> dict[str, np.ndarray]:
    """Every variable of the bundle's checkpoint, by name (optimizer slots included; they are ignored later)."""
    import tensorflow as tf

    if len(bundle.checkpoint_file) != 1:
        raise BundleError(f"{source} holds {len(bundle.checkpoint_file)} checkpoint files where Magenta writes one "
                          f"(V1 format); {SUPPORTED}.")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.ckpt"
        path.write_bytes(bundle.checkpoint_file[0])
        try:
            reader = tf.compat.v1.train.NewCheckpointReader(str(path))
            return {name: np.asarray(reader.get_tensor(name)) for name in reader.get_variable_to_shape_map()}
        except Exception as exc:  # TensorFlow raises DataLossError, NotFoundError, ... for bad bytes
            raise BundleError(f"{source}: its checkpoint cannot be read ({type(exc).__name__}); "
                              f"{SUPPORTED}.") from exc


def tf1_lstm_to_keras(kernel: np.ndarray, bias: np.ndarray, forget_bias: float = FORGET_BIAS
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``BasicLSTMCell`` (kernel over [x, h], gates i, j, f, o, constant forget bias) to Keras's
    (kernel, recurrent kernel, bias) with gates i, f, c, o."""
    units = kernel.shape[1] // 4
    n_in = kernel.shape[0] - units

    def reorder(w: np.ndarray) -> np.ndarray:
        i, j, f, o = np.split(w, 4, axis=-1)
        return np.concatenate([i, f, j, o], axis=-1)

    b = bias.astype(np.float32).copy()
    b[2 * units:3 * units] += forget_bias
    full = reorder(kernel.astype(np.float32))
    return full[:n_in], full[n_in:], reorder(b)


class _Variables:
    def __init__(self, arrays: dict[str, np.ndarray], source: Path) -> None:
        self.arrays, self.source = arrays, source

    def get(self, pattern: str) -> np.ndarray:
        regex = re.compile(pattern + r"$")
        hits = [name for name in self.arrays if regex.fullmatch(name)]
        if len(hits) != 1:
            readable = pattern.replace(_KERNEL, "kernel").replace(_BIAS, "bias").replace("\\", "")
            raise BundleError(f"{self.source}: the checkpoint has no variable {readable} (it may be damaged or "
                              f"from another model); {SUPPORTED}.")
        return self.arrays[hits[0]]

    def has(self, pattern: str) -> bool:
        return any(re.fullmatch(pattern, name) for name in self.arrays)


def metagraph_attention_length(bundle: Any, units: int) -> int | None:
    """``attn_length`` from the bundle's metagraph: the constant shape ``[-1, attn_length, units]`` that
    ``AttentionCellWrapper`` reshapes its state with; None when there is no readable metagraph."""
    if not bundle.metagraph_file:
        return None
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2

    meta = meta_graph_pb2.MetaGraphDef()
    try:
        meta.ParseFromString(bundle.metagraph_file)
    except Exception:  # a damaged metagraph is not needed to import the weights
        return None
    for node in meta.graph_def.node:
        if node.op == "Const" and re.search(r"attention_cell_wrapper/Reshape(_\d+)?/shape$", node.name):
            shape = tf.make_ndarray(node.attr["value"].tensor).tolist()
            if len(shape) == 3 and shape[0] == -1 and shape[2] == units and shape[1] > 0:
                return int(shape[1])
    return None


def import_bundle(source: str | Path, out: str | Path, attention_length: int | None = None) -> ModelBundle:
    """Convert the MelodyRNN bundle ``source`` into the model folder ``out`` and load it.

    ``attention_length`` None means: from the metagraph, else Magenta's default (40).
    """
    source, out = Path(source), Path(out)
    bundle, generator, variables = _open_bundle(source)
    attention = generator == "attention_rnn"
    layers = _lstm_layers(variables, attention)
    units = tuple(int(w[1].shape[0]) for w in layers)
    if attention and attention_length is None:
        attention_length = metagraph_attention_length(bundle, units[0]) or DEFAULT_ATTENTION_LENGTH
    preset = get_preset(GENERATORS[generator]).with_overrides(
        lstm_units=units, attention_length=attention_length if attention else 0)
    if attention:
        layers[0] = _attention_weights(variables, layers[0])
    dense = [variables.get(r"fully_connected/" + _KERNEL), variables.get(r"fully_connected/" + _BIAS)]
    from model.encoding.melody import vocabulary_events
    from model.encoding.vocabulary import Vocabulary
    from model.training.networks import build_network

    network = build_network(len(vocabulary_events()), preset)
    _set_weights(network, [*layers, dense], source, generator, preset)
    card = _card(bundle, source, generator, units, preset)
    save_bundle(out, network, preset, Vocabulary(tuple(vocabulary_events())), card)
    return load_bundle(out)


def _open_bundle(source: Path) -> tuple[Any, str, _Variables]:
    """The bundle, its generator id and its checkpoint's variables, refused in one sentence when unsupported."""
    if not source.is_file():
        raise BundleError(f"{source} does not exist; {SUPPORTED}.")
    bundle = read_bundle(source)
    generator = bundle.generator_details.id
    if generator not in GENERATORS:
        raise BundleError(f"{source} is a {generator!r} bundle; {SUPPORTED}.")
    variables = _Variables(checkpoint_arrays(bundle, source), source)
    if variables.has(r"rnn/attention_cell_wrapper/multi_rnn_cell/.*"):
        raise BundleError(f"{source} wraps attention around the whole LSTM stack (Magenta's 2016 attention_rnn "
                          f"layout), which is not supported; {SUPPORTED} with attention on the first layer "
                          f"(events_rnn_graph.make_rnn_cell).")
    return bundle, generator, variables


def _lstm_layers(variables: _Variables, attention: bool) -> list[list[np.ndarray]]:
    """Keras weights of each LSTM layer, in order (the first sits inside the attention wrapper when there is one)."""
    layers: list[list[np.ndarray]] = []
    k = 0
    while variables.has(_CELL.format(k=k) + r".*basic_lstm_cell/" + _KERNEL):
        prefix = _WRAP if attention and k == 0 else _CELL.format(k=k)
        kernel = variables.get(prefix + "basic_lstm_cell/" + _KERNEL)
        bias = variables.get(prefix + "basic_lstm_cell/" + _BIAS)
        layers.append(list(tf1_lstm_to_keras(kernel, bias)))
        k += 1
    if not layers:
        variables.get(_CELL.format(k=0) + "basic_lstm_cell/" + _KERNEL)  # raises with the name it lacks
    return layers


def _attention_weights(variables: _Variables, lstm: list[np.ndarray]) -> list[np.ndarray]:
    """The first layer's weights in the order of the attention cell: input projection, LSTM, attention, output."""
    attn_w = variables.get(_WRAP + "attention/attn_w")
    return [
        variables.get(_WRAP + _KERNEL), variables.get(_WRAP + _BIAS), *lstm,
        attn_w.reshape(attn_w.shape[-2], attn_w.shape[-1]), variables.get(_WRAP + "attention/attn_v"),
        variables.get(_WRAP + "attention/" + _KERNEL), variables.get(_WRAP + "attention/" + _BIAS),
        variables.get(_WRAP + "attn_output_projection/" + _KERNEL),
        variables.get(_WRAP + "attn_output_projection/" + _BIAS),
    ]


def _set_weights(network: Any, weights: list[list[np.ndarray]], source: Path, generator: str,
                 preset: Preset) -> None:
    """Load each layer's weights, refusing a checkpoint whose shapes are not MelodyRNN's default encoding's."""
    from model.encoding.melody import encoder_sizes
    from model.families.melody import encoder_config

    input_size, num_classes = encoder_sizes(encoder_config(preset.network))
    targets = [layer for layer in network.layers if layer.get_weights() and not layer.name.startswith("dropout")]
    for layer, arrays in zip(targets, weights, strict=True):
        expected = [w.shape for w in layer.get_weights()]
        if [tuple(w.shape) for w in arrays] != [tuple(e) for e in expected]:
            raise BundleError(
                f"{source}: the {generator} checkpoint's shapes do not fit MelodyRNN's default encoding "
                f"({input_size} inputs, {num_classes} classes, notes 48-83); {SUPPORTED} with default settings.")
        layer.set_weights([w.astype(np.float32) for w in arrays])


def _card(bundle: Any, source: Path, generator: str, units: tuple[int, ...], preset: Preset) -> dict[str, Any]:
    """The imported model's card: what it is, where it came from, and that its training data is not POP909."""
    return {
        "name": f"Pretrained Magenta {generator}",
        "source": "pretrained-magenta",
        "preset": preset.name,
        "description": f"Google's pretrained MelodyRNN {generator} ({bundle.generator_details.description}), "
                       f"imported from {source.name}.",
        "generator_id": generator,
        "bundle_description": bundle.bundle_details.description,
        "imported_from": source.name,
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "lstm_units": list(units),
        "attention_length": preset.network.attention_length,
        "dataset": "Google's own training data (not POP909)",
    }
