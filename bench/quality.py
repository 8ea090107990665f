"""How close each shipped model's pieces come to POP909, and how its loss compares with counting tokens.

For ``--pieces`` unprimed pieces of about 32 bars per model, and 32-bar excerpts (bars 8-40, on the
annotated beat grid) of :data:`REFERENCE_SONGS` POP909 songs, full texture and MELODY track alone:

* scale consistency (best major/minor fit), pitch-class entropy, share of onsets on the eighth grid,
  4-bar self-similarity, and the Jensen-Shannon distance of the pooled duration and inter-onset
  histograms to POP909's (smaller is closer);
* ``paper`` twice: stateful sampling (ours, state carried past the 100-token training windows) and the
  seed's windowed sampling, so a drift out of distribution past 100 tokens would show;
* the model's validation cross-entropy (its card) beside two count-based baselines over the same
  tokens and song split (:mod:`model.evaluation.ngram`): the unigram and an interpolated 3-gram;
* velocity spread (standard deviation of note velocities within a piece);
* for chord-conditioned models, as many pieces again written over the chord progressions of held-out
  (validation) songs' bars 8-40, beside those songs' own excerpts: the share of notes struck on a chord
  change that are tones of that chord;
* for models that follow a form (their events mark bars, :mod:`model.generation.form`), the same again with a form: the
  free pieces in :data:`LETTER_FORM`, the held-out ones with form ``chords`` (bars echo earlier bars over the
  same chord roots), so what the form adds to the 4-bar self-similarity shows beside the network alone;
* how far POP909 is from itself: draws of ``--pieces`` songs from the reference measured like a model's
  pieces. The histograms have two heavy bins (sixteenth and eighth intervals), and one draw's share of
  sixteenths ranged 0.38-0.60 over six draws of 20, so a distance inside that band is sampling noise;
* every row's melody (issue 22): its top line's unisons, steps, leaps, range and notes a bar against POP909's MELODY
  tracks (:mod:`model.evaluation.melodic`), and a classifier two-sample test of its 8-bar windows against POP909's,
  folds grouped by piece (:mod:`model.evaluation.two_sample`), beside POP909's own floor (``--pieces`` songs against
  the other reference songs);
* for a model that takes chords and follows a form, its rows checked against the targets of issue 15
  (:func:`target_lines`), beside the ``grid`` model's (the issue's "today") where it is benchmarked too.

A draw of 20 pieces is a noisy verdict: over ten draws (``--draws 5`` at ``--seed 0`` and ``--seed 500``)
``default``'s classifier accuracy on the held-out chords ran 0.52-0.72 (mean 0.60, sd 0.07), its inter-onset distance
0.05-0.16; compare models, or a change, over several ``--seed`` draws, not one. ``--float32`` samples from the
float32 weights instead of their 8-bit copy (:mod:`model.generation.int8_model`), for that comparison.
``--draws K`` measures every model row K times (seeds moved by 100 each) and adds each measure's spread.
Run: ``python bench/quality.py [--models assets/models/*] [--pieces 20] [--seed 0] [--draws 1] [--float32]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import pretty_midi

from model.data.pack import split_of, tokenise
from model.encoding.melody import melody_score
from model.evaluation import melodic, metrics
from model.evaluation.melodic import IntervalProfile
from model.evaluation.ngram import baselines
from model.evaluation.two_sample import TwoSample, classifier_test, window_features
from model.families import family_of
from model.generation.artefact import ModelBundle
from model.generation.settings import GenerationSettings, Sampling
from model.generation.steering import follows_form, takes_chords
from model.models import open_model
from model.music import pop909
from model.music.chords import Progression
from model.music.score import load_score, score_to_midi
from model.pieces import PieceRequest, make_piece, make_pieces
from model.presets import get_preset

BARS = 32
REFERENCE_SONGS = 200
"""POP909 songs in the reference: histogram distances to 20 songs alone would mostly measure which 20."""
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
    weighted: np.ndarray
    """(pieces, 2, bins): each piece's duration and inter-onset histograms times its note count, for resampling."""
    melody: IntervalProfile
    """The melody's moves, pooled over pieces: its melody voice (a MELODY track), else its top line."""
    top_line: IntervalProfile
    """The top line's moves whatever the voices, as a listener following the highest note hears them."""
    voiced: bool
    """Every piece names its melody voice, so ``melody`` is that voice."""
    windows: list[np.ndarray]
    """Each piece's 8-bar windows as the two-sample test's features."""

    def histogram(self, column: int) -> np.ndarray:
        """The pooled duration (0) or inter-onset (1) histogram."""
        return (self.durations, self.iois)[column]


