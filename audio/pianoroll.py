"""A piano-roll figure (Plotly) of any MIDI, for the app to show beside the player.

Notes are drawn as thick line segments, one trace per instrument (a segment list broken by None), which
stays fast for thousands of notes where one shape per note would not.
"""

from __future__ import annotations

import plotly.graph_objects as go
import pretty_midi

from audio.midi import MidiInput, load_midi

NOTE_WIDTH_PX = 6
"""Line width of a note bar in pixels."""
VOICE_COLOURS = {"MELODY": "#d62728", "BRIDGE": "#ff9f1c", "PIANO": "#4c78a8"}
"""POP909's voices (as POP909 and voiced models name their tracks): the melody in red, apart from everything else.
Used only where track names are shown: in a blind test a colour would name the track as well as its name would."""


def piano_roll_figure(
    midi: MidiInput, *, title: str | None = None, show_track_names: bool = True, primer_seconds: float | None = None
) -> go.Figure:
    """Piano roll of `midi`: time in seconds across, MIDI pitch up, one colour per instrument.

    Parameters
    ----------
    midi : path, bytes or pretty_midi.PrettyMIDI
        The piece (it must have notes; see `audio.midi.load_midi`).
    title : str or None
        Figure title.
    show_track_names : bool
        Label traces with track names; pass False in blind tests, where a name such as "MELODY" would tell
        that a piece comes from POP909.
    primer_seconds : float or None
        Where a primer (music the model was given, not written by it) ends: shaded and labelled "primer".
    """
    parsed = load_midi(midi)
    figure = go.Figure()
    for index, instrument in enumerate(parsed.instruments):
        name = (instrument.name.strip() or f"Track {index + 1}") if show_track_names else f"Part {index + 1}"
        figure.add_trace(_instrument_trace(instrument, name, VOICE_COLOURS.get(name.upper())))
    figure.update_layout(
        title=title,
        xaxis_title="Time (s)",
        yaxis_title="Pitch",
        yaxis={"tickvals": list(range(24, 109, 12)), "ticktext": [f"C{o}" for o in range(1, 9)]},
        hovermode="closest",
        margin={"l": 50, "r": 10, "t": 40 if title else 10, "b": 40},
        showlegend=len(parsed.instruments) > 1,
    )
    if primer_seconds:
        figure.add_vrect(x0=0, x1=primer_seconds, fillcolor="grey", opacity=0.15, line_width=0,
                         annotation_text="primer", annotation_position="top left")
    return figure


def _instrument_trace(instrument: pretty_midi.Instrument, name: str, colour: str | None = None) -> go.Scatter:
    """One Scatter trace with a horizontal segment per note and hover text (pitch name, times, velocity)."""
    xs: list[float | None] = []
    ys: list[int | None] = []
    text: list[str | None] = []
    for note in instrument.notes:
        label = (
            f"{pretty_midi.note_number_to_name(note.pitch)} {note.start:.2f}-{note.end:.2f} s, "
            f"velocity {note.velocity}"
        )
        xs += [note.start, note.end, None]
        ys += [note.pitch, note.pitch, None]
        text += [label, label, None]
    return go.Scatter(
        x=xs, y=ys, text=text, name=name, mode="lines", hoverinfo="text",
        line={"width": NOTE_WIDTH_PX, **({"color": colour} if colour else {})}, connectgaps=False,
    )
