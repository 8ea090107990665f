"""Survey excerpts: fixed length, sensible start, loudness within 0.5 LU, peak <= -1 dBFS, deterministic."""

from __future__ import annotations

import numpy as np
import pretty_midi

from audio.excerpt import choose_start, make_excerpt, whole_piece
from audio.loudness import integrated_loudness, peak_dbfs
from audio.settings import ExcerptSettings
from tests.audio.conftest import scale_midi


def test_default_pop909_excerpt_is_20_s_at_minus_16_lufs_under_minus_1_dbfs(song):
    excerpt = make_excerpt(song)
    assert excerpt.samples.shape == (20 * 44100, 2)
    assert abs(integrated_loudness(excerpt.samples, excerpt.sample_rate) - (-16.0)) <= 0.5
    assert peak_dbfs(excerpt.samples) <= -1.0


def test_loudness_target_is_configurable(song):
    excerpt = make_excerpt(song, settings=ExcerptSettings(seconds=4.0, lufs=-23.0, start_seconds=60.0))
    assert abs(excerpt.loudness_lufs - (-23.0)) <= 0.5
    assert excerpt.peak_dbfs <= -1.0


def test_start_is_a_note_onset_on_a_downbeat_at_or_after_the_request(song, short):
    midi = pretty_midi.PrettyMIDI(str(song))
    start = choose_start(midi, short.seconds, requested=60.0)
    onsets = {note.start for instrument in midi.instruments for note in instrument.notes}
    assert start in onsets
    assert start >= 60.0 - 0.1
    beat = float(np.median(np.diff(midi.get_beats())))
    assert np.min(np.abs(midi.get_downbeats() - start)) <= beat / 8


def test_start_moves_back_so_the_clip_fits_in_the_piece(song):
    midi = pretty_midi.PrettyMIDI(str(song))
    start = choose_start(midi, 20.0, requested=midi.get_end_time() - 5.0)
    assert start + 20.0 <= midi.get_end_time()


def test_fades_start_and_end_near_silence(song, short):
    samples = make_excerpt(song, settings=short).samples
    assert np.max(np.abs(samples[:10])) < 0.01
    assert np.max(np.abs(samples[-10:])) < 0.01


def test_short_piece_is_padded_to_the_same_length_and_keeps_its_loudness(short):
    excerpt = make_excerpt(scale_midi(2.0), settings=short)
    assert excerpt.samples.shape == (4 * 44100, 2)
    assert abs(excerpt.loudness_lufs - (-16.0)) <= 0.5
    assert np.all(excerpt.samples[-4410:] == 0.0)  # trailing silence is digital silence


def test_excerpts_of_different_pieces_match_in_length_rate_and_loudness(song, pop909_dir, short):
    a = make_excerpt(song, settings=short)
    b = make_excerpt(pop909_dir / "002" / "002.mid", settings=short)
    c = make_excerpt(scale_midi(6.0), settings=short)
    assert a.samples.shape == b.samples.shape == c.samples.shape
    assert a.sample_rate == b.sample_rate == c.sample_rate
    assert max(x.loudness_lufs for x in (a, b, c)) - min(x.loudness_lufs for x in (a, b, c)) <= 0.5


def test_same_input_gives_the_same_excerpt(song, short):
    assert np.array_equal(make_excerpt(song, settings=short).samples, make_excerpt(song, settings=short).samples)


def test_very_quiet_piece_is_trimmed_relative_to_its_own_peak_and_normalised(short):
    quiet = scale_midi(6.0)
    for note in quiet.instruments[0].notes:
        note.velocity = 5
    excerpt = make_excerpt(quiet, settings=short)
    assert abs(excerpt.loudness_lufs - (-16.0)) <= 0.5
    assert excerpt.peak_dbfs <= -1.0


def test_a_whole_piece_is_heard_at_the_clips_level_from_its_first_note_to_its_tail(short):
    piece_midi = scale_midi(6.0)
    clip = make_excerpt(piece_midi, settings=short)
    piece = whole_piece(piece_midi, settings=short)
    assert len(piece.samples) / piece.sample_rate >= piece_midi.get_end_time(), "nothing of the piece is cut"
    assert abs(piece.loudness_lufs - clip.loudness_lufs) < 0.5 and piece.peak_dbfs <= -1.0 + 1e-6
    onset = np.argmax(np.abs(piece.samples).max(axis=1) > 1e-3) / piece.sample_rate
    assert onset < 0.05, "the first note is heard from the start, not faded in"
    assert np.abs(piece.samples[-1]).max() < 1e-4, "the cut tail fades to silence"
