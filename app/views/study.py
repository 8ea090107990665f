"""Study (participant): consent, headphone check, one clip per screen, progress, personal link, thanks.

Reads only session state and the URL (``?study=<slug>&t=<token>``: the personal link that resumes where
the participant stopped); every decision is ``survey``'s.  Nothing on this page names a clip's source:
clips are shown by position, played from ``data:`` URLs, and identified by their opaque public id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from app.player import clip_player
from app.remember import remember_participation, remembered_token
from app.resources import database
from survey.collect.answers import AnswerIn, submit_answer
from survey.collect.checks import submit_attention_check, submit_headphone_check
from survey.collect.participants import (
    LISTENING_DEVICES,
    MUSICAL_EXPERIENCE,
    AttentionScreen,
    ClipScreen,
    HeadphoneScreen,
    Screen,
    finish_participant,
    next_screen,
    panel_code,
    progress,
    start_participant,
)
from survey.design.study import list_studies, study_definition
from survey.design.studyfile import Scale, StudyDefinition
from survey.errors import SurveyError, UnknownToken
from survey.store.schema import StudyStatus

NO_ANSWER = "Prefer not to say"
# A neutral local favicon (app.main sets the same one before anything renders); a comment, as a bare string
# in a page module would be printed on the page.
STUDY_ICON = Path(__file__).resolve().parents[2] / "assets" / "icons" / "study.png"


def open_study(factory: sessionmaker[Session]) -> StudyDefinition | None:
    """The study named in the URL, else the newest open one; None when no study is open."""
    wanted = st.query_params.get("study")
    with factory.begin() as session:
        studies = [s for s in list_studies(session) if s.status == StudyStatus.OPEN and wanted in (None, s.slug)]
        return study_definition(studies[0]) if studies else None


def personal_link(slug: str, token: str) -> str:
    """This participant's resume link (the page's own address with the study and token)."""
    base = (st.context.url or "").split("?")[0]
    return f"{base}?study={slug}&t={token}"


def already_taking_part(factory: sessionmaker[Session], slug: str) -> bool:
    """When this browser already took part (``app.remember``): thanks when it finished, else the way back to its
    place. One browser is one participation, so no second consent is offered either way."""
    token = remembered_token(slug)
    if token is None:
        return False
    try:
        with factory.begin() as session:
            done = progress(session, token)
    except SurveyError:
        return False  # a token of another database or a deleted participation: nothing to continue
    if done.finished:
        st.success("This browser has already completed this study. Thank you for taking part!")
        return True
    st.info(f"You have already started this study in this browser ({done.screens_done} of {done.screens_total} "
            "done).")
    if st.button("Continue where you left off", type="primary", key="resume_go"):
        st.session_state["participant_token"] = token
        st.query_params.update({"study": slug, "t": token})
        st.rerun()
    return True


def consent_screen(factory: sessionmaker[Session], definition: StudyDefinition) -> None:
    """Consent and the optional questionnaire; starting stores the token in the URL and session."""
    if already_taking_part(factory, definition.slug):
        return
    st.markdown(definition.consent)
    with st.form("consent_form"):
        agree = st.checkbox("I have read the above and agree to take part.", key="consent_agree")
        st.caption("Optional: tell us a little about yourself.")
        experience = st.selectbox("Musical experience", [NO_ANSWER, *MUSICAL_EXPERIENCE], key="consent_experience")
        device = st.selectbox("What will you listen with?", [NO_ANSWER, *LISTENING_DEVICES], key="consent_device")
        start = st.form_submit_button("Start", type="primary", key="consent_start")
    if not start:
        return
    if not agree:
        st.warning("Please tick the box to agree before starting.")
        return
    try:
        with factory.begin() as session:
            token = start_participant(
                session, definition.slug, consent=True,
                musical_experience=None if experience == NO_ANSWER else experience,
                listening_device=None if device == NO_ANSWER else device,
                url_parameters=st.query_params.to_dict(),
            )
    except SurveyError as exc:  # the quota is reached, or the study closed a moment ago
        st.error(str(exc))
        return
    st.session_state["participant_token"] = token
    st.query_params.update({"study": definition.slug, "t": token})
    st.rerun()


# Every point of a scale on one line, also at 390 px: a lone "7" on a second line invites response bias; on a phone
# the title takes two lines at most, so the clip and its player sit on the first screen.
# (A comment, not a docstring: Streamlit would print a bare string of a page module on the page.)
ONE_LINE_SCALES = """<style>
div[data-testid="stRadio"] div[role="radiogroup"] {flex-wrap: nowrap; column-gap: 0.8rem;}
div[data-testid="stRadio"] div[role="radiogroup"] > label {margin-right: 0; padding-right: 0; min-width: 0;}
@media (max-width: 640px) {h1 {font-size: 1.6rem !important; padding-top: 0 !important;}}
</style>"""


def scale_choice(label: str, scale: Scale, key: str, disabled: bool) -> int | None:
    """A horizontal 1..N choice with no default, its anchors as a caption (fits a phone at 390 px)."""
    choice = st.radio(label, list(range(scale.min, scale.max + 1)), index=None, horizontal=True, key=key,
                      disabled=disabled)
    if scale.anchors:
        st.caption("  ·  ".join(f"{value} = {text}" for value, text in scale.anchors))
    return choice


def headphone_screen(factory: sessionmaker[Session], token: str, screen: HeadphoneScreen) -> None:
    """Six trials of three noises; the participant picks the one that holds a faint tone (Huggins pitch)."""
    st.subheader("Sound check")
    st.write("Please put on headphones. Each sound plays three bursts of noise; one of them has a faint tone "
             "inside it. Which one?")
    with st.form("headphone_form"):
        answers = []
        # Served by Streamlit's media store under a hash of the bytes: every trial's file is its own (dithered per
        # participant and trial in survey.collect.headphone), so neither a URL nor a file repeats with the answer.
        # (Inline data: URLs put 5.6 MB into one page update, which stalled slow phones and a loaded test machine.)
        for i, wav in enumerate(screen.trials):
            st.audio(wav, format="audio/wav")
            answers.append(st.radio(f"Sound {i + 1}: the noise with a tone", [1, 2, 3], index=None, horizontal=True,
                                    key=f"headphone_{i}"))
        sent = st.form_submit_button("Continue", type="primary", key="headphone_go")
    if sent and None in answers:
        st.warning("Please answer all six sounds.")
    elif sent:
        submit_and_rerun(factory, lambda s: submit_headphone_check(s, token, [int(a) for a in answers if a]))


def attention_screen(factory: sessionmaker[Session], token: str, screen: AttentionScreen) -> None:
    """An instructed-response item between clips."""
    with st.form("attention_form"):
        choice = scale_choice(screen.prompt, screen.scale, f"attention_{screen.key}", disabled=False)
        sent = st.form_submit_button("Continue", type="primary", key="attention_go")
    if sent and choice is None:
        st.warning("Please choose an answer.")
    elif sent and choice is not None:
        submit_and_rerun(factory, lambda s: submit_attention_check(s, token, screen.key, int(choice)))


@st.cache_data(show_spinner=False, max_entries=64)
def clip_audio(path: str) -> bytes:
    """A clip's MP3 bytes, read once per file."""
    return Path(path).read_bytes()


