"""The default family: the grid with a chord event at every change and velocities, written over a progression."""

from __future__ import annotations

from dataclasses import dataclass

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.tokens import ChordGridCodec, EventCodec
from model.encoding.vocabulary import Vocabulary
from model.families.base import Family, Grammar, cached_codec
from model.music.chords import Progression


@dataclass(frozen=True)
class ChordGridFamily(Family):
    def codec(self) -> EventCodec:
        return cached_codec(ChordGridCodec)

    def grammar(self, vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
        return ChordGridGrammar(vocab, pieces, progression)


# With chords and velocities about 80 events a bar.
FAMILY = ChordGridFamily("grid-chords", events_per_bar=96, start_event="BAR", takes_chords=True)
