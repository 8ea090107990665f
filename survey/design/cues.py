"""Surface-cue audit: could a participant tell the sources apart without judging the composition?

The audio audit (``survey.design.audit``) checks the files (length, loudness, fades, tags). This module checks what is
heard but is not composition: tempo, dynamics (velocity mean and spread), texture (polyphony, tracks), register,
note density, silence and the loudness envelope. Each clip's cues are measured once, when it is prepared, on the
excerpt participants hear (the presented MIDI between the excerpt's start and end, and the encoded audio), and
stored in the clip's ``settings["cues"]``.

Before publishing, a simple classifier (standardised cues, multinomial logistic regression, stratified k-fold
cross-validation from scikit-learn) predicts each clip's source from these cues alone. If it beats chance by more
than ``MARGIN``, the sources differ in ways a listener can use without judging the music: publishing then needs
an override sentence, stored with the study and printed in the report. The cue that separates the sources most
is the one whose own single-cue classifier is most accurate.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import soundfile as sf

from audio.midi import load_midi
from audio.presentation import piece_bpm

CUES_KEY = "cues"
"""Key of the surface cues in a clip's ``settings``."""
MARGIN = 0.25
"""Cross-validated accuracy above chance + MARGIN means the surface gives the sources away."""
FRAME_S = 0.05
"""Resolution of the sounding-notes grid (polyphony, silence share)."""
ENVELOPE_FRAME_S = 0.4
"""Frame of the loudness envelope (about a beat), whose spread tells flat from dynamic rendering."""

CUES: dict[str, str] = {
    "tempo_bpm": "tempo (BPM)",
    "velocity_mean": "velocity mean",
    "velocity_sd": "velocity spread (SD)",
    "polyphony": "notes sounding at once",
    "register_mean": "mean pitch (MIDI)",
    "register_span": "pitch span (semitones, 5th-95th percentile)",
    "note_density": "onsets per second",
    "silence_share": "share of the excerpt without a note",
    "music_s": "seconds of music in the excerpt",
    "tracks": "tracks playing",
    "envelope_sd_db": "loudness envelope spread (dB)",
}
"""Every cue, with the words the Studio and the report use for it."""


def midi_cues(midi: bytes, start: float, duration: float) -> dict[str, float]:
    """The MIDI cues of the excerpt ``[start, start + duration)`` seconds of a presented piece."""
    piece = load_midi(midi)
    end = start + duration
    notes = [(i, n) for i, inst in enumerate(piece.instruments) if not inst.is_drum for n in inst.notes
             if n.end > start and n.start < end]
    onsets = [n for _, n in notes if n.start >= start]
    pitches = np.array([n.pitch for _, n in notes], dtype=float)
    velocities = np.array([n.velocity for n in onsets], dtype=float)
    sounding = _sounding(notes, start, duration)
    active = sounding[sounding > 0]
    return {
        "tempo_bpm": piece_bpm(piece),
        "velocity_mean": float(velocities.mean()) if len(velocities) else math.nan,
        "velocity_sd": float(velocities.std()) if len(velocities) else math.nan,
        "polyphony": float(active.mean()) if len(active) else 0.0,
        "register_mean": float(pitches.mean()) if len(pitches) else math.nan,
        "register_span": float(np.percentile(pitches, 95) - np.percentile(pitches, 5)) if len(pitches) else 0.0,
        "note_density": len(onsets) / duration,
        "silence_share": float((sounding == 0).mean()),
        "music_s": min(max((n.end for _, n in notes), default=start), end) - start,
        "tracks": float(len({i for i, _ in notes})),
    }


def _sounding(notes: list, start: float, duration: float) -> np.ndarray:
    """How many notes sound in each ``FRAME_S`` frame of the excerpt."""
    frames = max(1, round(duration / FRAME_S))
    counts = np.zeros(frames + 1, dtype=int)
    for _, note in notes:
        first = max(0, int((note.start - start) / FRAME_S))
        last = min(frames, math.ceil((note.end - start) / FRAME_S))
        if last > first:
            counts[first] += 1
            counts[last] -= 1
    return np.cumsum(counts)[:frames]


