"""Hostile MIDI for the tests and the bench: millions of notes written byte by byte in well under a second."""

from __future__ import annotations

import struct


def dense_midi(notes: int, ticks_per_note: int = 12, drums: bool = False) -> bytes:
    """One track of ``notes`` back-to-back middle Cs (an eighth note each at 96 ticks per beat)."""
    channel = 9 if drums else 0
    on = bytes([0x00, 0x90 | channel, 60, 64])
    off = bytes([ticks_per_note, 0x80 | channel, 60, 0])
    body = (on + off) * notes + b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) + b"MTrk" + struct.pack(">I", len(body)) + body
