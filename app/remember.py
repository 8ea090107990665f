"""The browser remembers its participation, so Back after a reload does not start a second one.

The personal link (``?study=…&t=<token>``) resumes a participation, but a reload starts a new server session
and the browser's Back button then returns to the address without the token: the consent screen, where
consenting again created a second, duplicate participant. The token is therefore also kept in a first-party
cookie per study (``SameSite=Strict``, no other data, never sent anywhere but this server), read back from the
request on the next visit (``st.context.cookies``), and the consent screen offers to continue.
"""

from __future__ import annotations

import streamlit as st

COOKIE_PREFIX = "lab_participation_"
MAX_AGE_S = 30 * 24 * 3600
"""How long the browser keeps the token: long enough to come back to an unfinished study."""

_JS = """
export default function(component) {
    const { data } = component;
    document.cookie = `${data.name}=${data.value}; max-age=${data.max_age}; path=/; SameSite=Strict`;
}
"""
_remember = st.components.v2.component("lab_remember", html="<span hidden></span>", js=_JS)


def cookie_name(slug: str) -> str:
    """The cookie of one study (slugs are letters, digits, '-' and '_', all allowed in a cookie name)."""
    return f"{COOKIE_PREFIX}{slug}"


def remember_participation(slug: str, token: str) -> None:
    """Ask the browser to keep this participation's token for ``slug``."""
    _remember(data={"name": cookie_name(slug), "value": token, "max_age": MAX_AGE_S}, key="remember_participation")


def remembered_token(slug: str) -> str | None:
    """The token this browser kept for ``slug``, if it sent one with this visit."""
    token = st.context.cookies.get(cookie_name(slug))
    return token or None
