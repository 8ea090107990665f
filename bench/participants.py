"""K participants at once in real Chromium: how many one participant server holds.

One browser, K contexts (each its own cookies, as K people), all taking the demo study on a phone-sized screen:
consent, the headphone check (answered right: the bench reads its trials from the token, as a listener hears them),
ten clips played at 16x, the attention check, thanks. Prints, per K: completions, step latency (click to the next
screen) median and p95, the server's CPU-seconds and peak RSS per completed participant.

    .venv/bin/python bench/participants.py                 # K = 1, 5, 10 against a server it starts
    .venv/bin/python bench/participants.py --k 1 10 50 100 # the curve, on a machine with the cores for it
    .venv/bin/python bench/participants.py --url http://127.0.0.1:8502 --pid 1234   # a running server (or haproxy)

The server it starts is ``streamlit run app/main.py`` with a fresh data folder, preparing the demo study first
(cached renders make a second run quick). The browsers share the machine with the server: on 2 cores they take
most of the CPU, so latencies here are an upper bound; CPU-seconds per participant are the server's own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.async_api import Locator, Page, async_playwright

from app.replicas import replica_command, wait_healthy
from survey.collect.headphone import trials_for

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
STEP_TIMEOUT_MS = 180_000
FAILED_SHOTS = os.environ.get("BENCH_FAILED_SHOTS")  # a folder: a screenshot of every participant who failed


@dataclass
class Run:
    """What K participants did: step latencies (s) and how many finished."""

    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    failures: list[str] = field(default_factory=list)


async def step(page: Page, run: Run, click: str, arrives: str) -> None:
    """Click ``click`` (a button's name) and time it until ``arrives`` (a text) is on the screen."""
    started = time.monotonic()
    await page.get_by_role("button", name=click, disabled=False).last.click(timeout=STEP_TIMEOUT_MS)
    await page.get_by_text(arrives).first.wait_for(timeout=STEP_TIMEOUT_MS)
    run.latencies.append(time.monotonic() - started)


def radio(page: Page, group: int, option: str) -> Locator:
    return page.locator('[data-testid="stRadio"]').nth(group).get_by_role("radio", name=option, exact=True)


def radio_label(page: Page, group: int, option: str) -> Locator:
    return page.locator('[data-testid="stRadio"]').nth(group).get_by_text(option, exact=True)


async def answer(page: Page, picks: list[tuple[int, str]]) -> None:
    """Pick each (radio group, option) and make sure all are still picked before the form is sent: a pick made while
    the screen's first run is still drawing can be redrawn away (a person listening first never meets that race)."""
    for _ in range(5):
        missing = [(group, option) for group, option in picks if not await radio(page, group, option).is_checked()]
        if not missing:
            return
        for group, option in missing:
            await radio_label(page, group, option).click(timeout=STEP_TIMEOUT_MS)
        await page.wait_for_timeout(300)
    raise TimeoutError(f"picks {missing} did not stay picked")


async def hear(page: Page) -> None:
    """Play the clip to its end at 16x, as the browser test does."""
    await page.get_by_text("the questions unlock").wait_for(timeout=STEP_TIMEOUT_MS)
    fresh = page.locator('.lab-player audio[data-reported="0"]')
    await fresh.first.wait_for(state="attached", timeout=STEP_TIMEOUT_MS)
    await fresh.first.evaluate("a => { a.muted = true; a.playbackRate = 16; return a.play(); }")
    await page.get_by_text("the questions unlock").wait_for(state="detached", timeout=STEP_TIMEOUT_MS)


async def screen_text(page: Page) -> str:
    """The first words of what the participant sees, to say where a failure happened."""
    try:
        text = await page.locator('[data-testid="stMain"]').inner_text(timeout=5_000)
    except Exception:  # the page itself is gone
        return "no page"
    words = " ".join(text.split())
    return words if len(words) <= 240 else f"{words[:100]} ... {words[-140:]}"


async def participant(browser: object, base: str, run: Run) -> None:
    """One person through the whole demo study in their own browser context."""
    context = await browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page = await context.new_page()
    try:
        await page.goto(f"{base}/study", timeout=STEP_TIMEOUT_MS)
        await page.get_by_text("I have read the above").click(timeout=STEP_TIMEOUT_MS)
        await step(page, run, "Start", "Sound check")
        token = parse_qs(urlparse(page.url).query)["t"][0]
        await answer(page, [(group, str(trial.target)) for group, trial in enumerate(trials_for(token))])
        await step(page, run, "Continue", "Clip 1 of 10")
        for position in range(1, 11):
            await hear(page)
            await answer(page, [(0, "5"), (1, "5"), (2, "5"), (3, "5"), (4, "A human"), (5, "3")])
            after = "please select 2" if position == 5 else ("Thank you" if position == 10 else
                                                             f"Clip {position + 1} of 10")
            await step(page, run, "Next", after)
            if position == 5:
                await answer(page, [(0, "2")])
                await step(page, run, "Continue", "Clip 6 of 10")
        run.finished += 1
    except Exception as exc:  # a timeout or a vanished element: counted with where it happened, the others go on
        where = await screen_text(page)
        if FAILED_SHOTS:
            await page.screenshot(path=str(Path(FAILED_SHOTS) / f"failed-{id(page)}.png"), full_page=True)
        run.failures.append(f"{type(exc).__name__} at [{where}]: {str(exc).splitlines()[0][:100]}")
    finally:
        await context.close()


async def crowd(base: str, k: int) -> Run:
    run = Run()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        await asyncio.gather(*(participant(browser, base, run) for _ in range(k)))
        await browser.close()
    return run


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def open_once(base: str, status: Path) -> None:
    """Hold one page open until the demo is prepared: the app's script (and with it the demo's preparation) runs
    only once a browser connects its websocket; a plain HTTP request does not start it."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = await browser.new_page()
        await page.goto(f"{base}/study", timeout=STEP_TIMEOUT_MS)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if json.loads(status.read_text())["state"] != "preparing":
                    break
            except (OSError, ValueError, KeyError):
                pass
            await asyncio.sleep(1)
        await browser.close()


def start_server(data: Path) -> tuple[str, subprocess.Popen[bytes]]:
    """The app on a free port, with the demo study prepared (waits for ``app.demo``'s status file)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "LAB_DATA_DIR": str(data), "LAB_DEMO": "1", "LAB_PAGES": "study"}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(replica_command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base)
    status = data / "demo-status.json"
    asyncio.run(open_once(base, status))
    state = json.loads(status.read_text())["state"] if status.is_file() else "missing"
    if state != "open":
        process.terminate()
        raise SystemExit(f"the demo study was not published (state: {state}); see {status}")
    return base, process


def row(k: int, run: Run, seconds: float, cpu: float, rss: float) -> str:
    lat = sorted(run.latencies) or [float("nan")]
    p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))]
    per = cpu / max(run.finished, 1)
    return (f"{k:>4} {run.finished:>9} {statistics.median(lat):>11.2f} {p95:>8.2f} {seconds:>8.1f} {per:>14.2f} "
            f"{rss:>12.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 5, 10], help="participants at once, per round")
    parser.add_argument("--url", help="a running server or balancer (default: start one)")
    parser.add_argument("--pid", type=int, help="with --url: the server process to measure (CPU, RSS)")
    args = parser.parse_args()
    server = None
    if args.url:
        base, pid = args.url.rstrip("/"), args.pid
    else:
        base, server = start_server(Path(tempfile.mkdtemp(prefix="bench-participants-")))
        pid = server.pid
    print(f"{'K':>4} {'completed':>9} {'median step':>11} {'p95 (s)':>8} {'wall (s)':>8} "
          f"{'server CPU-s/p':>14} {'peak RSS (MB)':>12}")
    try:
        for k in args.k:
            before, started = (cpu_seconds(pid) if pid else 0.0), time.monotonic()
            run = asyncio.run(crowd(base, k))
            cpu = (cpu_seconds(pid) - before) if pid else float("nan")
            print(row(k, run, time.monotonic() - started, cpu, peak_rss_mb(pid) if pid else float("nan")), flush=True)
            for failure in sorted(set(run.failures))[:3]:
                print(f"      failed: {failure}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
