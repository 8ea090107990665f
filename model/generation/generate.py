"""Generation from a model folder: primer, O(1)-per-token sampling, MIDI out.

The network runs as a :class:`~model.generation.step.StepModel` that carries its LSTM state, so each new token
costs one step, and N pieces are generated together as one batch. A fixed ``seed`` makes the output
reproducible.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from model.families import family_of
from model.generation.artefact import ModelBundle, ModelFolderError
from model.generation.sample import apply_temperature, filter_top_k, filter_top_p, sample_rows
from model.generation.settings import MAX_TOKENS, GenerationSettings
from model.generation.steering import Steering, require_chords, steering_for
from model.generation.step import StepModel, single_threaded_blas
from model.music.chords import Progression
from model.music.midi_notes import read_notes
from model.music.pop909 import MELODY_TRACK, SongFile, cache_root, read_beat_file
from model.music.score import STEPS_PER_BAR, MidiError, Score, load_score, score_to_midi, to_score

BarProgress = Callable[[int], None]
"""Told how many bars every piece of a batch has begun, as sampling goes (families whose events mark bars)."""

CHORD_TOKENS_PER_BAR = 200
"""Token budget per bar of a given progression: generation ends with the progression's last bar, well before."""
MAX_PIECES = 64



def tokens_for_bars(bundle: ModelBundle, bars: int) -> int:
    """How many events to sample for a piece of about ``bars`` bars with this model's encoding."""
    return min(MAX_TOKENS, max(1, bars) * family_of(bundle.preset).events_per_bar)


class StepModelMissing(ModelFolderError):
    """A folder whose NumPy step model was never made on this machine: :func:`model.models.open_model` makes it."""


def step_model(bundle: ModelBundle) -> StepModel:
    """The bundle's step model: the one it holds, else the one cached on disk for its weights (``step_file``).

    A cached step model is read without Keras or TensorFlow (seconds and hundreds of megabytes saved on a cold
    start). Making one from the Keras weights is training's job (:mod:`model.training.to_step`), which
    :func:`model.models.open_model` does once per machine.
    """
    if bundle.step is None:
        try:
            bundle.step = StepModel.load(step_file(bundle))
        except (OSError, ValueError, KeyError) as exc:
            raise StepModelMissing(f"{bundle.path} has no step model yet; open it with model.models.open_model, "
                                   "which converts its weights once.") from exc
    return bundle.step


def sampling_model(bundle: ModelBundle, settings: GenerationSettings) -> StepModel:
    """The step model a piece is sampled from: the float32 one when ``settings.float32``, else its int8 twin, which
    reads a quarter of the bytes a step (:mod:`model.generation.int8_model`)."""
    if settings.float32:
        return step_model(bundle)
    # Imported here: it loads numba (LLVM, about 60 MB), which servers that import generation but never sample (a
    # study's participant pages) should not carry.
    from model.generation.int8_model import int8_twin

    return int8_twin(step_model(bundle))


PRIMER_BARS = 2
"""Bars of a POP909 song that prime a piece unless told otherwise (the study clips' primer)."""


def step_file(bundle: ModelBundle) -> Path:
    """Where the step model of these weights is cached: under the lab's cache, named by their SHA-256."""
    digest = hashlib.sha256(bundle.weights.read_bytes()).hexdigest()[:32]
    return cache_root() / "step-models" / f"{digest}.npz"


def primer_from_midi(bundle: ModelBundle, midi: bytes, max_events: int = 512) -> Primer:
    """Event ids of an uploaded MIDI primer in the model's vocabulary (its first ``max_events``; a POP909 song
    primes through :func:`primer_from_song`, on its annotated beats)."""
    try:
        score = family_of(bundle.preset).primer_score(midi)
    except MidiError as exc:
        raise ValueError(f"The primer cannot be used: {exc}") from exc
    return _primer_ids(bundle, score, max_events)


