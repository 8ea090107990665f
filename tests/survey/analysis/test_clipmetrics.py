"""Clip metrics: measured from each clip's MIDI at preparation, read back per clip, correlated with ratings."""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path

import pandas as pd
import pretty_midi
import pytest
from scipy import stats
from sqlalchemy.orm import Session, sessionmaker

from survey.analysis.clipmetrics import clip_metrics_frame, metric_rating_table, source_metric_means
from survey.analysis.export import answers_frame
from survey.clips.metrics import scalar_metrics
from survey.clips.prepare import RenderedClip, prepare_clips
from survey.collect.answers import AnswerIn
from survey.design.audit import AuditReport
from survey.design.study import ClipToRender, get_study, import_study, publish_study
from survey.design.studyfile import StudyDefinition
from tests.survey.conftest import GOOD, complete_participant
from tests.survey.design.test_audit import wav

AUDIO_ONLY = "pretrained"
"""The source whose clips the test renderer makes from audio alone, as for an uploaded Magenta WAV."""


def scale_midi(top: int) -> bytes:
    """Eight quarter notes at 120 BPM climbing from C4 to ``top`` semitones above: pitch range ``top``."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    piano = pretty_midi.Instrument(program=0)
    for i in range(8):
        pitch = 60 + round(i * top / 7)
        piano.notes.append(pretty_midi.Note(velocity=80, pitch=pitch, start=i * 0.5, end=i * 0.5 + 0.45))
    midi.instruments.append(piano)
    buffer = io.BytesIO()
    midi.write(buffer)
    return buffer.getvalue()


def top_of(clip_key: str) -> int:
    """The pitch range the test renderer gives clip ``o3``, ``l2``...: 4 semitones per clip number."""
    return 4 * int(clip_key[1:])


def render(clip: ClipToRender) -> RenderedClip:
    """Audio for every clip; MIDI too, except for the audio-only source."""
    audio = wav(seconds=1.0, freq=220.0 * (1 + int(clip.clip_key[1:])))
    if clip.source_key == AUDIO_ONLY:
        return RenderedClip(audio, "wav")
    return RenderedClip(audio, "wav", scale_midi(top_of(clip.clip_key)))


@pytest.fixture
def prepared(Session: sessionmaker[Session], definition: StudyDefinition, tmp_path: Path) -> str:
    with Session.begin() as session:
        import_study(session, definition)
    assert prepare_clips(Session, definition.slug, render, tmp_path / "clips").complete
    return definition.slug


def test_preparation_stores_each_clips_midi_and_its_metrics(
    Session: sessionmaker[Session], prepared: str, tmp_path: Path
) -> None:
    with Session.begin() as session:
        clips = {c.key: c for c in get_study(session, prepared).clips}
        o2, p1 = clips["o2"], clips["p1"]
        assert o2.midi_sha256 is not None and o2.settings is not None
        stored = (tmp_path / "clips" / f"{o2.midi_sha256}.mid").read_bytes()
        assert stored == scale_midi(8)
        assert o2.settings["metrics"] == scalar_metrics(stored)
        assert o2.settings["metrics"]["pitch_range"] == 8.0
        assert o2.settings["spec"]["midi"] == "pop909:002/002.mid"
        assert p1.midi_sha256 is None and p1.settings is not None and "metrics" not in p1.settings


def test_undefined_metrics_are_stored_as_null() -> None:
    silent = pretty_midi.PrettyMIDI()
    silent.instruments.append(pretty_midi.Instrument(program=0))
    buffer = io.BytesIO()
    silent.write(buffer)
    assert set(scalar_metrics(buffer.getvalue()).values()) == {None}, "a piece without notes measures nothing"


def test_the_metrics_frame_has_one_row_per_measured_clip(Session: sessionmaker[Session], prepared: str) -> None:
    with Session.begin() as session:
        frame = clip_metrics_frame(session, prepared)
    assert sorted(frame.index) == sorted(f"{s}{i}" for s in "olt" for i in range(1, 5))
    assert frame.loc["l3", "source"] == "lstm" and frame.loc["l3", "pitch_range"] == 12.0
    assert frame["pitch_range"].dtype == float
    means = source_metric_means(frame).set_index("source")
    assert means.loc["trained", "clips"] == 4
    assert means.loc["trained", "pitch_range"] == pytest.approx((4 + 8 + 12 + 16) / 4)


def test_the_correlation_table_gives_scipys_spearman_rho() -> None:
    answers = pd.DataFrame({
        "clip": ["a", "a", "b", "b", "c", "d", "e", "e"],
        "rating_enjoyment": [1, 3, 2, 2, 5, 4, 7, 6],
        "rating_emotion": [7, 7, 2, 4, 1, 6, 3, None],
    })
    metrics = pd.DataFrame({"source": list("xxyyz"), "pitch_range": [3.0, 9.0, 4.0, 10.0, 12.0],
                            "polyphony": [1.0, 2.0, 3.0, 4.0, math.nan]}, index=pd.Index(list("abcde"), name="clip"))
    table = metric_rating_table(answers, metrics).set_index(["metric", "criterion"])
    # Per-clip means, written out: enjoyment a 2, b 2, c 5, d 4, e 6.5; emotion a 7, b 3, c 1, d 6, e 3.
    expected = stats.spearmanr([3, 9, 4, 10, 12], [2, 2, 5, 4, 6.5]).statistic  # SciPy, independently
    assert table.loc[("pitch_range", "enjoyment"), "rho"] == pytest.approx(expected)
    assert table.loc[("pitch_range", "enjoyment"), "n"] == 5
    expected = stats.spearmanr([1, 2, 3, 4], [7, 3, 1, 6]).statistic  # clip e has no polyphony
    row = table.loc[("polyphony", "emotion")]
    assert row["rho"] == pytest.approx(expected) and row["n"] == 4
    assert row["ci_low"] < row["rho"] < row["ci_high"]
    assert set(table.index.get_level_values("metric")) == {"pitch_range", "polyphony"}, "only metric columns"


def test_ratings_that_follow_a_metric_correlate_perfectly(Session: sessionmaker[Session], prepared: str) -> None:
    with Session.begin() as session:
        publish_study(session, prepared, AuditReport((), pd.DataFrame()))
        keys = {c.public_id: c.key for c in get_study(session, prepared).clips}

    def answer(clip_id: str) -> AnswerIn:
        enjoyment = int(keys[clip_id][1:]) + 1  # rises with the clip number, hence with the pitch range
        return dataclasses.replace(GOOD, ratings={**GOOD.ratings, "enjoyment": enjoyment})

    for _ in range(2):
        complete_participant(Session, prepared, answer)
    with Session.begin() as session:
        answers, metrics = answers_frame(session, prepared), clip_metrics_frame(session, prepared)
    table = metric_rating_table(answers, metrics).set_index(["metric", "criterion"])
    rated = set(answers["clip"]) & set(metrics.index)
    assert table.loc[("pitch_range", "enjoyment"), "n"] == len(rated) >= 4
    assert table.loc[("pitch_range", "enjoyment"), "rho"] == pytest.approx(1.0)
    assert math.isnan(table.loc[("pitch_range", "complexity"), "rho"]), "every clip rated 3: no correlation"


def test_metrics_describe_the_excerpt_heard_not_the_primer_before_it() -> None:
    from survey.clips.prepare import clip_settings
    from tests.audio.test_window import two_halves

    clip = ClipToRender("g1", "lstm", {"generate": {}, "excerpt": {"start": 0.0, "duration": 9.0}}, None)
    heard = clip_settings(clip, RenderedClip(wav(seconds=1.0), "wav", two_halves(), start=10.5))
    assert scalar_metrics(two_halves())["pitch_range"] == 44.0, "the whole piece: primer E2 to G#5"
    assert heard["metrics"]["pitch_range"] == 4.0, "the excerpt from 10.5 s: 80-84 only"
