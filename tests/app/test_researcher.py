"""Studio and Results pages: the password gate, building, rendering, auditing, publishing, results and downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from survey.design.study import get_study
from tests.app.conftest import PASSWORD, ROOT
from tests.app.test_study import answer_clip, started

STUDIO = str(ROOT / "app" / "views" / "studio.py")
RESULTS = str(ROOT / "app" / "views" / "results.py")


def logged_in(page: str) -> AppTest:
    at = AppTest.from_file(page, default_timeout=120).run()
    at.text_input(key="login_password").input(PASSWORD)
    at.button(key="login_go").click().run()
    return at


@pytest.mark.parametrize("page", [STUDIO, RESULTS])
def test_without_a_password_configured_the_page_says_how_and_shows_nothing(
    page: str, lab: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAB_PASSWORD")
    at = AppTest.from_file(page, default_timeout=60).run()
    assert "LAB_PASSWORD" in at.warning[0].value
    assert not at.text_input and not at.selectbox


@pytest.mark.parametrize("page", [STUDIO, RESULTS])
def test_a_wrong_password_is_refused(page: str, lab: Path) -> None:
    at = AppTest.from_file(page, default_timeout=60).run()
    at.text_input(key="login_password").input("wrong")
    at.button(key="login_go").click().run()
    assert at.error[0].value == "Wrong password."
    assert not at.selectbox


def test_the_studio_builds_renders_audits_and_publishes_a_study(factory, pop909_dir: Path) -> None:
    at = logged_in(STUDIO)
    at.text_input(key="studio_slug").input("built")
    at.multiselect(key="studio_songs").set_value(["001"])
    at.multiselect(key="studio_models").set_value(["default"])
    at.number_input(key="studio_per_source").set_value(1)
    at.number_input(key="studio_seconds").set_value(5.0)
    at.button(key="studio_create").click().run()
    assert "created as a draft" in at.success[0].value
    at.button(key="studio_render").click().run()
    assert "2 clips rendered" in at.success[0].value
    assert any("2 clips, 2 rendered" in m.value for m in at.markdown), "the status line counts the new audio"
    at.button(key="studio_audit").click().run()
    assert at.dataframe, "the audit's measures are shown"
    at.text_input(key="override_built").input("Five-second clips of a test model.")
    at.button(key="publish_built").click().run()
    assert not at.exception
    with factory.begin() as session:
        assert get_study(session, "built").status == "open"
    assert "/study?study=built" in at.code[0].value
    assert at.button(key="close_built").disabled, "closing needs the confirmation ticked"
    at.checkbox(key="close_sure_built").check().run()
    at.button(key="close_built").click().run()
    with factory.begin() as session:
        assert get_study(session, "built").status == "closed"


def test_two_researcher_tabs_publishing_the_same_study_get_a_clear_message(factory, small_study) -> None:
    from app.resources import clip_renderer, clip_store
    from survey.clips.prepare import ensure_study, prepare_clips

    slug = ensure_study(factory, small_study)
    assert prepare_clips(factory, slug, clip_renderer(), clip_store()).complete
    tabs = [logged_in(STUDIO), logged_in(STUDIO)]
    for tab in tabs:
        tab.button(key="studio_audit").click().run()
        tab.text_input(key=f"override_{slug}").input("Three-second test clips.")
    tabs[0].button(key=f"publish_{slug}").click().run()
    tabs[1].button(key=f"publish_{slug}").click().run()
    assert not tabs[1].exception and not tabs[1].error
    assert any("Status: **open**" in m.value for m in tabs[1].markdown), "the second tab sees the study published"


def test_an_invalid_study_is_refused_in_the_researchers_words(lab: Path) -> None:
    at = logged_in(STUDIO)
    at.text_input(key="studio_slug").input("bad slug!")
    at.button(key="studio_create").click().run()
    assert "short name 'bad slug!' may use only letters" in at.error[0].value and not at.exception


def test_results_show_charts_tables_and_downloads(open_study: str, factory: sessionmaker[Session]) -> None:
    with factory.begin() as session:
        clips = {c.key: c for c in get_study(session, open_study).clips}
        assert all(c.midi_sha256 and c.settings and c.settings["metrics"]["pitch_range"] > 0 for c in clips.values()), \
            "the POP909 song and the generated piece are measured when prepared"
    participant = started(open_study, fail_headphones=True)
    answer_clip(participant)
    at = logged_in(RESULTS)
    assert any("Every participant is excluded" in w.value for w in at.warning), "a failed headphone check excludes"
    assert any("Published despite blindness-audit findings, because: 3-second test clips" in w.value
               for w in at.warning), "the audit override is stated beside the results (and in the report's notes)"
    at.checkbox(key="results_ex_headphone").uncheck().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 5, "four charts of ratings, one heatmap of metric correlations"
    assert "Objective metrics" in [h.value for h in at.subheader]
    tables = [d.value for d in at.dataframe]
    means = next(t for t in tables if "pitch_range" in t.columns)
    assert sorted(means["source"]) == ["lstm", "original"], "the mean of each metric per source"
    assert any({"metric", "criterion", "rho", "ci_low", "ci_high"} <= set(t.columns) for t in tables)
    assert any("participants kept" in c.value for c in at.caption)
    assert len(at.get("download_button")) == 3
    shown = [m.value for m in at.markdown]
    assert any("No inference yet" in i.value for i in at.info), "one participant: descriptives only, said first"
    assert "**Describe**" in shown and "**Headline**" not in shown and "**Pairwise participant means**" not in shown


def test_results_without_answers_say_so(open_study: str) -> None:
    at = logged_in(RESULTS)
    assert "No answers yet" in at.info[0].value


def test_results_exclude_answers_sent_before_the_clip_could_end_and_say_so(open_study: str) -> None:
    participant = started(open_study)
    answer_clip(participant, listen=False)  # questions unlocked by a fast-forwarded player: no time passed
    at = logged_in(RESULTS)
    assert any("1 answers reached the server sooner" in c.value and "excluded" in c.value for c in at.caption)
    assert any("Every participant is excluded" in w.value for w in at.warning)
    at.checkbox(key="results_ex_headphone").uncheck().run()  # answering 1 to every trial fails the check
    assert any("Every participant is excluded" in w.value for w in at.warning), "the early answer still is"
    at.checkbox(key="results_ex_early").uncheck().run()
    assert not at.exception and len(at.get("plotly_chart")) > 0
    assert any("they are kept" in c.value for c in at.caption)


def test_the_studio_plans_participants_from_stated_means(lab: Path) -> None:
    at = logged_in(STUDIO)
    at.text_input(key="power_means").set_value("original=4.5, lstm=3.5")
    at.button(key="power_go").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value
    assert list(table["pair"]) == ["lstm vs original"] and table["participants"].iloc[0] > 0
    at.text_input(key="power_means").set_value("original 4.5").run()
    at.button(key="power_go").click().run()
    assert "a source, =, a rating" in at.error[0].value
