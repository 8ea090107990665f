"""Studies in the database: import from a definition, register rendered clips, audit, publish, close.

Life cycle: ``import_study`` creates a *draft*; the app renders each clip and calls
``register_clip`` with its audio hash; ``audit_study`` checks the audio for cues;
``publish_study`` opens the study (refusing a failed audit unless an override reason is given,
which is stored); ``close_study`` stops new participants and answers.  Every function takes a
Session; the caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from audio.presentation import policy_from_dict, policy_summary
from survey.design.audit import AuditClip, AuditReport, Finding, Tolerances, audit_clips
from survey.design.cues import CUES_KEY, surface_audit
from survey.design.studyfile import ClipDef, StudyDefinition, parse_study_dict
from survey.errors import (
    AuditFailed,
    ClipsNotRendered,
    StudyExists,
    StudyNotDraft,
    StudyNotFound,
    UnknownClip,
)
from survey.store.schema import Clip, Source, Study, StudyStatus, utcnow

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DEFINITIONS: dict[str, StudyDefinition] = {}


def definition_sha256(definition: StudyDefinition) -> str:
    """A stable fingerprint of a definition (canonical JSON), to recognise re-imports."""
    canonical = json.dumps(definition.to_dict(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def import_study(session: Session, definition: StudyDefinition) -> Study:
    """Create a draft study with its sources and clips; importing the same definition again is a no-op.

    Raises ``StudyExists`` when the slug is taken by a different definition.
    """
    digest = definition_sha256(definition)
    existing = session.scalar(select(Study).where(Study.slug == definition.slug))
    if existing is not None:
        if existing.definition_sha256 != digest:
            raise StudyExists(definition.slug)
        return existing
    study = Study(
        slug=definition.slug,
        title=definition.title,
        definition=definition.to_dict(),
        definition_sha256=digest,
        status=StudyStatus.DRAFT,
    )
    session.add(study)
    for position, source_def in enumerate(definition.sources):
        source = Source(
            study=study, key=source_def.key, label=source_def.label, human=source_def.human, position=position
        )
        session.add(source)
        for clip_def in source_def.clips:
            spec = clip_spec(definition, clip_def)
            session.add(
                Clip(
                    study=study,
                    source=source,
                    key=clip_def.key,
                    group=clip_def.group,
                    spec=spec,
                    public_id=secrets.token_hex(8),
                )
            )
    session.flush()
    return study


def clip_spec(definition: StudyDefinition, clip_def: ClipDef) -> dict[str, Any]:
    """What a clip stores of its definition: its music, its excerpt and the study's presentation (when set)."""
    spec: dict[str, Any] = {"midi": clip_def.midi} if clip_def.midi is not None else {"generate": clip_def.generate}
    spec["excerpt"] = {"start": clip_def.excerpt.start, "duration": clip_def.excerpt.duration,
                       "fade": clip_def.excerpt.fade}
    if not definition.presentation.changes_nothing:
        spec["presentation"] = definition.presentation.to_dict()
    return spec


def get_study(session: Session, slug: str, *, for_update: bool = False) -> Study:
    """The study named ``slug``; ``for_update`` locks its row (PostgreSQL) to serialise starts."""
    query = select(Study).where(Study.slug == slug)
    study = session.scalar(query.with_for_update() if for_update else query)
    if study is None:
        raise StudyNotFound(slug)
    return study


def list_studies(session: Session) -> list[Study]:
    """Every study, newest first."""
    return list(session.scalars(select(Study).order_by(Study.created_at.desc(), Study.id.desc())))


def study_definition(study: Study) -> StudyDefinition:
    """The validated definition stored with ``study`` (parsed once per process, then cached)."""
    cached = _DEFINITIONS.get(study.definition_sha256)
    if cached is None:
        cached = parse_study_dict(study.definition, source=f"study {study.slug}")
        _DEFINITIONS[study.definition_sha256] = cached
    return cached


@dataclass(frozen=True)
class ClipToRender:
    """What the app needs to render a clip: its key, its source key and its spec (midi/generate + excerpt)."""

    clip_key: str
    source_key: str
    spec: dict[str, Any]
    group: str | None


