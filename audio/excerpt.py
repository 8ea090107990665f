"""Survey excerpts: same length, musically sensible start, short fades, same loudness and peak ceiling.

Pipeline: choose a start on a downbeat with a note, render only that window, trim trailing silence, cut to
length, fade, normalise loudness (limiting peaks), and pad with digital silence to the exact length, so
every clip of a study has the same number of samples whatever the piece.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pretty_midi

from audio.loudness import integrated_loudness, normalise, peak_dbfs
from audio.midi import MidiInput, load_midi
from audio.render import render_midi
from audio.settings import ExcerptSettings

SNAP_BEATS = 0.125
"""A note onset within this fraction of a beat of a downbeat counts as on it: performed MIDI is not
quantised, and POP909's bar grid sits about 55 ms before its notes."""


@dataclass(frozen=True)
class Excerpt:
    """A finished survey clip.

    Attributes
    ----------
    samples : np.ndarray
        float32, shape (round(seconds * sample_rate), 2).
    sample_rate : int
        In Hz.
    start_seconds : float
        Where in the piece the clip starts, in seconds (never shown to participants).
    loudness_lufs, peak_dbfs : float
        Measured integrated loudness (LUFS) and sample peak (dBFS) of `samples`.
    """

    samples: np.ndarray
    sample_rate: int
    start_seconds: float
    loudness_lufs: float
    peak_dbfs: float


def make_excerpt(
    midi: MidiInput,
    soundfont: str | os.PathLike[str] | None = None,
    settings: ExcerptSettings = ExcerptSettings(),  # noqa: B008 - frozen, so a shared default is safe
) -> Excerpt:
    """Render the survey excerpt of a piece.

    Pieces shorter than ``settings.seconds`` are rendered whole and padded with silence to the full length.

    Raises
    ------
    RenderError
        Any subclass from `audio.errors`: bad MIDI, missing SoundFont, silent audio, unreachable loudness.
    """
    parsed = load_midi(midi)
    rate = settings.render.sample_rate
    start = choose_start(parsed, settings.seconds, settings.start_seconds)
    stop = min(start + settings.seconds, parsed.get_end_time() + settings.render.tail_seconds)
    samples, _ = render_midi(parsed, soundfont, settings.render, start=start, stop=stop)
    samples = trim_trailing_silence(samples, settings.silence_dbfs)
    samples = fade(samples, round(settings.fade_in_seconds * rate), round(settings.fade_out_seconds * rate))
    return _at_level(pad(normalise(samples, rate, settings.lufs, settings.peak_dbfs), round(settings.seconds * rate)),
                     rate, start)


WHOLE_PIECE_FADE_SECONDS = 0.01
"""A whole piece keeps its first attack; 10 ms of fade-out only removes the click where the rendered tail is cut."""


def whole_piece(
    midi: MidiInput,
    soundfont: str | os.PathLike[str] | None = None,
    settings: ExcerptSettings = ExcerptSettings(),  # noqa: B008 - frozen, so a shared default is safe
) -> Excerpt:
    """Any piece made listenable beside the study's clips: rendered whole, at the clips' loudness and peak
    ceiling (``settings.lufs``, ``settings.peak_dbfs``), so a musician compares pieces and clips by ear.

    Raises any ``RenderError`` subclass, as :func:`make_excerpt` does.
    """
    samples, rate = render_midi(midi, soundfont, settings.render)
    samples = fade(samples, 0, round(WHOLE_PIECE_FADE_SECONDS * rate))
    return _at_level(normalise(samples, rate, settings.lufs, settings.peak_dbfs), rate, 0.0)


def _at_level(samples: np.ndarray, rate: int, start: float) -> Excerpt:
    return Excerpt(samples, rate, start, integrated_loudness(samples, rate), peak_dbfs(samples))


def choose_start(midi: pretty_midi.PrettyMIDI, seconds: float, requested: float | None) -> float:
    """Start time in seconds: a downbeat where a note begins, at or after `requested`.

    Candidates are downbeats with a note onset within `SNAP_BEATS` of a beat (the start is that onset, so
    no note is cut). The first candidate at or after `requested` (default: the first note) is taken,
    unless the clip would then run past the end of the piece: then the last candidate from which it fits.
    With no candidate at all (no downbeat has a note), the first note onset is used.
    """
    onsets = np.unique([note.start for instrument in midi.instruments for note in instrument.notes])
    beats = midi.get_beats()
    snap = SNAP_BEATS * float(np.median(np.diff(beats))) if len(beats) > 1 else 0.05
    downbeats = midi.get_downbeats()
    first_near = np.minimum(np.searchsorted(onsets, downbeats - snap), len(onsets) - 1)
    near = onsets[first_near]
    candidates = [float(c) for c in near[np.abs(near - downbeats) <= snap]]
    if not candidates:
        return float(onsets[0])
    wanted = float(onsets[0]) if requested is None else requested
    later = [c for c in candidates if c >= wanted - snap] or candidates[-1:]
    end = midi.get_end_time()  # once: asking per candidate cost bars x notes (minutes on a dense file)
    fitting = [c for c in candidates if c + seconds <= end]
    if fitting and later[0] > fitting[-1]:
        return fitting[-1]
    return later[0]


def trim_trailing_silence(samples: np.ndarray, threshold_db: float) -> np.ndarray:
    """Drop trailing samples more than `threshold_db` (negative) below the peak of `samples`.

    Relative to the peak, not to full scale, because the level is set only afterwards by normalisation.
    """
    level = np.max(np.abs(samples), axis=1)
    loud = np.flatnonzero(level > level.max(initial=0.0) * 10 ** (threshold_db / 20))
    return samples[: loud[-1] + 1] if loud.size else samples[:0]


def fade(samples: np.ndarray, fade_in: int, fade_out: int) -> np.ndarray:
    """Apply linear fades of `fade_in` and `fade_out` samples (shortened to fit short audio)."""
    result = samples.copy()
    fade_in, fade_out = min(fade_in, len(result) // 2), min(fade_out, len(result) // 2)
    if fade_in:
        result[:fade_in] *= np.linspace(0.0, 1.0, fade_in, dtype=np.float32)[:, None]
    if fade_out:
        result[-fade_out:] *= np.linspace(1.0, 0.0, fade_out, dtype=np.float32)[:, None]
    return result


def pad(samples: np.ndarray, length: int) -> np.ndarray:
    """Cut or zero-pad `samples` to exactly `length` frames."""
    if len(samples) >= length:
        return samples[:length]
    return np.concatenate([samples, np.zeros((length - len(samples), samples.shape[1]), samples.dtype)])
