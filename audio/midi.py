"""Reading MIDI input (a path, bytes or a pretty_midi object) safely and within documented limits.

MIDI comes from users and from models, so it is parsed in Python (mido via pretty_midi), never by C code,
and sizes are checked before parsing: a bad file gives a `MidiError`, never a hang or a crash.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import TypeAlias

import pretty_midi

from audio.errors import EmptyMidiError, MidiError, MidiTooLargeError

MidiInput: TypeAlias = str | os.PathLike[str] | bytes | pretty_midi.PrettyMIDI
"""Anything the audio package accepts as MIDI: a file path, the file's bytes, or a parsed object."""

MAX_BYTES = 16 * 1024 * 1024
"""Largest MIDI file read, in bytes (POP909 files are under 100 kB)."""

MAX_TRACKS = 128
"""Most tracks (and instruments) rendered; each instrument needs its own synthesizer channel."""


def midi_bytes(midi: MidiInput) -> bytes:
    """The Standard MIDI File bytes of `midi`, as the cache key and the parser see them."""
    if isinstance(midi, pretty_midi.PrettyMIDI):
        buffer = io.BytesIO()
        midi.write(buffer)
        return buffer.getvalue()
    if isinstance(midi, bytes | bytearray):
        data = bytes(midi)
    elif isinstance(midi, str | os.PathLike):
        data = _read_file(Path(midi))
    else:
        raise MidiError(f"MIDI must be a path, bytes or a pretty_midi.PrettyMIDI, got {type(midi).__name__}.")
    _check_header(data)
    return data


def load_midi(midi: MidiInput) -> pretty_midi.PrettyMIDI:
    """Parse `midi` into a PrettyMIDI with at least one note and at most `MAX_TRACKS` instruments.

    Raises
    ------
    MidiError
        Unreadable input; `EmptyMidiError` when there are no notes; `MidiTooLargeError` beyond the limits.
    """
    if isinstance(midi, pretty_midi.PrettyMIDI):
        parsed = midi
    else:
        data = midi_bytes(midi)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parsed = pretty_midi.PrettyMIDI(io.BytesIO(data))
        except Exception as error:  # mido and pretty_midi raise many types on corrupt input
            raise MidiError(f"The MIDI data cannot be parsed ({type(error).__name__}: {error}).") from error
    if len(parsed.instruments) > MAX_TRACKS:
        raise MidiTooLargeError(f"The MIDI has {len(parsed.instruments)} instruments; at most {MAX_TRACKS}.")
    if not any(instrument.notes for instrument in parsed.instruments):
        raise EmptyMidiError("The MIDI has no notes, so there is nothing to render.")
    return parsed


def _read_file(path: Path) -> bytes:
    """Read a MIDI file no larger than `MAX_BYTES`."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise MidiTooLargeError(f"The MIDI file {path} is {size} bytes; at most {MAX_BYTES} are read.")
        return path.read_bytes()
    except OSError as error:
        raise MidiError(f"The MIDI file {path} cannot be read ({error.strerror or error}).") from error


def _check_header(data: bytes) -> None:
    """Check size and the MThd header (track count at bytes 10-11) before any parsing."""
    if len(data) > MAX_BYTES:
        raise MidiTooLargeError(f"The MIDI data is {len(data)} bytes; at most {MAX_BYTES} are read.")
    if len(data) < 14 or not data.startswith(b"MThd"):
        raise MidiError("The data is not a Standard MIDI File (it does not start with an MThd header).")
    tracks = int.from_bytes(data[10:12], "big")
    if tracks > MAX_TRACKS:
        raise MidiTooLargeError(f"The MIDI file declares {tracks} tracks; at most {MAX_TRACKS} are rendered.")
