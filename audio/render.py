"""MIDI to stereo float samples with FluidSynth: `render_midi`.

Each instrument gets its own synthesizer channel, playing the program the `Orchestration` gives its track,
so pedals and bends stay with their track. Only the window ``[start, stop)`` of the piece is synthesized,
which keeps a 20-second excerpt of a long piece as cheap as a 20-second piece.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pretty_midi

from audio.errors import MidiTooLargeError, SettingsError, SoundFontError
from audio.midi import MidiInput, load_midi
from audio.settings import RenderSettings
from audio.soundfont import find_soundfont
from audio.synth import (
    CONTROL,
    DRUM_BANK,
    NOTE_OFF,
    NOTE_ON,
    PITCH_BEND,
    ChannelSetup,
    preload,
    render_events,
)

CHANNELS = [c for c in range(256) if c % 16 != 9]
"""Synthesizer channels given to instruments; channel 9 of each group of 16 is GM percussion, avoided."""


def render_midi(
    midi: MidiInput,
    soundfont: str | os.PathLike[str] | None = None,
    settings: RenderSettings = RenderSettings(),  # noqa: B008 - frozen, so a shared default is safe
    *,
    start: float = 0.0,
    stop: float | None = None,
) -> tuple[np.ndarray, int]:
    """Render MIDI to audio with FluidSynth.

    Parameters
    ----------
    midi : path, bytes or pretty_midi.PrettyMIDI
        The piece.
    soundfont : path-like or None
        SoundFont to use; None looks it up (see `audio.soundfont.find_soundfont`).
    settings : RenderSettings
        Sample rate, gain, tail, length limit and orchestration.
    start, stop : float
        Window in seconds of MIDI time. Notes starting before `start` are left out (controller states at
        `start` are kept); None for `stop` means the end of the last note plus ``settings.tail_seconds``.

    Returns
    -------
    samples : np.ndarray
        float32, shape (n, 2), not normalised (values may exceed 1.0).
    sample_rate : int
        In Hz.

    Raises
    ------
    MidiError, SoundFontError, SynthUnavailableError
        See `audio.errors`; `MidiTooLargeError` when the window is longer than ``settings.max_seconds``.
    """
    parsed = load_midi(midi)
    stop = parsed.get_end_time() + settings.tail_seconds if stop is None else stop
    if not (math.isfinite(start) and math.isfinite(stop) and 0.0 <= start < stop):
        raise SettingsError(f"The render window {start!r}-{stop!r} s is not a positive span of time.")
    if stop - start > settings.max_seconds:
        raise MidiTooLargeError(
            f"The piece is {stop - start:.0f} s long; at most {settings.max_seconds:.0f} s are rendered "
            "(RenderSettings.max_seconds)."
        )
    rate = settings.sample_rate
    channels = channel_setups(parsed, settings)
    events = midi_events(parsed, channels, rate, start)
    samples = render_events(loadable_soundfont(soundfont), rate, settings.gain, events, channels,
                            round((stop - start) * rate))
    return samples, rate


def loadable_soundfont(soundfont: str | os.PathLike[str] | None) -> Path:
    """The SoundFont `find_soundfont` chooses, loaded once into FluidSynth to prove it is not corrupt."""
    font = find_soundfont(soundfont)
    try:
        preload(font.path)
    except SoundFontError as error:
        raise SoundFontError(
            f"The SoundFont {font.path} ({font.source}) is corrupt or not a SoundFont; places tried: "
            f"{'; '.join(font.tried)}."
        ) from error
    return font.path


def channel_setups(midi: pretty_midi.PrettyMIDI, settings: RenderSettings) -> list[ChannelSetup]:
    """One channel per instrument, in instrument order, with the program the orchestration assigns."""
    orchestration = settings.orchestration
    return [
        ChannelSetup(
            channel,
            DRUM_BANK if instrument.is_drum else 0,
            int(instrument.program) if instrument.is_drum else orchestration.program_for(instrument.name),
        )
        for channel, instrument in zip(CHANNELS, midi.instruments, strict=False)
    ]


def midi_events(
    midi: pretty_midi.PrettyMIDI, channels: list[ChannelSetup], rate: int, start: float
) -> np.ndarray:
    """Synthesizer events ``(sample, kind, channel, data1, data2)`` from `start` on, sorted for `LoadedSynth`.

    Times are rounded to the nearest sample after `start`; controls and bends before `start` are moved to
    sample 0 (in time order) so the state at `start` is right.
    """
    rows: list[tuple[int, int, int, int, int]] = []
    for setup, instrument in zip(channels, midi.instruments, strict=False):
        ch = setup.channel
        for note in instrument.notes:
            if note.start >= start:
                key, velocity = _clamp(note.pitch, 0), max(1, _clamp(note.velocity, 0))
                rows.append((_at(note.start, start, rate), NOTE_ON, ch, key, velocity))
                rows.append((_at(note.end, start, rate), NOTE_OFF, ch, key, 0))
        for cc in instrument.control_changes:
            rows.append((_at(cc.time, start, rate), CONTROL, ch, _clamp(cc.number, 0), _clamp(cc.value, 0)))
        for bend in instrument.pitch_bends:
            bend_value = _clamp(bend.pitch + 8192, 0, 16383)
            rows.append((_at(bend.time, start, rate), PITCH_BEND, ch, bend_value, 0))
    if not rows:
        return np.zeros((0, 5), dtype=np.int64)
    events = np.array(rows, dtype=np.int64)
    return events[np.lexsort((events[:, 1], events[:, 0]))]


def _at(time: float, start: float, rate: int) -> int:
    """Sample index of `time` seconds in a render starting at `start` seconds (0 for earlier times)."""
    return max(0, round((time - start) * rate))


def _clamp(value: int, low: int, high: int = 127) -> int:
    """Clamp a MIDI data byte into range; pretty_midi does not validate them."""
    return min(high, max(low, int(value)))
