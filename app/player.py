"""A small audio player that tells the page how much of the clip has been heard.

The rating controls unlock only once the whole clip has been played, so the player reports the share of
the clip actually played (the union of played ranges, so seeking to the end does not count) as the state
value ``heard``, 0..1, once, when the clip ends. (It used to report every tenth too: each report reruns the
page, and ten reruns queued behind the last one delayed the unlock by 1-2.5 s; nothing used the tenths, as an
answer needs the whole clip.)  Built on ``st.components.v2``: inline HTML
and JavaScript, no front-end build.  The audio travels as a ``data:`` URL, so no request URL exists that
could name the clip, and the element has no title or file name.
"""

from __future__ import annotations

import base64

import streamlit as st

HTML = '<div class="lab-player"><audio controls preload="auto" controlslist="nodownload"></audio></div>'
CSS = ".lab-player audio { width: 100%; }"
JS = """
export default function(component) {
    const { data, setStateValue, parentElement } = component;
    const audio = parentElement.querySelector('audio');
    if (audio.dataset.clip !== data.clip) {
        audio.dataset.clip = data.clip;
        audio.src = data.src;
        audio.dataset.reported = '0';
    }
    const played = () => {
        let total = 0;
        for (let i = 0; i < audio.played.length; i++) total += audio.played.end(i) - audio.played.start(i);
        return audio.duration > 0 ? Math.min(1, total / audio.duration) : 0;
    };
    const report = () => {
        let share = played();
        if (share > 0.97) share = 1;
        const step = Math.floor(share * 10) / 10;
        if (step > Number(audio.dataset.reported)) {
            audio.dataset.reported = String(step);
            setStateValue('heard', step);
        }
    };
    audio.ontimeupdate = null;
    audio.onended = report;
}
"""

_player = st.components.v2.component("lab_clip_player", html=HTML, css=CSS, js=JS)


def clip_player(audio: bytes, mime_type: str, clip_id: str, key: str) -> float:
    """Show the player for ``audio``; returns the share of it heard so far (0..1) in this session."""
    src = f"data:{mime_type};base64,{base64.b64encode(audio).decode()}"
    result = _player(data={"src": src, "clip": clip_id}, default={"heard": 0.0}, key=key,
                     on_heard_change=lambda: None)
    heard = getattr(result, "heard", 0.0) if result is not None else 0.0
    return float(heard or 0.0)
