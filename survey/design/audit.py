"""Blindness audit: find every property of the audio files that could give a clip's source away.

A participant should not be able to tell sources apart by anything but the music.  This module
measures each clip directly from its file bytes (soundfile + pyloudnorm + numpy, independent of
the ``audio`` package) and compares the sources:

* categorical cues — file format, sample encoding, sample rate, channel count, embedded metadata
  (title, software, comment ...): flagged if they take more than one value across the study, or if
  any metadata is present at all;
* numeric cues — duration (s), leading and trailing silence (s), fade-in and fade-out length (s),
  integrated loudness (LUFS), sample peak (dBFS), file size (bytes): flagged when the medians of two
  sources differ by more than the tolerance, and, per clip, when a clip is an outlier against
  the study's median.

``audit_clips`` returns an ``AuditReport``; ``survey.design.study.publish_study`` refuses to publish a
failing study unless an override reason is given, and stores the report and reason with the study.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyloudnorm
import soundfile as sf

from survey.design.cues import SurfaceAudit

SILENCE_DBFS = -60.0  # below this level a 10 ms frame counts as silence
FRAME_S = 0.01


@dataclass(frozen=True)
class Tolerances:
    """How far sources may differ before a cue is flagged (units in the names)."""

    duration_s: float = 0.25
    silence_s: float = 0.1
    fade_s: float = 0.5
    """Every excerpt gets the study's own fade (0.5 s by default), and what is measured here is the time the level
    takes to come within 6 dB of the clip's median: the music's own first and last notes move it by tenths of a
    second. A difference smaller than the fade every clip is given is not a treatment a listener can tell apart;
    0.2 s flagged an original's quiet last chord (0.23 s)."""
    loudness_lu: float = 1.0
    peak_db: float = 1.0
    size_ratio: float = 0.1


@dataclass(frozen=True)
class AuditClip:
    """One clip to audit: its key, its source, and its audio file (path or bytes)."""

    clip_key: str
    source_key: str
    audio: bytes | Path
    expected_sha256: str | None = None


@dataclass(frozen=True)
class Finding:
    """One cue that could reveal a source; ``detail`` holds the per-source values."""

    cue: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditReport:
    """The audit's verdict: passed when no finding; ``measures`` has one row per clip."""

    findings: tuple[Finding, ...]
    measures: pd.DataFrame
    surface: SurfaceAudit | None = None

    @property
    def passed(self) -> bool:
        """True when nothing could give a source away."""
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary stored with the study."""
        return {
            "passed": self.passed,
            "findings": [asdict(f) for f in self.findings],
            "measures": self.measures.astype(object).where(self.measures.notna(), None).to_dict("records"),
            **({} if self.surface is None else {"surface": self.surface.to_dict()}),
        }


def measure(data: bytes) -> dict[str, Any]:
    """Every audited property of one audio file (units in the keys)."""
    info = sf.info(io.BytesIO(data))
    with sf.SoundFile(io.BytesIO(data)) as handle:
        samples = handle.read(dtype="float64", always_2d=True)
        metadata = {k: v for k, v in handle.copy_metadata().items() if v}
    rate = info.samplerate
    lead, trail = _silence(samples, rate)
    fade_in, fade_out = _fades(samples, rate, lead, trail)
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "format": f"{info.format}/{info.subtype}",
        "sample_rate_hz": rate,
        "channels": info.channels,
        "duration_s": samples.shape[0] / rate,
        "lead_silence_s": lead,
        "trail_silence_s": trail,
        "fade_in_s": fade_in,
        "fade_out_s": fade_out,
        "loudness_lufs": _loudness(samples, rate),
        "peak_dbfs": _db(float(np.max(np.abs(samples))) if samples.size else 0.0),
        "file_size_bytes": len(data),
        "metadata": ";".join(f"{k}={v}" for k, v in sorted(metadata.items())),
    }


def _db(amplitude: float) -> float:
    return float(20 * np.log10(amplitude)) if amplitude > 0 else float("-inf")


def _frame_levels(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS level of consecutive 10 ms frames, dBFS (mono mix of the channels)."""
    frame = max(1, int(FRAME_S * rate))
    mono = samples.mean(axis=1)
    usable = len(mono) // frame * frame
    if usable == 0:
        return np.array([-np.inf])
    rms = np.sqrt(np.mean(mono[:usable].reshape(-1, frame) ** 2, axis=1))
    with np.errstate(divide="ignore"):
        return 20 * np.log10(rms)


