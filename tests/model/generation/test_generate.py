"""Generation: stateful equals windowed, sampling controls, primers, reproducibility, bad parameters."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import numpy as np
import pretty_midi
import pytest

from model.generation.artefact import ModelBundle
from model.generation.generate import (
    GenerationSettings,
    generate_ids,
    generate_midi,
    primer_from_midi,
    primer_from_song,
    step_model,
)
from model.generation.sample import filter_top_k, filter_top_p, generate_notes, sample
from model.training.folder import keras_network
from model.training.to_step import step_model_of


def windowed_distribution(bundle: ModelBundle, ids: np.ndarray) -> np.ndarray:
    net = keras_network(bundle)
    if bundle.preset.network.architecture == "paper":
        x = (ids / len(bundle.vocab)).astype("float32").reshape(1, -1, 1)
        return np.asarray(net(x, training=False))[0]
    logits = np.asarray(net(ids[None].astype("int32"), training=False))[0, -1]
    z = np.exp(logits - logits.max())
    return z / z.sum()


def stateful_distribution(bundle: ModelBundle, ids: np.ndarray) -> np.ndarray:
    step = step_model_of(keras_network(bundle))
    step.reset(1)
    scale = len(bundle.vocab) if bundle.preset.network.architecture == "paper" else 1
    for token in ids:
        probs = step.step(np.array([[token / scale]], dtype=np.float32) if scale > 1 else np.array([token]))
    return probs[0]


@pytest.mark.parametrize("family", ["tiny_model", "tiny_paper_model"])
def test_stateful_steps_give_the_windowed_next_token_distribution(family: str, request: pytest.FixtureRequest) -> None:
    bundle: ModelBundle = request.getfixturevalue(family)
    ids = np.random.default_rng(0).integers(0, len(bundle.vocab), 100)
    difference = np.abs(windowed_distribution(bundle, ids) - stateful_distribution(bundle, ids)).max()
    assert difference < 1e-4


def test_the_seed_sample_function_follows_the_temperature() -> None:
    probs = np.array([0.7, 0.2, 0.1])
    rng = np.random.default_rng(0)
    cold = [sample(probs, 0.05, rng) for _ in range(200)]
    hot = [sample(probs, 5.0, rng) for _ in range(2000)]
    assert set(cold) == {0}
    assert 0.2 < hot.count(2) / len(hot) < 0.45


def test_the_seed_windowed_generator_still_works(tiny_paper_model: ModelBundle) -> None:
    vocab = tiny_paper_model.vocab
    network_input = (np.arange(200).reshape(2, 100, 1) % len(vocab) / len(vocab)).astype("float32")
    notes = generate_notes(keras_network(tiny_paper_model), network_input, vocab.events, len(vocab), n_notes=5)
    assert len(notes) == 5 and set(notes) <= set(vocab.events)


def test_top_k_keeps_the_k_likeliest_and_top_p_the_smallest_nucleus() -> None:
    probs = np.array([[0.5, 0.3, 0.15, 0.05]])
    assert np.count_nonzero(filter_top_k(probs, 2)) == 2
    assert np.allclose(filter_top_k(probs, 2), [[0.625, 0.375, 0, 0]])
    assert np.count_nonzero(filter_top_p(probs, 0.75)) == 2
    assert np.count_nonzero(filter_top_p(probs, 0.5)) == 1
    assert np.array_equal(filter_top_p(probs, 1.0), probs)


def test_the_same_seed_gives_the_same_pieces(tiny_model: ModelBundle) -> None:
    settings = GenerationSettings(tokens=60, seed=11)
    assert np.array_equal(generate_ids(tiny_model, settings, 2), generate_ids(tiny_model, settings, 2))
    other = generate_ids(tiny_model, GenerationSettings(tokens=60, seed=12), 2)
    assert not np.array_equal(generate_ids(tiny_model, settings, 2), other)


def test_grid_pieces_are_well_formed_and_keep_a_sixteenth_grid(tiny_model: ModelBundle) -> None:
    ids = generate_ids(tiny_model, GenerationSettings(tokens=300, seed=3, temperature=1.5), 4)
    for row in ids:
        kinds = [e.partition("_")[0] for e in tiny_model.vocab.decode(row)]
        for before, after in itertools.pairwise(kinds):
            assert (before == "P") == (after == "D")
    midi = generate_midi(tiny_model, GenerationSettings(tokens=300, seed=3, bpm=120), 1)[0]
    starts = np.array([n.start for n in midi.instruments[0].notes])
    assert len(starts) > 10
    assert np.allclose(np.round(starts / 0.125) * 0.125, starts)


def test_a_batch_of_pieces_is_valid_midi_with_the_chosen_instrument(tiny_model: ModelBundle) -> None:
    pieces = generate_midi(tiny_model, GenerationSettings(tokens=120, program=40), n_pieces=3)
    assert len(pieces) == 3
    for piece in pieces:
        buffer = io.BytesIO()
        piece.write(buffer)
        reread = pretty_midi.PrettyMIDI(io.BytesIO(buffer.getvalue()))
        assert reread.instruments[0].program == 40


def test_a_pop909_primer_starts_the_piece(tiny_model: ModelBundle, pop909_dir: Path) -> None:
    primer = primer_from_midi(tiny_model, (pop909_dir / "001" / "001.mid").read_bytes(), max_events=40)
    piece = generate_midi(tiny_model, GenerationSettings(tokens=20), primer=primer)[0]
    first_events = tiny_model.vocab.decode(primer)
    first_pitch = int(next(e for e in first_events if e.startswith("P_"))[2:])
    assert piece.instruments[0].notes[0].pitch == first_pitch


def test_a_primer_without_notes_is_refused(tiny_model: ModelBundle) -> None:
    empty = pretty_midi.PrettyMIDI()
    empty.instruments.append(pretty_midi.Instrument(0))
    buffer = io.BytesIO()
    empty.write(buffer)
    with pytest.raises(ValueError, match="primer"):
        primer_from_midi(tiny_model, buffer.getvalue())


@pytest.mark.parametrize(
    ("settings", "allowed"),
    [(GenerationSettings(temperature=0.0), r"\(0, 10\]"), (GenerationSettings(temperature=-1), r"\(0, 10\]"),
     (GenerationSettings(tokens=0), "between 1 and 20000"), (GenerationSettings(tokens=10**9), "between 1 and 20000"),
     (GenerationSettings(top_p=0.0), r"\(0, 1\]"), (GenerationSettings(top_k=-2), ">= 0"),
     (GenerationSettings(bpm=1000), "between 20 and 300")],
)
def test_absurd_parameters_name_the_allowed_range(tiny_model: ModelBundle, settings: GenerationSettings,
                                                  allowed: str) -> None:
    with pytest.raises(ValueError, match=allowed):
        generate_ids(tiny_model, settings)


def test_the_step_model_is_built_once_per_model(tiny_model: ModelBundle) -> None:
    assert step_model(tiny_model) is step_model(tiny_model)


def test_a_pop909_window_primes_the_piece_with_those_bars(tiny_model: ModelBundle, pop909_dir: Path) -> None:
    from model.music.pop909 import list_songs

    song = list_songs(pop909_dir)[0]
    primer = primer_from_song(tiny_model, song, start_bar=8, bars=2)
    events = tiny_model.vocab.decode(primer)
    assert events[0] == "BAR" and events.count("BAR") == 2
    piece = generate_midi(tiny_model, GenerationSettings(tokens=10), primer=primer)[0]
    assert piece.instruments[0].notes[0].start < 0.1


def test_a_window_outside_the_song_is_refused(tiny_model: ModelBundle, pop909_dir: Path) -> None:
    from model.music.pop909 import list_songs

    with pytest.raises(ValueError, match="no notes"):
        primer_from_song(tiny_model, list_songs(pop909_dir)[0], start_bar=5000, bars=2)


def test_bars_become_events_by_the_model_encoding(tiny_model: ModelBundle, tiny_paper_model: ModelBundle) -> None:
    from model.generation.generate import MAX_TOKENS, tokens_for_bars

    assert tokens_for_bars(tiny_paper_model, 16) == 16 * 8
    assert tokens_for_bars(tiny_model, 16) == 16 * 48
    assert tokens_for_bars(tiny_model, 10**6) == MAX_TOKENS


def test_progress_is_told_each_bar_every_piece_of_the_batch_has_begun(tiny_model: ModelBundle,
                                                                     tiny_paper_model: ModelBundle) -> None:
    told: list[int] = []
    ids = generate_ids(tiny_model, GenerationSettings(tokens=300, seed=5), 3, on_bar=told.append)
    begun = min(int((row == tiny_model.vocab.encode(["BAR"])[0]).sum()) for row in ids)
    assert begun >= 2 and told == list(range(1, begun + 1))
    silent: list[int] = []  # the seed's encoding marks no bars: nothing to tell
    generate_ids(tiny_paper_model, GenerationSettings(tokens=40, seed=5), 1, on_bar=silent.append)
    assert silent == []
