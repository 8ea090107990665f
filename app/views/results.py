"""Results (researcher): charts with confidence intervals, statistics tables, exclusions, objective metrics of
the clips beside the ratings, downloads, HTML report.

Statistics and figures come from ``survey.analysis.stats``, ``survey.analysis.clipmetrics`` and
``survey.analysis.figures``; the page only
chooses the study and the exclusions, and caches the tables per answers frame.
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session, sessionmaker
from streamlit.delta_generator import DeltaGenerator

from app.auth import require_researcher
from app.resources import database
from survey.analysis.clipmetrics import clip_metrics_frame, metric_tables
from survey.analysis.export import answers_frame, study_json
from survey.analysis.figures import all_figures, metric_rating_figure
from survey.analysis.inference.headline import headline_statement
from survey.analysis.report import LEADING, html_report
from survey.analysis.stats import (
    apply_exclusions,
    exclusion_sentence,
    fixed_clips_warning,
    multiplicity_note,
    summary_tables,
)
from survey.design.study import design_notes, get_study, list_studies
from survey.errors import SurveyError
from survey.store.schema import StudyStatus


@st.cache_data(show_spinner="Computing statistics…", max_entries=16)
def tables_for(answers: pd.DataFrame, mixed: bool) -> dict[str, pd.DataFrame]:
    """``summary_tables`` once per answers frame (bootstraps and mixed models take seconds)."""
    return summary_tables(answers, mixed=mixed)


def choose_study(factory: sessionmaker[Session]) -> str | None:
    """The study to analyse (published or closed ones first)."""
    with factory.begin() as session:
        studies = {s.slug: s.status for s in list_studies(session)}
    if not studies:
        st.info("No study yet: create one in the Studio.")
        return None
    order = sorted(studies, key=lambda s: studies[s] == StudyStatus.DRAFT)
    return str(st.selectbox("Study", order, key="results_study", format_func=lambda s: f"{s} ({studies[s]})"))


def excluded(answers: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Apply the exclusions ticked on the page; returns the kept answers and a sentence per exclusion."""
    a, b, c, d = st.columns(4)
    headphone = a.checkbox("Exclude failed headphone checks", True, key="results_ex_headphone")
    attention = b.checkbox("Exclude failed attention checks", True, key="results_ex_attention")
    unfinished = c.checkbox("Exclude unfinished participants", False, key="results_ex_unfinished")
    early = d.checkbox("Exclude answers sent before the clip could end", True, key="results_ex_early")
    rules = {"headphone": headphone, "attention": attention, "unfinished": unfinished, "early": early}
    kept = apply_exclusions(answers, **rules)
    notes = [exclusion_sentence(answers, kept, rules)]
    hurried = int(answers["answered_early"].eq(True).sum())
    if hurried:
        notes.append(f"{hurried} answers reached the server sooner after their clip was served than the clip lasts "
                     f"(so it cannot have been heard in full); they are {'excluded' if early else 'kept'}.")
    return kept, notes


def downloads(factory: sessionmaker[Session], slug: str, answers: pd.DataFrame) -> DeltaGenerator:
    """CSV and JSON of every answer (before exclusions); returns the slot where the HTML report goes once the
    statistics are done, so a failing statistic can never take the raw data downloads with it."""
    with factory.begin() as session:
        payload = json.dumps(study_json(session, slug), indent=2, default=str)
    a, b, c = st.columns(3)
    a.download_button("Answers (CSV)", answers.to_csv(index=False), f"{slug}.csv", "text/csv", key="results_csv")
    b.download_button("Study (JSON)", payload, f"{slug}.json", "application/json", key="results_json")
    return c.empty()


