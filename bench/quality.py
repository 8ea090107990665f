"""How close each shipped model's pieces come to POP909, and how its loss compares with counting tokens.

For ``--pieces`` unprimed pieces of about 32 bars per model, and 32-bar excerpts (bars 8-40, on the
annotated beat grid) of as many POP909 songs, full texture and MELODY track alone:

* scale consistency (best major/minor fit), pitch-class entropy, share of onsets on the eighth grid,
  4-bar self-similarity, and the Jensen-Shannon distance of the pooled duration and inter-onset
  histograms to POP909's (smaller is closer);
* ``paper`` twice: stateful sampling (ours, state carried past the 100-token training windows) and the
  seed's windowed sampling, so a drift out of distribution past 100 tokens would show;
* the model's validation cross-entropy (its card) beside two count-based baselines over the same
  tokens and song split (:mod:`model.ngram`): the unigram and an interpolated 3-gram;
* velocity spread (standard deviation of note velocities within a piece);
* for chord-conditioned models, as many pieces again written over the chord progressions of held-out
  (validation) songs' bars 8-40, beside those songs' own excerpts: the share of notes struck on a chord
  change that are tones of that chord;
* for models that follow a form (their events mark bars, :mod:`model.form`), the same again with a form: the
  free pieces in :data:`LETTER_FORM`, the held-out ones with form ``chords`` (bars echo earlier bars over the
  same chord roots), so what the form adds to the 4-bar self-similarity shows beside the network alone.

Run: ``python bench/quality.py [--models assets/models/*] [--pieces 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pretty_midi

from model import pop909
from model.artefact import ModelBundle, load_bundle
from model.chords import Progression
from model.evaluation import metrics
from model.generate import follows_form, generate_midi, takes_chords, tokens_for_bars
from model.generation_settings import GenerationSettings, Sampling
from model.melody import melody_score
from model.ngram import baselines
from model.pack import tokenise
from model.presets import get_preset
from model.score import load_score, score_to_midi

BARS = 32
LETTER_FORM = "AABBAABB"
"""Verse (A, twice 4 bars) and chorus (B, twice 4 bars), twice: a plain 32-bar pop song."""
COLUMNS = ("scale", "entropy", "8th grid", "4-bar sim", "dur JS", "IOI JS", "vel std", "chord tn", "val CE",
           "unigram", "3-gram")


@dataclass
class Row:
    scale: float
    entropy: float
    grid: float
    phrase: float
    velocity: float
    chord_tones: float
    durations: np.ndarray
    iois: np.ndarray


def _velocity_spread(piece: pretty_midi.PrettyMIDI) -> float:
    return float(np.std([n.velocity for i in piece.instruments for n in i.notes]))


def measure(pieces: Sequence[pretty_midi.PrettyMIDI], progressions: Sequence[Progression] | None = None) -> Row:
    """Means over pieces, and pooled (note-count weighted) histograms."""
    per_piece = np.array([[metrics.scale_consistency(p), metrics.pitch_class_entropy(p),
                           metrics.eighth_grid_share(p), metrics.phrase_self_similarity(p), _velocity_spread(p)]
                          for p in pieces])
    chord = float(np.nanmean([metrics.chord_tone_share(p, g) for p, g in zip(pieces, progressions, strict=True)])
             if progressions else float("nan"))
    weights = [sum(len(i.notes) for i in p.instruments) for p in pieces]
    durations = np.nansum([metrics.duration_histogram(p) * w for p, w in zip(pieces, weights, strict=True)], axis=0)
    iois = np.nansum([metrics.ioi_histogram(p) * w for p, w in zip(pieces, weights, strict=True)], axis=0)
    scale, entropy, grid, phrase, velocity = np.nanmean(per_piece, axis=0)
    return Row(scale, entropy, grid, phrase, velocity, chord, durations / durations.sum(), iois / iois.sum())


def pop909_excerpts(count: int) -> tuple[list[pretty_midi.PrettyMIDI], list[pretty_midi.PrettyMIDI]]:
    """Bars 8-40 of ``count`` songs (seed 0), all tracks and the MELODY track, on the 16th grid."""
    songs = pop909.select_songs(pop909.list_songs(pop909.find_dir()), count, seed=0)
    full, melody = [], []
    for song in songs:
        full.append(score_to_midi(load_score(song.midi, song.beats).bars(8, BARS)))
        melody.append(score_to_midi(melody_score(song.midi.read_bytes(), song.beats).bars(8, BARS)))
    return full, melody


def held_out_excerpts(count: int) -> tuple[list[pretty_midi.PrettyMIDI], list[Progression]]:
    """Bars 8-40 of ``count`` validation songs of the default preset's split, with their chord progressions."""
    d = get_preset("default").data
    songs = pop909.select_songs(pop909.list_songs(pop909.find_dir()), d.songs, d.selection_seed)
    _, validation = pop909.split_songs(songs, d.validation_share, d.selection_seed)
    pieces, progressions = [], []
    for song in pop909.select_songs(validation, count, seed=0):
        excerpt = load_score(song.midi, song.beats, song.chords).bars(8, BARS)
        pieces.append(score_to_midi(excerpt))
        progressions.append(Progression(excerpt.chords, BARS))
    return pieces, progressions


