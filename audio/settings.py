"""Typed, frozen settings for rendering and survey excerpts; every range is checked on construction.

Settings are part of the render-cache key, so they are immutable and hashable, and an out-of-range value
fails at once with a `SettingsError` instead of producing an odd clip later.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from audio.errors import SettingsError

ACOUSTIC_GRAND_PIANO = 0
"""General MIDI program number (0-based) of the acoustic grand piano."""

POP909_TRACKS = ("MELODY", "BRIDGE", "PIANO")
"""Track names of a POP909 MIDI file: the vocal melody, the secondary melody and the accompaniment. The audio
package's copy of ``model.music.pop909.TRACKS`` (it takes nothing from ``model`` but the MIDI limits); a test keeps
the two equal."""

SAMPLE_RATES = (22050, 44100, 48000)
"""Sample rates in Hz that the renderer accepts; browsers and MP3 all handle these."""


def _check_range(name: str, value: float, low: float, high: float, unit: str) -> None:
    """Raise `SettingsError` unless ``low <= value <= high`` (NaN and infinities fail too)."""
    if not (math.isfinite(value) and low <= value <= high):
        raise SettingsError(f"Setting {name} must be between {low:g} and {high:g} {unit}, got {value!r}.")


@dataclass(frozen=True)
class Orchestration:
    """Which General MIDI program each track plays.

    Parameters
    ----------
    program : int
        Program (0-127, 0-based) for generated pieces and for any track not named in `tracks`.
        Default 0, acoustic grand piano, because the study compares piano renditions.
    tracks : tuple of (str, int)
        Track name (matched case-insensitively, surrounding spaces ignored) to program. The default
        plays POP909's MELODY, BRIDGE and PIANO tracks all on piano, as the study defines.
    """

    program: int = ACOUSTIC_GRAND_PIANO
    tracks: tuple[tuple[str, int], ...] = tuple((name, ACOUSTIC_GRAND_PIANO) for name in POP909_TRACKS)

    def __post_init__(self) -> None:
        for name, program in ((None, self.program), *self.tracks):
            if not 0 <= program <= 127:
                raise SettingsError(f"Program for track {name or '(default)'} must be 0-127, got {program}.")

    def program_for(self, track_name: str) -> int:
        """The program a track named `track_name` plays."""
        wanted = track_name.strip().upper()
        return next((p for name, p in self.tracks if name.strip().upper() == wanted), self.program)


@dataclass(frozen=True)
class RenderSettings:
    """How MIDI becomes samples.

    Parameters
    ----------
    sample_rate : int
        Output rate in Hz, one of `SAMPLE_RATES`. 44100 by default, which MP3 encodes natively.
    gain : float
        FluidSynth master gain (``synth.gain``), linear. 0.2 is FluidSynth's own default; output is float so
        louder passages do not clip before loudness normalisation.
    tail_seconds : float
        Seconds rendered after the last note ends, so releases and reverb die away instead of being cut.
    max_seconds : float
        Longest piece rendered, in seconds of MIDI time. Longer pieces raise `MidiTooLargeError` instead of
        tying up the synthesizer (a 2-hour file would take minutes and gigabytes).
    orchestration : Orchestration
        Program per track.
    """

    sample_rate: int = 44100
    gain: float = 0.2
    tail_seconds: float = 2.0
    max_seconds: float = 900.0
    orchestration: Orchestration = field(default_factory=Orchestration)

    def __post_init__(self) -> None:
        if self.sample_rate not in SAMPLE_RATES:
            rates = ", ".join(map(str, SAMPLE_RATES))
            raise SettingsError(f"Setting sample_rate must be one of {rates} Hz, got {self.sample_rate!r}.")
        _check_range("gain", self.gain, 0.01, 2.0, "(linear)")
        _check_range("tail_seconds", self.tail_seconds, 0.0, 10.0, "seconds")
        _check_range("max_seconds", self.max_seconds, 1.0, 3600.0, "seconds")


@dataclass(frozen=True)
class ExcerptSettings:
    """What a survey clip is: fixed length, fades, loudness and peak, the same for every clip.

    Parameters
    ----------
    seconds : float
        Clip length in seconds, 1-600. Every clip has exactly this many samples, so length tells nothing.
    lufs : float
        Integrated loudness target in LUFS (ITU-R BS.1770), -40 to -10. -16 LUFS is a common streaming level.
    peak_dbfs : float
        Sample-peak ceiling in dBFS, -20 to 0. -1 dBFS leaves headroom for lossy encoding.
    fade_in_seconds, fade_out_seconds : float
        Linear fade lengths in seconds, 0-5; short, so the cut is not heard as a click. A fade longer than
        half the audio is shortened to half.
    start_seconds : float or None
        Where to look for the clip start, in seconds; the start is snapped to the next downbeat that has a
        note onset. None starts at the first such downbeat of the piece.
    silence_dbfs : float
        Level in dB below the clip's peak under which trailing audio counts as silence and is trimmed.
    render : RenderSettings
        Synthesis settings.
    """

    seconds: float = 20.0
    lufs: float = -16.0
    peak_dbfs: float = -1.0
    fade_in_seconds: float = 0.01
    fade_out_seconds: float = 1.0
    start_seconds: float | None = None
    silence_dbfs: float = -60.0
    render: RenderSettings = field(default_factory=RenderSettings)

    def __post_init__(self) -> None:
        _check_range("seconds", self.seconds, 1.0, 600.0, "seconds")
        _check_range("lufs", self.lufs, -40.0, -10.0, "LUFS")
        _check_range("peak_dbfs", self.peak_dbfs, -20.0, 0.0, "dBFS")
        _check_range("fade_in_seconds", self.fade_in_seconds, 0.0, 5.0, "seconds")
        _check_range("fade_out_seconds", self.fade_out_seconds, 0.0, 5.0, "seconds")
        _check_range("silence_dbfs", self.silence_dbfs, -120.0, -20.0, "dBFS")
        if self.start_seconds is not None:
            _check_range("start_seconds", self.start_seconds, 0.0, 86400.0, "seconds")
