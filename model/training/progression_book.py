"""Write a chord-conditioned model's progression book: its training songs' chords, whole, for free pieces to draw
from (:mod:`model.generation.drawn_chords`). Training split only; run after training
(``python -m model progressions FOLDER``)."""

from __future__ import annotations

from pathlib import Path

from model.data.pack import split_of
from model.generation.artefact import note_in_card
from model.generation.drawn_chords import ProgressionBook
from model.music import pop909
from model.music.chords import Progression
from model.music.score import STEPS_PER_BAR, MidiError, load_score
from model.presets import DataConfig

SONGS = 200
"""Songs kept (seed 1): about 200 KB of JSON, and more variety than a user hears in a session."""


def fit_progression_book(data: DataConfig, folder: Path, songs: int = SONGS,
                         pop909_dir: Path | None = None) -> ProgressionBook:
    """The book of ``songs`` training songs' progressions (with the preset's transpositions), written into
    ``folder``."""
    train, _ = split_of(data, pop909_dir=pop909_dir)
    progressions = []
    for song in pop909.select_songs(train, songs, seed=1):
        if song.chords is None or song.beats is None:
            continue
        try:
            score = load_score(song.midi, song.beats, song.chords)
        except MidiError:
            continue  # a song the corpus skips too
        if score.chords and score.n_notes:
            progressions.append(Progression(score.chords, int(score.onsets.max()) // STEPS_PER_BAR + 1))
    book = ProgressionBook(tuple(progressions), (0, *data.transpose))
    book.save(folder)
    note_in_card(folder, "progression_book", {"training_songs": len(progressions), "transpositions": list(book.shifts)})
    return book
