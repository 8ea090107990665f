"""Preparing a study's audio: render every clip that has none, store it by hash, register it.

The survey package knows nothing about synthesizers or how music is generated, so the caller passes
``render``, a callable that turns a ``ClipToRender`` into a ``RenderedClip``: audio bytes, their file
extension and, when the clip comes from MIDI, the MIDI of its source piece.  Files are named by the
SHA-256 of their content, so a file name, like the clip's public id, says nothing about its source.
The MIDI is stored beside the audio (``<sha256>.mid``, registered as the clip's ``midi_sha256``) and
the piece's scalar metrics go into the clip's ``settings["metrics"]`` (``survey.analysis.clipmetrics``).
Preparing is resumable: a clip already registered is skipped, and one that cannot be made now (a
model not trained yet, POP909 missing) is reported as pending with its reason, while the others are
still prepared.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import soundfile as sf
from sqlalchemy.orm import Session, sessionmaker

from audio.errors import RenderError
from audio.window import excerpt_midi
from model.evaluation.metrics import MidiReadError
from survey.clips.metrics import METRICS_KEY, scalar_metrics
from survey.clips.sources import stored_excerpt
from survey.design.cues import CUES_KEY, clip_cues
from survey.design.study import (
    ClipToRender,
    audit_study,
    clips_to_render,
    get_study,
    import_study,
    publish_study,
    register_clip,
)
from survey.design.studyfile import StudyDefinition
from survey.errors import StudyNotFound
from survey.store.schema import Clip, StudyStatus

OnProgress = Callable[[int, int, str], object]


class ClipUnavailable(Exception):
    """A clip that cannot be made now; the message is one sentence saying what is missing."""


@dataclass(frozen=True)
class RenderedClip:
    """What ``render`` makes of a clip: its audio, the audio's file extension, and the source piece's MIDI.

    ``midi`` is the whole piece the excerpt was cut from (None for clips made from uploaded audio), as presented
    (``audio.presentation``); ``start`` is where in it the excerpt begins, in seconds.
    """

    audio: bytes
    extension: str
    midi: bytes | None = None
    start: float = 0.0


Render = Callable[[ClipToRender], RenderedClip]


@dataclass
class PrepareReport:
    """What one preparation pass did: clips registered now, and clips pending with their reason."""

    registered: list[str] = field(default_factory=list)
    pending: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when no clip is left without audio."""
        return not self.pending


def ensure_study(factory: sessionmaker[Session], definition: StudyDefinition) -> str:
    """Import ``definition`` unless a study with its slug exists already; returns the slug."""
    with factory.begin() as session:
        try:
            get_study(session, definition.slug)
        except StudyNotFound:
            import_study(session, definition)
    return definition.slug


def store_audio(store: Path, data: bytes, extension: str) -> tuple[str, Path]:
    """Write ``data`` as ``<sha256>.<extension>`` in ``store`` (atomically); returns (sha256, path)."""
    sha = hashlib.sha256(data).hexdigest()
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{sha}.{extension.lstrip('.')}"
    if not path.is_file():
        with tempfile.NamedTemporaryFile(dir=store, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    return sha, path


def prepare_clips(
    factory: sessionmaker[Session], slug: str, render: Render, store: Path, on_progress: OnProgress | None = None
) -> PrepareReport:
    """Render and register every clip of draft study ``slug`` that has no audio yet.

    Each clip is committed on its own, so an interrupted preparation keeps what it finished.
    ``on_progress(done, total, message)`` is called before each clip and once at the end.
    """
    with factory.begin() as session:
        todo = clips_to_render(session, slug)
    report = PrepareReport()
    for index, clip in enumerate(todo):
        if on_progress:
            on_progress(index, len(todo), f"Preparing clip {index + 1} of {len(todo)}")
        try:
            rendered = render(clip)
        except ClipUnavailable as exc:
            report.pending[clip.clip_key] = str(exc)
            continue
        sha, path = store_audio(store, rendered.audio, rendered.extension)
        settings, midi_sha = clip_settings(clip, rendered), None
        if rendered.midi is not None:
            midi_sha, _ = store_audio(store, rendered.midi, "mid")
        with factory.begin() as session:
            register_clip(session, slug, clip.clip_key, audio_sha256=sha, midi_sha256=midi_sha,
                          audio_path=str(path), settings=settings)
        report.registered.append(clip.clip_key)
    if on_progress:
        on_progress(len(todo), len(todo), "Clips prepared" if report.complete else "Some clips are pending")
    return report


def clip_settings(clip: ClipToRender, rendered: RenderedClip) -> dict[str, Any]:
    """The settings registered with a clip: its spec, where its excerpt starts, its surface cues
    (``survey.design.cues``) and, when it has MIDI, the scalar metrics of the excerpt participants hear."""
    settings: dict[str, Any] = {"spec": clip.spec, "excerpt_start": round(rendered.start, 4)}
    duration = stored_excerpt(clip.spec).duration
    try:
        settings[CUES_KEY] = clip_cues(rendered.midi, rendered.audio, rendered.start, duration)
    except (RenderError, sf.LibsndfileError, ValueError) as exc:
        settings["cues_error"] = str(exc)
    if rendered.midi is not None:
        try:  # of what participants heard: the excerpt, not the whole song or the primer before it
            settings[METRICS_KEY] = scalar_metrics(excerpt_midi(rendered.midi, rendered.start, duration))
        except (MidiReadError, RenderError) as exc:
            settings["metrics_error"] = str(exc)
    return settings


def read_clip_audio(clip: Clip) -> bytes:
    """The stored audio of a registered clip (for ``audit_study`` and the participant page)."""
    if not clip.audio_path:
        raise FileNotFoundError(f"Clip {clip.key} has no audio file registered.")
    return Path(clip.audio_path).read_bytes()


@dataclass
class PublishOutcome:
    """The result of ``prepare_and_publish``: the preparation report, the audit (if run) and the status."""

    report: PrepareReport
    status: StudyStatus | str  # a StudyStatus; the str of a row read back compares equal to it
    findings: list[str] = field(default_factory=list)


def prepare_and_publish(
    factory: sessionmaker[Session],
    definition: StudyDefinition,
    render: Render,
    store: Path,
    on_progress: OnProgress | None = None,
    override: str | None = None,
) -> PublishOutcome:
    """Import, prepare, audit and publish a study in one go (the app's demo study at first start).

    The study is published only when every clip has audio and the blindness audit finds nothing;
    otherwise it stays a draft and the outcome says why (pending clips, or the audit's findings).
    ``override`` (a sentence saying why) publishes despite findings, as ``publish_study`` allows.
    """
    slug = ensure_study(factory, definition)
    with factory.begin() as session:
        status = get_study(session, slug).status
    if status != StudyStatus.DRAFT:
        return PublishOutcome(PrepareReport(), status)
    report = prepare_clips(factory, slug, render, store, on_progress)
    if not report.complete:
        return PublishOutcome(report, StudyStatus.DRAFT)
    with factory.begin() as session:
        audit = audit_study(session, slug, read_clip_audio)
        findings = [f.message for f in audit.findings]
        if findings and not override:
            return PublishOutcome(report, StudyStatus.DRAFT, findings)
        publish_study(session, slug, audit, override)
    return PublishOutcome(report, StudyStatus.OPEN, findings)
