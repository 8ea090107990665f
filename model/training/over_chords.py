"""Count what a voiced model does over chords against its training songs: how far apart their onsets lie, and how far
their melodies stray from where they have been singing.

:mod:`model.generation.onset_line` weighs each position of a piece over chords, and
:mod:`model.generation.register_line` each melody pitch, by the ratio of the two sides' shares. The songs' side comes
from the training split's tokens: onsets in bars 8-40, as the network's pieces stand for (0.51 of those gaps are a
sixteenth, 0.47 over whole songs, whose intros and endings are sparser), and whole melodies. The network's side comes
from pieces it writes over other training songs' chords than the melody's intervals were counted over (bars 8-40,
form ``chords``, the melody's moves weighed as such a piece has them, the gap and register lines off), so the
validation songs the bench holds the model against stay unseen. Run after training (``python -m model intervals
FOLDER``); the card records the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from model.data.pack import tokenise
from model.generation.artefact import ModelBundle, note_in_card
from model.generation.generate import CHORD_TOKENS_PER_BAR, generate_ids
from model.generation.melody_line import melody_pitches
from model.generation.onset_line import GAP_STRENGTH, GapModel, count_gaps
from model.generation.register_line import FARTHEST, REGISTER_FILE, RegisterModel, count_distances
from model.generation.settings import GenerationSettings
from model.training.melody_intervals import BARS, FIRST_BAR, training_progressions

PIECES = 40
"""About 13,000 of the network's gaps and 6,000 melody notes: the common classes' shares to a few percent."""
SEED = 10_000
"""Not the bench's seeds, nor the melody intervals' (0-39)."""


def fit_over_chords(bundle: ModelBundle, pieces: int = PIECES, pop909_dir: Path | None = None,
                    log: Callable[[str], None] = print) -> tuple[GapModel, RegisterModel]:
    """Count both sides, write them into the bundle's folder (and its card) and return them. ``bundle`` is ready to
    generate (``model.models.open_model``)."""
    songs = tokenise(bundle.preset, pop909_dir, log=lambda _: None)
    (bundle.path / REGISTER_FILE).unlink(missing_ok=True)  # the network's melodies as they are without the line
    own = []
    progressions = training_progressions(bundle.preset.data, 2 * pieces, pop909_dir)[pieces:]
    for i, progression in enumerate(progressions):
        settings = GenerationSettings(seed=SEED + i, form="chords", rhythm_line=False,
                                      tokens=BARS * CHORD_TOKENS_PER_BAR)  # it stops at the last bar
        own.append(generate_ids(bundle, settings, progression=progression)[0])
        log(f"network piece {i + 1}/{pieces}")
    gaps = GapModel(count_gaps(songs.train, songs.vocab, (FIRST_BAR, FIRST_BAR + BARS)), count_gaps(own, bundle.vocab))
    register = RegisterModel(count_distances(melody_pitches(ids, songs.vocab) for ids in songs.train),
                             count_distances(melody_pitches(ids, bundle.vocab) for ids in own))
    gaps.save(bundle.path)
    register.save(bundle.path)
    _note_in_card(bundle.path, gaps, register, pieces)
    return gaps, register


def _note_in_card(folder: Path, gaps: GapModel, register: RegisterModel, pieces: int) -> None:
    factors = gaps.factors()
    note_in_card(folder, "onset_gaps", {"song_gaps": int(gaps.songs.sum()), "network_gaps": int(gaps.network.sum()),
                                        "network_pieces": pieces, "strength": GAP_STRENGTH,
                                        "factors": {"sixteenth": round(float(factors[1]), 3),
                                                    "eighth": round(float(factors[2]), 3)}})
    far = np.r_[0:FARTHEST - 9, FARTHEST + 10:2 * FARTHEST + 1]  # 10 semitones or more from the centre
    note_in_card(folder, "melody_register", {
        "song_notes": int(register.songs.sum()), "network_notes": int(register.network.sum()),
        "network_pieces": pieces,
        "share_10_or_more_away": {"songs": round(float(register.songs[far].sum() / register.songs.sum()), 4),
                                  "network": round(float(register.network[far].sum() / register.network.sum()), 4)}})