def _velocity_spread(piece: pretty_midi.PrettyMIDI) -> float:
    return float(np.std([n.velocity for i in piece.instruments for n in i.notes]))


def measure(pieces: Sequence[pretty_midi.PrettyMIDI], progressions: Sequence[Progression] | None = None) -> Row:
    """Means over pieces, and pooled (note-count weighted) histograms."""
    per_piece = np.array([[metrics.scale_consistency(p), metrics.pitch_class_entropy(p),
                           metrics.eighth_grid_share(p), metrics.phrase_self_similarity(p), _velocity_spread(p)]
                          for p in pieces])
    chord = float(np.nanmean([metrics.chord_tone_share(p, g) for p, g in zip(pieces, progressions, strict=True)])
             if progressions else float("nan"))
    weighted = np.nan_to_num([np.array([metrics.duration_histogram(p), metrics.ioi_histogram(p)])
                              * sum(len(i.notes) for i in p.instruments) for p in pieces])
    durations, iois = weighted.sum(axis=0)
    scale, entropy, grid, phrase, velocity = np.nanmean(per_piece, axis=0)
    return Row(scale, entropy, grid, phrase, velocity, chord, durations / durations.sum(), iois / iois.sum(), weighted,
               melodic.pooled([melodic.melody_profile(p) for p in pieces]),
               melodic.pooled([melodic.interval_profile(*melodic.top_line(p)) for p in pieces]),
               all(melodic.has_melody_voice(p) for p in pieces), [window_features(p) for p in pieces])


def distance_interval(row: Row, ref: Row, column: int, draws: int = 1000) -> tuple[float, float]:
    """90% bootstrap interval of the row's duration (0) or inter-onset (1) distance to ``ref``, pieces resampled.

    One piece's share of sixteenth-note intervals varies with a standard deviation of about 0.33, so a 20-piece
    row's distance moves by as much as models differ (0.08-0.17 for the same model and form, seed alone).
    Resampling adds spread, so the interval sits above the point estimate; rows are compared interval to interval.
    """
    picks = np.random.default_rng(0).integers(0, len(row.weighted), (draws, len(row.weighted)))
    low, high = np.quantile([_pooled_distance(row.weighted[p], ref, column) for p in picks], [0.05, 0.95])
    return float(low), float(high)


def _pooled_distance(weighted: np.ndarray, ref: Row, column: int) -> float:
    """Distance to ``ref`` of the pieces' pooled duration (0) or inter-onset (1) histogram."""
    pooled = weighted[:, column].sum(axis=0)
    return metrics.histogram_distance(pooled / pooled.sum(), ref.histogram(column))


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
    _, validation = split_of(get_preset("default").data)
    pieces, progressions = [], []
    for song in pop909.select_songs(validation, count, seed=0):
        excerpt = load_score(song.midi, song.beats, song.chords).bars(8, BARS)
        pieces.append(score_to_midi(excerpt))
        progressions.append(Progression(excerpt.chords, BARS))
    return pieces, progressions


def conditioned_pieces(bundle: ModelBundle, progressions: Sequence[Progression], base: GenerationSettings,
                       form: str = "") -> list[pretty_midi.PrettyMIDI]:
    """One piece over each progression (seed = the base seed plus its index), as a study clip of ``chords: song``
    would be made."""
    return [make_piece(PieceRequest(bundle.path, dataclasses.replace(base, seed=(base.seed or 0) + i, form=form),
                                    bars=None, chords=g), lambda _: bundle).midi for i, g in enumerate(progressions)]


def model_pieces(bundle: ModelBundle, count: int, base: GenerationSettings, sampling: Sampling = "stateful",
                 form: str = "") -> list[pretty_midi.PrettyMIDI]:
    settings = dataclasses.replace(base, seed=(base.seed or 0) + 1, sampling=sampling, form=form)
    request = PieceRequest(bundle.path, settings, bars=BARS, pieces=count)
    return [piece.midi for piece in make_pieces(request, lambda _: bundle)]


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


ROWS = {"free": "", "chords": " (held-out chords)", "form": f" form {LETTER_FORM}",
        "form chords": " (held-out, form chords)"}
"""Each row a model may have, and the suffix its name gets in the table."""


