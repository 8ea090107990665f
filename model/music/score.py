"""A parsed piece on a 16th-note grid: the one in-memory form every tokeniser reads.

Notes are read by symusic (:mod:`model.music.midi_notes`). Onsets and offsets are mapped onto a 16th-note grid
through the song's beat times (POP909's ``beat_midi.txt`` where it exists, else the MIDI tempo map), so that
performance timing in POP909 becomes the metrical positions a listener hears. Pieces are written with
pretty_midi, whose objects the renderer and the metrics take.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi

from model.music import midi_limits
from model.music.chords import Chord, Progression, chord_changes, read_chord_file
from model.music.midi_notes import MidiNotes, read_notes
from model.music.pop909 import TRACKS, read_beat_file

STEPS_PER_BEAT = 4
STEPS_PER_BAR = 16
MAX_SECONDS = midi_limits.MAX_SECONDS
MidiError = midi_limits.MidiError
"""A MIDI file that cannot be used: corrupt bytes, no notes, or beyond ``model.music.midi_limits``."""
VOICES = TRACKS
"""A note's voice is its index here: POP909's MELODY (0), BRIDGE (1) and PIANO (2) tracks."""
MELODY, BRIDGE, PIANO = range(len(VOICES))


@dataclass(frozen=True)
class Score:
    """Notes of one piece on the grid.

    Attributes
    ----------
    onsets, durations : int arrays in 16th-note steps; bar ``b`` starts at step ``16 * b``.
    pitches, velocities : int arrays (MIDI numbers).
    seconds_per_beat : median beat length in seconds, to restore the tempo when rendering.
    chords : (step, chord) at each chord change, from POP909's chord annotations or a decoded piece.
    voices : int array of :data:`VOICES` indices, or None for a piece without voices (every note the piano's).
        A POP909 song's tracks are its voices; a file with other track names is all piano.
    """

    onsets: np.ndarray
    durations: np.ndarray
    pitches: np.ndarray
    velocities: np.ndarray
    seconds_per_beat: float
    chords: tuple[tuple[int, Chord], ...] = ()
    voices: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.onsets)
        lengths = (len(self.durations), len(self.pitches), len(self.velocities),
                   n if self.voices is None else len(self.voices))
        if any(length != n for length in lengths):
            raise ValueError("Score arrays must have equal lengths.")

    @property
    def voice_ids(self) -> np.ndarray:
        """Each note's voice (:data:`VOICES` index); the piano's for a score without voices."""
        return np.full(len(self.onsets), PIANO, dtype=np.int64) if self.voices is None else self.voices

    def kept(self, keep: np.ndarray, onsets: np.ndarray, pitches: np.ndarray,
             chords: tuple[tuple[int, Chord], ...]) -> Score:
        """The notes ``keep`` selects, at ``onsets`` and ``pitches`` (already selected), with their voices."""
        return Score(onsets, self.durations[keep], pitches, self.velocities[keep], self.seconds_per_beat, chords,
                     None if self.voices is None else self.voices[keep])

    @property
    def n_notes(self) -> int:
        return len(self.onsets)

    def bars(self, start: int, count: int) -> Score:
        """Notes starting in bars ``start`` .. ``start + count - 1``, moved so that ``start`` becomes bar 0."""
        first, stop = start * STEPS_PER_BAR, (start + count) * STEPS_PER_BAR
        keep = (self.onsets >= first) & (self.onsets < stop)
        chords = Progression(self.chords, 0).excerpt(start, count, STEPS_PER_BAR).changes
        return self.kept(keep, self.onsets[keep] - first, self.pitches[keep], chords)

    def transposed(self, semitones: int) -> Score:
        """Shift every pitch; notes pushed outside MIDI 0-127 are dropped rather than wrapped."""
        pitches = self.pitches + semitones
        keep = (pitches >= 0) & (pitches <= 127)
        chords = Progression(self.chords, 0).transposed(semitones).changes
        return self.kept(keep, self.onsets[keep], pitches[keep], chords)


def to_score(
    notes: MidiNotes, beats: np.ndarray | None = None, downbeats: np.ndarray | None = None,
    chords: list[tuple[float, float, Chord]] | None = None,
) -> Score:
    """Quantise ``notes`` (and chord annotations, when given) onto the 16th grid of ``beats`` (default: the
    tempo map's)."""
    if len(notes.starts) == 0:
        raise MidiError(f"The MIDI file has only drum notes ({notes.drum_notes}), and drums are not used; give it "
                        "pitched instruments." if notes.drum_notes else "The MIDI file has no notes.")
    if beats is None or downbeats is None or len(beats) < 2:
        beats, downbeats = notes.beats, notes.downbeats
    if len(beats) < 2:
        beats, downbeats = np.array([0.0, 0.5]), np.array([True, False])
    start_steps = np.round(_beat_position(notes.starts, beats) * STEPS_PER_BEAT).astype(np.int64)
    end_steps = np.round(_beat_position(notes.ends, beats) * STEPS_PER_BEAT).astype(np.int64)
    origin = _bar_origin(downbeats, int(start_steps.min()))
    order = np.lexsort((notes.pitches, start_steps))
    changes: tuple[tuple[int, Chord], ...] = ()
    if chords:
        chord_steps = np.round(_beat_position(np.array([c[0] for c in chords]), beats) * STEPS_PER_BEAT)
        steps = np.maximum(chord_steps.astype(np.int64) - origin, 0).tolist()
        changes = chord_changes(zip(steps, [c[2] for c in chords], strict=True))
    return Score(
        onsets=(start_steps - origin)[order],
        durations=np.maximum(end_steps - start_steps, 1)[order],
        pitches=notes.pitches[order],
        velocities=notes.velocities[order],
        seconds_per_beat=float(np.median(np.diff(beats))),
        chords=changes,
        voices=None if (voices := _voices(notes)) is None else voices[order],
    )


def _voices(notes: MidiNotes) -> np.ndarray | None:
    """Each note's voice by its track's name (POP909's MELODY, BRIDGE, PIANO; any other track is the piano), or
    None for a file that names none of them (it has no voices, rather than three of which two are silent)."""
    names = np.char.upper(np.char.strip(notes.track_names.astype(str)))
    voices = np.full(len(names), PIANO, dtype=np.int64)
    for voice, name in enumerate(VOICES):
        voices[names == name] = voice
    return voices if np.isin(names, VOICES).any() else None


def _beat_position(times: np.ndarray, beats: np.ndarray) -> np.ndarray:
    """Fractional beat index of each time, extrapolating linearly before the first and after the last beat."""
    first = (beats[1] - beats[0]) or 0.5
    last = (beats[-1] - beats[-2]) or 0.5
    index = np.interp(times, beats, np.arange(len(beats), dtype=float))
    index = np.where(times < beats[0], (times - beats[0]) / first, index)
    return np.where(times > beats[-1], len(beats) - 1 + (times - beats[-1]) / last, index)


def _bar_origin(downbeats: np.ndarray, first_onset: int) -> int:
    """Grid step of bar 0: the first downbeat, moved back whole bars so no note starts before it."""
    flagged = np.flatnonzero(downbeats)
    origin = int(flagged[0]) * STEPS_PER_BEAT if len(flagged) else 0
    if first_onset < origin:
        origin -= STEPS_PER_BAR * -(-(origin - first_onset) // STEPS_PER_BAR)
    return origin


def load_score(midi_path: str | Path | bytes, beat_path: Path | None = None, chord_path: Path | None = None) -> Score:
    """Parse a MIDI file (with POP909 beat and chord annotations when given) into a :class:`Score`."""
    notes = read_notes(midi_path if isinstance(midi_path, bytes) else midi_limits.read_midi_file(midi_path))
    chords = read_chord_file(chord_path) if chord_path is not None else None
    if beat_path is not None:
        beats, downbeats = read_beat_file(beat_path)
        return to_score(notes, beats, downbeats, chords)
    return to_score(notes, chords=chords)


def score_to_midi(score: Score, seconds_per_beat: float | None = None, program: int = 0) -> pretty_midi.PrettyMIDI:
    """Render grid notes back to MIDI at a constant tempo: one instrument, or for a score with voices the three
    tracks named as POP909 names them (MELODY, BRIDGE, PIANO; all three written, as in POP909, even if one is
    silent), so the presentation's "melody only" and the stems find the tune by name."""
    spb = seconds_per_beat or score.seconds_per_beat
    step = spb / STEPS_PER_BEAT
    midi = pretty_midi.PrettyMIDI(initial_tempo=60.0 / spb)
    names = VOICES if score.voices is not None else (pretty_midi.program_to_instrument_name(program),)
    tracks = [pretty_midi.Instrument(program=program, name=name) for name in names]
    voice_of = score.voice_ids if score.voices is not None else np.zeros(score.n_notes, dtype=np.int64)
    notes = zip(score.onsets, score.durations, score.pitches, score.velocities, voice_of, strict=True)
    for onset, dur, pitch, vel, voice in notes:
        start = float(onset) * step
        tracks[int(voice)].notes.append(pretty_midi.Note(int(vel), int(pitch), start, start + float(dur) * step))
    midi.instruments.extend(tracks)
    return midi