def primer_from_song(bundle: ModelBundle, song: SongFile, start_bar: int | None = None,
                     bars: int = PRIMER_BARS) -> Primer:
    """The one POP909 primer, for the command line, the Generate page and study clips alike: ``bars`` bars from
    ``start_bar`` on the song's annotated beat grid, by default from :func:`opening_bar`. Every model gets the
    same bars, read as its family reads music: with the annotated chords for a chord-conditioned model (its
    training windows always held them), the MELODY track for MelodyRNN."""
    if (start_bar is not None and start_bar < 0) or not 1 <= bars <= 64:
        raise ValueError(f"start bar must be >= 0 and bars between 1 and 64, got {start_bar} and {bars}.")
    try:
        start = opening_bar(song) if start_bar is None else start_bar
        score = family_of(bundle.preset).primer_score(song.midi, song.beats, song.chords)
    except MidiError as exc:
        raise ValueError(f"The primer cannot be used: {exc}") from exc
    return _primer_ids(bundle, score.bars(start, bars), max_events=4096)


def opening_bar(song: SongFile) -> int:
    """Where the song's tune enters: its first bar with a MELODY note (with any note when it has no such track).
    Many POP909 songs open with bars of accompaniment alone, which would prime MelodyRNN with nothing."""
    notes = read_notes(song.midi.read_bytes()).tracks(MELODY_TRACK)
    beats, downbeats = read_beat_file(song.beats) if song.beats is not None else (None, None)
    return int(to_score(notes, beats, downbeats).onsets.min()) // STEPS_PER_BAR


def progression_from_song(song: SongFile, start_bar: int = 8, bars: int = 16) -> Progression:
    """The annotated chords of ``bars`` bars of a POP909 song from ``start_bar`` (``chord_midi.txt``)."""
    if start_bar < 0 or not 1 <= bars <= 256:
        raise ValueError(f"start bar must be >= 0 and bars between 1 and 256, got {start_bar} and {bars}.")
    return _song_progression(song, _chord_score(song), start_bar, bars)


def primed_over_song(
    bundle: ModelBundle, song: SongFile, bars: int, primer_bars: int = PRIMER_BARS
) -> tuple[Primer, Progression]:
    """The song's primer (:func:`primer_from_song`) and its annotated progression from the primer's first bar
    for ``primer_bars + bars`` bars: a piece that shares the song's harmony, only its composition differing."""
    require_chords(bundle)
    score = _chord_score(song)
    start = opening_bar(song)
    return primer_from_song(bundle, song, start, primer_bars), _song_progression(song, score, start, primer_bars + bars)


def _chord_score(song: SongFile) -> Score:
    """The song with its chord annotation, or one sentence saying why it cannot be had."""
    if song.chords is None:
        raise ValueError(f"POP909 song {song.song_id} has no chord annotation (chord_midi.txt).")
    try:
        return load_score(song.midi, song.beats, song.chords)
    except MidiError as exc:
        raise ValueError(f"The song's chords cannot be read: {exc}") from exc


def _song_progression(song: SongFile, score: Score, start_bar: int, bars: int) -> Progression:
    excerpt = score.bars(start_bar, bars)
    if not excerpt.chords:
        raise ValueError(f"POP909 song {song.song_id} has no chords in bars {start_bar}-{start_bar + bars}.")
    return Progression(excerpt.chords, bars)


@dataclass(frozen=True)
class Primer:
    """Event ids that start a piece, and how far they were transposed to get there.

    MelodyRNN learned melodies in C (``transpose_to_key=0``), so Magenta's generator moves a primer into C
    and its range, generates, then moves the result back (``melody_rnn_sequence_generator``); ``transpose``
    is that move in semitones, undone when the piece is decoded. Other families leave primers as they are.
    """

    ids: np.ndarray
    transpose: int = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(int(i) for i in self.ids)


def _primer_ids(bundle: ModelBundle, score: Score, max_events: int) -> Primer:
    events, transpose = family_of(bundle.preset).primer_events(score) if score.n_notes else ([], 0)
    ids = bundle.vocab.encode(events[:max_events])
    if len(ids) == 0:
        raise ValueError("The primer has no notes this model knows; choose another MIDI file.")
    return Primer(ids, transpose)


def default_primer(bundle: ModelBundle, rng: np.random.Generator) -> np.ndarray:
    """A bar line for grid models; middle C for MelodyRNN (as ``melody_rnn_generate`` defaults); a random
    event for the seed's encoding (it starts from any window)."""
    start = family_of(bundle.preset).start_event
    if start is not None:
        return bundle.vocab.encode([start])
    return np.array([int(rng.integers(len(bundle.vocab)))])


