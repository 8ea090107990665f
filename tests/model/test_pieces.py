"""One piece request: what every caller (CLI, Generate page, study clips, benches) asks of the model package."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from model.generation.artefact import ModelBundle
from model.generation.generate import PRIMER_BARS, tokens_for_bars
from model.generation.settings import GenerationSettings
from model.music.chords import parse_progression
from model.pieces import (
    MidiPrimer,
    PieceRequest,
    PrimerSongChords,
    SongChords,
    SongPrimer,
    make_piece,
    make_pieces,
    primer_and_chords,
)
from tests.conftest import ROOT

DEFAULT = ROOT / "assets" / "models" / "default"


def notes(piece: object) -> int:
    return sum(len(i.notes) for i in piece.midi.instruments)  # type: ignore[attr-defined]


def test_a_request_is_reproducible_and_its_pieces_are_a_batch(tiny_model: ModelBundle) -> None:
    request = PieceRequest(tiny_model.path, GenerationSettings(seed=7), bars=4, pieces=3)
    first, again = make_pieces(request), make_pieces(request)
    assert len(first) == 3 and all(notes(p) > 0 for p in first)
    assert [p.midi.get_end_time() for p in first] == [p.midi.get_end_time() for p in again]
    single = dataclasses.replace(request, pieces=1)
    assert make_piece(request).midi.get_end_time() == make_pieces(single)[0].midi.get_end_time()


def test_bars_set_the_length_through_the_family_and_none_keeps_the_settings_tokens(tiny_model: ModelBundle) -> None:
    by_bars = PieceRequest(tiny_model.path, GenerationSettings(tokens=5000, seed=1), bars=2)
    by_tokens = PieceRequest(tiny_model.path, GenerationSettings(tokens=tokens_for_bars(tiny_model, 2), seed=1),
                             bars=None)
    assert make_piece(by_bars).midi.get_end_time() == make_piece(by_tokens).midi.get_end_time()


def test_a_song_primer_is_its_opening_bars_and_the_piece_says_how_long_it_lasts(tiny_model: ModelBundle,
                                                                               pop909_dir: Path) -> None:
    piece = make_piece(PieceRequest(tiny_model.path, GenerationSettings(seed=2, bpm=120.0), bars=2,
                                    primer=SongPrimer("003")))
    assert piece.primer_seconds is not None and 0 < piece.primer_seconds <= (PRIMER_BARS + 1) * 4 * 60 / 120
    unprimed = make_piece(PieceRequest(tiny_model.path, GenerationSettings(seed=2), bars=2))
    assert unprimed.primer_seconds is None


def test_a_primer_that_is_not_midi_is_one_sentence(tiny_model: ModelBundle) -> None:
    with pytest.raises(ValueError, match="primer cannot be used"):
        make_piece(PieceRequest(tiny_model.path, primer=MidiPrimer(b"not a midi file")))


def test_chords_are_refused_by_a_model_that_does_not_write_over_them(tiny_model: ModelBundle) -> None:
    with pytest.raises(ValueError, match="chord"):
        make_piece(PieceRequest(tiny_model.path, chords=parse_progression("C G Am F")))


def test_a_progression_is_fitted_to_the_bars_and_a_songs_chords_are_read_for_them(pop909_dir: Path) -> None:
    from model.models import open_model

    bundle = open_model(DEFAULT)
    _, given = primer_and_chords(bundle, PieceRequest(DEFAULT, bars=6, chords=parse_progression("C G Am F")))
    _, song = primer_and_chords(bundle, PieceRequest(DEFAULT, bars=5, chords=SongChords("001")))
    primer, under = primer_and_chords(bundle, PieceRequest(DEFAULT, bars=4, primer=SongPrimer("001"),
                                                           chords=PrimerSongChords()))
    assert given is not None and given.bars == 6 and song is not None and song.bars == 5
    assert primer is not None and under is not None and under.bars == PRIMER_BARS + 4
    _, after = primer_and_chords(bundle, PieceRequest(DEFAULT, bars=6, primer=SongPrimer("001"),
                                                      chords=parse_progression("C G Am F")))
    assert after is not None and after.bars == PRIMER_BARS + 6, "the bars asked for are generated after the primer"
    assert after.fitted(PRIMER_BARS).changes[-1][0] < PRIMER_BARS * 16 <= after.changes[1][0]


def test_the_primer_songs_chords_need_a_primer_song() -> None:
    with pytest.raises(ValueError, match="primer"):
        make_piece(PieceRequest(DEFAULT, chords=PrimerSongChords()))


@pytest.mark.parametrize("caller", ["model/__main__.py", "app/views/generate.py", "survey/clips/render.py",
                                    "bench/quality.py"])
def test_every_caller_asks_through_a_piece_request(caller: str) -> None:
    """Nobody outside model.generation assembles primers, progressions and tokens into generate_midi any more."""
    called = {node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
              for node in ast.walk(ast.parse((ROOT / caller).read_text())) if isinstance(node, ast.Call)}
    assert called & {"make_piece", "make_pieces"}
    assert not called & {"generate_midi", "generate_ids", "primer_from_song", "primer_from_midi", "primed_over_song"}
