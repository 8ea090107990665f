"""A form while sampling: which bar echoes which, the favoured token, and pieces whose phrases come back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.evaluation.metrics import phrase_self_similarity
from model.generation.form import PhraseEcho, describe_form, form_of_letters, parse_form
from model.generation.settings import GenerationSettings
from model.music.chords import parse_progression

ROOT = Path(__file__).resolve().parents[3]
BAR, POS_0, POS_4, POS_8, P_60, P_62, P_64, V, D = range(9)
POSITIONS = {POS_0: 0, POS_4: 4, POS_8: 8}


def test_letters_make_a_phrase_echo_the_first_phrase_with_its_letter() -> None:
    form = parse_form("aaba", phrase_bars=2)
    assert form is not None
    assert [form.source_bar(bar) for bar in range(9)] == [None, None, 0, 1, None, None, 0, 1, None]


@pytest.mark.parametrize("text", ["", "  ", "free", "Free"])
def test_no_form_is_a_free_piece(text: str) -> None:
    assert parse_form(text) is None


@pytest.mark.parametrize("text", ["AAB4", "A-A", "ÄÄ", "A" * 65])
def test_a_bad_form_gets_one_sentence_naming_the_allowed_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r'^.* is not a form; use letters A-Z, one per phrase .*"chords".*\.$'):
        parse_form(text)


def test_the_chords_form_needs_a_progression() -> None:
    GenerationSettings(form="chords").validate()  # settings alone cannot tell: the progression comes apart
    with pytest.raises(ValueError, match="needs a chord progression"):
        parse_form("chords")


def test_settings_refuse_a_bad_form_before_any_model_is_loaded() -> None:
    with pytest.raises(ValueError, match="is not a form"):
        GenerationSettings(form="A1").validate()


@pytest.mark.parametrize(("text", "words"), [
    ("", ""), ("free", ""), ("chords", "echoing bars where the chords return"), ("aaba", "in the form AABA"),
])
def test_a_form_is_named_in_words_for_the_page(text: str, words: str) -> None:
    assert describe_form(text) == words


def test_bars_over_the_same_chord_roots_a_phrase_later_echo_the_first_of_them() -> None:
    form = parse_form("chords", parse_progression("C | G | Am | F | Csus4 | G | Am F | F"))
    assert form is not None  # C and Csus4 share a root; bar 6 splits its bar between two chords
    assert [form.source_bar(bar) for bar in range(8)] == [None, None, None, None, 0, 1, None, 3]


def test_a_loop_echoes_its_first_statement() -> None:
    form = parse_form("chords", parse_progression("C G Am F x3"))
    assert form is not None and [form.source_bar(b) for b in range(12)] == [None] * 4 + [0, 1, 2, 3] * 2


def echo_after(events: list[int], primer: list[int] | None = None, letters: str = "AA",
               ) -> tuple[PhraseEcho, np.ndarray]:
    """An echo of one sequence in a form of one-bar phrases, fed ``primer`` then ``events``; and uniform weights."""
    echo = PhraseEcho(form_of_letters(letters, phrase_bars=1), 1, BAR, POSITIONS)
    for token in primer or [BAR]:
        echo.advance(np.array([token]))
    echo.seal_primer()
    for token in events:
        echo.advance(np.array([token]))
    return echo, np.full((1, 9), 1 / 9)


FIRST_BAR = [BAR, POS_0, P_60, V, D, POS_8, P_64, V, D]


@pytest.mark.parametrize(("written", "favoured"), [
    ([], POS_0),  # the echoed bar's first position
    ([POS_0], P_60),
    ([POS_0, P_60, V, D], POS_8),  # its next position once the group is written
    ([POS_0, P_62], POS_8),  # a different note: the echo picks up at the next position
    ([POS_4], POS_8),  # a position the echoed bar does not have: the next one it has
    ([POS_0, P_60, V, D, POS_8, P_64, V, D], BAR),  # the bar is complete
])
def test_the_favoured_token_follows_the_echoed_bar_in_time(written: list[int], favoured: int) -> None:
    echo, weights = echo_after([*FIRST_BAR[1:], BAR, *written])
    biased = echo.bias(weights)
    assert biased.sum() == pytest.approx(1.0)
    assert int(biased.argmax()) == favoured and biased[0, favoured] > 0.9


def test_a_bar_without_an_earlier_one_to_echo_is_left_to_the_network() -> None:
    echo, weights = echo_after(FIRST_BAR[1:])
    assert np.array_equal(echo.bias(weights), weights)


def test_the_primers_bars_are_never_echoed_so_no_human_bar_enters_the_models_piece() -> None:
    echo, weights = echo_after([BAR], primer=FIRST_BAR, letters="AAA")
    assert np.array_equal(echo.bias(weights), weights), "bar 1 would echo bar 0, the primer's"
    echo, weights = echo_after([BAR, POS_4, P_62, V, D, BAR], primer=FIRST_BAR, letters="AAA")
    assert int(echo.bias(weights).argmax()) == POS_4, "bar 2 echoes bar 1, the model's own"


def test_the_default_model_repeats_its_phrases_when_given_a_form() -> None:
    from model.generation.generate import generate_midi
    from model.models import open_model

    bundle = open_model(ROOT / "assets/models/default")
    progression = parse_progression("Am F C G x4")

    def similarity(form: str) -> float:
        settings = GenerationSettings(seed=2, form=form)
        pieces = generate_midi(bundle, settings, 3, progression=progression)
        return float(np.mean([phrase_self_similarity(piece) for piece in pieces]))

    assert similarity("chords") > similarity("free") + 0.15


def test_the_cli_refuses_a_form_for_a_model_without_bars(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "model", "generate", "--model", str(ROOT / "assets/models/paper"),
               "--form", "AABA", "--out", str(tmp_path / "piece.mid")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == ("error: This model (paper) does not mark bars, so it cannot "
                                                     "follow a form; choose a grid model such as default.")
