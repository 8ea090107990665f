"""Chord progressions: the text users type, POP909 labels, grid-chords events, chords imposed while sampling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from model.encoding.chord_grammar import ChordGridGrammar
from model.encoding.tokens import ChordGridCodec
from model.encoding.transpose import shift_table
from model.encoding.vocabulary import Vocabulary
from model.evaluation.metrics import chord_tone_share
from model.families import family_named, family_of
from model.generation.generate import GenerationSettings, generate_ids
from model.music.chords import Chord, ChordError, Progression, from_label, parse_progression
from model.music.score import Score, load_score

C, G, A_MIN, F = Chord(0, "maj"), Chord(7, "maj"), Chord(9, "min"), Chord(5, "maj")
ROOT = Path(__file__).resolve().parents[3]


def test_one_chord_per_bar_is_the_plain_form() -> None:
    progression = parse_progression("C G Am F")
    assert progression.bars == 4
    assert progression.changes == ((0, C), (16, G), (32, A_MIN), (48, F))


def test_bar_lines_split_a_bar_evenly_and_x_repeats_the_whole_progression() -> None:
    assert parse_progression("C | G | Am F").changes == ((0, C), (16, G), (32, A_MIN), (40, F))
    repeated = parse_progression("C G Am F x4")
    assert repeated.bars == 16 and len(repeated.changes) == 16 and repeated.changes[-1] == (240, F)


def test_an_empty_bar_holds_the_chord_before_it_and_outer_bar_lines_only_frame() -> None:
    held = parse_progression("C | | G")
    assert held.bars == 3 and held.changes == ((0, C), (32, G)) and held.text() == "C | - | G"
    assert parse_progression("| C | G |") == parse_progression("C G")


def test_a_delayed_progression_starts_after_the_bars_before_it() -> None:
    later = parse_progression("C G").delayed(2)
    assert later.bars == 4 and later.changes == ((0, C), (48, G)), "C stands over the two bars before, then goes on"


@pytest.mark.parametrize(("symbol", "chord"), [
    ("Bb7", Chord(10, "7")), ("F#m", Chord(6, "min")), ("Am7", Chord(9, "min7")), ("Ebmaj7", Chord(3, "maj7")),
    ("Csus4", Chord(0, "sus4")), ("Bdim", Chord(11, "dim")), ("N", Chord(None)),
])
def test_musicians_spellings_are_read_through_music21(symbol: str, chord: Chord) -> None:
    assert parse_progression(symbol).changes == ((0, chord),)


@pytest.mark.parametrize("text", ["C H Am", "Cxyz", "c g", "", "C G x0", "C x300"])
def test_a_bad_progression_gets_one_sentence_naming_the_allowed_forms(text: str) -> None:
    with pytest.raises(ChordError) as caught:
        parse_progression(text)
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".")
    assert "F#m" in message or "between" in message or "at most" in message


def test_pop909_labels_fold_into_the_nine_qualities_and_drop_the_bass() -> None:
    assert from_label("F#:maj7/5") == Chord(6, "maj7")
    assert from_label("Bb:sus4(b7)") == Chord(10, "sus4")
    assert from_label("A:hdim7") == Chord(9, "dim")
    assert from_label("N") == Chord(None)


def test_a_progression_is_cut_or_repeated_to_a_length_in_bars() -> None:
    progression = parse_progression("C G")
    assert progression.fitted(5).changes == ((0, C), (16, G), (32, C), (48, G), (64, C))
    assert progression.fitted(1).changes == ((0, C),)


def test_grid_chords_events_round_trip_notes_velocity_bins_and_chords() -> None:
    score = Score(np.array([0, 0, 6, 20]), np.array([4, 8, 2, 3]), np.array([48, 64, 67, 71]),
                  np.array([100, 40, 70, 127]), 0.5, ((0, C), (8, A_MIN), (16, G)))
    events = ChordGridCodec().encode(score)
    assert events[:8] == ["BAR", "POS_0", "CH_C:maj", "P_48", "V_6", "D_4", "P_64", "V_2"]
    back = ChordGridCodec().decode(events)
    assert back.chords == score.chords
    assert np.array_equal(back.onsets, score.onsets) and np.array_equal(back.pitches, score.pitches)
    assert np.array_equal(back.velocities // 16, score.velocities // 16)


def test_a_pop909_song_carries_its_annotated_chords_onto_the_grid(pop909_dir: Path) -> None:
    folder = pop909_dir / "001"
    score = load_score(folder / "001.mid", folder / "beat_midi.txt", folder / "chord_midi.txt")
    assert len(score.chords) > 20
    assert chord_tone_share(_midi(score), Progression(score.chords, int(score.onsets.max()) // 16 + 1)) > 0.7


def test_an_excerpt_opens_with_the_chord_sounding_at_its_start_and_keeps_later_changes_inside_it() -> None:
    song = Progression(((0, C), (24, G), (40, A_MIN), (64, F)), 5)
    assert song.excerpt(1, 2) == Progression(((0, C), (8, G), (24, A_MIN)), 2)
    assert song.excerpt(4, 1) == Progression(((0, F),), 1)
    assert song.excerpt(1, 2).transposed(2).changes[1] == (8, Chord(9))


def test_transposing_a_window_moves_pitches_and_chord_roots_together() -> None:
    vocab = Vocabulary(tuple(ChordGridCodec.all_events()))
    table = shift_table(vocab, 2)
    moved = vocab.decode(table[vocab.encode(["CH_C:maj", "P_60", "CH_Bb:min7", "V_3"])])
    assert moved == ["CH_D:maj", "P_62", "CH_C:min7", "V_3"]


def sample_at_random(vocab: Vocabulary, grammar: ChordGridGrammar, primer: list[str], rows: int) -> list[list[str]]:
    """Feed ``primer`` to every row, then pick uniformly among the allowed events until the grammar is done."""
    rng = np.random.default_rng(0)
    pieces = [list(primer) for _ in range(rows)]
    for token in vocab.encode(primer):
        grammar.advance(np.full(rows, token))
    for _ in range(3000):
        sampled = np.array([rng.choice(np.flatnonzero(m)) for m in grammar.mask()])
        ids = grammar.resolve(sampled, grammar.forced())
        grammar.advance(ids)
        for piece, event in zip(pieces, vocab.decode(ids), strict=True):
            piece.append(event)
        if grammar.settled.all():
            return pieces
    raise AssertionError("the progression never ended")


def positions_rise_within_bars(events: list[str]) -> bool:
    last = -1
    for event in events:
        if event == "BAR":
            last = -1
        elif event.startswith("POS_"):
            if int(event[4:]) <= last:
                return False
            last = int(event[4:])
    return True


def test_chords_are_imposed_at_their_changes_whatever_the_sampler_picks() -> None:
    vocab = Vocabulary(tuple(ChordGridCodec.all_events()))
    progression = parse_progression("C | G Am | F x2")
    for events in sample_at_random(vocab, ChordGridGrammar(vocab, 4, progression), ["BAR"], 4):
        decoded = family_named("grid-chords").codec().decode(events)
        assert decoded.chords == progression.changes and positions_rise_within_bars(events)
        assert decoded.n_notes == 0 or decoded.onsets.max() < progression.bars * 16


def test_a_piece_whose_progression_is_over_is_settled_and_gets_only_bar_lines() -> None:
    vocab = Vocabulary(tuple(ChordGridCodec.all_events()))
    grammar = ChordGridGrammar(vocab, 3, parse_progression("C G"))
    rng, bar = np.random.default_rng(1), vocab.index["BAR"]
    grammar.advance(np.full(3, bar))
    seen, partly = np.zeros(3, dtype=bool), False
    while not grammar.settled.all():
        before = grammar.settled.copy()
        assert (before | ~seen).all()  # once settled, always settled
        ids = grammar.resolve(np.array([rng.choice(np.flatnonzero(m)) for m in grammar.mask()]), grammar.forced())
        assert (ids[before] == bar).all()
        grammar.advance(ids)
        seen |= grammar.settled
        partly |= bool(seen.any() and not seen.all())
    assert partly, "rows ended together: the test saw no batch with settled and going rows"


def test_after_a_primer_the_progression_goes_on_from_where_the_primer_ends() -> None:
    vocab = Vocabulary(tuple(ChordGridCodec.all_events()))
    primer = ["BAR", "POS_0", "CH_F:maj", "P_60", "V_4", "D_4", "POS_8", "P_62", "V_4", "D_4",
              "BAR", "POS_0", "P_64", "V_4", "D_4"]
    progression = parse_progression("C G Am F")
    for events in sample_at_random(vocab, ChordGridGrammar(vocab, 4, progression), primer, 4):
        decoded = family_named("grid-chords").codec().decode(events)
        assert positions_rise_within_bars(events)  # no change left over from the primer's bars is forced later
        assert decoded.chords == ((0, F), (32, A_MIN), (48, F))  # the primer's chord stands, then the given ones


def test_the_default_model_writes_its_notes_over_the_given_chords() -> None:
    from model.models import open_model

    bundle = open_model(ROOT / "assets/models/default")
    progression = parse_progression("Dm G C Am")
    ids = generate_ids(bundle, GenerationSettings(tokens=2000, seed=0), 2, None, progression)
    for row in ids:
        score = family_of(bundle.preset).codec().decode(bundle.vocab.decode([bundle.vocab.index["BAR"], *row]))
        assert score.chords == progression.changes
        assert score.n_notes > 10 and score.velocities.std() > 0


def test_a_progression_given_to_the_cli_is_the_harmony_of_the_midi(tmp_path: Path) -> None:
    import pretty_midi

    out = tmp_path / "piece.mid"
    command = [sys.executable, "-m", "model", "generate", "--model", str(ROOT / "assets/models/default"),
               "--chords", "Dm G C Am x2", "--seed", "3", "--out", str(out)]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    midi = pretty_midi.PrettyMIDI(str(out))
    assert midi.get_end_time() == pytest.approx(8 * 4 * 60 / 90, abs=4.0)
    given = parse_progression("Dm G C Am x2")
    tritone_away = Progression(tuple((s, c.transposed(6)) for s, c in given.changes), given.bars)
    assert chord_tone_share(midi, given) > 0.6
    assert chord_tone_share(midi, given) > chord_tone_share(midi, tritone_away) + 0.3


def _midi(score: Score) -> object:
    from model.music.score import score_to_midi

    return score_to_midi(score)
