"""What steers sampling: each family gets its own grammar, a form only where bars are marked, and a progression
only where the model takes chords, each refusal one sentence."""

from __future__ import annotations

import numpy as np
import pytest

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.grammar import GridGrammar
from model.generation.form import FormError
from model.generation.steering import follows_form, steering_for, takes_chords
from model.models import open_model
from model.music.chords import parse_progression
from tests.conftest import ROOT

MODELS = ROOT / "assets" / "models"


def test_the_default_model_takes_chords_and_follows_a_form_and_magenta_neither() -> None:
    default, magenta = open_model(MODELS / "default"), open_model(MODELS / "magenta-attention")
    assert takes_chords(default) and follows_form(default)
    assert not takes_chords(magenta) and not follows_form(magenta)


def test_a_chord_model_is_steered_by_its_chord_grammar_and_the_forms_echo() -> None:
    steering = steering_for(open_model(MODELS / "default"), "chords", 2, parse_progression("C G Am F x2"))
    assert isinstance(steering.grammar, ChordGridGrammar) and steering.echo is not None


def test_a_free_piece_has_no_echo_and_weights_pass_through_the_grammar_alone() -> None:
    bundle = open_model(MODELS / "grid")
    steering = steering_for(bundle, "", 1, None)
    assert isinstance(steering.grammar, GridGrammar) and steering.echo is None
    uniform = np.full((1, len(bundle.vocab)), 1 / len(bundle.vocab))
    weights = steering.weigh(uniform)
    assert weights.sum() == pytest.approx(1.0) and np.all(weights[steering.grammar.mask() == 0] == 0)


def test_a_progression_for_a_model_without_chords_is_refused_before_its_form() -> None:
    with pytest.raises(ValueError, match="does not take chords; choose a chord-conditioned model"):
        steering_for(open_model(MODELS / "grid"), "chords", 1, parse_progression("C G"))


def test_a_form_for_a_model_without_bar_lines_is_refused_in_one_sentence() -> None:
    with pytest.raises(FormError, match="does not mark bars, so it cannot follow a form"):
        steering_for(open_model(MODELS / "magenta-attention"), "AABA", 1, None)
