"""A voiced model's rhythm counts come from its training songs and its own free pieces, and land in its folder and
on its card."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from model.generation.rhythm_line import load_rhythm
from model.models import open_model
from model.training.rhythm_counts import BARS, fit_rhythm
from tests.conftest import ROOT


def test_the_counts_come_from_training_songs_and_the_networks_own_free_pieces(tmp_path: Path,
                                                                             pop909_dir: Path) -> None:
    folder = tmp_path / "voiced"
    shutil.copytree(ROOT / "assets" / "models" / "default", folder, ignore=shutil.ignore_patterns("rhythm.json"))
    model = fit_rhythm(open_model(folder), pieces=2, pop909_dir=pop909_dir)
    assert sum(model.songs.values()) > 1_000_000, "every training song's positions and durations"
    network = sum(model.network.values())
    assert 2 * BARS < network < 2 * BARS * 16 * 8, "two free pieces of 32 bars"
    assert set(model.songs) == set(model.network) and all(k.startswith(("POS_", "D_")) for k in model.songs)
    assert load_rhythm(folder) == model
    card = json.loads((folder / "card.json").read_text())["rhythm"]
    assert card == {"song_events": sum(model.songs.values()), "network_events": network, "network_pieces": 2}
