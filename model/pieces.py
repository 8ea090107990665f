"""One piece request, one path to MIDI: the command line, the Generate page, study clips and the benches all ask here.

A :class:`PieceRequest` names everything a piece depends on (model, length, sampling, primer, chords); the four
callers used to assemble primers, progressions and token counts each in their own way. :func:`make_pieces` reads
the request in one order: model, primer, chords, tokens, then generation, and returns each piece with where its
own music starts (after the primer) and the progression it was written over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pretty_midi

from model.families import family_of
from model.generation.artefact import ModelBundle
from model.generation.generate import (
    PRIMER_BARS,
    BarProgress,
    Primer,
    generate_midi,
    primed_over_song,
    primer_from_midi,
    primer_from_song,
    primer_seconds,
    progression_from_song,
    tokens_for_bars,
)
from model.generation.settings import GenerationSettings
from model.models import open_model
from model.music.chords import Progression
from model.music.pop909 import find_song


@dataclass(frozen=True)
class SongPrimer:
    """Bars of a POP909 song start the piece: ``bars`` from ``start_bar`` (default: where its tune enters)."""

    song_id: str
    bars: int = PRIMER_BARS
    start_bar: int | None = None


@dataclass(frozen=True)
class MidiPrimer:
    """An uploaded MIDI file's events start the piece."""

    midi: bytes


@dataclass(frozen=True)
class SongChords:
    """A POP909 song's annotated chords from ``start_bar``, for the request's bars."""

    song_id: str
    start_bar: int = 8


@dataclass(frozen=True)
class PrimerSongChords:
    """The primer song's own chords under the whole piece (a study clip's ``chords: song``): only the composition
    differs from the song's."""


ChordSource = Progression | SongChords | PrimerSongChords


@dataclass(frozen=True)
class PieceRequest:
    """What to generate. ``bars`` sets the length (converted to events by the model's family, or the progression's
    bars); ``settings.tokens`` is used only when ``bars`` is None. ``chords`` need a chord-conditioned model (others
    refuse them with a sentence); a progression is fitted to ``bars`` when both are given."""

    model: Path
    settings: GenerationSettings = GenerationSettings()  # noqa: RUF009 - frozen, so one shared default is safe
    bars: int | None = 16
    primer: SongPrimer | MidiPrimer | None = None
    chords: ChordSource | None = None
    pieces: int = 1


@dataclass(frozen=True)
class Piece:
    """One generated piece, the seconds its primer fills at the start (None: no primer), and its progression."""

    midi: pretty_midi.PrettyMIDI
    primer_seconds: float | None
    progression: Progression | None


LoadModel = Callable[[str], ModelBundle]


def make_piece(request: PieceRequest, load: LoadModel = lambda path: open_model(path),
               on_bar: BarProgress | None = None) -> Piece:
    """The request's first piece (see :func:`make_pieces`)."""
    return make_pieces(dataclasses.replace(request, pieces=1), load, on_bar)[0]


def make_pieces(request: PieceRequest, load: LoadModel = lambda path: open_model(path),
                on_bar: BarProgress | None = None) -> list[Piece]:
    """Every piece of the request, generated together as one batch. ``load`` opens the model folder (the app
    passes its cached loader); ``on_bar`` hears how many bars every piece has begun, for a progress bar. Bad
    requests raise ``ValueError`` with one sentence."""
    bundle = load(str(request.model))
    primer, progression = primer_and_chords(bundle, request)
    settings = request.settings
    if request.bars is not None:
        settings = dataclasses.replace(settings, tokens=tokens_for_bars(bundle, request.bars))
    midis = generate_midi(bundle, settings, request.pieces, primer=primer, progression=progression, on_bar=on_bar)
    seconds = primer_seconds(bundle, primer, settings.bpm) if primer is not None else None
    return [Piece(midi, seconds, progression) for midi in midis]


def primer_and_chords(bundle: ModelBundle, request: PieceRequest) -> tuple[Primer | None, Progression | None]:
    """What the request's pieces start from and are written over, in the model's vocabulary."""
    chords = request.chords
    if isinstance(chords, PrimerSongChords):
        if not isinstance(request.primer, SongPrimer):
            raise ValueError("The primer song's chords need a POP909 song as primer.")
        return primed_over_song(bundle, find_song(request.primer.song_id), request.bars or 16, request.primer.bars)
    primer = _primer(bundle, request.primer)
    progression = _progression(chords, request.bars)
    if primer is not None and progression is not None:  # the bars asked for are the generated ones, after the primer
        progression = progression.delayed(family_of(bundle.preset).bars_in(bundle.vocab.decode(list(primer))))
    return primer, progression


def _primer(bundle: ModelBundle, primer: SongPrimer | MidiPrimer | None) -> Primer | None:
    match primer:
        case MidiPrimer(midi=midi):
            return primer_from_midi(bundle, midi)
        case SongPrimer(song_id=song, bars=bars, start_bar=start):
            return primer_from_song(bundle, find_song(song), start, bars)
    return None


def _progression(chords: Progression | SongChords | None, bars: int | None) -> Progression | None:
    match chords:
        case SongChords(song_id=song, start_bar=start):
            return progression_from_song(find_song(song), start, bars or 16)
        case Progression():
            return chords.fitted(bars) if bars else chords
    return None
