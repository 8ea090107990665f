"""Generate page: a piece from the model with a POP909 primer; without models, a sentence saying how to train one."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import ROOT

PAGE = str(ROOT / "app" / "views" / "generate.py")


def page(model: str = "default") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.selectbox(key="gen_model").set_value(next(o for o in at.selectbox(key="gen_model").options
                                                 if o.startswith(f"{model} (")))
    at.slider(key="gen_bars").set_value(4)
    return at.run()


def test_the_page_opens_on_the_shipped_default_model(lab: Path) -> None:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    box = at.selectbox(key="gen_model")
    assert box.options[0] != "default (models)", "the alphabet alone would not open on it"
    assert box.value == "default (models)"


def pieces_with_the_box_on_and_off(at: AppTest, key: str) -> tuple[bytes, bytes]:
    """The MIDI generated with the checkbox ``key`` as the page starts it (on), then unticked; no error either time."""
    assert at.checkbox(key=key).value is True, "on by default"
    at.button(key="gen_go").click().run()
    ticked = at.session_state["gen_result"][1]
    at.checkbox(key=key).uncheck()
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    return ticked, at.session_state["gen_result"][1]


def test_a_piece_is_generated_with_a_pop909_primer_and_offered_for_download(lab: Path) -> None:
    at = page()
    at.selectbox(key="gen_primer_song").set_value("001")
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1 and len(at.get("download_button")) == 5  # the piece, WAV, three stems
    primed = at.session_state["gen_result"][4]
    assert primed and primed > 0 and f"the shaded first {primed:.1f} s are the primer" in at.caption[0].value
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    shaded = figure["layout"]["shapes"][0]
    assert (shaded["x0"], shaded["x1"]) == (0, primed), "the primer's bars are marked on the piano roll"


def test_a_voiced_piece_offers_a_stem_per_voice_in_time_with_it(lab: Path) -> None:
    from audio.midi import load_midi

    at = page("default")
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Download MIDI", "Download WAV", "Melody (MIDI)", "Bridge (MIDI)", "Piano (MIDI)"]
    piece = load_midi(at.session_state["gen_result"][1])
    assert [track.name for track in piece.instruments] == ["MELODY", "BRIDGE", "PIANO"]
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [trace["name"] for trace in figure["data"]] == ["MELODY", "BRIDGE", "PIANO"]


def test_a_voiced_models_melody_line_is_on_by_default_and_can_be_switched_off_to_hear_the_network_alone(
        lab: Path) -> None:
    at = page("default")
    at.slider(key="gen_bars").set_value(8)  # seed 0's first four bars hold five melody notes, the same either way
    with_line, without = pieces_with_the_box_on_and_off(at, "gen_melody_line")
    assert with_line != without, "same seed, the melody weighed or not"
    assert not page("chords").get("checkbox"), "a model without a melody voice has no line to switch"


def test_default_keeps_to_pop909s_rhythm_by_default_and_can_hear_the_network_alone(lab: Path) -> None:
    at = page("default")
    over_chords, alone = pieces_with_the_box_on_and_off(at, "gen_rhythm_line")
    assert over_chords != alone, "over chords, same seed, the gaps weighed or not"
    at.text_input(key="gen_chords").set_value("").run()
    at.checkbox(key="gen_rhythm_line").check().run()
    weighed, alone = pieces_with_the_box_on_and_off(at, "gen_rhythm_line")
    assert weighed != alone, "free, same seed, the positions weighed or not"


def test_the_wav_is_loudness_normalised_like_study_clips(lab: Path) -> None:
    import io

    import soundfile

    from audio import integrated_loudness, peak_dbfs

    at = page()
    at.button(key="gen_go").click().run()
    _, _, wav, _, _, _ = at.session_state["gen_result"]
    samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32", always_2d=True)
    assert abs(integrated_loudness(samples, rate) - (-16.0)) <= 0.5 and peak_dbfs(samples) <= -1.0 + 1e-3


def test_the_default_model_writes_over_the_progression_typed_in_the_box(lab: Path) -> None:
    at = page()
    at.text_input(key="gen_chords").set_value("Dm G C Am")
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert "over Dm | G | C | Am" in at.caption[0].value


def test_with_a_progression_the_piece_follows_it_by_default_and_without_one_it_is_free(lab: Path) -> None:
    at = page()
    assert at.selectbox(key="gen_form_chords").value == "Where the chords return"
    at.slider(key="gen_bars").set_value(8)
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert at.caption[0].value.endswith("over C | G | Am | F | C | G | Am | F, echoing bars where the chords return")
    at.text_input(key="gen_chords").set_value("").run()
    assert at.selectbox(key="gen_form_free").value == "Free" and "Where the chords return" not in at.selectbox(
        key="gen_form_free").options
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    at.text_input(key="gen_chords").set_value("Dm G").run()
    assert at.selectbox(key="gen_form_chords").value == "Where the chords return", "the chords bring their default"


def test_a_mistyped_chord_gets_one_sentence_and_keeps_the_settings(lab: Path) -> None:
    at = page()
    at.text_input(key="gen_chords").set_value("C H Am F")
    at.button(key="gen_go").click().run()
    assert not at.exception
    assert "'H' is not a chord name" in at.error[0].value and "F#m" in at.error[0].value
    assert at.text_input(key="gen_chords").value == "C H Am F" and at.slider(key="gen_bars").value == 4


def test_a_refused_input_leaves_the_piece_on_screen_and_downloads_say_what_they_are(lab: Path) -> None:
    at = page()
    at.text_input(key="gen_chords").set_value("C | | G")
    at.number_input(key="gen_top_k").set_value(99999)
    at.number_input(key="gen_seed").set_value(7)
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert "over C | - | G | C" in at.caption[0].value, "the empty bar holds C; the 4 bars repeat the progression"
    assert at.session_state["gen_result"][5] == "default_C---G-C_seed7"
    at.text_input(key="gen_chords").set_value("C H").run()
    at.button(key="gen_go").click().run()
    assert at.error and len(at.get("plotly_chart")) == 1, "the refusal is said above the piece, which stays"


def test_a_pop909_songs_chords_can_be_picked_instead(lab: Path) -> None:
    at = page()
    at.selectbox(key="gen_chords_song").set_value("002")
    at.button(key="gen_go").click().run()
    assert not at.exception and not at.error
    assert " over " in at.caption[0].value


def test_a_piece_of_another_model_is_not_shown_after_switching(lab: Path) -> None:
    at = page()
    at.button(key="gen_go").click().run()
    assert len(at.get("plotly_chart")) == 1
    other = next(o for o in at.selectbox(key="gen_model").options if "default" not in o and "grid" not in o)
    at.selectbox(key="gen_model").set_value(other).run()
    assert not at.exception and len(at.get("plotly_chart")) == 0


def test_without_models_the_page_says_how_to_train_one(lab: Path, monkeypatch, tmp_path: Path) -> None:
    import app.resources as resources

    monkeypatch.setattr(resources, "MODEL_ROOTS", (tmp_path / "none",))
    monkeypatch.setenv("LAB_MODELS_DIR", str(tmp_path / "none"))
    resources.available_models.clear()
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    resources.available_models.clear()
    assert not at.exception
    assert "No trained model" in at.error[0].value
