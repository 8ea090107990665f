"""The one module that talks to FluidSynth: SoundFonts kept loaded, a fresh synthesizer per render.

Why this shape:

* Loading FluidR3_GM (140 MB) costs more than rendering a clip, so each SoundFont is loaded once per
  process into an *anchor* synthesizer that stays alive. FluidSynth shares sample data between
  synthesizers through its sample cache, so while the anchor lives, a new synthesizer loads the same
  SoundFont in a few tens of milliseconds without reading the samples again.
* Every render uses a new synthesizer. FluidSynth's reverb keeps modulated delay lines that
  ``system_reset`` does not rewind, so a reused synthesizer gives slightly different audio each time; a
  fresh one makes the same input give bit-identical output, which cache keys and blind tests rely on.
* Events are applied at their sample positions and FluidSynth writes float samples straight into the
  output array between them: large blocks, no per-event copies, no 16-bit dither.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from audio.errors import SoundFontError, SynthUnavailableError

NOTE_OFF, CONTROL, PITCH_BEND, NOTE_ON = 0, 1, 2, 3
"""Event kinds, in the order they are applied when they fall on the same sample (note-offs first, so a
repeated note re-sounds; controls before note-ons, so a pedal or bend is in place for the note)."""

DRUM_BANK = 128
"""SoundFont bank of General MIDI percussion kits."""

INSTALL_HINT = (
    "FluidSynth is not available; install the library (Debian/Ubuntu: apt-get install libfluidsynth3, "
    "macOS: brew install fluid-synth) and the binding (pip install pyfluidsynth)"
)

_WRITE_FLOAT_ARGS: tuple[tuple[str, Any, int], ...] = tuple(
    (name, kind, 1)  # 1: an input parameter, in ctypes' paramflags
    for name, kind in (
        ("synth", ctypes.c_void_p), ("len", ctypes.c_int),
        ("lout", ctypes.c_void_p), ("loff", ctypes.c_int), ("lincr", ctypes.c_int),
        ("rout", ctypes.c_void_p), ("roff", ctypes.c_int), ("rincr", ctypes.c_int),
    )
)
"""C signature of ``fluid_synth_write_float``, which pyfluidsynth does not wrap."""

_ANCHORS: dict[Path, Any] = {}
_ANCHORS_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChannelSetup:
    """The preset a MIDI channel plays: `bank` 0 for melodic programs, `DRUM_BANK` for kits."""

    channel: int
    bank: int
    program: int


def _binding() -> ModuleType:
    """Import pyfluidsynth, turning a missing libfluidsynth into one clear `SynthUnavailableError`."""
    try:
        import fluidsynth
    except (ImportError, OSError) as error:
        raise SynthUnavailableError(f"{INSTALL_HINT} ({error}).") from error
    return fluidsynth


def check_available() -> None:
    """Raise `SynthUnavailableError` when FluidSynth cannot be loaded."""
    _binding()


def _new_synth(soundfont: Path, sample_rate: int, gain: float) -> tuple[Any, int]:
    """A new pyfluidsynth ``Synth`` with `soundfont` loaded, and the SoundFont's id in it."""
    synth = _binding().Synth(gain=gain, samplerate=sample_rate, **{"synth.cpu-cores": 1})
    sfid = synth.sfload(str(soundfont))
    if sfid < 0:
        synth.delete()
        raise SoundFontError(f"FluidSynth could not load {soundfont}: it is corrupt or not a SoundFont.")
    return synth, sfid


def preload(soundfont: Path) -> None:
    """Load `soundfont` into its process-wide anchor synthesizer, once; raise `SoundFontError` if corrupt."""
    key = soundfont.resolve()
    with _ANCHORS_LOCK:
        if key not in _ANCHORS:
            _ANCHORS[key] = _new_synth(key, 44100, 0.2)[0]


def render_events(
    soundfont: Path, sample_rate: int, gain: float,
    events: np.ndarray, channels: list[ChannelSetup], n_samples: int,
) -> np.ndarray:
    """Play `events` on a fresh synthesizer and return stereo float32 samples, shape (n_samples, 2).

    Parameters
    ----------
    soundfont : Path
        SoundFont file; kept loaded afterwards (see `preload`).
    sample_rate : int
        Output rate in Hz.
    gain : float
        FluidSynth ``synth.gain`` (linear).
    events : np.ndarray
        int64 rows ``(sample, kind, channel, data1, data2)`` sorted by sample then kind; kinds are
        `NOTE_OFF` (data1 key), `CONTROL` (data1 controller, data2 value), `PITCH_BEND` (data1 in
        0-16383) and `NOTE_ON` (data1 key, data2 velocity). Rows at or past `n_samples` are ignored.
    channels : list of ChannelSetup
        Preset of each channel used.
    n_samples : int
        Output length in samples.
    """
    preload(soundfont)
    synth, sfid = _new_synth(soundfont.resolve(), sample_rate, gain)
    try:
        for setup in channels:
            if synth.program_select(setup.channel, sfid, setup.bank, setup.program) < 0:
                synth.program_select(setup.channel, sfid, setup.bank, 0)
        return _play(synth, events, n_samples)
    finally:
        synth.delete()


def _play(synth: Any, events: np.ndarray, n_samples: int) -> np.ndarray:
    """Alternate between applying the events at one sample and synthesizing up to the next event."""
    out = np.zeros((n_samples, 2), dtype=np.float32)
    write = _binding().cfunc("fluid_synth_write_float", ctypes.c_int, *_WRITE_FLOAT_ARGS)
    base = out.ctypes.data_as(ctypes.c_void_p)
    position = 0
    for sample, kind, channel, data1, data2 in events.tolist():
        if sample >= n_samples:
            break
        if sample > position:
            write(synth.synth, sample - position, base, 2 * position, 2, base, 2 * position + 1, 2)
            position = sample
        if kind == NOTE_ON:
            synth.noteon(channel, data1, data2)
        elif kind == NOTE_OFF:
            synth.noteoff(channel, data1)
        elif kind == CONTROL:
            synth.cc(channel, data1, data2)
        else:
            synth.pitch_bend(channel, data1 - 8192)
    if n_samples > position:
        write(synth.synth, n_samples - position, base, 2 * position, 2, base, 2 * position + 1, 2)
    return out
