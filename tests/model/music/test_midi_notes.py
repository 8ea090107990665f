"""Reading MIDI by symusic: the notes pretty_midi gives, the tempo map's beats, and one clear error."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from model.music.midi_notes import MidiError, read_notes


def pretty_notes(midi: pretty_midi.PrettyMIDI) -> np.ndarray:
    rows = sorted((n.start, n.end, n.pitch, n.velocity) for i in midi.instruments if not i.is_drum for n in i.notes)
    return np.array(rows, dtype=float)


def symusic_notes(data: bytes) -> np.ndarray:
    notes = read_notes(data)
    rows = sorted(zip(notes.starts, notes.ends, notes.pitches, notes.velocities, strict=True))
    return np.array(rows, dtype=float)


def test_pop909_songs_give_pretty_midis_notes_to_the_millisecond(pop909_dir: Path) -> None:
    for folder in sorted(pop909_dir.iterdir())[:20]:
        data = (folder / f"{folder.name}.mid").read_bytes()
        ours, theirs = symusic_notes(data), pretty_notes(pretty_midi.PrettyMIDI(io.BytesIO(data)))
        assert ours.shape == theirs.shape
        assert np.abs(ours - theirs).max() < 1e-3


def changing_meter() -> bytes:
    """Two bars of 3/4 at 100 BPM, then 6/8 at 140 BPM, a note in each bar."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=100)
    midi.time_signature_changes = [pretty_midi.TimeSignature(3, 4, 0.0), pretty_midi.TimeSignature(6, 8, 3.6)]
    piano = pretty_midi.Instrument(0, name="Piano")
    piano.notes = [pretty_midi.Note(90, 60 + k, 1.8 * k, 1.8 * k + 0.5) for k in range(4)]
    midi.instruments.append(piano)
    buffer = io.BytesIO()
    midi.write(buffer)
    data = buffer.getvalue()
    tempo_change = pretty_midi.PrettyMIDI(io.BytesIO(data))
    tempo_change._tick_scales.append((tempo_change.time_to_tick(3.6), 60.0 / (140 * tempo_change.resolution)))
    buffer = io.BytesIO()
    tempo_change.write(buffer)
    return buffer.getvalue()


def test_the_tempo_map_gives_pretty_midis_beats_and_downbeats() -> None:
    data = changing_meter()
    midi = pretty_midi.PrettyMIDI(io.BytesIO(data))
    notes = read_notes(data)
    assert len(midi.get_tempo_changes()[0]) == 2 and len(midi.time_signature_changes) == 2
    expected = midi.get_beats()
    assert np.allclose(notes.beats[: len(expected)], expected, atol=1e-6)
    assert np.allclose(notes.beats[notes.downbeats][: len(midi.get_downbeats())], midi.get_downbeats(), atol=1e-6)


def test_a_named_track_is_chosen_and_all_notes_are_kept_when_none_has_the_name(pop909_dir: Path) -> None:
    notes = read_notes((pop909_dir / "001" / "001.mid").read_bytes())
    melody = notes.tracks("melody ")
    assert notes.has_track("MELODY") and 0 < len(melody.starts) < len(notes.starts)
    assert set(melody.track_names) == {"MELODY"}
    assert notes.tracks("VIOLIN") is notes


@pytest.mark.parametrize("data", [b"", b"MThd", b"garbage" * 10])
def test_bytes_that_are_not_midi_are_one_clear_error(data: bytes) -> None:
    with pytest.raises(MidiError, match=r"^[A-Z].*\.$"):
        read_notes(data)
