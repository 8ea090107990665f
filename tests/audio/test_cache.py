"""The render cache: a clip is rendered once per (MIDI content, SoundFont, settings)."""

from __future__ import annotations

import io
from pathlib import Path

import soundfile

from audio.cache import RenderCache, default_cache_dir, survey_clip
from audio.settings import ExcerptSettings
from tests.audio.conftest import scale_midi


def test_second_request_is_a_hit_with_identical_bytes(scale, short, cache):
    first = survey_clip(scale, settings=short, cache=cache)
    second = survey_clip(scale, settings=short, cache=cache)
    assert first == second
    assert (cache.hits, cache.misses) == (1, 2)  # first call: excerpt and MP3 both missed


def test_wav_after_mp3_reuses_the_rendered_excerpt(scale, short, cache):
    survey_clip(scale, settings=short, cache=cache, fmt="mp3")
    wav = survey_clip(scale, settings=short, cache=cache, fmt="wav")
    assert (cache.hits, cache.misses) == (1, 3)  # the WAV missed, its excerpt hit
    assert soundfile.info(io.BytesIO(wav.data)).duration == short.seconds


def test_same_content_hits_whatever_the_input_type(scale, short, cache, tmp_path: Path):
    path = tmp_path / "piece.mid"
    scale.write(str(path))
    survey_clip(path, settings=short, cache=cache)
    survey_clip(path.read_bytes(), settings=short, cache=cache)
    assert cache.hits == 1


def test_other_settings_or_content_miss(scale, short, cache):
    survey_clip(scale, settings=short, cache=cache)
    survey_clip(scale, settings=ExcerptSettings(seconds=4.0, lufs=-20.0), cache=cache)
    survey_clip(scale_midi(5.0), settings=short, cache=cache)
    assert cache.hits == 0 and cache.misses == 6


def test_cache_persists_across_instances(scale, short, tmp_path: Path):
    survey_clip(scale, settings=short, cache=RenderCache(tmp_path))
    again = RenderCache(tmp_path)
    survey_clip(scale, settings=short, cache=again)
    assert (again.hits, again.misses) == (1, 0)


def test_default_folder_follows_lab_cache_dir(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("LAB_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "audio"
    monkeypatch.delenv("LAB_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "lstm-music-lab" / "audio"
