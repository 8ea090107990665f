"""Chords for a piece nobody gave chords: drawn from the progressions of the model's training songs.

A chord-conditioned network writes its best over given chords. Left to choose its own (its ``CH`` events sampled
like any other), ``default`` falls into a strict eighth-note grid: over 20 free pieces, 0.01-0.10 of its positions
are off the eighth grid against 0.36 over a song's chords, and its duration and inter-onset histograms leave
POP909's noise band (bench/quality.py, issue 22), while over held-out songs' chords they sit inside it. So a free
piece of a model whose folder holds a progression book is written over an excerpt of a training song's chords:
whole phrases of four bars from where the song's harmony has begun, moved by one of the preset's transpositions, as
its training windows were. That is a real progression with POP909's harmonic rhythm (changes inside bars, held
chords), which a chain over chord symbols would have to learn; the notes over it are the network's own. Asking for
the network's own chords (:class:`model.pieces.OwnChords`, ``--own-chords``) still gets them.

The book is counted from the training split only (:mod:`model.training.progression_book`), so a drawn progression
is never one of the validation songs the bench holds the model against.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.music.chords import Progression, chord_changes, from_label

PROGRESSIONS_FILE = "progressions.json"
PHRASE_BARS = 4
"""Excerpts start on a multiple of this many bars, where POP909's phrases start."""


@dataclass(frozen=True)
class ProgressionBook:
    """Whole training songs' progressions, and the transpositions (semitones) an excerpt may be moved by."""

    songs: tuple[Progression, ...]
    shifts: tuple[int, ...] = (0,)

    def draw(self, bars: int, rng: np.random.Generator) -> Progression:
        """``bars`` bars of one song's chords from a phrase start with a chord sounding (repeated when the rest of
        the song is shorter), transposed by one of :attr:`shifts`."""
        song = self.songs[int(rng.integers(len(self.songs)))]
        starts = _phrase_starts(song) or [0]
        start = starts[int(rng.integers(len(starts)))]
        excerpt = song.excerpt(start, min(bars, song.bars - start)).fitted(bars)
        return excerpt.transposed(int(self.shifts[int(rng.integers(len(self.shifts)))]))

    def save(self, folder: Path) -> None:
        songs = [{"bars": p.bars, "changes": [[step, chord.label] for step, chord in p.changes]} for p in self.songs]
        text = json.dumps({"shifts": list(self.shifts), "songs": songs}, separators=(",", ":"))
        (folder / PROGRESSIONS_FILE).write_text(text)


def _phrase_starts(song: Progression) -> list[int]:
    """Bars on a phrase boundary where a chord (not "no chord") sounds."""
    return [bar for bar in range(0, song.bars, PHRASE_BARS)
            if (first := song.excerpt(bar, 1).changes) and first[0][1].root is not None]


def load_progressions(folder: Path) -> ProgressionBook | None:
    """The folder's progression book, or None where it has none (a model trained before it, or without chords)."""
    path = folder / PROGRESSIONS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        songs = tuple(Progression(chord_changes((int(step), from_label(label)) for step, label in song["changes"]),
                                  int(song["bars"])) for song in data["songs"])
        return ProgressionBook(songs, tuple(int(s) for s in data["shifts"])) if songs else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} cannot be read as a progression book: {exc}") from exc
