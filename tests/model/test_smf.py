"""The lean MIDI reader: the same notes as mido's parser, and a fallback for anything unusual."""

from __future__ import annotations

import io
from pathlib import Path

import mido
import pretty_midi
import pytest

from model.score import MidiError, load_midi
from model.smf import read_smf


def notes(midi: pretty_midi.PrettyMIDI) -> list[tuple]:
    return [(i.program, i.name, n.start, n.end, n.pitch, n.velocity) for i in midi.instruments for n in i.notes]


def test_pop909_songs_parse_to_exactly_what_mido_gives(pop909_dir: Path) -> None:
    for folder in sorted(pop909_dir.iterdir())[:40]:
        data = (folder / f"{folder.name}.mid").read_bytes()
        fast = pretty_midi.PrettyMIDI(mido_object=read_smf(data))
        careful = pretty_midi.PrettyMIDI(io.BytesIO(data))
        assert notes(fast) == notes(careful)
        assert fast.get_tempo_changes()[1].tolist() == careful.get_tempo_changes()[1].tolist()
        assert [(t.numerator, t.time) for t in fast.time_signature_changes] == \
            [(t.numerator, t.time) for t in careful.time_signature_changes]


def running_status_file() -> bytes:
    """Two notes written with running status (the second note-on and the note-offs omit the status byte)."""
    events = bytes([0x00, 0xC0, 0x05,  # program change 5
                    0x00, 0x90, 60, 100, 0x00, 64, 90,  # note-ons, the second by running status
                    0x83, 0x60, 60, 0, 0x00, 64, 0,  # note-ons with velocity 0 end them
                    0x00, 0xE0, 0x00, 0x50,  # a pitch bend
                    0x00, 0xFF, 0x2F, 0x00])
    header = b"MThd" + (6).to_bytes(4, "big") + b"\x00\x00" + (1).to_bytes(2, "big") + (480).to_bytes(2, "big")
    return header + b"MTrk" + len(events).to_bytes(4, "big") + events


def test_running_status_and_pitch_bends_match_mido() -> None:
    data = running_status_file()
    fast, careful = read_smf(data), mido.MidiFile(file=io.BytesIO(data))
    assert [m.dict() for m in fast.tracks[0]] == [m.dict() for m in careful.tracks[0]]
    assert notes(pretty_midi.PrettyMIDI(mido_object=fast)) == notes(pretty_midi.PrettyMIDI(io.BytesIO(data)))


@pytest.mark.parametrize("data", [b"", b"MThd", b"garbage", running_status_file()[:-3],
                                  running_status_file().replace(bytes([60, 100]), bytes([60, 200]))])
def test_anything_unusual_is_left_to_mido(data: bytes) -> None:
    assert read_smf(data) is None


def test_a_file_mido_refuses_is_still_a_clear_midi_error() -> None:
    with pytest.raises(MidiError):
        load_midi(running_status_file().replace(bytes([60, 100]), bytes([60, 200])))
