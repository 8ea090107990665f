"""The command line: `python -m audio render` and `python -m audio info`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import soundfile

from audio.__main__ import main

ROOT = Path(__file__).resolve().parents[2]


def info_lines(capsys, path: Path) -> dict[str, str]:
    assert main(["info", str(path)]) == 0
    return dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())


def test_render_excerpt_to_wav_then_info_reports_its_numbers(song, tmp_path: Path, capsys):
    out = tmp_path / "clip.wav"
    assert main(["render", str(song), str(out), "--seconds", "3", "--lufs", "-18"]) == 0
    capsys.readouterr()
    info = info_lines(capsys, out)
    assert float(info["duration_s"]) == 3.0
    assert abs(float(info["loudness_lufs"]) - (-18.0)) <= 0.5
    assert float(info["peak_dbfs"]) <= -1.0
    assert info["sample_rate_hz"] == "44100" and info["channels"] == "2"


def test_render_whole_piece_to_mp3(scale, tmp_path: Path, capsys):
    midi, out = tmp_path / "scale.mid", tmp_path / "scale.mp3"
    scale.write(str(midi))
    assert main(["render", str(midi), str(out)]) == 0
    assert soundfile.info(str(out)).duration >= scale.get_end_time()
    capsys.readouterr()
    assert abs(float(info_lines(capsys, out)["loudness_lufs"]) - (-16.0)) <= 0.5


def test_errors_are_one_line_on_stderr_with_status_2(tmp_path: Path, capsys):
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"garbage")
    assert main(["render", str(bad), str(tmp_path / "out.wav")]) == 2
    assert main(["render", str(bad), str(tmp_path / "out.wav"), "--lufs", "5"]) == 2
    assert main(["info", str(bad)]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 3 and all(line.startswith("error: ") for line in errors)


def test_runs_as_a_module(song, tmp_path: Path):
    out = tmp_path / "clip.wav"
    result = subprocess.run(
        [sys.executable, "-m", "audio", "render", str(song), str(out), "--seconds", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert soundfile.info(str(out)).frames == 2 * 44100


def test_an_output_in_a_missing_folder_is_one_sentence_not_a_traceback(song, tmp_path: Path, capsys):
    assert main(["render", str(song), str(tmp_path / "missing_dir" / "out.wav"), "--seconds", "2"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("error: Cannot write") and "No such file or directory" in error
