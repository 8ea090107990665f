"""Finding the SoundFont to render with, in one documented order (see soundfonts/README.md).

Every clip of a study must come from the same SoundFont, so the lookup never falls back silently from a
SoundFont that was asked for (argument or env `SOUNDFONT`) to another one: a missing file is an error.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from audio.errors import SoundFontError

REPO_SOUNDFONTS = Path(__file__).resolve().parents[1] / "soundfonts"
"""The repository's soundfonts/ folder; any *.sf2 or *.sf3 dropped there is used before system ones."""

SYSTEM_SOUNDFONTS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/soundfonts/default.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
)
"""General MIDI SoundFonts of Debian's fluid-soundfont-gm package and the usual default links."""

SUFFIXES = (".sf2", ".sf3")


@dataclass(frozen=True)
class SoundFont:
    """A SoundFont file chosen by `find_soundfont`.

    Attributes
    ----------
    path : Path
        Absolute path of the file.
    source : str
        Where it came from, for messages: "argument", "env SOUNDFONT", "soundfonts/", "system" or
        "pretty_midi".
    tried : tuple of str
        Every place looked at, in order, so a later load failure can list them.
    """

    path: Path
    source: str
    tried: tuple[str, ...]

    def fingerprint(self) -> str:
        """A content fingerprint for cache keys; see `soundfont_fingerprint`."""
        return soundfont_fingerprint(self.path)


def _pretty_midi_soundfont() -> Path:
    """pretty_midi's bundled TimGM6mb.sf2, the small last-resort SoundFont."""
    import pretty_midi

    return Path(pretty_midi.__file__).resolve().parent / "TimGM6mb.sf2"


def _candidates() -> list[tuple[str, Path]]:
    """Automatic candidates after the argument and the environment, in lookup order."""
    found = sorted(p for p in REPO_SOUNDFONTS.glob("*") if p.suffix.lower() in SUFFIXES)
    return [
        *(("soundfonts/", p) for p in found),
        *(("system", p) for p in SYSTEM_SOUNDFONTS),
        ("pretty_midi", _pretty_midi_soundfont()),
    ]


def find_soundfont(explicit: str | os.PathLike[str] | None = None) -> SoundFont:
    """Choose the SoundFont: `explicit`, env ``SOUNDFONT``, soundfonts/, the system GM font, pretty_midi's.

    Parameters
    ----------
    explicit : path-like or None
        A SoundFont asked for by the caller; it must exist.

    Returns
    -------
    SoundFont
        The first existing file in lookup order.

    Raises
    ------
    SoundFontError
        When the explicit or environment SoundFont does not exist, or when no candidate exists.
    """
    env = os.environ.get("SOUNDFONT")
    for source, value in (("argument", explicit), ("env SOUNDFONT", env)):
        if value:
            path = Path(value).expanduser().resolve()
            if not path.is_file():
                raise SoundFontError(f"The SoundFont given by {source} does not exist: {path}.")
            return SoundFont(path, source, (f"{source}: {path}",))
    tried: list[str] = ["argument: none", "env SOUNDFONT: unset", f"soundfonts/: {REPO_SOUNDFONTS}/*.sf2"]
    for source, path in _candidates():
        tried.append(f"{source}: {path}")
        if path.is_file():
            return SoundFont(path.resolve(), source, tuple(tried))
    places = "; ".join(tried)
    raise SoundFontError(f"No SoundFont found (install Debian's fluid-soundfont-gm); places tried: {places}.")


def soundfont_fingerprint(path: Path) -> str:
    """Hash of a SoundFont's size and its first and last MiB, as hex.

    Hashing all 140 MB of FluidR3_GM for every clip would cost more than rendering it; size plus both ends
    tells real SoundFonts apart and does not depend on where the file lives.
    """
    stat = path.stat()
    return _fingerprint(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=16)
def _fingerprint(path: str, size: int, mtime_ns: int) -> str:
    """Cached worker of `soundfont_fingerprint`; `mtime_ns` is only there to invalidate the cache."""
    chunk = 1 << 20
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as handle:
        digest.update(handle.read(chunk))
        handle.seek(max(0, size - chunk))
        digest.update(handle.read(chunk))
    return digest.hexdigest()
