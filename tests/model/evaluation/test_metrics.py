"""Per-piece metrics, each checked on MIDI built here with an answer worked out by hand."""

from __future__ import annotations

import io
import math

import numpy as np
import pretty_midi
import pytest

from model.evaluation import metrics

SECONDS_PER_BEAT = 0.5  # pretty_midi's default 120 BPM


def piece(notes: list[tuple[int, float, float]], *, drums: bool = False) -> pretty_midi.PrettyMIDI:
    """A one-instrument piece at 120 BPM from (pitch, onset in beats, length in beats)."""
    pm = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    instrument = pretty_midi.Instrument(program=0, is_drum=drums)
    for pitch, onset, length in notes:
        start = onset * SECONDS_PER_BEAT
        instrument.notes.append(pretty_midi.Note(90, pitch, start, start + length * SECONDS_PER_BEAT))
    pm.instruments.append(instrument)
    return pm


C_MAJOR_SCALE = piece([(p, i, 1.0) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72])])
REPEATED_NOTE = piece([(60, i, 1.0) for i in range(16)])
TRIADS = [(60, 64, 67), (65, 69, 72), (67, 71, 74), (60, 64, 67)]  # I IV V I, one bar each
CHORD_PROGRESSION = piece([(p, 4 * bar, 4.0) for bar, triad in enumerate(TRIADS) for p in triad])


def one_hot(label: str) -> np.ndarray:
    return np.array([1.0 if x == label else 0.0 for x in metrics.HISTOGRAM_LABELS])


def entropy_bits(counts: list[int]) -> float:
    p = np.array(counts) / sum(counts)
    return float(-(p * np.log2(p)).sum())


class TestCMajorScale:
    """C4 D4 E4 F4 G4 A4 B4 C5 in quarter notes: two bars, one key, one rhythm."""

    def test_pitch_metrics(self):
        assert metrics.pitch_class_entropy(C_MAJOR_SCALE) == pytest.approx(entropy_bits([2] + [1] * 6))
        assert metrics.pitch_class_entropy(C_MAJOR_SCALE) == pytest.approx(2.75)
        assert metrics.pitch_range(C_MAJOR_SCALE) == 12
        assert metrics.n_pitches_used(C_MAJOR_SCALE) == 8
        assert metrics.n_pitch_classes_used(C_MAJOR_SCALE) == 7
        assert metrics.scale_consistency(C_MAJOR_SCALE) == 1.0
        assert metrics.polyphony(C_MAJOR_SCALE) == pytest.approx(1.0)

    def test_every_note_and_interval_is_one_beat(self):
        np.testing.assert_allclose(metrics.duration_histogram(C_MAJOR_SCALE), one_hot("1"))
        np.testing.assert_allclose(metrics.ioi_histogram(C_MAJOR_SCALE), one_hot("1"))

    def test_rhythm_and_repetition(self):
        assert metrics.empty_beat_rate(C_MAJOR_SCALE) == 0.0
        assert metrics.groove_consistency(C_MAJOR_SCALE) == 1.0  # both bars: onsets on every beat
        assert metrics.repeated_bar_share(C_MAJOR_SCALE) == 0.0
        assert metrics.bar_self_similarity(C_MAJOR_SCALE) == 0.0  # no pitch recurs at the same step


class TestSingleRepeatedNote:
    """C4 on every beat for four bars: no pitch variety, total repetition."""

    def test_pitch_metrics(self):
        assert metrics.pitch_class_entropy(REPEATED_NOTE) == 0.0
        assert metrics.pitch_range(REPEATED_NOTE) == 0
        assert metrics.n_pitches_used(REPEATED_NOTE) == 1
        assert metrics.n_pitch_classes_used(REPEATED_NOTE) == 1

    def test_every_bar_after_the_first_repeats(self):
        assert metrics.repeated_bar_share(REPEATED_NOTE) == pytest.approx(3 / 4)
        assert metrics.bar_self_similarity(REPEATED_NOTE) == 1.0
        assert metrics.groove_consistency(REPEATED_NOTE) == 1.0

    def test_every_other_beat_silent(self):
        sparse = piece([(60, beat, 1.0) for beat in (0, 2, 4, 6)])
        assert metrics.empty_beat_rate(sparse) == pytest.approx(3 / 7)  # beats 1, 3, 5 of 0..6


