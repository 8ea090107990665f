"""Figures: one fixed colour per source in every chart, and real colours in the report."""

from __future__ import annotations

from survey import figures, stats
from survey.report import html_report
from tests.survey.test_stats import simulated


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
