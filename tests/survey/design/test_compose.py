"""The Studio's refusals: one sentence about what the researcher chose, in the form's order."""

from __future__ import annotations

import pytest

from survey.design.compose import StudyPlan, compose_study, model_source, pop909_source
from survey.errors import PlanRefused

SONGS = ("001", "002")
TWO = (pop909_source(SONGS), model_source("default", SONGS))


@pytest.mark.parametrize(("plan", "says"), [
    (StudyPlan("", "T", ()), "Give the study a short name"),
    (StudyPlan("x" * 200, "T", TWO), "has 200 characters; at most 64"),
    (StudyPlan("bad slug!", "T", (pop909_source(SONGS),)), "may use only letters, digits"),
    (StudyPlan("ok", " ", TWO), "Give the study a title"),
    (StudyPlan("ok", "T", ()), "at least two sources, and nothing is chosen yet"),
    (StudyPlan("ok", "T", (pop909_source(SONGS),)), "only POP909 original is chosen"),
    (StudyPlan("ok", "T", (model_source("default", ()), pop909_source(SONGS))), "Model default has nothing to play"),
    (StudyPlan("ok", "T", TWO, clips_per_source=3), "3 clips per source, but POP909 original has 2"),
    (StudyPlan("ok", "T", TWO, presentation={"tempo": "bogus"}), "The study cannot be made as chosen"),
])
def test_each_refusal_is_one_sentence_about_the_researchers_choice(plan: StudyPlan, says: str) -> None:
    with pytest.raises(PlanRefused) as refused:
        compose_study(plan)
    message = str(refused.value)
    assert says in message, message
    assert "field '" not in message and "study " not in message.lower()[:6] and "\n" not in message
    assert message.endswith(".") and message[0].isupper()


def test_a_good_plan_becomes_a_study() -> None:
    assert compose_study(StudyPlan("ok", "A title", TWO)).slug == "ok"
