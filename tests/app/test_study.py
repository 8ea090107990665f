"""Study page (participant): consent, headphone check, locked questions, full flow into SQLite, resume, bad links."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.resources import database
from survey.analysis.export import answers_frame
from survey.collect.headphone import trials_for
from tests.app.conftest import ROOT
from tests.survey.conftest import heard_in_full

PAGE = str(ROOT / "app" / "views" / "study.py")


def started(slug: str, fail_headphones: bool = False) -> AppTest:
    """A participant who consented and went through the headphone screen: the right answer to every trial, or with
    ``fail_headphones`` a wrong one."""
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.checkbox(key="consent_agree").check()
    at.selectbox(key="consent_experience").set_value("amateur")
    at.button(key="consent_start").click().run()
    assert at.query_params["study"] == [slug] or at.query_params["study"] == slug
    token = at.query_params["t"]
    trials = trials_for(token[0] if isinstance(token, list) else token)
    for i, trial in enumerate(trials):
        at.radio(key=f"headphone_{i}").set_value(trial.target % 3 + 1 if fail_headphones else trial.target)
    at.button(key="headphone_go").click().run()
    return at


def player_key(at: AppTest) -> str:
    return next(k for k in at.session_state._state._state.filtered_state if k.startswith("player_"))


def answer_clip(at: AppTest, listen: bool = True) -> None:
    """Hear the clip to the end (what the player component reports), answer everything, press Next.

    ``listen`` also lets the clip's duration pass on the server's clock; without it the answer comes at once.
    """
    key = player_key(at)
    cid = key.removeprefix("player_")
    at.session_state[key] = {"heard": 1.0}
    if listen:
        token = at.query_params["t"]
        with database().begin() as session:
            heard_in_full(session, token[0] if isinstance(token, list) else token, cid)
    at.run()
    for criterion in ("complexity", "creativity", "emotion", "enjoyment"):
        at.radio(key=f"rate_{cid}_{criterion}").set_value(5)
    at.radio(key=f"guess_{cid}").set_value("human")
    at.radio(key=f"confidence_{cid}").set_value(3)
    at.button(key=f"next_{cid}").click().run()


def test_without_an_open_study_the_page_says_so(lab: Path) -> None:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    assert "No study is open" in at.info[0].value


def test_consent_is_required(open_study: str) -> None:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    at.button(key="consent_start").click().run()
    assert "tick the box" in at.warning[0].value
    assert not at.query_params


def test_questions_stay_locked_until_the_clip_was_heard(open_study: str) -> None:
    at = started(open_study)
    cid = player_key(at).removeprefix("player_")
    assert "unlock" in at.info[0].value
    assert at.radio(key=f"rate_{cid}_complexity").disabled
    assert at.button(key=f"next_{cid}").disabled


def test_a_full_participation_writes_real_answers(open_study: str, factory) -> None:
    at = started(open_study)
    answer_clip(at)
    at.radio(key="attention_attn").set_value(2)
    at.button(key="attention_go").click().run()
    answer_clip(at)
    assert not at.exception and not at.error
    assert "Thank you" in at.success[0].value
    with factory.begin() as session:
        answers = answers_frame(session, open_study)
    assert len(answers) == 2 and answers["finished"].all()
    assert set(answers["rating_enjoyment"]) == {5} and set(answers["guess"]) == {"human"}
    assert answers["musical_experience"].iloc[0] == "amateur"


def test_an_incomplete_answer_is_refused_with_a_message(open_study: str) -> None:
    at = started(open_study)
    key = player_key(at)
    at.session_state[key] = {"heard": 1.0}
    at.run()
    at.button(key=f"next_{key.removeprefix('player_')}").click().run()
    assert "answer every question" in at.warning[0].value


def test_the_personal_link_resumes_where_the_participant_stopped(open_study: str) -> None:
    first = started(open_study)
    token = first.query_params["t"]
    token = token[0] if isinstance(token, list) else token
    again = AppTest.from_file(PAGE, default_timeout=60)
    again.query_params.update({"study": open_study, "t": token})
    again.run()
    assert again.subheader[0].value == "Clip 1 of 2"


def test_a_wrong_link_gets_a_clear_message(open_study: str) -> None:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["t"] = "not-a-token"
    at.run()
    assert "not valid" in at.error[0].value and not at.exception


def test_a_panel_participant_gets_the_completion_code_and_comes_back_to_the_same_participation(
    factory, small_study_text: str
) -> None:
    from app.resources import clip_renderer, clip_store
    from survey.clips.prepare import prepare_and_publish
    from survey.design.studyfile import parse_study_text

    text = small_study_text.replace("study: app-test", "study: panel-test") + (
        "recruitment: {capture: [PROLIFIC_PID, STUDY_ID], panel_id: PROLIFIC_PID, completion_code: C0DE42,\n"
        "              completion_url: 'https://app.prolific.com/submissions/complete?cc=C0DE42'}\n")
    assert prepare_and_publish(factory, parse_study_text(text), clip_renderer(), clip_store(),
                               override="3-second test clips").status == "open"

    def arrive() -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=60)
        at.query_params.update({"study": "panel-test", "PROLIFIC_PID": "abc123", "STUDY_ID": "s1"})
        at.run()
        at.checkbox(key="consent_agree").check()
        return at.button(key="consent_start").click().run()

    at = arrive()
    token = at.query_params["t"]
    assert arrive().query_params["t"] == token, "the same panel id, in a new browser session: the same participation"
    for i, trial in enumerate(trials_for(token[0] if isinstance(token, list) else token)):
        at.radio(key=f"headphone_{i}").set_value(trial.target)
    at.button(key="headphone_go").click().run()
    answer_clip(at)
    at.radio(key="attention_attn").set_value(2)
    at.button(key="attention_go").click().run()
    answer_clip(at)
    assert not at.exception and "give the recruiting site this code" in at.success[0].value
    assert at.code[-1].value == "C0DE42"
    with factory.begin() as session:
        answers = answers_frame(session, "panel-test")
    assert set(answers["url_PROLIFIC_PID"]) == {"abc123"} and set(answers["panel_id"]) == {"abc123"}


def test_a_failed_headphone_check_ends_the_study_politely_with_the_screen_out_code(
    factory, small_study_text: str
) -> None:
    from app.resources import clip_renderer, clip_store
    from survey.clips.prepare import prepare_and_publish
    from survey.collect.participants import progress
    from survey.design.studyfile import parse_study_text

    text = small_study_text.replace("study: app-test", "study: screen-test").replace(
        "headphone_failed: continue", "headphone_failed: end") + (
        "recruitment: {capture: [PROLIFIC_PID], panel_id: PROLIFIC_PID, completion_code: C0DE42,\n"
        "              screen_out_code: SCREENED9}\n")
    assert prepare_and_publish(factory, parse_study_text(text), clip_renderer(), clip_store(),
                               override="3-second test clips").status == "open"
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update({"study": "screen-test", "PROLIFIC_PID": "def456"})
    at.run()
    at.checkbox(key="consent_agree").check()
    at.button(key="consent_start").click().run()
    token = at.query_params["t"]
    token = token[0] if isinstance(token, list) else token
    for i, trial in enumerate(trials_for(token)):
        at.radio(key=f"headphone_{i}").set_value(trial.target % 3 + 1)
    at.button(key="headphone_go").click().run()
    assert not at.exception and "needs headphones" in at.info[0].value
    assert [c.value for c in at.code if c.value == "SCREENED9"], "the panel's screen-out code, not the completion code"
    assert not at.get("audio") and not at.radio, "no clip is offered after the failed check"
    with factory.begin() as session:
        done = progress(session, token)
    assert done.finished and done.screened_out and done.answered == 0


def test_a_stale_tab_says_another_tab_moved_it_on_and_a_tab_that_answered_does_not(open_study: str) -> None:
    here = started(open_study)
    token = here.query_params["t"]
    there = AppTest.from_file(PAGE, default_timeout=60)
    there.query_params.update({"study": open_study, "t": token[0] if isinstance(token, list) else token})
    there.run()
    answer_clip(there)
    assert not any("another tab" in i.value for i in there.info), "the tab that answered just goes on"
    here.run()
    assert not here.exception and any("another tab or window" in i.value for i in here.info)
