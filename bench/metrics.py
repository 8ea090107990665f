"""Objective metrics of every POP909 song, timed: parse and measure in parallel processes, no cache.

Target (issue 7): all 909 songs in under 30 s on 2 cores, process start-up included.
Run: ``python bench/metrics.py [--jobs 2] [--limit N]``; prints the time, songs/s and the corpus means.
"""

from __future__ import annotations

import argparse
import sys
import time

from model.evaluation.cli import measure_files, results_frame
from model.evaluation.metrics import SCALAR_METRICS
from model.music.pop909 import find_dir, list_songs

TARGET_SECONDS = 30.0


def main(argv: list[str] | None = None) -> int:
    """Time the metrics of all (or ``--limit``) POP909 songs; exit 1 if a song failed or time ran over."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2, help="parallel processes (default 2)")
    parser.add_argument("--limit", type=int, default=None, help="first N songs only")
    args = parser.parse_args(argv)
    songs = list_songs(find_dir())[: args.limit]
    tasks = [(str(song.midi), "POP909") for song in songs]

    start = time.perf_counter()
    results = measure_files(tasks, args.jobs)
    elapsed = time.perf_counter() - start

    failed = [r for r in results if r.error is not None]
    for r in failed:
        print(f"failed: {r.path}: {r.error}")
    table = results_frame(results)
    print(table[list(SCALAR_METRICS)].describe().loc[["mean", "std", "min", "max"]].T.round(3).to_string())
    print(
        f"metrics of {len(table)} songs in {elapsed:.2f} s with {args.jobs} processes: "
        f"{len(table) / elapsed:.1f} songs/s (target: 909 in < {TARGET_SECONDS:.0f} s)"
    )
    cpu = sum(r.cpu_seconds for r in results)
    print(
        f"CPU time in the workers: {cpu:.1f} s ({1000 * cpu / max(len(results), 1):.1f} ms/song), so about "
        f"{cpu / args.jobs:.1f} s of work per process; wall time above that is start-up or other load"
    )
    return 1 if failed or (len(songs) >= 909 and elapsed >= TARGET_SECONDS) else 0


if __name__ == "__main__":
    sys.exit(main())
