"""Studio (researcher): build a study from sources, render its clips, preview, audit, publish, share the link.

The page collects choices and calls ``survey.design.compose``, ``survey.clips.prepare`` and ``survey.design.study``;
every
refusal (bad upload, invalid study, audit findings, a study another tab already published) is shown as
the package's one-sentence message.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from app.auth import require_researcher
from app.resources import available_models, clip_renderer, clip_store, database, pop909_songs, uploads_dir
from audio import RenderError
from audio.midi import load_midi
from audio.presentation import ContentPolicy, PresentationPolicy, TempoPolicy, VelocityPolicy
from audio.upload import read_audio
from survey.analysis.export import answers_frame
from survey.analysis.inference.simulate import StudyDesign
from survey.analysis.power import pairs_of, parse_means, participants_needed, pilot_designs
from survey.clips.prepare import prepare_clips, read_clip_audio, store_audio
from survey.design.audit import AuditReport
from survey.design.compose import SourcePlan, StudyPlan, compose_study, model_source, pop909_source
from survey.design.study import audit_study, close_study, get_study, import_study, list_studies, publish_study
from survey.errors import SurveyError
from survey.store.schema import StudyStatus

MIDI_TYPES = ("mid", "midi")
AUDIO_TYPES = ("wav", "mp3", "flac", "ogg")


def upload_reference(name: str, data: bytes) -> dict[str, Any]:
    """Check one uploaded file and store it by hash; returns its clip reference (raises on bad input)."""
    extension = Path(name).suffix.lower().lstrip(".")
    if not data:
        raise ValueError(f"{name} is empty.")
    if extension in MIDI_TYPES:
        load_midi(data)
        sha, _ = store_audio(uploads_dir(), data, "mid")
        return {"midi": f"upload:{sha}.mid"}
    read_audio(data)
    sha, _ = store_audio(uploads_dir(), data, extension)
    return {"generate": {"upload": f"{sha}.{extension}"}}


def new_study_form() -> StudyPlan | None:
    """The form for a new study; returns the plan when submitted and every upload is usable."""
    songs, models = pop909_songs(), {Path(p).name for p in available_models().values()}
    with st.form("studio_new"):
        slug = st.text_input("Short name (letters, digits, - and _)", key="studio_slug")
        title = st.text_input("Title shown to participants", "How does this music sound to you?", key="studio_title")
        chosen = st.multiselect("POP909 songs (originals, and primers for the models)", songs, songs[:4],
                                key="studio_songs")
        picked = st.multiselect("Models", sorted(models), key="studio_models")
        per_primer = st.number_input("Pieces per model and primer", 1, 10, 1, key="studio_per_primer")
        files = st.file_uploader("Music from elsewhere (MIDI or audio, e.g. Magenta outputs)",
                                 accept_multiple_files=True, type=[*MIDI_TYPES, *AUDIO_TYPES], key="studio_uploads")
        label = st.text_input("Label of the uploaded music", "Uploaded", key="studio_upload_label")
        per_source = st.number_input("Clips per source and participant", 1, 20, 2, key="studio_per_source")
        seconds = st.number_input("Excerpt length (seconds)", 5.0, 60.0, 20.0, key="studio_seconds")
        presentation = presentation_choices()
        sent = st.form_submit_button("Create study", type="primary", key="studio_create")
    if not sent:
        return None
    sources = [pop909_source(chosen)] if chosen else []
    sources += [model_source(m, chosen, int(per_primer)) for m in picked]
    uploads = []
    for file in files or []:
        try:
            uploads.append(upload_reference(file.name, file.getvalue()))
        except (RenderError, ValueError) as exc:
            st.error(f"{file.name} cannot be used: {exc}")
            return None
    if uploads:
        sources.append(SourcePlan("uploaded", label or "Uploaded", tuple(uploads)))
    return StudyPlan(slug.strip(), title.strip(), tuple(sources), int(per_source), float(seconds),
                     presentation=presentation)


TEMPI = {TempoPolicy.GROUP: "Tempo of the clip's POP909 song", TempoPolicy.OWN: "Each piece's own tempo",
         TempoPolicy.FIXED: "One BPM for all"}
VELOCITIES = {VelocityPolicy.FIXED: "One velocity for all", VelocityPolicy.HUMANISED: "Humanised around each "
              "piece's mean", VelocityPolicy.AS_WRITTEN: "As written"}
CONTENTS = {ContentPolicy.FULL: "Full texture", ContentPolicy.MELODY: "Melody only (MELODY track, else the top line)"}


def presentation_choices() -> dict[str, Any]:
    """The presentation policy applied alike to every source (``audio.presentation``); matched by default."""
    st.markdown("**Presentation, the same for every source** (so sources differ only in composition)")
    left, right = st.columns(2)
    tempo = left.selectbox("Tempo", list(TEMPI), format_func=TEMPI.__getitem__, key="studio_tempo")
    bpm = left.number_input("BPM (for one BPM for all)", 30, 300, 90, key="studio_bpm")
    velocity = right.selectbox("Velocity", list(VELOCITIES), format_func=VELOCITIES.__getitem__,
                               key="studio_velocity")
    value = right.number_input("Velocity (for one velocity for all)", 1, 127, 80, key="studio_velocity_value")
    content = left.selectbox("Content", list(CONTENTS), format_func=CONTENTS.__getitem__, key="studio_content")
    piano = right.checkbox("One instrument for all: acoustic grand piano", True, key="studio_one_piano")
    policy = PresentationPolicy(
        tempo=tempo, bpm=float(bpm) if tempo is TempoPolicy.FIXED else None, velocity=velocity,
        velocity_value=int(value) if velocity is VelocityPolicy.FIXED else None, content=content,
        program=0 if piano else None)
    return policy.to_dict()


def create_study(factory: sessionmaker[Session], plan: StudyPlan) -> None:
    """Validate and import the plan as a draft study, then select it below."""
    try:
        definition = compose_study(plan)
        with factory.begin() as session:
            import_study(session, definition)
    except SurveyError as exc:
        st.error(str(exc))
        return
    st.session_state["studio_study"] = definition.slug
    st.success(f"Study '{definition.slug}' created as a draft: render its clips below.")


def clips_table(factory: sessionmaker[Session], slug: str) -> pd.DataFrame:
    """The study's clips with their source (researchers may see it) and audio file, if rendered."""
    with factory.begin() as session:
        study = get_study(session, slug)
        rows = [{"clip": c.key, "source": c.source.label, "public id": c.public_id, "audio": c.audio_path}
                for c in study.clips]
    return pd.DataFrame(rows, columns=["clip", "source", "public id", "audio"])


