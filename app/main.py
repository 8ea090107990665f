"""Entry point: ``streamlit run app/main.py``. Owns navigation; pages only wire widgets to the packages."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

st.set_page_config(page_title="LSTM Music Lab", page_icon="🎹", layout="wide")

pages = {
    "Make music": [st.Page(ROOT / "app" / "pages" / "generate.py", title="Generate", icon="🎹", default=True)],
}
st.navigation(pages).run()
