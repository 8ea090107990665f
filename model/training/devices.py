"""Accelerators: what is visible, and the one place that spreads training over several of them.

This is the only module with backend-specific code (TensorFlow's MirroredStrategy, or
``keras.distribution.DataParallel`` under JAX), so networks and training loops stay pure Keras 3.
"""

from __future__ import annotations

import contextlib
import platform
from collections.abc import Iterator

import keras


def accelerators() -> list[str]:
    """Names of the visible GPUs for the active backend (empty on CPU-only machines)."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_physical_devices("GPU")]
    if backend == "jax":
        import jax

        return [f"{d.device_kind} ({d})" for d in jax.devices() if d.platform == "gpu"]
    return []


def hardware() -> str:
    """A one-line description for the training card."""
    gpus = accelerators()
    where = f"{len(gpus)} GPU(s): {', '.join(gpus)}" if gpus else f"CPU ({platform.processor() or platform.machine()})"
    return f"{where}; backend {keras.backend.backend()}, Keras {keras.__version__}"


@contextlib.contextmanager
def distribution_scope() -> Iterator[None]:
    """Use every visible GPU: build and compile the network inside this context."""
    gpus = accelerators()
    if len(gpus) <= 1:
        yield
        return
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        with tf.distribute.MirroredStrategy().scope():
            yield
        return
    import jax

    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    yield
