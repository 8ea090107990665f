"""Evaluation of pieces: objective metrics of one piece, and of a set of pieces against a reference set.

- :mod:`model.evaluation.metrics`: per-piece metrics (pitch, rhythm, structure; MusPy and our own), from MIDI;
- :mod:`model.evaluation.relative`: Yang & Lerch's intra/inter-set distances, overlap and KL per metric;
- :mod:`model.evaluation.cli`: ``python -m model metrics`` over folders of MIDI files.

How metrics relate to listeners' ratings is statistics about people, in ``survey.analysis.correlations``.
"""

from model.evaluation.metrics import SCALAR_METRICS, MidiReadError, piece_metrics, piece_metrics_from_bytes
from model.evaluation.relative import RELATIVE_COLUMNS, relative_measures

__all__ = ["RELATIVE_COLUMNS", "SCALAR_METRICS", "MidiReadError", "piece_metrics", "piece_metrics_from_bytes",
           "relative_measures"]
