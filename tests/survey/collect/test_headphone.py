"""The antiphase headphone test (Woods et al. 2017), generated in code."""

from __future__ import annotations

import io

import numpy as np
import soundfile as sf

from survey.collect.headphone import PASS_AT, SAMPLE_RATE, HeadphoneTrial, score, trial_audio, trials_for


def segment(audio: np.ndarray, interval: int) -> np.ndarray:
    start = int((interval - 1) * 1.5 * SAMPLE_RATE)
    return audio[start : start + SAMPLE_RATE]


def test_one_tone_is_6_db_quieter_and_another_is_in_antiphase() -> None:
    audio = trial_audio(quiet=2, antiphase=3)
    assert audio.shape == (int(4.0 * SAMPLE_RATE), 2)
    rms = [float(np.sqrt(np.mean(segment(audio, i)[:, 0] ** 2))) for i in (1, 2, 3)]
    assert abs(20 * np.log10(rms[1] / rms[0]) + 6.0) < 1e-6
    assert abs(rms[2] - rms[0]) < 1e-9
    left_right_sum = segment(audio, 3).sum(axis=1)
    assert np.max(np.abs(left_right_sum)) < 1e-6  # antiphase: the channels cancel when summed
    assert np.allclose(segment(audio, 1)[:, 0], segment(audio, 1)[:, 1])


def test_trials_are_fixed_by_the_token_so_a_resumed_session_sees_the_same_ones() -> None:
    assert trials_for("abc") == trials_for("abc")
    assert trials_for("abc") != trials_for("xyz")
    assert all(t.quiet != t.antiphase for t in trials_for("abc"))


def test_a_trial_is_a_16_bit_stereo_wav() -> None:
    info = sf.info(io.BytesIO(HeadphoneTrial(1, 2).wav()))
    assert (info.samplerate, info.channels, info.subtype) == (SAMPLE_RATE, 2, "PCM_16")


def test_five_of_six_pass_and_choosing_the_antiphase_tone_fails() -> None:
    trials = trials_for("token")
    right = [t.quiet for t in trials]
    assert score(trials, right) == (6, True)
    assert score(trials, [*right[:PASS_AT], trials[-1].antiphase]) == (5, True)
    assert score(trials, [t.antiphase for t in trials]) == (0, False)


def test_trials_with_the_same_answer_are_different_files_that_sound_the_same() -> None:
    trial = HeadphoneTrial(quiet=2, antiphase=3)
    first, second = trial.wav(nonce="token:0"), trial.wav(nonce="token:4")
    assert first != second, "matching files must not reveal matching answers"
    assert trial.wav(nonce="token:0") == first, "a resumed participant gets the same file"
    a, _ = sf.read(io.BytesIO(first))
    b, _ = sf.read(io.BytesIO(trial.wav()))
    assert np.max(np.abs(a - b)) < 10 ** (-80 / 20), "the dither stays below -80 dBFS"
