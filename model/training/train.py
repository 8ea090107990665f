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
from pathlib import Path
from typing import Any

import keras
import numpy as np

from model.data.pack import Log, TokenisedSongs, tokenise
from model.encoding.vocabulary import Vocabulary
from model.evaluation.ngram import baselines
from model.families import family_of
from model.generation.artefact import load_bundle
from model.music import pop909
from model.presets import Preset
from model.training.devices import distribution_scope, hardware
from model.training.folder import keras_network, save_bundle
from model.training.networks import build_network, compile_network
from model.training.prepare import PreparedData, prepare_data
from model.training.warm_start import grown_weights


def training_network(vocab_size: int, preset: Preset) -> keras.Model:
    """The network that is fitted: the inference network itself, or its every-step twin (same weights)."""
    every_step = preset.train.min_context if preset.train.objective == "every-step" else None
    return build_network(vocab_size, preset, every_step_from=every_step)


class EpochClock(keras.callbacks.Callback):
    """Seconds per epoch, for the card: what a recipe costs on the hardware it ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._start = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seconds.append(round(time.monotonic() - self._start, 1))


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
    extra_callbacks: list[keras.callbacks.Callback] | None = None, songs: TokenisedSongs | None = None,
    init_from: Path | None = None,
) -> dict[str, Any]:
    """Train ``preset`` and write a model folder to ``out``; returns the training card.

    A backup left in ``out`` by an interrupted run is resumed; otherwise the run starts afresh.
    ``songs`` (from a token pack) replaces reading POP909. ``init_from`` (a model folder of the same preset, or of
    the family this one's vocabulary grows from) continues training from its weights, e.g. a run cut by a time
    limit; the card adds up both runs' updates.
    """
    keras.utils.set_random_seed(preset.train.seed)
    songs = songs or tokenise(preset, pop909_dir, log)
    data = prepare_data(preset, pop909_dir, log, songs)
    with distribution_scope():
        network = training_network(len(data.vocab), preset)
        compile_network(network, preset)
    earlier = _warm_start(network, init_from, data.vocab, log) if init_from else {}
    if not (out / "checkpoints" / "backup").exists():
        (out / "history.csv").unlink(missing_ok=True)
    else:
        log(f"resuming the interrupted run in {out}")
    callbacks, limit = _callbacks(out, preset, data.validation is not None)
    clock = EpochClock()
    started = time.monotonic()
    network.fit(data.train, validation_data=data.validation, epochs=preset.train.epochs,
                callbacks=[*callbacks, clock, *(extra_callbacks or [])], verbose=verbose)
    card = _card(preset, data, _read_history(out / "history.csv"), time.monotonic() - started, limit.triggered)
    card["seconds_per_epoch"] = clock.seconds
    card["baseline_cross_entropy"] = baseline_card(songs)
    if earlier:
        card["continued_from"] = earlier
        card["optimizer_updates"] += int(earlier.get("optimizer_updates") or 0)
    card["stop_reason"] = _stop_reason(card, preset, limit.triggered)
    save_bundle(out, network, preset, data.vocab, card)
    shutil.rmtree(out / "checkpoints" / "backup", ignore_errors=True)
    log(f"saved {out} (validation loss {card.get('best_validation_loss')})")
    return card


def baseline_card(songs: TokenisedSongs) -> dict[str, float]:
    """The count-based baselines over the same tokens and split, for the card beside the model's loss."""
    if not songs.validation or len(songs.train) < 2:
        return {}
    base = baselines(songs.train, songs.validation, len(songs.vocab))
    return {"unigram": round(base.unigram, 4), "interpolated_3gram": round(base.trigram, 4)}


def _warm_start(network: keras.Model, folder: Path, vocab: Vocabulary, log: Log) -> dict[str, Any]:
    """Load a model folder's weights into ``network``; returns what its card says of the earlier run."""
    bundle = load_bundle(folder)
    weights = keras_network(bundle).get_weights()
    if bundle.vocab != vocab:  # a vocabulary that grows from the old one (grid-chords -> grid-voices)
        weights = grown_weights(weights, [tuple(w.shape) for w in network.get_weights()], bundle.vocab, vocab)
        log(f"vocabulary grown from {len(bundle.vocab)} to {len(vocab)} events")
    network.set_weights(weights)
    log(f"continuing from {folder}")
    card = bundle.card
    updates = card.get("optimizer_updates") or round(
        len(card.get("history", {}).get("loss", [])) * float(card.get("batches_per_epoch") or 0))
    return {"folder": str(folder), "epochs": card.get("epochs_run"), "optimizer_updates": updates,
            "best_validation_loss": card.get("best_validation_loss"), "hardware": card.get("hardware"),
            "seconds_per_epoch": card.get("seconds_per_epoch"), "stop_reason": card.get("stop_reason"),
            "continued_from": card.get("continued_from"), "history": card.get("history", {})}


def _provenance(preset: Preset, info: dict[str, Any]) -> dict[str, Any]:
    """Which study source the model stands for, and on what data it learned."""
    if preset.data.source == "music21-folk":
        return {"source": "pretrained-magenta", "dataset": f"{info['corpus']} ({info['songs']} melodies, no POP909)",
                "note": "Not Google's weights: MelodyRNN attention_rnn trained here on other music, used on POP909 "
                        "primers without fine-tuning. To use Google's bundle: python -m model import-magenta "
                        "attention_rnn.mag --out assets/models/google-attention"}
    study_source = family_of(preset).study_source
    source = {"source": study_source} if study_source else {}
    return {**source, "dataset": f"POP909 ({pop909.LICENCE}); {pop909.CITATION}"}


def _stop_reason(card: dict[str, Any], preset: Preset, stopped_by_time: bool) -> str:
    """Why training ended, in words a reader of the card can check against its history."""
    if stopped_by_time:
        return f"time limit of {preset.train.max_minutes} minutes"
    if card["epochs_run"] < preset.train.epochs:
        return f"early stopping: validation loss did not improve for {preset.train.early_stopping_patience} epochs"
    return f"all {preset.train.epochs} planned epochs"


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
        **_provenance(preset, data.info),
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **{k: v for k, v in data.info.items() if k != "song_ids"},
        "epochs_run": len(next(iter(clean.values()), [])), "epochs_planned": preset.train.epochs,
        "objective": family_of(preset).objective(preset),
        "optimizer_updates": len(clean.get("loss", [])) * len(data.train),
        "batches_per_epoch": len(data.train), "batch_size": preset.train.batch_size,
        "passes_over_training_data": round(len(clean.get("loss", [])) * len(data.train) / data.train.full_batches, 3),
        "stopped_by_time_limit": stopped_by_time,
        "best_validation_loss": val_loss[best] if best is not None else None,
        "best_validation_accuracy": clean[acc_key][best] if acc_key and best is not None else None,
        "train_seconds": round(seconds, 1), "hardware": hardware(),
        "history": clean, "song_ids": data.info["song_ids"],
    }
