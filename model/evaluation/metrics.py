"""Objective metrics of one piece: pure functions from notes to a float (or to a fixed-bin histogram).

Listeners' ratings say what people heard; these numbers say what is in the notes, so the two can be compared
(Yang & Lerch 2018; MusPy's metric set). Every function takes a piece, either a ``pretty_midi.PrettyMIDI``
or a notes array (see :func:`notes_of`), and returns NaN (a histogram: all NaN) for a piece without notes.
Drum tracks are ignored throughout.

Where the metrics come from, and why:

- MusPy 0.5 (it installs beside numpy 2.4 without downgrading a pinned package) computes the pitch
  metrics: pitch-class entropy, number of pitches and pitch classes used, scale consistency and
  polyphony. Pitch range is MusPy's too, but MusPy returns 0 for an empty piece, so it is wrapped to NaN.
- Timing metrics are written here with numpy because MusPy counts time in MIDI ticks, assuming a beat is a
  quarter note and every bar has the same length. POP909's MIDI files contradict that (time signatures of
  1/4 or 2/4 and a tempo map offset from the annotated beats), so every timing metric here takes a beat
  grid in seconds (POP909's ``beat_midi.txt``, or ``pm.get_beats()``) and measures in beats: note-length
  and inter-onset-interval histograms, empty-beat rate, groove consistency (Wu & Yang 2020, as MusPy
  defines it but bar by bar on the grid), repeated-bar share and bar self-similarity (MusPy has neither).
"""

from __future__ import annotations

import io
import math
from typing import TypeAlias

import muspy
import numpy as np
import numpy.typing as npt
import pretty_midi
from scipy import sparse
from scipy.spatial.distance import jensenshannon

from model.music.chords import Progression
from model.music.midi_limits import MidiError, parse_pretty_midi, read_midi_file

Notes: TypeAlias = npt.NDArray[np.float64]
"""Notes as an ``(n, 3)`` float array: onset (seconds), offset (seconds), MIDI pitch; sorted by onset."""

Piece: TypeAlias = pretty_midi.PrettyMIDI | Notes
"""A piece: a PrettyMIDI (drum tracks ignored) or a notes array."""

DEFAULT_SECONDS_PER_BEAT = 0.5
"""Beat length for a bare notes array without a grid: 120 BPM, pretty_midi's default tempo."""
BEATS_PER_BAR = 4
"""Bar length when no downbeats are given: POP909 and the generated pieces are in 4/4."""
STEPS_PER_BEAT = 4
"""Onset quantisation for bar-level metrics: sixteenth notes."""
CHORD_TOLERANCE_BEATS = 1 / 16
"""Onsets closer than this (in beats) count as one onset (a spread chord) for inter-onset intervals."""
POLYPHONY_STEPS_PER_SECOND = 100
"""Time resolution of the piano roll MusPy's polyphony counts over (10 ms steps)."""

LENGTH_CLASSES_BEATS = (1 / 8, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 3 / 4, 1.0, 3 / 2, 2.0, 3.0, 4.0)
"""Reference lengths in beats (32nd ... whole note, with triplets and dotted values) for both histograms."""
HISTOGRAM_LABELS = ("1/8", "1/4", "1/3", "1/2", "2/3", "3/4", "1", "3/2", "2", "3", "4")
HISTOGRAM_EDGES_BEATS = np.concatenate(
    ([0.0], np.sqrt(np.multiply(LENGTH_CLASSES_BEATS[:-1], LENGTH_CLASSES_BEATS[1:])), [np.inf])
)
"""Bin edges in beats: geometric midpoints between neighbouring reference lengths, so a length lands in the
bin of the nearest reference length on a log scale; the last bin is open (4 beats and longer)."""

MUSPY_METRICS = (
    "pitch_class_entropy",
    "pitch_range",
    "n_pitches_used",
    "n_pitch_classes_used",
    "polyphony",
    "scale_consistency",
)
SCALAR_METRICS = (
    *MUSPY_METRICS,
    "empty_beat_rate",
    "groove_consistency",
    "repeated_bar_share",
    "bar_self_similarity",
)
"""Names of the scalar metrics :func:`piece_metrics` returns, in table order."""