def model_rows(bundle: ModelBundle, pieces: int, progressions: Sequence[Progression], base: GenerationSettings,
               ) -> dict[str, Row]:
    """The rows this model's family can have, each from the same network (the bundle is built once)."""
    rows = {"free": measure(model_pieces(bundle, pieces, base))}
    if takes_chords(bundle):
        rows["chords"] = measure(conditioned_pieces(bundle, progressions, base), progressions)
    if follows_form(bundle):
        rows["form"] = measure(model_pieces(bundle, pieces, base, form=LETTER_FORM))
    if follows_form(bundle) and takes_chords(bundle):
        rows["form chords"] = measure(conditioned_pieces(bundle, progressions, base, form="chords"), progressions)
    if family_of(bundle.preset).seed_sampling:  # the seed's strict sampling beside our stateful default, same weights
        rows["windowed"] = measure(model_pieces(bundle, pieces, base, "windowed"))
    return rows


def noise_band(ref: Row, size: int) -> np.ndarray:
    """(draws, 2): duration and inter-onset distances to the whole reference of its disjoint ``size``-song draws,
    pooled from the histograms the reference already holds per song."""
    order = np.random.default_rng(0).permutation(len(ref.weighted))
    draws = [ref.weighted[order[k:k + size]] for k in range(0, len(order) - size + 1, size)]
    return np.array([[_pooled_distance(d, ref, column) for column in (0, 1)] for d in draws])


def main() -> None:
    parser = argparse.ArgumentParser()
    shipped = sorted(p for p in Path("assets/models").iterdir() if (p / "model.weights.h5").is_file())
    parser.add_argument("--models", type=Path, nargs="+", default=shipped)
    parser.add_argument("--pieces", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0, help="moves every piece's seed by this much: another draw")
    parser.add_argument("--float32", action="store_true", help="sample from the float32 weights, not their int8 copy")
    parser.add_argument("--draws", type=int, default=1,
                        help="draws of every model row (seeds moved by 100 each); more than one adds their spread")
    args = parser.parse_args()
    base = GenerationSettings(temperature=1.0, seed=args.seed, bpm=90.0, float32=args.float32)
    full, melody = pop909_excerpts(REFERENCE_SONGS)
    held_out, progressions = held_out_excerpts(args.pieces)
    ref, held = measure(full), measure(held_out, progressions)
    band = noise_band(ref, args.pieces)
    print(f"{args.pieces} pieces of about {BARS} bars per model; POP909: bars 8-{8 + BARS} of {REFERENCE_SONGS} songs")
    print(f"{'source':<30}" + "".join(f"{c:>10}" for c in COLUMNS))
    print_row("POP909", ref, ref)
    melody_row = measure(melody)
    print_row("POP909 melody", melody_row, ref)
    print_row("POP909 held-out", held, ref)
    benched: dict[str, tuple[dict[str, Row], tuple[float, float, float]]] = {}
    drawn: dict[str, list[dict[str, Row]]] = {}
    tunes_only: set[str] = set()
    for path in args.models:
        bundle = open_model(path)
        losses = cross_entropies(bundle)
        benched[path.name] = model_rows(bundle, args.pieces, progressions, base), losses
        drawn[path.name] = [benched[path.name][0], *(
            model_rows(bundle, args.pieces, progressions, dataclasses.replace(base, seed=args.seed + 100 * d))
            for d in range(1, args.draws))]
        if family_of(bundle.preset).writes_melody:
            tunes_only.add(path.name)
        for label, row in benched[path.name][0].items():
            print_row(path.name + ROWS.get(label, f" ({label})"), row, ref, losses)
    print(_band_line(band, args.pieces))
    print("\n".join(_verdict(path, benched[path.name][1]) for path in args.models))
    today = benched["grid"][0]["free"] if "grid" in benched else None
    for name, (rows, losses) in benched.items():
        if "form chords" in rows:
            print("\n".join(target_lines(name, rows, losses, Reference(ref, held, band), today)))
    against = Against(ref, held, melody_row, tunes_only)
    print("\n".join(melody_lines(benched, against, args.pieces)))
    if args.draws > 1:
        print("\n".join(draw_lines(drawn, against, args.seed)))


MELODY_COLUMNS = ("unison", "step", "leap", "range", "notes/bar", "acc", "AUC")


