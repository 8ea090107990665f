"""Model families: what a representation means for its corpus, its networks, training and generation, decided in
one module per family (:mod:`model.families.base` says what a family decides).

A preset names its family once (``preset.data.representation``) and a variant of its networks
(``preset.network.architecture``); everything else asks :func:`family_of`. Adding a family is one module that
defines a :class:`~model.families.base.Family` and one line in :data:`FAMILIES`.
"""

from __future__ import annotations

from model.families import grid, grid_chords, grid_voices, melody, paper
from model.families.base import Family
from model.presets import Preset

FAMILIES: dict[str, Family] = {
    f.name: f for f in (paper.FAMILY, grid.FAMILY, grid_chords.FAMILY, grid_voices.FAMILY, melody.FAMILY)
}


def family_named(name: str) -> Family:
    """The family called ``name``, or one sentence naming those that exist."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"Unknown model family {name!r}; choose one of: {', '.join(FAMILIES)}.") from None


def family_of(preset: Preset) -> Family:
    """The family of a preset's representation."""
    return family_named(preset.data.representation)
