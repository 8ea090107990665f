"""Study clips generated over their primer song's chords (``generate: {chords: song}``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.clips import song_primer_and_chords
from model.artefact import load_bundle
from model.tokens import get_codec
from survey.prepare import ClipUnavailable
from tests.app.conftest import ROOT


@pytest.mark.parametrize("song", ["001", "002", "003", "004"])
def test_the_primer_starts_where_the_song_has_notes_and_the_chords_follow_it(song: str, pop909_dir: Path) -> None:
    bundle = load_bundle(ROOT / "assets" / "models" / "default")
    primer, progression = song_primer_and_chords(bundle, song, 16)
    primed = get_codec("grid-chords").decode(bundle.vocab.decode(list(primer)))
    assert primed.n_notes > 0  # song 004 opens with two empty bars: a primer from bar 0 held no notes
    assert progression.bars == 2 + 16 and progression.changes


def test_chords_of_no_song_are_refused_in_one_sentence(pop909_dir: Path) -> None:
    bundle = load_bundle(ROOT / "assets" / "models" / "default")
    with pytest.raises(ClipUnavailable, match="needs a 'primer' song"):
        song_primer_and_chords(bundle, "", 16)
    with pytest.raises(ClipUnavailable, match="no song"):
        song_primer_and_chords(bundle, "999", 16)
