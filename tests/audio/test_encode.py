"""Encoding: browser MP3 and WAV that decode to the same clip and carry nothing but audio."""

from __future__ import annotations

import hashlib
import io
import re

import numpy as np
import pytest
import soundfile

from audio.encode import encode_clip, encode_mp3, encode_wav
from audio.excerpt import make_excerpt
from audio.loudness import integrated_loudness
from tests.audio.conftest import scale_midi


@pytest.fixture(scope="module")
def clips(pop909_dir):
    from audio.settings import ExcerptSettings

    short = ExcerptSettings(seconds=4.0)
    return [make_excerpt(pop909_dir / "001" / "001.mid", settings=short), make_excerpt(scale_midi(), settings=short)]


def test_mp3_decodes_to_the_same_length_rate_and_loudness(clips):
    clip = clips[0]
    decoded, rate = soundfile.read(io.BytesIO(encode_mp3(clip.samples, clip.sample_rate)), dtype="float32")
    assert rate == clip.sample_rate
    assert decoded.shape == clip.samples.shape
    assert abs(integrated_loudness(decoded, rate) - (-16.0)) <= 0.5


def test_wav_is_16_bit_pcm_with_a_bare_header(clips):
    clip = clips[0]
    data = encode_wav(clip.samples, clip.sample_rate)
    assert len(data) == 44 + clip.samples.size * 2
    info = soundfile.info(io.BytesIO(data))
    assert (info.samplerate, info.channels, info.subtype) == (44100, 2, "PCM_16")


def test_files_hold_no_metadata_text(clips):
    clip = clips[0]
    mp3 = encode_mp3(clip.samples, clip.sample_rate)
    assert mp3[:2] == b"\xff\xfb"  # starts with an MPEG frame: no ID3v2 tag
    assert mp3[-128:-125] != b"TAG"  # no ID3v1 tag
    for marker in (b"ID3", b"TIT2", b"TXXX", b"COMM", b"libsndfile", b"FluidR3", b"POP909", b"001", b"midi"):
        assert marker not in mp3
    assert b"LAME3.100" in mp3  # the encoder's own tag and padding: the same text in every clip
    wav = encode_wav(clip.samples, clip.sample_rate)
    assert wav[36:40] == b"data"  # fmt chunk straight to data: no LIST/INFO chunk
    assert not re.search(rb"LIST|INFO|ISFT", wav[:44])


def test_different_clips_have_the_same_byte_size(clips):
    sizes = {len(encode_clip(c.samples, c.sample_rate, "mp3").data) for c in clips}
    assert len(sizes) == 1


def test_names_are_content_hashes_and_encoding_is_deterministic(clips):
    clip = clips[1]
    first, second = (encode_clip(clip.samples, clip.sample_rate, "mp3") for _ in range(2))
    assert first == second
    assert first.file_name == hashlib.sha256(first.data).hexdigest() + ".mp3"
    assert first.mime_type == "audio/mpeg"
    assert encode_clip(clip.samples, clip.sample_rate, "wav").mime_type == "audio/wav"


def test_unknown_format_is_refused(clips):
    with pytest.raises(ValueError, match="fmt must be one of"):
        encode_clip(clips[1].samples, 44100, "flac")  # type: ignore[arg-type]


def test_wav_round_trip_is_within_16_bit_rounding(clips):
    clip = clips[1]
    decoded, _ = soundfile.read(io.BytesIO(encode_wav(clip.samples, clip.sample_rate)), dtype="float32")
    assert np.max(np.abs(decoded - clip.samples)) <= 1.0 / 32767
