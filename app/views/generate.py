"""Generate: pick a model and sampling settings, generate, look at the piano roll, listen, download."""

from __future__ import annotations

import io

import streamlit as st

from app.resources import available_models, load_model, pop909_midi, pop909_songs
from audio import RenderError, encode_wav, piano_roll_figure, render_midi
from model.generate import MAX_TOKENS, GenerationSettings, generate_midi, primer_from_midi

st.title("Generate")
models = available_models()
if not models:
    st.error("No trained model was found in assets/models or runs/. Train one with `python -m model train`.")
    st.stop()

name = st.selectbox("Model", list(models), key="gen_model")
bundle = load_model(models[name])
with st.expander("Model card"):
    st.markdown((bundle.path / "card.md").read_text() if (bundle.path / "card.md").is_file() else "No card.")

left, right = st.columns(2)
tokens = left.slider("Length (events)", 16, 2000, 600, step=8, key="gen_tokens", help=f"At most {MAX_TOKENS}.")
temperature = left.slider("Temperature", 0.1, 2.0, 1.0, step=0.05, key="gen_temperature")
top_k = left.number_input("Top-k (0 = off)", 0, 500, 0, key="gen_top_k")
top_p = right.slider("Top-p (1 = off)", 0.05, 1.0, 1.0, step=0.05, key="gen_top_p")
seed = right.number_input("Random seed", 0, 2**31 - 1, 0, key="gen_seed")
bpm = right.slider("Tempo (BPM)", 40, 200, 90, key="gen_bpm")
primer_file = st.file_uploader("Primer MIDI (optional)", type=["mid", "midi"], key="gen_primer")
primer_song = st.selectbox("…or a POP909 song as primer", ["(none)", *pop909_songs()], key="gen_primer_song")

if st.button("Generate", type="primary", key="gen_go"):
    settings = GenerationSettings(tokens=tokens, temperature=temperature, top_k=int(top_k), top_p=top_p,
                                  seed=int(seed), bpm=float(bpm))
    try:
        primer_bytes = primer_file.getvalue() if primer_file else None
        if primer_bytes is None and primer_song != "(none)":
            primer_bytes = pop909_midi(primer_song)
        primer = primer_from_midi(bundle, primer_bytes) if primer_bytes is not None else None
        with st.spinner("Generating…"):
            midi = generate_midi(bundle, settings, primer=primer)[0]
            samples, rate = render_midi(midi)
    except (ValueError, RenderError) as exc:
        st.error(str(exc))
        st.stop()
    buffer = io.BytesIO()
    midi.write(buffer)
    st.session_state["gen_result"] = (buffer.getvalue(), encode_wav(samples, rate))

if "gen_result" in st.session_state:
    midi_bytes, wav_bytes = st.session_state["gen_result"]
    st.plotly_chart(piano_roll_figure(midi_bytes, show_track_names=False), key="gen_roll")
    st.audio(wav_bytes, format="audio/wav")
    a, b = st.columns(2)
    a.download_button("Download MIDI", midi_bytes, "piece.mid", "audio/midi", key="gen_dl_midi")
    b.download_button("Download WAV", wav_bytes, "piece.wav", "audio/wav", key="gen_dl_wav")
