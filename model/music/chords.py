"""Chord symbols: POP909's chord annotations and a user's progression text, as one small chord vocabulary.

The chord-conditioned family (``grid-chords``) writes a chord token at every chord change. Its vocabulary
is 12 roots x 9 qualities plus ``N`` (no chord): POP909's 16 annotated qualities folded into the nine that
carry most of its chords (maj, min, sus2, min7, maj7, sus4, 7 hold 98% of them; sixths fold into their
triads, half-diminished and diminished sevenths into dim). Bass notes of inversions are dropped: the model
is told the harmony, not the voicing.

A user's progression is read with music21's chord-symbol parser (``harmony.ChordSymbol``), so every spelling
music21 knows ("Am7", "F#m", "Csus4", "Bbmaj7") is accepted; its chord kind then picks the quality.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

QUALITIES = ("maj", "min", "dim", "aug", "sus2", "sus4", "7", "maj7", "min7")
NO_CHORD = "N"
ROOT_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_ROOTS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
POP909_QUALITIES = {
    "maj": "maj", "min": "min", "dim": "dim", "aug": "aug", "sus2": "sus2", "sus4": "sus4", "7": "7",
    "maj7": "maj7", "min7": "min7", "maj6": "maj", "min6": "min", "hdim7": "dim", "dim7": "dim",
    "sus4(b7)": "sus4", "minmaj7": "min", "9": "7", "maj9": "maj7", "min9": "min7",
}
CHORD_TONES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8), "sus2": (0, 2, 7),
    "sus4": (0, 5, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
}
ALLOWED_FORMS = (
    "a root A-G with an optional # or b, then an optional quality such as m, 7, maj7, m7, dim, aug, sus2 or "
    "sus4 (e.g. C, F#m, Bb7, Am7), or N for no chord; separate chords by spaces, bars by |, and end with x4 "
    "to repeat"
)
MAX_BARS = 256


class ChordError(ValueError):
    """A chord name or progression that cannot be read; the message names the allowed forms."""


@dataclass(frozen=True)
class Chord:
    """A root pitch class (0-11) and one of :data:`QUALITIES`; ``root`` None is "no chord"."""

    root: int | None
    quality: str = "maj"

    @property
    def token(self) -> str:
        """The event name: ``CH_C:maj``, ``CH_Bb:min7`` ... or ``CH_N``."""
        return f"CH_{self.label}"

    @property
    def label(self) -> str:
        return NO_CHORD if self.root is None else f"{ROOT_NAMES[self.root]}:{self.quality}"

    def tones(self) -> frozenset[int]:
        """Pitch classes of the chord (empty for no chord)."""
        if self.root is None:
            return frozenset()
        return frozenset((self.root + i) % 12 for i in CHORD_TONES[self.quality])

    def transposed(self, semitones: int) -> Chord:
        return self if self.root is None else Chord((self.root + semitones) % 12, self.quality)


def chord_vocabulary() -> list[str]:
    """Every chord event, in a fixed order shared by all models of the family."""
    return [Chord(None).token] + [Chord(r, q).token for r in range(12) for q in QUALITIES]


@functools.cache
def from_label(label: str) -> Chord:
    """A POP909 label (``"F#:maj7/5"``, ``"Bb:sus4(b7)"``, ``"N"``) or a token label (``"F#:maj7"``)."""
    if label in (NO_CHORD, "X", ""):
        return Chord(None)
    root, _, rest = label.partition(":")
    quality = POP909_QUALITIES.get(rest.split("/", 1)[0], "maj")
    return Chord(_root_pitch_class(root), quality)


def from_token(token: str) -> Chord:
    """The chord of a ``CH_...`` event."""
    return from_label(token.removeprefix("CH_"))


def _root_pitch_class(name: str) -> int:
    if not name or name[0] not in _ROOTS or any(c not in "#b" for c in name[1:]):
        raise ChordError(f"{name!r} is not a chord root; use {ALLOWED_FORMS}.")
    return (_ROOTS[name[0]] + name.count("#") - name.count("b")) % 12


def parse_symbol(symbol: str) -> Chord:
    """One chord symbol as a musician writes it (``"Am7"``, ``"Bb"``, ``"F#sus4"``), through music21."""
    if symbol == NO_CHORD:
        return Chord(None)
    match = re.fullmatch(r"([A-G])([#b]?)(.*)", symbol)
    if match is None:
        raise ChordError(f"{symbol!r} is not a chord name; use {ALLOWED_FORMS}.")
    from music21 import harmony  # music21 takes about a second to import: only when text is parsed

    root, accidental, kind = match.groups()
    try:  # music21 writes flats as "-" ("B-"), so "Bb" is handed over as "B-"
        parsed = harmony.ChordSymbol(root + accidental.replace("b", "-") + kind)
    except Exception as exc:  # music21 raises ValueError and its own exceptions for unknown kinds
        raise ChordError(f"{symbol!r} is not a chord name; use {ALLOWED_FORMS}.") from exc
    return Chord(_root_pitch_class(root + accidental), _quality_of_kind(str(parsed.chordKind)))


def _quality_of_kind(kind: str) -> str:
    """music21's chord kind (``"minor-seventh"``, ``"suspended-fourth"`` ...) folded into :data:`QUALITIES`."""
    for prefix, quality in (("suspended-second", "sus2"), ("suspended-fourth", "sus4"), ("half-dim", "dim"),
                            ("diminished", "dim"), ("augmented", "aug"), ("dominant", "7"),
                            ("major-seventh", "maj7"), ("major-ninth", "maj7"), ("minor-seventh", "min7"),
                            ("minor-ninth", "min7"), ("minor", "min")):
        if kind.startswith(prefix):
            return quality
    return "maj"


