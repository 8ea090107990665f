"""The ``metrics`` command, run through a throwaway parser as ``python -m model`` will run it."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pretty_midi
import pytest

from model.evaluation import cli as metrics_cli
from model.evaluation import metrics


def run_cli(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="python -m model")
    metrics_cli.add_parser(parser.add_subparsers(required=True))
    args = parser.parse_args(["metrics", *map(str, argv)])
    return int(args.func(args))


def write_midi(path: Path, pitches: list[int]) -> Path:
    """Quarter notes at 120 BPM, one per pitch."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    pm.instruments.append(pretty_midi.Instrument(0))
    pm.instruments[0].notes = [pretty_midi.Note(90, p, 0.5 * i, 0.5 * i + 0.5) for i, p in enumerate(pitches)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pm.write(str(path))
    return path


SCALE = [60, 62, 64, 65, 67, 69, 71, 72]


@pytest.fixture
def two_sources(tmp_path: Path) -> tuple[Path, Path]:
    """``a/``: two scales; ``b/``: two repeated notes, one in a subfolder."""
    write_midi(tmp_path / "a" / "scale_c.mid", SCALE)
    write_midi(tmp_path / "a" / "scale_d.MID", [p + 2 for p in SCALE])
    write_midi(tmp_path / "b" / "one_note.mid", [60] * 8)
    write_midi(tmp_path / "b" / "deeper" / "one_note_g.midi", [67] * 8)
    return tmp_path / "a", tmp_path / "b"


def test_one_row_per_file(two_sources, capsys):
    assert run_cli(*two_sources, "--jobs", "1") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["file", "pitch_class_entropy", "pitch_range"]
    assert [line.split()[0].rsplit("/", 1)[1] for line in lines[1:]] == [
        "scale_c.mid",
        "scale_d.MID",
        "one_note_g.midi",
        "one_note.mid",
    ]
    assert lines[1].split()[1:3] == ["2.750", "12.000"]


def test_one_row_per_source_with_means(two_sources, capsys, tmp_path):
    out = tmp_path / "sources.csv"
    assert run_cli(*two_sources, "--by", "source", "--csv", out, "--jobs", "1") == 0
    table = pd.read_csv(out)
    assert table["source"].tolist() == [str(p) for p in two_sources]
    assert table["n_files"].tolist() == [2, 2]
    assert table["pitch_range"].tolist() == [12.0, 0.0]
    assert "ioi_hist[1]" in table.columns  # the CSV keeps the histogram bins the screen leaves out
    assert "ioi_hist[1]" not in capsys.readouterr().out


def test_the_csv_holds_every_metric_per_file(two_sources, tmp_path):
    out = tmp_path / "files.csv"
    assert run_cli(two_sources[0], "--csv", out, "--jobs", "1") == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["source", "file", *metrics.piece_metrics(np.zeros((0, 3)))]
    assert table["repeated_bar_share"].tolist() == [0.0, 0.0]


def test_against_a_reference_folder_or_its_csv(two_sources, capsys, tmp_path):
    scales, notes = two_sources
    assert run_cli(notes, "--reference", scales, "--jobs", "1", "--csv", tmp_path / "rel.csv") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].split() == list(metrics_cli.RELATIVE_PRINTED)
    table = pd.read_csv(tmp_path / "rel.csv").set_index("metric")
    assert table.loc["pitch_range", ["source_mean", "reference_mean", "inter_mean"]].tolist() == [0, 12, 12]
    assert table.loc["pitch_range", "oa_source"] < 0.01

    assert run_cli(scales, "--csv", tmp_path / "reference.csv", "--jobs", "1") == 0
    assert (
        run_cli(notes, "--reference", tmp_path / "reference.csv", "--csv", tmp_path / "again.csv", "--jobs", "1") == 0
    )
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again.csv"), pd.read_csv(tmp_path / "rel.csv"))


def test_a_corrupt_file_is_reported_and_the_rest_still_measured(two_sources, capsys):
    scales, _ = two_sources
    (scales / "broken.mid").write_bytes(b"MThd\x00\x00\x00\x06\x00\x01")
    (scales / "zero.mid").write_bytes(b"")
    assert run_cli(scales, "--jobs", "1") == 2, "a refused file is a refusal (exit 2), the others still measured"
    captured = capsys.readouterr()
    assert f"skipped {scales / 'broken.mid'}: This is not a readable MIDI file" in captured.err
    assert f"skipped {scales / 'zero.mid'}: This is not a readable MIDI file" in captured.err
    assert len(captured.out.splitlines()) == 1 + 2


def test_a_file_without_notes_is_a_row_of_nan(tmp_path, capsys):
    write_midi(tmp_path / "silence.mid", [])
    write_midi(tmp_path / "scale.mid", SCALE)
    assert run_cli(tmp_path, "--jobs", "1") == 0
    captured = capsys.readouterr()
    assert "silence.mid has no notes; its metrics are NaN" in captured.err
    assert captured.out.splitlines()[2].split()[1:3] == ["NaN", "NaN"]


def test_missing_paths_and_empty_folders_are_usage_errors(tmp_path, capsys):
    assert run_cli(tmp_path / "nowhere") == 2
    assert "nowhere: no such file or folder" in capsys.readouterr().err
    assert run_cli(tmp_path) == 2
    assert "no MIDI files" in capsys.readouterr().err


def test_parallel_processes_give_the_same_table(two_sources, tmp_path):
    assert run_cli(*two_sources, "--jobs", "1", "--csv", tmp_path / "serial.csv") == 0
    assert run_cli(*two_sources, "--jobs", "2", "--csv", tmp_path / "parallel.csv") == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "serial.csv"), pd.read_csv(tmp_path / "parallel.csv"))


def test_a_pop909_beat_file_sets_the_grid(tmp_path):
    song = write_midi(tmp_path / "001" / "001.mid", [60] * 3 + [62] * 8)
    # Beats every 0.5 s; the quadruple downbeats fall on beats 3 and 7, so beats 0-2 are a pickup.
    rows = [(0.5 * i, float(i % 2 == 1), float(i in (3, 7))) for i in range(12)]
    np.savetxt(tmp_path / "001" / "beat_midi.txt", rows)
    _, downbeats = metrics_cli.annotated_grid(song)
    assert downbeats is not None and downbeats.tolist() == [1.5, 3.5]
    assert metrics_cli.file_metrics(song)["repeated_bar_share"] == pytest.approx(1 / 2)
    assert metrics.piece_metrics(pretty_midi.PrettyMIDI(str(song)))["repeated_bar_share"] == 0.0
