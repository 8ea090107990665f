"""What a voiced model does over chords is counted against its training songs (onset gaps in bars 8-40, the melody's
distances from its centre) and from pieces it writes itself over other training songs' chords, without the lines
those counts feed, and lands in its folder and on its card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from model.generation.onset_line import GAPS_FILE, GapModel
from model.generation.register_line import FARTHEST, REGISTER_FILE, RegisterModel
from model.models import open_model
from model.training.over_chords import fit_over_chords
from tests.conftest import ROOT

DEFAULT = ROOT / "assets" / "models" / "default"


def test_the_counts_come_from_training_songs_and_the_networks_own_pieces(tmp_path: Path, pop909_dir: Path) -> None:
    folder = tmp_path / "voiced"
    shutil.copytree(DEFAULT, folder, ignore=shutil.ignore_patterns(GAPS_FILE))
    gaps, register = fit_over_chords(open_model(folder), pieces=2, pop909_dir=pop909_dir, log=lambda _: None)
    assert gaps.songs.sum() > 100_000, "every training song's onsets in bars 8-40"
    assert 0 < gaps.network.sum() < 2 * 32 * 16, "two pieces of 32 bars, at most an onset a sixteenth"
    assert gaps.songs[1] > 0.3 * gaps.songs.sum() and gaps.songs[2] > 0.3 * gaps.songs.sum(), \
        "POP909's onsets lie a sixteenth or an eighth apart"
    assert register.songs.sum() > 100_000 and 0 < register.network.sum() < gaps.network.sum()
    assert register.songs.argmax() == FARTHEST, "a melody keeps near where it has been singing"
    gaps_back, register_back = GapModel.load(folder), RegisterModel.load(folder)
    assert gaps_back is not None and (gaps_back.network == gaps.network).all()
    assert register_back is not None and (register_back.network == register.network).all()
    card = json.loads((folder / "card.json").read_text())
    assert card["onset_gaps"]["network_pieces"] == 2 and set(card["onset_gaps"]["factors"]) == {"sixteenth", "eighth"}
    assert card["melody_register"]["network_pieces"] == 2


def test_a_refit_counts_the_networks_melodies_without_the_register_line(tmp_path: Path, pop909_dir: Path) -> None:
    folder = tmp_path / "voiced"
    shutil.copytree(DEFAULT, folder)
    first = fit_over_chords(open_model(folder), pieces=2, pop909_dir=pop909_dir, log=lambda _: None)[1]
    assert (folder / REGISTER_FILE).is_file()
    again = fit_over_chords(open_model(folder), pieces=2, pop909_dir=pop909_dir, log=lambda _: None)[1]
    assert (again.network == first.network).all(), "the same pieces, not ones already weighed by the first counts"
