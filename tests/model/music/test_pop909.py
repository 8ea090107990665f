"""POP909 discovery, selection, splitting, download and the cached corpus."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from model.data.corpus import load_corpus, parse_corpus
from model.music import pop909


def test_a_missing_dataset_says_what_was_expected_and_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(pop909.DatasetNotFoundError) as info:
        pop909.find_dir(tmp_path)
    message = str(info.value)
    assert "001.mid" in message and "POP909_DIR" in message and "python -m model download" in message


def test_env_pop909_dir_is_where_the_dataset_is_looked_for(monkeypatch: pytest.MonkeyPatch, pop909_dir: Path) -> None:
    monkeypatch.setenv("POP909_DIR", str(pop909_dir))
    assert pop909.find_dir() == pop909_dir


def test_all_909_songs_are_listed_with_their_beat_annotations(pop909_dir: Path) -> None:
    songs = pop909.list_songs(pop909_dir)
    assert len(songs) == pop909.EXPECTED_SONGS
    assert songs[0].song_id == "001" and songs[0].beats is not None


def test_the_random_subset_is_fixed_by_its_seed(pop909_dir: Path) -> None:
    songs = pop909.list_songs(pop909_dir)
    first = pop909.select_songs(songs, 250, seed=42)
    assert len(first) == 250
    assert first == pop909.select_songs(songs, 250, seed=42)
    assert first != pop909.select_songs(songs, 250, seed=7)
    assert pop909.select_songs(songs, None, seed=42) == songs


def test_train_and_validation_never_share_a_song(pop909_dir: Path) -> None:
    songs = pop909.select_songs(pop909.list_songs(pop909_dir), 250, seed=42)
    train, val = pop909.split_songs(songs, 0.1, seed=42)
    assert len(val) == 25 and len(train) == 225
    assert not {s.song_id for s in train} & {s.song_id for s in val}


def test_download_unpacks_the_repository_archive(tmp_path: Path, pop909_dir: Path) -> None:
    archive = tmp_path / "master.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for song in ("001", "002"):
            for file in (pop909_dir / song).iterdir():
                zf.write(file, f"POP909-Dataset-master/POP909/{song}/{file.name}")
        zf.writestr("POP909-Dataset-master/README.md", "readme")
    target = pop909.download(tmp_path / "data", archive.as_uri())
    assert [s.song_id for s in pop909.list_songs(target)] == ["001", "002"]


def test_download_of_an_archive_without_pop909_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("something/else.txt", "x")
    with pytest.raises(pop909.DatasetNotFoundError, match="no POP909"):
        pop909.download(tmp_path / "data", archive.as_uri())


@pytest.fixture
def folder_with_bad_files(tmp_path: Path, pop909_dir: Path) -> Path:
    for song in ("001", "002", "003"):
        shutil.copytree(pop909_dir / song, tmp_path / song)
    (tmp_path / "004").mkdir()
    (tmp_path / "004" / "004.mid").write_bytes(b"garbage, not MIDI")
    (tmp_path / "005").mkdir()
    (tmp_path / "005" / "005.mid").write_bytes(b"")
    return tmp_path


def test_corrupt_and_empty_files_are_skipped_and_counted(folder_with_bad_files: Path) -> None:
    corpus = parse_corpus(pop909.list_songs(folder_with_bad_files), "grid", workers=1)
    assert corpus.song_ids == ["001", "002", "003"]
    assert [song for song, _ in corpus.skipped] == ["004", "005"]
    assert "2 skipped" in corpus.summary()


def test_the_cache_is_keyed_by_file_contents(folder_with_bad_files: Path, tmp_path: Path) -> None:
    songs = pop909.list_songs(folder_with_bad_files)
    cache = tmp_path / "cache"
    first = load_corpus(songs[:3], "paper", cache_dir=cache)
    assert load_corpus(songs[:3], "paper", cache_dir=cache).n_tokens == first.n_tokens
    assert len(list(cache.iterdir())) == 1
    shutil.copy(songs[1].midi, songs[0].midi)
    changed = load_corpus(songs[:3], "paper", cache_dir=cache)
    assert len(list(cache.iterdir())) == 2
    assert changed.sequences[0].tolist() != first.sequences[0].tolist()


def test_parallel_and_serial_parsing_agree(pop909_dir: Path) -> None:
    songs = pop909.list_songs(pop909_dir)[:12]
    serial, parallel = parse_corpus(songs, "grid", workers=1), parse_corpus(songs, "grid", workers=2)
    assert [serial.events(i) for i in range(12)] == [parallel.events(i) for i in range(12)]


def test_the_beat_grid_has_one_reader(tmp_path: Path) -> None:
    from model.music.pop909 import read_beat_file

    table = tmp_path / "beat_midi.txt"
    table.write_text("0.5 1.0 1.0\n1.0 0.0 0.0\n1.5 1.0 0.0\n2.0 0.0 0.0\n2.5 1.0 1.0\n")
    beats, downbeats = read_beat_file(table)
    assert beats.tolist() == [0.5, 1.0, 1.5, 2.0, 2.5] and downbeats.tolist() == [True, False, False, False, True]
    table.write_text("0.5 1.0\n1.0 0.0\n")
    assert not read_beat_file(table)[1].any(), "without the third column there are no downbeats"
    table.write_text("beats: many\n")
    with pytest.raises(ValueError, match=r"beat_midi\.txt: not a beat table"):
        read_beat_file(table)