@dataclass
class Against:
    """What a model row's windows are told apart from: POP909's MELODY tracks (models that write a melody alone), the
    held-out songs over the same chords (rows with chords), else POP909."""

    pop909: Row
    held_out: Row
    melody: Row
    tunes_only: set[str]

    def windows(self, name: str, label: str) -> list[np.ndarray]:
        source = self.melody if name in self.tunes_only else self.held_out if "chords" in label else self.pop909
        return source.windows


def melody_lines(benched: dict[str, tuple[dict[str, Row], tuple[float, float, float]]], against: Against,
                 size: int) -> list[str]:
    """Issue 22's table: each row's top line against POP909's MELODY tracks, and a classifier two-sample test of its
    8-bar windows against POP909's (free rows), the held-out songs' over the same chords (rows with chords) or POP909's
    MELODY tracks (models that write a melody alone)."""
    ref, held, melody = against.pop909, against.held_out, against.melody
    draw = set(np.random.default_rng(0).choice(len(ref.windows), size, replace=False).tolist())

    def drawn_vs_others(windows: list[np.ndarray]) -> TwoSample:
        """The drawn songs against the other songs: the source against itself."""
        return classifier_test([w for i, w in enumerate(windows) if i in draw],
                               [w for i, w in enumerate(windows) if i not in draw])

    lines = ["", "Melody (the melody voice, a MELODY track, where the source names one [voice]; else the top line "
             "[top]) and a classifier two-sample test, 8-bar windows, folds by piece (accuracy 0.5: cannot tell):",
             f"{'source':<44}" + "".join(f"{c:>10}" for c in MELODY_COLUMNS)]
    lines.append(_melody_row(f"POP909 melody, {size} vs the others", melody, drawn_vs_others(melody.windows)))
    floor = drawn_vs_others(ref.windows)
    lines.append(_melody_row(f"POP909, {size} songs vs the others (floor)", ref, floor))
    lines.append(_melody_row(f"POP909, {size} songs vs the others (floor)", ref, floor, top=True))
    lines.append(_melody_row("POP909 held-out vs the reference", held, classifier_test(held.windows, ref.windows)))
    for name, (rows, _) in benched.items():
        for label, row in rows.items():
            test = classifier_test(row.windows, against.windows(name, label))
            lines.append(_melody_row(name + ROWS.get(label, f" ({label})"), row, test))
    return lines


DRAW_MEASURES = ("dur JS", "IOI JS", "4-bar sim", "vel std", "step", "acc")


def draw_lines(drawn: dict[str, list[dict[str, Row]]], against: Against, seed: int) -> list[str]:
    """Each model row's spread over its draws: mean, standard deviation and range of the measures one draw's verdict
    rests on (a classifier's accuracy on 20 pieces moves by about 0.1 from draw to draw)."""
    lines = ["", f"Over {len(next(iter(drawn.values())))} draws (seeds moved by {seed}, {seed + 100}, ...): "
             "mean +- sd [min-max]", f"{'source':<34}" + "".join(f"{c:>29}" for c in DRAW_MEASURES)]
    for name, draws in drawn.items():
        for label in draws[0]:
            values = np.array([_draw_measures(name, label, rows[label], against) for rows in draws])
            cells = [f"{m:.3f} +-{sd:.3f} [{lo:.2f}-{hi:.2f}]" for m, sd, lo, hi in
                     zip(values.mean(0), values.std(0, ddof=1), values.min(0), values.max(0), strict=True)]
            lines.append(f"{name + ROWS.get(label, f' ({label})'):<34}" + "".join(f"{c:>29}" for c in cells))
    return lines


def _draw_measures(name: str, label: str, row: Row, against: Against) -> list[float]:
    profile = row.melody if row.voiced else row.top_line
    return [metrics.histogram_distance(row.durations, against.pop909.durations),
            metrics.histogram_distance(row.iois, against.pop909.iois), row.phrase, row.velocity, profile.steps,
            classifier_test(row.windows, against.windows(name, label)).accuracy]


def _melody_row(name: str, row: Row, test: TwoSample | None, top: bool = False) -> str:
    """A row's melody (its voice where it has one), or with ``top`` its top line whatever its voices."""
    profile = row.top_line if top or not row.voiced else row.melody
    cells = [profile.unisons, profile.steps, profile.leaps, profile.range, profile.notes_per_bar,
             *((test.accuracy, test.auc) if test else (float("nan"),) * 2)]
    return f"{name + (' [voice]' if row.voiced and not top else ' [top]'):<44}" + "".join(f"{c:>10.3f}" for c in cells)


