"""Magenta's MelodyRNN family: monophonic melody events (one per 16th note) read from POP909's MELODY track through
note-seq, one of note-seq's encoders (basic, lookback, attention) turning events into the network's input vectors.

note-seq is imported in one place, :func:`note_seq_melody`, when a melody model is first used: a GPU host trains
these networks from a token pack without it, and the other families never need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np

from model.encoding.tokens import EventCodec
from model.families.base import Family, MelodyRnnNetwork, NetworkKind, SampleIds, WindowTarget, cached_codec
from model.generation.sample import apply_temperature, filter_top_k, filter_top_p, sample_rows
from model.music.pop909 import SongFile
from model.music.score import Score
from model.presets import NetworkConfig, Preset

if TYPE_CHECKING:
    from model.generation.artefact import ModelBundle
    from model.generation.settings import GenerationSettings
    from model.generation.step import StepModel

VARIANTS = {"magenta-basic": "basic_rnn", "magenta-lookback": "lookback_rnn", "magenta-attention": "attention_rnn"}
"""Each preset's MelodyRNN configuration, by note-seq's name for its encoder."""


def note_seq_melody() -> ModuleType:
    """:mod:`model.encoding.melody`, which imports note-seq (the one lazy import of it, see the module docstring)."""
    from model.encoding import melody

    return melody


def _melody_codec() -> EventCodec:
    codec: EventCodec = note_seq_melody().MelodyCodec()
    return codec


@dataclass(frozen=True)
class MelodyFamily(Family):
    def codec(self) -> EventCodec:
        return cached_codec(_melody_codec)

    def network(self, config: NetworkConfig) -> NetworkKind:
        return MelodyRnnNetwork(encoder_config(config))

    def song_events(self, song: SongFile) -> tuple[list[str], float]:
        events, seconds_per_beat = note_seq_melody().song_melody_events(song)
        return events, seconds_per_beat

    def primer_score(self, midi: bytes | Path, beats: Path | None = None, chords: Path | None = None) -> Score:
        """MelodyRNN primers come from the MELODY track when the file has one (POP909 songs do)."""
        score: Score = note_seq_melody().melody_score(midi if isinstance(midi, bytes) else midi.read_bytes(), beats)
        return score

    def primer_events(self, score: Score) -> tuple[list[str], int]:
        """Squashed into range and moved into C, as Magenta's generator does; the move is undone on the piece."""
        events, transpose = note_seq_melody().encode_in_key(score)
        return events, transpose

    def window_target(self, preset: Preset) -> WindowTarget:
        return WindowTarget("encoded", encode=note_seq_melody().WindowEncoder(encoder_config(preset.network)))

    def sampler(self) -> SampleIds | None:
        return sample_melody_ids


def encoder_config(config: NetworkConfig) -> str:
    """note-seq's configuration behind a preset's MelodyRNN architecture."""
    try:
        return VARIANTS[config.architecture]
    except KeyError:
        raise ValueError(f"The melody family trains {', '.join(VARIANTS)}, not {config.architecture!r}.") from None


def sample_melody_ids(bundle: ModelBundle, model: StepModel, settings: GenerationSettings, primer: np.ndarray,
                      n_pieces: int, rng: np.random.Generator) -> np.ndarray:
    """MelodyRNN's generation loop (``EventSequenceEncoderDecoder.extend_event_sequences``), one step per event.

    The network steps once per event, carrying its state; note-seq's encoder turns each piece's events
    into the next input vector, and a sampled class (which may mean "repeat the event 1 or 2 bars ago")
    into the next event with ``class_index_to_event``.
    """
    melody = note_seq_melody()
    encoder = melody.melody_encoder(encoder_config(bundle.preset.network))
    pieces = [[melody.event_value(e) for e in bundle.vocab.decode(primer)] for _ in range(n_pieces)]

    def inputs(position: int) -> np.ndarray:
        return np.asarray([encoder.events_to_input(p, position) for p in pieces], dtype=np.float32)

    probs = np.empty(0)
    for position in range(len(primer)):
        probs = model.step(inputs(position))
    out = np.empty((n_pieces, settings.tokens), dtype=np.int64)
    for t in range(settings.tokens):
        weights = filter_top_p(filter_top_k(apply_temperature(probs, settings.temperature), settings.top_k),
                               settings.top_p)
        labels = sample_rows(weights, rng)
        for row, label in enumerate(labels):
            pieces[row].append(int(encoder.class_index_to_event(int(label), pieces[row])))
        out[:, t] = bundle.vocab.encode([melody.event_name(p[-1]) for p in pieces])
        probs = model.step(inputs(len(primer) + t))
    return out


FAMILY = MelodyFamily("melody", events_per_bar=16, start_event="NOTE_60", study_source="trained-magenta",
                      writes_melody=True)
"""Middle C without a primer, as ``melody_rnn_generate`` starts."""
