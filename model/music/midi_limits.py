"""One set of limits for every MIDI entry point: rendering, generation primers, metrics, Studio uploads.

MIDI comes from strangers. A 15 MB file of 2.6 million notes passed every earlier check and then cost minutes
and gigabytes in pretty_midi's pure-Python parser. So before any full parse, :func:`check_midi_bytes` checks the
size and the header, then counts tracks, notes and length with symusic (a C++ reader that scans two million notes
in under 0.1 s), and refuses in one sentence what no real piece needs. The parse that follows is then bounded:
:func:`parse_pretty_midi` for code that wants pretty_midi's objects (rendering, metrics), or
``model.music.midi_notes.read_notes`` (symusic) for the notes alone (the corpus, primers, melodies).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pretty_midi

MAX_BYTES = 16 * 1024 * 1024
"""Largest MIDI file read, in bytes (POP909 files are under 100 kB)."""
MAX_TRACKS = 128
"""Most tracks: each instrument needs its own synthesizer channel."""
MAX_NOTES = 200_000
"""Most notes (POP909's largest song has about 5,000; an hour of dense piano about 100,000)."""
MAX_SECONDS = 4 * 3600.0
"""Longest piece, in seconds."""


UNREADABLE = "This is not a readable MIDI file: "
"""How every refusal of unreadable data begins; the reason follows."""


class MidiError(ValueError):
    """MIDI that cannot be used: not a MIDI file, unreadable, without notes, or beyond the limits."""


class MidiTooLargeError(MidiError):
    """MIDI beyond one of the limits above; the message names the limit."""


@dataclass(frozen=True)
class MidiSize:
    """What the pre-scan found: tracks, notes and length (seconds)."""

    tracks: int
    notes: int
    seconds: float


def read_midi_file(path: str | Path) -> bytes:
    """The bytes of a MIDI file no larger than ``MAX_BYTES``; one sentence for a folder or a missing file."""
    path = Path(path)
    if path.is_dir():
        raise MidiError(f"{path} is a folder, not a MIDI file.")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise MidiTooLargeError(f"The MIDI file {path} is {size:,} bytes; at most {MAX_BYTES:,} are read.")
        return path.read_bytes()
    except OSError as error:
        raise MidiError(f"The MIDI file {path} cannot be read ({error.strerror or error}).") from error


def parse_pretty_midi(data: bytes) -> pretty_midi.PrettyMIDI:
    """The one pretty_midi parse of MIDI bytes, checked against the limits first; every failure is one
    ``MidiError`` sentence. pretty_midi is imported here, not at module level, so the limits stay cheap."""
    import pretty_midi

    check_midi_bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pretty_midi warns about odd tempo or key events it still reads
            midi = pretty_midi.PrettyMIDI(io.BytesIO(data))
    except Exception as exc:  # mido and pretty_midi raise many types on corrupt input
        raise unreadable(exc) from exc
    if midi.get_end_time() > MAX_SECONDS:
        raise MidiTooLargeError(f"The MIDI lasts over {MAX_SECONDS / 3600:.0f} hours; at most "
                                f"{MAX_SECONDS / 3600:.0f} are read.")
    return midi


def check_midi_bytes(data: bytes) -> MidiSize | None:
    """Refuse MIDI bytes beyond the limits before they are parsed; returns the counts when symusic read them.

    Raises ``MidiError`` for data that is not a Standard MIDI File and ``MidiTooLargeError`` beyond a limit.
    Data symusic cannot read is left to the full parser, whose message says what is wrong (None is returned).
    """
    if not data:
        raise MidiError(f"{UNREADABLE}it is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise MidiTooLargeError(f"The MIDI data is {len(data):,} bytes; at most {MAX_BYTES:,} are read.")
    if len(data) < 14 or not data.startswith(b"MThd"):
        raise MidiError(f"{UNREADABLE}it does not start with a complete MThd header.")
    declared = int.from_bytes(data[10:12], "big")
    if declared > MAX_TRACKS:
        raise MidiTooLargeError(f"The MIDI file declares {declared} tracks; at most {MAX_TRACKS} are read.")
    size = prescan(data)
    if size is not None:
        _check_size(size)
    return size


def prescan(data: bytes) -> MidiSize | None:
    """Tracks, notes and length of MIDI bytes by symusic, or None when symusic cannot read them."""
    import symusic

    try:
        score: Any = symusic.Score.from_midi(data, ttype="second")  # its stubs lack the second-based score
    except Exception:  # symusic raises RuntimeError and others on bad data; the full parser will explain
        return None
    return MidiSize(len(score.tracks), int(score.note_num()), float(score.end()))


def _check_size(size: MidiSize) -> None:
    if size.tracks > MAX_TRACKS:
        raise MidiTooLargeError(f"The MIDI has {size.tracks} tracks; at most {MAX_TRACKS} are read.")
    if size.notes > MAX_NOTES:
        raise MidiTooLargeError(f"The MIDI has {size.notes:,} notes; at most {MAX_NOTES:,} are read.")
    if size.seconds > MAX_SECONDS:
        raise MidiTooLargeError(f"The MIDI lasts {size.seconds / 3600:.1f} hours; at most "
                                f"{MAX_SECONDS / 3600:.0f} are read.")


EMPTY = "no tracks"
"""The reason a reader gives :func:`unreadable` for a header followed by no track at all."""


def unreadable(error: Exception) -> MidiError:
    """One sentence for a parser's failure on corrupt MIDI, without the parser's exception names."""
    text = str(error)  # mido's and pretty_midi's messages, and symusic's (the "MiniMidi" and "Get pitch" ones)
    if isinstance(error, EOFError) or "Invalid chunk length" in text:
        reason = "the file ends in the middle of a track (it is truncated)"
    elif "empty sequence" in text or text == EMPTY:
        reason = "the file has a header but no notes or events to read"
    elif "Invaild midi file" in text or "Invalid midi file" in text:
        reason = "it does not start with a MIDI header (MThd)"
    elif "data byte must be in range" in text or "Get pitch=" in text:
        reason = "an event holds a data byte above 127, so the file is corrupt"
    elif isinstance(error, KeyError | IndexError | TypeError | AttributeError):
        reason = "its events are corrupt"
    else:
        reason = f"it is corrupt: {text.rstrip('.') or 'no reason given'}"
    return MidiError(f"{UNREADABLE}{reason}.")
