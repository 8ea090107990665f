"""Generate: pick a model and sampling settings, generate, look at the piano roll, listen, download."""

from __future__ import annotations

import io
import re

import streamlit as st

from app.resources import available_models, load_model, opening_model, pop909_songs
from audio import RenderError, encode_wav, piano_roll_figure, track_stems, whole_piece
from model.generation.form import CHORDS, describe_form
from model.generation.settings import GenerationSettings
from model.generation.steering import follows_form, has_melody_line, has_rhythm_line, takes_chords
from model.music.chords import Progression, parse_progression
from model.music.pop909 import DatasetNotFoundError
from model.pieces import ChordSource, MidiPrimer, PieceRequest, SongChords, SongPrimer, make_piece

st.title("Generate")
models = available_models()
if not models:
    st.error("No trained model was found in assets/models or runs/. Train one with `python -m model train`.")
    st.stop()

name = st.selectbox("Model", list(models), index=opening_model(models), key="gen_model")
bundle = load_model(models[name])
with st.expander("Model card"):
    st.markdown((bundle.path / "card.md").read_text() if (bundle.path / "card.md").is_file() else "No card.")

left, right = st.columns(2)
bars = left.slider("Length (bars, about)", 2, 64, 16, key="gen_bars",
                   help="Converted to events by the model's encoding, so every model writes about as many bars.")
temperature = left.slider("Temperature", 0.1, 2.0, 1.0, step=0.05, key="gen_temperature")
top_k = left.number_input("Top-k (0 = off)", min_value=0, value=0, key="gen_top_k",
                          help="Sample among the k likeliest events; a k beyond the model's vocabulary keeps them all.")
top_p = right.slider("Top-p (1 = off)", 0.05, 1.0, 1.0, step=0.05, key="gen_top_p")
seed = right.number_input("Random seed", 0, 2**31 - 1, 0, key="gen_seed")
bpm = right.slider("Tempo (BPM)", 40, 200, 90, key="gen_bpm")
chords_text, chords_song = "", "(none)"
if takes_chords(bundle):
    chords_text = st.text_input("Chord progression", "C G Am F", key="gen_chords",
                                help="One chord per bar (C G Am F), bars split by | (C | G | Am F), x4 to repeat; "
                                     "repeated or cut to the length above. Empty: the model picks its own chords.")
    chords_song = st.selectbox("…or the chords of a POP909 song (from bar 8)", ["(none)", *pop909_songs()],
                               key="gen_chords_song")
form = ""
if follows_form(bundle):
    # With a progression the piece follows it by default, as a song's verse returns with its chords.
    forms = {"Free": "", "AABA": "AABA", "ABAB": "ABAB", "AABB": "AABB"}
    with_chords = takes_chords(bundle) and bool(chords_text.strip() or chords_song != "(none)")
    if with_chords:
        forms = {"Where the chords return": CHORDS, **forms}
    # One widget per choice list: chords coming back bring their default ("Where the chords return") back too.
    form = forms[st.selectbox("Form", list(forms), key=f"gen_form_{'chords' if with_chords else 'free'}",
                              help="Phrases that come back: each letter is 4 bars, and a letter's return echoes its "
                                   "first phrase (varied where the model disagrees). 'Where the chords return': a bar "
                                   "echoes the bar a phrase or more before it over the same chords.")]
melody_line = True
if has_melody_line(bundle):
    melody_line = st.checkbox("Melody moves as POP909's melodies do", value=True, key="gen_melody_line",
                              help="Each melody note's pitch weighed by how POP909's melodies move against how this "
                                   "network's move (more steps, fewer repeated notes). Off: the network alone.")
rhythm_line = True
over_chords = bool(chords_text.strip() or chords_song != "(none)")
if has_rhythm_line(bundle, over_chords):
    rhythm_line = st.checkbox("Notes fall where POP909's notes fall", value=True, key="gen_rhythm_line",
                              help="This network keeps to eighth notes where POP909 moves in sixteenths too: "
                                   + ("each onset weighed by how often POP909's songs leave its gap after the one "
                                      "before, against how often this network does over chords. " if over_chords else
                                      "each onset position and note length weighed by how often POP909's songs use it "
                                      "against how often this network does. ") + "Off: the network alone.")
