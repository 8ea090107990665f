"""The Huggins-pitch headphone screening test of Milne et al. (2021), generated in code.

Each trial plays three one-second bursts of white noise. In two the same noise reaches both ears; in the third
(the answer) the right ear's noise has a narrow band around 600 Hz (plus or minus 6%) turned by 180 degrees. Over
headphones the ears combine the two into a faint tone in the noise (Huggins pitch); over loudspeakers the channels
mix in the air and no tone is heard. Either ear's noise alone carries no tone, and every burst of every file, on
each channel, has the same level: unlike a level test (Woods et al. 2017, whose answer is the quieter tone) nothing
a script can measure in one channel gives the answer away. Six trials, pass at five or more correct, as in the paper.

Reference: Milne, A. E., Bianco, R., Poole, K. C., Zhao, S., Oxenham, A. J., Billig, A. J., & Chait, M. (2021).
An online headphone screening test based on dichotic pitch. *Behavior Research Methods*, 53, 1551-1562.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

import numpy as np
import soundfile as sf

SAMPLE_RATE = 44_100  # Hz
CENTRE_HZ = 600.0
BAND = 0.06
"""Half-width of the phase-inverted band, as a share of the centre frequency."""
NOISE_S = 1.0
RAMP_S = 0.02
GAP_S = 0.5
LEVEL_DBFS = -20.0
"""RMS of every burst on every channel (white noise peaks about 12 dB above its RMS)."""
N_TRIALS = 6
PASS_AT = 5
INTERVALS = (1, 2, 3)


@dataclass(frozen=True)
class HeadphoneTrial:
    """One trial: which of the three noises (1-3) holds the tone."""

    target: int

    def audio(self, seed: int = 0) -> np.ndarray:
        """The stereo stimulus, shape (samples, 2), float32; ``seed`` draws its noise."""
        return trial_audio(self.target, np.random.default_rng(seed))

    def wav(self, nonce: str = "") -> bytes:
        """The stimulus as a 16-bit WAV file, its noise drawn from ``nonce`` (one per participant and trial), so two
        trials with the same answer are different files and a resumed participant hears the same one again."""
        seed = int.from_bytes(hashlib.sha256(f"huggins:{nonce}".encode()).digest()[:8], "big")
        buffer = io.BytesIO()
        sf.write(buffer, self.audio(seed), SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return buffer.getvalue()


def trials_for(token: str, n: int = N_TRIALS) -> list[HeadphoneTrial]:
    """The participant's trials, derived from their token so a resumed session sees the same ones."""
    rng = random.Random(hashlib.sha256(f"headphone:{token}".encode()).digest())
    return [HeadphoneTrial(target=rng.choice(INTERVALS)) for _ in range(n)]


def trial_audio(target: int, rng: np.random.Generator) -> np.ndarray:
    """Three noise bursts with 20 ms raised-cosine ramps separated by 500 ms of silence; ``target`` holds the tone."""
    gap = np.zeros((int(GAP_S * SAMPLE_RATE), 2))
    parts = []
    for interval in INTERVALS:
        parts.append(burst(rng, huggins=interval == target))
        if interval < INTERVALS[-1]:
            parts.append(gap)
    return np.concatenate(parts).astype(np.float32)


def burst(rng: np.random.Generator, huggins: bool) -> np.ndarray:
    """One second of Gaussian noise, the same to both ears, or with the band around 600 Hz inverted on the right.

    Inverting a band keeps every frequency's magnitude, so the right channel has the left's spectrum and level;
    each channel is then set to exactly ``LEVEL_DBFS`` RMS after its ramps."""
    n = int(NOISE_S * SAMPLE_RATE)
    left = rng.standard_normal(n)
    right = left
    if huggins:
        spectrum = np.fft.rfft(left)
        frequencies = np.fft.rfftfreq(n, 1 / SAMPLE_RATE)
        spectrum[np.abs(frequencies - CENTRE_HZ) <= BAND * CENTRE_HZ] *= -1
        right = np.fft.irfft(spectrum, n)
    ramp = int(RAMP_S * SAMPLE_RATE)
    envelope = np.ones(n)
    envelope[:ramp] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    envelope[-ramp:] = envelope[:ramp][::-1]
    target_rms = 10 ** (LEVEL_DBFS / 20)
    channels = [channel * envelope for channel in (left, right)]
    return np.column_stack([c * target_rms / np.sqrt(np.mean(c**2)) for c in channels])


def score(trials: list[HeadphoneTrial], responses: list[int]) -> tuple[int, bool]:
    """Number of correct answers and whether the participant passed (at least ``PASS_AT``)."""
    correct = sum(trial.target == response for trial, response in zip(trials, responses, strict=True))
    return correct, correct >= PASS_AT
