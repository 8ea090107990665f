"""render_midi: real FluidSynth audio, checked by its numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi

from audio.render import render_midi
from audio.settings import Orchestration, RenderSettings
from tests.audio.conftest import scale_midi


def test_renders_stereo_float_at_the_settings_rate(scale):
    samples, rate = render_midi(scale)
    assert rate == 44100
    assert samples.dtype == np.float32 and samples.ndim == 2 and samples.shape[1] == 2


def test_length_is_the_piece_plus_the_tail(scale):
    samples, rate = render_midi(scale, settings=RenderSettings(tail_seconds=1.0))
    assert len(samples) == round((scale.get_end_time() + 1.0) * rate)


def test_audio_is_not_silent_and_sounds_where_the_notes_are(scale):
    samples, rate = render_midi(scale)
    rms_during_notes = np.sqrt(np.mean(samples[: 3 * rate] ** 2))
    rms_end_of_tail = np.sqrt(np.mean(samples[-rate // 10 :] ** 2))
    assert rms_during_notes > 0.003  # about -50 dBFS: clearly sounding at the default synth gain
    assert rms_end_of_tail < rms_during_notes / 100


def test_same_input_gives_bit_identical_output(scale):
    first, _ = render_midi(scale)
    render_midi(scale_midi(2.0, program=40))  # something else in between must not leak into the next render
    second, _ = render_midi(scale)
    assert np.array_equal(first, second)


def test_path_bytes_and_object_render_the_same(scale, tmp_path: Path):
    path = tmp_path / "scale.mid"
    scale.write(str(path))
    from_path, _ = render_midi(path)
    from_bytes, _ = render_midi(path.read_bytes())
    from_object, _ = render_midi(pretty_midi.PrettyMIDI(str(path)))
    assert np.array_equal(from_path, from_bytes)
    assert np.array_equal(from_path, from_object)


def test_other_sample_rate():
    midi = scale_midi(1.0)
    samples, rate = render_midi(midi, settings=RenderSettings(sample_rate=48000, tail_seconds=0.5))
    assert rate == 48000 and len(samples) == round((midi.get_end_time() + 0.5) * 48000)


def test_orchestration_chooses_the_program_by_track_name():
    midi = scale_midi(2.0, program=0, name="MELODY")
    piano, _ = render_midi(midi)
    violin, _ = render_midi(midi, settings=RenderSettings(orchestration=Orchestration(tracks=(("melody", 40),))))
    assert not np.allclose(piano, violin, atol=1e-3)


def test_pop909_tracks_render_as_piano_by_default(song):
    midi = pretty_midi.PrettyMIDI(str(song))
    assert [i.name for i in midi.instruments] == ["MELODY", "BRIDGE", "PIANO"]
    settings = RenderSettings()
    assert {settings.orchestration.program_for(i.name) for i in midi.instruments} == {0}


def test_a_window_renders_only_that_span_of_a_pop909_song(song):
    samples, rate = render_midi(song, start=30.0, stop=33.0)
    assert len(samples) == 3 * rate
    assert np.sqrt(np.mean(samples**2)) > 0.005
