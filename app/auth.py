"""The researcher pages' password gate: env ``LAB_PASSWORD`` or the Streamlit secret ``LAB_PASSWORD``.

Without a configured password the researcher pages show how to set one and nothing else, so a public
deployment never exposes results by accident.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

SETUP_HELP = (
    "Researcher pages are locked. Set a password to open them: start the app with "
    "`LAB_PASSWORD=... bash lab.sh start`, or add `LAB_PASSWORD = \"...\"` to `.streamlit/secrets.toml`."
)


def configured_password() -> str | None:
    """The password from the environment, else from Streamlit secrets; None when neither is set."""
    if os.environ.get("LAB_PASSWORD"):
        return os.environ["LAB_PASSWORD"]
    try:
        value = st.secrets.get("LAB_PASSWORD")
    except (FileNotFoundError, KeyError, OSError):  # no secrets file at all
        return None
    return str(value) if value else None


def require_researcher() -> None:
    """Stop the page unless this session has entered the right password (asked once per session)."""
    password = configured_password()
    if password is None:
        st.warning(SETUP_HELP)
        st.stop()
    if st.session_state.get("researcher_ok"):
        return
    with st.form("login_form"):
        given = st.text_input("Researcher password", type="password", key="login_password")
        sent = st.form_submit_button("Open", key="login_go")
    if sent and hmac.compare_digest(given.encode(), password.encode()):
        st.session_state["researcher_ok"] = True
        st.rerun()
    if sent:
        st.error("Wrong password.")
    st.stop()
