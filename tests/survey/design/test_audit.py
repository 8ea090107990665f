"""Blindness audit: identical-looking clips pass; each cue that could reveal a source is flagged."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest
import soundfile as sf

from survey.design.audit import AuditClip, audit_clips

RATE = 44_100


def wav(
    *,
    rate: int = RATE,
    channels: int = 2,
    seconds: float = 3.0,
    gain: float = 0.3,
    lead_s: float = 0.0,
    freq: float = 440.0,
    title: str | None = None,
    fmt: str = "WAV",
) -> bytes:
    """A sine clip with 10 ms fades, optional leading silence and metadata."""
    t = np.arange(int(seconds * rate)) / rate
    tone = gain * np.sin(2 * np.pi * freq * t)
    ramp = int(0.01 * rate)
    tone[:ramp] *= np.linspace(0, 1, ramp)
    tone[-ramp:] *= np.linspace(1, 0, ramp)
    tone = np.concatenate([np.zeros(int(lead_s * rate)), tone])[: len(t)]
    buffer = io.BytesIO()
    with sf.SoundFile(buffer, "w", rate, channels, format=fmt, subtype="PCM_16") as handle:
        if title:
            handle.title = title
        handle.write(np.column_stack([tone] * channels))
    return buffer.getvalue()


def clips(changed: dict[str, object] | None = None) -> list[AuditClip]:
    """Two sources x two clips; ``changed`` alters both clips of source B."""
    out = []
    for source in ("A", "B"):
        for i, freq in enumerate((440.0, 523.25)):
            kwargs = dict(changed or {}) if source == "B" else {}
            out.append(AuditClip(f"{source}{i}", source, wav(freq=freq, **kwargs)))  # type: ignore[arg-type]
    return out


def test_clips_that_differ_only_in_their_music_pass() -> None:
    report = audit_clips(clips())
    assert report.passed, report.findings
    assert list(report.measures["sample_rate_hz"].unique()) == [RATE]
    assert report.to_dict()["passed"] is True


@pytest.mark.parametrize(
    ("change", "cue"),
    [
        ({"rate": 48_000}, "sample rate"),
        ({"channels": 1}, "channel count"),
        ({"seconds": 4.0}, "duration"),
        ({"gain": 0.1}, "loudness"),
        ({"lead_s": 0.5}, "leading silence"),
        ({"title": "LSTM sample 3"}, "metadata"),
        ({"fmt": "FLAC"}, "format"),
    ],
)
def test_each_cue_that_could_give_a_source_away_is_flagged(change: dict[str, object], cue: str) -> None:
    report = audit_clips(clips(change))
    assert not report.passed
    assert cue in [f.cue for f in report.findings]


def test_loudness_is_measured_in_lufs_and_peaks_in_dbfs() -> None:
    measures = audit_clips([AuditClip("A0", "A", wav(freq=997.0))]).measures.set_index("clip_key")
    # A full-scale 997 Hz sine reads -3.01 LUFS (ITU-R BS.1770); a 0.3 sine in both channels
    # of a stereo file is louder by 3 dB than mono and 20*log10(0.3) = -10.46 dB below full scale.
    assert measures.loc["A0", "peak_dbfs"] == pytest.approx(20 * np.log10(0.3), abs=0.01)
    assert measures.loc["A0", "loudness_lufs"] == pytest.approx(-3.01 - 10.46 + 3.01, abs=0.1)


def test_a_file_that_is_not_the_registered_audio_is_flagged() -> None:
    clip = clips()[0]
    tampered = [AuditClip(clip.clip_key, clip.source_key, clip.audio, hashlib.sha256(b"other").hexdigest())]
    report = audit_clips(tampered + clips()[1:])
    assert [f.cue for f in report.findings] == ["audio hash"]
