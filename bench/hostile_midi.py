"""Hostile MIDI built byte by byte: the files issue reports found tracebacks or disagreeing readers with.

Each is a Standard MIDI File that one reader or another mishandled: a tempo of 0, time signatures with an absurd
denominator or a zero numerator, an unknown chunk between tracks (the standard says to skip it), an event far past
any real piece, and SMPTE time division. Tests feed every one through every entry point; ``bench/hostile.py``
times the dense ones.
"""

from __future__ import annotations

import struct

NOTES = b"\x00\x90\x3c\x50\x60\x80\x3c\x00\x00\x90\x40\x50\x60\x80\x40\x00"
"""Two quarter notes (middle C, then E) at 96 ticks per beat."""


def vlq(value: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def track(events: bytes) -> bytes:
    body = events + b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def smf(*chunks: bytes, tracks: int | None = None, division: bytes = b"\x00\x60") -> bytes:
    """A format-1 file of ``chunks`` (tracks, or anything else), declaring ``tracks`` tracks."""
    count = tracks if tracks is not None else sum(c.startswith(b"MTrk") for c in chunks)
    return b"MThd" + struct.pack(">IHH", 6, 1, count) + division + b"".join(chunks)


def hostile_files() -> dict[str, bytes]:
    """Name -> bytes of each hostile file."""
    return {
        "tempo of 0": smf(track(b"\x00\xff\x51\x03\x00\x00\x00" + NOTES)),
        "time signature denominator 2^255": smf(track(b"\x00\xff\x58\x04\x04\xff\x18\x08" + NOTES)),
        "time signature numerator 0": smf(track(b"\x00\xff\x58\x04\x00\x02\x18\x08" + NOTES)),
        "unknown chunk between tracks": smf(track(NOTES), b"XFIH" + struct.pack(">I", 4) + b"abcd", track(NOTES)),
        "event at tick 2^28 - 1": smf(track(NOTES + vlq(2**28 - 1) + b"\xb0\x07\x64")),
        "SMPTE time division": smf(track(NOTES), division=b"\xe7\x28"),
    }
