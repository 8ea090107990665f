"""A participant's way through a study: start with consent, get the next screen, see progress, finish.

Everything is keyed by the participant's unguessable token (their personal link), so a person
who closes the tab, or switches device, resumes exactly where they stopped: ``next_screen`` always
returns the first screen not yet completed, computed from what the database holds.

The screens, in order: the headphone check (if the study has one), then the assigned clips,
with each attention check placed after the number of clips its ``after`` field names.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.collect.assign import assign_participant
from survey.collect.headphone import SAMPLE_RATE, trials_for
from survey.collect.quota import abandoned_participants, places_taken, screened_out_participants
from survey.design.study import get_study, study_definition
from survey.design.studyfile import AttentionCheck, Criterion, HumanQuestion, Recruitment, Scale, StudyDefinition
from survey.errors import ConsentRequired, InvalidAnswer, NotFinished, StudyFull, StudyNotOpen, UnknownToken
from survey.store.schema import Answer, Assignment, CheckResult, Participant, Study, StudyStatus, utcnow

MUSICAL_EXPERIENCE = ("none", "amateur", "semi-professional", "professional")
LISTENING_DEVICES = (
    "headphones",
    "earbuds",
    "laptop speakers",
    "external speakers",
    "phone speaker",
    "other",
)


@dataclass(frozen=True)
class ClipScreen:
    """Play clip ``clip_id`` (an opaque id: it says nothing about the source) and ask the questions."""

    clip_id: str
    position: int
    total: int
    audio_sha256: str | None
    audio_path: str | None
    criteria: tuple[Criterion, ...]
    human_question: HumanQuestion
    kind: Literal["clip"] = "clip"


@dataclass(frozen=True)
class AttentionScreen:
    """An instructed-response item; answer with ``survey.collect.checks.submit_attention_check``."""

    key: str
    prompt: str
    scale: Scale
    kind: Literal["attention"] = "attention"


@dataclass(frozen=True)
class HeadphoneScreen:
    """Six WAV stimuli; for each, ask which of the three noises (1-3) holds a faint tone."""

    trials: tuple[bytes, ...]
    sample_rate: int
    kind: Literal["headphone"] = "headphone"


Screen = ClipScreen | AttentionScreen | HeadphoneScreen
Step = (
    tuple[Literal["headphone"], None] | tuple[Literal["attention"], AttentionCheck] | tuple[Literal["clip"], Assignment]
)


@dataclass(frozen=True)
class Progress:
    """How far a participant is: clips answered of total, screens done of total, finished or not."""

    answered: int
    total: int
    screens_done: int
    screens_total: int
    finished: bool
    screened_out: bool = False
    """The headphone check failed and the study ends there (``headphone_failed: end``)."""

    @property
    def complete(self) -> bool:
        """True when every screen is done (the participant may finish)."""
        return self.screens_done == self.screens_total


def start_participant(
    session: Session,
    slug: str,
    *,
    consent: bool,
    musical_experience: str | None = None,
    listening_device: str | None = None,
    url_parameters: Mapping[str, str] | None = None,
) -> str:
    """Register a consenting participant, assign their clips, and return their secret token.

    The study row is locked while the participant's number and clips are chosen, so concurrent
    starts each get their own row of the Williams design. ``url_parameters`` are the page's query parameters:
    those the study's ``recruitment.capture`` names are stored; when its ``panel_id`` (e.g. ``PROLIFIC_PID``) was
    seen before, that participation's token is returned instead of starting a second one.
    """
    if consent is not True:
        raise ConsentRequired()
    _check_option("musical_experience", musical_experience, MUSICAL_EXPERIENCE)
    _check_option("listening_device", listening_device, LISTENING_DEVICES)
    study = get_study(session, slug, for_update=True)
    require_open(study)
    definition = study_definition(study)
    captured, panel_id = captured_parameters(definition.recruitment, url_parameters or {})
    known = _panel_participant(session, study, panel_id)
    if known is not None:
        return known.token
    quota = definition.quota
    released = abandoned_participants(session, study.id, quota.idle_minutes)
    released |= screened_out_participants(session, study.id)
    if quota.participants is not None and \
            places_taken(session, study.id, quota.idle_minutes, released) >= quota.participants:
        raise StudyFull(slug, quota.participants)
    sequence = session.scalar(
        select(func.coalesce(func.max(Participant.sequence) + 1, 0)).where(Participant.study_id == study.id)
    )
    participant = Participant(
        token=secrets.token_urlsafe(24),
        study_id=study.id,
        sequence=sequence or 0,
        consent_at=utcnow(),
        musical_experience=musical_experience,
        listening_device=listening_device,
        panel_id=panel_id,
        captured=captured or None,
    )
    session.add(participant)
    session.flush()
    assign_participant(session, participant, definition.clips_per_participant, released=released)
    return participant.token


MAX_PARAMETER_LENGTH = 128


def _panel_participant(session: Session, study: Study, panel_id: str | None) -> Participant | None:
    """The participation this panel id already started in ``study``, if any."""
    if panel_id is None:
        return None
    return session.scalar(select(Participant).where(Participant.study_id == study.id, Participant.panel_id == panel_id))


def captured_parameters(recruitment: Recruitment, given: Mapping[str, str]) -> tuple[dict[str, str], str | None]:
    """The URL parameters the study captures (others are ignored) and the panel's participant id, if given."""
    captured = {name: str(given[name])[:MAX_PARAMETER_LENGTH] for name in recruitment.capture if given.get(name)}
    panel_id = captured.get(recruitment.panel_id) if recruitment.panel_id else None
    return captured, panel_id


