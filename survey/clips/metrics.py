"""The scalar metrics of a clip's piece, measured once when the clip is prepared and stored with it.

The Results page reads them back beside the ratings (:mod:`survey.analysis.clipmetrics`).
"""

from __future__ import annotations

import math

from model.evaluation.metrics import SCALAR_METRICS, piece_metrics_from_bytes

METRICS_KEY = "metrics"
"""Key of the scalar metrics in a clip's ``settings``."""


def scalar_metrics(midi: bytes) -> dict[str, float | None]:
    """The scalar metrics of a piece given as MIDI bytes, JSON-ready: NaN (undefined) becomes None.

    Raises ``model.evaluation.metrics.MidiReadError`` when the bytes are not MIDI.
    """
    values = piece_metrics_from_bytes(midi)
    return {name: None if math.isnan(values[name]) else float(values[name]) for name in SCALAR_METRICS}
