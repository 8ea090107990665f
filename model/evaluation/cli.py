"""The ``metrics`` command: objective metrics of MIDI files, per file or per source, optionally against POP909.

Examples::

    python -m model metrics runs/lstm/samples                       # one row per file
    python -m model metrics runs/a/samples runs/b/samples --by source --csv sources.csv
    python -m model metrics runs/a/samples --reference "$POP909_DIR" --csv relative.csv
    python -m model metrics "$POP909_DIR" --csv pop909.csv && \\
        python -m model metrics runs/a/samples --reference pop909.csv   # reuse the reference table

Each PATH is a MIDI file or a folder searched recursively; a folder (or a lone file) is one *source*.
Files that cannot be read are reported on stderr, one line each, and the others are still measured (exit
status 1 tells a script something was skipped). Files are parsed in parallel processes.

A MIDI file with a ``beat_midi.txt`` beside it (POP909's layout) is measured on that annotated grid: POP909's
own tempo maps are offset from its beats and its time signatures (1/4, 2/4) do not give its bars.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from model.evaluation import metrics, relative
from model.music.pop909 import BEAT_FILE, read_beat_file

MIDI_SUFFIXES = (".mid", ".midi")
RELATIVE_PRINTED = ("source", "metric", "source_mean", "reference_mean", "inter_mean", "oa_source", "kl_source")


@dataclass(frozen=True)
class FileResult:
    """What measuring one file gave: its metrics, or the reason it could not be measured; CPU seconds spent."""

    path: str
    source: str
    values: dict[str, float] | None
    error: str | None = None
    cpu_seconds: float = 0.0


def midi_files(path: Path) -> list[Path]:
    """``path`` itself if it is a file, else every MIDI file under it (recursively, sorted by path)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(p for p in path.rglob("*") if p.suffix.lower() in MIDI_SUFFIXES and p.is_file())


def annotated_grid(midi_path: Path) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64] | None] | None:
    """Beats and downbeats (seconds) from a POP909 ``beat_midi.txt`` beside the file; None if there is none.

    Columns: beat time (s), duple-downbeat flag, quadruple-downbeat flag; bars start at quadruple downbeats
    (the songs are in 4/4). Raises ``ValueError`` naming the file if it cannot be read as such.
    """
    beat_file = midi_path.parent / BEAT_FILE
    if not beat_file.is_file():
        return None
    beats, flags = read_beat_file(beat_file)
    return beats, beats[flags] if flags.any() else None


def file_metrics(path: Path) -> dict[str, float]:
    """:func:`model.evaluation.metrics.piece_metrics` of one MIDI file, on its annotated beat grid when it has one.

    Raises :class:`model.evaluation.metrics.MidiReadError` for a file that is not MIDI, ``ValueError`` for a bad grid.
    """
    grid = annotated_grid(path)
    beats, downbeats = grid if grid is not None else (None, None)
    return metrics.piece_metrics(metrics.read_midi(str(path)), beats, downbeats)


def _measure(task: tuple[str, str]) -> FileResult:
    """Worker: measure one (path, source) pair; turn a read error into a message rather than a crash."""
    path, source = task
    start = time.process_time()
    try:
        values, error = file_metrics(Path(path)), None
    except (ValueError, OSError) as caught:  # MidiReadError is a ValueError
        values, error = None, str(caught)
    return FileResult(path, source, values, error, time.process_time() - start)