def _check_option(field: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise InvalidAnswer(field, f"must be one of {', '.join(allowed)}")


def participant_by_token(session: Session, token: str, *, for_update: bool = False) -> Participant:
    """The participant holding ``token``; ``for_update`` serialises that participant's writes."""
    if not isinstance(token, str) or not 0 < len(token) <= 64:
        raise UnknownToken()
    query = select(Participant).where(Participant.token == token)
    participant = session.scalar(query.with_for_update() if for_update else query)
    if participant is None:
        raise UnknownToken()
    return participant


def require_open(study: Study) -> None:
    """Raise ``StudyNotOpen`` unless the study is published and not closed."""
    if study.status != StudyStatus.OPEN:
        raise StudyNotOpen(study.slug, study.status)


def steps(session: Session, participant: Participant, definition: StudyDefinition) -> tuple[list[Step], int]:
    """All of the participant's screens in order, and how many of them are done."""
    answered = set(session.scalars(select(Answer.clip_id).where(Answer.participant_id == participant.id)))
    checked = set(session.scalars(select(CheckResult.key).where(CheckResult.participant_id == participant.id)))
    all_steps: list[Step] = []
    done: list[bool] = []
    if definition.headphone_check:
        all_steps.append(("headphone", None))
        done.append(participant.headphone_passed is not None)
        if screened_out(participant, definition):
            return [], 1
    assignments = list(participant.assignments)
    for position in range(len(assignments) + 1):
        for check in (c for c in definition.attention_checks if c.after == position):
            all_steps.append(("attention", check))
            done.append(check.key in checked)
        if position < len(assignments):
            all_steps.append(("clip", assignments[position]))
            done.append(assignments[position].clip_id in answered)
    pending = [step for step, is_done in zip(all_steps, done, strict=True) if not is_done]
    return pending, len(all_steps) - len(pending)


def next_screen(session: Session, token: str) -> Screen | None:
    """The participant's current screen (headphone check, attention check or clip); None when all are done."""
    participant = participant_by_token(session, token)
    require_open(participant.study)
    definition = study_definition(participant.study)
    pending, _ = steps(session, participant, definition)
    if not pending:
        return None
    kind, item = pending[0]
    if kind == "headphone":
        trials = tuple(t.wav(nonce=f"{participant.token}:{i}") for i, t in enumerate(trials_for(participant.token)))
        return HeadphoneScreen(trials=trials, sample_rate=SAMPLE_RATE)
    if isinstance(item, AttentionCheck):
        return AttentionScreen(key=item.key, prompt=item.prompt, scale=item.scale)
    assert isinstance(item, Assignment)
    if item.served_at is None:  # the must-listen clock starts when the clip is first sent (survey.collect.answers)
        item.served_at = utcnow()
        session.flush()
    clip = item.clip
    return ClipScreen(
        clip_id=clip.public_id,
        position=item.position + 1,
        total=len(participant.assignments),
        audio_sha256=clip.audio_sha256,
        audio_path=clip.audio_path,
        criteria=definition.criteria,
        human_question=definition.human_question,
    )


def progress(session: Session, token: str) -> Progress:
    """Where the participant stands; works on closed studies too (for a thank-you page)."""
    participant = participant_by_token(session, token)
    definition = study_definition(participant.study)
    pending, done = steps(session, participant, definition)
    answered = session.scalar(select(func.count()).select_from(Answer).where(Answer.participant_id == participant.id))
    return Progress(
        answered=answered or 0,
        total=len(participant.assignments),
        screens_done=done,
        screens_total=done + len(pending),
        finished=participant.finished_at is not None,
        screened_out=screened_out(participant, definition),
    )


def screened_out(participant: Participant, definition: StudyDefinition) -> bool:
    """Whether the participant's study ended at a failed headphone check: the study needs headphones."""
    return definition.headphone_check and definition.end_on_failed_headphones and participant.headphone_passed is False


@dataclass(frozen=True)
class PanelCode:
    """What the panel asks the participant to copy at the end: a completion or a screen-out code."""

    code: str
    screened_out: bool
    url: str | None = None


def panel_code(session: Session, token: str) -> PanelCode | None:
    """The code to show at the end (``recruitment`` in the study file); None when the study names none.

    A participant who failed the headphone or an attention check gets the screen-out code, when there is one.
    """
    participant = participant_by_token(session, token)
    recruitment = study_definition(participant.study).recruitment
    failed = participant.headphone_passed is False or participant.attention_passed is False
    if failed and recruitment.screen_out_code:
        return PanelCode(recruitment.screen_out_code, screened_out=True)
    if recruitment.completion_code or recruitment.completion_url:
        return PanelCode(recruitment.completion_code or "", screened_out=False, url=recruitment.completion_url)
    return None


def finish_participant(session: Session, token: str) -> Progress:
    """Mark the participation finished (idempotent); refuses while screens remain."""
    participant = participant_by_token(session, token, for_update=True)
    pending, _ = steps(session, participant, study_definition(participant.study))
    if pending:
        raise NotFinished(len(pending))
    if participant.finished_at is None:
        participant.finished_at = utcnow()
        session.flush()
    return progress(session, token)
