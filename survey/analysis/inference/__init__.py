"""Inference for listening studies that treats participants *and* clips as sampled.

``headline``: the crossed mixed models (R's lme4 + lmerTest, ordinal::clmm, run by ``rbridge``) that lead the
Results page; ``clipaware``: the by-participant and by-clip analyses combined (min F'); ``simulate``: studies of a
given design with known truth, for ``survey.analysis.power`` and ``bench/validity.py``.
"""

from survey.analysis.inference.headline import MIN_PARTICIPANTS, headline_tables, rating_rows
from survey.analysis.inference.rbridge import InferenceUnavailable, fit_batch

__all__ = ["MIN_PARTICIPANTS", "InferenceUnavailable", "fit_batch", "headline_tables", "rating_rows"]