def _inputs(bundle: ModelBundle, ids: np.ndarray) -> np.ndarray:
    """Step inputs as the family's network reads them (ids, or the seed's ids scaled to [0, 1))."""
    return family_of(bundle.preset).step_inputs(ids, len(bundle.vocab), bundle.preset.network)


def generate_ids(
    bundle: ModelBundle, settings: GenerationSettings, n_pieces: int = 1, primer: Primer | np.ndarray | None = None,
    progression: Progression | None = None, on_bar: BarProgress | None = None,
) -> np.ndarray:
    """Sample ``settings.tokens`` new ids for each of ``n_pieces`` sequences: shape (n_pieces, tokens).

    With a ``progression`` (chord-conditioned models only) the chords are imposed at their changes and
    sampling ends with the progression's last bar, so fewer tokens may come back.
    """
    settings.validate()
    if not 1 <= n_pieces <= MAX_PIECES:
        raise ValueError(f"pieces must be between 1 and {MAX_PIECES}, got {n_pieces}.")
    rng = np.random.default_rng(settings.seed)
    primer = default_primer(bundle, rng) if primer is None else np.asarray(list(primer), dtype=np.int64)
    model = sampling_model(bundle, settings)
    model.reset(n_pieces)
    steering = steering_for(bundle, settings.form, n_pieces, progression, settings.melody_line, settings.rhythm_line)
    own_loop = family_of(bundle.preset).sampler()
    with single_threaded_blas():
        if own_loop is not None:
            return own_loop(bundle, model, settings, primer, n_pieces, rng)
        return _sample_loop(bundle, settings, model, steering, primer, rng, n_pieces, BarCounter.of(bundle, on_bar))


