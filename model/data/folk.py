"""Pretrained Magenta's training data: the melodies music21 ships in its corpus, none of them POP909.

Google's MelodyRNN bundles were trained on "thousands of MIDI files" of other music and cannot be
downloaded here, so the honest stand-in is the same network trained on a broad public-domain melody
corpus and then used as is on POP909 primers. music21's corpus holds such a corpus: the Essen folk
song collection, Ryan's Mammoth Collection (1883), O'Neill's Music of Ireland (1850), the Nottingham
folk tunes, and Bach's chorales (their soprano lines).

Each tune's first part is read through music21 (ties merged), placed on the 16th-note grid, and then
goes through exactly the note-seq extraction the POP909 melodies go through (:mod:`model.encoding.melody`:
melodies of 7+ bars with 5+ pitches, squashed to MIDI 48-83 and transposed to C). Tunes, not files,
are the unit of the train/validation split.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from model.data.corpus import Corpus, cached_corpus
from model.families.melody import note_seq_melody
from model.music.pop909 import cache_root
from model.music.score import STEPS_PER_BEAT, Score

COLLECTIONS = ("essenFolksong", "ryansMammoth", "oneills1850", "nottingham-dataset", "bach")
CORPUS_NAME = ("music21's bundled melody corpus: Essen folk songs, Ryan's Mammoth Collection, O'Neill's Music "
               "of Ireland, the Nottingham folk tunes and Bach chorale soprano lines")
CACHE_VERSION = 2  # 2: skipped tunes and files are kept and counted


def corpus_files(collections: Iterable[str] = COLLECTIONS) -> list[Path]:
    """The corpus files of the chosen collections, in a stable order (Bach: the chorales, ``bwv*``)."""
    from music21 import corpus

    wanted = set(collections)
    files = []
    for path in map(Path, corpus.getPaths()):
        collection = path.relative_to(_corpus_root(path)).parts[0]
        if collection in wanted and (collection != "bach" or path.name.startswith("bwv")):
            files.append(path)
    return sorted(files)


def _corpus_root(path: Path) -> Path:
    return next(p for p in path.parents if p.name == "corpus")


def tune_scores(path: Path) -> list[Score]:
    """Every tune of one corpus file (an ABC file may hold hundreds) as a monophonic :class:`Score`."""
    from music21 import converter, stream

    parsed = converter.parse(path)
    scores = parsed.scores if isinstance(parsed, stream.Opus) else [parsed]
    return [score for score in map(_first_part_score, scores) if score is not None]


def _first_part_score(tune: object) -> Score | None:
    """The tune's first part on the 16th grid; chords keep their top note, as melody extraction would."""
    parts = getattr(tune, "parts", None)
    if not parts:
        return None
    onsets, durations, pitches = [], [], []
    for note in parts[0].stripTies().flatten().notes:
        top = max(p.midi for p in note.pitches)
        onsets.append(round(float(note.offset) * STEPS_PER_BEAT))
        durations.append(max(1, round(float(note.quarterLength) * STEPS_PER_BEAT)))
        pitches.append(top)
    if not onsets:
        return None
    n = len(onsets)
    return Score(np.array(onsets), np.array(durations), np.array(pitches), np.full(n, 80), 0.5)


Skipped = list[tuple[str, str]]


def file_melodies(path: Path) -> tuple[list[list[str]], Skipped]:
    """Training events of every tune in ``path``, and the tunes left out (no usable melody) with the reason."""
    training_events = note_seq_melody().training_events
    tunes, skipped = [], []
    for index, score in enumerate(tune_scores(path)):
        events = training_events(score)
        if events:
            tunes.append(events)
        else:
            skipped.append((f"{path.name} tune {index + 1}", "no melody MelodyRNN's extractor keeps"))
    return tunes, skipped


def _safe_file_melodies(path: Path) -> tuple[list[list[str]], Skipped]:
    """A file music21 cannot read is one skipped entry, counted as POP909's unreadable songs are."""
    try:
        return file_melodies(path)
    except Exception as exc:  # music21's parsers raise many types; one bad file must not end the corpus
        return [], [(path.name, f"unreadable: {type(exc).__name__}: {exc}"[:200])]


def load_folk_corpus(files: list[Path] | None = None, workers: int = 2) -> Corpus:
    """All tunes as a melody :class:`Corpus` (one "song" per tune), parsed once and then cached."""
    files = files if files is not None else corpus_files()
    key = hashlib.sha1(f"{CACHE_VERSION}|{[str(f) for f in files]}".encode()).hexdigest()[:16]
    return cached_corpus(cache_root() / "corpus" / f"folk-{key}.pkl", lambda: _parse(files, workers))


def _parse(files: list[Path], workers: int) -> Corpus:
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        per_file = pool.map(_safe_file_melodies, files, chunksize=1)
    return _assemble([tune for tunes, _ in per_file for tune in tunes], [s for _, skipped in per_file for s in skipped])


def _assemble(tunes: list[list[str]], skipped: Skipped) -> Corpus:
    names = sorted({e for tune in tunes for e in tune})
    index = {e: i for i, e in enumerate(names)}
    sequences = [np.array([index[e] for e in tune], dtype=np.int32) for tune in tunes]
    ids = [f"tune-{i:05d}" for i in range(len(tunes))]
    return Corpus(ids, sequences, names, "melody", skipped, [0.5] * len(tunes))


def split_tunes(corpus: Corpus, validation_share: float, seed: int) -> tuple[set[str], set[str]]:
    """Tune ids for training and validation, drawn with ``seed``."""
    ids = list(corpus.song_ids)
    random.Random(seed).shuffle(ids)
    n_val = round(len(ids) * validation_share)
    return set(ids[n_val:]), set(ids[:n_val])
