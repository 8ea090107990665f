"""One presentation for every source of a study: tempo, dynamics, texture and instrument applied alike.

A listening study should measure composition. If POP909 originals keep their tempo and expressive dynamics
across three tracks while a model's piece plays at a fixed 90 BPM with every velocity 80, participants can tell
the sources apart without judging the music. A ``PresentationPolicy`` is applied to every clip's MIDI before it
is rendered, whatever its source, so these surface properties are matched by design:

* tempo: each piece's own, one BPM for all, or the tempo of the clip's group (primer) song; the piece is
  stretched in time (pitches and note order untouched), so the same music is heard, only faster or slower;
* velocity: as written, one velocity for all, or humanised: every note gets the piece's mean velocity plus a
  normal spread of ``HUMANISE_SD`` (POP909's within-piece spread), drawn from a seed fixed by the clip;
* content: the full piece, or its melody only (a track named MELODY, as POP909 names it, else the top line);
* instrument: one General MIDI program for every note, or as written.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pretty_midi

from audio.midi import MidiInput, load_midi, midi_bytes
from audio.settings import POP909_TRACKS

HUMANISE_SD = 11.7
"""Spread (standard deviation) of humanised velocities: POP909's mean within-piece spread (bench/quality.py)."""
MELODY_TRACK = POP909_TRACKS[0]
"""POP909's name for the sung line; other MIDI falls back to its top line."""
ONSET_TOLERANCE_S = 0.02
"""Notes starting this close together count as one onset when the top line is taken."""


class TempoPolicy(enum.Enum):
    """Where a clip's tempo comes from."""

    OWN = "own"
    FIXED = "fixed"
    GROUP = "group"


class VelocityPolicy(enum.Enum):
    """What happens to note velocities."""

    AS_WRITTEN = "as-written"
    FIXED = "fixed"
    HUMANISED = "humanised"


class ContentPolicy(enum.Enum):
    """How much of the texture is heard."""

    FULL = "full"
    MELODY = "melody"


@dataclass(frozen=True)
class PresentationPolicy:
    """The study-wide presentation; the default changes nothing (every piece as written)."""

    tempo: TempoPolicy = TempoPolicy.OWN
    bpm: float | None = None
    velocity: VelocityPolicy = VelocityPolicy.AS_WRITTEN
    velocity_value: int | None = None
    content: ContentPolicy = ContentPolicy.FULL
    program: int | None = None

    def __post_init__(self) -> None:
        if (self.tempo is TempoPolicy.FIXED) != (self.bpm is not None):
            raise ValueError("A fixed tempo needs its BPM, and only a fixed tempo takes one.")
        if (self.velocity is VelocityPolicy.FIXED) != (self.velocity_value is not None):
            raise ValueError("One velocity for all needs its value (1-127), and only that policy takes one.")

    @property
    def changes_nothing(self) -> bool:
        """True for the default policy: the MIDI is rendered as it is."""
        return self == PresentationPolicy()

    def to_dict(self) -> dict[str, Any]:
        """The policy in the study file's own words (JSON-safe), as recorded with every clip."""
        return {
            "tempo": self.bpm if self.tempo is TempoPolicy.FIXED else self.tempo.value,
            "velocity": self.velocity_value if self.velocity is VelocityPolicy.FIXED else self.velocity.value,
            "content": self.content.value,
            "instrument": "as-written" if self.program is None else self.program,
        }


@dataclass(frozen=True)
class Presented:
    """A clip's MIDI after the policy, and the factor its times were stretched by (to move excerpt starts)."""

    midi: bytes
    time_scale: float
    bpm: float


def piece_bpm(midi: pretty_midi.PrettyMIDI) -> float:
    """The tempo in effect for the longest time of the piece (its own tempo, whatever the tempo map)."""
    times, tempi = midi.get_tempo_changes()
    if len(tempi) == 0:
        return 120.0
    ends = np.append(times[1:], max(midi.get_end_time(), float(times[-1])))
    spans = np.maximum(ends - times, 0.0)
    return float(tempi[int(np.argmax(spans))]) if spans.sum() > 0 else float(tempi[0])


def present(midi: MidiInput, policy: PresentationPolicy, group_bpm: float | None = None,
            seed_text: str = "") -> Presented:
    """Apply ``policy`` to a piece; ``group_bpm`` is the group song's tempo (needed by the ``group`` policy).

    ``seed_text`` (the clip's key) fixes the humanised velocities, so a clip sounds the same every time.
    """
    parsed = load_midi(midi)
    own = piece_bpm(parsed)
    target = _target_bpm(policy, own, group_bpm)
    if policy.changes_nothing:
        return Presented(midi_bytes(midi), 1.0, own)
    scale = own / target
    kept = _content(parsed, policy.content)
    velocities = _velocities([n for _, n in kept], policy, seed_text)
    out = pretty_midi.PrettyMIDI(initial_tempo=target)
    tracks: dict[int, pretty_midi.Instrument] = {}
    for (inst, note), velocity in zip(kept, velocities, strict=True):
        key = id(inst)
        if key not in tracks:
            program = int(inst.program if policy.program is None else policy.program)
            tracks[key] = pretty_midi.Instrument(program=program, name=inst.name)
            out.instruments.append(tracks[key])
        tracks[key].notes.append(pretty_midi.Note(velocity=velocity, pitch=note.pitch,
                                                  start=note.start * scale, end=note.end * scale))
    if not out.instruments:
        raise ValueError("the piece has no pitched notes to present")
    return Presented(midi_bytes(out), scale, target)


