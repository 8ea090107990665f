"""Training: POP909 songs to a model folder, with checkpoints, resume, early stopping and a card.

Interrupting a run and starting the same command again resumes from the last finished epoch
(``keras.callbacks.BackupAndRestore`` under ``OUT/checkpoints``). The best weights by validation
loss are kept, and ``max_minutes`` ends a run cleanly so CPU budgets can be planned.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from model import pop909
from model.artefact import save_bundle
from model.corpus import load_corpus
from model.devices import distribution_scope, hardware
from model.networks import build_network, compile_network
from model.presets import Preset
from model.windows import Vocabulary, WindowDataset, build_vocabulary, corpus_ids

Log = Callable[[str], None]


@dataclass
class PreparedData:
    vocab: Vocabulary
    train: WindowDataset
    validation: WindowDataset | None
    info: dict[str, Any]


def prepare_data(preset: Preset, pop909_dir: Path | None = None, log: Log = print) -> PreparedData:
    """Select, split, tokenise and window the songs the preset asks for."""
    d, t = preset.data, preset.train
    songs = pop909.select_songs(pop909.list_songs(pop909.find_dir(pop909_dir)), d.songs, d.selection_seed)
    train_songs, val_songs = pop909.split_songs(songs, d.validation_share, d.selection_seed)
    corpus = load_corpus(songs, d.representation)
    log(f"corpus: {corpus.summary()}")
    vocab = build_vocabulary(corpus)
    target = "last" if preset.network.architecture == "paper" else "all"
    encode = None
    if preset.network.architecture.startswith("magenta-"):
        from model.melody import WindowEncoder

        target, encode = "encoded", WindowEncoder(preset.network.architecture)
    train_ids = corpus_ids(corpus, vocab, {s.song_id for s in train_songs})
    train_ds = WindowDataset(train_ids, vocab, d.sequence_length, d.window_stride, t.batch_size, target,
                             d.transpose, t.steps_per_epoch, t.seed, encode)
    val_ds = None
    if val_songs:
        val_ids = corpus_ids(corpus, vocab, {s.song_id for s in val_songs})
        val_ds = WindowDataset(val_ids, vocab, d.sequence_length, max(d.window_stride, d.sequence_length // 2),
                               t.batch_size, target, (), t.validation_batches, t.seed + 1, encode)
    info = {
        "songs": len(songs), "train_songs": len(train_songs), "validation_songs": len(val_songs),
        "skipped_songs": len(corpus.skipped), "selection_seed": d.selection_seed,
        "song_ids": [s.song_id for s in songs], "tokens": corpus.n_tokens, "vocab_size": len(vocab),
        "train_windows": len(train_ds.starts),
    }
    return PreparedData(vocab, train_ds, val_ds, info)


class TimeLimit(keras.callbacks.Callback):
    """Stop cleanly after ``minutes`` of wall-clock time, at the end of a batch."""

    def __init__(self, minutes: float | None) -> None:
        super().__init__()
        self.limit = minutes * 60.0 if minutes else None
        self.start = time.monotonic()
        self.triggered = False

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.limit is not None and time.monotonic() - self.start > self.limit:
            self.triggered = True
            self.model.stop_training = True


def _callbacks(out: Path, preset: Preset, has_validation: bool) -> tuple[list[keras.callbacks.Callback], TimeLimit]:
    monitor = "val_loss" if has_validation else "loss"
    limit = TimeLimit(preset.train.max_minutes)
    checkpoints = out / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    callbacks = [
        keras.callbacks.BackupAndRestore(str(checkpoints / "backup")),
        keras.callbacks.ModelCheckpoint(str(checkpoints / "best.weights.h5"), monitor=monitor,
                                        save_best_only=True, save_weights_only=True),
        keras.callbacks.EarlyStopping(monitor=monitor, patience=preset.train.early_stopping_patience,
                                      restore_best_weights=True),
        keras.callbacks.CSVLogger(str(out / "history.csv"), append=True),
        limit,
    ]
    return callbacks, limit


def train(
    preset: Preset, out: Path, pop909_dir: Path | None = None, verbose: int = 1, log: Log = print,
    extra_callbacks: list[keras.callbacks.Callback] | None = None,
) -> dict[str, Any]:
    """Train ``preset`` and write a model folder to ``out``; returns the training card.

    A backup left in ``out`` by an interrupted run is resumed; otherwise the run starts afresh.
    """
    keras.utils.set_random_seed(preset.train.seed)
    data = prepare_data(preset, pop909_dir, log)
    with distribution_scope():
        network = build_network(len(data.vocab), preset.network, preset.data.sequence_length)
        compile_network(network, preset.network, preset.train)
    if not (out / "checkpoints" / "backup").exists():
        (out / "history.csv").unlink(missing_ok=True)
    else:
        log(f"resuming the interrupted run in {out}")
    callbacks, limit = _callbacks(out, preset, data.validation is not None)
    started = time.monotonic()
    network.fit(data.train, validation_data=data.validation, epochs=preset.train.epochs,
                callbacks=callbacks + (extra_callbacks or []), verbose=verbose)
    card = _card(preset, data, _read_history(out / "history.csv"), time.monotonic() - started, limit.triggered)
    save_bundle(out, network, preset, data.vocab, card)
    shutil.rmtree(out / "checkpoints" / "backup", ignore_errors=True)
    log(f"saved {out} (validation loss {card.get('best_validation_loss')})")
    return card


def _read_history(path: Path) -> dict[str, list[float]]:
    """Every epoch's metrics from the CSV log, which spans an interruption and its resumption."""
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    return {key: [float(row[key]) for row in rows] for key in (rows[0] if rows else {}) if key != "epoch"}


def _card(preset: Preset, data: PreparedData, history: dict[str, list[float]], seconds: float,
          stopped_by_time: bool) -> dict[str, Any]:
    clean = {k: [float(v) for v in vals] for k, vals in history.items() if k != "learning_rate"}
    acc_key = next((k for k in clean if k.startswith("val_") and "accuracy" in k), None)
    val_loss = clean.get("val_loss", [])
    best = int(np.argmin(val_loss)) if val_loss else None
    return {
        "name": preset.name, "preset": preset.name, "description": preset.description,
        **({"source": "trained-magenta"} if preset.network.architecture.startswith("magenta-") else {}),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dataset": f"POP909 ({pop909.LICENCE}); {pop909.CITATION}",
        **{k: v for k, v in data.info.items() if k != "song_ids"},
        "epochs_run": len(next(iter(clean.values()), [])), "epochs_planned": preset.train.epochs,
        "batches_per_epoch": len(data.train), "batch_size": preset.train.batch_size,
        "passes_over_training_data": round(len(clean.get("loss", [])) * len(data.train) / data.train.full_batches, 3),
        "stopped_by_time_limit": stopped_by_time,
        "best_validation_loss": val_loss[best] if best is not None else None,
        "best_validation_accuracy": clean[acc_key][best] if acc_key and best is not None else None,
        "train_seconds": round(seconds, 1), "hardware": hardware(),
        "history": clean, "song_ids": data.info["song_ids"],
    }
