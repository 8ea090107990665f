"""Entry point: ``streamlit run app/main.py``. Owns navigation; pages only wire widgets to the packages.

On the first start of a server the demo study's clips are prepared (``app.demo``), so every page has
something real to show; ``LAB_DEMO=0`` skips that.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app.demo import prepare_demo, show_demo_notes, wait_for_demo  # noqa: E402

st.set_page_config(page_title="LSTM Music Lab", page_icon=":material/piano:", layout="wide")

PAGES = ROOT / "app" / "views"
pages = {
    "Make music": [st.Page(PAGES / "generate.py", title="Generate", icon=":material/piano:", default=True)],
    "Listen": [st.Page(PAGES / "study.py", title="Study", icon=":material/headphones:", url_path="study")],
    "Research": [
        st.Page(PAGES / "studio.py", title="Studio", icon=":material/construction:", url_path="studio"),
        st.Page(PAGES / "results.py", title="Results", icon=":material/bar_chart:", url_path="results"),
    ],
}
page = st.navigation(pages)
demo = prepare_demo()
wait_for_demo(demo)
show_demo_notes(demo)
page.run()
