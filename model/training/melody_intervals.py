"""Count a voiced model's interval model: how its training songs' melodies move, and how its own melodies move.

:mod:`model.generation.melody_line` weighs each melody pitch by the ratio of the two. Both counts come from the
training split only: the songs' from their tokens, the network's from pieces it writes over the training songs'
chords (bars 8-40, form ``chords``, the line switched off), so the validation songs the bench holds the model
against stay unseen. Run after training (``python -m model intervals FOLDER``); the card records the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from model.data.pack import split_of, tokenise
from model.evaluation.melodic import melody_voice, top_line
from model.generation.artefact import ModelBundle, note_in_card
from model.generation.generate import generate_midi
from model.generation.melody_line import START, UNISON, IntervalModel, count_moves, melody_pitches
from model.generation.settings import GenerationSettings
from model.music import pop909
from model.music.chords import Progression
from model.music.score import load_score
from model.presets import DataConfig

FIRST_BAR, BARS = 8, 32
"""The excerpt of each training song whose chords the network writes over (as the bench's held-out rows)."""
PIECES = 40
"""About 5,500 of the network's melody notes: each move class's share to within a few percent of itself."""


def fit_melody_intervals(bundle: ModelBundle, pieces: int = PIECES, pop909_dir: Path | None = None,
                         log: Callable[[str], None] = print) -> IntervalModel:
    """Count both sides, write them into the bundle's folder (and its card) and return them. ``bundle`` is ready to
    generate (``model.models.open_model``)."""
    folder = bundle.path
    songs = tokenise(bundle.preset, pop909_dir, log=lambda _: None)
    song_moves = count_moves(melody_pitches(ids, songs.vocab) for ids in songs.train)
    lines = []
    for i, progression in enumerate(training_progressions(bundle.preset.data, pieces, pop909_dir)):
        settings = GenerationSettings(seed=i, form="chords", melody_line=False)
        midi = generate_midi(bundle, settings, progression=progression)[0]
        voice = melody_voice(midi)
        if voice is not None:
            lines.append(top_line(voice)[1])
        log(f"network piece {i + 1}/{pieces}")
    model = IntervalModel(song_moves, count_moves(lines))
    model.save(folder)
    _note_in_card(folder, model, len(lines))
    return model


def training_progressions(data: DataConfig, count: int, pop909_dir: Path | None = None) -> list[Progression]:
    """The chords of bars 8-40 of ``count`` training songs (seed 1) of the preset's split."""
    train, _ = split_of(data, pop909_dir=pop909_dir)
    out = []
    for song in pop909.select_songs(train, count, seed=1):
        excerpt = load_score(song.midi, song.beats, song.chords).bars(FIRST_BAR, BARS)
        out.append(Progression(excerpt.chords, BARS))
    return out


def _note_in_card(folder: Path, model: IntervalModel, pieces: int) -> None:
    note_in_card(folder, "melody_intervals", {
        "song_notes": model.songs.notes, "network_notes": model.network.notes, "network_pieces": pieces,
        "factors": {name: round(float(model.factors(1.0)[START, c]), 3) for name, c in
                    (("unison", UNISON), ("semitone up", UNISON + 1), ("tone up", UNISON + 2))}})
