"""Cached resources shared by the pages: model folders and their step models, loaded once per process."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from model.artefact import ModelBundle, list_models, load_bundle
from model.generate import step_model

ROOT = Path(__file__).resolve().parents[1]
MODEL_ROOTS = (ROOT / "assets" / "models", ROOT / "runs")


def model_roots() -> list[Path]:
    """Shipped models first, then the user's training runs, then env ``LAB_MODELS_DIR`` if set."""
    extra = os.environ.get("LAB_MODELS_DIR")
    return [*MODEL_ROOTS, *([Path(extra)] if extra else [])]


@st.cache_data(show_spinner=False)
def available_models() -> dict[str, str]:
    """Display name -> folder, for every readable model folder under the model roots."""
    found: dict[str, str] = {}
    for root in model_roots():
        for bundle in list_models(root):
            found[f"{bundle.path.name} ({root.name})"] = str(bundle.path)
    return found


@st.cache_resource(show_spinner="Loading the model…")
def load_model(path: str) -> ModelBundle:
    """A bundle with its Keras weights and NumPy step model built, kept for the life of the server."""
    bundle = load_bundle(path)
    step_model(bundle)
    return bundle
