"""Some tracks of a piece as a piece of their own, on the piece's tempo map.

A melody measured alone (``model.evaluation.melodic``) and a stem downloaded alone (``audio.stems``) must keep the
piece's timing, so that what is measured or laid in a DAW lines up with the whole; pretty_midi has no such copy.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pretty_midi


def keeping(piece: pretty_midi.PrettyMIDI, tracks: Sequence[pretty_midi.Instrument]) -> pretty_midi.PrettyMIDI:
    """A shallow copy of ``piece`` holding only ``tracks``: it shares the tempo map and beats (not copied, not
    changed), and only its list of instruments is its own."""
    alone = copy.copy(piece)
    alone.instruments = list(tracks)
    return alone
