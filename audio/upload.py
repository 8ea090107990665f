"""Survey excerpts from audio made elsewhere (e.g. Magenta's own renders), held to the same rules as MIDI clips.

A study that mixes uploaded audio with rendered MIDI must not let the file format give a source away, so an
uploaded file goes through the same steps as `make_excerpt`: cut at a start time, trim trailing silence,
fade, normalise loudness and peak, pad to the exact length, at the study's sample rate and channel count.
"""

from __future__ import annotations

import io
import math

import numpy as np
import soundfile
from scipy.signal import resample_poly

from audio.errors import AudioFileError
from audio.excerpt import Excerpt, fade, pad, trim_trailing_silence
from audio.loudness import integrated_loudness, normalise, peak_dbfs
from audio.settings import ExcerptSettings

MAX_UPLOAD_SECONDS = 3600.0
"""Longest accepted upload in seconds; longer files are refused before decoding them whole."""


def read_audio(data: bytes) -> tuple[np.ndarray, int]:
    """Decode WAV, FLAC, OGG or MP3 bytes to float32 stereo samples, shape (n, 2), and the rate in Hz.

    Raises
    ------
    AudioFileError
        When the bytes are not audio libsndfile can read, are empty, or last more than an hour.
    """
    try:
        info = soundfile.info(io.BytesIO(data))
        if info.frames > MAX_UPLOAD_SECONDS * info.samplerate:
            raise AudioFileError(f"The audio lasts {info.duration:.0f} s; at most {MAX_UPLOAD_SECONDS:.0f} s.")
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError, ValueError) as error:
        reason = getattr(error, "error_string", None) or str(error).split(": ")[-1]  # not the buffer's repr
        raise AudioFileError(f"The file is not audio this lab can read (WAV, FLAC, OGG or MP3): "
                             f"{reason.rstrip('.')}.") from error
    if len(samples) == 0:
        raise AudioFileError("The audio file holds no samples.")
    stereo = samples[:, :2] if samples.shape[1] >= 2 else np.repeat(samples, 2, axis=1)
    return np.ascontiguousarray(stereo), int(rate)


def audio_excerpt(data: bytes, settings: ExcerptSettings = ExcerptSettings()) -> Excerpt:  # noqa: B008 - frozen
    """The survey excerpt of an audio file: same length, rate, fades and loudness as a rendered clip.

    The start is ``settings.start_seconds`` (0 when None); there is no bar grid to snap to in audio.
    """
    samples, rate = read_audio(data)
    target = settings.render.sample_rate
    if rate != target:
        divisor = math.gcd(rate, target)
        samples = resample_poly(samples, target // divisor, rate // divisor, axis=0).astype(np.float32)
    start = round((settings.start_seconds or 0.0) * target)
    if start >= len(samples):
        raise AudioFileError(f"The audio is shorter than the requested start ({settings.start_seconds} s).")
    samples = samples[start : start + round(settings.seconds * target)]
    samples = trim_trailing_silence(samples, settings.silence_dbfs)
    samples = fade(samples, round(settings.fade_in_seconds * target), round(settings.fade_out_seconds * target))
    samples = normalise(samples, target, settings.lufs, settings.peak_dbfs)
    samples = pad(samples, round(settings.seconds * target))
    return Excerpt(samples, target, start / target, integrated_loudness(samples, target), peak_dbfs(samples))
