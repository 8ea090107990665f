"""Encoding clips for the browser (MP3) and for download (WAV), with nothing in the bytes but audio.

Why MP3: every current browser plays it (Opus in Ogg is not played by older Safari), and libsndfile, which
soundfile already bundles, writes it, so no system encoder is needed. It is written at a constant bit rate,
so equal-length clips have equal byte sizes, and without ID3 tags; the only text in the file is the LAME
encoder tag, the same for every clip. WAV is written by the standard library's `wave` module: a bare
44-byte header, no INFO chunk. Both encoders are deterministic, and a clip is named by the SHA-256 of its
bytes, so a name says nothing about where the clip came from.
"""

from __future__ import annotations

import hashlib
import io
import wave
from dataclasses import dataclass
from typing import Literal

import numpy as np
import soundfile

Format = Literal["mp3", "wav"]

MIME_TYPES: dict[str, str] = {"mp3": "audio/mpeg", "wav": "audio/wav"}

MP3_COMPRESSION = 0.3
"""libsndfile compression level for MP3 (0 = 320 kbit/s, 1 = smallest); 0.3 gives about 224 kbit/s."""


@dataclass(frozen=True)
class EncodedClip:
    """An encoded clip ready to serve.

    Attributes
    ----------
    data : bytes
        The file's bytes.
    mime_type : str
        For the HTTP Content-Type or ``st.audio(format=...)``.
    file_name : str
        ``<sha256 of data>.<ext>``: a content hash, so it reveals nothing about the source.
    """

    data: bytes
    mime_type: str
    file_name: str


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] to int16, rounded (no dither, so encoding is deterministic)."""
    return np.round(np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of float `samples` (shape (n, channels)), header only, no metadata."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(samples.shape[1] if samples.ndim == 2 else 1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(to_pcm16(samples).tobytes())
    return buffer.getvalue()


def encode_mp3(samples: np.ndarray, sample_rate: int) -> bytes:
    """Constant-bit-rate MPEG-1 Layer III bytes of float `samples` (shape (n, channels)), no ID3 tags.

    Float input on purpose: libsndfile 1.2 scales 16-bit input to MP3 wrongly (about +7 dB, clipping).
    """
    buffer = io.BytesIO()
    clipped = np.clip(samples, -1.0, 1.0).astype(np.float32)
    soundfile.write(
        buffer, clipped, sample_rate, format="MP3", subtype="MPEG_LAYER_III",
        compression_level=MP3_COMPRESSION, bitrate_mode="CONSTANT",
    )
    return buffer.getvalue()


def encode_clip(samples: np.ndarray, sample_rate: int, fmt: Format = "mp3") -> EncodedClip:
    """Encode `samples` as `fmt` ("mp3" for the browser player, "wav" for download), named by content hash."""
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {sorted(MIME_TYPES)}, got {fmt!r}.")
    data = encode_mp3(samples, sample_rate) if fmt == "mp3" else encode_wav(samples, sample_rate)
    return clip_from_bytes(data, fmt)


def clip_from_bytes(data: bytes, fmt: Format) -> EncodedClip:
    """Wrap already-encoded bytes, naming them by their SHA-256."""
    return EncodedClip(data, MIME_TYPES[fmt], f"{hashlib.sha256(data).hexdigest()}.{fmt}")
