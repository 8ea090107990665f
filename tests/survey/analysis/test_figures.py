"""Figures: one fixed colour per source in every chart, and real colours in the report."""

from __future__ import annotations

from survey.analysis import figures, stats
from survey.analysis.report import html_report
from tests.survey.analysis.test_stats import simulated


def trace_colours(figure) -> dict[str, str]:
    return {trace.name: (trace.marker.color if trace.marker.color is not None else trace.line.color)
            for trace in figure.data if trace.name}


def test_a_source_has_the_same_colour_in_every_chart() -> None:
    answers = simulated().assign(submitted_at="2026-11-26T12:00:00Z")
    tables = stats.summary_tables(answers, mixed=False)
    drawn = figures.all_figures(answers, tables)
    expected = figures.source_colours(answers["source"])
    for name in ("ratings", "distribution", "human_guesses"):
        assert trace_colours(drawn[name]) == expected, name


def test_the_report_carries_explicit_source_colours() -> None:
    answers = simulated().assign(submitted_at="2026-11-26T12:00:00Z")
    tables = stats.summary_tables(answers, mixed=False)
    report = html_report("t", [], figures.all_figures(answers, tables), tables)
    assert all(colour in report for colour in figures.source_colours(answers["source"]).values())


def test_the_report_leads_with_the_headline_model_before_any_figure() -> None:
    answers = simulated().assign(submitted_at="2026-11-26T12:00:00Z")
    tables = stats.summary_tables(answers)
    report = html_report("t", [], figures.all_figures(answers, tables), tables)
    first_figure = report.index("<h2>Ratings</h2>")
    assert report.index("<h2>Headline model</h2>") < report.index("<h2>Headline</h2>") < first_figure
    assert report.index("<h2>Pairwise participant means</h2>") > first_figure


def test_the_ratings_chart_draws_the_models_intervals_or_none() -> None:
    answers = simulated().assign(submitted_at="2026-11-26T12:00:00Z")
    modelled = figures.all_figures(answers, stats.summary_tables(answers))["ratings"]
    means = stats.summary_tables(answers)["headline_means"]
    bar = next(t for t in modelled.data if t.name == "lstm")
    expected = means[means["source"] == "lstm"]
    assert list(bar.error_y.array) == list(expected["ci_high"] - expected["mean"])
    plain = figures.all_figures(answers, stats.summary_tables(answers, mixed=False))["ratings"]
    assert all(trace.error_y.array is None for trace in plain.data)
