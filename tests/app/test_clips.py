"""Study clips: generated over their primer song's chords (``generate: {chords: song}``), presented alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from audio.midi import load_midi
from audio.presentation import piece_bpm
from model.families import family_of
from model.models import open_model
from model.pieces import primer_and_chords
from survey.clips.prepare import ClipUnavailable
from survey.clips.render import clip_piece, clip_request, make_clip_audio
from survey.clips.sources import GeneratedClip
from survey.design.study import ClipToRender
from tests.app.conftest import ROOT


@pytest.mark.parametrize("song", ["001", "002", "003", "004"])
def test_the_primer_starts_where_the_song_has_notes_and_the_chords_follow_it(song: str, pop909_dir: Path) -> None:
    folder = ROOT / "assets" / "models" / "default"
    bundle = open_model(folder)
    request = clip_request(GeneratedClip("default", primer=song, bars=16, chords_from_song=True), folder)
    primer, progression = primer_and_chords(bundle, request)
    assert primer is not None and progression is not None
    primed = family_of(bundle.preset).codec().decode(bundle.vocab.decode(list(primer)))
    assert primed.n_notes > 0  # song 004 opens with two empty bars: a primer from bar 0 held no notes
    assert progression.bars == 2 + 16 and progression.changes


def test_chords_of_no_song_are_refused_in_one_sentence(pop909_dir: Path) -> None:
    roots = [ROOT / "assets" / "models"]
    with pytest.raises(ClipUnavailable, match="needs a 'primer' song"):
        clip_piece(GeneratedClip("default", primer=None, chords_from_song=True), roots, open_model)
    with pytest.raises(ClipUnavailable, match="no song"):
        clip_piece(GeneratedClip("default", primer="999", chords_from_song=True), roots, open_model)


def test_an_original_and_a_generated_clip_are_presented_alike(pop909_dir: Path, tmp_path: Path) -> None:
    policy = {"tempo": "group", "velocity": 80, "content": "full", "instrument": 0}
    excerpt = {"start": 10.0, "duration": 4.0, "fade": 0.5}
    original = ClipToRender("o", "original", {"midi": "pop909:002/002.mid", "excerpt": excerpt,
                                              "presentation": policy}, "002")
    generated = ClipToRender("g", "lstm", {"generate": {"model": "grid", "primer": "002", "seed": 1, "bars": 4},
                                           "excerpt": excerpt, "presentation": policy}, "002")
    song_bpm = piece_bpm(load_midi(pop909_dir / "002" / "002.mid"))
    for clip in (original, generated):
        rendered = make_clip_audio(clip, [ROOT / "assets" / "models"], tmp_path, open_model)
        assert rendered.midi is not None
        piece = load_midi(rendered.midi)
        assert piece_bpm(piece) == pytest.approx(song_bpm, rel=1e-4), "the group song's tempo"
        assert {n.velocity for i in piece.instruments for n in i.notes} == {80}
        assert {i.program for i in piece.instruments} == {0}
    assert make_clip_audio(original, [], tmp_path, open_model).start == pytest.approx(10.0, rel=1e-4)
