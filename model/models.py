"""Opening a model folder ready to generate: the one place generation's path may reach for Keras.

Generation itself is NumPy only (:mod:`model.generation`); it needs the folder's step model, which is converted
from the Keras weights once per machine and cached. ``open_model`` reads the cache and, on a miss only, imports
the converter (and with it Keras/TensorFlow, several seconds and hundreds of MB): the lazy import stays here, in
one function, so every later start, the CLI's and a participant server's, runs without Keras.
"""

from __future__ import annotations

from pathlib import Path

from model.generation.artefact import ModelBundle, load_bundle
from model.generation.generate import StepModelMissing, step_model


def open_model(path: str | Path) -> ModelBundle:
    """The model folder at ``path`` with its step model loaded (converted from Keras the first time)."""
    return ready(load_bundle(path))


def ready(bundle: ModelBundle) -> ModelBundle:
    """``bundle`` with its step model, converting its Keras weights when no cached step model exists."""
    try:
        step_model(bundle)
    except StepModelMissing:
        from model.training.to_step import convert_bundle  # Keras only on a cache miss (see the module's docstring)

        convert_bundle(bundle)
    return bundle
