"""The shipped models are what their names promise, and their cards say how they were made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"
SHIPPED = ("paper", "paper-onehot", "default", "chords", "magenta-attention", "magenta-pretrained")


def card(name: str) -> dict[str, object]:
    return json.loads((MODELS / name / "card.json").read_text())


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_is_small_enough_to_commit_and_has_a_full_card(name: str) -> None:
    assert (MODELS / name / "model.weights.h5").stat().st_size < 50 * 2**20
    facts = card(name)
    for key in ("passes_over_training_data", "stop_reason", "best_validation_loss", "baseline_cross_entropy"):
        assert facts.get(key) not in (None, "", {}), key


def test_the_paper_model_had_at_least_the_seeds_number_of_updates_with_the_seeds_objective() -> None:
    facts = card("paper")
    assert facts["objective"] == "last" and int(facts["optimizer_updates"]) >= 1500  # 10 epochs x ~150 batches


def test_pretrained_magenta_names_its_corpus_and_is_not_pop909_or_googles() -> None:
    facts = card("magenta-pretrained")
    assert facts["source"] == "pretrained-magenta"
    assert "Essen" in str(facts["dataset"]) and "no POP909" in str(facts["dataset"])
    assert "Not Google's weights" in str(facts["note"]) and "import-magenta" in str(facts["note"])


def test_trained_magenta_is_marked_as_trained_on_pop909() -> None:
    facts = card("magenta-attention")
    assert facts["source"] == "trained-magenta" and "POP909" in str(facts["dataset"])


def test_the_default_sings_in_pop909s_voices_and_its_card_says_what_it_grew_from() -> None:
    preset = json.loads((MODELS / "default" / "preset.json").read_text())
    assert preset["name"] == "default" and preset["data"]["representation"] == "grid-voices"
    started = card("default")["continued_from"]
    assert isinstance(started, dict) and started["best_validation_loss"] and "chords" in str(started["folder"])
