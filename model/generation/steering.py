"""What shapes sampling beside the network: the family's grammar and the form's phrase echo.

Both are small state machines advanced by every sampled token of every piece of a batch; the sampling
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
from model.music.chords import Progression


def takes_chords(bundle: ModelBundle) -> bool:
    """Whether the model writes over a given chord progression (the ``grid-chords`` family)."""
    return family_of(bundle.preset).takes_chords


def follows_form(bundle: ModelBundle) -> bool:
    """Whether the model can be given a form (its events mark bars; see ``model.generation.form``)."""
    return family_of(bundle.preset).bar_lines


def require_chords(bundle: ModelBundle) -> None:
    """Refuse, in one sentence, a progression for a model that cannot write over one."""
    if not takes_chords(bundle):
        raise ValueError(f"This model ({bundle.name}) does not take chords; choose a chord-conditioned model "
                         "such as default.")


@dataclass
class Steering:
    """The family's grammar and the form's echo for one batch (either may be None)."""

    grammar: Grammar | None
    echo: PhraseEcho | None

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        if self.grammar is not None:
            weights = self.grammar.weigh(weights)
        return self.echo.bias(weights) if self.echo is not None else weights

    def settle(self, ids: np.ndarray) -> np.ndarray:
        """The ids sampled, with forced ones put in, after which every state has moved past them."""
        if self.grammar is not None:
            ids = self.grammar.resolve(ids, self.grammar.forced())
        self.feed(ids)
        return ids

    def feed(self, ids: np.ndarray) -> None:
        for state in (self.grammar, self.echo):
            if state is not None:
                state.advance(ids)

    def seal_primer(self) -> None:
        if self.echo is not None:
            self.echo.seal_primer()

    @property
    def done(self) -> bool:
        return self.grammar is not None and self.grammar.done


def steering_for(bundle: ModelBundle, form: str, n_pieces: int, progression: Progression | None) -> Steering:
    """The grammar of the model's family (a progression needs the chord-conditioned family), then the form's echo."""
    if progression is not None:
        require_chords(bundle)
    grammar = family_of(bundle.preset).grammar(bundle.vocab, n_pieces, progression)
    return Steering(grammar, _echo(bundle, form, n_pieces, progression))


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