def render_clips(factory: sessionmaker[Session], slug: str) -> None:
    """Render every clip without audio, with a progress bar; pending clips are listed with their reason."""
    bar = st.progress(0.0, text="Rendering…")
    try:
        report = prepare_clips(factory, slug, clip_renderer(), clip_store(),
                               on_progress=lambda d, t, m: bar.progress(d / max(t, 1), text=m))
    except SurveyError as exc:
        st.error(str(exc))
        return
    st.success(f"{len(report.registered)} clips rendered.")
    for key, reason in report.pending.items():
        st.warning(f"{key}: {reason}")


def preview(clips: pd.DataFrame) -> None:
    """Every rendered clip with its source, to listen before publishing."""
    with st.expander(f"Preview the {clips['audio'].notna().sum()} rendered clips"):
        for row in clips.dropna(subset=["audio"]).itertuples():
            st.caption(f"{row.clip} · {row.source}")
            st.audio(Path(str(row.audio)).read_bytes(), format="audio/mpeg")


def audit_and_publish(factory: sessionmaker[Session], slug: str) -> None:
    """Run the blindness audit, show what it flags, and publish (with a reason, when it flagged something)."""
    if st.button("Run the blindness audit", key="studio_audit"):
        try:
            with factory.begin() as session:
                st.session_state[f"audit_{slug}"] = audit_study(session, slug, read_clip_audio)
        except (SurveyError, OSError) as exc:
            st.error(str(exc))
    audit = st.session_state.get(f"audit_{slug}")
    if audit is None:
        return
    if audit.passed:
        st.success("The audit found nothing that could give a source away.")
    for finding in audit.findings:
        st.warning(f"{finding.cue}: {finding.message}")
    st.dataframe(audit.measures, key=f"audit_table_{slug}")
    surface_cues(audit, slug)
    override = st.text_input("Publish anyway because… (needed only if the audit flagged something)",
                             key=f"override_{slug}")
    if st.button("Publish", type="primary", key=f"publish_{slug}"):
        try:
            with factory.begin() as session:
                publish_study(session, slug, audit, override or None)
        except SurveyError as exc:
            st.error(str(exc))
            return
        st.rerun()


def surface_cues(audit: AuditReport, slug: str) -> None:
    """The cues that are not composition, per source, and whether a classifier names the sources from them."""
    if audit.surface is None or audit.surface.clips.empty:
        return
    st.markdown("**Surface cues** (measured on the excerpts participants hear)")
    verdict = audit.surface.classifier
    if verdict is None:
        st.caption("Too few clips per source for a cross-validated classifier.")
    elif not verdict.gives_away:  # a finding is already listed above, once
        st.success(verdict.sentence())
    st.dataframe(audit.surface.per_source(), key=f"cue_table_{slug}")


