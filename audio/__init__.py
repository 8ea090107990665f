"""MIDI to sound: FluidSynth rendering, SoundFont lookup, loudness normalisation, encoding and caching.

Public API
----------
render_midi(midi, soundfont=None, settings=RenderSettings(), *, start=0.0, stop=None) -> (samples, rate)
    Stereo float32 samples, shape (n, 2), and the sample rate in Hz; `midi` is a path, bytes or PrettyMIDI.
make_excerpt(midi, soundfont=None, settings=ExcerptSettings()) -> Excerpt
    A survey clip: fixed length, downbeat start, fades, -16 LUFS, peak <= -1 dBFS.
whole_piece(midi, soundfont=None, settings=ExcerptSettings()) -> Excerpt
    Any piece rendered whole at the clips' loudness and peak ceiling (the Generate page's audio).
survey_clip(midi, soundfont=None, settings=ExcerptSettings(), fmt="mp3", cache=None) -> EncodedClip
    The encoded excerpt, rendered once per cache (``$LAB_CACHE_DIR/audio`` or ~/.cache/lstm-music-lab/audio).
encode_clip(samples, sample_rate, fmt="mp3") -> EncodedClip; encode_mp3 / encode_wav(samples, rate) -> bytes
    Browser (MP3, constant bit rate) or download (WAV) bytes, no metadata, named by content hash.
piano_roll_figure(midi, *, title=None, show_track_names=True) -> plotly.graph_objects.Figure
find_soundfont(explicit=None) -> SoundFont
integrated_loudness(samples, rate) -> LUFS; peak_dbfs(samples) -> dBFS
Settings: RenderSettings, ExcerptSettings, Orchestration (frozen dataclasses, validated on construction).
Errors: RenderError and its subclasses in `audio.errors`.

Command line: ``python -m audio render IN.mid OUT.wav [--seconds S] [--lufs L] [--soundfont F]`` and
``python -m audio info FILE``.
"""

import model  # noqa: F401  (first: it loads pyfluidsynth quietly, see model/__init__)
from audio.cache import RenderCache, default_cache_dir, survey_clip
from audio.encode import EncodedClip, encode_clip, encode_mp3, encode_wav
from audio.errors import (
    AudioFileError,
    EmptyMidiError,
    LoudnessError,
    MidiError,
    MidiTooLargeError,
    RenderError,
    SettingsError,
    SilentRenderError,
    SoundFontError,
    SynthUnavailableError,
)
from audio.excerpt import Excerpt, make_excerpt, whole_piece
from audio.loudness import integrated_loudness, peak_dbfs
from audio.pianoroll import piano_roll_figure
from audio.render import render_midi
from audio.settings import ExcerptSettings, Orchestration, RenderSettings
from audio.soundfont import SoundFont, find_soundfont
from audio.stems import Stem, track_stems

__all__ = [
    "AudioFileError",
    "EmptyMidiError",
    "EncodedClip",
    "Excerpt",
    "ExcerptSettings",
    "LoudnessError",
    "MidiError",
    "MidiTooLargeError",
    "Orchestration",
    "RenderCache",
    "RenderError",
    "RenderSettings",
    "SettingsError",
    "SilentRenderError",
    "SoundFont",
    "SoundFontError",
    "Stem",
    "SynthUnavailableError",
    "default_cache_dir",
    "encode_clip",
    "encode_mp3",
    "encode_wav",
    "find_soundfont",
    "integrated_loudness",
    "make_excerpt",
    "peak_dbfs",
    "piano_roll_figure",
    "render_midi",
    "survey_clip",
    "track_stems",
    "whole_piece",
]
