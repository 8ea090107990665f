"""The antiphase headphone screening test of Woods et al. (2017), generated in code.

Each trial plays three 200 Hz tones; one is 6 dB quieter (the answer), and another is played in
antiphase between the left and right channels.  Over headphones the antiphase tone sounds as
loud as the in-phase one; over loudspeakers the two channels partly cancel in the air, so the
antiphase tone seems quietest and the listener picks it instead.  Six trials, pass at five or
more correct, as in the paper.

Reference: Woods, K. J. P., Siegel, M. H., Traer, J., & McDermott, J. H. (2017). Headphone
screening to facilitate web-based auditory experiments. *Attention, Perception, &
Psychophysics*, 79(7), 2064-2072.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass

import numpy as np
import soundfile as sf

SAMPLE_RATE = 44_100  # Hz
TONE_HZ = 200.0
TONE_S = 1.0
RAMP_S = 0.1
GAP_S = 0.5
QUIET_DB = -6.0
LEVEL_DBFS = -12.0
N_TRIALS = 6
PASS_AT = 5
DITHER = 2.0 / 32768  # two 16-bit steps, about -84 dBFS peak and -89 dBFS RMS: inaudible under the -12 dBFS tones


@dataclass(frozen=True)
class HeadphoneTrial:
    """One trial: which of the three tones (1-3) is quietest, and which is in antiphase."""

    quiet: int
    antiphase: int

    def audio(self) -> np.ndarray:
        """The stereo stimulus, shape (samples, 2), float32 in [-1, 1]."""
        return trial_audio(self.quiet, self.antiphase)

    def wav(self, nonce: str = "") -> bytes:
        """The stimulus as a 16-bit WAV file; a ``nonce`` adds dither of its own (below -90 dBFS).

        Two trials with the same answer would otherwise be the same file, so a participant could match files
        (or their URLs) instead of listening; with a nonce per participant and trial every file differs.
        """
        samples = self.audio()
        if nonce:
            rng = np.random.default_rng(int.from_bytes(hashlib.sha256(nonce.encode()).digest()[:8], "big"))
            samples = samples + rng.uniform(-DITHER, DITHER, samples.shape).astype(np.float32)
        buffer = io.BytesIO()
        sf.write(buffer, samples, SAMPLE_RATE, format="WAV", subtype="PCM_16")
        return buffer.getvalue()


def trials_for(token: str, n: int = N_TRIALS) -> list[HeadphoneTrial]:
    """The participant's trials, derived from their token so a resumed session sees the same ones."""
    rng = random.Random(hashlib.sha256(f"headphone:{token}".encode()).digest())
    trials = []
    for _ in range(n):
        quiet, antiphase = rng.sample((1, 2, 3), 2)
        trials.append(HeadphoneTrial(quiet=quiet, antiphase=antiphase))
    return trials


def trial_audio(quiet: int, antiphase: int) -> np.ndarray:
    """Three tones with 100 ms raised-cosine ramps separated by 500 ms of silence."""
    n = int(TONE_S * SAMPLE_RATE)
    t = np.arange(n) / SAMPLE_RATE
    tone = np.sin(2 * np.pi * TONE_HZ * t)
    ramp = int(RAMP_S * SAMPLE_RATE)
    envelope = np.ones(n)
    envelope[:ramp] = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)
    envelope[-ramp:] = envelope[:ramp][::-1]
    tone = tone * envelope * 10 ** (LEVEL_DBFS / 20)
    gap = np.zeros((int(GAP_S * SAMPLE_RATE), 2))
    parts = []
    for interval in (1, 2, 3):
        gain = 10 ** (QUIET_DB / 20) if interval == quiet else 1.0
        sign = -1.0 if interval == antiphase else 1.0
        parts.append(np.column_stack([tone * gain, sign * tone * gain]))
        if interval < 3:
            parts.append(gap)
    return np.concatenate(parts).astype(np.float32)


def score(trials: list[HeadphoneTrial], responses: list[int]) -> tuple[int, bool]:
    """Number of correct answers and whether the participant passed (at least ``PASS_AT``)."""
    correct = sum(trial.quiet == response for trial, response in zip(trials, responses, strict=True))
    return correct, correct >= PASS_AT