def clip_questions(screen: ClipScreen, locked: bool) -> AnswerIn | None:
    """The criteria, the human/computer guess, confidence and "I know this piece"; None until all are given."""
    cid = screen.clip_id
    ratings = {c.key: scale_choice(c.prompt, c.scale, f"rate_{cid}_{c.key}", locked) for c in screen.criteria}
    question = screen.human_question
    guess = confidence = None
    if question.enabled:
        guess = st.radio(question.prompt, ["human", "computer"], index=None, horizontal=True, key=f"guess_{cid}",
                         format_func=lambda g: "A human" if g == "human" else "A computer", disabled=locked)
        confidence = scale_choice("How sure are you?", question.confidence, f"confidence_{cid}", locked)
    knows = st.checkbox("I know this piece", key=f"knows_{cid}", disabled=locked)
    if None in ratings.values() or (question.enabled and (guess is None or confidence is None)):
        return None
    shown = st.session_state.get(f"shown_{cid}", time.time())
    return AnswerIn(ratings={k: int(v) for k, v in ratings.items() if v is not None}, guess=guess,
                    confidence=confidence, knows_piece=knows, time_spent_s=min(round(time.time() - shown, 1), 86000))


def clip_screen(factory: sessionmaker[Session], token: str, screen: ClipScreen) -> None:
    """Play the clip; its questions unlock once it has been heard to the end."""
    st.subheader(f"Clip {screen.position} of {screen.total}")
    st.session_state.setdefault(f"shown_{screen.clip_id}", time.time())
    if not screen.audio_path:
        st.error("This clip's audio is missing; please tell the researcher.")
        return
    heard = clip_player(clip_audio(screen.audio_path), "audio/mpeg", screen.clip_id, key=f"player_{screen.clip_id}")
    locked = heard < 1.0
    if locked:
        st.info("Listen to the whole clip; the questions unlock when it has finished.")
    with st.form(f"clip_form_{screen.clip_id}"):
        answer = clip_questions(screen, locked)
        sent = st.form_submit_button("Next", type="primary", disabled=locked, key=f"next_{screen.clip_id}")
    if sent and answer is None:
        st.warning("Please answer every question before going on.")
    elif sent and answer is not None:
        final = AnswerIn(**{**answer.__dict__, "heard_fraction": heard})
        submit_and_rerun(factory, lambda s: submit_answer(s, token, screen.clip_id, final))