@dataclass(frozen=True)
class Progression:
    """Chord changes on the 16th grid: ``(step, chord)`` pairs in time order, and the length in bars."""

    changes: tuple[tuple[int, Chord], ...]
    bars: int

    def fitted(self, bars: int, steps_per_bar: int = 16) -> Progression:
        """The progression cut, or repeated from its start, to exactly ``bars`` bars."""
        if not 1 <= bars <= MAX_BARS:
            raise ChordError(f"bars must be between 1 and {MAX_BARS}, got {bars}.")
        end, period = bars * steps_per_bar, self.bars * steps_per_bar
        repeated = [(offset + step, chord) for offset in range(0, end, period) for step, chord in self.changes
                    if offset + step < end]
        return Progression(chord_changes(repeated), bars)

    def delayed(self, bars: int, steps_per_bar: int = 16) -> Progression:
        """The same changes ``bars`` bars later, the first chord standing over the bars before (a primer's, whose
        own chords sound there)."""
        if bars <= 0 or not self.changes:
            return self
        shifted = [(0, self.changes[0][1]), *((step + bars * steps_per_bar, chord) for step, chord in self.changes)]
        return Progression(chord_changes(shifted), self.bars + bars)

    def excerpt(self, start_bar: int, bars: int, steps_per_bar: int = 16) -> Progression:
        """``bars`` bars from ``start_bar``, opened by the chord sounding at their start."""
        begin, end = start_bar * steps_per_bar, (start_bar + bars) * steps_per_bar
        sounding = [(0, chord) for step, chord in self.changes if step <= begin][-1:]
        inside = [(step - begin, chord) for step, chord in self.changes if begin < step < end]
        return Progression(chord_changes([*sounding, *inside]), bars)

    def transposed(self, semitones: int) -> Progression:
        return Progression(tuple((step, chord.transposed(semitones)) for step, chord in self.changes), self.bars)

    def text(self) -> str:
        """The progression written back as text, one bar between bars lines (for cards and pages)."""
        by_bar: dict[int, list[str]] = {}
        for step, chord in self.changes:
            by_bar.setdefault(step // 16, []).append(_symbol(chord))
        return " | ".join(" ".join(by_bar.get(b, ["-"])) for b in range(self.bars))


def _symbol(chord: Chord) -> str:
    if chord.root is None:
        return NO_CHORD
    suffix = {"maj": "", "min": "m"}.get(chord.quality, chord.quality)
    return ROOT_NAMES[chord.root] + suffix


def parse_progression(text: str, steps_per_bar: int = 16) -> Progression:
    """Read ``"C G Am F"`` (one chord per bar), ``"C | G | Am F"`` (bars split evenly among their chords) and a
    final ``x4`` (repeat the whole progression). Any unreadable chord raises one sentence naming the forms.

    An empty bar between bar lines (``"C | | G"``) is a bar in which the chord before it goes on, as on a lead
    sheet; bar lines at either end (``"| C | G |"``) only frame the progression."""
    body, repeat = _split_repeat(text.strip())
    body = body.strip().strip("|").strip()
    if not body:
        raise ChordError(f"The progression is empty; use {ALLOWED_FORMS}.")
    bars = [bar.split() for bar in body.split("|")] if "|" in body else [[c] for c in body.split()]
    if len(bars) * repeat > MAX_BARS:
        raise ChordError(f"The progression is {len(bars) * repeat} bars long; at most {MAX_BARS} are allowed.")
    written = [(index * steps_per_bar + (k * steps_per_bar) // len(bar), parse_symbol(symbol))
               for index, bar in enumerate(bars * repeat) for k, symbol in enumerate(bar)]
    return Progression(chord_changes(written), len(bars) * repeat)


def _split_repeat(text: str) -> tuple[str, int]:
    match = re.fullmatch(r"(.*?)\s*[xX×]\s*(\d+)", text)
    if match is None:
        return text, 1
    repeat = int(match.group(2))
    if not 1 <= repeat <= MAX_BARS:
        raise ChordError(f"The repeat count must be between 1 and {MAX_BARS}, got {repeat}.")
    return match.group(1), repeat


def read_chord_file(path: Path) -> list[tuple[float, float, Chord]]:
    """POP909 ``chord_midi.txt``: (start s, end s, chord) per line."""
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 3:
            rows.append((float(parts[0]), float(parts[1]), from_label(parts[2])))
    return rows


def chord_changes(segments: Iterable[tuple[int, Chord]]) -> tuple[tuple[int, Chord], ...]:
    """(step, chord) at every change, from (start step, chord) segments in time order: a chord repeated by the
    next segment continues, and of two segments starting on one step the later wins."""
    changes: list[tuple[int, Chord]] = []
    for step, chord in segments:
        if changes and changes[-1][0] == step:
            changes[-1] = (step, chord)
        elif not changes or changes[-1][1] != chord:
            changes.append((int(step), chord))
    return tuple(changes)
