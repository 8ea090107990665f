"""Well-formed ``grid-chords`` sequences, and a chord progression imposed on them while sampling.

A piece reads ``BAR (POS_k CH_c? (P_p V_v D_d)*)* ...``, positions rising inside a bar. Masks keep sampled
sequences in that shape. Given a :class:`~model.music.chords.Progression`, chord events are never sampled: at
each chord change the sampler is made to write the change's position and chord itself (when the network
moves time to or past the change, its move is replaced by the change's position, then the chord follows),
so the network hears the progression exactly where the conditioning puts it and writes the notes over it.
Once the progression's last bar is over, the piece is finished and only bar lines follow (they decode to
nothing).

With voices (``grid-voices``) the notes at a position keep the encoder's order, melody, bridge, piano, and the
melody stays one line: at most one melody note a position (decoding ends a melody note where the next begins).
And a piece sings: POP909's songs open with the bridge playing the tune while the voice waits, so a network started
from nothing writes intros, its tune in the bridge for as long as nothing tells it the voice has come in (measured:
9 melody notes against 45 bridge notes in 16 bars over a progression). Where the melody has been silent for
:data:`LEAD_SILENCE` steps, a bridge note that would open a position is written as the melody's (same pitch); once
the melody sings, the network reads it back and goes on as in a verse, and the bridge answers it as in POP909.
"""

from __future__ import annotations

import numpy as np

from model.encoding.grammar import PIANO_HIGH, PIANO_LOW, event_table, masked
from model.encoding.tokens import VOICE_PITCH_KINDS, VOICE_PITCH_NAMES
from model.encoding.vocabulary import Vocabulary
from model.music.chords import Progression
from model.music.score import BRIDGE, MELODY, STEPS_PER_BAR, VOICES

LEAD_SILENCE = STEPS_PER_BAR
"""Steps without a melody note after which the bridge's next opening note is the melody's (a bar)."""


