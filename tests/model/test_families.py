"""Model families: every preset has one, and generation asks its family instead of comparing strings."""

from __future__ import annotations

import re
from pathlib import Path

from model.families import FAMILIES, family_of
from model.melody import DEFAULT_PRIMER_PITCH
from model.presets import PRESETS

ROOT = Path(__file__).resolve().parents[2]
COMPARISON = re.compile(r"(representation|architecture)\s*(==|!=|\bin\b)|(representation|architecture)\.startswith")


def test_every_preset_has_a_family() -> None:
    assert {family_of(p).name for p in PRESETS.values()} <= set(FAMILIES)


def test_the_melody_family_starts_where_melody_rnn_does() -> None:
    assert FAMILIES["melody"].start_event == f"NOTE_{DEFAULT_PRIMER_PITCH}"
    assert [f.name for f in FAMILIES.values() if f.takes_chords] == ["grid-chords"]


def test_generation_compares_no_representation_or_architecture_strings() -> None:
    # The modules moved onto families so far; training and the network builders are next (issue 14).
    for module in ("model/generate.py", "app/views/generate.py", "survey/clip_audio.py"):
        lines = [line for line in (ROOT / module).read_text().splitlines() if COMPARISON.search(line)]
        assert not lines, f"{module} decides by a string: {lines}"