class TestChordProgression:
    """C F G C triads, one whole-note chord per bar."""

    def test_three_voices_in_one_key(self):
        assert metrics.polyphony(CHORD_PROGRESSION) == pytest.approx(3.0)
        assert metrics.scale_consistency(CHORD_PROGRESSION) == 1.0
        assert metrics.pitch_range(CHORD_PROGRESSION) == 74 - 60
        assert metrics.n_pitch_classes_used(CHORD_PROGRESSION) == 7
        # C: 3, E: 2, G: 3, F: 1, A: 1, B: 1, D: 1
        assert metrics.pitch_class_entropy(CHORD_PROGRESSION) == pytest.approx(
            entropy_bits([3, 2, 3, 1, 1, 1, 1])
        )

    def test_whole_notes(self):
        np.testing.assert_allclose(metrics.duration_histogram(CHORD_PROGRESSION), one_hot("4"))
        np.testing.assert_allclose(metrics.ioi_histogram(CHORD_PROGRESSION), one_hot("4"))
        assert metrics.empty_beat_rate(CHORD_PROGRESSION) == 0.0

    def test_the_last_bar_repeats_the_first(self):
        assert metrics.repeated_bar_share(CHORD_PROGRESSION) == pytest.approx(1 / 4)
        # F shares nothing with C; G shares G4 with C (1 of 5 onsets); the last C equals the first.
        assert metrics.bar_self_similarity(CHORD_PROGRESSION) == pytest.approx((0 + 1 / 5 + 1) / 3)
        assert metrics.groove_consistency(CHORD_PROGRESSION) == 1.0


def test_empty_piece_gives_nan_everywhere():
    for empty in (pretty_midi.PrettyMIDI(), np.zeros((0, 3))):
        values = metrics.piece_metrics(empty)
        assert list(values)[: len(metrics.SCALAR_METRICS)] == list(metrics.SCALAR_METRICS)
        assert all(math.isnan(v) for v in values.values())
        assert np.isnan(metrics.duration_histogram(empty)).all()
        assert math.isnan(metrics.pitch_class_entropy(empty))


def test_a_notes_array_gives_the_same_metrics_as_the_midi():
    notes = metrics.notes_of(CHORD_PROGRESSION)
    assert notes.shape == (12, 3)
    assert notes[0].tolist() == [0.0, 2.0, 60.0]  # onset s, offset s, pitch
    assert metrics.piece_metrics(notes) == metrics.piece_metrics(CHORD_PROGRESSION)


def test_drum_tracks_are_ignored():
    with_drums = piece([(p, i, 1.0) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72])])
    with_drums.instruments.append(piece([(36, i / 2, 0.25) for i in range(16)], drums=True).instruments[0])
    np.testing.assert_equal(metrics.piece_metrics(with_drums), metrics.piece_metrics(C_MAJOR_SCALE))


def test_lengths_are_measured_in_beats_so_tempo_does_not_matter():
    slow = pretty_midi.PrettyMIDI(initial_tempo=60.0)
    slow.instruments.append(pretty_midi.Instrument(0))
    slow.instruments[0].notes = [pretty_midi.Note(90, 60, 1.0 * i, 1.0 * i + 0.5) for i in range(8)]
    np.testing.assert_allclose(metrics.duration_histogram(slow), one_hot("1/2"))
    np.testing.assert_allclose(metrics.ioi_histogram(slow), one_hot("1"))


def test_an_explicit_beat_grid_overrides_the_tempo_map():
    notes = np.array([[0.75 * i, 0.75 * i + 0.375, 60] for i in range(8)])  # played at 80 BPM
    grid = np.arange(0.0, 6.0, 0.75)
    np.testing.assert_allclose(metrics.ioi_histogram(notes, beats=grid), one_hot("1"))
    np.testing.assert_allclose(metrics.duration_histogram(notes, beats=grid), one_hot("1/2"))
    np.testing.assert_allclose(metrics.ioi_histogram(notes), one_hot("3/2"))  # on the default 120 BPM grid


