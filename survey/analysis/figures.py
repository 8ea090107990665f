"""Plotly figures of a study's results, shared by the Results page and the HTML report.

Each function takes a tidy table of ``survey.analysis.stats`` (or the answers frame) and returns a figure; none
computes statistics itself, so the figures always show what the tables say.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from survey.analysis.stats import long_ratings

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
           "#17becf")
"""Explicit colours (Plotly's D3 set): a figure drawn by Streamlit keeps no theme colours in the report."""


def source_colours(sources: pd.Series | list[str]) -> dict[str, str]:
    """One fixed colour per source, by the sources' sorted order, so every chart, page and report agree."""
    names = sorted({str(s) for s in sources})
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def ratings_figure(means: pd.DataFrame, modelled: bool) -> go.Figure:
    """Mean rating per source and criterion, with the headline model's 95% interval when ``modelled``
    (``headline_means``).

    The interval treats participants and clips as sampled; with ``describe``'s table instead (no model: too few
    participants, or the models not fitted) the bars carry no interval at all, since an interval over
    participants alone would cover the true mean far less often than it says (``bench/validity.py``)."""
    frame = means.assign(up=means["ci_high"] - means["mean"], down=means["mean"] - means["ci_low"]) if modelled \
        else means
    label = "mean rating (95% CI: mixed model)" if modelled else "mean rating (no inference yet)"
    return px.bar(frame, x="criterion", y="mean", color="source", barmode="group",
                  error_y="up" if modelled else None, error_y_minus="down" if modelled else None,
                  labels={"mean": label}, title="Ratings per source and criterion",
                  color_discrete_map=source_colours(frame["source"]))


def distribution_figure(answers: pd.DataFrame) -> go.Figure:
    """Every rating, per source and criterion, as box plots (the distributions behind the means)."""
    ratings = long_ratings(answers)
    return px.box(ratings, x="criterion", y="rating", color="source", points="all",
                  title="Distribution of ratings", color_discrete_map=source_colours(ratings["source"]))


def human_guess_figure(guesses: pd.DataFrame) -> go.Figure:
    """Share of "human" guesses per source with Wilson intervals (``stats.human_guesses``); 0.5 = chance."""
    frame = guesses.assign(up=guesses["ci_high"] - guesses["share_human"],
                           down=guesses["share_human"] - guesses["ci_low"])
    fig = px.bar(frame, x="source", y="share_human", error_y="up", error_y_minus="down", range_y=[0, 1],
                 labels={"share_human": 'share of "human" guesses (95% CI)'}, title='"Composed by a human?" guesses',
                 color="source", color_discrete_map=source_colours(frame["source"]))
    fig.add_hline(y=0.5, line_dash="dot", annotation_text="chance")
    return fig


def participation_figure(answers: pd.DataFrame) -> go.Figure:
    """Participants over time: cumulative count by the time of their first answer."""
    first = pd.to_datetime(answers.groupby("participant")["submitted_at"].min(), utc=True).sort_values()
    frame = pd.DataFrame({"time": first.to_numpy(), "participants": range(1, len(first) + 1)})
    return px.line(frame, x="time", y="participants", markers=True, title="Participation over time")


def metric_rating_figure(correlations: pd.DataFrame) -> go.Figure:
    """Spearman's rho of each metric with each criterion as a heatmap (``clipmetrics.metric_rating_table``)."""
    grid = correlations.pivot(index="metric", columns="criterion", values="rho")
    fig = px.imshow(grid, zmin=-1, zmax=1, color_continuous_scale="RdBu", text_auto=".2f", aspect="auto",
                    labels={"color": "rho"}, title="Spearman's rho: clip metric vs. mean rating")
    return fig


def all_figures(answers: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> dict[str, go.Figure]:
    """Every figure of the results, by name, in the order the page and report show them.

    A figure drawn from a table that could not be computed (a one-column ``note`` table) is left out.
    """
    figures = {
        "ratings": (lambda: ratings_figure(*_means(tables))) if _computed(tables["describe"]) else None,
        "distribution": lambda: distribution_figure(answers),
        "human_guesses": ((lambda: human_guess_figure(tables["human_guesses"]))
                          if _computed(tables["human_guesses"]) else None),
        "participation": lambda: participation_figure(answers),
    }
    return {name: make() for name, make in figures.items() if make is not None}


def _means(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, bool]:
    """The headline model's means and True when it was fitted, else the descriptive means and False."""
    modelled = tables.get("headline_means")
    if modelled is not None and _computed(modelled):
        return modelled, True
    return tables["describe"], False


def _computed(table: pd.DataFrame) -> bool:
    return list(table.columns) != ["note"]