def submit_and_rerun(factory: sessionmaker[Session], write: Callable[[Session], object]) -> None:
    """Run one write in its own transaction; a refusal is shown as the survey's sentence, else go on."""
    try:
        with factory.begin() as session:
            write(session)
    except SurveyError as exc:
        st.error(str(exc))
        return
    st.session_state["screen_sent"] = st.session_state.get("screen_shown")
    st.rerun()


def screen_key(screen: Screen | None) -> str:
    """What identifies a screen across reruns: its kind and its clip or check."""
    if isinstance(screen, ClipScreen):
        return f"clip:{screen.clip_id}"
    if isinstance(screen, AttentionScreen):
        return f"attention:{screen.key}"
    return "headphone" if isinstance(screen, HeadphoneScreen) else "end"


def say_if_moved_elsewhere(screen: Screen | None) -> None:
    """A second tab or window that answered this tab's screen moves it on: say so, instead of jumping silently."""
    shown, current = st.session_state.get("screen_shown"), screen_key(screen)
    if shown is not None and shown != current and shown != st.session_state.get("screen_sent"):
        st.info("That screen was answered in another tab or window, so you are on the next one now.")
    st.session_state["screen_shown"] = current


def thank_you(factory: sessionmaker[Session], token: str) -> None:
    """Mark the participation finished and thank the participant."""
    with factory.begin() as session:
        done = finish_participant(session, token)
        code = panel_code(session, token)
    if done.screened_out:
        st.info("Thank you for your time. This study needs headphones, and the sound check did not hear them, so "
                "it ends here." + (" Please give the recruiting site this code:" if code is not None else ""))
        if code is not None and code.code:
            st.code(code.code, language=None)
        return
    st.balloons()
    if code is None:
        st.success("Thank you! Your answers are saved. You may close this page.")
        return
    st.success("Thank you! Your answers are saved. Please give the recruiting site this code:")
    if code.code:
        st.code(code.code, language=None)
    if code.url:
        st.link_button("Return to the recruiting site", code.url, type="primary")


def show_progress(factory: sessionmaker[Session], token: str, slug: str) -> None:
    """The progress bar and the personal link that resumes this participation."""
    with factory.begin() as session:
        done = progress(session, token)
    st.progress(done.screens_done / max(done.screens_total, 1), text=f"{done.screens_done} of {done.screens_total}")
    with st.expander("Your personal link (to continue later)"):
        st.code(personal_link(slug, token), language=None)


def participant_flow(factory: sessionmaker[Session], definition: StudyDefinition, token: str) -> None:
    """Show whichever screen the database says comes next."""
    remember_participation(definition.slug, token)
    show_progress(factory, token, definition.slug)
    with factory.begin() as session:
        screen = next_screen(session, token)
    say_if_moved_elsewhere(screen)
    if screen is None:
        thank_you(factory, token)
    elif isinstance(screen, HeadphoneScreen):
        headphone_screen(factory, token, screen)
    elif isinstance(screen, AttentionScreen):
        attention_screen(factory, token, screen)
    else:
        clip_screen(factory, token, screen)


def main() -> None:
    """Entry: pick the study, then consent or the participant's current screen."""
    # Also when a researcher opens the page from the menu: the lab's name would hint at the sources.
    st.set_page_config(page_title="Listening study", page_icon=str(STUDY_ICON))
    st.markdown(ONE_LINE_SCALES, unsafe_allow_html=True)
    factory = database()
    definition = open_study(factory)
    if definition is None:
        wanted = st.query_params.get("study")
        st.info(f"There is no open study called “{wanted}”. Please check the link you were given."
                if wanted else "No study is open at the moment. Please come back later.")
        return
    st.title(definition.title)
    token = st.query_params.get("t") or st.session_state.get("participant_token")
    if not token:
        consent_screen(factory, definition)
        return
    try:
        participant_flow(factory, definition, token)
    except UnknownToken as exc:
        st.error(str(exc))
        st.session_state.pop("participant_token", None)
        st.button("Start a new participation", key="restart", on_click=st.query_params.clear)
    except SurveyError as exc:
        st.error(str(exc))


main()