class MidiReadError(ValueError):
    """Bytes or a file that pretty_midi cannot parse as MIDI; the message names the reason."""


def notes_of(piece: Piece) -> Notes:
    """All non-drum notes of ``piece`` as an ``(n, 3)`` array (onset s, offset s, pitch), sorted by onset.

    A notes array is validated and sorted, so every metric can take either form.
    """
    if isinstance(piece, pretty_midi.PrettyMIDI):
        rows = [(n.start, n.end, n.pitch) for i in piece.instruments if not i.is_drum for n in i.notes]
        notes = np.array(rows, dtype=np.float64).reshape(-1, 3)
    else:
        notes = np.asarray(piece, dtype=np.float64)
        if notes.size == 0:
            notes = notes.reshape(0, 3)
        if notes.ndim != 2 or notes.shape[1] != 3:
            raise ValueError(f"a notes array has shape (n, 3) (onset s, offset s, pitch); got {notes.shape}")
    return notes[np.lexsort((notes[:, 2], notes[:, 0]))]


def beat_grid(piece: Piece, beats: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """Beat times in seconds: ``beats`` if given, else ``pm.get_beats()``, else a 120 BPM grid from 0 s.

    Raises ``ValueError`` for a grid of fewer than two beats or one that does not strictly increase, since
    positions in beats are interpolated between grid points.
    """
    if beats is None and isinstance(piece, pretty_midi.PrettyMIDI):
        tempo_beats = piece.get_beats()
        beats = tempo_beats if len(tempo_beats) >= 2 else None
    if beats is None:
        end = max(float(notes_of(piece)[:, 1].max(initial=0.0)), DEFAULT_SECONDS_PER_BEAT)
        beats = np.arange(0.0, end + DEFAULT_SECONDS_PER_BEAT, DEFAULT_SECONDS_PER_BEAT)
    grid = np.asarray(beats, dtype=np.float64)
    if grid.ndim != 1 or len(grid) < 2 or np.any(np.diff(grid) <= 0):
        raise ValueError("a beat grid is at least two strictly increasing times in seconds")
    return grid


def to_beats(times: npt.ArrayLike, beats: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Times in seconds as fractional beat positions on ``beats`` (beat 0 is ``beats[0]``).

    Between grid points the position is interpolated linearly; before the first and after the last beat it
    is extrapolated with the first and last beat lengths, so notes outside the grid keep their lengths.
    """
    t = np.asarray(times, dtype=np.float64)
    position = np.interp(t, beats, np.arange(len(beats), dtype=np.float64))
    before, after = t < beats[0], t > beats[-1]
    position[before] = (t[before] - beats[0]) / (beats[1] - beats[0])
    position[after] = len(beats) - 1 + (t[after] - beats[-1]) / (beats[-1] - beats[-2])
    return position


def _music(notes: Notes) -> muspy.Music:
    """A one-track MusPy Music on a 10 ms step grid, for MusPy's pitch metrics and polyphony."""
    steps = np.round(notes[:, :2] * POLYPHONY_STEPS_PER_SECOND).astype(int)
    track = muspy.Track(
        notes=[
            muspy.Note(time=int(on), pitch=int(p), duration=max(int(off - on), 1), velocity=64)
            for (on, off), p in zip(steps, notes[:, 2], strict=True)
        ]
    )
    return muspy.Music(resolution=POLYPHONY_STEPS_PER_SECOND // 2, tracks=[track])


def _by_muspy(names: tuple[str, ...], notes: Notes) -> dict[str, float]:
    """MusPy's metrics ``names`` on one Music built once; all NaN for no notes (MusPy gives 0 for some)."""
    if len(notes) == 0:
        return dict.fromkeys(names, math.nan)
    music = _music(notes)
    return {name: float(getattr(muspy, name)(music)) for name in names}


def pitch_class_entropy(piece: Piece) -> float:
    """Shannon entropy (bits, 0 to log2 12 = 3.585) of the note-count pitch-class histogram; NaN if empty.

    Low values mean few pitch classes dominate (tonal, or stuck); a uniform chromatic spread gives 3.585.
    Computed by MusPy (Wu & Yang 2020).
    """
    return _by_muspy(("pitch_class_entropy",), notes_of(piece))["pitch_class_entropy"]


def pitch_range(piece: Piece) -> float:
    """Highest minus lowest pitch, in semitones; NaN if empty (MusPy would say 0)."""
    return _by_muspy(("pitch_range",), notes_of(piece))["pitch_range"]


def n_pitches_used(piece: Piece) -> float:
    """Number of distinct MIDI pitches; NaN if empty (MusPy would say 0)."""
    return _by_muspy(("n_pitches_used",), notes_of(piece))["n_pitches_used"]


def n_pitch_classes_used(piece: Piece) -> float:
    """Number of distinct pitch classes (0 to 12); NaN if empty (MusPy would say 0)."""
    return _by_muspy(("n_pitch_classes_used",), notes_of(piece))["n_pitch_classes_used"]


def polyphony(piece: Piece) -> float:
    """Mean number of sounding pitches over the 10 ms steps where at least one sounds; NaN if empty.

    A melody alone gives 1, a sustained triad 3. Computed by MusPy on a piano roll in seconds.
    """
    return _by_muspy(("polyphony",), notes_of(piece))["polyphony"]


def scale_consistency(piece: Piece) -> float:
    """Largest share of notes inside one major or minor scale (0 to 1, over all 24); NaN if empty.

    A piece in one key scores 1; chromatic writing lowers it. Computed by MusPy (Mogren 2016).
    """
    return _by_muspy(("scale_consistency",), notes_of(piece))["scale_consistency"]


def _histogram(lengths_beats: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Share of ``lengths_beats`` in each of the fixed bins; all NaN when there is nothing to count."""
    if len(lengths_beats) == 0:
        return np.full(len(LENGTH_CLASSES_BEATS), np.nan)
    counts, _ = np.histogram(lengths_beats, bins=HISTOGRAM_EDGES_BEATS)
    return counts / counts.sum()


def duration_histogram(piece: Piece, beats: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """Normalised histogram of note lengths in beats over the fixed bins of ``HISTOGRAM_EDGES_BEATS``.

    Lengths are measured on the beat grid (seconds, see :func:`beat_grid`), so pieces at different tempi
    are comparable. Returns 11 shares summing to 1, labelled by ``HISTOGRAM_LABELS``; all NaN if empty.
    """
    notes = notes_of(piece)
    grid = beat_grid(piece, beats)
    return _histogram(to_beats(notes[:, 1], grid) - to_beats(notes[:, 0], grid))


def ioi_histogram(piece: Piece, beats: npt.ArrayLike | None = None) -> npt.NDArray[np.float64]:
    """Normalised histogram of inter-onset intervals in beats between successive distinct onsets.

    Onsets closer than ``CHORD_TOLERANCE_BEATS`` count as one (a spread chord is one event). Same bins and
    labels as :func:`duration_histogram`; all NaN when the piece has fewer than two distinct onsets.
    """
    notes = notes_of(piece)
    onsets = to_beats(np.unique(notes[:, 0]), beat_grid(piece, beats))
    intervals = np.diff(onsets)
    return _histogram(intervals[intervals >= CHORD_TOLERANCE_BEATS])


def histogram_distance(p: npt.ArrayLike, q: npt.ArrayLike) -> float:
    """Jensen-Shannon distance (base 2) between two histograms: 0 when equal, 1 when disjoint.

    Chosen over KL divergence because it is symmetric, bounded and finite when a bin is empty in one
    histogram only; it is the square root of the JS divergence, so it is a metric. NaN if either
    histogram has a NaN (an empty piece) or sums to zero.
    """
    a, b = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"histograms differ in shape: {a.shape} and {b.shape}")
    if np.isnan(a).any() or np.isnan(b).any() or a.sum() <= 0 or b.sum() <= 0:
        return math.nan
    return float(jensenshannon(a, b, base=2))


def empty_beat_rate(piece: Piece, beats: npt.ArrayLike | None = None) -> float:
    """Share of beats (0 to 1) in which no note sounds, from the first grid beat to the last note's end.

    A beat counts as sounding when any note overlaps it, so sustained notes fill beats, as in MusPy; a
    silent intro counts as empty beats. NaN if empty or if every note ends before the first beat.
    """
    notes = notes_of(piece)
    grid = beat_grid(piece, beats)
    on = np.round(np.maximum(to_beats(notes[:, 0], grid), 0.0), 6)
    off = np.round(to_beats(notes[:, 1], grid), 6)
    n_beats = math.ceil(off.max(initial=0.0))
    if n_beats < 1:
        return math.nan
    first, last = np.floor(on).astype(int), np.ceil(off).astype(int)
    keep = last > first
    change = np.zeros(n_beats + 1, dtype=int)
    np.add.at(change, first[keep], 1)
    np.add.at(change, last[keep], -1)
    sounding = np.cumsum(change)[:n_beats] > 0
    return float(1.0 - sounding.mean())


def onset_steps(notes: Notes, grid: npt.NDArray[np.float64]) -> npt.NDArray[np.int_]:
    """Each note's onset as a sixteenth-note step on the beat grid (step 0 is the grid's first beat)."""
    return np.round(to_beats(notes[:, 0], grid) * STEPS_PER_BEAT).astype(int)


def bar_starts(
    beats: npt.NDArray[np.float64], downbeats: npt.ArrayLike | None, until_beats: float
) -> npt.NDArray[np.float64]:
    """Bar starts in beats: ``downbeats`` (seconds) on the grid, else every ``BEATS_PER_BAR`` beats from 0.

    Bars are extended past the last downbeat, with the last bar's length, until they cover ``until_beats``
    (the last onset), since a grid from ``pm.get_beats()`` or a beat file may stop before the notes do.
    """
    if downbeats is None:
        starts = np.arange(0.0, len(beats), BEATS_PER_BAR)
    else:
        starts = np.unique(to_beats(np.atleast_1d(np.asarray(downbeats, dtype=np.float64)), beats))
    if len(starts) == 0:
        raise ValueError("downbeats must hold at least one time in seconds")
    length = starts[-1] - starts[-2] if len(starts) > 1 else float(BEATS_PER_BAR)
    n_more = max(0, math.floor((until_beats - starts[-1]) / length))
    return np.concatenate([starts, starts[-1] + length * np.arange(1, n_more + 1)])


def bar_onset_rolls(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> npt.NDArray[np.bool_]:
    """Onsets of each bar as a boolean ``(bars, steps, 128)`` array: True where a pitch starts at a step.

    Onsets are quantised to sixteenths (``STEPS_PER_BEAT``) on the beat grid (seconds); bars run from the
    first bar start to the bar of the last onset, and notes before the first bar (a pickup) are left out.
    ``steps`` is the longest bar in sixteenths; shorter bars end in False. Empty piece: zero bars.
    """
    notes = notes_of(piece)
    grid = beat_grid(piece, beats)
    onset = onset_steps(notes, grid)
    until = onset.max(initial=0) / STEPS_PER_BEAT
    starts = np.round(bar_starts(grid, downbeats, until) * STEPS_PER_BEAT).astype(int)
    width = int(np.diff(starts).max()) if len(starts) > 1 else BEATS_PER_BAR * STEPS_PER_BEAT
    bar = np.searchsorted(starts, onset, side="right") - 1
    inside = bar >= 0
    n_bars = int(bar[inside].max(initial=-1)) + 1
    rolls = np.zeros((n_bars, width, 128), dtype=bool)
    rolls[bar[inside], onset[inside] - starts[bar[inside]], notes[inside, 2].astype(int)] = True
    return rolls


def _groove(rolls: npt.NDArray[np.bool_]) -> float:
    """Groove consistency of bar onset rolls (see :func:`groove_consistency`)."""
    if len(rolls) < 2:
        return math.nan
    pattern = np.any(rolls, axis=2)
    return float(1.0 - np.mean(pattern[:-1] != pattern[1:]))


def groove_consistency(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> float:
    """One minus the mean Hamming distance between neighbouring bars' onset patterns (0 to 1).

    Each bar's pattern marks the sixteenth steps where any note starts (pitch ignored); 1 means every bar
    has the same rhythm (Wu & Yang 2020, MusPy's definition, measured on the beat grid in seconds).
    NaN if the piece has fewer than two bars (an empty piece has none).
    """
    return _groove(bar_onset_rolls(piece, beats, downbeats))


def _bar_jaccard(rolls: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64]:
    """Jaccard similarity between the (pitch, step) onset sets of every two non-empty bars.

    The counts of shared onsets come from a sparse product: exact integers, and no BLAS threads, which
    stall for tens of milliseconds when the cores are busy (e.g. training alongside).
    """
    flat = rolls.reshape(len(rolls), rolls.shape[1] * rolls.shape[2])
    onsets = sparse.csr_array(flat[flat.any(axis=1)].astype(np.int32))
    shared = (onsets @ onsets.T).toarray()
    sizes = np.diagonal(shared)
    return np.asarray(shared / (sizes[:, None] + sizes[None, :] - shared), dtype=np.float64)


def _repeated_share(rolls: npt.NDArray[np.bool_]) -> float:
    """Repeated-bar share of bar onset rolls (see :func:`repeated_bar_share`)."""
    jaccard = _bar_jaccard(rolls)
    if len(jaccard) == 0:
        return math.nan
    repeats = np.tril(jaccard == 1.0, k=-1).any(axis=1)
    return float(repeats.mean())


def repeated_bar_share(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> float:
    """Share of non-empty bars (0 to 1) whose onsets, as (pitch, sixteenth step) pairs, repeat an earlier bar.

    Exact repetition of pitches and onset positions; durations and velocities are ignored. The first
    occurrence of a bar does not count, so four identical bars give 3/4. Empty bars are left out of both
    counts (silence repeating silence is not repetition). NaN if no bar holds a note.
    """
    return _repeated_share(bar_onset_rolls(piece, beats, downbeats))


def _self_similarity(rolls: npt.NDArray[np.bool_]) -> float:
    """Bar self-similarity of bar onset rolls (see :func:`bar_self_similarity`)."""
    jaccard = _bar_jaccard(rolls)
    if len(jaccard) < 2:
        return math.nan
    earlier = np.where(np.tril(np.ones_like(jaccard, dtype=bool), k=-1), jaccard, 0.0)
    return float(earlier[1:].max(axis=1).mean())


def bar_self_similarity(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> float:
    """Mean, over non-empty bars after the first, of the highest Jaccard similarity to any earlier bar.

    Bars are sets of (pitch, sixteenth step) onsets, so a varied repeat (one note changed) scores near 1
    where :func:`repeated_bar_share` counts nothing; 0 means no bar shares an onset with an earlier one.
    NaN if fewer than two bars hold notes.
    """
    return _self_similarity(bar_onset_rolls(piece, beats, downbeats))


def phrase_self_similarity(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None, bars: int = 4
) -> float:
    """:func:`bar_self_similarity` over blocks of ``bars`` bars (4 by default): do phrases come back?

    Pop songs repeat 4- and 8-bar phrases (verse, chorus); a piece that only repeats single bars, or
    nothing, scores low. NaN if fewer than two blocks hold notes.
    """
    rolls = bar_onset_rolls(piece, beats, downbeats)
    n_blocks = len(rolls) // bars
    if n_blocks < 2:
        return math.nan
    blocks = rolls[: n_blocks * bars].reshape(n_blocks, bars * rolls.shape[1], rolls.shape[2])
    return _self_similarity(blocks)


def eighth_grid_share(piece: Piece, beats: npt.ArrayLike | None = None) -> float:
    """Share of onsets that fall on an eighth-note position of the beat grid; NaN if empty.

    POP909 scores about 0.8 (its melodies likewise): pop rhythm sits on eighths with some sixteenths. A
    melody decoded one sixteenth early scores about 0.2, which is how a dropped start event was found.
    """
    notes = notes_of(piece)
    if len(notes) == 0:
        return math.nan
    steps = onset_steps(notes, beat_grid(piece, beats))
    return float(np.mean(steps % (STEPS_PER_BEAT // 2) == 0))


def chord_tone_share(piece: Piece, progression: Progression, beats: npt.ArrayLike | None = None) -> float:
    """Share of the notes starting on a chord change whose pitch class belongs to that chord (0 to 1).

    ``progression`` gives the changes on the 16th grid from the piece's start (bar 0 at beat 0 of ``beats``).
    The notes struck with a new chord are the ones that state it; 20 held-out POP909 excerpts score 0.906 on
    their own progressions (``bench/quality.py``). Changes to "no chord" are left out; NaN if no note starts
    on a change.
    """
    notes = notes_of(piece)
    steps = onset_steps(notes, beat_grid(piece, beats))
    hits = total = 0
    for step, chord in progression.changes:
        tones = chord.tones()
        struck = notes[steps == step, 2].astype(int) % 12
        if tones and len(struck):
            hits += int(np.isin(struck, list(tones)).sum())
            total += len(struck)
    return hits / total if total else math.nan


HISTOGRAM_METRICS = ("duration_hist", "ioi_hist")
"""Histogram metrics; :func:`piece_metrics` spreads each over columns ``name[label]``, one per bin."""


def piece_metrics(
    piece: Piece, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> dict[str, float]:
    """Every metric of one piece, as a flat dict: ``SCALAR_METRICS``, then ``duration_hist[1/8]`` ... and
    ``ioi_hist[1/8]`` ... (one key per histogram bin, see ``HISTOGRAM_LABELS``).

    ``beats`` (seconds) and ``downbeats`` (seconds) give the grid; defaults as in :func:`beat_grid` and
    :func:`bar_starts`. An empty piece gives NaN everywhere. The notes, grid and bar rolls are computed
    once and shared, which is what makes a whole corpus fast.
    """
    notes = notes_of(piece)
    grid = beat_grid(piece, beats)
    rolls = bar_onset_rolls(notes, grid, downbeats)
    result = _by_muspy(MUSPY_METRICS, notes)
    result["empty_beat_rate"] = empty_beat_rate(notes, grid)
    result["groove_consistency"] = _groove(rolls)
    result["repeated_bar_share"] = _repeated_share(rolls)
    result["bar_self_similarity"] = _self_similarity(rolls)
    histograms = {"duration_hist": duration_histogram(notes, grid), "ioi_hist": ioi_histogram(notes, grid)}
    for name, shares in histograms.items():
        result.update(
            {f"{name}[{label}]": float(x) for label, x in zip(HISTOGRAM_LABELS, shares, strict=True)}
        )
    return result


def read_midi(source: str | bytes | io.BytesIO) -> pretty_midi.PrettyMIDI:
    """Parse a MIDI file (path or bytes); raise :class:`MidiReadError` with the reason if it is not MIDI.

    Parsing is :func:`model.music.midi_limits.parse_pretty_midi`'s, as the renderer's, within the same limits.
    """
    data = source.getvalue() if isinstance(source, io.BytesIO) else source
    try:
        return parse_pretty_midi(data if isinstance(data, bytes) else read_midi_file(data))
    except MidiError as error:  # the same sentence as every other entry point's (model.music.midi_limits)
        raise MidiReadError(str(error)) from error


def piece_metrics_from_bytes(
    midi_bytes: bytes, beats: npt.ArrayLike | None = None, downbeats: npt.ArrayLike | None = None
) -> dict[str, float]:
    """:func:`piece_metrics` of a MIDI file given as bytes, e.g. a study clip's stored MIDI.

    Raises :class:`MidiReadError` when the bytes are not MIDI; a MIDI file without notes gives NaN values.
    """
    return piece_metrics(read_midi(midi_bytes), beats, downbeats)
