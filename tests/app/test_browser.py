"""A real browser: a participant completes the demo study on a phone-sized screen in Debian's Chromium.

Starts ``streamlit run app/main.py`` on a free port with an isolated data folder (the demo study is prepared
on that first start), drives it with Playwright, then checks the answers in the database and that no
source label appears in the page or in any URL the browser requested.  Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from app.replicas import replica_command, wait_healthy
from survey.analysis.export import answers_frame
from survey.collect.headphone import trials_for
from survey.store.db import open_database
from tests.app.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
LABELS = ("pop909", "lstm", "original", "paper", "magenta", "default preset")
DEMO_SLUG = "demo-five-sources"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, models_dir: Path, cache_dir: Path, pop909_dir: Path) -> Iterator[tuple[str, Path]]:
    """The app on a free port with its own data folder; yields (base URL, data folder)."""
    env = {"LAB_DEMO": "1"}
    if models_dir != ROOT / "assets" / "models":
        env["LAB_DEMO_AUDIT_OVERRIDE"] = "Browser test with a stand-in tiny model instead of the shipped ones."
    yield from run_app(tmp_path / "data", models_dir, cache_dir, pop909_dir, env)


@pytest.fixture
def sealed_server(tmp_path: Path, models_dir: Path, cache_dir: Path, pop909_dir: Path) -> Iterator[tuple[str, Path]]:
    """The app for participants only (``LAB_PAGES=study``), without the demo."""
    yield from run_app(tmp_path / "data", models_dir, cache_dir, pop909_dir, {"LAB_DEMO": "0", "LAB_PAGES": "study"})


def wait_for_demo(data: Path, stall_seconds: float = 180.0) -> None:
    """Wait on the app's readiness signal (``app.demo.STATUS_FILE``) while the demo's preparation makes progress:
    a loaded machine may take minutes, but a preparation that moves no clip for ``stall_seconds`` has failed."""
    status_file, last, changed = data / "demo-status.json", None, time.monotonic()
    while True:
        status = json.loads(status_file.read_text()) if status_file.is_file() else None
        if status is not None and status["state"] != "preparing":
            assert status["state"] == "open", f"the demo was not published: {status['message']}"
            return
        if status != last:
            last, changed = status, time.monotonic()
        assert time.monotonic() - changed < stall_seconds, f"the demo's preparation stalled at {last}"
        time.sleep(0.5)


def run_app(data: Path, models_dir: Path, cache_dir: Path, pop909_dir: Path,
            extra: dict[str, str]) -> Iterator[tuple[str, Path]]:
    """``streamlit run app/main.py`` on a free port until the generator is closed."""
    port = free_port()
    env = {**os.environ, "LAB_DATA_DIR": str(data), "LAB_CACHE_DIR": str(cache_dir), "LAB_MODELS_DIR": str(models_dir),
           "POP909_DIR": str(pop909_dir), "LAB_PASSWORD": "browser-test", **extra}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(replica_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        yield base, data
    finally:
        process.terminate()
        process.wait(timeout=30)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def visible_text(page) -> str:
    """The DOM as HTML without ``data:`` URLs (base64 audio could spell anything by chance)."""
    return re.sub(r"data:[^\"' )]+", "data:", page.content())


def pick(page, group: int, option: str) -> None:
    """Click ``option`` in the ``group``-th radio group on the screen."""
    page.locator('[data-testid="stRadio"]').nth(group).get_by_text(option, exact=True).click()


def points_on_one_line(page, group: int) -> bool:
    """True when every option of the ``group``-th radio group sits on the same line of the screen."""
    options = page.locator('[data-testid="stRadio"]').nth(group).locator('[role="radiogroup"] label').all()
    tops = {round(box["y"]) for box in (option.bounding_box() for option in options) if box}
    return len(options) >= 2 and len(tops) == 1


def scales_settle_on_one_line(page, seconds: float = 15.0) -> bool:
    """The four rating scales on one line each, once the page has settled (a rerun can leave stale copies)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(points_on_one_line(page, group) for group in range(4)):
            return True
        page.wait_for_timeout(500)
    return False


def hear_clip(page) -> None:
    """Play the clip to the end, fast (16x), as a participant in a hurry with a very fast ear."""
    page.get_by_text("the questions unlock").wait_for(state="visible", timeout=60_000)
    page.wait_for_selector(".lab-player audio", state="attached", timeout=60_000)
    # The previous screen's player (already heard: data-reported="1") can linger, or be the only one on the
    # page for a moment after the clip counter changes; act on the new, unheard one only. Locators pierce
    # the component's shadow DOM, which document.querySelectorAll does not.
    fresh = page.locator('.lab-player audio[data-reported="0"]')
    expect(fresh).to_have_count(1, timeout=60_000)
    fresh.evaluate("a => { a.muted = true; a.playbackRate = 16; return a.play(); }")
    page.get_by_text("the questions unlock").wait_for(state="detached", timeout=60_000)


def answer_clip(page) -> None:
    for group in range(4):
        pick(page, group, "5")
    pick(page, 4, "A human")
    pick(page, 5, "3")
    page.get_by_role("button", name="Next", disabled=False).click()  # a stale locked copy can linger


