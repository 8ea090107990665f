"""The voiced family: ``grid-chords`` with POP909's three voices (MELODY, BRIDGE, PIANO) kept apart.

``grid-chords`` flattens a song's tracks into one stream, so no voice of its pieces is the tune and the top note
jumps between melody and accompaniment (issue 22's two-sample test told its pieces from POP909's by exactly that).
Here every pitch event names its voice, the grammar keeps the melody one line written first at each position, and
pieces come out as POP909's three named tracks.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.encoding.tokens import EventCodec, VoicedGridCodec
from model.families.base import cached_codec
from model.families.grid_chords import ChordGridFamily


@dataclass(frozen=True)
class VoicedGridFamily(ChordGridFamily):
    def codec(self) -> EventCodec:
        return cached_codec(VoicedGridCodec)


FAMILY = VoicedGridFamily("grid-voices", events_per_bar=96, start_event="BAR", takes_chords=True, voiced=True)
