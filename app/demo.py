"""First start: the demo study's clips are prepared once, with a progress bar, so every page has real data.

The demo is ``assets/demo_study_now.yaml`` (POP909 originals and the two shipped LSTM models).  Clips whose
music cannot be made yet (a model still training, POP909 offline) are reported as pending, in one sentence
each, and the study stays a draft until the Studio renders them.  Set ``LAB_DEMO=0`` to skip all of this;
``LAB_DEMO_AUDIT_OVERRIDE`` (a sentence saying why) publishes despite audit findings, and is stored with the
study, e.g. for tests run with a stand-in model.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from app.resources import ROOT, clip_renderer, clip_store, database
from model.pop909 import DatasetNotFoundError, download, find_dir
from survey.prepare import PublishOutcome, prepare_and_publish
from survey.studyfile import load_study_file

DEMO_STUDY = ROOT / "assets" / "demo_study_now.yaml"


@dataclass
class DemoState:
    """Shared by every session of the server: one preparation at a time, once per process."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    outcome: PublishOutcome | None = None
    notes: list[str] = field(default_factory=list)


@st.cache_resource(show_spinner=False)
def demo_state() -> DemoState:
    """The process-wide preparation state."""
    return DemoState()


def ensure_pop909(say: st.delta_generator.DeltaGenerator) -> str | None:
    """Find POP909, downloading it once if absent; a sentence saying what is missing when offline."""
    try:
        find_dir()
        return None
    except DatasetNotFoundError:
        say.info("Downloading POP909 (about 60 MB) for the demo's original clips…")
    try:
        download()
        return None
    except OSError as exc:
        return f"POP909 could not be downloaded ({exc}); set POP909_DIR to the dataset to prepare the original clips."


def prepare_demo(path: Path = DEMO_STUDY) -> DemoState:
    """Prepare and publish the demo study once per process, drawing a progress bar while it runs."""
    state = demo_state()
    if os.environ.get("LAB_DEMO", "1") == "0" or state.outcome is not None:
        return state
    with state.lock:
        if state.outcome is not None:
            return state
        box = st.empty()
        note = ensure_pop909(box)
        bar = box.progress(0.0, text="Preparing the demo study's clips (first start only)…")
        state.outcome = prepare_and_publish(
            database(), load_study_file(path), clip_renderer(), clip_store(),
            on_progress=lambda done, total, text: bar.progress(done / max(total, 1), text=text),
            override=os.environ.get("LAB_DEMO_AUDIT_OVERRIDE") or None,
        )
        state.notes = [note] if note else []
        box.empty()
    return state


def show_demo_notes(state: DemoState) -> None:
    """Say plainly, in the sidebar, which demo clips are pending and why (one line per reason)."""
    outcome = state.outcome
    if outcome is None or outcome.status == "open":
        return
    reasons = sorted({*state.notes, *outcome.report.pending.values(), *outcome.findings})
    st.sidebar.warning(f"The demo study is not open yet ({len(outcome.report.pending)} clips pending):")
    for reason in reasons:
        st.sidebar.caption(reason)
