"""One set of MIDI limits at every entry point, checked before the slow parse, refused in one sentence."""

from __future__ import annotations

from pathlib import Path

import pretty_midi
import pytest

from audio.errors import MidiTooLargeError as AudioTooLarge
from audio.excerpt import choose_start
from audio.midi import load_midi as audio_load_midi
from bench.dense_midi import dense_midi
from model.evaluation.metrics import MidiReadError, piece_metrics_from_bytes
from model.music import midi_limits
from model.music.midi_limits import parse_pretty_midi, read_midi_file
from model.music.score import MidiError, load_score

TOO_MANY = dense_midi(midi_limits.MAX_NOTES + 1)  # 1.6 MB, far under the size cap


def test_the_prescan_counts_what_the_full_parser_would_read() -> None:
    size = midi_limits.check_midi_bytes(dense_midi(1000))
    assert size is not None and (size.tracks, size.notes) == (1, 1000)
    assert size.seconds == pytest.approx(1000 * 12 / 96 * 0.5), "an eighth note each at 120 BPM"


@pytest.mark.parametrize("entry", [
    lambda data: audio_load_midi(data),           # rendering, excerpts, Studio uploads
    lambda data: parse_pretty_midi(data),         # pretty_midi objects (rendering and metrics parse this way)
    lambda data: load_score(data),                # generation primers, corpus, melody extraction (symusic)
    lambda data: piece_metrics_from_bytes(data),  # metrics of study clips and `model metrics`
])
def test_every_entry_point_refuses_more_notes_than_the_limit(entry) -> None:
    with pytest.raises((midi_limits.MidiTooLargeError, MidiReadError), match="200,000"):
        entry(TOO_MANY)


def test_the_audio_package_refuses_with_its_own_error_class_of_the_same_family() -> None:
    with pytest.raises(AudioTooLarge) as caught:
        audio_load_midi(TOO_MANY)
    assert isinstance(caught.value, midi_limits.MidiTooLargeError), "one family of MIDI errors"


@pytest.mark.parametrize(("data", "words"), [
    (dense_midi(50)[:-30], "truncated"),
    (dense_midi(0)[:14] + b"MTrk\x00\x00\x00\x00", "no notes or events"),
    (dense_midi(5).replace(bytes([0x90, 60, 64]), bytes([0x90, 200, 64]), 1), "data byte above 127"),
    (b"", "empty"),
])
def test_corrupt_files_are_named_for_what_is_wrong_without_exception_names(data: bytes, words: str) -> None:
    with pytest.raises(MidiError) as caught:
        load_score(data) if data else parse_pretty_midi(data)
    message = str(caught.value)
    assert words in message
    assert not any(name in message for name in ("EOFError", "ValueError", "OSError", "KeyError"))


def test_a_drums_only_file_says_drums_are_not_used() -> None:
    with pytest.raises(MidiError, match=r"only drum notes \(300\), and drums are not used"):
        load_score(dense_midi(300, drums=True))


def test_a_folder_is_not_a_midi_file(tmp_path: Path) -> None:
    with pytest.raises(MidiError, match="is a folder, not a MIDI file"):
        read_midi_file(tmp_path)
    with pytest.raises(MidiError, match="is a folder, not a MIDI file"):
        load_score(tmp_path)


class CountingMidi(pretty_midi.PrettyMIDI):
    """A real PrettyMIDI that counts how often its end time is computed (each call visits every note)."""

    calls = 0

    def get_end_time(self) -> float:
        CountingMidi.calls += 1
        return super().get_end_time()


def end_time_calls(tmp_path: Path, notes: int) -> int:
    path = tmp_path / f"dense-{notes}.mid"
    path.write_bytes(dense_midi(notes))
    piece = CountingMidi(str(path))
    CountingMidi.calls = 0
    choose_start(piece, 20.0, 10_000.0)
    return CountingMidi.calls


def test_the_excerpt_start_costs_the_same_number_of_passes_over_the_notes_whatever_the_bars(tmp_path: Path) -> None:
    short, long = end_time_calls(tmp_path, 1_000), end_time_calls(tmp_path, 20_000)  # 62 and 1,250 bars
    assert short == long, f"{short} passes for 62 bars, {long} for 1,250 (one per bar before: linear in bars)"