def conditioned_pieces(bundle: ModelBundle, progressions: Sequence[Progression], form: str = "",
                       ) -> list[pretty_midi.PrettyMIDI]:
    """One piece over each progression (seed = its index), as a study clip of ``chords: song`` would be made."""
    return [generate_midi(bundle, GenerationSettings(temperature=1.0, seed=i, bpm=90.0, form=form), 1,
                          progression=g)[0] for i, g in enumerate(progressions)]


def model_pieces(bundle: ModelBundle, count: int, sampling: Sampling = "stateful", form: str = "",
                 ) -> list[pretty_midi.PrettyMIDI]:
    settings = GenerationSettings(tokens=tokens_for_bars(bundle, BARS), temperature=1.0, seed=1, bpm=90.0,
                                  sampling=sampling, form=form)
    return generate_midi(bundle, settings, n_pieces=count)


def cross_entropies(bundle: ModelBundle) -> tuple[float, float, float]:
    """(model, unigram, 3-gram) validation cross-entropy in nats per token, on the model's own song split."""
    songs = tokenise(bundle.preset, log=lambda _: None)
    base = baselines(songs.train, songs.validation, len(songs.vocab))
    model = bundle.card.get("best_validation_loss")
    return (float(model) if model is not None else float("nan")), base.unigram, base.trigram


def print_row(name: str, row: Row, ref: Row, losses: tuple[float, float, float] | None = None) -> None:
    cells = [row.scale, row.entropy, row.grid, row.phrase, metrics.histogram_distance(row.durations, ref.durations),
             metrics.histogram_distance(row.iois, ref.iois), row.velocity, row.chord_tones,
             *(losses or (float("nan"),) * 3)]
    print(f"{name:<30}" + "".join(f"{c:>10.3f}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser()
    shipped = sorted(p for p in Path("assets/models").iterdir() if (p / "model.weights.h5").is_file())
    parser.add_argument("--models", type=Path, nargs="+", default=shipped)
    parser.add_argument("--pieces", type=int, default=20)
    args = parser.parse_args()
    full, melody = pop909_excerpts(args.pieces)
    held_out, progressions = held_out_excerpts(args.pieces)
    ref = measure(full)
    print(f"{args.pieces} pieces of about {BARS} bars per model; POP909: bars 8-{8 + BARS} of {args.pieces} songs")
    print(f"{'source':<30}" + "".join(f"{c:>10}" for c in COLUMNS))
    print_row("POP909", ref, ref)
    print_row("POP909 melody", measure(melody), ref)
    print_row("POP909 held-out", measure(held_out, progressions), ref)
    verdicts = []
    for path in args.models:
        bundle = load_bundle(path)  # built once: every row of this model samples from the same network
        losses = cross_entropies(bundle)
        print_row(path.name, measure(model_pieces(bundle, args.pieces)), ref, losses)
        if takes_chords(bundle):
            print_row(f"{path.name} (held-out chords)", measure(conditioned_pieces(bundle, progressions), progressions),
                      ref, losses)
        if follows_form(bundle):
            print_row(f"{path.name} form {LETTER_FORM}", measure(model_pieces(bundle, args.pieces, form=LETTER_FORM)),
                      ref, losses)
        if follows_form(bundle) and takes_chords(bundle):
            pieces = conditioned_pieces(bundle, progressions, form="chords")
            print_row(f"{path.name} (held-out, form chords)", measure(pieces, progressions), ref, losses)
        if path.name == "paper":  # the seed's strict sampling beside our stateful default, same weights
            print_row("paper (windowed)", measure(model_pieces(bundle, args.pieces, "windowed")), ref, losses)
        verdicts.append(_verdict(path, losses))
    print("\n".join(verdicts))


def _verdict(path: Path, losses: tuple[float, float, float]) -> str:
    model, unigram, trigram = losses
    card = json.loads((path / "card.json").read_text())
    beats = "below" if model < unigram else "NOT below"
    beats3 = "below" if model < trigram else "not below"
    return (f"{path.name}: val CE {model:.3f} is {beats} the unigram ({unigram:.3f}) and {beats3} the 3-gram "
            f"({trigram:.3f}); {card.get('optimizer_updates', '?')} updates, objective {card.get('objective', '?')}")


if __name__ == "__main__":
    main()
