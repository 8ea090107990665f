"""Model families: every preset has one, each lives in its own module, and a new one is a module plus a line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.encoding.melody import DEFAULT_PRIMER_PITCH
from model.encoding.tokens import EventCodec, GridCodec
from model.families import FAMILIES, family_named, family_of
from model.families.base import Family, cached_codec
from model.generation.generate import tokens_for_bars
from model.generation.settings import GenerationSettings
from model.models import open_model
from model.pieces import PieceRequest, make_piece
from model.presets import PRESETS, TINY
from model.training.train import train

ROOT = Path(__file__).resolve().parents[2]
DECISION = re.compile(r"(representation|architecture)(\s*(==|!=)|\.startswith\(|\s+in\s+[(\[{])"
                      r"|__name__\s*==\s*['\"][A-Z]|\.get\(\"name\"\)\s*==")
FAMILY_MODULES = {str(p.relative_to(ROOT)) for p in (ROOT / "model" / "families").glob("*.py")}


def test_every_preset_has_a_family_and_a_network_of_it() -> None:
    for preset in PRESETS.values():
        family_of(preset).network(preset.network)  # a variant the family does not train raises


def test_the_melody_family_starts_where_melody_rnn_does() -> None:
    assert FAMILIES["melody"].start_event == f"NOTE_{DEFAULT_PRIMER_PITCH}"
    assert [f.name for f in FAMILIES.values() if f.takes_chords] == ["grid-chords", "grid-voices"]


def test_a_variant_the_family_does_not_train_is_one_sentence() -> None:
    paper = PRESETS["paper"]
    wrong = paper.with_overrides(architecture="embedding")
    with pytest.raises(ValueError, match="paper family trains paper or paper-onehot"):
        family_of(wrong).network(wrong.network)


def test_no_module_but_the_family_modules_decides_by_a_family_variant_or_class_name_string() -> None:
    found = {}
    for package in ("model", "app", "survey", "audio", "bench"):
        for path in (ROOT / package).rglob("*.py"):
            module = str(path.relative_to(ROOT))
            lines = [line.strip() for line in path.read_text().splitlines()
                     if DECISION.search(line) and not line.strip().startswith("for ")]
            if lines and module not in FAMILY_MODULES:
                found[module] = lines
    assert not found, f"decided by a string outside the family modules: {found}"


@dataclass(frozen=True)
class BarsOfTwo(Family):
    """A toy family, written as a new family would be: the grid's events, counted as half a grid bar."""

    def codec(self) -> EventCodec:
        return cached_codec(GridCodec)


def test_a_new_family_is_one_module_and_one_registry_line(pop909_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FAMILIES, "bars-of-two", BarsOfTwo("bars-of-two", events_per_bar=24, start_event="BAR"))
    preset = TINY.with_overrides(representation="bars-of-two", epochs=1, steps_per_epoch=2)
    card = train(preset, tmp_path / "toy", pop909_dir, verbose=0, log=lambda _: None)
    bundle = open_model(tmp_path / "toy")
    assert family_named("bars-of-two") is family_of(bundle.preset) and card["vocab_size"] == len(bundle.vocab)
    assert tokens_for_bars(bundle, 4) == 4 * 24
    piece = make_piece(PieceRequest(bundle.path, GenerationSettings(seed=1), bars=4))
    assert sum(len(i.notes) for i in piece.midi.instruments) > 0


def test_only_melodyrnn_writes_a_melody_alone_and_is_held_against_pop909_melodies() -> None:
    assert [name for name, family in FAMILIES.items() if family.writes_melody] == ["melody"]
