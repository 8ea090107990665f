"""Stems: one MIDI file per track of a piece, so a musician can take the melody alone into a DAW.

A voiced piece (``grid-voices``) is POP909's three named tracks; each stem keeps the piece's tempo map and timing,
so the stems line up again when laid side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

from audio.midi import MidiInput, load_midi, midi_bytes
from model.music.tracks import keeping


@dataclass(frozen=True)
class Stem:
    """One track of a piece as its own MIDI file."""

    name: str
    midi: bytes


def track_stems(midi: MidiInput) -> list[Stem]:
    """A stem for every track with notes, in the piece's track order (MELODY, BRIDGE, PIANO for a voiced piece);
    one track gives one stem, the piece itself."""
    parsed = load_midi(midi)
    stems = []
    for index, instrument in enumerate(parsed.instruments):
        if not instrument.notes:
            continue
        stems.append(Stem(instrument.name.strip() or f"Track {index + 1}", midi_bytes(keeping(parsed, [instrument]))))
    return stems
