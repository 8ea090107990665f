"""Reading MIDI input (a path, bytes or a pretty_midi object) safely and within documented limits.

MIDI comes from users and from models, so it is checked against ``model.music.midi_limits`` (size, header, then
tracks, notes and length counted by symusic) before pretty_midi parses it: a bad file gives a `MidiError`,
never a hang or a crash.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias

import pretty_midi

from audio.errors import EmptyMidiError, MidiError, MidiTooLargeError
from model.music import midi_limits

MidiInput: TypeAlias = str | os.PathLike[str] | bytes | pretty_midi.PrettyMIDI
"""Anything the audio package accepts as MIDI: a file path, the file's bytes, or a parsed object."""

MAX_BYTES = midi_limits.MAX_BYTES
MAX_TRACKS = midi_limits.MAX_TRACKS


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
        with _as_audio_errors():
            parsed = midi_limits.parse_pretty_midi(data)
    if len(parsed.instruments) > MAX_TRACKS:
        raise MidiTooLargeError(f"The MIDI has {len(parsed.instruments)} instruments; at most {MAX_TRACKS}.")
    if not any(instrument.notes for instrument in parsed.instruments):
        raise EmptyMidiError("The MIDI has no notes, so there is nothing to render.")
    return parsed


def _read_file(path: Path) -> bytes:
    """Read a MIDI file within ``model.music.midi_limits``."""
    with _as_audio_errors():
        return midi_limits.read_midi_file(path)


def _check_header(data: bytes) -> None:
    """Check size, header, tracks, notes and length (``model.music.midi_limits``) before any full parse."""
    with _as_audio_errors():
        midi_limits.check_midi_bytes(data)


@contextlib.contextmanager
def _as_audio_errors() -> Iterator[None]:
    """The limits' errors as this package's (``RenderError`` subclasses), same sentence."""
    try:
        yield
    except midi_limits.MidiTooLargeError as error:
        raise MidiTooLargeError(str(error)) from None
    except midi_limits.MidiError as error:
        raise MidiError(str(error)) from None