def _sample_loop(
    bundle: ModelBundle, settings: GenerationSettings, model: StepModel, steering: Steering,
    primer: np.ndarray, rng: np.random.Generator, n_pieces: int, count_bars: BarCounter,
) -> np.ndarray:
    """Feed the primer, then draw one token per step for every sequence of the batch.

    Only the sequences still going (``live``) are run through the network: a piece over a progression that has
    reached its last bar gets forced bar lines from its grammar, and stepping it would cost as much as any other row.
    """
    probs = _window_probs(bundle, model, np.tile(primer, (n_pieces, 1)), whole=True)
    for token in primer:
        steering.feed(np.full(n_pieces, token))
    steering.seal_primer()
    out = np.empty((n_pieces, settings.tokens), dtype=np.int64)
    horizon, fed, live = _state_horizon(bundle), len(primer), np.arange(n_pieces)
    for t in range(settings.tokens):
        if settings.sampling == "windowed":
            probs[live] = _window_probs(bundle, model, _history(primer, out[live, :t]))
        elif horizon and fed >= horizon:  # back inside the window length it was trained on
            probs[live] = _window_probs(bundle, model, _history(primer, out[live, :t])[:, -(horizon // 2):])
            fed = horizon // 2
        weights = steering.weigh(apply_temperature(probs, settings.temperature))
        weights = filter_top_p(filter_top_k(weights, settings.top_k), settings.top_p)
        out[:, t] = steering.settle(sample_rows(weights, rng))
        count_bars(out[:, t])
        settled = steering.settled(n_pieces)
        if settled.all():
            return out[:, :t + 1]
        live = _drop_settled(model, live, settled)
        if settings.sampling == "stateful":  # windowed sampling replays the window instead
            probs[live] = model.step(_inputs(bundle, out[live, t]))
            fed += 1
    return out


def _history(primer: np.ndarray, sampled: np.ndarray) -> np.ndarray:
    """The primer and what each sequence has sampled after it, one row per sequence."""
    return np.hstack([np.tile(primer, (len(sampled), 1)), sampled])


def _drop_settled(model: StepModel, live: np.ndarray, settled: np.ndarray) -> np.ndarray:
    """The live sequences that are not settled; the model keeps only their states."""
    going = ~settled[live]
    if going.all():
        return live
    model.keep(np.flatnonzero(going))
    return live[going]


@dataclass
class BarCounter:
    """Counts the bars each piece of a batch has begun (its ``BAR`` events) and tells ``on_bar`` each time every
    piece has begun one more: the slowest piece is the batch's progress."""

    bar_id: int | None
    on_bar: BarProgress | None
    begun: np.ndarray | None = None

    @classmethod
    def of(cls, bundle: ModelBundle, on_bar: BarProgress | None) -> BarCounter:
        family = family_of(bundle.preset)
        if not family.bar_lines or family.start_event is None or on_bar is None:
            return cls(None, None)
        return cls(int(bundle.vocab.encode([family.start_event])[0]), on_bar)

    def __call__(self, column: np.ndarray) -> None:
        if self.bar_id is None or self.on_bar is None:
            return
        before = 0 if self.begun is None else int(self.begun.min())
        self.begun = (np.zeros(len(column), int) if self.begun is None else self.begun) + (column == self.bar_id)
        if int(self.begun.min()) > before:
            self.on_bar(int(self.begun.min()))


def _state_horizon(bundle: ModelBundle) -> int:
    """Tokens after which the default family's state is rebuilt from the last half window (0: never).

    It is trained on windows of ``sequence_length`` events from a zero state; carried far past that, its
    rhythm drifted (measured on 8 pieces: the share of sixteenth-note inter-onset intervals fell from 0.55
    in bars 0-8, POP909's 0.54, to 0.28 in bars 24-40). Replaying the last half window from a zero state each
    time the window fills keeps it where it was trained, for twice the steps.
    """
    return bundle.preset.data.sequence_length if bundle.preset.network.self_attention_heads else 0


def _window_probs(bundle: ModelBundle, model: StepModel, history: np.ndarray, whole: bool = False) -> np.ndarray:
    """Next-token probabilities from the last window of ``history`` alone (all of it when ``whole``), started from a
    zero state, read at once (:meth:`StepModel.run`)."""
    window = history if whole else history[:, -bundle.preset.data.sequence_length:]
    return model.run(np.stack([_inputs(bundle, column) for column in window.T], axis=1))


def _transposed(events: list[str], semitones: int) -> list[str]:
    """Melody events moved back out of C (``NOTE_p`` to ``NOTE_{p+semitones}``); ``NOTE_OFF``, ``NO_EVENT`` and
    other families' events unchanged."""
    if semitones == 0:
        return events
    return [f"NOTE_{int(e[5:]) + semitones}" if e[5:].isdigit() and e.startswith("NOTE_") else e for e in events]


def generate_midi(
    bundle: ModelBundle, settings: GenerationSettings, n_pieces: int = 1, primer: Primer | np.ndarray | None = None,
    progression: Progression | None = None, on_bar: BarProgress | None = None,
) -> list[pretty_midi.PrettyMIDI]:
    """Generate pieces and write them as MIDI at ``settings.bpm`` with ``settings.program``.

    The piece keeps what it was started from, a primer or the family's start event (a bar line, middle C):
    the events after it are positioned relative to it, so dropping it shifts or stacks the first bar. A
    ``progression`` is written over (chord-conditioned models), and the piece lasts exactly its bars.
    """
    settings.validate()
    start = primer if isinstance(primer, Primer) else Primer(
        default_primer(bundle, np.random.default_rng(settings.seed)) if primer is None else np.asarray(primer))
    if progression is not None:
        settings = dataclasses.replace(settings, tokens=min(MAX_TOKENS, progression.bars * CHORD_TOKENS_PER_BAR))
    ids = generate_ids(bundle, settings, n_pieces, start, progression, on_bar)
    codec = family_of(bundle.preset).codec()
    pieces = []
    for row in ids:
        events = _transposed(bundle.vocab.decode([*start, *row]), -start.transpose)
        score = codec.decode(events, 60.0 / settings.bpm)
        pieces.append(score_to_midi(score, program=settings.program))
    return pieces


def primer_seconds(bundle: ModelBundle, primer: Primer, bpm: float) -> float:
    """How long the primer lasts in the generated MIDI, in seconds: where the model's own music starts."""
    codec = family_of(bundle.preset).codec()
    score = codec.decode(bundle.vocab.decode(list(primer)), 60.0 / bpm)
    return float(score_to_midi(score).get_end_time())