def envelope_spread(audio: bytes) -> float:
    """Standard deviation (dB) of the excerpt's RMS level in ``ENVELOPE_FRAME_S`` frames above -60 dBFS."""
    with sf.SoundFile(io.BytesIO(audio)) as handle:
        samples = handle.read(dtype="float64", always_2d=True).mean(axis=1)
        rate = handle.samplerate
    size = int(rate * ENVELOPE_FRAME_S)
    frames = samples[: len(samples) // size * size].reshape(-1, size) if size else np.zeros((0, 1))
    levels = 10 * np.log10(np.maximum((frames**2).mean(axis=1), 1e-12))
    loud = levels[levels > -60.0]
    return float(loud.std()) if len(loud) > 1 else math.nan


def clip_cues(midi: bytes | None, audio: bytes, start: float, duration: float) -> dict[str, float | None]:
    """Every cue of one clip, JSON-ready (NaN as None); clips without MIDI have only the audio cue."""
    values: dict[str, float] = dict.fromkeys(CUES, math.nan)
    if midi is not None:
        values.update(midi_cues(midi, start, duration))
    values["envelope_sd_db"] = envelope_spread(audio)
    return {k: None if v is None or math.isnan(v) else round(float(v), 4) for k, v in values.items()}


@dataclass(frozen=True)
class CueClassifier:
    """How well the surface predicts the source: cross-validated accuracy beside chance, and the telling cue."""

    accuracy: float
    chance: float
    folds: int
    top_cue: str | None
    top_cue_accuracy: float
    cues_used: tuple[str, ...]

    @property
    def gives_away(self) -> bool:
        """True when the cues together, or the most telling cue alone, beat chance by more than ``MARGIN``.

        With a few clips per source the all-cue model can do worse than its best cue (noise cues dilute it), so a
        single cue that names the sources is flagged on its own: that is the cue a listener would use.
        """
        return max(self.accuracy, self.top_cue_accuracy) > self.chance + MARGIN

    def sentence(self) -> str:
        """The verdict in one sentence, for the Studio, the CLI and the report: it leads with what decides it, so
        the number that blocks publishing is never read as the one that passes."""
        cue = CUES.get(self.top_cue or "", self.top_cue or "no single cue")
        together = f"all cues together {self.accuracy:.0%}"
        how = f"chance {self.chance:.0%}, {self.folds}-fold cross-validation"
        if not self.gives_away:
            return (f"No surface cue gives the sources away: a classifier names the source of at most "
                    f"{max(self.accuracy, self.top_cue_accuracy):.0%} of clips from them ({how}).")
        if self.top_cue_accuracy >= self.accuracy:
            return (f"The surface gives the sources away: {cue} alone names the source of {self.top_cue_accuracy:.0%} "
                    f"of clips ({how}; {together}).")
        return (f"The surface gives the sources away: the cues together name the source of {self.accuracy:.0%} of "
                f"clips ({how}; the most telling, {cue}, {self.top_cue_accuracy:.0%} alone).")


def classify_sources(cues: pd.DataFrame, sources: pd.Series) -> CueClassifier | None:
    """Cross-validated source prediction from the cue columns; None with fewer than 2 clips per source."""
    counts = sources.value_counts()
    if len(counts) < 2 or counts.min() < 2:
        return None
    usable = [c for c in cues.columns if cues[c].notna().any() and cues[c].nunique(dropna=True) > 1]
    if not usable:
        return CueClassifier(counts.max() / counts.sum(), float(counts.max() / counts.sum()), 0, None, 0.0, ())
    filled = cues[usable].fillna(cues[usable].median())
    folds = int(min(5, counts.min()))
    overall = _cv_accuracy(filled.to_numpy(float), sources.to_numpy(), folds)
    single = {c: _cv_accuracy(filled[[c]].to_numpy(float), sources.to_numpy(), folds) for c in usable}
    top = max(single, key=lambda c: single[c])
    return CueClassifier(overall, float(counts.max() / counts.sum()), folds, top, single[top], tuple(usable))


def _cv_accuracy(features: np.ndarray, labels: np.ndarray, folds: int) -> float:
    """Mean accuracy of standardised multinomial logistic regression over stratified folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cross_val_score(model, features, labels, cv=splits, scoring="accuracy").mean())


def source_cue_table(cues: pd.DataFrame, sources: pd.Series) -> pd.DataFrame:
    """Mean of each cue per source (rows: sources; columns: the cues' words), for the Studio and the report."""
    table = cues.groupby(sources.to_numpy()).mean(numeric_only=True)
    return table.rename(columns=CUES).round(2)


@dataclass(frozen=True)
class SurfaceAudit:
    """The cue audit of a study: one row of cues per clip (index: clip key, column ``source``), and the verdict."""

    clips: pd.DataFrame
    classifier: CueClassifier | None

    @property
    def gives_away(self) -> bool:
        """True when the surface cues alone name the sources well above chance."""
        return self.classifier is not None and self.classifier.gives_away

    def per_source(self) -> pd.DataFrame:
        """Mean of each cue per source (:func:`source_cue_table`)."""
        return source_cue_table(self.clips[list(CUES)], self.clips["source"])

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form stored with the study's audit."""
        verdict = None if self.classifier is None else {
            **{k: v for k, v in vars(self.classifier).items() if k != "cues_used"},
            "cues_used": list(self.classifier.cues_used), "sentence": self.classifier.sentence()}
        rows = self.clips.reset_index().astype(object)
        return {"classifier": verdict, "clips": rows.where(rows.notna(), None).to_dict("records")}


def surface_audit(stored: dict[str, tuple[str, dict[str, float | None]]]) -> SurfaceAudit:
    """The audit of clips' stored cues: ``{clip key: (source key, settings["cues"])}``."""
    rows = {key: {"source": source, **{c: math.nan if cues.get(c) is None else cues[c] for c in CUES}}
            for key, (source, cues) in stored.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["source", *CUES])
    frame.index.name = "clip"
    frame[list(CUES)] = frame[list(CUES)].astype(float)
    return SurfaceAudit(frame, classify_sources(frame[list(CUES)], frame["source"]) if len(frame) else None)
