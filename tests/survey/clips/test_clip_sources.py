"""A stored clip spec becomes one typed source; the study file's format is unchanged."""

from __future__ import annotations

import pytest

from audio.presentation import TempoPolicy
from survey.clips.sources import (
    AudioUploadClip,
    GeneratedClip,
    MidiFileClip,
    Pop909Clip,
    UploadedMidiClip,
    parse_clip_spec,
)
from survey.design.studyfile import load_study_file
from tests.survey.conftest import ROOT


@pytest.mark.parametrize(("spec", "source"), [
    ({"midi": "pop909:001/001.mid"}, Pop909Clip("001/001.mid")),
    ({"midi": "upload:ab12.mid"}, UploadedMidiClip("ab12.mid")),
    ({"midi": "assets/examples/a.mid"}, MidiFileClip("assets/examples/a.mid")),
    ({"generate": {"upload": "cd34.wav"}}, AudioUploadClip("cd34.wav")),
    ({"generate": {"model": "default", "primer": "002", "chords": "song", "seed": 3, "bars": 8}},
     GeneratedClip("default", "002", seed=3, bars=8, chords_from_song=True)),
])
def test_each_form_of_the_study_file_is_one_type(spec: dict[str, object], source: object) -> None:
    assert parse_clip_spec(spec).source == source


def test_the_excerpt_and_the_presentation_come_with_the_source() -> None:
    recipe = parse_clip_spec({"midi": "pop909:001/001.mid", "excerpt": {"start": 10.0, "duration": 15.0, "fade": 1.0},
                              "presentation": {"tempo": "group", "velocity": 80}})
    assert (recipe.start, recipe.duration, recipe.fade) == (10.0, 15.0, 1.0)
    assert recipe.presentation.tempo is TempoPolicy.GROUP and recipe.presentation.velocity_value == 80


def test_every_clip_of_the_demo_parses() -> None:
    demo = load_study_file(ROOT / "assets" / "demo_study.yaml")
    kinds = {type(parse_clip_spec({"midi": c.midi} if c.midi else {"generate": c.generate}).source)
             for s in demo.sources for c in s.clips}
    assert kinds == {Pop909Clip, GeneratedClip}


@pytest.mark.parametrize(("spec", "words"), [({}, "needs 'midi'"), ({"generate": {"seed": 1}}, "its 'model'"),
                                             ({"generate": {"model": "default", "chords": "C G Am F"}},
                                              "'chords' is 'song' .* or left out")])
def test_a_spec_without_music_is_one_sentence(spec: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_clip_spec(spec)
