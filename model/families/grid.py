"""Ours, without chords: POP909's beat annotations on a 16th-note grid (bar, position, pitch, duration events)."""

from __future__ import annotations

from dataclasses import dataclass

from model.encoding.grammar import GridGrammar
from model.encoding.tokens import EventCodec, GridCodec
from model.encoding.vocabulary import Vocabulary
from model.families.base import Family, Grammar, cached_codec
from model.music.chords import Progression


@dataclass(frozen=True)
class GridFamily(Family):
    def codec(self) -> EventCodec:
        return cached_codec(GridCodec)

    def grammar(self, vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
        return GridGrammar(vocab, pieces)


# Grid pieces average about 40 events a bar (POP909), so 48 errs on the long side.
FAMILY = GridFamily("grid", events_per_bar=48, start_event="BAR")
