"""A chord-conditioned model's progression book holds its training songs' chords, whole, and never a validation
song's."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from model.generation.artefact import load_bundle
from model.generation.drawn_chords import load_progressions
from model.music import pop909
from model.music.score import load_score
from model.training.progression_book import fit_progression_book
from tests.conftest import ROOT


def test_the_book_holds_the_training_songs_whole_and_no_validation_song(tmp_path: Path, pop909_dir: Path) -> None:
    data = dataclasses.replace(load_bundle(ROOT / "assets" / "models" / "default").preset.data, songs=20)
    book = fit_progression_book(data, tmp_path, songs=909, pop909_dir=pop909_dir)
    chosen = pop909.select_songs(pop909.list_songs(pop909_dir), 20, data.selection_seed)
    train, validation = pop909.split_songs(chosen, data.validation_share, data.selection_seed)
    whole = {song.song_id: load_score(song.midi, song.beats, song.chords).chords for song in chosen}
    kept = {p.changes for p in book.songs}
    assert kept == {whole[song.song_id] for song in train}
    assert not kept & {whole[song.song_id] for song in validation}
    assert book.shifts == (0, *data.transpose) and load_progressions(tmp_path) == book
    card = json.loads((tmp_path / "card.json").read_text())["progression_book"]
    assert card == {"training_songs": len(train), "transpositions": list(book.shifts)}