def _silence(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """Leading and trailing silence, s (frames below ``SILENCE_DBFS``)."""
    levels = _frame_levels(samples, rate)
    loud = np.flatnonzero(levels > SILENCE_DBFS)
    if loud.size == 0:
        total = samples.shape[0] / rate
        return total, total
    return float(loud[0] * FRAME_S), float((len(levels) - 1 - loud[-1]) * FRAME_S)


def _fades(samples: np.ndarray, rate: int, lead: float, trail: float) -> tuple[float, float]:
    """Time from the first (to the last) sound until the level is within 6 dB of the clip's median, s."""
    levels = _frame_levels(samples, rate)
    start, stop = round(lead / FRAME_S), len(levels) - round(trail / FRAME_S)
    body = levels[start:stop]
    if body.size == 0:
        return 0.0, 0.0
    target = np.median(body) - 6.0
    reached = np.flatnonzero(body >= target)
    return float(reached[0] * FRAME_S), float((body.size - 1 - reached[-1]) * FRAME_S)


def _loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770), LUFS; NaN for clips shorter than one 400 ms block."""
    if samples.shape[0] < int(0.4 * rate):
        return float("nan")
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples))


def audit_clips(clips: Sequence[AuditClip], tolerances: Tolerances | None = None) -> AuditReport:
    """Measure every clip and flag each cue that differs between sources (see module docstring)."""
    tol = tolerances or Tolerances()
    rows = []
    for clip in clips:
        data = clip.audio.read_bytes() if isinstance(clip.audio, Path) else clip.audio
        rows.append(
            {
                "clip_key": clip.clip_key,
                "source_key": clip.source_key,
                "expected_sha256": clip.expected_sha256,
                **measure(data),
            }
        )
    measures = pd.DataFrame(rows)
    if measures.empty:
        return AuditReport((Finding("clips", "there are no clips to audit"),), measures)
    findings = _hash_findings(measures) + _categorical_findings(measures) + _numeric_findings(measures, tol)
    return AuditReport(tuple(findings), measures.drop(columns="expected_sha256"))


def _hash_findings(m: pd.DataFrame) -> list[Finding]:
    bad = m[m["expected_sha256"].notna() & (m["expected_sha256"] != m["sha256"])]
    if bad.empty:
        return []
    keys = list(bad["clip_key"])
    return [Finding("audio hash", f"{len(keys)} file(s) differ from the registered audio", {"clips": keys})]


def _categorical_findings(m: pd.DataFrame) -> list[Finding]:
    findings = []
    for cue, column in (
        ("format", "format"),
        ("sample rate", "sample_rate_hz"),
        ("channel count", "channels"),
    ):
        if m[column].nunique() > 1:
            detail = {str(k): sorted(map(str, v.unique())) for k, v in m.groupby("source_key")[column]}
            findings.append(Finding(cue, f"clips differ in {cue}", detail))
    tagged = m[m["metadata"] != ""]
    if not tagged.empty:
        detail = dict(zip(tagged["clip_key"], tagged["metadata"], strict=True))
        findings.append(Finding("metadata", f"{len(tagged)} file(s) carry metadata tags; strip them", detail))
    return findings


_NUMERIC = (
    ("duration", "duration_s", "duration_s", "s"),
    ("leading silence", "lead_silence_s", "silence_s", "s"),
    ("trailing silence", "trail_silence_s", "silence_s", "s"),
    ("fade-in", "fade_in_s", "fade_s", "s"),
    ("fade-out", "fade_out_s", "fade_s", "s"),
    ("loudness", "loudness_lufs", "loudness_lu", "LU"),
    ("peak level", "peak_dbfs", "peak_db", "dB"),
)


def _numeric_findings(m: pd.DataFrame, tol: Tolerances) -> list[Finding]:
    findings = []
    for cue, column, tol_name, unit in _NUMERIC:
        limit = getattr(tol, tol_name)
        values = m[column].replace([np.inf, -np.inf], np.nan)
        medians = values.groupby(m["source_key"]).median()
        outliers = m.loc[(values - values.median()).abs() > 2 * limit, "clip_key"].tolist()
        spread = float(medians.max() - medians.min()) if medians.notna().any() else 0.0
        if spread > limit or outliers:
            detail = {
                "source_medians": {str(k): round(float(v), 3) for k, v in medians.items()},
                "outliers": outliers,
            }
            message = f"{cue} differs between sources by {spread:.2f} {unit} (limit {limit})"
            if spread <= limit:
                message = f"{cue} of {', '.join(outliers)} is far from the study's median (limit {2 * limit} {unit})"
            findings.append(Finding(cue, message, detail))
    sizes = m["file_size_bytes"].astype(float)
    ratio = sizes.groupby(m["source_key"]).median() / sizes.median()
    if (ratio - 1).abs().max() > tol.size_ratio:
        detail = {"source_median_ratio": {str(k): round(float(v), 3) for k, v in ratio.items()}}
        findings.append(Finding("file size", "median file size differs between sources", detail))
    return findings
