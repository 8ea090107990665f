"""The browser remembers its participation: Back after a reload does not start a second one, a finished browser
does not start again, and a browser holding a participation of an open study sees the Study page alone.

The personal link (``?study=…&t=<token>``) resumes a participation, but a reload starts a new server session
and the browser's Back button then returns to the address without the token: the consent screen, where
consenting again created a second, duplicate participant. The token is therefore also kept in a first-party
cookie per study (``SameSite=Strict``, no other data, never sent anywhere but this server), read back from the
request on the next visit (``st.context.cookies``), and the consent screen offers to continue.
"""

from __future__ import annotations

from functools import cache

import streamlit as st
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from app.places import data_dir
from survey.store.engine import default_url
from survey.store.schema import Study, StudyStatus

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


def held_studies() -> set[str]:
    """The studies this browser holds a participation of (finished or not), by the cookies it sent."""
    return {name.removeprefix(COOKIE_PREFIX) for name, value in st.context.cookies.items()
            if name.startswith(COOKIE_PREFIX) and value}


def holds_open_participation() -> bool:
    """Whether this browser took part in a study that is still open: such a browser is a participant's, and the
    lab's pages stay out of its reach on every server (the researcher's own checks belong in a private window)."""
    slugs = held_studies()
    if not slugs:
        return False
    try:
        with _reader().connect() as connection:
            found = connection.execute(select(Study.slug).where(Study.slug.in_(slugs),
                                                                 Study.status == StudyStatus.OPEN)).first()
    except SQLAlchemyError:  # no database yet, or not migrated: no open study to hold
        return False
    return found is not None


@cache
def _reader() -> Engine:
    """A plain engine for this one read on every page load: no write lock (SQLite WAL readers never wait)."""
    return create_engine(default_url(data_dir()), pool_pre_ping=True)
