"""First start: the demo study's clips are prepared once, with a progress bar, so every page has real data.

The demo is ``assets/demo_study.yaml`` (POP909 originals, both shipped LSTMs and both Magenta baselines).  Clips whose
music cannot be made yet (a model still training, POP909 offline) are reported as pending, in one sentence
each, and the study stays a draft until the Studio renders them.  Set ``LAB_DEMO=0`` to skip all of this;
Audit findings are published over with :data:`DEMO_OVERRIDE` (or ``LAB_DEMO_AUDIT_OVERRIDE``, a sentence saying
why, e.g. for tests run with a stand-in model), which is stored with the study and printed in its report.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from app.resources import ROOT, clip_renderer, clip_store, data_dir, database
from model.music.pop909 import DatasetNotFoundError, download, find_dir
from survey.clips.prepare import PrepareReport, PublishOutcome, Render, prepare_and_publish
from survey.design.studyfile import load_study_file
from survey.store.schema import StudyStatus

DEMO_STUDY = ROOT / "assets" / "demo_study.yaml"
DEMO_OVERRIDE = (
    "Demo study: tempo (each group song's), velocity (80) and instrument (piano) are matched across sources, but "
    "texture is not: the two Magenta sources write single melodies while the other sources are full piano "
    "textures, so polyphony, register span, note density and peak level tell them apart (see the surface-cue "
    "audit). A study meant for publication should also match texture (presentation: content: melody)."
)
"""Recorded with the demo when the audit finds cues (``LAB_DEMO_AUDIT_OVERRIDE`` replaces it): the Studio and
the HTML report show it, so nobody mistakes the demo's design for a matched one."""


@dataclass
class DemoState:
    """Shared by every session of the server: one background preparation per process, and its progress."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None
    fraction: float = 0.0
    message: str = "Checking the demo study's clips…"
    outcome: PublishOutcome | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def running(self) -> bool:
        """True while the background preparation has not finished."""
        return self.thread is not None and self.thread.is_alive()


@st.cache_resource(show_spinner=False)
def demo_state() -> DemoState:
    """The process-wide preparation state."""
    return DemoState()


def ensure_pop909(state: DemoState) -> str | None:
    """Find POP909, downloading it once if absent; a sentence saying what is missing when offline."""
    try:
        find_dir()
        return None
    except DatasetNotFoundError:
        state.message = "Downloading POP909 (about 60 MB) for the demo's original clips…"
    try:
        download()
        return None
    except OSError as exc:
        return f"POP909 could not be downloaded ({exc}); set POP909_DIR to the dataset to prepare the original clips."


STATUS_FILE = "demo-status.json"
"""In the data folder: the demo's preparation as JSON (``state`` preparing / open / draft, ``done``, ``total``,
``message``), rewritten at every clip, so scripts and the browser test wait on progress, not on a guess."""


def write_status(state: str, done: int = 0, total: int = 0, message: str = "") -> None:
    """Replace the status file in one rename, so a reader never sees half of it."""
    path = data_dir() / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps({"state": state, "done": done, "total": total, "message": message}))
    partial.replace(path)


def run_preparation(state: DemoState, path: Path, render: Render, store: Path) -> None:
    """The background job: POP909, then prepare, audit and publish; never raises (errors become notes)."""
    write_status("preparing", message=state.message)
    note = ensure_pop909(state)
    state.notes = [note] if note else []

    def progress(done: int, total: int, text: str) -> None:
        state.fraction, state.message = done / max(total, 1), text
        write_status("preparing", done, total, text)

    try:
        state.outcome = prepare_and_publish(database(), load_study_file(path), render, store, on_progress=progress,
                                            override=os.environ.get("LAB_DEMO_AUDIT_OVERRIDE") or DEMO_OVERRIDE)
    except Exception as exc:  # the app must start even if the demo cannot be prepared
        state.notes.append(f"The demo study could not be prepared: {exc}")
        state.outcome = PublishOutcome(PrepareReport(), StudyStatus.DRAFT)
    outcome = state.outcome
    write_status(str(outcome.status), message=" ".join([*state.notes, *outcome.report.pending.values()]))


def prepare_demo(path: Path = DEMO_STUDY) -> DemoState:
    """Start the demo's preparation once per process (in a thread, so no page run can interrupt it)."""
    state = demo_state()
    if os.environ.get("LAB_DEMO", "1") == "0":
        return state
    with state.lock:
        if state.thread is None:
            args = (state, path, clip_renderer(), clip_store())
            state.thread = threading.Thread(target=run_preparation, args=args, name="demo-preparation", daemon=True)
            state.thread.start()
    return state


def wait_for_demo(state: DemoState) -> None:
    """While the demo is being prepared, show its progress and poll once a second: the Study page waits, as a
    participant can do nothing before the study's clips exist."""
    if not state.running:
        return
    st.progress(state.fraction, text=state.message)
    time.sleep(1.0)
    st.rerun()


def demo_progress(state: DemoState) -> None:
    """The demo's progress in the sidebar while the page works (Generate, Studio, Results need no demo clips);
    a fragment refreshes it every two seconds, and the whole page once when the demo is ready."""
    if not state.running:
        return

    @st.fragment(run_every=2.0)
    def progress() -> None:
        if not state.running:
            st.rerun(scope="app")  # the Studio and Results now list the demo study
        st.progress(state.fraction, text=state.message)

    with st.sidebar:
        progress()


def show_demo_notes(state: DemoState) -> None:
    """Say plainly, in the sidebar, which demo clips are pending and why (one line per reason)."""
    outcome = state.outcome
    if outcome is None or (outcome.status == StudyStatus.OPEN and not state.notes):
        return
    reasons = sorted({*state.notes, *outcome.report.pending.values(), *outcome.findings})
    st.sidebar.warning(f"The demo study is not open yet ({len(outcome.report.pending)} clips pending):")
    for reason in reasons:
        st.sidebar.caption(reason)
