"""What shapes sampling beside the network: the family's grammar, the form's phrase echo, the melody's line and the
rhythm of free pieces.

All are small state machines advanced by every sampled token of every piece of a batch; the sampling
loop (:mod:`model.generation.generate`) asks them to weigh the network's probabilities and to settle what was drawn.
Kept apart from the loop so that a new constraint is added here, and the loop stays the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.encoding.grammar import event_table
from model.families import family_of
from model.families.base import Grammar
from model.generation.artefact import ModelBundle
from model.generation.form import FormError, PhraseEcho, parse_form
from model.generation.melody_line import INTERVALS_FILE, MelodyLine, load_intervals
from model.generation.onset_line import GAPS_FILE, GapModel, OnsetLine
from model.generation.register_line import RegisterLine, RegisterModel
from model.generation.rhythm_line import RHYTHM_FILE, RhythmLine, load_rhythm
from model.music.chords import Progression


def takes_chords(bundle: ModelBundle) -> bool:
    """Whether the model writes over a given chord progression (the ``grid-chords`` family)."""
    return family_of(bundle.preset).takes_chords


def follows_form(bundle: ModelBundle) -> bool:
    """Whether the model can be given a form (its events mark bars; see ``model.generation.form``)."""
    return family_of(bundle.preset).bar_lines


def has_melody_line(bundle: ModelBundle) -> bool:
    """Whether the model's melody can be weighed by an interval model (its folder has one: a voiced model)."""
    return (bundle.path / INTERVALS_FILE).is_file()


def has_rhythm_line(bundle: ModelBundle, over_chords: bool = False) -> bool:
    """Whether a piece's rhythm can be weighed: a free piece's positions and durations by rhythm counts, a piece over
    chords its onsets' gaps by gap counts (its folder has them)."""
    return (bundle.path / (GAPS_FILE if over_chords else RHYTHM_FILE)).is_file()


def require_chords(bundle: ModelBundle) -> None:
    """Refuse, in one sentence, a progression for a model that cannot write over one."""
    if not takes_chords(bundle):
        raise ValueError(f"This model ({bundle.name}) does not take chords; choose a chord-conditioned model "
                         "such as default.")


@dataclass
class Steering:
    """The family's grammar, the form's echo, the melody's line and the rhythm's (positions of a free piece, gaps over
    chords) for one batch (any may be None)."""

    grammar: Grammar | None
    echo: PhraseEcho | None
    line: MelodyLine | None = None
    rhythm: RhythmLine | OnsetLine | None = None
    register: RegisterLine | None = None

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        if self.grammar is not None:
            weights = self.grammar.weigh(weights)
        if self.rhythm is not None:  # among what the grammar allows
            weights = self.rhythm.weigh(weights)
        for line in (self.line, self.register):  # before the echo: a repeated phrase's pitch is favoured as the
            if line is not None:                  # network's would be
                weights = line.weigh(weights)
        return self.echo.bias(weights) if self.echo is not None else weights

    def settle(self, ids: np.ndarray) -> np.ndarray:
        """The ids sampled, with forced ones put in, after which every state has moved past them."""
        if self.grammar is not None:
            ids = self.grammar.resolve(ids, self.grammar.forced())
        self.feed(ids)
        return ids

    def feed(self, ids: np.ndarray) -> None:
        for state in (self.grammar, self.echo, self.line, self.rhythm, self.register):
            if state is not None:
                state.advance(ids)

    def seal_primer(self) -> None:
        if self.echo is not None:
            self.echo.seal_primer()

    def settled(self, batch: int) -> np.ndarray:
        """Which sequences of the batch are over (only forced events follow; all of them: the batch is done); none
        without a grammar."""
        return self.grammar.settled if self.grammar is not None else np.zeros(batch, dtype=bool)


def steering_for(bundle: ModelBundle, form: str, n_pieces: int, progression: Progression | None,
                 melody_line: bool = True, rhythm_line: bool = True) -> Steering:
    """The grammar of the model's family (a progression needs the chord-conditioned family), the form's echo, the
    melody's line and register (unless ``melody_line`` is False) where the model folder has an interval model
    (:mod:`model.generation.melody_line`) and register counts (:mod:`model.generation.register_line`), and its
    rhythm (unless ``rhythm_line`` is False): a piece without a progression by the folder's rhythm counts
    (:mod:`model.generation.rhythm_line`), one over a progression by its gap counts
    (:mod:`model.generation.onset_line`)."""
    if progression is not None:
        require_chords(bundle)
    grammar = family_of(bundle.preset).grammar(bundle.vocab, n_pieces, progression)
    intervals = load_intervals(bundle.path) if melody_line else None
    line = MelodyLine(intervals, bundle.vocab, n_pieces) if intervals is not None else None
    register = RegisterModel.load(bundle.path) if melody_line else None
    return Steering(grammar, _echo(bundle, form, n_pieces, progression), line,
                    _rhythm(bundle, n_pieces, progression) if rhythm_line else None,
                    RegisterLine(register, bundle.vocab, n_pieces) if register is not None else None)


def _rhythm(bundle: ModelBundle, n_pieces: int, progression: Progression | None) -> RhythmLine | OnsetLine | None:
    """A free piece's positions weighed by the rhythm counts, a piece over chords its onsets' gaps by the gap counts,
    where the model folder has them."""
    if progression is None:
        counts = load_rhythm(bundle.path)
        return RhythmLine(counts, bundle.vocab) if counts is not None else None
    gaps = GapModel.load(bundle.path)
    return OnsetLine(gaps, bundle.vocab, n_pieces) if gaps is not None else None


def _echo(bundle: ModelBundle, text: str, n_pieces: int, progression: Progression | None) -> PhraseEcho | None:
    """The form's phrase memory, for families whose events mark bars; None for a free piece."""
    form = parse_form(text, progression)
    if form is None:
        return None
    if not follows_form(bundle):
        raise FormError(f"This model ({bundle.name}) does not mark bars, so it cannot follow a form; choose a "
                        "grid model such as default.")
    kinds, values = event_table(bundle.vocab)
    positions = {int(i): int(values[i]) for i in np.flatnonzero(kinds == "POS")}
    return PhraseEcho(form, n_pieces, bundle.vocab.index["BAR"], positions)
