"""Uploaded audio (e.g. Magenta renders) becomes a clip like any other; bad files get one clear sentence."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile

from audio import AudioFileError, ExcerptSettings, MidiError, integrated_loudness
from audio.midi import load_midi
from audio.upload import audio_excerpt


def tone(seconds: float, rate: int) -> bytes:
    t = np.arange(round(seconds * rate)) / rate
    buffer = io.BytesIO()
    soundfile.write(buffer, 0.1 * np.sin(2 * np.pi * 440 * t), rate, format="WAV")
    return buffer.getvalue()


def test_an_uploaded_file_gets_the_study_length_rate_and_loudness() -> None:
    settings = ExcerptSettings(seconds=2.0)
    excerpt = audio_excerpt(tone(5.0, 22050), settings)
    assert excerpt.samples.shape == (88200, 2) and excerpt.sample_rate == 44100
    assert integrated_loudness(excerpt.samples, 44100) == pytest.approx(-16.0, abs=0.5)


@pytest.mark.parametrize("data", [b"", b"not audio at all", b"RIFF\x00\x00\x00\x00WAVE"])
def test_corrupt_or_empty_audio_is_refused_with_a_sentence(data: bytes) -> None:
    with pytest.raises(AudioFileError, match=r"not audio|no samples") as caught:
        audio_excerpt(data)
    assert "BytesIO" not in str(caught.value) and " at 0x" not in str(caught.value), "no object reprs"


@pytest.mark.parametrize("data", [b"", b"MThd garbage"])
def test_corrupt_or_empty_midi_uploads_are_refused(data: bytes) -> None:
    with pytest.raises(MidiError):
        load_midi(data)
