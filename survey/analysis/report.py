"""A one-file HTML report of a study: figures and statistics tables, ready to paste into a paper.

Self-contained (Plotly's JavaScript is embedded once), so it opens offline and can be archived with the
study's data.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

STYLE = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}
.table{overflow-x:auto;max-width:100%;margin:0.5em 0 1.5em}
table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px}"""
"""A wide table (every metric, every criterion) scrolls inside its own box, so the page keeps the body's width."""


def table_html(frame: pd.DataFrame) -> str:
    """A statistics table as HTML, numbers to three significant digits."""
    inner = frame.to_html(index=False, float_format=lambda x: f"{x:.3g}", na_rep="", border=0)
    return f"<div class='table'>{inner}</div>"


LEADING = ("inference", "headline_model", "headline", "headline_means")
"""Tables the report opens with, before the figures: the headline model, or why there is none yet."""


def html_report(
    title: str, notes: list[str], figures: dict[str, go.Figure], tables: dict[str, pd.DataFrame]
) -> str:
    """The report: title, notes (sample sizes, exclusions, what the model treats as random), the headline tables,
    every figure, then every other table by name."""
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.</p>"]
    parts += [f"<p>{html.escape(note)}</p>" for note in notes]
    leading = [name for name in LEADING if name in tables]
    parts += [_table_section(name, tables[name]) for name in leading]
    for i, (name, figure) in enumerate(figures.items()):
        parts.append(f"<h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>")
        parts.append(figure.to_html(full_html=False, include_plotlyjs=(i == 0)))
    parts += [_table_section(name, frame) for name, frame in tables.items() if name not in leading]
    body = "\n".join(parts)
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>" \
           f"<style>{STYLE}</style></head><body>{body}</body></html>"


def _table_section(name: str, frame: pd.DataFrame) -> str:
    return f"<h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>{table_html(frame)}"
