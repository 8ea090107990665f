"""The same ids moved in pitch: how training windows are transposed (augmentation) without re-encoding."""

from __future__ import annotations

import numpy as np

from model.encoding.tokens import VOICE_PITCH_KINDS
from model.encoding.vocabulary import Vocabulary
from model.music.chords import from_token


def shift_table(vocab: Vocabulary, semitones: int) -> np.ndarray:
    """Id of each event moved by ``semitones``: ``P_p`` to ``P_{p+s}`` (and a voice's ``PM_p``, ``PB_p`` within
    its voice), ``CH_root:q`` to the root moved by s; -1 where the pitch would leave 0-127; every other event maps to
    itself."""
    index = {event: i for i, event in enumerate(vocab.events)}
    table = np.arange(len(vocab), dtype=np.int64)
    for i, event in enumerate(vocab.events):
        kind, _, value = event.partition("_")
        if kind in VOICE_PITCH_KINDS:
            table[i] = index.get(f"{kind}_{int(value) + semitones}", -1)
        elif kind == "CH":
            table[i] = index[from_token(event).transposed(semitones).token]
    return table


def transpose_ids(window: np.ndarray, tables: dict[int, np.ndarray], shift: int) -> np.ndarray:
    """Shift every pitch (and chord) event by ``shift`` semitones; windows that would leave 0-127 stay as they are."""
    if shift == 0:
        return window
    moved = tables[shift][window]
    return window if (moved < 0).any() else moved
