"""POP909 described as data: where it comes from, how it is laid out, how songs are chosen.

POP909 (Wang, Chen, Jiang, Zhang, Xu, Dai, Bin, Xia; ISMIR 2020; MIT licence) holds 909 pop songs as
``NNN/NNN.mid`` with tracks MELODY, BRIDGE and PIANO, beside ``beat_midi.txt`` (beat time in seconds,
duple-downbeat flag, quadruple-downbeat flag) and chord/key annotations. The project never ships it:
it is found through env ``POP909_DIR`` or fetched by ``python -m model download``.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SOURCE_URL = "https://github.com/music-x-lab/POP909-Dataset/archive/refs/heads/master.zip"
EXPECTED_SONGS = 909
LICENCE = "MIT (Music X Lab, 2020)"
CITATION = (
    "Wang, Chen, Jiang, Zhang, Xu, Dai, Bin, Xia. POP909: A Pop-song Dataset for Music Arrangement "
    "Generation. ISMIR 2020."
)
TRACKS = ("MELODY", "BRIDGE", "PIANO")
MELODY_TRACK = TRACKS[0]
"""The track that carries the tune (MelodyRNN reads it; primers start where it enters)."""


class DatasetNotFoundError(FileNotFoundError):
    """POP909 is not where the settings say; the message says what was expected and how to get it."""


def cache_root() -> Path:
    """Folder for downloaded data and caches (env ``LAB_CACHE_DIR``, else ``~/.cache/lstm-music-lab``)."""
    return Path(os.environ.get("LAB_CACHE_DIR", Path.home() / ".cache" / "lstm-music-lab"))


def default_dir() -> Path:
    """Where POP909 is looked for: env ``POP909_DIR``, else the download command's target."""
    env = os.environ.get("POP909_DIR")
    return Path(env) if env else cache_root() / "POP909"


def find_dir(path: str | Path | None = None) -> Path:
    """Return the POP909 folder, or raise one clear sentence saying what was expected and how to fix it."""
    root = Path(path) if path is not None else default_dir()
    if not (root / "001" / "001.mid").is_file():
        raise DatasetNotFoundError(
            f"POP909 was not found at {root}: expected folders 001/ ... 909/ each holding NNN.mid (e.g. 001/001.mid); "
            "set POP909_DIR to the dataset folder or run `python -m model download`."
        )
    return root


@dataclass(frozen=True)
class SongFile:
    """One POP909 song on disk: its id (``"001"``), MIDI path and optional beat and chord annotations."""

    song_id: str
    midi: Path
    beats: Path | None
    chords: Path | None = None


def list_songs(root: Path) -> list[SongFile]:
    """All songs under ``root`` in id order; folders without a MIDI file are ignored."""
    songs = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        midi = folder / f"{folder.name}.mid"
        if midi.is_file():
            beats, chords = folder / "beat_midi.txt", folder / "chord_midi.txt"
            songs.append(SongFile(folder.name, midi, beats if beats.is_file() else None,
                                  chords if chords.is_file() else None))
    return songs


def find_song(song_id: str, root: Path | None = None) -> SongFile:
    """One song by id (``"1"`` and ``"001"`` alike), or one sentence saying which ids exist."""
    songs = {s.song_id: s for s in list_songs(find_dir(root))}
    if song_id.zfill(3) not in songs:
        raise ValueError(f"POP909 has no song {song_id!r}; ids run from 001 to 909.")
    return songs[song_id.zfill(3)]


def select_songs(songs: list[SongFile], count: int | None, seed: int) -> list[SongFile]:
    """The seed study's random subset: ``count`` songs drawn with a fixed seed (all when None)."""
    if count is None or count >= len(songs):
        return list(songs)
    if count < 1:
        raise ValueError(f"songs must be between 1 and {len(songs)}, got {count}.")
    chosen = random.Random(seed).sample(range(len(songs)), count)
    return [songs[i] for i in sorted(chosen)]


def split_songs(
    songs: list[SongFile], validation_share: float, seed: int
) -> tuple[list[SongFile], list[SongFile]]:
    """Split by song, never by window, so validation measures generalisation to unseen songs."""
    if not 0.0 <= validation_share < 1.0:
        raise ValueError(f"validation share must be in [0, 1), got {validation_share}.")
    order = list(songs)
    random.Random(seed + 1).shuffle(order)
    n_val = round(len(order) * validation_share)
    if validation_share > 0 and len(order) > 1:
        n_val = max(1, n_val)
    val = sorted(order[:n_val], key=lambda s: s.song_id)
    train = sorted(order[n_val:], key=lambda s: s.song_id)
    return train, val


def download(dest: Path | None = None, url: str = SOURCE_URL) -> Path:
    """Fetch POP909 from its public repository archive and unpack the song folders into ``dest``.

    ``url`` may be any URL urllib opens (``file://`` in tests), so the same code path is tested
    without the network. Returns the dataset folder.
    """
    dest = Path(dest) if dest is not None else cache_root() / "POP909"
    with urllib.request.urlopen(url, timeout=60) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    members = [m for m in archive.namelist() if "/POP909/" in m and not m.endswith("/")]
    if not members:
        raise DatasetNotFoundError(f"The archive at {url} holds no POP909/ folder; is it the POP909 repository?")
    tmp = dest.with_name(dest.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    for member in members:
        relative = member.split("/POP909/", 1)[1]
        target = tmp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(member))
    shutil.rmtree(dest, ignore_errors=True)
    tmp.rename(dest)
    return find_dir(dest)


BEAT_FILE = "beat_midi.txt"


def read_beat_file(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A POP909 ``beat_midi.txt``: beat times (s) and the quadruple-metre downbeat flag of each (third column).

    The one reader of the beat grid, for the corpus, melodies and metrics alike (two used to read it, one
    taking a flag > 0.5, the other == 1). A table without the third column has no downbeats; a file that is
    not a table of numbers is a ``ValueError`` naming it.
    """
    try:
        table = np.loadtxt(path, ndmin=2)
    except ValueError as error:
        raise ValueError(f"{path}: not a beat table ({error})") from error
    flags = table[:, 2] > 0.5 if table.shape[1] >= 3 else np.zeros(len(table), dtype=bool)
    return table[:, 0], flags
