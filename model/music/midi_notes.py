"""Every note of a MIDI file, read by symusic: the one way the model package reads MIDI it does not write.

symusic is a C++ MIDI library (on the package index): it parses all 909 POP909 files in about 0.3 s where
pretty_midi, through mido's message-by-message Python parser, takes about a minute (``bench/data.py`` prints
the ratio). Notes come back as NumPy arrays in seconds with their track's name, and the tempo map as beat
times, which is all a :class:`~model.music.score.Score` needs. pretty_midi stays where its objects are wanted:
writing pieces, rendering and the metrics built on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.music import midi_limits

MidiError = midi_limits.MidiError


@dataclass(frozen=True)
class MidiNotes:
    """Pitched notes in seconds (drums left out and counted), each with its track's name, and the tempo map's
    beats (seconds) with downbeat flags."""

    starts: np.ndarray
    ends: np.ndarray
    pitches: np.ndarray
    velocities: np.ndarray
    track_names: np.ndarray
    beats: np.ndarray
    downbeats: np.ndarray
    drum_notes: int = 0

    def tracks(self, name: str) -> MidiNotes:
        """Only the notes of tracks called ``name`` (case and spaces ignored); all notes if none is."""
        keep = self._named(name)
        if not keep.any():
            return self
        return MidiNotes(self.starts[keep], self.ends[keep], self.pitches[keep], self.velocities[keep],
                         self.track_names[keep], self.beats, self.downbeats)

    def has_track(self, name: str) -> bool:
        return bool(self._named(name).any())

    def _named(self, name: str) -> np.ndarray:
        return np.char.upper(np.char.strip(self.track_names.astype(str))) == name.strip().upper()


def read_notes(data: bytes) -> MidiNotes:
    """Parse MIDI bytes (checked against ``model.music.midi_limits`` first); every failure is one ``MidiError``."""
    import symusic

    midi_limits.check_midi_bytes(data)
    try:
        ticks: Any = symusic.Score.from_midi(data)  # symusic's stubs lack parts of the score's API
        seconds: Any = ticks.to("second")
    except Exception as exc:  # symusic raises RuntimeError and others on corrupt input
        raise midi_limits.unreadable(exc) from exc
    if len(ticks.tracks) == 0:
        raise midi_limits.unreadable(ValueError(midi_limits.EMPTY))
    arrays = [(track.notes.numpy(), track.name) for track in seconds.tracks if not track.is_drum]
    starts = _joined([a["time"] for a, _ in arrays], np.float64)
    ends = starts + _joined([a["duration"] for a, _ in arrays], np.float64)
    if len(ends) and ends.max() > midi_limits.MAX_SECONDS:
        raise MidiError(f"The MIDI file lasts over {midi_limits.MAX_SECONDS / 3600:.0f} hours; refusing to parse it.")
    beats, downbeats = tempo_map_beats(ticks)
    return MidiNotes(
        starts=starts, ends=ends,
        pitches=_joined([a["pitch"] for a, _ in arrays], np.int64),
        velocities=_joined([a["velocity"] for a, _ in arrays], np.int64),
        track_names=np.array([name for a, name in arrays for _ in range(len(a["time"]))], dtype=object),
        beats=beats, downbeats=downbeats,
        drum_notes=sum(len(track.notes) for track in ticks.tracks if track.is_drum),
    )


def _joined(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def tempo_map_beats(score: Any) -> tuple[np.ndarray, np.ndarray]:
    """Beat times (seconds) and downbeat flags from a tick-based symusic score's tempo map and time signatures.

    As pretty_midi's ``get_beats``/``get_downbeats``: a beat is the time signature's denominator note, or three
    of them in a compound meter (a dotted quarter in 6/8), 4/4 until the first signature, beats up to the last
    note's end.
    """
    tpq, end = score.ticks_per_quarter, max(int(score.end()), 1)
    signatures = [(int(ts.time), int(ts.numerator), int(ts.denominator)) for ts in score.time_signatures]
    if not signatures or signatures[0][0] > 0:
        signatures.insert(0, (0, 4, 4))
    beat_ticks: list[int] = []
    downbeat: list[bool] = []
    for k, (start, numerator, denominator) in enumerate(signatures):
        stop = signatures[k + 1][0] if k + 1 < len(signatures) else end + 1
        compound = numerator > 3 and numerator % 3 == 0
        step = max(tpq * 4 * (3 if compound else 1) // denominator, 1)
        per_bar = max(numerator // 3 if compound else numerator, 1)
        for index, tick in enumerate(range(start, stop, step)):
            beat_ticks.append(tick)
            downbeat.append(index % per_bar == 0)
    return _tick_seconds(np.array(beat_ticks, dtype=np.float64), score), np.array(downbeat)


def _tick_seconds(ticks: np.ndarray, score: Any) -> np.ndarray:
    """Seconds of tick positions under the score's tempo changes (120 BPM before the first one)."""
    changes = [(int(t.time), int(t.mspq)) for t in score.tempos] or [(0, 500_000)]
    if changes[0][0] > 0:
        changes.insert(0, (0, 500_000))
    at = np.array([tick for tick, _ in changes], dtype=np.float64)
    rate = np.array([mspq for _, mspq in changes], dtype=np.float64) / 1e6 / score.ticks_per_quarter
    elapsed = np.concatenate([[0.0], np.cumsum(np.diff(at) * rate[:-1])])
    segment = np.searchsorted(at, ticks, side="right") - 1
    return np.asarray(elapsed[segment] + (ticks - at[segment]) * rate[segment])
