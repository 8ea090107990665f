"""A voiced model's interval model is counted from its training songs and from pieces it writes itself over their
chords, and lands in its folder and on its card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from model.generation.melody_line import load_intervals
from model.models import open_model
from model.music import pop909
from model.music.chords import Progression
from model.music.score import load_score
from model.training.melody_intervals import fit_melody_intervals, training_progressions
from tests.conftest import ROOT

DEFAULT = ROOT / "assets" / "models" / "default"


def test_the_counts_come_from_training_songs_and_the_networks_own_pieces(tmp_path: Path, pop909_dir: Path) -> None:
    folder = tmp_path / "voiced"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns("melody_intervals.json"))
    model = fit_melody_intervals(open_model(folder), pieces=2, pop909_dir=pop909_dir, log=lambda _: None)
    assert model.songs.notes > 100_000, "every training song's melody"
    assert 0 < model.network.notes < 2 * 32 * 16, "two pieces of 32 bars, at most a melody note a sixteenth"
    back = load_intervals(folder)
    assert back is not None and back.network.notes == model.network.notes
    card = json.loads((folder / "card.json").read_text())["melody_intervals"]
    assert card["network_pieces"] == 2 and set(card["factors"]) == {"unison", "semitone up", "tone up"}


def test_the_network_writes_over_training_songs_chords_never_the_validation_songs(pop909_dir: Path) -> None:
    data = open_model(DEFAULT).preset.data
    songs = pop909.select_songs(pop909.list_songs(pop909_dir), data.songs, data.selection_seed)
    _, validation = pop909.split_songs(songs, data.validation_share, data.selection_seed)
    held_out = {Progression(load_score(s.midi, s.beats, s.chords).bars(8, 32).chords, 32).changes for s in validation}
    progressions = training_progressions(data, 6, pop909_dir)
    assert len(progressions) == 6 and all(p.bars == 32 for p in progressions)
    assert not {p.changes for p in progressions} & held_out
