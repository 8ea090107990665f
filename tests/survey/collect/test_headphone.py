"""The Huggins-pitch headphone test (Milne et al. 2021): heard only dichotically, given away by no level."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from survey.collect.headphone import (
    CENTRE_HZ,
    GAP_S,
    LEVEL_DBFS,
    NOISE_S,
    PASS_AT,
    SAMPLE_RATE,
    HeadphoneTrial,
    score,
    trials_for,
)


def bursts(audio: np.ndarray) -> list[np.ndarray]:
    step = int((NOISE_S + GAP_S) * SAMPLE_RATE)
    return [audio[i * step : i * step + int(NOISE_S * SAMPLE_RATE)] for i in range(3)]


def rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2))))


def test_no_burst_and_no_channel_of_any_trial_file_differs_in_level() -> None:
    for i, trial in enumerate(trials_for("a participant")):
        audio, rate = sf.read(io.BytesIO(trial.wav(nonce=f"tok:{i}")), dtype="float64", always_2d=True)
        assert rate == SAMPLE_RATE and audio.shape[1] == 2
        levels = [rms_db(burst[:, channel]) for burst in bursts(audio) for channel in (0, 1)]
        assert max(levels) - min(levels) < 0.01, f"a level cue in trial {i}: {levels}"
        assert abs(levels[0] - LEVEL_DBFS) < 0.05


def test_the_target_differs_between_the_ears_only_in_the_band_around_600_hz() -> None:
    audio = HeadphoneTrial(target=2).audio(seed=3)
    plain, tone, other = bursts(audio)
    assert np.array_equal(plain[:, 0], plain[:, 1]) and np.array_equal(other[:, 0], other[:, 1]), "diotic"
    left, right = (np.fft.rfft(tone[:, c]) for c in (0, 1))
    frequencies = np.fft.rfftfreq(len(tone), 1 / SAMPLE_RATE)
    band = np.abs(frequencies - CENTRE_HZ) <= 0.05 * CENTRE_HZ
    far = np.abs(frequencies - CENTRE_HZ) >= 0.2 * CENTRE_HZ
    opposite = np.real(left[band] * np.conj(right[band])) < 0
    assert opposite.mean() > 0.95, "the band is in antiphase between the ears"
    same = np.real(left[far] * np.conj(right[far])) > 0
    assert same.mean() > 0.99, "outside the band the ears hear the same noise"


def test_trials_are_fixed_by_the_token_so_a_resumed_session_sees_the_same_ones() -> None:
    assert trials_for("abc") == trials_for("abc")
    assert {t.target for p in range(30) for t in trials_for(f"p{p}")} == {1, 2, 3}


def test_a_trial_is_a_16_bit_stereo_wav_and_the_same_nonce_is_the_same_file() -> None:
    trial = HeadphoneTrial(1)
    info = sf.info(io.BytesIO(trial.wav("t:0")))
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 2, "PCM_16")
    assert trial.wav("t:0") == trial.wav("t:0") != trial.wav("t:4"), "matching files must not reveal answers"


def test_five_of_six_pass() -> None:
    trials = trials_for("token")
    right = [t.target for t in trials]
    assert score(trials, right) == (6, True)
    assert score(trials, [*right[:PASS_AT], trials[-1].target % 3 + 1]) == (5, True)
    assert score(trials, [t.target % 3 + 1 for t in trials]) == (0, False)
