"""Training targets per second on the ``paper`` network: the seed's objective against every-step, side by side.

``last`` (the seed): one target per 100-token window. ``every-step``: the same network and weights, the loss
on every position with at least ``--min-context`` tokens before it, so one forward and backward pass
trains ``100 - min_context`` targets. Both run the same number of batches of the same size on the same
real POP909 windows, in one process, after a warm-up batch each. Target (issue 10): ``ratio >= 30``.
Run: ``python bench/train.py [--batch-size 32] [--batches 4] [--min-context 50]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from model.presets import PAPER, Preset
from model.training.networks import compile_network
from model.training.prepare import prepare_data
from model.training.train import training_network


def targets_per_second(preset: Preset, batches: int) -> float:
    """Fit ``batches`` batches after one warm-up batch; targets trained per wall-clock second."""
    data = prepare_data(preset, log=lambda _: None)
    network = training_network(len(data.vocab), preset)
    compile_network(network, preset)
    x, y = data.train[0]
    network.train_on_batch(x, y)  # warm-up: graph tracing and allocation are not training speed
    started = time.perf_counter()
    targets = 0
    for i in range(1, batches + 1):
        x, y = data.train[i]
        network.train_on_batch(x, y)
        targets += y.shape[0] * (y.shape[1] if preset.train.objective == "every-step" else 1)
    return targets / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--min-context", type=int, default=50)
    parser.add_argument("--songs", type=int, default=20)
    args = parser.parse_args()
    common = {"songs": args.songs, "batch_size": args.batch_size}
    last = PAPER.with_overrides(**common, objective="last")
    every = PAPER.with_overrides(**common, objective="every-step", min_context=args.min_context,
                                 window_stride=PAPER.data.sequence_length - args.min_context)
    seed_rate = targets_per_second(last, args.batches)
    every_rate = targets_per_second(every, args.batches)
    print(f"paper network, batch {args.batch_size}, {args.batches} batches each")
    print(f"{'objective':<14}{'targets/s':>12}")
    print(f"{'last (seed)':<14}{seed_rate:>12.1f}")
    print(f"{'every-step':<14}{every_rate:>12.1f}")
    print(f"ratio: {every_rate / seed_rate:.1f}")


if __name__ == "__main__":
    main()
