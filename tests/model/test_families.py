"""Model families: every preset has one, and generation asks its family instead of comparing strings."""

from __future__ import annotations

import re
from pathlib import Path

from model.encoding.melody import DEFAULT_PRIMER_PITCH
from model.families import FAMILIES, family_of
from model.presets import PRESETS

ROOT = Path(__file__).resolve().parents[2]
COMPARISON = re.compile(r"(representation|architecture)(\s*(==|!=)|\.startswith\(|\s+in\s+[(\[{])")
FAMILY_MODULES = {"model/families.py", "model/presets.py"}  # the family table, and NetworkConfig's own properties


def test_every_preset_has_a_family() -> None:
    assert {family_of(p).name for p in PRESETS.values()} <= set(FAMILIES)


def test_the_melody_family_starts_where_melody_rnn_does() -> None:
    assert FAMILIES["melody"].start_event == f"NOTE_{DEFAULT_PRIMER_PITCH}"
    assert [f.name for f in FAMILIES.values() if f.takes_chords] == ["grid-chords"]


def test_no_module_but_the_family_modules_decides_by_a_representation_or_architecture_string() -> None:
    found = {}
    for package in ("model", "app", "survey", "audio", "bench"):
        for path in (ROOT / package).rglob("*.py"):
            module = str(path.relative_to(ROOT))
            lines = [line.strip() for line in path.read_text().splitlines()
                     if COMPARISON.search(line) and not line.strip().startswith("for ")]
            if lines and module not in FAMILY_MODULES:
                found[module] = lines
    assert not found, f"decided by a string outside the family modules: {found}"
