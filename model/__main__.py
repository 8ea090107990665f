"""Command line: ``python -m model {download,pack,train,generate,info,intervals,import-magenta,metrics}``.

Examples::

    python -m model download                       # POP909 into ~/.cache/lstm-music-lab/POP909
    python -m model train --preset default --out runs/default
    python -m model train --preset paper --songs 250 --epochs 10 --batch-size 1024
    python -m model generate --model assets/models/default --tokens 600 --temperature 1.0 --out piece.mid
    python -m model intervals runs/default          # a voiced model's melody moves and free rhythm, after training
    python -m model train --preset magenta-attention --out runs/magenta-attention   # MelodyRNN on POP909
    python -m model import-magenta attention_rnn.mag --out assets/models/pretrained-magenta-attention
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.music.chords import Progression
    from model.music.pop909 import SongFile
    from model.presets import Preset

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _add_train(sub: argparse._SubParsersAction) -> None:
    from model.presets import PRESETS

    p = sub.add_parser("train", help="train a preset on POP909 and write a model folder",
                       description="Presets: " + "; ".join(f"{n}: {x.description}" for n, x in PRESETS.items()))
    p.add_argument("--preset", default="default", help=f"one of: {', '.join(PRESETS)}")
    p.add_argument("--songs", type=int, help="number of POP909 songs (random subset with the preset's seed)")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--steps-per-epoch", type=int, help="batches per epoch (default: all windows)")
    p.add_argument("--validation-batches", type=int, help="batches per validation pass (default: all)")
    p.add_argument("--max-minutes", type=float, help="stop cleanly after this much wall-clock time")
    p.add_argument("--learning-rate", type=float)
    p.add_argument("--objective", choices=("last", "every-step"),
                   help="paper networks: one target per window (the seed) or every position with --min-context")
    p.add_argument("--min-context", type=int, help="every-step: tokens a position needs before it counts")
    p.add_argument("--window-stride", type=int,
                   help="tokens between window starts (every-step default: sequence length - min context)")
    p.add_argument("--out", type=Path, help="model folder (default runs/PRESET)")
    p.add_argument("--data", type=Path, help="POP909 folder (default env POP909_DIR)")
    p.add_argument("--pack", type=Path, help="train from a token pack (python -m model pack) instead of POP909")
    p.add_argument("--init-from", type=Path, help="continue from this model folder's weights (same preset)")
    p.add_argument("--quiet", action="store_true", help="one line per epoch instead of progress bars (for logs)")
    p.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from model.data.pack import read_pack
    from model.training.train import train

    preset = _preset(args)
    songs = read_pack(args.pack) if args.pack else None
    train(preset, args.out or Path("runs") / preset.name, args.data, verbose=2 if args.quiet else 1, songs=songs,
          init_from=args.init_from)
    return 0


def _preset(args: argparse.Namespace) -> Preset:
    """The named preset with the command line's overrides; every-step windows tile the targets by default."""
    from model.presets import get_preset

    preset = get_preset(args.preset).with_overrides(
        songs=args.songs, epochs=args.epochs, batch_size=args.batch_size, steps_per_epoch=args.steps_per_epoch,
        validation_batches=args.validation_batches, max_minutes=args.max_minutes, learning_rate=args.learning_rate,
        objective=args.objective, min_context=args.min_context, window_stride=args.window_stride,
    )
    if preset.train.objective == "every-step" and args.window_stride is None:
        preset = preset.with_overrides(window_stride=preset.data.sequence_length - preset.train.min_context)
    return preset


def _add_pack(sub: argparse._SubParsersAction) -> None:
    from model.presets import PRESETS

    p = sub.add_parser("pack", help="tokenise a preset's songs into one file, for training on another machine")
    p.add_argument("--preset", default="default", help=f"one of: {', '.join(PRESETS)}")
    p.add_argument("--songs", type=int, help="number of POP909 songs (random subset with the preset's seed)")
    p.add_argument("--data", type=Path, help="POP909 folder (default env POP909_DIR)")
    p.add_argument("--out", type=Path, required=True, help="the .npz file to write")
    p.add_argument("--encode", action="store_true",
                   help="MelodyRNN presets: store note-seq's encoded windows too, so training needs no note-seq")
    p.set_defaults(func=_pack)


def _pack(args: argparse.Namespace) -> int:
    from model.data.pack import tokenise, write_pack
    from model.presets import get_preset

    preset = get_preset(args.preset).with_overrides(songs=args.songs)
    songs = tokenise(preset, args.data)
    if args.encode:
        from model.training.prepare import encode_windows  # Keras's batches cut the windows; plain packs skip it

        songs = encode_windows(songs, preset)
    write_pack(songs, args.out)
    print(f"wrote {args.out} ({sum(map(len, songs.train))} training and "
          f"{sum(map(len, songs.validation))} validation tokens, vocabulary {len(songs.vocab)})")
    return 0