primer_file = st.file_uploader("Primer MIDI (optional)", type=["mid", "midi"], key="gen_primer")
primer_song = st.selectbox("…or a POP909 song as primer", ["(none)", *pop909_songs()], key="gen_primer_song",
                           help="Its opening two bars, on the song's annotated beats, as study clips are primed.")


def download_stem(model: str, progression: Progression | None, seed: int) -> str:
    """A file name that tells pieces apart in a downloads folder: model, the first bars' chords, seed."""
    chords = "-".join(progression.text().replace(" ", "").split("|")[:4]) if progression is not None else "free"
    return re.sub(r"[^A-Za-z0-9_.-]+", "", f"{model}_{chords.replace('#', 's')}_seed{seed}")


def chord_source() -> ChordSource | None:
    """The chords the page asks for (fitted to the length slider by the request); None lets the model choose."""
    if not takes_chords(bundle):
        return None
    if chords_song != "(none)":
        return SongChords(chords_song)
    return parse_progression(chords_text) if chords_text.strip() else None


piece = None
if st.button("Generate", type="primary", key="gen_go"):
    settings = GenerationSettings(temperature=temperature, top_k=int(top_k), top_p=top_p, seed=int(seed),
                                  bpm=float(bpm), form=form, melody_line=melody_line,
                                  rhythm_line=rhythm_line)
    try:
        primer = MidiPrimer(primer_file.getvalue()) if primer_file else (
            SongPrimer(primer_song) if primer_song != "(none)" else None)
        request = PieceRequest(bundle.path, settings, bars=bars, primer=primer, chords=chord_source())
        progress = st.progress(0.0, text="Generating…")

        def show_bar(begun: int) -> None:
            progress.progress(min(begun / bars, 1.0), text=f"Bar {min(begun, bars)} of {bars}")
        try:
            piece = make_piece(request, load_model, on_bar=show_bar)
            progress.progress(1.0, text="Rendering the audio…")
            # The same loudness and peak as study clips (-16 LUFS, at most -1 dBFS), so pieces compare by ear.
            heard = whole_piece(piece.midi)
        finally:
            progress.empty()
    except (ValueError, RenderError, DatasetNotFoundError) as exc:
        st.error(str(exc))  # the piece already on screen (below) stays
        piece = None
if piece is not None:
    buffer = io.BytesIO()
    piece.midi.write(buffer)
    about = f" over {piece.progression.text()}" if piece.progression is not None else ""
    about += f", {described}" if (described := describe_form(form)) else ""
    stem = download_stem(bundle.path.name, piece.progression, int(seed))
    st.session_state["gen_result"] = (name, buffer.getvalue(), encode_wav(heard.samples, heard.sample_rate), about,
                                      piece.primer_seconds, stem)

if st.session_state.get("gen_result", (None,))[0] == name:  # a piece of another model is not shown as this one's
    _, midi_bytes, wav_bytes, about, primed, stem = st.session_state["gen_result"]
    st.caption(f"Generated by {name}{about}" + (f"; the shaded first {primed:.1f} s are the primer, not the "
                                                 "model's" if primed else ""))
    # Named tracks (a voiced model's MELODY, BRIDGE, PIANO) each get their colour; nothing here is blind.
    st.plotly_chart(piano_roll_figure(midi_bytes, primer_seconds=primed), key="gen_roll")
    st.audio(wav_bytes, format="audio/wav")
    a, b = st.columns(2)
    a.download_button("Download MIDI", midi_bytes, f"{stem}.mid", "audio/midi", key="gen_dl_midi")
    b.download_button("Download WAV", wav_bytes, f"{stem}.wav", "audio/wav", key="gen_dl_wav")
    stems = track_stems(midi_bytes)
    if len(stems) > 1:
        st.caption("Stems: one MIDI file a voice, in time with the piece.")
        for column, part in zip(st.columns(len(stems)), stems, strict=True):
            column.download_button(f"{part.name.title()} (MIDI)", part.midi, f"{stem}_{part.name.lower()}.mid",
                                   "audio/midi", key=f"gen_dl_stem_{part.name.lower()}")
