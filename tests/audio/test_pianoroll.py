"""The piano-roll figure: one trace per instrument, a segment per note, optional anonymous labels."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from audio.errors import EmptyMidiError
from audio.pianoroll import piano_roll_figure


def test_one_segment_per_note(scale):
    figure = piano_roll_figure(scale)
    assert isinstance(figure, go.Figure)
    (trace,) = figure.data
    notes = scale.instruments[0].notes
    assert list(trace.x[:3]) == [notes[0].start, notes[0].end, None]
    assert list(trace.y).count(None) == len(notes)


def test_pop909_song_has_a_trace_per_track_and_can_hide_names(song):
    assert [t.name for t in piano_roll_figure(song).data] == ["MELODY", "BRIDGE", "PIANO"]
    assert [t.name for t in piano_roll_figure(song, show_track_names=False).data] == ["Part 1", "Part 2", "Part 3"]


def test_the_melody_has_its_own_colour_where_names_are_shown_and_none_in_a_blind_test(song):
    named = {t.name: t.line.color for t in piano_roll_figure(song).data}
    assert named["MELODY"] not in (named["BRIDGE"], named["PIANO"])
    assert all(t.line.color is None for t in piano_roll_figure(song, show_track_names=False).data)


def test_empty_midi_is_refused():
    import pretty_midi

    with pytest.raises(EmptyMidiError):
        piano_roll_figure(pretty_midi.PrettyMIDI())
