"""Command line: render MIDI to a loudness-normalised file, or report an audio file's numbers.

Examples
--------
python -m audio render song.mid song.wav                    # whole piece, -16 LUFS, peak <= -1 dBFS
python -m audio render song.mid clip.mp3 --seconds 20       # a survey excerpt, MP3 by the suffix
python -m audio render song.mid song.wav --lufs -20 --soundfont soundfonts/MyPiano.sf2
python -m audio info clip.mp3                               # duration, loudness, peak, sample rate
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import soundfile

from audio.encode import encode_mp3, encode_wav
from audio.errors import AudioFileError, RenderError, SettingsError
from audio.excerpt import fade, make_excerpt
from audio.loudness import integrated_loudness, normalise, peak_dbfs
from audio.render import render_midi
from audio.settings import ExcerptSettings, RenderSettings


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 for a `RenderError`, reported in one line)."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m audio", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(required=True)
    render = commands.add_parser("render", help="render MIDI to .wav or .mp3 (chosen by OUT's suffix)")
    render.add_argument("midi", type=Path, metavar="IN.mid")
    render.add_argument("out", type=Path, metavar="OUT")
    render.add_argument("--seconds", type=float, help="make a survey excerpt of this length (seconds)")
    render.add_argument("--lufs", type=float, default=-16.0, help="integrated loudness target (LUFS)")
    render.add_argument("--soundfont", type=Path, help="SoundFont file (default: see soundfonts/README.md)")
    render.set_defaults(run=_render)
    info = commands.add_parser("info", help="print duration, loudness, peak and sample rate of a file")
    info.add_argument("file", type=Path, metavar="FILE")
    info.set_defaults(run=_info)
    return parser


def _render(args: argparse.Namespace) -> None:
    """Render the whole piece (or an excerpt with --seconds), normalise, and write by suffix."""
    suffix = args.out.suffix.lower()
    if suffix not in (".wav", ".mp3"):
        raise SettingsError(f"OUT must end in .wav or .mp3, got {args.out.name!r}.")
    if args.seconds is not None:
        settings = ExcerptSettings(seconds=args.seconds, lufs=args.lufs)
        excerpt = make_excerpt(args.midi, args.soundfont, settings)
        samples, rate = excerpt.samples, excerpt.sample_rate
    else:
        limits = ExcerptSettings(lufs=args.lufs)  # validates the target like an excerpt's
        samples, rate = render_midi(args.midi, args.soundfont, RenderSettings())
        samples = normalise(fade(samples, 0, round(0.01 * rate)), rate, limits.lufs, limits.peak_dbfs)
    data = encode_wav(samples, rate) if suffix == ".wav" else encode_mp3(samples, rate)
    try:
        args.out.write_bytes(data)
    except OSError as error:
        raise AudioFileError(f"Cannot write {args.out}: {error.strerror or error}.") from error
    print(f"wrote {args.out} ({len(samples) / rate:.2f} s, {integrated_loudness(samples, rate):.2f} LUFS)")


def _info(args: argparse.Namespace) -> None:
    """Print an audio file's duration (s), integrated loudness (LUFS), sample peak (dBFS) and rate (Hz)."""
    try:
        samples, rate = soundfile.read(args.file, dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as error:
        raise AudioFileError(f"Cannot read audio file {args.file} ({error}).") from error
    loudness = integrated_loudness(np.asarray(samples), rate)
    print(f"duration_s: {len(samples) / rate:.3f}")
    print(f"loudness_lufs: {loudness:.2f}" if math.isfinite(loudness) else f"loudness_lufs: {loudness}")
    print(f"peak_dbfs: {peak_dbfs(samples):.2f}")
    print(f"sample_rate_hz: {rate}")
    print(f"channels: {samples.shape[1]}")


if __name__ == "__main__":
    sys.exit(main())