def test_a_spread_chord_is_one_onset():
    spread = piece([(60, 0.0, 1.0), (64, 0.02, 1.0), (67, 0.04, 1.0), (60, 1.0, 1.0)])
    np.testing.assert_allclose(metrics.ioi_histogram(spread), one_hot("1"))


def test_downbeats_set_the_bars_and_a_pickup_is_left_out():
    pickup_then_bars = piece([(55, 3, 1.0)] + [(60, 4 + beat, 1.0) for beat in range(8)])
    rolls = metrics.bar_onset_rolls(pickup_then_bars, downbeats=[2.0, 4.0])  # bars start on beats 4, 8
    assert rolls.shape == (2, 16, 128)
    assert rolls[:, :, 55].sum() == 0
    assert metrics.repeated_bar_share(pickup_then_bars, downbeats=[2.0, 4.0]) == pytest.approx(1 / 2)


def test_repetition_ignores_empty_bars():
    bar_rest_bar = piece([(60, beat, 1.0) for beat in range(4)] + [(60, 8 + beat, 1.0) for beat in range(4)])
    assert metrics.repeated_bar_share(bar_rest_bar) == pytest.approx(1 / 2)
    assert metrics.groove_consistency(bar_rest_bar) == pytest.approx(1 - 4 / 16)  # 4 of 16 steps differ


class TestHistogramDistance:
    """Jensen-Shannon distance, base 2."""

    def test_equal_is_zero_disjoint_is_one(self):
        assert metrics.histogram_distance([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0
        assert metrics.histogram_distance([1.0, 0.0], [0.0, 1.0]) == pytest.approx(1.0)

    def test_known_value_and_symmetry(self):
        # M = (0.75, 0.25); KL(P||M) = log2(4/3); KL(Q||M) = 0.5 log2(2/3) + 0.5 log2(2); JSD = their mean.
        jsd = 0.5 * math.log2(4 / 3) + 0.5 * (0.5 * math.log2(2 / 3) + 0.5)
        assert metrics.histogram_distance([1, 0], [0.5, 0.5]) == pytest.approx(math.sqrt(jsd))
        assert metrics.histogram_distance([0.5, 0.5], [1, 0]) == pytest.approx(math.sqrt(jsd))

    def test_an_empty_piece_has_no_distance(self):
        empty = metrics.duration_histogram(np.zeros((0, 3)))
        assert math.isnan(metrics.histogram_distance(empty, metrics.duration_histogram(C_MAJOR_SCALE)))


def test_metrics_from_bytes_match_metrics_from_the_midi():
    buffer = io.BytesIO()
    CHORD_PROGRESSION.write(buffer)
    from_bytes = metrics.piece_metrics_from_bytes(buffer.getvalue())
    assert from_bytes == pytest.approx(metrics.piece_metrics(CHORD_PROGRESSION), abs=1e-9)


@pytest.mark.parametrize("data", [b"", b"not a midi file", b"MThd\x00\x00\x00\x06\x00\x01"])
def test_corrupt_bytes_raise_one_clear_error(data):
    with pytest.raises(metrics.MidiReadError, match="not a readable MIDI file"):
        metrics.piece_metrics_from_bytes(data)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        metrics.notes_of(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="strictly increasing"):
        metrics.beat_grid(C_MAJOR_SCALE, beats=[1.0, 1.0, 2.0])


def test_a_pop909_song_on_its_annotated_grid(pop909_dir):
    beats = np.loadtxt(pop909_dir / "001" / "beat_midi.txt")
    song = pretty_midi.PrettyMIDI(str(pop909_dir / "001" / "001.mid"))
    values = metrics.piece_metrics(song, beats=beats[:, 0], downbeats=beats[beats[:, 2] == 1, 0])
    assert 2.0 < values["pitch_class_entropy"] < math.log2(12)
    assert values["scale_consistency"] > 0.9
    assert 1.0 < values["polyphony"] < 6.0
    for name in ("empty_beat_rate", "groove_consistency", "repeated_bar_share", "bar_self_similarity"):
        assert 0.0 <= values[name] <= 1.0
    hist = [values[f"ioi_hist[{label}]"] for label in metrics.HISTOGRAM_LABELS]
    assert sum(hist) == pytest.approx(1.0)
