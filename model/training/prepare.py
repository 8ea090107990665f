"""Training batches from tokenised songs: the windows each family trains on, and MelodyRNN's windows encoded
ahead of time for a token pack (so the GPU host needs no note-seq)."""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.data.pack import Log, TokenisedSongs, tokenise
from model.encoding.vocabulary import Vocabulary
from model.families import family_of
from model.presets import Preset
from model.training.windows import EncodedDataset, WindowDataset


@dataclass
class PreparedData:
    vocab: Vocabulary
    train: WindowDataset | EncodedDataset
    validation: WindowDataset | EncodedDataset | None
    info: dict[str, Any]


def prepare_data(
    preset: Preset, pop909_dir: Path | None = None, log: Log = print, songs: TokenisedSongs | None = None
) -> PreparedData:
    """Window the preset's songs (tokenised from POP909 here unless a token pack's ``songs`` are given)."""
    d, t = preset.data, preset.train
    songs = songs or tokenise(preset, pop909_dir, log)
    if songs.encoded:
        return _prepared_from_encoded(songs, preset)
    window = family_of(preset).window_target(preset)
    target = window.layout
    options = {"encode": window.encode, "scaled_input": window.scaled_input, "min_context": t.min_context}
    train_ds = WindowDataset(songs.train, songs.vocab, d.sequence_length, d.window_stride, t.batch_size, target,
                             d.transpose, t.steps_per_epoch, t.seed, **options)  # type: ignore[arg-type]
    val_ds = None
    if songs.validation:
        val_ds = WindowDataset(songs.validation, songs.vocab, d.sequence_length,
                               max(d.window_stride, d.sequence_length // 2), t.batch_size, target, (),
                               t.validation_batches, t.seed + 1, **options)  # type: ignore[arg-type]
    return PreparedData(songs.vocab, train_ds, val_ds, {**songs.info, "train_windows": len(train_ds.starts)})


def _prepared_from_encoded(songs: TokenisedSongs, preset: Preset) -> PreparedData:
    """Windows a MelodyRNN token pack already encoded (no note-seq needed)."""
    enc, t = songs.encoded or {}, preset.train
    train_ds = EncodedDataset(enc["train_x"], enc["train_y"], t.batch_size, t.steps_per_epoch, t.seed)
    val_ds = None
    if "validation_x" in enc:
        val_ds = EncodedDataset(enc["validation_x"], enc["validation_y"], t.batch_size, t.validation_batches,
                                t.seed + 1)
    return PreparedData(songs.vocab, train_ds, val_ds, {**songs.info, "train_windows": len(enc["train_x"])})


def encode_windows(songs: TokenisedSongs, preset: Preset, workers: int = 2) -> TokenisedSongs:
    """Add every training and validation window's note-seq inputs and labels (int8: values are -1, 0, 1)."""
    encode = family_of(preset).window_target(preset).encode
    if encode is None:
        raise ValueError(f"The {preset.data.representation} family trains on ids; only MelodyRNN packs encode windows.")
    data = prepare_data(preset, songs=songs)
    encoded = {}
    for name, dataset in (("train", data.train), ("validation", data.validation)):
        if not isinstance(dataset, WindowDataset):
            continue
        windows = [dataset._window(*start) for start in dataset.starts]
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            pairs = pool.starmap(encode, [(w, songs.vocab.events) for w in windows], chunksize=64)
        encoded[f"{name}_x"] = np.stack([x for x, _ in pairs]).astype(np.int8)
        encoded[f"{name}_y"] = np.stack([y for _, y in pairs]).astype(np.int8)
    return TokenisedSongs(songs.vocab, songs.train, songs.validation, songs.info, encoded)
