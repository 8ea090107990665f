"""Loudness helpers: BS.1770 measurement, the peak limiter's ceiling, normalisation."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm

from audio.loudness import integrated_loudness, limit_peaks, normalise, peak_dbfs

RATE = 44100


def tone(seconds: float = 3.0, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    mono = (amplitude * np.sin(2 * np.pi * 997 * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def test_loudness_matches_pyloudnorm_directly():
    samples = tone()
    expected = pyloudnorm.Meter(RATE).integrated_loudness(samples.astype(np.float64))  # BS.1770 reference
    assert integrated_loudness(samples, RATE) == expected


def test_too_short_audio_has_no_loudness_and_silence_no_peak():
    assert math.isnan(integrated_loudness(tone(0.2), RATE))
    assert peak_dbfs(np.zeros((10, 2))) == -math.inf
    assert abs(peak_dbfs(tone(amplitude=0.5)) - 20 * math.log10(0.5)) < 0.01


def test_limiter_holds_the_ceiling_on_spikes_and_leaves_quiet_audio_alone():
    samples = tone(amplitude=0.1)
    spiky = samples.copy()
    spiky[RATE::RATE // 4] = 0.99
    assert peak_dbfs(limit_peaks(spiky, RATE, -6.0)) <= -6.0
    assert np.array_equal(limit_peaks(samples, RATE, -6.0), samples)


def test_normalise_hits_the_target_under_the_ceiling():
    spiky = tone(amplitude=0.05)
    spiky[::2000] = 0.9  # crest factor far above what -12 LUFS under -1 dBFS allows without limiting
    result = normalise(spiky, RATE, -12.0, -1.0)
    assert abs(integrated_loudness(result, RATE) - (-12.0)) <= 0.5
    assert peak_dbfs(result) <= -1.0