def power_panel(factory: sessionmaker[Session]) -> None:
    """Participants and clips per source needed for a target power per pair, by the headline model, simulated from
    a pilot study or stated means."""
    with factory.begin() as session:
        pilots = [s.slug for s in list_studies(session)]
    pilot = st.selectbox("Pilot study (its headline model gives means and variances)", ["(stated below)", *pilots],
                         key="power_pilot")
    means_text = st.text_input("…or expected mean rating per source", "original=4.5, lstm=4.0", key="power_means")
    a, b, c = st.columns(3)
    sds = (a.number_input("Participant SD", 0.0, 3.0, 0.8, key="power_sd_participant"),
           b.number_input("Clip SD", 0.0, 3.0, 0.3, key="power_sd_clip"),
           c.number_input("Residual SD", 0.1, 3.0, 1.3, key="power_sd_residual"))
    d, e = st.columns(2)
    layout = (int(d.number_input("Clips of each source per participant", 1, 20, 2, key="power_per_source")),
              int(e.number_input("Clips in each source's pool", 1, 64, 4, key="power_pool")))
    target = st.slider("Power wanted for each pair", 0.5, 0.95, 0.8, key="power_target")
    if not st.button("Simulate", key="power_go"):
        return
    try:
        with st.spinner("Simulating studies through the headline model…"):
            for name, design in planned_designs(factory, pilot, means_text, sds, layout).items():
                st.markdown(f"**{name}** (Holm over {len(pairs_of(design))} pairs; se: the simulation's own)")
                st.dataframe(participants_needed(design, target, simulations=60), hide_index=True,
                             key=f"power_table_{name}")
    except (SurveyError, ValueError) as exc:
        st.error(str(exc))


def planned_designs(factory: sessionmaker[Session], pilot: str, means_text: str, sds: tuple[float, float, float],
                    layout: tuple[int, int]) -> dict[str, StudyDesign]:
    """The designs to simulate: one per criterion of the pilot, or the stated one."""
    per_source, pool = layout
    if pilot != "(stated below)":
        with factory.begin() as session:
            answers = answers_frame(session, pilot)
        return pilot_designs(answers, pilot, per_source=per_source, clips_per_source=pool)
    return {"stated means": StudyDesign(parse_means(means_text), *sds, clips_per_source=pool, per_source=per_source)}


# Env: the address of the participant server (LAB_PAGES=study), e.g. https://listen.example.org. (A comment, not a
# docstring: Streamlit prints a bare string of a page module on the page.)
PARTICIPANT_SERVER = "LAB_PARTICIPANT_URL"


def participant_link(slug: str) -> str:
    """The address participants open: the participant server's Study page when one is configured, else this
    server's."""
    configured = os.environ.get(PARTICIPANT_SERVER, "").strip().rstrip("/")
    base = configured or (st.context.url or "").split("?")[0].rsplit("/", 1)[0]
    return f"{base}/study?study={slug}"


def manage(factory: sessionmaker[Session]) -> None:
    """Choose a study, then render, preview, audit, publish, share or close it as its status allows."""
    with factory.begin() as session:
        studies = {s.slug: s.status for s in list_studies(session)}
    if not studies:
        st.info("No study yet: create one above.")
        return
    # The label is the slug alone: a status in the label went stale after publishing; the status line says it.
    slug = st.selectbox("Study", list(studies), key="studio_study")
    status_line = st.empty()
    clips = clips_table(factory, slug)
    if studies[slug] == StudyStatus.DRAFT and st.button("Render missing clips", key="studio_render"):
        render_clips(factory, slug)
        clips = clips_table(factory, slug)
    status_line.write(f"Status: **{studies[slug]}** · {len(clips)} clips, {clips['audio'].notna().sum()} rendered.")
    preview(clips)
    if studies[slug] == StudyStatus.DRAFT:
        audit_and_publish(factory, slug)
    if studies[slug] == StudyStatus.OPEN:
        st.write("Participant link (copy it with the button on the right):")
        st.code(participant_link(slug), language=None)
        if not os.environ.get(PARTICIPANT_SERVER, "").strip():
            st.warning(f"This link points at the lab's own server. For a public study, run a participant server "
                       f"(LAB_PAGES=study, see the README) and set {PARTICIPANT_SERVER} to its address.")
        close_with_confirmation(factory, slug)


def close_with_confirmation(factory: sessionmaker[Session], slug: str) -> None:
    """Closing ends a study for every participant, so it takes a ticked confirmation first."""
    sure = st.checkbox("Yes, close it: nobody can start or continue the study afterwards", key=f"close_sure_{slug}")
    if st.button("Close the study", key=f"close_{slug}", disabled=not sure):
        with factory.begin() as session:
            close_study(session, slug)
        st.rerun()


st.title("Studio")
require_researcher()
FACTORY = database()
st.subheader("New study")
plan = new_study_form()
if plan is not None:
    create_study(FACTORY, plan)
st.subheader("Prepare and publish")
manage(FACTORY)
st.subheader("Plan the number of participants")
power_panel(FACTORY)