def clips_to_render(session: Session, slug: str) -> list[ClipToRender]:
    """Clips of the study with no audio registered yet, in definition order."""
    study = get_study(session, slug)
    query = select(Clip).where(Clip.study_id == study.id, Clip.audio_sha256.is_(None)).order_by(Clip.id)
    return [ClipToRender(c.key, c.source.key, c.spec, c.group) for c in session.scalars(query)]


def register_clip(
    session: Session,
    slug: str,
    clip_key: str,
    *,
    audio_sha256: str,
    midi_sha256: str | None = None,
    settings: dict[str, Any] | None = None,
    audio_path: str | None = None,
) -> Clip:
    """Record the rendered audio of a draft study's clip by its hash (re-registering replaces it).

    ``settings`` holds whatever produced the audio (sound font, sample rate, excerpt, fade), so the
    study records exactly what participants heard.
    """
    study = get_study(session, slug)
    if study.status != StudyStatus.DRAFT:
        raise StudyNotDraft(slug, study.status)
    for name, value in (("audio_sha256", audio_sha256), ("midi_sha256", midi_sha256)):
        if value is not None and not SHA256.match(value):
            raise ValueError(f"{name} must be 64 lowercase hex digits")
    clip = session.scalar(select(Clip).where(Clip.study_id == study.id, Clip.key == clip_key))
    if clip is None:
        raise UnknownClip(clip_key)
    clip.audio_sha256, clip.midi_sha256 = audio_sha256, midi_sha256
    clip.settings, clip.audio_path, clip.registered_at = settings, audio_path, utcnow()
    session.flush()
    return clip


def audit_study(
    session: Session, slug: str, read_audio: Callable[[Clip], bytes], tolerances: Tolerances | None = None
) -> AuditReport:
    """Run the blindness audit over every registered clip; ``read_audio`` returns a clip's file bytes."""
    study = get_study(session, slug)
    missing = [c.key for c in study.clips if c.audio_sha256 is None]
    if missing:
        raise ClipsNotRendered(missing)
    clips = [AuditClip(c.key, c.source.key, read_audio(c), c.audio_sha256) for c in study.clips]
    report = audit_clips(clips, tolerances)
    stored = {c.key: (c.source.key, (c.settings or {})[CUES_KEY]) for c in study.clips
              if CUES_KEY in (c.settings or {})}
    surface = surface_audit(stored)
    findings = report.findings
    if surface.gives_away and surface.classifier is not None:
        findings = (*findings, Finding("surface cues", surface.classifier.sentence(),
                                       {"top_cue": surface.classifier.top_cue}))
    return replace(report, findings=findings, surface=surface)


def publish_study(session: Session, slug: str, audit: AuditReport, override: str | None = None) -> Study:
    """Open a draft study for participants, storing the audit report (and any override reason).

    Raises ``ClipsNotRendered`` if a clip has no audio, and ``AuditFailed`` if the audit found cues and
    ``override`` (a sentence saying why publishing anyway is acceptable) is empty.
    """
    study = get_study(session, slug, for_update=True)
    if study.status != StudyStatus.DRAFT:
        raise StudyNotDraft(slug, study.status)
    missing = [c.key for c in study.clips if c.audio_sha256 is None]
    if missing:
        raise ClipsNotRendered(missing)
    reason = (override or "").strip() or None
    if not audit.passed and reason is None:
        raise AuditFailed([f.cue for f in audit.findings])
    study.audit, study.audit_passed, study.audit_override = audit.to_dict(), audit.passed, reason
    study.status, study.published_at = StudyStatus.OPEN, utcnow()
    session.flush()
    return study


def close_study(session: Session, slug: str) -> Study:
    """Stop accepting participants and answers; answers already stored are kept."""
    study = get_study(session, slug, for_update=True)
    if study.status != StudyStatus.CLOSED:
        study.status, study.closed_at = StudyStatus.CLOSED, utcnow()
        session.flush()
    return study


def design_notes(study: Study) -> list[str]:
    """What the report says of how clips were presented and what the surface-cue audit found."""
    recorded = (study.definition or {}).get("presentation")
    policy = policy_from_dict(recorded) if recorded else None
    notes = [f"Presentation, applied alike to every source: {policy_summary(policy)}." if policy else
             "Presentation: every piece as written (tempo, dynamics, texture and instruments not matched)."]
    verdict = ((study.audit or {}).get("surface") or {}).get("classifier")
    if verdict:
        notes.append(f"Surface-cue audit: {verdict['sentence']}")
    return notes
