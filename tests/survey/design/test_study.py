"""Studies: import once, register rendered clips by hash, audit, publish (with override), close."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pretty_midi
import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from audio.presentation import policy_from_dict
from survey.clips.prepare import RenderedClip, prepare_clips
from survey.design.study import (
    ClipToRender,
    audit_study,
    clips_to_render,
    close_study,
    design_notes,
    get_study,
    import_study,
    publish_study,
    register_clip,
)
from survey.design.studyfile import StudyDefinition
from survey.errors import AuditFailed, ClipsNotRendered, StudyExists, StudyNotDraft, StudyNotFound, UnknownClip
from survey.store.migrations import upgrade_to_head
from survey.store.schema import Clip, Study
from tests.survey.design.test_audit import wav


def test_migrations_create_every_table_and_rerunning_them_is_harmless(
    Session: sessionmaker[Session], db_url: str
) -> None:
    upgrade_to_head(db_url)
    tables = set(inspect(Session.kw["bind"]).get_table_names())
    assert {
        "studies",
        "sources",
        "clips",
        "participants",
        "assignments",
        "answers",
        "ratings",
        "check_results",
    } <= tables


def test_the_migrations_match_the_orm_models(Session: sessionmaker[Session]) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from survey.store.schema import Base

    with Session.kw["bind"].connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_importing_the_same_definition_twice_creates_one_draft(
    Session: sessionmaker[Session], definition: StudyDefinition
) -> None:
    with Session.begin() as session:
        first = import_study(session, definition).id
    with Session.begin() as session:
        assert import_study(session, definition).id == first
        assert session.scalar(select(func.count()).select_from(Study)) == 1
        assert get_study(session, "small").status == "draft"
        assert len(clips_to_render(session, "small")) == 16
        with pytest.raises(StudyExists):
            import_study(session, dataclasses.replace(definition, title="Another title"))
        with pytest.raises(StudyNotFound):
            get_study(session, "nope")


def test_clips_are_registered_by_hash_and_need_audio_before_publishing(
    Session: sessionmaker[Session], definition: StudyDefinition
) -> None:
    with Session.begin() as session:
        import_study(session, definition)
        clip = register_clip(session, "small", "l1", audio_sha256="ab" * 32, settings={"sound_font": "x.sf2"})
        assert (clip.audio_sha256, clip.settings) == ("ab" * 32, {"sound_font": "x.sf2"})
        assert "l1" not in [c.clip_key for c in clips_to_render(session, "small")]
        with pytest.raises(UnknownClip):
            register_clip(session, "small", "zz", audio_sha256="ab" * 32)
        with pytest.raises(ValueError, match="hex"):
            register_clip(session, "small", "l1", audio_sha256="not-a-hash")
        with pytest.raises(ClipsNotRendered, match="15 clip"):
            audit_study(session, "small", lambda c: b"")


def test_a_failed_audit_blocks_publishing_unless_an_override_is_recorded(
    Session: sessionmaker[Session], definition: StudyDefinition
) -> None:
    import hashlib

    audio = {}
    with Session.begin() as session:
        study = import_study(session, definition)
        for clip in study.clips:
            data = wav(rate=48_000 if clip.source.key == "lstm" else 44_100)
            audio[clip.key] = data
            register_clip(session, "small", clip.key, audio_sha256=hashlib.sha256(data).hexdigest())
        report = audit_study(session, "small", lambda c: audio[c.key])
        assert "sample rate" in [f.cue for f in report.findings]
        with pytest.raises(AuditFailed, match="sample rate"):
            publish_study(session, "small", report)
        study = publish_study(session, "small", report, override="Pilot run; resampled clips were not ready.")
        assert (study.status, study.audit_passed) == ("open", False)
        assert study.audit_override == "Pilot run; resampled clips were not ready."
        assert study.audit is not None and study.audit["findings"]
        with pytest.raises(StudyNotDraft):
            register_clip(session, "small", "l1", audio_sha256="cd" * 32)
        assert close_study(session, "small").status == "closed"
        assert session.scalar(select(func.count()).select_from(Clip).where(Clip.audio_sha256.is_(None))) == 0


def test_a_study_whose_sources_differ_only_in_tempo_is_refused_without_an_override(
    Session: sessionmaker[Session], definition: StudyDefinition, tmp_path: Path
) -> None:
    tempo = {"original": 70.0, "lstm": 90.0, "trained": 110.0, "pretrained": 130.0}
    audio = wav(seconds=1.0)

    def render(clip: ClipToRender) -> RenderedClip:  # the same chords in every source, at the source's tempo
        chord = (55 + int(clip.clip_key[1:]), 64, 67)
        return RenderedClip(audio, "wav", chords_midi(tempo[clip.source_key], chord), start=0.0)

    with Session.begin() as session:
        import_study(session, definition)
    assert prepare_clips(Session, "small", render, tmp_path / "clips").complete
    with Session.begin() as session:
        report = audit_study(session, "small", lambda c: audio)
        assert [f.cue for f in report.findings] == ["surface cues"], "the files themselves are identical"
        assert report.surface is not None and report.surface.classifier is not None
        verdict = report.surface.classifier
        assert (verdict.top_cue, verdict.top_cue_accuracy, verdict.chance) == ("tempo_bpm", 1.0, 0.25)
        assert verdict.accuracy > verdict.chance + 0.25
        with pytest.raises(AuditFailed, match="surface cues"):
            publish_study(session, "small", report)
        study = publish_study(session, "small", report, override="Tempo is the variable under study here.")
        assert study.audit is not None and study.audit["surface"]["classifier"]["top_cue"] == "tempo_bpm"
        assert len(study.audit["surface"]["clips"]) == 16


def chords_midi(bpm: float, chord: tuple[int, ...], beats: int = 40) -> bytes:
    """A block chord on every beat at ``bpm``."""
    song = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    piano = pretty_midi.Instrument(program=0)
    piano.notes = [pretty_midi.Note(80, p, b * 60 / bpm, (b + 1) * 60 / bpm) for b in range(beats) for p in chord]
    song.instruments.append(piano)
    buffer = io.BytesIO()
    song.write(buffer)
    return buffer.getvalue()


def test_the_report_states_the_presentation_and_the_cue_verdict(
    Session: sessionmaker[Session], definition: StudyDefinition
) -> None:
    matched = dataclasses.replace(definition, presentation=policy_from_dict({"tempo": "group", "velocity": 80}))
    with Session.begin() as session:
        study = import_study(session, matched)
        assert design_notes(study) == ["Presentation, applied alike to every source: tempo of the group song; "
                                       "velocity 80 for all; full texture; instruments as written."]
        assert all(c.spec["presentation"]["velocity"] == 80 for c in study.clips), "every clip records the policy"
