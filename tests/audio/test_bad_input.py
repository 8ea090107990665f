"""Bad input gets a one-sentence domain error or a bounded, documented result; nothing hangs or crashes."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pretty_midi
import pytest

from audio import synth
from audio.errors import (
    EmptyMidiError,
    MidiError,
    MidiTooLargeError,
    RenderError,
    SettingsError,
    SilentRenderError,
    SynthUnavailableError,
)
from audio.excerpt import make_excerpt
from audio.loudness import normalise
from audio.render import render_midi
from audio.settings import ExcerptSettings, Orchestration, RenderSettings


def one_sentence(error: pytest.ExceptionInfo[BaseException]) -> bool:
    message = str(error.value)
    return "\n" not in message and message.endswith(".") and message[0].isupper()


def test_empty_midi_is_an_empty_midi_error():
    midi = pretty_midi.PrettyMIDI()
    midi.instruments.append(pretty_midi.Instrument(0, name="PIANO"))
    with pytest.raises(EmptyMidiError) as error:
        render_midi(midi)
    assert one_sentence(error)


@pytest.mark.parametrize(
    "data",
    [b"", b"not a midi file at all", b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk\xff\xff\xff\xff\x90"],
    ids=["empty", "text", "truncated-track"],
)
def test_corrupt_bytes_are_a_midi_error(data):
    with pytest.raises(MidiError) as error:
        render_midi(data)
    assert one_sentence(error)


def test_missing_file_and_wrong_type_are_midi_errors(tmp_path: Path):
    with pytest.raises(MidiError, match="cannot be read"):
        render_midi(tmp_path / "missing.mid")
    with pytest.raises(MidiError, match="must be a path, bytes or"):
        render_midi(42)  # type: ignore[arg-type]


def two_hour_piece() -> pretty_midi.PrettyMIDI:
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0, name="PIANO")
    piano.notes += [pretty_midi.Note(80, 60, t, t + 1.0) for t in (0.0, 3600.0, 7199.0)]
    midi.instruments.append(piano)
    return midi


def test_two_hour_piece_is_refused_whole(scale):
    with pytest.raises(MidiTooLargeError, match="at most 900 s") as error:
        render_midi(two_hour_piece())
    assert one_sentence(error)


def test_two_hour_piece_still_gives_a_bounded_excerpt():
    excerpt = make_excerpt(two_hour_piece(), settings=ExcerptSettings(seconds=2.0, start_seconds=3600.0))
    assert excerpt.samples.shape == (2 * 44100, 2)
    assert excerpt.start_seconds == 3600.0


def test_file_declaring_10000_tracks_is_refused_before_parsing():
    track = b"MTrk\x00\x00\x00\x04\x00\xff\x2f\x00"
    data = b"MThd\x00\x00\x00\x06\x00\x01" + (10000).to_bytes(2, "big") + b"\x01\xe0" + track * 10000
    with pytest.raises(MidiTooLargeError, match="10000 tracks") as error:
        render_midi(data)
    assert one_sentence(error)


def test_object_with_10000_instruments_is_refused():
    midi = pretty_midi.PrettyMIDI()
    for _ in range(10000):
        piano = pretty_midi.Instrument(0)
        piano.notes.append(pretty_midi.Note(80, 60, 0.0, 0.5))
        midi.instruments.append(piano)
    with pytest.raises(MidiTooLargeError, match="10000 instruments"):
        render_midi(midi)


@pytest.mark.parametrize(
    "settings",
    [
        {"seconds": -5.0},
        {"seconds": 0.0},
        {"seconds": 1e9},
        {"seconds": math.nan},
        {"lufs": 0.0},
        {"lufs": -200.0},
        {"lufs": math.inf},
        {"peak_dbfs": 3.0},
        {"start_seconds": -1.0},
        {"fade_out_seconds": 60.0},
    ],
    ids=str,
)
def test_absurd_excerpt_settings_are_settings_errors(settings):
    with pytest.raises(SettingsError) as error:
        ExcerptSettings(**settings)
    assert one_sentence(error)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RenderSettings(sample_rate=12345),
        lambda: RenderSettings(max_seconds=-1.0),
        lambda: RenderSettings(tail_seconds=-0.5),
        lambda: Orchestration(program=128),
        lambda: Orchestration(tracks=(("MELODY", -1),)),
    ],
    ids=["rate", "max", "tail", "program", "track-program"],
)
def test_absurd_render_settings_are_settings_errors(make):
    with pytest.raises(SettingsError):
        make()


def test_settings_errors_are_also_value_errors_and_render_errors():
    with pytest.raises(ValueError):
        ExcerptSettings(seconds=-1.0)
    assert issubclass(SettingsError, RenderError)


def test_negative_render_window_is_a_settings_error(scale):
    with pytest.raises(SettingsError, match="not a positive span"):
        render_midi(scale, start=3.0, stop=1.0)


def test_silent_audio_cannot_be_normalised():
    import numpy as np

    with pytest.raises(SilentRenderError):
        normalise(np.zeros((44100, 2), dtype=np.float32), 44100, -16.0, -1.0)


def test_out_of_range_midi_values_are_clamped_not_crashing():
    midi = pretty_midi.PrettyMIDI()
    piano = pretty_midi.Instrument(0, name="PIANO")
    piano.notes.append(pretty_midi.Note(300, 200, 0.0, 0.5))
    piano.notes.append(pretty_midi.Note(80, 60, 0.2, 0.7))
    piano.pitch_bends.append(pretty_midi.PitchBend(99999, 0.1))
    midi.instruments.append(piano)
    samples, _ = render_midi(midi)
    assert np.isfinite(samples).all()


def test_missing_fluidsynth_library_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fluidsynth", None)  # makes `import fluidsynth` raise ImportError
    with pytest.raises(SynthUnavailableError, match="apt-get install libfluidsynth3") as error:
        synth.check_available()
    assert one_sentence(error)


import numpy as np  # noqa: E402 - used by the clamping test above
