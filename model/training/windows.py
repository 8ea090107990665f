"""Training batches: windows of the songs' id sequences as Keras datasets, one target layout per family.

Every family shares the :class:`Vocabulary` (ids come from :mod:`model.data.pack`). The ``paper`` family feeds
windows of 100 ids scaled to [0, 1) and predicts the one next id (one-hot), as the seed does; the ``grid`` family
feeds id windows to an embedding and predicts every next id; the ``melody`` family (Magenta's MelodyRNN) turns the
same id windows into note-seq's input vectors and labels (:class:`model.encoding.melody.WindowEncoder`). Batches
are cut on the fly (``keras.utils.PyDataset``), so memory stays flat and the same code feeds the TensorFlow and JAX
backends.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import keras
import numpy as np

from model.encoding.transpose import shift_table, transpose_ids
from model.encoding.vocabulary import Vocabulary


class ShuffledBatches(keras.utils.PyDataset):
    """Batches drawn from ``n_items`` items in a fresh random order each epoch; ``max_batches`` cuts epochs."""

    def __init__(self, n_items: int, batch_size: int, max_batches: int | None, seed: int) -> None:
        super().__init__()
        self.n_items, self.batch_size, self.max_batches = n_items, batch_size, max_batches
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(n_items)

    @property
    def full_batches(self) -> int:
        """Batches in one pass over every item, whatever ``max_batches`` cuts an epoch to."""
        return math.ceil(self.n_items / self.batch_size)

    def __len__(self) -> int:
        return min(self.full_batches, self.max_batches) if self.max_batches else self.full_batches

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(self.n_items)

    def picks(self, index: int) -> np.ndarray:
        return self.order[index * self.batch_size:(index + 1) * self.batch_size]


class WindowDataset(ShuffledBatches):
    """Shuffled windows over many songs, one batch per ``__getitem__``.

    ``target="last"``: x is (batch, length, 1) ids / vocab size (or (batch, length) ids when not
    ``scaled_input``), y one-hot of the next id (paper). ``target="every-step"``: the same x, y the ids
    that follow positions ``min_context..length-1``, shape (batch, length - min_context).
    ``target="all"``: x is (batch, length) ids, y is x shifted by one (grid). ``transpose`` lists
    semitone shifts drawn at random per window (grid only), a cheap augmentation that keeps keys balanced.
    ``target="encoded"``: ``encode(window, vocab.events)`` gives (inputs, labels) per window (the Magenta
    families); encoded windows are kept (as float16) so later epochs skip note-seq's Python encoders.
    """

    def __init__(
        self, sequences: list[np.ndarray], vocab: Vocabulary, length: int, stride: int, batch_size: int,
        target: str, transpose: tuple[int, ...] = (), max_batches: int | None = None, seed: int = 0,
        encode: Callable[[np.ndarray, Sequence[str]], tuple[np.ndarray, np.ndarray]] | None = None,
        scaled_input: bool = True, min_context: int = 0,
    ) -> None:
        span = length + 1
        self.starts = [(s, i) for s, seq in enumerate(sequences) for i in range(0, len(seq) - span + 1, stride)]
        if not self.starts:
            raise ValueError(f"No song is longer than {span} tokens; use a shorter sequence length.")
        super().__init__(len(self.starts), batch_size, max_batches, seed)
        self.sequences, self.vocab, self.length = sequences, vocab, length
        self.target, self.transpose = target, transpose
        self.shift_tables = {k: shift_table(vocab, k) for k in transpose}
        self.encode = encode
        self.scaled_input, self.min_context = scaled_input, min_context
        self._encoded: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        picks = self.picks(index)
        if self.target == "encoded":
            pairs = [self._encoded_window(int(p)) for p in picks]
            return (np.stack([x for x, _ in pairs]).astype("float32"), np.stack([y for _, y in pairs]))
        windows = np.stack([self._window(*self.starts[p]) for p in picks])
        if self.target == "all":
            return windows[:, :-1].astype("int32"), windows[:, 1:].astype("int32")
        if self.scaled_input:
            x = (windows[:, :-1, None] / len(self.vocab)).astype("float32")
        else:
            x = windows[:, :-1].astype("int32")
        if self.target == "every-step":
            return x, windows[:, self.min_context + 1:].astype("int32")
        y = keras.utils.to_categorical(windows[:, -1], len(self.vocab)).astype("float32")
        return x, y

    def _encoded_window(self, pick: int) -> tuple[np.ndarray, np.ndarray]:
        if pick not in self._encoded:
            if self.encode is None:
                raise ValueError('target="encoded" needs an encode function.')
            x, y = self.encode(self._window(*self.starts[pick]), self.vocab.events)
            self._encoded[pick] = (x.astype(np.float16), y.astype(np.int32))
        return self._encoded[pick]

    def _window(self, song: int, start: int) -> np.ndarray:
        window = self.sequences[song][start:start + self.length + 1].astype(np.int64)
        if self.transpose:
            window = transpose_ids(window, self.shift_tables, int(self.rng.choice((0, *self.transpose))))
        return window


class EncodedDataset(ShuffledBatches):
    """Batches of windows encoded beforehand (a MelodyRNN token pack), shuffled each epoch."""

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, max_batches: int | None = None,
                 seed: int = 0) -> None:
        super().__init__(len(x), batch_size, max_batches, seed)
        self.x, self.y = x, y

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        picks = np.sort(self.picks(index))
        return self.x[picks].astype("float32"), self.y[picks].astype("int32")
