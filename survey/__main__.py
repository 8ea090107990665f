"""Command line: ``python -m survey {init,import-study,studies,export,stats,audit,publish,close}``.

Examples::

    python -m survey init                                  # create/migrate the database
    python -m survey import-study assets/demo_study.yaml
    python -m survey audit demo-five-sources --audio-dir data/clips
    python -m survey publish demo-five-sources --audio-dir data/clips [--override "why"]
    python -m survey export demo-five-sources --format csv --out answers.csv
    python -m survey stats demo-five-sources [--keep-failed-checks]

The database is ``--url``, else ``$DATABASE_URL``, else ``data/survey.sqlite3``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from survey.analysis.export import answers_frame, write_csv, write_json
from survey.design.study import audit_study, close_study, import_study, list_studies, publish_study
from survey.design.studyfile import load_study_file
from survey.errors import SurveyError
from survey.store.db import open_database
from survey.store.engine import default_url
from survey.store.schema import Clip


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser with one sub-command per job."""
    parser = argparse.ArgumentParser(prog="python -m survey", description="Blind listening studies.")
    parser.add_argument("--url", help="SQLAlchemy URL (default: $DATABASE_URL or data/survey.sqlite3)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="create or migrate the database")
    sub.add_parser("studies", help="list studies")
    imp = sub.add_parser("import-study", help="validate a study file and import it as a draft")
    imp.add_argument("file", type=Path)
    for name in ("audit", "publish"):
        cmd = sub.add_parser(name, help=f"{name} a study (clip audio found by hash in --audio-dir)")
        cmd.add_argument("study")
        cmd.add_argument("--audio-dir", type=Path, default=Path("data/clips"))
        if name == "publish":
            cmd.add_argument("--override", help="publish despite audit findings, recording this reason")
    close = sub.add_parser("close", help="stop accepting answers")
    close.add_argument("study")
    exp = sub.add_parser("export", help="write answers (one row per answer, sources revealed)")
    exp.add_argument("study")
    exp.add_argument("--format", choices=("csv", "json"), default="csv")
    exp.add_argument("--out", type=Path, required=True)
    st = sub.add_parser("stats", help="print the statistics tables")
    st.add_argument("study")
    st.add_argument("--keep-failed-checks", action="store_true", help="do not exclude failed checks")
    st.add_argument("--no-mixed", action="store_true", help="skip the headline mixed models (R)")
    pw = sub.add_parser("power", help="participants needed for a target power, by simulating the design",
                        description="From a pilot study's mixed models (--pilot SLUG) or stated source means "
                                    "(--means a=4.5,b=4.0) and standard deviations.")
    pw.add_argument("--pilot", help="a study whose answers estimate the means and variance components")
    pw.add_argument("--criterion", help="one criterion of the pilot (default: every one)")
    pw.add_argument("--means", help="stated source means in rating points, e.g. original=4.5,lstm=4.0")
    pw.add_argument("--participant-sd", type=float, default=0.8)
    pw.add_argument("--clip-sd", type=float, default=0.3)
    pw.add_argument("--residual-sd", type=float, default=1.3)
    pw.add_argument("--per-source", type=int, default=2, help="clips of each source per participant")
    pw.add_argument("--clips-per-source", type=int, default=4, help="clips in each source's pool")
    pw.add_argument("--target", type=float, default=0.8, help="power wanted for each pair")
    pw.add_argument("--simulations", type=int, default=200, help="simulated studies per sample size")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a refusal (unknown study, bad file...) prints one line and exits 2, as every CLI here does."""
    args = build_parser().parse_args(argv)
    try:
        factory = open_database(args.url or default_url())
        with factory.begin() as session:
            _dispatch(args, session)
    except SurveyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OperationalError, ArgumentError) as error:  # a wrong URL, a folder that does not exist, no server
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        print(f"error: the database {args.url or default_url()} cannot be opened ({reason}).", file=sys.stderr)
        return 2
    return 0


def _dispatch(args: argparse.Namespace, session: Session) -> None:
    if args.command == "init":
        print("database ready")
    elif args.command == "studies":
        for study in list_studies(session):
            print(f"{study.slug}\t{study.status}\t{study.title}")
    elif args.command == "import-study":
        study = import_study(session, load_study_file(args.file))
        print(f"imported {study.slug} ({study.status}, {len(study.clips)} clips)")
    elif args.command in ("audit", "publish"):
        _audit_or_publish(args, session)
    elif args.command == "close":
        print(f"{close_study(session, args.study).slug} closed")
    elif args.command == "export":
        writer = write_csv if args.format == "csv" else write_json
        print(f"wrote {writer(session, args.study, args.out)} answers to {args.out}")
    elif args.command == "stats":
        _print_stats(session, args.study, exclude=not args.keep_failed_checks, mixed=not args.no_mixed)
    elif args.command == "power":
        _print_power(args, session)


def _read_audio(audio_dir: Path) -> Callable[[Clip], bytes]:
    def read(clip: Clip) -> bytes:
        if clip.audio_path and Path(clip.audio_path).is_file():
            return Path(clip.audio_path).read_bytes()
        matches = sorted(audio_dir.glob(f"{clip.audio_sha256}.*"))
        if not matches:
            raise SurveyError(f"No audio file for clip '{clip.key}' ({clip.audio_sha256}) in {audio_dir}.")
        return matches[0].read_bytes()

    return read


def _audit_or_publish(args: argparse.Namespace, session: Session) -> None:
    report = audit_study(session, args.study, _read_audio(args.audio_dir))
    for finding in report.findings:
        print(f"- {finding.cue}: {finding.message}\n    {json.dumps(finding.detail)}")
    if report.surface is not None and not report.surface.clips.empty:
        verdict = report.surface.classifier
        print("\nsurface cues per source (means over the heard excerpts):")
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(report.surface.per_source().to_string())
        print(verdict.sentence() if verdict else "too few clips per source for a cross-validated classifier")
    print("audit passed" if report.passed else f"audit found {len(report.findings)} cue(s)")
    if args.command == "publish":
        study = publish_study(session, args.study, report, override=args.override)
        print(f"{study.slug} is open")


def _print_power(args: argparse.Namespace, session: Session) -> None:
    from survey.analysis import power
    from survey.analysis.inference.simulate import StudyDesign

    if bool(args.pilot) == bool(args.means):
        raise SurveyError("Give either --pilot SLUG (a study's answers) or --means a=4.5,b=4.0 (stated means).")
    try:
        if args.means:
            designs = {"stated": StudyDesign(power.parse_means(args.means), args.participant_sd, args.clip_sd,
                                             args.residual_sd, clips_per_source=args.clips_per_source,
                                             per_source=args.per_source)}
        else:
            designs = power.pilot_designs(answers_frame(session, args.pilot), args.pilot, args.criterion,
                                          args.per_source, args.clips_per_source)
        for name, design in designs.items():
            table = power.participants_needed(design, args.target, simulations=args.simulations)
            print(f"\n== {name}: participants and clips per source for {args.target:.0%} power per pair (the "
                  f"headline model, Holm over {len(power.pairs_of(design))} pairs; se = the simulation's) ==")
            print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    except ValueError as exc:
        raise SurveyError(str(exc)) from None


def _print_stats(session: Session, slug: str, *, exclude: bool, mixed: bool) -> None:
    from survey.analysis import stats

    answers = answers_frame(session, slug)
    kept = stats.apply_exclusions(answers) if exclude else answers
    print(
        f"{len(answers)} answers from {answers['participant'].nunique()} participants; "
        f"{len(answers) - len(kept)} excluded for failed checks"
    )
    if kept.empty:
        return
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.precision", 3):
        for name, table in stats.summary_tables(kept, mixed=mixed).items():
            print(f"\n== {name} ==\n{table.to_string(index=False)}")


if __name__ == "__main__":
    sys.exit(main())
