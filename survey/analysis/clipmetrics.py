"""Objective metrics of a study's clips, beside the ratings they received.

When a clip is prepared (``survey.clips.prepare.prepare_clips``), the MIDI of its source piece is stored by hash
and the piece's scalar metrics (``model.evaluation.metrics.SCALAR_METRICS``) go into the clip's ``settings["metrics"]``
(NaN stored as null). Clips made from uploaded audio have no MIDI and so no metrics. The scalar metrics are
computed at preparation (:mod:`survey.clips.metrics`); the tables here read them.

Tables
------
``clip_metrics_frame``: one row per clip that has metrics, indexed by clip key (``clip``), with
``clip_id``, ``source`` and one float column per scalar metric (NaN where a metric is undefined).

``source_metric_means``: one row per source: ``source``, ``clips`` (clips measured), then the mean of each
metric over the source's clips.

``metric_rating_table``: ``survey.analysis.correlations.CORRELATION_COLUMNS``: one row per (metric, criterion) with
Spearman's rho across clips between the metric and the clip's mean rating, its Fisher-z interval and p.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy.orm import Session

from model.evaluation.metrics import SCALAR_METRICS
from survey.analysis.correlations import metric_rating_correlations
from survey.analysis.export import RATING_PREFIX, criteria_columns
from survey.clips.metrics import METRICS_KEY
from survey.design.study import get_study


def clip_metrics_frame(session: Session, slug: str) -> pd.DataFrame:
    """The stored metrics of every measured clip of study ``slug`` (see the module docstring for columns)."""
    study = get_study(session, slug)
    rows = []
    for clip in sorted(study.clips, key=lambda c: c.key):
        stored = (clip.settings or {}).get(METRICS_KEY)
        if stored is None:
            continue
        values = {name: math.nan if stored.get(name) is None else float(stored[name]) for name in SCALAR_METRICS}
        rows.append({"clip": clip.key, "clip_id": clip.public_id, "source": clip.source.key, **values})
    frame = pd.DataFrame(rows, columns=["clip", "clip_id", "source", *SCALAR_METRICS])
    return frame.astype({name: float for name in SCALAR_METRICS}).set_index("clip")


def source_metric_means(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean of each metric per source, over the source's measured clips (``clip_metrics_frame`` rows)."""
    columns = [c for c in SCALAR_METRICS if c in metrics.columns]
    grouped = metrics.groupby("source", sort=True)
    means = grouped[columns].mean()
    means.insert(0, "clips", grouped.size())
    return means.reset_index()


def clip_mean_ratings(answers: pd.DataFrame) -> pd.DataFrame:
    """Mean rating of each clip per criterion, indexed by clip key, one column per criterion key."""
    columns = [f"{RATING_PREFIX}{c}" for c in criteria_columns(answers)]
    ratings = answers[["clip", *columns]].set_index("clip").apply(pd.to_numeric, errors="coerce")
    return ratings.groupby(level="clip").mean().rename(columns=lambda c: c.removeprefix(RATING_PREFIX))


def metric_rating_table(answers: pd.DataFrame, metrics: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Spearman correlation across clips of each metric with each criterion's mean rating, with its CI.

    ``answers`` is ``survey.analysis.export.answers_frame`` (after exclusions), ``metrics`` is ``clip_metrics_frame``;
    clips are matched on their key, and only clips both rated and measured count (``n``). See
    ``survey.analysis.correlations.metric_rating_correlations`` for the interval; p-values are not corrected for the
    many pairs.
    """
    measured = metrics[[c for c in SCALAR_METRICS if c in metrics.columns]]
    return metric_rating_correlations(measured, clip_mean_ratings(answers), confidence)


def metric_tables(answers: pd.DataFrame, metrics: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The Results page's two tables: ``metric_means`` per source and ``metric_ratings`` correlations."""
    return {"metric_means": source_metric_means(metrics), "metric_ratings": metric_rating_table(answers, metrics)}
