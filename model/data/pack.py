"""A token pack: a preset's tokenised, split songs in one ``.npz`` file.

Training on a rented GPU host should not need POP909, the MIDI readers or Magenta's libraries there:
``python -m model pack --preset paper --out paper.npz`` does the parsing here, and
``python -m model train --pack paper.npz`` on the host needs only Keras and NumPy. The pack holds the
vocabulary and the song split, so a model trained from it has the same card as one trained from POP909.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.data import folk
from model.data.corpus import Corpus, load_corpus
from model.encoding.vocabulary import Vocabulary
from model.families import family_named
from model.music import pop909
from model.presets import DataConfig, Preset

Log = Callable[[str], None]


@dataclass
class TokenisedSongs:
    """The id sequences of the training and validation songs, and what the card says about them."""

    vocab: Vocabulary
    train: list[np.ndarray]
    validation: list[np.ndarray]
    info: dict[str, Any]
    encoded: dict[str, np.ndarray] | None = None
    """MelodyRNN packs only: note-seq's inputs and labels of every window (``train_x``, ``train_y``,
    ``validation_x``, ``validation_y``), encoded here so the GPU host needs no note-seq."""


def build_vocabulary(corpus: Corpus) -> Vocabulary:
    """The seed's ``sorted(set(notes))`` for ``paper``; the codec's fixed, full vocabulary for the others (the
    grid families' events, MelodyRNN's 38 melody events in note-seq's one-hot order)."""
    fixed = getattr(family_named(corpus.representation).codec(), "all_events", None)
    if fixed is not None:
        return Vocabulary(tuple(fixed()))
    return Vocabulary(tuple(sorted(set(corpus.event_names))))


def corpus_ids(corpus: Corpus, vocab: Vocabulary, song_ids: set[str]) -> list[np.ndarray]:
    """The vocabulary ids of the chosen songs, re-indexed from the corpus' own event table."""
    table = vocab.encode(corpus.event_names)
    if len(table) != len(corpus.event_names):
        raise ValueError("The corpus holds events outside the vocabulary.")
    return [table[seq] for sid, seq in zip(corpus.song_ids, corpus.sequences, strict=True) if sid in song_ids]


def preset_songs(data: DataConfig, pop909_dir: Path | None = None) -> list[pop909.SongFile]:
    """The POP909 songs a preset's data selects (all, or the seed study's subset), before the split."""
    return pop909.select_songs(pop909.list_songs(pop909.find_dir(pop909_dir)), data.songs, data.selection_seed)


def split_of(data: DataConfig, songs: list[pop909.SongFile] | None = None,
             pop909_dir: Path | None = None) -> tuple[list[pop909.SongFile], list[pop909.SongFile]]:
    """The training and validation songs of a preset's data, the one split that training, the counts a model folder
    keeps (its interval model) and the benches' held-out rows all read."""
    chosen = preset_songs(data, pop909_dir) if songs is None else songs
    return pop909.split_songs(chosen, data.validation_share, data.selection_seed)


def tokenise(preset: Preset, pop909_dir: Path | None = None, log: Log = print) -> TokenisedSongs:
    """Select, split and tokenise the songs the preset asks for (the corpus cache makes repeats cheap)."""
    d = preset.data
    if d.source == "music21-folk":
        return _tokenise_folk(preset, log)
    songs = preset_songs(d, pop909_dir)
    train_songs, val_songs = split_of(d, songs)
    corpus = load_corpus(songs, d.representation)
    log(f"corpus: {corpus.summary()}")
    vocab = build_vocabulary(corpus)
    info = {
        "songs": len(songs), "train_songs": len(train_songs), "validation_songs": len(val_songs),
        "skipped_songs": len(corpus.skipped), "selection_seed": d.selection_seed,
        "song_ids": [s.song_id for s in songs], "tokens": corpus.n_tokens, "vocab_size": len(vocab),
    }
    train = corpus_ids(corpus, vocab, {s.song_id for s in train_songs})
    validation = corpus_ids(corpus, vocab, {s.song_id for s in val_songs}) if val_songs else []
    return TokenisedSongs(vocab, train, validation, info)


def _tokenise_folk(preset: Preset, log: Log) -> TokenisedSongs:
    """Pretrained Magenta's data: music21's melodies, split by tune."""
    corpus = folk.load_folk_corpus()
    log(f"corpus: {corpus.summary()} from {folk.CORPUS_NAME}")
    vocab = build_vocabulary(corpus)
    train_ids, val_ids = folk.split_tunes(corpus, preset.data.validation_share, preset.data.selection_seed)
    info = {
        "corpus": folk.CORPUS_NAME, "songs": len(corpus.song_ids), "train_songs": len(train_ids),
        "validation_songs": len(val_ids), "skipped_songs": len(corpus.skipped),
        "selection_seed": preset.data.selection_seed,
        "song_ids": [], "tokens": corpus.n_tokens, "vocab_size": len(vocab),
    }
    return TokenisedSongs(vocab, corpus_ids(corpus, vocab, train_ids), corpus_ids(corpus, vocab, val_ids), info)


def write_pack(songs: TokenisedSongs, path: Path) -> None:
    """Write the songs as two flat id arrays with their lengths (ragged lists do not fit one array)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {
        **(songs.encoded or {}),
        "train_ids": _flat(songs.train), "train_lengths": np.array([len(s) for s in songs.train], np.int64),
        "validation_ids": _flat(songs.validation),
        "validation_lengths": np.array([len(s) for s in songs.validation], np.int64),
        "vocab": np.array(json.dumps(list(songs.vocab.events))), "info": np.array(json.dumps(songs.info)),
    }
    np.savez_compressed(path, **arrays)


def read_pack(path: Path) -> TokenisedSongs:
    """The songs of a pack written by :func:`write_pack`; a file that is not one is a ``ValueError``."""
    try:
        with np.load(path) as raw:
            vocab = Vocabulary(tuple(json.loads(str(raw["vocab"]))))
            train = _split(raw["train_ids"], raw["train_lengths"])
            validation = _split(raw["validation_ids"], raw["validation_lengths"])
            info = json.loads(str(raw["info"]))
            encoded = {k: raw[k] for k in ("train_x", "train_y", "validation_x", "validation_y") if k in raw}
    except (OSError, KeyError, ValueError) as exc:
        raise ValueError(f"{path} is not a token pack ({exc}); write one with `python -m model pack`.") from exc
    return TokenisedSongs(vocab, train, validation, info, encoded or None)


def _flat(sequences: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(sequences).astype(np.int32) if sequences else np.zeros(0, np.int32)


def _split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return [part.astype(np.int64) for part in np.split(flat, np.cumsum(lengths)[:-1])] if len(lengths) else []