def _add_download(sub: argparse._SubParsersAction) -> None:
    from model.music.pop909 import SOURCE_URL

    p = sub.add_parser("download", help="fetch POP909 from its public repository")
    p.add_argument("--dest", type=Path, help="target folder (default ~/.cache/lstm-music-lab/POP909)")
    p.add_argument("--url", default=SOURCE_URL, help="archive URL (a file:// URL works too)")
    p.set_defaults(func=_download)


def _download(args: argparse.Namespace) -> int:
    from model.music.pop909 import download

    path = download(args.dest, args.url)
    print(f"POP909 is at {path}; set POP909_DIR={path} if it is not the default place.")
    return 0


def _add_generate(sub: argparse._SubParsersAction) -> None:
    from model.generation.settings import GenerationSettings

    d = GenerationSettings()
    p = sub.add_parser("generate", help="generate MIDI pieces from a model folder")
    p.add_argument("--model", type=Path, required=True, help="model folder (e.g. assets/models/default)")
    p.add_argument("--tokens", type=int, default=d.tokens, help="events to generate per piece")
    p.add_argument("--temperature", type=float, default=d.temperature)
    p.add_argument("--top-k", type=int, default=d.top_k, help="0 disables")
    p.add_argument("--top-p", type=float, default=d.top_p, help="1.0 disables")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--pieces", type=int, default=1, help="pieces generated together as one batch")
    p.add_argument("--primer", type=Path, help="MIDI file whose events start the piece")
    p.add_argument("--primer-song", help="POP909 song id (e.g. 001) whose bars start the piece")
    p.add_argument("--primer-bar", type=int, help="first bar of the POP909 primer (default: its first bar with notes)")
    p.add_argument("--primer-bars", type=int, default=2, help="length of the POP909 primer in bars (as study clips)")
    p.add_argument("--chords", help='progression to write over, e.g. "C G Am F" (one chord per bar), '
                   '"C | G | Am F" or "C G Am F x4" (chord-conditioned models)')
    p.add_argument("--chords-song", help="POP909 song id whose annotated chords to write over")
    p.add_argument("--chords-bar", type=int, default=8, help="first bar of the song's progression")
    p.add_argument("--bars", type=int, help="length in bars: the progression is cut or repeated to it "
                   "(default: the progression's own length; 16 for --chords-song)")
    p.add_argument("--form", default=d.form, help='phrases that come back: letters, one per 4 bars (e.g. AABA), '
                   '"chords" (bars echo earlier bars over the same chords) or "free" (default)')
    p.add_argument("--no-melody-line", dest="melody_line", action="store_false",
                   help="a voiced model's melody as the network writes it, without its interval model")
    p.add_argument("--no-rhythm-line", dest="rhythm_line", action="store_false",
                   help="a free piece's positions and durations as the network writes them, without its rhythm counts")
    p.add_argument("--float32", action="store_true",
                   help="step through the float32 weights (about twice as slow) instead of their 8-bit copy")
    p.add_argument("--bpm", type=float, default=d.bpm)
    p.add_argument("--program", type=int, default=d.program, help="General MIDI program (0 = piano)")
    p.add_argument("--sampling", choices=("stateful", "windowed"), default=d.sampling,
                   help="windowed re-runs the last window for every token, as the seed does (slower)")
    p.add_argument("--out", type=Path, required=True, help="output .mid (numbered when --pieces > 1)")
    p.set_defaults(func=_generate)


def _generate(args: argparse.Namespace) -> int:
    from model.generation.form import parse_form
    from model.generation.settings import GenerationSettings
    from model.music.midi_limits import MidiError, check_midi_bytes, read_midi_file

    # Everything the user typed is checked before the model (and Keras, about 4 s) is loaded.
    settings = GenerationSettings(tokens=args.tokens, temperature=args.temperature, top_k=args.top_k,
                                  top_p=args.top_p, seed=args.seed, bpm=args.bpm, program=args.program,
                                  sampling=args.sampling, form=args.form, melody_line=args.melody_line,
                                  rhythm_line=args.rhythm_line, float32=args.float32)
    settings.validate()
    try:
        primer_bytes = read_midi_file(args.primer) if args.primer else None
        if primer_bytes is not None:
            check_midi_bytes(primer_bytes)
    except MidiError as exc:
        raise ValueError(f"The primer cannot be used: {exc}") from None
    progression = _progression(args)
    parse_form(args.form, progression)

    from model.pieces import MidiPrimer, PieceRequest, SongPrimer, make_pieces

    primer = SongPrimer(args.primer_song, args.primer_bars, args.primer_bar) if args.primer_song else (
        MidiPrimer(primer_bytes) if primer_bytes is not None else None)
    request = PieceRequest(args.model, settings, bars=None, primer=primer, chords=progression, pieces=args.pieces)
    pieces = [piece.midi for piece in make_pieces(request)]
    for i, midi in enumerate(pieces):
        out = args.out if len(pieces) == 1 else args.out.with_name(f"{args.out.stem}_{i + 1}{args.out.suffix}")
        out.parent.mkdir(parents=True, exist_ok=True)
        midi.write(str(out))
        print(f"wrote {out} ({sum(len(i.notes) for i in midi.instruments)} notes, {midi.get_end_time():.1f} s)")
    return 0


