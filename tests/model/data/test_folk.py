"""Pretrained Magenta's corpus counts what it leaves out, as POP909 loading does."""

from __future__ import annotations

from pathlib import Path

import pytest

from model.data.folk import load_folk_corpus

GOOD_AND_SHORT = """X:1
T:Good
M:4/4
L:1/8
K:C
CDEF GABc|cBAG FEDC|CDEF GABc|cBAG FEDC|CDEF GABc|cBAG FEDC|CDEF GABc|cBAG FEDC|

X:2
T:Short
M:4/4
L:1/4
K:C
C4|
"""


def test_tunes_without_a_melody_and_unreadable_files_are_skipped_and_counted(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "two.abc").write_text(GOOD_AND_SHORT)
    (tmp_path / "broken.abc").write_bytes(b"this is not abc or any music\x00\x01")
    corpus = load_folk_corpus([tmp_path / "two.abc", tmp_path / "broken.abc"], workers=1)
    assert len(corpus.song_ids) == 1
    assert [name for name, _ in corpus.skipped] == ["two.abc tune 2", "broken.abc"]
    assert corpus.skipped[1][1].startswith("unreadable")
    assert "2 skipped" in corpus.summary()
