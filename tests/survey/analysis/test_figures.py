"""Figures: one fixed colour per source in every chart, and real colours in the report."""

from __future__ import annotations

import pandas as pd
import pytest

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


@pytest.mark.browser
def test_a_wide_table_scrolls_in_its_box_and_the_report_keeps_the_pages_width(tmp_path) -> None:
    from playwright.sync_api import sync_playwright

    wide = pd.DataFrame([{f"metric_{i}_with_a_long_name": 0.123456 for i in range(30)}])
    path = tmp_path / "report.html"
    path.write_text(html_report("t", [], {}, {"metric_means": wide}))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-gpu"], headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(path.as_uri())
        page_width = page.evaluate("document.documentElement.scrollWidth")
        table_width = page.evaluate("document.querySelector('table').scrollWidth")
        browser.close()
    assert table_width > 1280 >= page_width, (table_width, page_width)
