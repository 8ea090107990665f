"""Model families: what a representation means for generation and its corpus, decided in one place.

A preset names its representation once (``preset.data.representation``); generation used to compare that
string wherever it needed to know something about it. Each :class:`Family` here says it instead: how many
events fill a bar, whether the model writes over a chord progression, whether it is Magenta's melody
family (note-seq inputs, MELODY-track primers), the event a piece starts from without a primer, and the
grammar that keeps sampled sequences well formed. Adding a representation adds an entry here.
(The network builders still choose by the architecture's string, in their own modules.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.grammar import GridGrammar
from model.encoding.vocabulary import Vocabulary
from model.music.chords import Progression
from model.presets import Preset

Grammar = GridGrammar | ChordGridGrammar
GrammarFactory = Callable[[Vocabulary, int, Progression | None], Grammar | None]


def _no_grammar(vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
    return None


def _grid_grammar(vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
    return GridGrammar(vocab, pieces)


def _chord_grammar(vocab: Vocabulary, pieces: int, progression: Progression | None) -> Grammar | None:
    return ChordGridGrammar(vocab, pieces, progression)


@dataclass(frozen=True)
class Family:
    """How generation treats one representation."""

    name: str
    events_per_bar: int
    grammar: GrammarFactory = _no_grammar
    takes_chords: bool = False
    melody: bool = False
    start_event: str | None = None

    @property
    def bar_lines(self) -> bool:
        """Whether its events mark bars (``BAR``), so a form can say which bar echoes which."""
        return self.start_event == "BAR"

    @property
    def reads_chord_annotations(self) -> bool:
        """Whether its corpus reads POP909's ``chord_midi.txt`` (the chords are in its events)."""
        return self.takes_chords


MELODY_START = "NOTE_60"
"""Middle C, as ``melody_rnn_generate`` starts without a primer."""

FAMILIES: dict[str, Family] = {
    # The seed's encoding places one event per eighth note and starts from any window (a random event).
    "paper": Family("paper", events_per_bar=8),
    # Grid pieces average about 40 events a bar (POP909), so 48 errs on the long side.
    "grid": Family("grid", events_per_bar=48, grammar=_grid_grammar, start_event="BAR"),
    # With chords and velocities about 80 a bar.
    "grid-chords": Family("grid-chords", events_per_bar=96, grammar=_chord_grammar, takes_chords=True,
                          start_event="BAR"),
    # Magenta's melody encoding: one event per sixteenth note.
    "melody": Family("melody", events_per_bar=16, melody=True, start_event=MELODY_START),
}


def family_of(preset: Preset) -> Family:
    """The family of a preset's representation."""
    return FAMILIES[preset.data.representation]
