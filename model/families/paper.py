"""The seed study's family: one event per onset (a note or a chord as one integer), windows of 100 ids scaled to
[0, 1), one softmax target per window (or every step), RMSprop. ``paper-onehot`` is its input ablation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.encoding.tokens import EventCodec, PaperCodec
from model.families.base import Family, Layout, NetworkKind, SeedNetwork, WindowTarget, cached_codec
from model.presets import NetworkConfig, Preset

VARIANTS = {"paper": SeedNetwork(one_hot=False), "paper-onehot": SeedNetwork(one_hot=True)}


@dataclass(frozen=True)
class PaperFamily(Family):
    def codec(self) -> EventCodec:
        return cached_codec(PaperCodec)

    def network(self, config: NetworkConfig) -> NetworkKind:
        return self._variant(config)

    def step_inputs(self, ids: np.ndarray, vocab_size: int, config: NetworkConfig) -> np.ndarray:
        """The seed reads each id as one number, id / vocabulary size; its one-hot ablation reads ids."""
        if self._variant(config).one_hot:
            return ids.astype(np.int64)
        return (ids / vocab_size).astype(np.float32).reshape(-1, 1)

    def window_target(self, preset: Preset) -> WindowTarget:
        layout: Layout = "every-step" if preset.train.objective == "every-step" else "last"
        return WindowTarget(layout, scaled_input=not self._variant(preset.network).one_hot)

    @staticmethod
    def _variant(config: NetworkConfig) -> SeedNetwork:
        try:
            return VARIANTS[config.architecture]
        except KeyError:
            raise ValueError(f"The paper family trains {' or '.join(VARIANTS)}, not {config.architecture!r}.") \
                from None

    def objective(self, preset: Preset) -> str:
        return preset.train.objective


# The seed's encoding places one event per eighth note and starts from any window (a random event).
FAMILY = PaperFamily("paper", events_per_bar=8, seed_sampling=True)
