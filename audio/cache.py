"""The render cache: a clip is rendered and encoded once per (MIDI content, SoundFont, settings, format).

Entries are plain files named by the SHA-256 of the key, written atomically (temporary file, then rename),
so concurrent app sessions can share a folder. The folder is ``$LAB_CACHE_DIR/audio`` or
``~/.cache/lstm-music-lab/audio``; it is never pruned automatically (a 20-second clip is about 0.5 MB of
MP3 plus 7 MB of float samples), so delete it freely.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from audio.encode import EncodedClip, Format, clip_from_bytes, encode_clip
from audio.excerpt import make_excerpt
from audio.midi import MidiInput, load_midi, midi_bytes
from audio.settings import ExcerptSettings
from audio.soundfont import find_soundfont

CACHE_VERSION = "1"
"""Bump when rendering changes in a way the settings do not capture, to invalidate old entries."""


def default_cache_dir() -> Path:
    """``$LAB_CACHE_DIR/audio`` if that variable is set, else ``~/.cache/lstm-music-lab/audio``."""
    root = os.environ.get("LAB_CACHE_DIR")
    return Path(root) / "audio" if root else Path.home() / ".cache" / "lstm-music-lab" / "audio"


class RenderCache:
    """Files keyed by content hashes, with hit and miss counts.

    Parameters
    ----------
    folder : Path or None
        Where entries live; None for `default_cache_dir`.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_cache_dir()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(*parts: bytes | str) -> str:
        """SHA-256 hex of the parts, each length-prefixed so that no two part lists collide."""
        digest = hashlib.sha256(CACHE_VERSION.encode())
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The bytes stored under `key`, calling `make` and storing its result on a miss."""
        path = self.folder / key[:2] / key
        if path.is_file():
            self.hits += 1
            return path.read_bytes()
        self.misses += 1
        data = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
        return data


def survey_clip(
    midi: MidiInput,
    soundfont: str | os.PathLike[str] | None = None,
    settings: ExcerptSettings = ExcerptSettings(),  # noqa: B008 - frozen, so a shared default is safe
    fmt: Format = "mp3",
    cache: RenderCache | None = None,
) -> EncodedClip:
    """The encoded survey excerpt of a piece, rendered at most once per cache folder.

    The excerpt's samples are cached separately from each encoding, so asking for the MP3 and then the
    WAV of a clip renders it once. Keys use the MIDI's bytes, the SoundFont's content fingerprint (not its
    path) and the settings' repr.
    """
    cache = cache or RenderCache()
    data = midi_bytes(midi)
    font = find_soundfont(soundfont)
    render_key = RenderCache.key("excerpt", data, font.fingerprint(), repr(settings))

    def render() -> bytes:
        excerpt = make_excerpt(load_midi(midi), font.path, settings)
        buffer = io.BytesIO()
        np.save(buffer, excerpt.samples, allow_pickle=False)
        return buffer.getvalue()

    def encode() -> bytes:
        samples = np.load(io.BytesIO(cache.get_or_make(render_key, render)), allow_pickle=False)
        return encode_clip(samples, settings.render.sample_rate, fmt).data

    return clip_from_bytes(cache.get_or_make(RenderCache.key(render_key, fmt), encode), fmt)
