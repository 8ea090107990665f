"""What a model family is: the one protocol every family module fills in.

A family is a representation of music and the networks that read it. Everything that differs between families is a
method or a field here, so training and generation ask the preset's family instead of comparing its strings, and a
new family is one module plus a line in :data:`model.families.FAMILIES`. The networks a family trains are named by
type (:data:`NetworkKind`): Keras builds them in :mod:`model.training.networks`, so this module, like generation,
never imports Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.grammar import GridGrammar
from model.encoding.tokens import EventCodec
from model.encoding.vocabulary import Vocabulary
from model.music.chords import Progression
from model.music.pop909 import SongFile
from model.music.score import Score, load_score
from model.presets import NetworkConfig, Preset

if TYPE_CHECKING:
    from model.generation.artefact import ModelBundle
    from model.generation.settings import GenerationSettings
    from model.generation.step import StepModel

Grammar = GridGrammar | ChordGridGrammar


@dataclass(frozen=True)
class SeedNetwork:
    """The seed study's LSTM stack (batch norm, Dense, softmax): ids scaled to [0, 1), or one-hot (the ablation)."""

    one_hot: bool = False


@dataclass(frozen=True)
class EmbeddingNetwork:
    """Ours: an embedding, LSTMs predicting every next event, optional causal self-attention, logits."""


@dataclass(frozen=True)
class MelodyRnnNetwork:
    """MelodyRNN's graph for one of note-seq's encoder configurations (``basic_rnn``, ``lookback_rnn``,
    ``attention_rnn``): its input size and classes come from that encoder."""

    config: str


NetworkKind = SeedNetwork | EmbeddingNetwork | MelodyRnnNetwork

Layout = Literal["last", "every-step", "all", "encoded"]
WindowEncode = Callable[[np.ndarray, Sequence[str]], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class WindowTarget:
    """How a training window becomes (inputs, targets) (:class:`model.training.windows.WindowDataset`)."""

    layout: Layout
    scaled_input: bool = False
    encode: WindowEncode | None = None


SampleIds = Callable[["ModelBundle", "StepModel", "GenerationSettings", np.ndarray, int, np.random.Generator],
                     np.ndarray]


@dataclass(frozen=True)
class Family:
    """A representation and its networks. The defaults are the grid families' (one codec over a Score, ids into an
    embedding, every next event a target); a family overrides what it does differently."""

    name: str
    events_per_bar: int
    """Events that fill a bar on average, so every family writes about as many bars for a length in bars."""
    start_event: str | None = None
    """The event a piece starts from without a primer; None: a random event (the seed starts from any window)."""
    takes_chords: bool = False
    """Writes over a chord progression, and reads POP909's ``chord_midi.txt`` into its events."""
    study_source: str | None = None
    """The study source a model of this family stands for, on its card (``trained-magenta``)."""
    seed_sampling: bool = False
    """The seed study's own windowed sampling is part of this family's record (benches measure it beside ours)."""
    writes_melody: bool = False
    """Its pieces are one melody line (MelodyRNN), so they are held against POP909's MELODY tracks, not whole songs."""
    voiced: bool = False
    """Its pieces keep POP909's voices apart (a melody voice beside the accompaniment), so it can have an interval
    model (:mod:`model.generation.melody_line`)."""

    def codec(self) -> EventCodec:
        """The family's events: a :class:`Score` to event names and back."""
        raise NotImplementedError

    @property
    def bar_lines(self) -> bool:
        """Whether its events mark bars (``BAR``), so a form can say which bar echoes which."""
        return self.start_event == "BAR"

    def bars_in(self, events: Sequence[str]) -> int:
        """How many bars ``events`` (a primer's) span, for families whose events mark bars; 0 for the others."""
        return sum(event == self.start_event for event in events) if self.bar_lines else 0

    def network(self, config: NetworkConfig) -> NetworkKind:
        """The kind of network a preset of this family trains (Keras builds it by this type)."""
        return EmbeddingNetwork()

    def grammar(self, vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
        """Masks that keep sampled events well formed; None: every event may follow every other."""
        return None

    def song_events(self, song: SongFile) -> tuple[list[str], float]:
        """A POP909 song as training events, and its seconds per beat (raises ``ValueError`` or ``OSError``)."""
        score = load_score(song.midi, song.beats, song.chords if self.takes_chords else None)
        return self.codec().encode(score), score.seconds_per_beat

    def primer_score(self, midi: bytes | Path, beats: Path | None = None, chords: Path | None = None) -> Score:
        """A primer as this family reads music (chords only for a family that writes over them)."""
        return load_score(midi, beats, chords if self.takes_chords else None)

    def primer_events(self, score: Score) -> tuple[list[str], int]:
        """A primer's events, and the semitones it was moved to get there (undone on the piece)."""
        return self.codec().encode(score), 0

    def step_inputs(self, ids: np.ndarray, vocab_size: int, config: NetworkConfig) -> np.ndarray:
        """What the step model reads for one event per sequence: ids (an embedding's input)."""
        return ids.astype(np.int64)

    def window_target(self, preset: Preset) -> WindowTarget:
        """Training windows: ids in, every next id out."""
        return WindowTarget("all")

    def objective(self, preset: Preset) -> str:
        """What the card calls the training objective."""
        return "every-step"

    def sampler(self) -> SampleIds | None:
        """A family's own sampling loop (MelodyRNN's encoder feeds its network); None: the shared loop."""
        return None


@cache
def cached_codec(make: Callable[[], EventCodec]) -> EventCodec:
    """One codec object per family and process (the melody codec loads note-seq)."""
    return make()