def test_a_participant_completes_the_demo_study_on_a_phone(server: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, data = server
    requested: list[str] = []
    pages_seen: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{base}/study", timeout=60_000)
        wait_for_demo(data)
        page.get_by_text("I have read the above").wait_for(timeout=60_000)
        shot(page, "01-consent")
        pages_seen.append(visible_text(page))
        assert_sealed(page)
        page.get_by_text("I have read the above").click()
        page.get_by_role("button", name="Start").click()
        page.get_by_text("Sound check").wait_for(timeout=60_000)
        page.locator("audio").nth(5).wait_for(state="attached", timeout=60_000)  # the title renders first
        shot(page, "02-headphone-check")
        sources = page.locator("audio").evaluate_all("els => els.map(e => e.src)")
        assert len(sources) == 6 and len(set(sources)) == 6, "each headphone trial is its own file at its own URL"
        token = parse_qs(urlparse(page.url).query)["t"][0]
        for group, trial in enumerate(trials_for(token)):  # a listener on headphones hears the tone in each
            pick(page, group, str(trial.target))
        page.get_by_role("button", name="Continue").click()
        for position in range(1, 11):
            page.get_by_text(f"Clip {position} of 10").wait_for(timeout=60_000)
            if position == 2:  # the address without the token, as Back after a reload leaves it
                page.goto(f"{base}/study", timeout=60_000)
                page.get_by_role("button", name="Continue where you left off").click(timeout=60_000)
                page.get_by_text("Clip 2 of 10").wait_for(timeout=60_000)
            if position == 1:
                shot(page, "03-clip-locked")
            pages_seen.append(visible_text(page))
            hear_clip(page)
            if position == 1:
                shot(page, "04-clip-unlocked")
                assert scales_settle_on_one_line(page), "a 1-7 scale wraps at 390 px"
            answer_clip(page)
            if position == 5:
                page.get_by_text("please select 2").wait_for(timeout=60_000)
                shot(page, "05-attention-check")
                pick(page, 0, "2")
                page.get_by_role("button", name="Continue").click()
        page.get_by_text("Thank you").wait_for(timeout=60_000)
        shot(page, "06-thank-you")
        pages_seen.append(visible_text(page))
        assert_sealed(page)
        finished_browser_stays_a_participant(page, base)
        browser.close()
    factory = open_database(f"sqlite:///{data / 'survey.sqlite3'}")
    with factory.begin() as session:
        answers = answers_frame(session, DEMO_SLUG)
    assert answers["participant"].nunique() == 1, "coming back without the token continued the participation"
    assert len(answers) == 10 and answers["finished"].all() and set(answers["rating_complexity"]) == {5}
    assert answers["heard_fraction"].min() == 1.0
    assert answers["served_for_s"].notna().all(), "the server timed every clip from when it served it"
    assert answers["answered_early"].any(), "played at 16x, answers arrive before a 20 s clip could end: flagged"
    for label in LABELS:
        hits = [html.lower()[max(0, i - 80) : i + 40] for html in pages_seen if (i := html.lower().find(label)) >= 0]
        assert not hits, f"'{label}' appears in the page: {hits[:1]}"
        assert not any(label in url.lower() for url in requested), f"'{label}' appears in a requested URL"
    local = ("data", "blob")  # made in the page itself: a data: URL carries its bytes, a blob: URL names its own
    elsewhere = {url[:80] for url in requested if urlparse(url).scheme not in local
                 and urlparse(url).netloc != urlparse(base).netloc}
    assert not elsewhere, f"the participant's browser asked other hosts: {elsewhere}"


def finished_browser_stays_a_participant(page, base: str) -> None:
    """The same browser, done: the study thanks it instead of offering consent again, and every address of the
    lab's server shows it the Study page alone."""
    page.goto(f"{base}/study", timeout=60_000)
    page.get_by_text("already completed this study").wait_for(timeout=60_000)
    shot(page, "07-finished-browser")
    assert page.get_by_role("button", name="Start").count() == 0
    assert page.get_by_text("I have read the above").count() == 0
    for path in ("/", "/generate", "/studio", "/results"):
        page.goto(f"{base}{path}", timeout=60_000)
        page.get_by_text("already completed this study").wait_for(timeout=60_000)
        assert_sealed(page)
        assert "password" not in page.content().lower() and "Page not found" not in page.content(), path


def assert_sealed(page) -> None:
    """No navigation on the participant's page: no sidebar, no menu, no link to another page; a neutral title."""
    assert page.title() == "Listening study"
    assert page.locator('[data-testid="stSidebar"], [data-testid="stSidebarNav"]').count() == 0
    links = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    elsewhere = [link for link in links if urlparse(link).path.rstrip("/") not in ("/study", "")]
    assert not elsewhere, f"links away from the study: {elsewhere}"


def test_a_participant_server_serves_the_study_page_alone(sealed_server: tuple[str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ = sealed_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for path in ("/studio", "/results", "/generate"):
            page.goto(f"{base}{path}", timeout=60_000)
            page.get_by_text("No study is open at the moment").wait_for(timeout=120_000)
            assert_sealed(page)
            assert "password" not in page.content().lower(), f"{path} reached a researcher page"
        shot(page, "08-participant-server")
        browser.close()
