"""Count a voiced model's rhythm: where the training songs' notes fall and how long they last, and where the network's
own free pieces put theirs.

:mod:`model.generation.rhythm_line` weighs a free piece's positions and durations by the ratio of the two. The songs'
counts come from the training split's tokens; the network's from free pieces it writes (no chords, no form, the
melody line on as a free piece has it, the rhythm line off), on a seed the bench's free pieces do not use. Run after
training (``python -m model intervals FOLDER``, with the melody's intervals); the card records the counts.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from model.data.pack import tokenise
from model.generation.artefact import ModelBundle, note_in_card
from model.generation.generate import generate_ids, tokens_for_bars
from model.generation.rhythm_line import RhythmModel, count_events
from model.generation.settings import GenerationSettings

PIECES, BARS = 20, 32
"""About 10,000 positions and 12,000 durations of the network's: each common class's share to a few percent."""
SEED = 5
"""Not the bench's free pieces' seed (1)."""


def fit_rhythm(bundle: ModelBundle, pieces: int = PIECES, pop909_dir: Path | None = None) -> RhythmModel:
    """Count both sides, write them into the bundle's folder (and its card) and return them. ``bundle`` is ready to
    generate (``model.models.open_model``)."""
    songs = tokenise(bundle.preset, pop909_dir, log=lambda _: None)
    settings = dataclasses.replace(GenerationSettings(seed=SEED, rhythm_line=False),
                                   tokens=tokens_for_bars(bundle, BARS))
    own = generate_ids(bundle, settings, pieces)
    model = RhythmModel(count_events(songs.train, songs.vocab), count_events(own, bundle.vocab))
    model.save(bundle.path)
    note_in_card(bundle.path, "rhythm", {"song_events": sum(model.songs.values()),
                                         "network_events": sum(model.network.values()), "network_pieces": pieces})
    return model
