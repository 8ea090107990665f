"""How to sample a piece: the settings every generator takes, checked before any model is loaded.

Kept apart from ``model.generation.generate`` so that the command line and the Generate page refuse a bad setting
before a model is opened (the first opening converts its weights through Keras, several seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from model.generation.form import check_form

MAX_TOKENS = 20_000
Sampling = Literal["stateful", "windowed"]
"""``stateful`` carries the LSTM state, one step per token; ``windowed`` re-runs the last window (the
preset's sequence length, 100 for the seed) from a zero state for every new token, as the seed's
``generate_notes`` does: strict replication, about ``sequence_length`` times slower."""


@dataclass(frozen=True)
class GenerationSettings:
    """How to sample; every field is range-checked by :meth:`validate` with the allowed range named."""

    tokens: int = 512
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    seed: int | None = 0
    bpm: float = 90.0
    program: int = 0
    sampling: Sampling = "stateful"
    form: str = ""
    """Phrases that come back (``model.generation.form``): "" or "free", letters such as "AABA", or "chords"."""
    melody_line: bool = True
    """Weigh a voiced model's melody moves by its interval model where its folder has one
    (``model.generation.melody_line``); False hears the network alone."""
    rhythm_line: bool = True
    """Weigh a free piece's positions and durations by the model's rhythm counts (``model.generation.rhythm_line``), and
    a piece's onsets over a given progression by the gaps between them (``model.generation.onset_line``), where its
    folder has the counts; False hears the network alone."""
    float32: bool = False
    """Step through the network's float32 weights as converted from Keras, about twice as slow; by default a step reads
    them, and the attention cache, in 8 bits (``model.generation.int8_model``), whose next-token distributions differ
    by about 1.5e-4 nats."""

    def validate(self) -> None:
        checks = [
            (1 <= self.tokens <= MAX_TOKENS, f"tokens must be between 1 and {MAX_TOKENS}, got {self.tokens}."),
            (0.0 < self.temperature <= 10.0, f"temperature must be in (0, 10], got {self.temperature}."),
            (self.top_k >= 0, f"top_k must be >= 0 (0 disables it), got {self.top_k}."),
            (0.0 < self.top_p <= 1.0, f"top_p must be in (0, 1] (1 disables it), got {self.top_p}."),
            (20.0 <= self.bpm <= 300.0, f"bpm must be between 20 and 300, got {self.bpm}."),
            (0 <= self.program <= 127, f"program must be a General MIDI number 0-127, got {self.program}."),
            (self.sampling in ("stateful", "windowed"), f"sampling must be stateful or windowed, got {self.sampling}."),
            (self.seed is None or self.seed >= 0, f"seed must be a whole number >= 0, got {self.seed}."),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        check_form(self.form)
