"""Generation without Keras: a model's step weights, cached once as NumPy, replay the network exactly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from model.generation.artefact import load_bundle
from model.generation.generate import StepModelMissing, step_model
from model.generation.step import StepModel
from model.training.folder import keras_network
from model.training.to_step import step_model_of

ROOT = Path(__file__).resolve().parents[3]

SHIPPED = sorted(p.name for p in (ROOT / "assets" / "models").iterdir() if (p / "preset.json").is_file())


@pytest.mark.parametrize("name", SHIPPED)
def test_the_saved_step_model_gives_the_networks_own_next_token_distributions(name: str, tmp_path: Path) -> None:
    network = keras_network(load_bundle(ROOT / "assets" / "models" / name))
    direct = step_model_of(network)
    direct.save(tmp_path / "step.npz")
    loaded = StepModel.load(tmp_path / "step.npz")
    rng = np.random.default_rng(0)
    embedded = direct.stages[0][0] == "embedding"
    vocab = network.output_shape[-1]
    width = network.input_shape[-1]  # 1 for the seed's scaled ids, note-seq's input vector for MelodyRNN
    for _ in range(12):  # ids for embedding networks, vectors for the others, as generation feeds them
        x = rng.integers(0, vocab, size=(3, 1)) if embedded else rng.random((3, width)).astype(np.float32)
        np.testing.assert_allclose(loaded.step(x), direct.step(x), rtol=1e-6, atol=1e-7)


def test_generation_from_a_cached_model_imports_neither_keras_nor_tensorflow(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys
        from model.generation.generate import generate_midi
        from model.generation.settings import GenerationSettings
        from model.models import open_model
        bundle = open_model({str(ROOT / "assets" / "models" / "grid")!r})  # warm: converts through Keras
        if sys.argv[1] == "cold":
            midi = generate_midi(bundle, GenerationSettings(tokens=200, seed=3))[0]
            assert sum(len(i.notes) for i in midi.instruments) > 0
            print("keras" in sys.modules, "tensorflow" in sys.modules)
    """)
    env = {"LAB_CACHE_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    for stage in ("warm", "cold"):
        result = subprocess.run([sys.executable, "-c", script, stage], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "False"]


def test_generation_asks_for_a_converted_model_instead_of_importing_keras(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    with pytest.raises(StepModelMissing, match="open_model"):
        step_model(load_bundle(ROOT / "assets" / "models" / "grid"))