def measure_files(tasks: list[tuple[str, str]], jobs: int) -> list[FileResult]:
    """Measure (path, source) pairs with ``jobs`` processes, keeping their order.

    Workers come from a forkserver, not a fork, so a parent holding threads (TensorFlow, Streamlit) is safe.
    """
    if jobs <= 1 or len(tasks) < 2:
        return [_measure(task) for task in tasks]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # import once in the server, not once per worker
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_measure, tasks, chunksize=max(1, len(tasks) // (8 * jobs))))


def results_frame(results: list[FileResult]) -> pd.DataFrame:
    """One row per measured file: ``source``, ``file``, then every metric column (failed files left out)."""
    rows = [{"source": r.source, "file": r.path, **r.values} for r in results if r.values is not None]
    columns = ["source", "file", *metrics.piece_metrics(np.zeros((0, 3)))]
    return pd.DataFrame(rows, columns=columns)


def source_table(files: pd.DataFrame) -> pd.DataFrame:
    """One row per source: ``n_files`` and the mean of every metric over its files (NaN values skipped)."""
    numbers = files.drop(columns="file").groupby("source", sort=False)
    return numbers.size().rename("n_files").to_frame().join(numbers.mean()).reset_index()


def relative_table(files: pd.DataFrame, reference: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """:func:`model.evaluation.relative.relative_measures` of each source against ``reference``, stacked (tidy)."""
    tables = [
        relative.relative_measures(group, reference, seed=seed).assign(source=source)
        for source, group in files.groupby("source", sort=False)
    ]
    columns = ["source", *relative.RELATIVE_COLUMNS]
    return pd.concat(tables, ignore_index=True)[columns] if tables else pd.DataFrame(columns=columns)


def _tasks(paths: list[Path]) -> list[tuple[str, str]]:
    """(file, source) pairs for every MIDI file under ``paths``; a missing path raises FileNotFoundError."""
    return [(str(file), str(path)) for path in paths for file in midi_files(path)]


def _report(results: list[FileResult]) -> int:
    """Print one stderr line per unreadable file and per file without notes; return the unreadable count."""
    for r in results:
        if r.error is not None:
            print(f"metrics: skipped {r.path}: {r.error}", file=sys.stderr)
        elif r.values is not None and all(np.isnan(v) for v in r.values.values()):
            print(f"metrics: {r.path} has no notes; its metrics are NaN", file=sys.stderr)
    return sum(r.error is not None for r in results)


def _reference(path: Path, jobs: int) -> pd.DataFrame:
    """The reference set's per-file metrics: a CSV this command wrote, or measured from a folder."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path)
    results = measure_files(_tasks([path]), jobs)
    skipped = sum(r.error is not None for r in results)
    if skipped:
        print(f"metrics: {skipped} reference file(s) could not be read and are left out", file=sys.stderr)
    return results_frame(results)


def _show(table: pd.DataFrame, columns: list[str]) -> None:
    """Print ``columns`` of ``table`` as aligned text, three decimals."""
    print(table[columns].to_string(index=False, float_format=lambda x: f"{x:.3f}", na_rep="NaN"))


def run(args: argparse.Namespace) -> int:
    """Measure, print the table and write the CSV; exit status 0, or 2 if a file was refused or none was found."""
    try:
        tasks = _tasks(args.paths)
    except FileNotFoundError as error:
        print(f"metrics: {error}", file=sys.stderr)
        return 2
    if not tasks:
        print("metrics: no MIDI files (.mid, .midi) under the given paths", file=sys.stderr)
        return 2
    results = measure_files(tasks, args.jobs)
    skipped = _report(results)
    files = results_frame(results)
    if files.empty:  # every file was refused: the sentences above are the whole answer, not an empty table
        return 2
    scalars = list(metrics.SCALAR_METRICS)
    if args.reference is not None:
        table = relative_table(files, _reference(args.reference, args.jobs), args.seed)
        shown = list(RELATIVE_PRINTED)
    elif args.by == "source":
        table, shown = source_table(files), ["source", "n_files", *scalars]
    else:
        table, shown = files, ["file", *scalars]
    _show(table, shown)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
        print(f"metrics: wrote {len(table)} rows to {args.csv}", file=sys.stderr)
    return 2 if skipped else 0  # 2 for every refusal, as in every CLI of the lab; the rest are still printed


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``metrics`` on the ``python -m model`` sub-command parsers, with ``func=run``."""
    parser = subparsers.add_parser(
        "metrics",
        help="objective metrics of MIDI files, per file or source, optionally against a reference set",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="MIDI file or folder (one source)")
    parser.add_argument(
        "--reference",
        type=Path,
        help="reference set (e.g. POP909): a folder, or a per-file CSV written by this command; "
        "prints Yang & Lerch relative measures, one row per source and metric",
    )
    parser.add_argument(
        "--by", choices=("file", "source"), default="file", help="one row per file (default) or per source"
    )
    parser.add_argument("--csv", type=Path, help="write the table here (with the histogram bins the screen leaves out)")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)), help="parallel processes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the distance subsets for the densities")
    parser.set_defaults(func=run)