class ChordGridGrammar:
    """Per-sequence state (last event kind, bar, position, pending chord change, lowest voice still open at the
    position) and what may come next."""

    def __init__(self, vocab: Vocabulary, batch: int, progression: Progression | None = None) -> None:
        kinds, values = event_table(vocab)
        self.vocab, self.kinds, self.values = vocab, kinds, values
        self.chord = (kinds == "CH") & (progression is None)
        self.voice_of = np.full(len(kinds), -1)
        for voice, kind in enumerate(VOICE_PITCH_KINDS):
            self.voice_of[kinds == kind] = voice
        pitch = (self.voice_of >= 0) & (values >= PIANO_LOW) & (values <= PIANO_HIGH)
        self.notes_from = [pitch & (self.voice_of >= voice) for voice in range(len(VOICES))]
        self.allowed = {"BAR": (kinds == "BAR") | (kinds == "POS"), "V": kinds == "D"}
        self.allowed.update({kind: kinds == "V" for kind in VOICE_PITCH_KINDS})
        self.time_moves = [(kinds == "BAR") | ((kinds == "POS") & (values > k)) for k in range(STEPS_PER_BAR)]
        self.progression = progression
        self.kind = ["BAR"] * batch
        self.bar = np.full(batch, -1)
        self.position = np.full(batch, -1)
        self.change = np.zeros(batch, dtype=np.int64)
        self.queue: list[list[int]] = [[] for _ in range(batch)]
        self.finished = np.zeros(batch, dtype=bool)
        self.voice = np.full(batch, MELODY)
        self.lowest = np.full(batch, MELODY)
        self.sung = np.full(batch, -LEAD_SILENCE)
        self.bridge_ids, self.melody_ids = _same_pitch(vocab, BRIDGE, MELODY)

    def weigh(self, weights: np.ndarray) -> np.ndarray:
        """The network's next-event weights masked to what may come next (rows summing to 1), with a silent
        melody taking the bridge's opening notes (see the module)."""
        weights = masked(weights, self.mask())
        if not len(self.melody_ids):
            return weights
        now = np.maximum(self.bar, 0) * STEPS_PER_BAR + np.maximum(self.position, 0)
        silent = (self.lowest == MELODY) & (now - self.sung >= LEAD_SILENCE)
        weights[np.ix_(silent, self.melody_ids)] += weights[np.ix_(silent, self.bridge_ids)]
        weights[np.ix_(silent, self.bridge_ids)] = 0.0
        return weights

    def _step_of(self, row: int) -> int:
        """The grid step a sequence has reached (bar and position; -1 counts as the start of either)."""
        return max(int(self.bar[row]), 0) * STEPS_PER_BAR + max(int(self.position[row]), 0)

    def mask(self) -> np.ndarray:
        """Allowed next ids, shape (batch, vocab)."""
        rows = []
        for row, kind in enumerate(self.kind):
            if kind in self.allowed:
                rows.append(self.allowed[kind])
                continue
            notes = self.notes_from[int(self.lowest[row])]
            if kind == "POS":  # a position holds a note or a chord
                rows.append(notes | self.chord)
            else:  # after a chord or a duration: another note, a later position or a bar line
                rows.append(notes | self.time_moves[max(int(self.position[row]), 0)])
        return np.stack(rows)

    def forced(self) -> np.ndarray:
        """The id each sequence must take next (a queued chord change, or a bar line once finished), else -1."""
        out = np.full(len(self.kind), -1, dtype=np.int64)
        for row, queue in enumerate(self.queue):
            if queue:
                out[row] = queue.pop(0)
            elif self.finished[row]:
                out[row] = self.vocab.index["BAR"]
        return out

    def resolve(self, ids: np.ndarray, forced: np.ndarray) -> np.ndarray:
        """Sampled ids with time moves that would skip a pending chord change replaced (see the module)."""
        out = np.where(forced >= 0, forced, ids)
        if self.progression is None:
            return out
        for row in np.flatnonzero(forced < 0):
            out[row] = self._steer(int(row), int(out[row]))
        return out

    def _steer(self, row: int, token: int) -> int:
        assert self.progression is not None
        kind, changes = self.kinds[token], self.progression.changes
        if kind not in ("BAR", "POS") or self.change[row] >= len(changes):
            return token
        bar_start = max(int(self.bar[row]), 0) * STEPS_PER_BAR
        step, chord = changes[self.change[row]]
        arrives = bar_start + (int(self.values[token]) if kind == "POS" else STEPS_PER_BAR)
        if kind == "BAR" and self.bar[row] >= 0 and step == arrives:  # the change opens the next bar
            self.queue[row] += [self.vocab.index["POS_0"], self.vocab.index[chord.token]]
            return token
        if step > arrives or (kind == "BAR" and self.bar[row] < 0):
            return token
        self.queue[row].append(self.vocab.index[chord.token])
        return int(self.vocab.index[f"POS_{step - bar_start}"])

    def advance(self, ids: np.ndarray) -> None:
        """Move every sequence's state past the ids just fed."""
        for row, token in enumerate(ids):
            kind = str(self.kinds[int(token)])
            self.kind[row] = kind
            if kind == "BAR":
                self.bar[row] += 1
                self.position[row], self.lowest[row] = -1, MELODY
                if self.progression is not None and self.bar[row] >= self.progression.bars:
                    self.finished[row] = True
                self._skip_passed(row, inclusive=False)
            elif kind == "POS":
                self.position[row], self.lowest[row] = self.values[int(token)], MELODY
                self._skip_passed(row, inclusive=False)
            elif kind == "CH" or kind in VOICE_PITCH_KINDS:  # a chord, or a note, at a change's time settles it
                self.voice[row] = max(self.voice_of[int(token)], 0)  # a chord's is never read: no duration follows
                if self.voice_of[int(token)] == MELODY:
                    self.sung[row] = self._step_of(row)
                self._skip_passed(row, inclusive=True)
            elif kind == "D":  # later notes at this position: the same voice or a lower one (the melody's: lower)
                self.lowest[row] = self.voice[row] + 1 if self.voice[row] == MELODY else self.voice[row]

    def _skip_passed(self, row: int, inclusive: bool) -> None:
        """Changes behind the sequence's time (and, ``inclusive``, at it) are settled: a primer that moved past
        them, or wrote a chord or a note at their time, leaves nothing to impose there."""
        if self.progression is None:
            return
        now = self._step_of(row) + int(inclusive)
        changes = self.progression.changes
        while self.change[row] < len(changes) and changes[self.change[row]][0] < now:
            self.change[row] += 1

    @property
    def settled(self) -> np.ndarray:
        """Which sequences are over: every event from here on is forced (bar lines), so none need the network."""
        return self.finished & np.array([not queue for queue in self.queue], dtype=bool)


def _same_pitch(vocab: Vocabulary, source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Ids of voice ``source``'s pitch events and of voice ``target``'s at the same pitches (empty for a vocabulary
    without voices)."""
    pairs = [(vocab.index[a], vocab.index[b]) for a, b in zip(VOICE_PITCH_NAMES[source], VOICE_PITCH_NAMES[target],
                                                                strict=True) if a in vocab.index and b in vocab.index]
    return np.array([a for a, _ in pairs], dtype=np.int64), np.array([b for _, b in pairs], dtype=np.int64)
