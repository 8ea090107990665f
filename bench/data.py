"""POP909 corpus timing: cold parse of every song (parallel, no cache) and cached load.

Targets (issue 2): cold <= 9 s on 2 cores, cached < 1 s. Run: ``python bench/data.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from model.corpus import load_corpus
from model.pop909 import find_dir, list_songs


def main() -> None:
    songs = list_songs(find_dir())
    for representation in ("grid", "paper"):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            corpus = load_corpus(songs, representation, cache_dir=Path(tmp))
            cold = time.perf_counter() - start
            start = time.perf_counter()
            load_corpus(songs, representation, cache_dir=Path(tmp))
            cached = time.perf_counter() - start
        print(f"{representation}: {corpus.summary()}")
        print(f"{representation}: cold parse {cold:.2f} s (target <= 9 s), cached load {cached:.2f} s (target < 1 s)")


if __name__ == "__main__":
    main()
