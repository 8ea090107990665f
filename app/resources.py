"""Cached resources shared by the pages: models, the study database and where files live, set up once per process."""

from __future__ import annotations

import gc
import os
from functools import partial
from pathlib import Path

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from app.places import ROOT, data_dir
from model.generation.artefact import ModelBundle, list_models
from model.models import open_model
from model.music.pop909 import DatasetNotFoundError, find_dir, list_songs
from model.presets import DEFAULT
from survey.clips.prepare import Render
from survey.clips.render import make_clip_audio
from survey.store.db import open_database
from survey.store.engine import default_url

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


def opening_model(models: dict[str, str]) -> int:
    """Where a Model box opens (``models`` as :func:`available_models` gives them): on the lab's own ``default``,
    shipped first, so a musician's first piece comes from the model the lab stands behind, not the first name in the
    alphabet; without one, on the first model."""
    folders = [Path(folder).name for folder in models.values()]
    return folders.index(DEFAULT.name) if DEFAULT.name in folders else 0


@st.cache_resource(show_spinner="Loading the model…")
def load_model(path: str) -> ModelBundle:
    """A bundle with its NumPy step model ready, kept for the life of the server."""
    bundle = open_model(path)
    settle_heap()
    return bundle


def settle_heap() -> None:
    """Move every object alive now (Keras, TensorFlow, the models: millions) out of the garbage collector's reach.

    Streamlit collects all generations after every script run, and a Study page waiting for the demo reruns
    every second: with TensorFlow loaded each collection walked the whole heap, holding the GIL, and the demo's
    preparation thread ran at half speed (first start to the Study page's consent 120 s, 73-90 s frozen; the clips
    alone take 59 s outside the server). Frozen objects are still freed when no reference is left, but a cycle
    among them is never collected: so this runs after a load, when what exists is meant to last, and collects first.
    """
    gc.collect()
    gc.freeze()


def clip_store() -> Path:
    """Study audio files, named by content hash."""
    return data_dir() / "clips"


def uploads_dir() -> Path:
    """MIDI and audio files uploaded in the Studio, named by content hash."""
    return data_dir() / "uploads"


def database() -> sessionmaker[Session]:
    """The study database: ``DATABASE_URL``, else SQLite in the data folder."""
    return open_database_once(default_url(data_dir()))


@st.cache_resource(show_spinner=False)
def open_database_once(url: str) -> sessionmaker[Session]:
    """One engine per URL for the life of the server, migrated when first opened."""
    return open_database(url)


def clip_renderer() -> Render:
    """``survey.clips.prepare``'s render callable, wired to this app's models, uploads and cached model loading."""
    return partial(make_clip_audio, roots=model_roots(), uploads=uploads_dir(), load=load_model)


@st.cache_data(show_spinner=False)
def pop909_songs() -> list[str]:
    """POP909 song ids, or an empty list when the dataset is not available."""
    try:
        return [s.song_id for s in list_songs(find_dir())]
    except DatasetNotFoundError:
        return []