def _progression(args: argparse.Namespace) -> Progression | None:
    """The progression of ``--chords`` or ``--chords-song``, fitted to ``--bars``; None without either."""
    from model.music.chords import parse_progression

    if args.chords and args.chords_song:
        raise ValueError("Give either --chords or --chords-song, not both.")
    if args.chords_song:
        from model.generation.generate import progression_from_song

        return progression_from_song(_song(args.chords_song), args.chords_bar, args.bars or 16)
    if args.chords:
        progression = parse_progression(args.chords)
        return progression.fitted(args.bars) if args.bars else progression
    return None


def _song(song_id: str) -> SongFile:
    from model.music.pop909 import find_song

    return find_song(song_id)


def _add_info(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="show a model folder's card")
    p.add_argument("model", type=Path)
    p.set_defaults(func=_info)


def _info(args: argparse.Namespace) -> int:
    from model.generation.artefact import load_bundle

    print((load_bundle(args.model).path / "card.md").read_text())
    return 0


def _add_intervals(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intervals", help="count a voiced model's melody moves and rhythm against POP909's",
                       description="Counts how the training songs' melodies move and how the model's own melodies move "
                                   "over the training songs' chords, then where the songs' notes fall and how long "
                                   "they last against the model's own free pieces, then how far apart the songs' "
                                   "onsets lie and how far their melodies stray against the model's own over training "
                                   "songs' chords, and writes them into the folder: generation weighs each melody "
                                   "pitch (model.generation.melody_line, register_line), a free piece's positions and "
                                   "durations (model.generation.rhythm_line) and the positions of a piece over chords "
                                   "(model.generation.onset_line) by their ratios.")
    p.add_argument("model", type=Path, help="a voiced model folder (e.g. assets/models/default)")
    p.add_argument("--pieces", type=int, default=40, help="pieces the network writes for its own counts")
    p.set_defaults(func=_intervals)


def _intervals(args: argparse.Namespace) -> int:
    from model.families import family_of
    from model.generation.artefact import load_bundle
    from model.models import open_model
    from model.training.melody_intervals import fit_melody_intervals
    from model.training.over_chords import fit_over_chords
    from model.training.rhythm_counts import fit_rhythm

    if not family_of(load_bundle(args.model).preset).voiced:
        raise ValueError(f"{args.model} has no melody voice; intervals are counted for voiced models (grid-voices).")
    if not 5 <= args.pieces <= 400:
        raise ValueError(f"pieces must be between 5 and 400, got {args.pieces}.")
    bundle = open_model(args.model)
    model = fit_melody_intervals(bundle, args.pieces, log=lambda line: print(line, flush=True))
    print(f"wrote {args.model}/melody_intervals.json ({model.songs.notes} song notes, {model.network.notes} of the "
          "network's)")
    rhythm = fit_rhythm(bundle)
    print(f"wrote {args.model}/rhythm.json ({sum(rhythm.songs.values())} song positions and durations, "
          f"{sum(rhythm.network.values())} of the network's free pieces)")
    gaps, register = fit_over_chords(bundle, args.pieces, log=lambda line: print(line, flush=True))
    print(f"wrote {args.model}/onset_gaps.json and melody_register.json ({gaps.songs.sum()} song gaps and "
          f"{register.songs.sum()} melody notes, {gaps.network.sum()} and {register.network.sum()} of the network's "
          "over chords)")
    return 0


def _add_import_magenta(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-magenta", help="convert a pretrained Magenta MelodyRNN bundle (.mag) to a model folder",
                       description="Reads Google's basic_rnn.mag, lookback_rnn.mag or attention_rnn.mag (no magenta "
                                   "package needed) and writes a model folder that generate and the app use.")
    p.add_argument("bundle", type=Path, help="the .mag generator bundle")
    p.add_argument("--out", type=Path, required=True, help="model folder to write")
    p.add_argument("--attention-length", type=int,
                   help="attention_rnn's attn_length (default: read from the bundle's metagraph, else 40)")
    p.set_defaults(func=_import_magenta)


def _import_magenta(args: argparse.Namespace) -> int:
    from model.training.magenta_import import import_bundle

    bundle = import_bundle(args.bundle, args.out, args.attention_length)
    print(f"wrote {bundle.path} ({bundle.name}, LSTM {bundle.preset.network.lstm_units})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for add in (_add_download, _add_pack, _add_train, _add_generate, _add_info, _add_intervals, _add_import_magenta):
        add(sub)
    words = sys.argv[1:] if argv is None else argv
    if next((w for w in words if not w.startswith("-")), None) == "metrics":
        # MusPy and friends take about 1.5 s to import: only when asked for.
        from model.evaluation import cli as metrics_cli

        metrics_cli.add_parser(sub)
    else:
        sub.add_parser("metrics", help="objective metrics of MIDI files (see python -m model metrics --help)")
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a directory where a file was expected, no permission, a full disk
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
