"""POP909 corpus timing: cold parse of every song (parallel, no cache) and cached load.

Targets (issue 2): cold <= 9 s on 2 cores, cached < 1 s; issue 14: the cold build of all 909 songs <= 2 s on 2
cores. The corpus reads notes with symusic (``model.music.midi_notes``); beside it, pretty_midi's parse alone of the
same files (what the corpus used before), and ``ratio``: that parse over the cold build of the default's
``grid-chords`` corpus. Run: ``python bench/data.py``.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from model.data.corpus import load_corpus
from model.music.pop909 import SongFile, find_dir, list_songs


def main() -> None:
    songs = list_songs(find_dir())
    colds = {}
    for representation in ("grid-chords", "grid", "paper"):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            corpus = load_corpus(songs, representation, cache_dir=Path(tmp))
            cold = colds[representation] = time.perf_counter() - start
            start = time.perf_counter()
            load_corpus(songs, representation, cache_dir=Path(tmp))
            cached = time.perf_counter() - start
        print(f"{representation}: {corpus.summary()}")
        print(f"{representation}: cold build {cold:.2f} s (target <= 2 s), cached load {cached:.2f} s (target < 1 s)")
    parsers = {"pretty_midi": parse_pretty_midi, "symusic": parse_symusic}
    seconds = {name: timed(parse, songs) for name, parse in parsers.items()}
    for name, value in seconds.items():
        print(f"parse only, one process, {name}: {value:.2f} s for {len(songs)} files")
    print(f"ratio: {seconds['pretty_midi'] / colds['grid-chords']:.1f} (pretty_midi's parse alone over the cold "
          "grid-chords build, which parses, quantises and encodes)")


def timed(parse: Callable[[Path], object], songs: list[SongFile]) -> float:
    start = time.perf_counter()
    for song in songs:
        parse(song.midi)
    return time.perf_counter() - start


def parse_pretty_midi(path: Path) -> object:
    import pretty_midi

    return pretty_midi.PrettyMIDI(str(path))


def parse_symusic(path: Path) -> object:
    import symusic

    return symusic.Score.from_midi(path.read_bytes())


if __name__ == "__main__":
    main()
