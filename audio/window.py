"""The MIDI of what participants hear: the notes sounding within a clip's excerpt, from its start.

A study clip is a 20 s excerpt of a longer piece (a whole POP909 song, or a generated piece after its human
primer). Measures meant to explain ratings must describe those 20 s, not the rest of the piece, so the clip's
metrics are computed on this window (``survey.clips.prepare``).
"""

from __future__ import annotations

import pretty_midi

from audio.midi import MidiInput, load_midi, midi_bytes
from audio.presentation import piece_bpm


def excerpt_midi(midi: MidiInput, start: float, seconds: float) -> bytes:
    """Notes sounding in ``[start, start + seconds)``, cut to the window and shifted to begin at 0.

    The window keeps the piece's tempo (the one in effect longest), so beat-based measures see the same grid.
    """
    piece = load_midi(midi)
    end = start + seconds
    out = pretty_midi.PrettyMIDI(initial_tempo=piece_bpm(piece))
    for instrument in piece.instruments:
        kept = [pretty_midi.Note(n.velocity, n.pitch, max(n.start, start) - start, min(n.end, end) - start)
                for n in instrument.notes if n.end > start and n.start < end]
        if kept:
            track = pretty_midi.Instrument(program=instrument.program, is_drum=instrument.is_drum,
                                           name=instrument.name)
            track.notes = kept
            out.instruments.append(track)
    return midi_bytes(out)
