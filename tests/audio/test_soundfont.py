"""SoundFont lookup order and clear errors for missing or corrupt SoundFonts."""

from __future__ import annotations

from pathlib import Path

import pytest

import audio.soundfont as soundfont_module
from audio.errors import SoundFontError
from audio.render import render_midi
from audio.soundfont import SYSTEM_SOUNDFONTS, find_soundfont

SYSTEM_FONT = SYSTEM_SOUNDFONTS[0]


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv("SOUNDFONT", raising=False)


def test_explicit_argument_comes_first(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SOUNDFONT", "/nonexistent.sf2")
    assert find_soundfont(SYSTEM_FONT).source == "argument"


def test_environment_comes_before_folders(monkeypatch):
    monkeypatch.setenv("SOUNDFONT", str(SYSTEM_FONT))
    assert find_soundfont().source == "env SOUNDFONT"


def test_repository_folder_comes_before_the_system(monkeypatch, tmp_path: Path):
    (tmp_path / "b.sf2").symlink_to(SYSTEM_FONT)
    (tmp_path / "a.sf2").symlink_to(SYSTEM_FONT)
    monkeypatch.setattr(soundfont_module, "REPO_SOUNDFONTS", tmp_path)
    found = find_soundfont()
    assert (found.source, found.path) == ("soundfonts/", (tmp_path / "a.sf2").resolve())


def test_system_general_midi_font_is_found_on_this_machine():
    found = find_soundfont()
    assert found.source in ("soundfonts/", "system")
    assert found.path.is_file()


def test_pretty_midi_font_is_the_last_resort(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(soundfont_module, "REPO_SOUNDFONTS", tmp_path)
    monkeypatch.setattr(soundfont_module, "SYSTEM_SOUNDFONTS", (tmp_path / "none.sf2",))
    found = find_soundfont()
    assert found.source == "pretty_midi" and found.path.name == "TimGM6mb.sf2"


def test_nothing_found_lists_every_place_tried(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(soundfont_module, "REPO_SOUNDFONTS", tmp_path)
    monkeypatch.setattr(soundfont_module, "SYSTEM_SOUNDFONTS", (tmp_path / "none.sf2",))
    monkeypatch.setattr(soundfont_module, "_pretty_midi_soundfont", lambda: tmp_path / "TimGM6mb.sf2")
    with pytest.raises(SoundFontError) as error:
        find_soundfont()
    message = str(error.value)
    assert message.count(".") >= 1 and "\n" not in message
    for place in ("argument", "env SOUNDFONT", str(tmp_path / "none.sf2"), "TimGM6mb.sf2"):
        assert place in message


def test_missing_explicit_font_is_an_error_not_a_fallback(tmp_path: Path):
    with pytest.raises(SoundFontError, match="does not exist"):
        find_soundfont(tmp_path / "missing.sf2")


def test_corrupt_font_is_a_clear_error_naming_where_it_came_from(scale, tmp_path: Path):
    corrupt = tmp_path / "corrupt.sf2"
    corrupt.write_bytes(b"RIFF\x10\x00\x00\x00sfbkLIST" + bytes(64))
    with pytest.raises(SoundFontError, match=r"corrupt.*places tried: argument"):
        render_midi(scale, soundfont=corrupt)


def test_fingerprint_depends_on_content_not_path(tmp_path: Path):
    link = tmp_path / "same.sf2"
    link.symlink_to(SYSTEM_FONT)
    copy = tmp_path / "other.sf2"
    copy.write_bytes(b"RIFF" + bytes(100))
    assert find_soundfont(link).fingerprint() == find_soundfont(SYSTEM_FONT).fingerprint()
    assert find_soundfont(copy).fingerprint() != find_soundfont(SYSTEM_FONT).fingerprint()
