"""The survey's tables as one typed SQLAlchemy 2.0 ORM model.

Design notes
------------
* ``Source.label`` is the only place a source's real name lives; everything a participant
  receives refers to clips by ``Clip.public_id``, a random string that says nothing about the
  source (database ids are sequential and would leak the import order).
* ``Answer`` is unique per (participant, clip): that key makes submissions idempotent and lets a
  participant resume at the first unanswered clip.
* Ratings live in ``Rating`` rows (answer, criterion, value) because criteria come from the
  study file; the export pivots them back to one column per criterion.
* Check results (headphone trials, attention checks) are stored one row each, so the analysis can
  decide on exclusions later; ``Participant`` keeps the pass/fail summary.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class StudyStatus(StrEnum):
    """A study's life: a *draft* is being prepared, an *open* one takes participants, a *closed* one no longer.

    A ``StrEnum``: stored as its plain string, and equal to it, so rows written before the enum read the same."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


def utcnow() -> datetime:
    """Timezone-aware now; stored as UTC on every backend."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The single declarative base of the survey tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class Study(Base):
    """A study imported from a study file; ``status`` is draft, open or closed."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]]
    definition_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=StudyStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    audit: Mapped[dict[str, Any] | None]
    audit_passed: Mapped[bool | None]
    audit_override: Mapped[str | None] = mapped_column(Text)

    sources: Mapped[list[Source]] = relationship(back_populates="study", order_by="Source.position")
    clips: Mapped[list[Clip]] = relationship(back_populates="study", order_by="Clip.id")


class Source(Base):
    """A source of clips (model or original); its label is never sent to participants."""

    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("study_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    human: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int]

    study: Mapped[Study] = relationship(back_populates="sources")


class Clip(Base):
    """A clip of one source; audio and MIDI hashes arrive when the app renders it."""

    __tablename__ = "clips"
    __table_args__ = (UniqueConstraint("study_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    group: Mapped[str | None] = mapped_column(String(64))
    spec: Mapped[dict[str, Any]]
    audio_sha256: Mapped[str | None] = mapped_column(String(64))
    midi_sha256: Mapped[str | None] = mapped_column(String(64))
    settings: Mapped[dict[str, Any] | None]
    audio_path: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[datetime | None]

    study: Mapped[Study] = relationship(back_populates="clips")
    source: Mapped[Source] = relationship()


class Participant(Base):
    """One person's participation, reachable only through the unguessable ``token``."""

    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("study_id", "sequence"), UniqueConstraint("study_id", "panel_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    sequence: Mapped[int]
    consent_at: Mapped[datetime]
    musical_experience: Mapped[str | None] = mapped_column(String(64))
    listening_device: Mapped[str | None] = mapped_column(String(64))
    headphone_passed: Mapped[bool | None]
    headphone_score: Mapped[int | None]
    attention_passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    panel_id: Mapped[str | None] = mapped_column(String(128))  # e.g. PROLIFIC_PID: one person, one participation
    captured: Mapped[dict[str, Any] | None]  # the URL parameters the study file asks to capture

    study: Mapped[Study] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(back_populates="participant", order_by="Assignment.position")


class Assignment(Base):
    """Clip ``clip_id`` is the participant's ``position``-th clip (0-based)."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("participant_id", "position"),
        UniqueConstraint("participant_id", "clip_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    served_at: Mapped[datetime | None]  # when the clip's screen was first sent: the server's must-listen clock

    participant: Mapped[Participant] = relationship(back_populates="assignments")
    clip: Mapped[Clip] = relationship()


class Answer(Base):
    """One screen's answer; (participant, clip) is unique, which makes resubmission harmless."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("participant_id", "clip_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id", ondelete="CASCADE"), index=True)
    guess: Mapped[str | None] = mapped_column(String(16))
    confidence: Mapped[int | None]
    knows_piece: Mapped[bool]
    heard_fraction: Mapped[float]
    time_spent_s: Mapped[float]
    served_for_s: Mapped[float | None]  # seconds from serving the clip to this answer, by the server's clock
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    ratings: Mapped[list[Rating]] = relationship(back_populates="answer", order_by="Rating.criterion")


class Rating(Base):
    """The value one answer gives one criterion, on that criterion's scale."""

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("answer_id", "criterion"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(64))
    value: Mapped[int]

    answer: Mapped[Answer] = relationship(back_populates="ratings")


class CheckResult(Base):
    """One headphone trial or attention check: what was expected, what was given."""

    __tablename__ = "check_results"
    __table_args__ = (UniqueConstraint("participant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    expected: Mapped[int]
    response: Mapped[int]
    passed: Mapped[bool]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
