"""How close each model's pieces come to POP909 on simple measures (issue 2: ``default`` beats ``paper``).

For 20 pieces per model and a reference sample of POP909 songs: mean pitch-class entropy, the
Jensen-Shannon distance of the pooled note-duration and inter-onset-interval histograms (in beats) to
POP909's, and the mean repeated-bar share. "gap" columns are the distance to POP909 (smaller is closer).
The row "(POP909 on the 16th grid)" is the same songs snapped to the grid: the closest a grid model can get.
Run: ``python bench/quality.py [--models assets/models/default assets/models/paper] [--pieces 20]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pretty_midi

from model import metrics, pop909
from model.artefact import load_bundle
from model.generate import GenerationSettings, generate_midi
from model.score import load_score, read_beat_file, score_to_midi

GRID_EVENTS_PER_SECOND = 16
"""POP909 averages about 3,900 grid events per 4-minute song."""


@dataclass
class Measures:
    entropy: float
    repeated: float
    duration_hist: np.ndarray
    ioi_hist: np.ndarray


def measures(pieces: Sequence[tuple[pretty_midi.PrettyMIDI, np.ndarray | None]]) -> Measures:
    """Mean entropy and repeated-bar share, and pooled (note-count weighted) histograms."""
    entropy, repeated, durations, iois = [], [], [], []
    for midi, beats in pieces:
        n = sum(len(i.notes) for i in midi.instruments)
        entropy.append(metrics.pitch_class_entropy(midi))
        repeated.append(metrics.repeated_bar_share(midi, beats))
        durations.append(metrics.duration_histogram(midi, beats) * n)
        iois.append(metrics.ioi_histogram(midi, beats) * n)
    duration = np.nansum(durations, axis=0)
    ioi = np.nansum(iois, axis=0)
    return Measures(float(np.nanmean(entropy)), float(np.nanmean(repeated)), duration / duration.sum(),
                    ioi / ioi.sum())


def reference(count: int) -> tuple[Measures, Measures]:
    """POP909 as performed, and the same songs snapped to the 16th grid (the most a grid model can match)."""
    songs = pop909.select_songs(pop909.list_songs(pop909.find_dir()), count, seed=0)
    performed, gridded = [], []
    for song in songs:
        beats = read_beat_file(song.beats)[0] if song.beats else None
        performed.append((pretty_midi.PrettyMIDI(str(song.midi)), beats))
        gridded.append((score_to_midi(load_score(song.midi, song.beats)), None))
    return measures(performed), measures(gridded)


def print_row(name: str, row: Measures, ref: Measures) -> None:
    print(f"{name:<28}{row.entropy:>9.3f}{abs(row.entropy - ref.entropy):>8.3f}"
          f"{metrics.histogram_distance(row.duration_hist, ref.duration_hist):>13.3f}"
          f"{metrics.histogram_distance(row.ioi_hist, ref.ioi_hist):>9.3f}"
          f"{row.repeated:>10.3f}{abs(row.repeated - ref.repeated):>8.3f}")


def model_row(path: Path, n_pieces: int, seconds: float, bpm: float = 90.0) -> Measures:
    """``n_pieces`` of about ``seconds`` each (the seed's encoding places one event per eighth note)."""
    bundle = load_bundle(path)
    paper = bundle.preset.data.representation == "paper"
    tokens = int(seconds * bpm / 30) if paper else int(seconds * GRID_EVENTS_PER_SECOND)
    settings = GenerationSettings(tokens=tokens, temperature=1.0, seed=1, bpm=bpm)
    pieces = generate_midi(bundle, settings, n_pieces=n_pieces)
    return measures([(p, None) for p in pieces])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=Path, nargs="+",
                        default=[Path("assets/models/default"), Path("assets/models/paper")])
    parser.add_argument("--pieces", type=int, default=20)
    parser.add_argument("--reference-songs", type=int, default=100)
    args = parser.parse_args()
    ref, ref_grid = reference(args.reference_songs)
    print(f"POP909 ({args.reference_songs} songs): pitch-class entropy {ref.entropy:.3f}, "
          f"repeated-bar share {ref.repeated:.3f}")
    header = ("model", "entropy", "gap", "duration JS", "IOI JS", "repeated", "gap")
    print("{:<28}{:>9}{:>8}{:>13}{:>9}{:>10}{:>8}".format(*header))
    print_row("(POP909 on the 16th grid)", ref_grid, ref)
    for path in args.models:
        print_row(path.name, model_row(path, args.pieces, seconds=90.0), ref)


if __name__ == "__main__":
    main()
