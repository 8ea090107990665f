"""A trained model folder: self-contained, so generation reads nothing else.

Layout::

    MODEL_DIR/
      preset.json          the full preset (data, network, training settings)
      vocab.json           event names in id order
      model.weights.h5     Keras weights (backend-agnostic)
      card.json            training card: data, epochs, losses, accuracy, time, hardware
      card.md              the same card for people
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.encoding.vocabulary import Vocabulary
from model.generation.step import StepModel
from model.presets import Preset

WEIGHTS = "model.weights.h5"


class ModelFolderError(FileNotFoundError):
    """A folder that is not a complete model folder; the message names what is missing."""


@dataclass
class ModelBundle:
    """Everything needed to generate from a trained model. ``step`` is its NumPy step model once read or converted
    (:func:`model.models.open_model`); the Keras network is training's business (:mod:`model.training.folder`)."""

    path: Path
    preset: Preset
    vocab: Vocabulary
    card: dict[str, Any] = field(default_factory=dict)
    step: StepModel | None = None

    @property
    def name(self) -> str:
        return str(self.card.get("name") or self.path.name)

    @property
    def weights(self) -> Path:
        return self.path / WEIGHTS


def load_bundle(path: str | Path) -> ModelBundle:
    folder = Path(path)
    missing = [n for n in ("preset.json", "vocab.json", WEIGHTS) if not (folder / n).is_file()]
    if missing:
        raise ModelFolderError(f"{folder} is not a model folder: missing {', '.join(missing)}.")
    card_path = folder / "card.json"
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    preset = Preset.from_dict(json.loads((folder / "preset.json").read_text()))
    return ModelBundle(folder, preset, Vocabulary.load(folder / "vocab.json"), card)


def write_card(folder: Path, card: dict[str, Any]) -> None:
    """The card as JSON (``card.json``) and for people (``card.md``), always the two together."""
    (folder / "card.json").write_text(json.dumps(card, indent=2))
    (folder / "card.md").write_text(card_markdown(card))


def note_in_card(folder: Path, key: str, entry: dict[str, Any]) -> None:
    """Add (or replace) one entry of a folder's card: what was counted into the folder after training (the interval
    model, the rhythm counts)."""
    path = folder / "card.json"
    card = json.loads(path.read_text()) if path.is_file() else {}
    card[key] = entry
    write_card(folder, card)


def card_markdown(card: dict[str, Any]) -> str:
    """A short human-readable card; every key of the JSON card appears."""
    lines = [f"# Model card: {card.get('name', 'model')}", ""]
    for key, value in card.items():
        if key != "name" and not isinstance(value, list | dict):
            lines.append(f"- **{key.replace('_', ' ')}**: {value}")
    history = card.get("history", {})
    if history:
        lines += ["", "| epoch | " + " | ".join(history) + " |", "|---" * (len(history) + 1) + "|"]
        for i in range(len(next(iter(history.values())))):
            lines.append(f"| {i + 1} | " + " | ".join(f"{history[k][i]:.4f}" for k in history) + " |")
    return "\n".join(lines) + "\n"


def list_models(root: Path) -> list[ModelBundle]:
    """Every model folder directly under ``root`` (broken ones are left out)."""
    bundles = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        try:
            bundles.append(load_bundle(folder))
        except (ModelFolderError, ValueError, KeyError):
            continue
    return bundles
