"""Entry point: ``streamlit run app/main.py``. Owns navigation; pages only wire widgets to the packages.

On the first start of a server the demo study's clips are prepared in the background (``app.demo``): the
Study page waits for them, the other pages work at once and show the progress in the sidebar; ``LAB_DEMO=0``
skips that.

The participant route is sealed: ``/study`` gets a neutral title and icon before anything renders, and no
navigation (no sidebar, no menu, no link to another page). ``LAB_PAGES=study`` serves the Study page alone, for a
server that faces participants; a browser holding a participation of an open study (``app.remember``) gets the same
sealed server on every route, here too. Icons are local files: Streamlit fetches ``:material/...`` favicons from Google.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from app.remember import holds_open_participation

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "assets" / "icons"
PAGES = ROOT / "app" / "views"
STUDY_PAGE = "study"
LAB_ROUTES = ("generate", "studio", "results")


def participant_only() -> bool:
    """True on a server for participants (``LAB_PAGES=study``): the Study page is the only page."""
    return os.environ.get("LAB_PAGES", "").strip().lower() == STUDY_PAGE


def on_study_route() -> bool:
    """True when the browser asked for the Study page (the participant's link)."""
    path = urlparse(st.context.url or "").path.rstrip("/")
    return path.rsplit("/", 1)[-1] == STUDY_PAGE


sealed = participant_only() or holds_open_participation()
participant = sealed or on_study_route()
if participant:
    st.set_page_config(page_title="Listening study", page_icon=str(ICONS / "study.png"), layout="centered",
                       initial_sidebar_state="collapsed", menu_items={})
else:
    st.set_page_config(page_title="LSTM Music Lab", page_icon=str(ICONS / "lab.png"), layout="wide")

study = st.Page(PAGES / "study.py", title="Study", icon=":material/headphones:", url_path=STUDY_PAGE)


def to_study() -> None:
    """A participant server's front page: the Study page, at the same /study address as on the lab's server."""
    st.switch_page(study, query_params=st.query_params.to_dict())


front = st.Page(to_study, title="Study", url_path="start", default=True)
# The lab's addresses lead a participant's browser to the Study page too, without a "Page not found".
stand_ins = [st.Page(to_study, title="Study", url_path=path) for path in LAB_ROUTES]
pages = {"Listen": [front, study, *stand_ins]} if sealed else {
    "Make music": [st.Page(PAGES / "generate.py", title="Generate", icon=":material/piano:", default=True)],
    "Listen": [study],
    "Research": [
        st.Page(PAGES / "studio.py", title="Studio", icon=":material/construction:", url_path="studio"),
        st.Page(PAGES / "results.py", title="Results", icon=":material/bar_chart:", url_path="results"),
    ],
}
page = st.navigation(pages, position="hidden" if participant else "sidebar")
starting = st.empty()
if "app.demo" not in sys.modules:  # the first request of a server: the packages below take seconds to import
    starting.progress(0.0, text="Starting the lab: loading the music packages…")
from app.demo import demo_progress, prepare_demo, show_demo_notes, wait_for_demo  # noqa: E402 - after the message

starting.empty()
demo = prepare_demo()
if participant:
    wait_for_demo(demo)
else:
    demo_progress(demo)
    show_demo_notes(demo)
page.run()
