"""The tokenised POP909 corpus: parsed in parallel processes, cached by file contents and encoding.

A corrupt or empty MIDI file is skipped and counted, never fatal: one bad file must not cost a
researcher a training run. The cache key covers every file's bytes, the encoding and
``CACHE_VERSION``, so editing a MIDI file or the tokeniser invalidates it automatically.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.families import family_named
from model.music.pop909 import SongFile, cache_root
from model.music.score import MidiError

CACHE_VERSION = 3  # 2: paper chords spelt by music21 itself; 3: notes read by symusic (0.06% of durations moved a step)


@dataclass
class Corpus:
    """Event ids per song plus the id-to-event table they index, and what was skipped and why."""

    song_ids: list[str]
    sequences: list[np.ndarray]
    event_names: list[str]
    representation: str
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds_per_beat: list[float] = field(default_factory=list)

    def events(self, index: int) -> list[str]:
        return [self.event_names[i] for i in self.sequences[index]]

    @property
    def n_tokens(self) -> int:
        return int(sum(len(s) for s in self.sequences))

    def summary(self) -> str:
        return (f"{len(self.song_ids)} songs, {self.n_tokens} tokens ({self.representation}), "
                f"{len(self.skipped)} skipped")


def _encode_song(job: tuple[SongFile, str]) -> tuple[str, list[str] | str, float]:
    """Worker: parse and encode one song as its family reads songs; a failure comes back as its message."""
    song, representation = job
    try:
        return song.song_id, *family_named(representation).song_events(song)
    except (MidiError, OSError, ValueError) as exc:
        return song.song_id, str(exc), 0.0


def cache_key(songs: list[SongFile], representation: str) -> str:
    """Digest of every file's bytes plus the encoding, so stale caches are never read."""
    digest = hashlib.sha256(f"v{CACHE_VERSION}:{representation}".encode())
    for song in songs:
        digest.update(song.song_id.encode())
        digest.update(hashlib.sha1(song.midi.read_bytes()).digest())
        for annotation in (song.beats, song.chords if family_named(representation).takes_chords else None):
            if annotation is not None:
                digest.update(hashlib.sha1(annotation.read_bytes()).digest())
    return digest.hexdigest()[:32]


def parse_corpus(songs: list[SongFile], representation: str, workers: int | None = None) -> Corpus:
    """Parse and encode ``songs`` in parallel (one process per core), skipping unreadable files."""
    jobs = [(song, representation) for song in songs]
    workers = workers or os.cpu_count() or 1
    if workers > 1 and len(jobs) > 8:
        with _pool_context().Pool(workers) as pool:
            results = pool.map(_encode_song, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
    else:
        results = [_encode_song(job) for job in jobs]
    return _assemble(results, representation)


def _pool_context() -> multiprocessing.context.BaseContext:
    """Fork when it is safe (fast start); spawn once TensorFlow is loaded, since its threads do not survive fork."""
    method = "spawn" if "tensorflow" in sys.modules or "jax" in sys.modules else "fork"
    return multiprocessing.get_context(method)


def _assemble(results: list[tuple[str, list[str] | str, float]], representation: str) -> Corpus:
    table: dict[str, int] = {}
    corpus = Corpus([], [], [], representation)
    for song_id, events, spb in results:
        if isinstance(events, str):
            corpus.skipped.append((song_id, events))
            continue
        if not events:
            corpus.skipped.append((song_id, "no events after encoding"))
            continue
        ids = [table.setdefault(e, len(table)) for e in events]
        corpus.song_ids.append(song_id)
        corpus.sequences.append(np.asarray(ids, dtype=np.uint16))
        corpus.seconds_per_beat.append(spb)
    corpus.event_names = list(table)
    return corpus


def load_corpus(
    songs: list[SongFile], representation: str, cache_dir: Path | None = None, workers: int | None = None
) -> Corpus:
    """The corpus for ``songs``: from the cache when its key matches, else parsed and then cached."""
    folder = cache_dir or cache_root() / "corpus"
    return cached_corpus(folder / f"{cache_key(songs, representation)}.pkl",
                         lambda: parse_corpus(songs, representation, workers))


def cached_corpus(path: Path, build: Callable[[], Corpus]) -> Corpus:
    """The corpus pickled at ``path``, else ``build()``'s, written there atomically (a killed run leaves none).

    A pickle this code cannot read back (written before a module moved, or cut short) is rebuilt, not an error.
    """
    if path.is_file():
        try:
            with path.open("rb") as handle:
                cached: Corpus = pickle.load(handle)
            return cached
        except (pickle.UnpicklingError, ImportError, AttributeError, EOFError):
            pass
    corpus = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as handle:
        pickle.dump(corpus, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return corpus
