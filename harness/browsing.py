"""What the browser tests share: where screenshots go, opening a tab that is closed after its test, waiting for
a page to settle or a counter to move (never a fixed sleep), and the steps the pages' tests repeat."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from harness.paths import REPO
from ui.routes import PAGES

ARTIFACTS = REPO / "test-artifacts"
TITLES = [title for _, title, _ in PAGES]  # the sidebar's links, Train first
SLUGS = {title: path.removeprefix("pages/").removesuffix(".py") for path, title, _i in PAGES}
HEADINGS = {"Experiments": "Classroom experiments", "Draw data": "Draw your own distribution",
            "Words": "Words to a digit", "Compare": "Compare runs", "Quiz": "Be the discriminator"}  # else the title
OPEN_TABS: list = []  # every tab a test opened; tests/conftest.py closes them after it (a screenshot if it failed)


def open_tab(browser, url: str, *, heading: str | None = None, locale: str | None = None, start: bool = False):
    """A new tab on ``url``, once its ``heading`` shows (or, with ``start``, a Start button)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, **({"locale": locale} if locale else {}))
    OPEN_TABS.append(page)
    page.goto(url)
    if start:
        page.get_by_role("button", name="Start").wait_for(timeout=60000)
        drawn_in_full(page)
    if heading:
        page.get_by_role("heading", name=heading).first.wait_for(timeout=60000)
    return page


def drawn_in_full(page, timeout: float = 60.0) -> None:
    """Wait until a new session's first page has its heavy parts too: the browser has said it drew the first
    part, and the run that followed has drawn the rest (ui/first_paint.py's marker is gone)."""
    page.wait_for_function("window.__ganlabPainted === true && !document.querySelector('[data-ganlab-first-paint]')",
                           timeout=timeout * 1000)
    settled(page, timeout)


def settled(page, timeout: float = 60.0) -> None:
    """Wait until the page's script has finished its run (Streamlit marks the app "notRunning")."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout * 1000)


def no_exception(page) -> None:
    """The page, once settled, shows no exception."""
    settled(page)
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def step_of(page) -> int:
    """The Step counter of a Train or Lecture page."""
    text = page.locator('[data-testid="stMetric"]').filter(has_text="Step").first.inner_text()
    return int(re.search(r"([\d,]+)\s*$", text).group(1).replace(",", ""))


def until(predicate: Callable[[], bool], timeout: float = 30.0, every: float = 0.25) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` passes (False): the test then asserts on it."""
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(every)
    return predicate()


def advancing(page, timeout: float = 30.0) -> bool:
    """Whether the page's Step counter moves on by itself within ``timeout``."""
    first = step_of(page)
    return until(lambda: step_of(page) > first, timeout)


def settled_box(locator, timeout: float = 30.0):
    """The element's box once it stops moving (an expander animates open; a click mid-way lands elsewhere)."""
    locator.wait_for(state="visible", timeout=timeout * 1000)
    boxes = [None]

    def still() -> bool:
        boxes.append(locator.bounding_box())
        return boxes[-1] is not None and boxes[-1] == boxes[-2]

    if not until(still, timeout):
        raise AssertionError(f"{locator} kept moving for {timeout} s")
    return boxes[-1]


def share_and_start(presenter, title: str) -> None:
    """On the Train page: share this run with the audience under ``title``, then start it."""
    box = presenter.get_by_role("textbox", name="Title for the audience")
    box.fill(title)
    box.press("Enter")
    presenter.get_by_role("button", name="Share this run").click()
    presenter.get_by_role("button", name="Stop sharing").wait_for(timeout=15000)
    presenter.get_by_role("button", name="Start").click()
    presenter.get_by_role("button", name="Pause").wait_for(timeout=15000)


def p95(values):
    return sorted(values)[max(0, int(0.95 * len(values)) - 1)]


def browser_load(browser, url, shot: str | None = None) -> float:
    """Seconds from navigation to a usable Start button, in a fresh context (empty cache, new session)."""
    return browser_load_phases(browser, url, shot)["start"]


def browser_load_phases(browser, url, shot: str | None = None) -> dict:
    """A newcomer's page load in a fresh context (empty cache, new session), in seconds from navigation:
    ``html`` (the page's first byte), ``scripts`` (the frontend's code loaded: the load event), ``socket``
    (the websocket to the server opened), ``first_message`` (the server's first message of the script's run),
    ``start_message`` (the server's message that carries the Start button: the server's part of the first page
    ends there), ``start`` (a usable Start button)."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    marks = {}

    def on_frame(payload):
        marks.setdefault("first_message", time.perf_counter())
        if isinstance(payload, bytes) and b"Start" in payload:
            marks.setdefault("start_message", time.perf_counter())

    def on_socket(ws):
        marks.setdefault("socket", time.perf_counter())
        ws.on("framereceived", on_frame)

    page.on("websocket", on_socket)
    t0 = time.perf_counter()
    page.goto(url)
    marks["scripts"] = time.perf_counter()
    page.get_by_role("button", name="Start").wait_for(timeout=60000)
    marks["start"] = time.perf_counter()
    timing = page.evaluate("() => performance.getEntriesByType('navigation')[0].responseStart / 1000")
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot))
    ctx.close()
    out = {k: round(v - t0, 3) for k, v in marks.items()}
    out["html"] = round(timing, 3)
    return out
