"""Runs ``crossed.R`` (lme4 + lmerTest, ordinal::clmm) on a batch of ratings and returns its fits.

Why R: the issue's reference implementations are lmerTest (Satterthwaite degrees of freedom for crossed random
effects) and ordinal (cumulative link mixed models); statsmodels has neither small-sample degrees of freedom for
crossed designs nor an ordinal model with random effects, and a Python re-implementation would need these very
packages to be checked against.  Why a subprocess rather than rpy2: no compiled bridge to build, R's failures
and hangs stay out of the Streamlit server's process, and a timeout can be enforced.  A batch holds many
studies (the ``study`` column), so a simulation of hundreds of studies starts R once per worker, not per study.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from survey.errors import SurveyError

SCRIPT = Path(__file__).with_name("crossed.R")
COLUMNS = ["study", "criterion", "participant", "clip", "source", "rating"]
SECONDS_PER_FIT = 30.0
"""Timeout budget per (study, criterion) fit; a clmm on a few thousand ratings takes a few seconds."""


class InferenceUnavailable(SurveyError):
    """R or one of its packages is missing, or R failed: the headline model cannot be fitted here."""


def rscript() -> str:
    """The ``Rscript`` executable, or a one-sentence refusal naming the install command."""
    found = shutil.which("Rscript")
    if found is None:
        raise InferenceUnavailable("The mixed models need R with lme4, lmerTest and ordinal, which this machine "
                                   "lacks: run `bash lab.sh start` once to install them.")
    return found


def fit_batch(ratings: pd.DataFrame, *, ordinal: bool = False, workers: int = 1,
              pairs_only: bool = False) -> list[dict[str, Any]]:
    """Fit the headline model (and, with ``ordinal``, the clmm) to every (study, criterion) of ``ratings``.

    ``ratings`` has :data:`COLUMNS`; the result is one dict per (study, criterion), as ``crossed.R`` documents,
    in no particular order.  ``workers`` R processes share the studies (a simulation uses both cores);
    ``pairs_only`` skips the means and the omnibus test (power needs only the pairs).
    """
    missing = set(COLUMNS) - set(ratings.columns)
    if missing:
        raise ValueError(f"ratings lack the columns {sorted(missing)}")
    if ratings.empty:
        return []
    studies = ratings["study"].astype(str).unique()
    chunks = [c for c in np.array_split(studies, max(1, min(workers, len(studies)))) if len(c)]
    frames = [ratings[ratings["study"].astype(str).isin(set(chunk))] for chunk in chunks]
    with ThreadPoolExecutor(len(frames)) as pool:
        options = (["ordinal"] if ordinal else []) + (["pairs"] if pairs_only else [])
        results = pool.map(lambda f: _run(f, options), frames)
    return [fit for chunk in results for fit in chunk]


def _run(ratings: pd.DataFrame, options: list[str]) -> list[dict[str, Any]]:
    """One R process over ``ratings``; its JSON, or :class:`InferenceUnavailable` in one sentence."""
    executable = rscript()
    fits = ratings.groupby(["study", "criterion"]).ngroups
    with tempfile.TemporaryDirectory(prefix="lab-r-") as tmp:
        given, answer = Path(tmp, "ratings.csv"), Path(tmp, "fits.json")
        ratings[COLUMNS].to_csv(given, index=False)
        command = [executable, "--vanilla", str(SCRIPT), str(given), str(answer), *options]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=10 + SECONDS_PER_FIT * fits)
        except subprocess.TimeoutExpired:
            raise InferenceUnavailable(f"R took longer than {10 + SECONDS_PER_FIT * fits:.0f} s to fit the mixed "
                                       "models and was stopped.") from None
        if done.returncode != 0 or not answer.is_file():
            raise InferenceUnavailable(_why_r_failed(done.stderr))
        result: list[dict[str, Any]] = json.loads(answer.read_text())
    return result


def _why_r_failed(stderr: str) -> str:
    """A sentence for a failed R run: a missing package named, anything else summarised."""
    for package in ("lmerTest", "lme4", "ordinal", "jsonlite"):
        if f"there is no package called ‘{package}’" in stderr or f"there is no package called '{package}'" in stderr:
            return (f"R is installed without the package {package}, which the mixed models need: run "
                    "`bash lab.sh start` once to install it.")
    return "R stopped before fitting the mixed models; the descriptive tables still stand."