def _band_line(band: np.ndarray, size: int) -> str:
    low, high = band.min(axis=0), band.max(axis=0)
    return (f"POP909's own {size}-song draws ({len(band)}) lie dur JS {low[0]:.3f}-{high[0]:.3f}, IOI JS "
            f"{low[1]:.3f}-{high[1]:.3f} from the reference: a model inside that band is as close as POP909 to itself")


@dataclass
class Reference:
    """What a model's rows are held against: POP909, the held-out songs, and POP909's distance to itself."""

    pop909: Row
    held_out: Row
    band: np.ndarray


def _check(ok: bool, text: str, noise: bool = False) -> str:
    return f"  {'met          ' if ok else 'within noise ' if noise else 'NOT met      '}{text}"


def target_lines(name: str, rows: dict[str, Row], losses: tuple[float, float, float], ref: Reference,
                 today: Row | None) -> list[str]:
    """Issue 15's targets, each met or not, on the rows with a form (free in LETTER_FORM / held-out with chords)."""
    free, held = rows["form"], rows["form chords"]
    velocity_gap = max(abs(free.velocity / ref.pop909.velocity - 1), abs(held.velocity / ref.held_out.velocity - 1))
    return [
        f"{name} against issue 15's targets (form {LETTER_FORM} / held-out chords, form chords):",
        _check(min(free.phrase, held.phrase) >= 0.5, f"4-bar self-similarity >= 0.5: {free.phrase:.3f} / "
               f"{held.phrase:.3f} (POP909 {ref.pop909.phrase:.3f}, the held-out songs {ref.held_out.phrase:.3f})"),
        _check(min(free.scale, held.scale) >= 0.95, f"scale consistency >= 0.95: {free.scale:.3f} / {held.scale:.3f}"),
        _check(abs(held.chord_tones - ref.held_out.chord_tones) <= 0.10, "chord tones on chord onsets within 10 "
               f"points of the songs' own: {held.chord_tones:.3f} vs {ref.held_out.chord_tones:.3f}"),
        _check(velocity_gap <= 0.30, f"velocity spread within 30% of POP909's: {free.velocity:.2f} vs "
               f"{ref.pop909.velocity:.2f}, {held.velocity:.2f} vs {ref.held_out.velocity:.2f}"),
        *(_distance_line(column, (free, held), ref, today) for column in (0, 1)),
        _check(losses[0] < losses[2],
               f"validation cross-entropy below the 3-gram's: {losses[0]:.3f} vs {losses[2]:.3f}"),
    ]


def _distance_line(column: int, rows: tuple[Row, Row], ref: Reference, today: Row | None) -> str:
    """Duration (0) or inter-onset (1) distance no worse than the grid model's, within noise where the 90%
    bootstrap intervals overlap; without the grid model benched, inside POP909's own band."""
    name = ("duration", "inter-onset")[column]
    ours = [_pooled_distance(r.weighted, ref.pop909, column) for r in rows]
    spans = [distance_interval(r, ref.pop909, column) for r in rows]
    if today is None:  # no grid model benched: POP909's distance to itself is the yardstick
        high = float(ref.band[:, column].max())
        return _check(max(ours) <= high, f"{name} distance inside POP909's own band (grid not benched): "
                      f"{ours[0]:.3f} / {ours[1]:.3f} vs at most {high:.3f}")
    then, (then_low, then_high) = _pooled_distance(today.weighted, ref.pop909, column), \
        distance_interval(today, ref.pop909, column)
    text = (f"{name} distance no worse than today's (grid): {_span(ours[0], spans[0])} / {_span(ours[1], spans[1])}"
            f" vs {_span(then, (then_low, then_high))}")
    return _check(max(ours) <= then, text, noise=all(low <= then_high for low, _ in spans))


def _span(value: float, span: tuple[float, float]) -> str:
    return f"{value:.3f} [{span[0]:.3f}-{span[1]:.3f}]"


def _verdict(path: Path, losses: tuple[float, float, float]) -> str:
    model, unigram, trigram = losses
    card = json.loads((path / "card.json").read_text())
    beats = "below" if model < unigram else "NOT below"
    beats3 = "below" if model < trigram else "not below"
    return (f"{path.name}: val CE {model:.3f} is {beats} the unigram ({unigram:.3f}) and {beats3} the 3-gram "
            f"({trigram:.3f}); {card.get('optimizer_updates', '?')} updates, objective {card.get('objective', '?')}")


if __name__ == "__main__":
    main()
