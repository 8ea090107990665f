"""Surface-cue audit: cues measured on the heard excerpt, and a classifier that names sources from them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pretty_midi
import pytest
import soundfile as sf

from survey.design.cues import CUES, MARGIN, classify_sources, envelope_spread, midi_cues, surface_audit


def midi(bpm: float = 120.0, chord: tuple[int, ...] = (60, 64, 67), beats: int = 8, velocity: int = 80,
         rest_every: int = 0) -> bytes:
    """Block chords, one per beat, at ``bpm``; every ``rest_every``-th beat left silent."""
    beat = 60.0 / bpm
    song = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    piano = pretty_midi.Instrument(program=0)
    for b in range(beats):
        if rest_every and b % rest_every == rest_every - 1:
            continue
        piano.notes += [pretty_midi.Note(velocity, p, b * beat, (b + 1) * beat) for p in chord]
    song.instruments.append(piano)
    buffer = io.BytesIO()
    song.write(buffer)
    return buffer.getvalue()


def test_the_cues_of_an_excerpt() -> None:
    cues = midi_cues(midi(bpm=120.0, rest_every=2), start=0.0, duration=4.0)
    assert cues["tempo_bpm"] == pytest.approx(120.0)
    assert cues["polyphony"] == pytest.approx(3.0), "a triad sounds three notes at once"
    assert cues["silence_share"] == pytest.approx(0.5, abs=0.02), "every other beat rests"
    assert cues["note_density"] == pytest.approx(4 * 3 / 4.0), "four chords of three notes in four seconds"
    assert (cues["velocity_mean"], cues["velocity_sd"], cues["tracks"]) == (80.0, 0.0, 1.0)
    assert cues["register_mean"] == pytest.approx(np.mean([60, 64, 67]))
    assert cues["music_s"] == pytest.approx(3.5, abs=0.01), "the last chord ends half a second early"


def test_only_the_heard_excerpt_counts() -> None:
    late = midi_cues(midi(beats=8), start=10.0, duration=4.0)
    assert late["note_density"] == 0.0 and late["silence_share"] == 1.0 and late["music_s"] == 0.0


def sine(gains: tuple[float, ...], rate: int = 22_050) -> bytes:
    """A WAV file of one-second 440 Hz sections at the given amplitudes."""
    t = np.arange(rate) / rate
    samples = np.concatenate([g * np.sin(2 * np.pi * 440 * t) for g in gains])
    buffer = io.BytesIO()
    sf.write(buffer, samples, rate, format="WAV")
    return buffer.getvalue()


def test_a_flat_rendering_has_a_flatter_loudness_envelope_than_a_dynamic_one() -> None:
    flat, dynamic = sine((0.3, 0.3, 0.3, 0.3)), sine((0.05, 0.4, 0.05, 0.4))
    assert envelope_spread(flat) < 0.5
    assert envelope_spread(dynamic) == pytest.approx(20 * np.log10(0.4 / 0.05) / 2, abs=1.5)


def frame(cues: list[dict[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(cues, columns=list(CUES)).astype(float)


def test_sources_that_differ_only_in_tempo_are_named_from_the_cues() -> None:
    rng = np.random.default_rng(0)
    rows, sources = [], []
    for source, bpm in (("original", 72.0), ("model", 120.0)):
        for _ in range(6):
            chord = tuple(int(p) for p in rng.choice(range(55, 75), size=3, replace=False))
            rows.append(midi_cues(midi(bpm=bpm, chord=chord, beats=40), 0.0, 20.0))
            sources.append(source)
    verdict = classify_sources(frame(rows), pd.Series(sources))
    assert verdict is not None and verdict.gives_away
    assert verdict.accuracy > verdict.chance + MARGIN and verdict.chance == 0.5
    assert verdict.top_cue in {"tempo_bpm", "note_density"}, "a tempo change shows in tempo and note density"


def test_sources_drawn_alike_are_not_told_apart() -> None:
    rng = np.random.default_rng(1)
    rows, sources = [], []
    for _ in range(8):
        bpm, chord = float(rng.uniform(70, 130)), tuple(int(p) for p in rng.choice(range(55, 75), 3, replace=False))
        for source in ("original", "model"):  # each source gets the same spread of pieces
            rows.append(midi_cues(midi(bpm=bpm, chord=chord, beats=40), 0.0, 20.0))
            sources.append(source)
    verdict = classify_sources(frame(rows), pd.Series(sources))
    assert verdict is not None and not verdict.gives_away


def test_too_few_clips_give_no_verdict_and_the_audit_keeps_the_table() -> None:
    audit = surface_audit({"a1": ("a", {"tempo_bpm": 90.0}), "b1": ("b", {"tempo_bpm": 120.0})})
    assert audit.classifier is None and not audit.gives_away
    assert audit.clips.loc["b1", "tempo_bpm"] == 120.0 and audit.clips.loc["a1", "source"] == "a"
    assert audit.per_source().loc["b", CUES["tempo_bpm"]] == 120.0
    assert audit.to_dict()["classifier"] is None


def test_the_verdict_leads_with_what_decides_it() -> None:
    from survey.design.cues import CueClassifier

    blocked = CueClassifier(accuracy=0.33, chance=1 / 3, folds=3, top_cue="polyphony", top_cue_accuracy=0.83,
                            cues_used=("polyphony",))
    assert blocked.gives_away
    assert blocked.sentence().startswith("The surface gives the sources away: ")
    assert "alone names the source of 83% of clips" in blocked.sentence()
    fine = CueClassifier(accuracy=0.40, chance=1 / 3, folds=3, top_cue="polyphony", top_cue_accuracy=0.45,
                         cues_used=("polyphony",))
    assert not fine.gives_away and fine.sentence().startswith("No surface cue gives the sources away")
    assert "at most 45%" in fine.sentence()
