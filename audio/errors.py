"""Domain errors of the audio package, each raised with a one-sentence message.

Callers (the app, the CLI) catch `RenderError` to report any rendering problem to a person; the subclasses
say which kind of problem it was, so tests and callers can tell them apart without parsing messages.
"""

from __future__ import annotations

from model.music import midi_limits


class RenderError(Exception):
    """Base class of every error the audio package raises on purpose."""


class SynthUnavailableError(RenderError):
    """libfluidsynth (or the pyfluidsynth binding) cannot be loaded on this machine."""


class SoundFontError(RenderError):
    """No SoundFont was found, or the one chosen is missing or corrupt."""


class MidiError(RenderError, midi_limits.MidiError):
    """The MIDI input cannot be read: corrupt bytes, a missing file or an unsupported type.

    Also a ``model.music.midi_limits.MidiError``: one family of MIDI errors for every entry point."""


class EmptyMidiError(MidiError):
    """The MIDI input parses but has no notes, so there is nothing to hear."""


class MidiTooLargeError(MidiError, midi_limits.MidiTooLargeError):
    """The MIDI input is beyond the limits of ``model.music.midi_limits`` (bytes, tracks, notes, length)."""


class SettingsError(RenderError, ValueError):
    """A setting is out of its documented range (negative or absurd length, loudness target, rate)."""


class SilentRenderError(RenderError):
    """The rendered audio is silent, so it cannot be loudness-normalised or used in a study."""


class AudioFileError(RenderError):
    """An audio file given to `python -m audio info` cannot be read."""


class LoudnessError(RenderError):
    """The loudness target cannot be reached under the peak ceiling (extreme dynamics)."""
