"""Hostile MIDI: the excerpt's cost grows linearly with the notes, and files beyond the limits are refused at once.

Issue 12 (items 10-11): every MIDI entry point <= 10 s and <= 1 GB on any file the upload accepts. Prints the
excerpt time (start choice + render of 20 s) for N and 2N dense notes and ``ratio`` (linear: about 2; the old
per-bar end-time scan made it about 4), then the refusal time of a 15 MB file of 1.9 million notes at the three
entry points, and the peak memory. Run: ``python bench/hostile.py``.
"""

from __future__ import annotations

import resource
import time

from audio.excerpt import make_excerpt
from audio.midi import load_midi as audio_load_midi
from audio.settings import ExcerptSettings
from bench.dense_midi import dense_midi
from model.evaluation.metrics import piece_metrics_from_bytes
from model.music import midi_limits
from model.music.score import load_score


def excerpt_seconds(notes: int) -> float:
    """Wall time of one 20 s excerpt, from the middle of a piece of ``notes`` eighth notes."""
    data = dense_midi(notes)
    started = time.perf_counter()
    make_excerpt(data, settings=ExcerptSettings(seconds=20.0, start_seconds=notes * 0.25 / 2))
    return time.perf_counter() - started


def refusal_seconds(data: bytes) -> dict[str, float]:
    """How long each entry point takes to refuse ``data``."""
    times = {}
    for name, entry in (("render", audio_load_midi), ("generate/corpus", load_score),
                        ("metrics", piece_metrics_from_bytes)):
        started = time.perf_counter()
        try:
            entry(data)
        except ValueError as exc:
            reason = str(exc)
        times[name] = time.perf_counter() - started
    print(f"refused: {reason}")
    return times


def main() -> None:
    small, large = 50_000, 100_000
    excerpt_seconds(2_000)  # warm the synthesizer and SoundFont
    a, b = excerpt_seconds(small), excerpt_seconds(large)
    print(f"excerpt of {small:,} notes {a:.2f} s, of {large:,} notes {b:.2f} s; ratio: {b / a:.2f} (linear: 2)")
    hostile = dense_midi(1_900_000)
    print(f"hostile file: {len(hostile) / 1e6:.1f} MB, 1,900,000 notes (limit {midi_limits.MAX_NOTES:,})")
    for name, seconds in refusal_seconds(hostile).items():
        print(f"  {name}: refused in {seconds:.2f} s (target <= 10 s)")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MB (target <= 1024 MB)")


if __name__ == "__main__":
    main()