def _target_bpm(policy: PresentationPolicy, own: float, group_bpm: float | None) -> float:
    if policy.tempo is TempoPolicy.FIXED:
        return float(policy.bpm or own)
    if policy.tempo is TempoPolicy.GROUP:
        if group_bpm is None:
            raise ValueError("the 'group' tempo needs the clip's group song, and this clip has none")
        return float(group_bpm)
    return own


def _content(midi: pretty_midi.PrettyMIDI, content: ContentPolicy) -> list[tuple[Any, pretty_midi.Note]]:
    """(instrument, note) pairs to keep: all pitched notes, or the melody track, or the top line."""
    pitched = [inst for inst in midi.instruments if not inst.is_drum]
    if content is ContentPolicy.FULL:
        return [(inst, n) for inst in pitched for n in sorted(inst.notes, key=lambda n: (n.start, n.pitch))]
    named = [inst for inst in pitched if inst.name.strip().upper() == MELODY_TRACK and inst.notes]
    if named:
        return [(named[0], n) for n in sorted(named[0].notes, key=lambda n: n.start)]
    return top_line([(inst, n) for inst in pitched for n in inst.notes])


def top_line(pairs: list[tuple[Any, pretty_midi.Note]]) -> list[tuple[Any, pretty_midi.Note]]:
    """The highest note of each onset, cut where the next kept onset starts: a monophonic line.

    This is the "skyline" reduction of the melody-extraction literature (Uitdenbogerd & Zobel 1998); written
    here because neither pretty_midi nor music21 offers it on a note list.
    """
    pairs = sorted(pairs, key=lambda p: (p[1].start, -p[1].pitch))
    line: list[tuple[Any, pretty_midi.Note]] = []
    for inst, note in pairs:
        if line and note.start - line[-1][1].start < ONSET_TOLERANCE_S:
            continue  # a lower note of the same onset
        if line and line[-1][1].end > note.start:
            last_inst, last = line[-1]
            line[-1] = (last_inst, pretty_midi.Note(last.velocity, last.pitch, last.start, note.start))
        line.append((inst, pretty_midi.Note(note.velocity, note.pitch, note.start, note.end)))
    return line


def _velocities(notes: list[pretty_midi.Note], policy: PresentationPolicy, seed_text: str) -> list[int]:
    written = np.array([n.velocity for n in notes], dtype=float)
    if policy.velocity is VelocityPolicy.AS_WRITTEN or not len(notes):
        return [int(v) for v in written]
    if policy.velocity is VelocityPolicy.FIXED:
        return [int(policy.velocity_value or 80)] * len(notes)
    rng = np.random.default_rng(zlib.crc32(seed_text.encode()))
    drawn = written.mean() + rng.normal(0.0, HUMANISE_SD, len(notes))
    return [int(v) for v in np.clip(np.rint(drawn), 1, 127)]


def policy_from_dict(data: dict[str, Any]) -> PresentationPolicy:
    """The policy from its recorded form (``PresentationPolicy.to_dict``); raises ``ValueError`` when invalid."""
    tempo, velocity = data.get("tempo", "own"), data.get("velocity", "as-written")
    instrument = data.get("instrument", "as-written")
    fixed_tempo = isinstance(tempo, int | float) and not isinstance(tempo, bool)
    fixed_velocity = isinstance(velocity, int) and not isinstance(velocity, bool)
    return PresentationPolicy(
        tempo=TempoPolicy.FIXED if fixed_tempo else TempoPolicy(tempo),
        bpm=float(tempo) if fixed_tempo else None,
        velocity=VelocityPolicy.FIXED if fixed_velocity else VelocityPolicy(velocity),
        velocity_value=int(velocity) if fixed_velocity else None,
        content=ContentPolicy(data.get("content", "full")),
        program=None if instrument == "as-written" else int(instrument),
    )


def policy_summary(policy: PresentationPolicy) -> str:
    """One line for the Studio and the report, e.g. "tempo of the group song; velocity 80 for all; ..."."""
    tempo = {TempoPolicy.OWN: "each piece's own tempo", TempoPolicy.GROUP: "tempo of the group song",
             TempoPolicy.FIXED: f"{policy.bpm} BPM for all"}[policy.tempo]
    velocity = {VelocityPolicy.AS_WRITTEN: "velocities as written", VelocityPolicy.HUMANISED: "humanised velocities",
                VelocityPolicy.FIXED: f"velocity {policy.velocity_value} for all"}[policy.velocity]
    content = {ContentPolicy.FULL: "full texture", ContentPolicy.MELODY: "melody only"}[policy.content]
    instrument = "instruments as written" if policy.program is None else (
        f"one instrument for all ({pretty_midi.program_to_instrument_name(policy.program)})")
    return f"{tempo}; {velocity}; {content}; {instrument}"


__all__ = [
    "ContentPolicy", "PresentationPolicy", "Presented", "TempoPolicy", "VelocityPolicy",
    "piece_bpm", "policy_from_dict", "policy_summary", "present", "top_line",
]
