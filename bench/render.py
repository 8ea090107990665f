"""Render speed: our FluidSynth renderer against the `fluidsynth` command-line fast renderer.

Renders one full POP909 song with the same SoundFont and sample rate both ways, in one run, and prints each
realtime factor (seconds of audio per second of wall time) and ``ratio: ours / CLI``. Ours is timed with
the SoundFont already loaded, as in the app; the CLI loads it on every run, which is part of its cost.
Targets: ours >= 100x realtime, ratio >= 1. ``--pretty-midi`` adds pretty_midi's own ``fluidsynth()``.

Usage (from the repository root)::

    python bench/render.py                       # POP909 song 001, best of 3
    python bench/render.py path/to/song.mid --repeats 5 --pretty-midi
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pretty_midi
import soundfile

from audio.render import loadable_soundfont, render_midi
from audio.settings import RenderSettings

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_SONG = Path(os.environ.get("POP909_DIR", ROOT.parent / "shared" / "data" / "POP909")) / "001" / "001.mid"
RATE = 44100


def best_time(run: Callable[[], float], repeats: int) -> tuple[float, float]:
    """Fastest wall time in seconds over `repeats` runs, and the audio seconds the run produced."""
    best, audio_seconds = float("inf"), 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        audio_seconds = run()
        best = min(best, time.perf_counter() - start)
    return best, audio_seconds


def ours(song: Path, soundfont: Path) -> Callable[[], float]:
    def run() -> float:
        samples, rate = render_midi(song, soundfont, RenderSettings(sample_rate=RATE))
        return len(samples) / rate

    return run


def cli(song: Path, soundfont: Path, out: Path) -> Callable[[], float]:
    command = ["fluidsynth", "-ni", "-q", "-F", str(out), "-r", str(RATE), "-O", "s16", "-T", "wav",
               str(soundfont), str(song)]

    def run() -> float:
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        return float(soundfile.info(str(out)).duration)

    return run


def pretty(song: Path, soundfont: Path) -> Callable[[], float]:
    midi = pretty_midi.PrettyMIDI(str(song))

    def run() -> float:
        return len(midi.fluidsynth(fs=RATE, sf2_path=str(soundfont))) / RATE

    return run


def report(name: str, seconds: float, audio_seconds: float) -> float:
    factor = audio_seconds / seconds
    print(f"{name:<34} {audio_seconds:7.1f} s of audio in {seconds:6.3f} s = {factor:7.1f}x realtime")
    return factor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("song", type=Path, nargs="?", default=DEFAULT_SONG)
    parser.add_argument("--soundfont", type=Path, help="default: the lookup of audio.soundfont")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pretty-midi", action="store_true", help="also time pretty_midi.fluidsynth()")
    args = parser.parse_args()
    soundfont = loadable_soundfont(args.soundfont)  # loaded once here, as the app keeps it loaded
    print(f"song: {args.song}\nsoundfont: {soundfont}\nsample rate: {RATE} Hz, best of {args.repeats}")
    ours_factor = report("ours (SoundFont loaded)", *best_time(ours(args.song, soundfont), args.repeats))
    if shutil.which("fluidsynth") is None:
        sys.exit("fluidsynth command not found: apt-get install fluidsynth")
    with tempfile.TemporaryDirectory() as folder:
        cli_run = cli(args.song, soundfont, Path(folder) / "out.wav")
        cli_factor = report("fluidsynth CLI fast render (-F)", *best_time(cli_run, args.repeats))
    if args.pretty_midi:
        report("pretty_midi fluidsynth()", *best_time(pretty(args.song, soundfont), args.repeats))
    print(f"ratio: {ours_factor / cli_factor:.2f}")


if __name__ == "__main__":
    main()
