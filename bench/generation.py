"""Windowed vs stateful generation on the ``paper`` network, measured side by side in one run.

Windowed: the seed's way, the 100-token window re-run through the Keras network for every new token
(``model.predict_on_batch``, the fastest Keras call for one batch). Stateful: :class:`model.generation.step.StepModel`
carrying the LSTM states, one step per token. Target (issue 2): ``ratio >= 200``.
Then a cold ``python -m model generate`` of 600 tokens from ``default``, as a user runs it: the first run
(which caches the step model's NumPy weights) and a second, fresh process: wall time and peak memory. Target
(issue 14): the second under 2 s and 300 MB.
Then ``default``'s network step, float32 against the int8 twin generation samples from
(:mod:`model.generation.int8_model`), for one piece and four, at a cache three quarters full.
Last, what a musician waits for on the Generate page: 32 bars of ``default`` over a progression, one piece and four
at once (targets, issue 22: one piece <= 3 s on a 2-core machine, four <= 1.6 x one), with the steps each took: four
pieces step as long as the longest, so the ratio per step says what batching costs apart from that draw.
Run: ``python bench/generation.py [--model assets/models/paper] [--tokens 40]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np

from model.generation.artefact import load_bundle
from model.generation.generate import CHORD_TOKENS_PER_BAR, default_primer, generate_ids, step_model
from model.generation.int8_model import int8_twin
from model.generation.settings import MAX_TOKENS, GenerationSettings
from model.generation.step import StepModel, single_threaded_blas
from model.models import open_model
from model.music.chords import parse_progression
from model.pieces import PieceRequest, make_pieces, primer_and_chords
from model.presets import PAPER
from model.training.folder import keras_network
from model.training.networks import build_paper_network
from model.training.to_step import step_model_of


def paper_network(model_dir: Path | None) -> keras.Model:
    if model_dir is not None and (model_dir / "model.weights.h5").is_file():
        return keras_network(load_bundle(model_dir))
    return build_paper_network(400, PAPER.network, PAPER.data.sequence_length)


def windowed_ms(network: keras.Model, tokens: int, rng: np.random.Generator) -> float:
    window = rng.random((1, PAPER.data.sequence_length, 1)).astype("float32")
    network.predict_on_batch(window)
    start = time.perf_counter()
    for _ in range(tokens):
        probs = network.predict_on_batch(window)[0]
        window = np.concatenate([window[:, 1:], [[[int(np.argmax(probs)) / len(probs)]]]], axis=1).astype("float32")
    return (time.perf_counter() - start) * 1000 / tokens


def stateful_ms(network: keras.Model, tokens: int) -> float:
    step = step_model_of(network)
    step.reset(1)
    x = np.array([[0.5]], dtype=np.float32)
    step.step(x)
    with single_threaded_blas():
        start = time.perf_counter()
        for _ in range(tokens):
            probs = step.step(x)[0]
            x = np.array([[int(np.argmax(probs)) / len(probs)]], dtype=np.float32)
        return (time.perf_counter() - start) * 1000 / tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=Path("assets/models/paper"))
    parser.add_argument("--tokens", type=int, default=40)
    parser.add_argument("--song-model", type=Path, default=Path("assets/models/default"),
                        help="the model of the 32-bar timings (a voiced one, say)")
    args = parser.parse_args()
    network = paper_network(args.model)
    rng = np.random.default_rng(0)
    # Stateful first: TensorFlow's worker threads keep spinning for a while after a call and would
    # otherwise steal the cores from the NumPy step being timed.
    stateful = stateful_ms(network, args.tokens * 25)
    windowed = windowed_ms(network, args.tokens, rng)
    print(f"paper network: {network.count_params()} parameters, window {PAPER.data.sequence_length}")
    print(f"windowed: {windowed:.2f} ms/token")
    print(f"stateful: {stateful:.3f} ms/token")
    print(f"ratio: {windowed / stateful:.0f}")
    for run in ("first (caches the step model)", "cold, cached"):
        seconds, megabytes = cold_cli_generation()
        print(f"cold CLI generation, {run}: {seconds:.2f} s wall, {megabytes:.0f} MB peak")
    exact = step_model(open_model(args.song_model))
    for batch in (1, 4):
        float32, int8 = (network_step_ms(m, batch) for m in (exact, int8_twin(exact)))
        print(f"{args.song_model.name} network step, {batch} piece(s): float32 {float32:.3f} ms, int8 {int8:.3f} ms, "
              f"ratio {float32 / int8:.2f}")
    seeds = range(3)
    pieces_seconds(args.song_model, 1, 99)  # warm: the step model read, the first products' buffers
    one, four = ([pieces_seconds(args.song_model, n, seed) for seed in seeds] for n in (1, 4))
    print(f"{args.song_model.name}, 32 bars over C G Am F, seeds {list(seeds)}: one piece "
          f"{' '.join(f'{s:.2f} s ({n} steps)' for s, n in one)}, four pieces "
          f"{' '.join(f'{s:.2f} s ({n} steps)' for s, n in four)}")
    per_step = [s / n for s, n in four], [s / n for s, n in one]
    print(f"ratio of the sums {sum(s for s, _ in four) / sum(s for s, _ in one):.2f}, "
          f"per step {sum(per_step[0]) / sum(per_step[1]):.2f}")


def network_step_ms(model: StepModel, batch: int) -> float:
    """Milliseconds a step of ``batch`` pieces, over steps 768-1023 of random ids (the attention cache 3/4 full)."""
    ids = np.random.default_rng(0).integers(0, 500, (batch, 1024))
    model.reset(batch)
    with single_threaded_blas():
        for t in range(768):
            model.step(ids[:, t])
        started = time.perf_counter()
        for t in range(768, 1024):
            model.step(ids[:, t])
    return (time.perf_counter() - started) * 1000 / 256


def pieces_seconds(model: Path, pieces: int, seed: int) -> tuple[float, int]:
    """Seconds to make ``pieces`` pieces of 32 bars over a progression, as the Generate page asks (model open), and
    the steps the batch took (the same sampling again, through ``generate_ids``: its columns).

    Over several seeds: a piece lasts 32 bars whatever its events, and one piece may take 1,500 events and another
    4,000 (dense piano), so one seed's ratio says as much about those two draws as about batching; four pieces
    take as long as their longest.
    """
    bundle, chords = open_model(model), parse_progression("C G Am F")
    settings = GenerationSettings(seed=seed)
    request = PieceRequest(model, settings, bars=32, pieces=pieces, chords=chords)
    started = time.perf_counter()
    make_pieces(request, load=lambda _: bundle)
    seconds = time.perf_counter() - started
    # What make_pieces asks of generate_ids: the progression fitted to 32 bars, its token budget, the start event.
    _, progression = primer_and_chords(bundle, request)
    assert progression is not None
    budget = dataclasses.replace(settings, tokens=min(MAX_TOKENS, progression.bars * CHORD_TOKENS_PER_BAR))
    ids = generate_ids(bundle, budget, pieces, default_primer(bundle, np.random.default_rng(seed)), progression)
    return seconds, ids.shape[1]


CACHE = Path(tempfile.mkdtemp(prefix="lab-bench-"))


def cold_cli_generation() -> tuple[float, float]:
    """Wall seconds and peak MB of one ``python -m model generate`` process (600 tokens of ``default``)."""
    # VmHWM, the process's own peak: ru_maxrss of a child forked from this (large) process includes its pages.
    peak = "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    command = [sys.executable, "-c", f"import sys; from model.__main__ import main; code = main(sys.argv[1:]); {peak}; "
               "sys.exit(code)",
               "generate", "--model", "assets/models/default", "--tokens", "600", "--out", str(CACHE / "piece.mid")]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "LAB_CACHE_DIR": str(CACHE)},
                            cwd=Path(__file__).resolve().parents[1], check=True)
    return time.perf_counter() - started, int(result.stdout.split()[-1]) / 1024


if __name__ == "__main__":
    main()
