"""``python -m model``: train, generate, info, and clear errors for bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pretty_midi
import pytest

from model.generation.artefact import ModelBundle
from model.generation.generate import GenerationSettings, generate_midi

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=600)


def test_help_lists_the_presets() -> None:
    result = run_cli("train", "--help")
    assert result.returncode == 0
    assert "paper" in result.stdout and "default" in result.stdout


def test_train_writes_a_model_folder(tmp_path: Path, pop909_dir: Path) -> None:
    out = tmp_path / "m"
    result = run_cli("train", "--preset", "tiny", "--songs", "3", "--epochs", "1", "--steps-per-epoch", "3",
                     "--out", str(out), "--data", str(pop909_dir))
    assert result.returncode == 0, result.stderr
    assert (out / "model.weights.h5").is_file() and (out / "card.md").is_file()


def test_generate_writes_playable_midi(tiny_model: ModelBundle, tmp_path: Path) -> None:
    out = tmp_path / "piece.mid"
    result = run_cli("generate", "--model", str(tiny_model.path), "--tokens", "80", "--temperature", "0.9",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert len(pretty_midi.PrettyMIDI(str(out)).instruments[0].notes) > 0


def test_generate_float32_writes_the_piece_sampled_in_process(tiny_model: ModelBundle, tmp_path: Path) -> None:
    out = tmp_path / "piece.mid"
    result = run_cli("generate", "--model", str(tiny_model.path), "--tokens", "60", "--seed", "4", "--float32",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    [expected] = generate_midi(tiny_model, GenerationSettings(tokens=60, seed=4, float32=True))
    got = pretty_midi.PrettyMIDI(str(out)).instruments[0].notes
    assert got and sorted((round(n.start, 3), n.pitch) for n in got) == sorted(
        (round(n.start, 3), n.pitch) for n in expected.instruments[0].notes)


def test_a_voiced_model_writes_pop909s_three_named_tracks(tiny_voiced_model: ModelBundle, tmp_path: Path) -> None:
    out = tmp_path / "piece.mid"
    result = run_cli("generate", "--model", str(tiny_voiced_model.path), "--chords", "C G Am F", "--seed", "1",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    tracks = pretty_midi.PrettyMIDI(str(out)).instruments
    assert [track.name for track in tracks] == ["MELODY", "BRIDGE", "PIANO"]
    assert sum(len(track.notes) for track in tracks) > 0


def test_generate_with_a_corrupt_primer_says_so(tiny_model: ModelBundle, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"\x00\x01garbage")
    result = run_cli("generate", "--model", str(tiny_model.path), "--primer", str(bad), "--out",
                     str(tmp_path / "x.mid"))
    assert result.returncode == 2
    assert "primer cannot be used" in result.stderr and "Traceback" not in result.stderr


def test_a_directory_given_as_primer_is_one_sentence(tiny_model: ModelBundle, tmp_path: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model.path), "--primer", str(tmp_path), "--out",
                     str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "is a folder, not a MIDI file" in result.stderr


def test_absurd_temperature_is_a_clear_error(tiny_model: ModelBundle, tmp_path: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model.path), "--temperature", "0", "--out",
                     str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "temperature must be in (0, 10]" in result.stderr


def test_unknown_preset_and_missing_data_are_clear_errors(tmp_path: Path) -> None:
    result = run_cli("train", "--preset", "jazz")
    assert result.returncode == 2 and "choose one of: paper, paper-onehot, default" in result.stderr
    result = run_cli("train", "--preset", "tiny", "--data", str(tmp_path))
    assert result.returncode == 2 and "POP909 was not found" in result.stderr


def test_a_folder_that_is_not_a_model_is_named(tmp_path: Path) -> None:
    result = run_cli("info", str(tmp_path))
    assert result.returncode == 2 and "is not a model folder" in result.stderr


def test_generate_from_a_pop909_window(tiny_model: ModelBundle, tmp_path: Path, pop909_dir: Path) -> None:
    out = tmp_path / "primed.mid"
    result = run_cli("generate", "--model", str(tiny_model.path), "--primer-song", "12", "--tokens", "40",
                     "--out", str(out), env={"POP909_DIR": str(pop909_dir)})
    assert result.returncode == 0, result.stderr
    result = run_cli("generate", "--model", str(tiny_model.path), "--primer-song", "999", "--out", str(out),
                     env={"POP909_DIR": str(pop909_dir)})
    assert result.returncode == 2 and "no song '999'" in result.stderr


def test_a_negative_seed_is_named(tiny_model: ModelBundle, tmp_path: Path) -> None:
    result = run_cli("generate", "--model", str(tiny_model.path), "--seed", "-1", "--out", str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "seed must be a whole number >= 0, got -1" in result.stderr


@pytest.mark.parametrize(("option", "words"), [
    (["--seed", "-1"], "seed must be a whole number >= 0"),
    (["--temperature", "0"], "temperature must be in (0, 10]"),
    (["--primer", "."], "is a folder, not a MIDI file"),
    (["--chords", "Xq7"], "'Xq7' is not a chord name"),
])
def test_what_the_user_typed_is_refused_before_any_model_is_loaded(tmp_path: Path, option: list[str],
                                                                   words: str) -> None:
    result = run_cli("generate", "--model", str(tmp_path / "no-such-model"), *option, "--out", str(tmp_path / "x.mid"))
    assert result.returncode == 2
    assert words in result.stderr, "the setting is named, not the missing model: it was checked first"
    assert "Traceback" not in result.stderr