def objective_metrics(answers: pd.DataFrame, metrics: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each clip's MIDI metrics: the mean per source, and their Spearman correlation with the mean ratings."""
    st.subheader("Objective metrics")
    if metrics.empty:
        st.info("No clip has metrics: they are measured from each clip's MIDI when the clips are prepared "
                "(clips made from uploaded audio have none).")
        return {}
    tables = metric_tables(answers, metrics)
    st.markdown("**Mean of each metric per source**")
    st.dataframe(tables["metric_means"], key="results_metric_means", hide_index=True)
    st.markdown("**Spearman correlation across clips of each metric with the clip's mean rating** "
                "(95% Fisher-z interval; p uncorrected for the many pairs)")
    st.plotly_chart(metric_rating_figure(tables["metric_ratings"]), key="results_fig_metric_ratings")
    st.dataframe(tables["metric_ratings"], key="results_metric_ratings", hide_index=True)
    return dict(tables)


def show_tables(tables: dict[str, pd.DataFrame], notes: list[str], warning: str = "") -> None:
    """Every table under its name; the participant-means tests under ``warning`` (``fixed_clips_warning``)."""
    for name, table in tables.items():
        if name == "inference":
            continue  # said above the charts
        if name == "omnibus_participant_means" and warning:
            notes.append(warning)
            st.warning(warning)
        st.markdown(f"**{name.replace('_', ' ').capitalize()}**")
        if list(table.columns) == ["note"]:
            st.info(str(table["note"].iloc[0]))
        else:
            st.dataframe(table, key=f"results_table_{name}", hide_index=True)


def show(factory: sessionmaker[Session], slug: str) -> None:
    """Downloads first (they never depend on the statistics), then charts and tables of one study."""
    with factory.begin() as session:
        study = get_study(session, slug)
        answers, title, override = answers_frame(session, slug), study.title, study.audit_override
        design = design_notes(study)
        metrics = clip_metrics_frame(session, slug)
    if answers.empty:
        st.info("No answers yet. Share the participant link from the Studio.")
        return
    kept, notes = excluded(answers)
    for note in notes:
        st.caption(note)
    for note in design:
        notes.append(note)
        st.caption(note)
    if override:
        notes.append(f"Published despite blindness-audit findings, because: {override}")
        st.warning(notes[-1])
    report_slot = downloads(factory, slug, answers)
    if kept.empty:
        st.warning("Every participant is excluded by the ticked checks.")
        return
    mixed = st.checkbox("Fit the headline mixed models (R: a few seconds; the report uses them)", True,
                        key="results_mixed")
    tables = tables_for(kept, mixed)
    if "inference" in tables:  # below the minimum of participants: say it first, then descriptives only
        notes.append(str(tables["inference"]["note"].iloc[0]))
        st.info(notes[-1])
    for note in (headline_statement(tables), multiplicity_note(tables.get("headline", pd.DataFrame()))):
        if note:
            notes.append(note)
            st.caption(note)
    figures = all_figures(kept, tables)
    if "ratings" in figures:  # the model's means and intervals, then its tables: the headline leads the page
        st.plotly_chart(figures.pop("ratings"), key="results_fig_ratings")
    leading = {name: tables[name] for name in LEADING if name in tables and name != "inference"}
    show_tables(leading, notes)
    for name, figure in figures.items():
        st.plotly_chart(figure, key=f"results_fig_{name}")
    show_tables({name: table for name, table in tables.items() if name not in leading}, notes,
                fixed_clips_warning(tables))
    metric_report = objective_metrics(kept, metrics)
    fresh = all_figures(kept, tables)  # st.plotly_chart leaves theme placeholders in figures it drew
    if "metric_ratings" in metric_report:  # the page's heatmap belongs in the report too
        fresh["metric_ratings"] = metric_rating_figure(metric_report["metric_ratings"])
    report = html_report(title, notes, fresh, {**tables, **metric_report})
    report_slot.download_button("HTML report", report, f"{slug}-report.html",
                                "text/html", key="results_report", type="primary")


st.title("Results")
require_researcher()
FACTORY = database()
SLUG = choose_study(FACTORY)
if SLUG is not None:
    try:
        show(FACTORY, SLUG)
    except SurveyError as exc:
        st.error(str(exc))
