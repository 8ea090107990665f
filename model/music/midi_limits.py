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
        midi = _pretty(pretty_midi, data)
    except Exception as exc:  # mido and pretty_midi raise many types on corrupt input
        try:  # symusic read it (the check above): pretty_midi parses symusic's rewrite, so both readers agree
            midi = _pretty(pretty_midi, _symusic_score(data).dumps_midi())
        except Exception:
            raise unreadable(exc) from exc
    if midi.get_end_time() > MAX_SECONDS:
        raise MidiTooLargeError(f"The MIDI lasts over {MAX_SECONDS / 3600:.0f} hours; at most "
                                f"{MAX_SECONDS / 3600:.0f} are read.")
    return midi


def _pretty(pretty_midi: Any, data: bytes) -> pretty_midi.PrettyMIDI:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pretty_midi warns about odd tempo or key events it still reads
        return pretty_midi.PrettyMIDI(io.BytesIO(data))


def check_midi_bytes(data: bytes) -> MidiSize:
    """The one verdict on MIDI bytes, before any entry point parses them: readable by symusic, with tempos and time
    signatures a piece can have, and within the limits. Every entry point (rendering, primers, metrics, uploads)
    calls it, so a file is refused by all of them in the same sentence or read by all.

    Raises ``MidiError`` for data that is not a usable Standard MIDI File and ``MidiTooLargeError`` beyond a limit.
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
    _check_size(size)
    return size


def prescan(data: bytes) -> MidiSize:
    """Tracks, notes and length of MIDI bytes by symusic; ``MidiError`` when it cannot read them or their clock."""
    ticks = _symusic_score(data)
    _check_clock(ticks)
    seconds: Any = ticks.to("second")
    return MidiSize(len(seconds.tracks), int(seconds.note_num()), float(seconds.end()))


def _symusic_score(data: bytes) -> Any:
    """symusic's reading of the bytes (its stubs lack parts of the score's API); ``MidiError`` when it fails."""
    import symusic

    try:
        return symusic.Score.from_midi(data)
    except Exception as exc:  # symusic raises RuntimeError and others on corrupt input
        raise unreadable(exc) from exc


TIME_SIGNATURE_DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)


def _check_clock(ticks: Any) -> None:
    """Tempos and time signatures turn ticks into seconds and bars; a zero tempo or a bar of n/0 breaks every reader."""
    if any(tempo.mspq <= 0 for tempo in ticks.tempos):
        raise MidiError(f"{UNREADABLE}it sets a tempo of 0 (a beat that never ends).")
    for signature in ticks.time_signatures:
        if signature.numerator < 1 or signature.denominator not in TIME_SIGNATURE_DENOMINATORS:
            raise MidiError(f"{UNREADABLE}it has a time signature of {signature.numerator}/{signature.denominator}, "
                            "which no bar can have.")


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
    elif "Division type is not ticks per quarter" in text:
        reason = "it counts time in SMPTE frames, not beats (export it with ticks per beat)"
    elif "data byte must be in range" in text or "Get pitch=" in text or "Get velocity=" in text:
        reason = "an event holds a data byte above 127, so the file is corrupt"
    elif isinstance(error, KeyError | IndexError | TypeError | AttributeError):
        reason = "its events are corrupt"
    else:
        reason = f"it is corrupt: {text.rstrip('.') or 'no reason given'}"
    return MidiError(f"{UNREADABLE}{reason}.")
