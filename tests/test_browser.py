"""The real app in a real browser: Debian's Chromium driven by Playwright against `streamlit run`."""

from __future__ import annotations

import json
import os
import re

import pytest

from harness.app_server import streamlit_server
from harness.browsing import (ARTIFACTS, HEADINGS, TITLES, advancing, drawn_in_full, no_exception, open_tab, settled,
                              settled_box, share_and_start, step_of, until)
from tests.conftest import REPO, SHARED_DATA

# the loss chart's step-axis tick labels as drawn, smallest first ("0", "100", ...; the axis' aria-label
# can lag a wheel zoom, the ticks do not)
STEP_TICKS = ("[...(document.querySelector('.vega-embed g.role-axis[aria-label^=\"X-axis\"]')"
              "?.querySelectorAll('g.role-axis-label text') || [])].map(t => +t.textContent.replace(/,/g, ''))"
              ".sort((a, b) => a - b).join(' ')")
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(app_server):
    return app_server[:2]


def run_status(env: dict, run_id: int) -> str:
    from ganlab.persist.runs_db import RunsDB

    return RunsDB(env["GANLAB_RUNS_DB"]).get(run_id).status


FIRST_SEEN = """
window.__seen = {};
new MutationObserver(() => {
  const seen = window.__seen, t = performance.now();
  const start = [...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Start');
  if (start && !seen.start) seen.start = t;
  if (document.querySelector('.vega-embed') && !seen.chart) seen.chart = t;
  if ([...document.querySelectorAll('h2')].some(h => h.innerText.includes('Run settings')) && !seen.settings)
    seen.settings = t;
  if ([...document.querySelectorAll('label')].some(l => l.innerText.includes('Language')) && !seen.language)
    seen.language = t;
}).observe(document, {childList: true, subtree: true});
"""


def test_a_newcomers_first_page_draws_start_before_the_heavy_parts(server, browser):
    """The first page of a new browser session shows its title and Start first; the charts, the lab view, the
    sidebar's settings and the language picker come after the browser has drawn them (ui/first_paint.py)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    context.add_init_script(FIRST_SEEN)
    page = context.new_page()
    page.goto(server[0])
    page.get_by_role("button", name="Start").wait_for(timeout=60000)
    page.wait_for_function("document.querySelectorAll('.vega-embed').length >= 4", timeout=30000)  # 3 + the lab
    page.get_by_role("heading", name="Run settings").wait_for(timeout=30000)
    seen = page.evaluate("window.__seen")
    assert seen["start"] < seen["chart"] and seen["start"] < seen["settings"] and seen["start"] < seen["language"], seen
    no_exception(page)
    # the rest of the session's pages draw at once: a page link, then back, has Start and the charts together
    page.get_by_role("link", name="Lessons").click()
    page.get_by_role("heading", name="Lessons").first.wait_for(timeout=30000)
    page.evaluate("window.__seen = {}")
    page.get_by_role("link", name="Train").click()
    page.wait_for_function("document.querySelectorAll('.vega-embed').length >= 4", timeout=30000)
    settled(page)
    assert page.locator('[data-testid="stSidebar"]').get_by_text("Run settings").count() == 1
    context.close()


def test_train_page_trains_live_in_a_browser(server, browser):
    page = open_tab(browser, server[0], start=True)
    warnings = []  # what the charts' Vega-Lite says about our specs while the run trains
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.wait_for_function("document.querySelectorAll('.vega-embed').length >= 4", timeout=30000)  # 3 + the lab
    page.screenshot(path=str(ARTIFACTS / "train-ready.png"), full_page=True)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=15000)
    assert until(lambda: step_of(page) > 0) and advancing(page), "the step counter should advance while training"
    # the time charts, the lab view and the quality chart redraw in place: the same drawing, a new line
    # four drawings, and a loss line in the first (on a slow machine the drawings come before the first data)
    page.wait_for_function("document.querySelectorAll('.vega-embed .marks').length >= 4"
                           " && document.querySelector('.vega-embed g.mark-line path') !== null", timeout=30000)
    tagged = page.evaluate("(() => { const c = document.querySelectorAll('.vega-embed .marks');"
                           " c.forEach(e => e.dataset.seen = '1'); return c.length; })()")
    line = "document.querySelector('.vega-embed g.mark-line path').getAttribute('d')"
    before = page.evaluate(line)
    page.wait_for_function(f"{line} !== {json.dumps(before)}", timeout=20000)  # redrawn with newer steps
    assert page.evaluate("document.querySelectorAll('.vega-embed .marks[data-seen]').length") == tagged, \
        "a time chart was rebuilt instead of redrawn"
    assert page.evaluate(line) != before, "the loss line should change while training"
    page.screenshot(path=str(ARTIFACTS / "train-running.png"), full_page=True)
    # a wheel zoom on the loss chart holds still while the run trains on, until a double-click
    plot = page.locator(".vega-embed").first.bounding_box()
    page.mouse.move(plot["x"] + plot["width"] * 0.6, plot["y"] + plot["height"] * 0.5)
    for _ in range(5):
        page.mouse.wheel(0, -200)
    page.wait_for_function(f"{STEP_TICKS} && !({STEP_TICKS} + ' ').startsWith('0 ')", timeout=10000)
    ticks = [None]
    assert until(lambda: ticks.append(page.evaluate(STEP_TICKS)) or ticks[-1] == ticks[-2], 10), "the zoom settles"
    zoomed, at_zoom, line_at_zoom = ticks[-1], step_of(page), page.evaluate(line)
    page.wait_for_function(f"{line} !== {json.dumps(line_at_zoom)}", timeout=20000)  # redrawn with new data
    assert until(lambda: step_of(page) > at_zoom) and page.evaluate(STEP_TICKS) == zoomed, \
        "the zoom should outlast the redraws"
    page.screenshot(path=str(ARTIFACTS / "train-zoom-held.png"), full_page=True)
    page.mouse.dblclick(plot["x"] + plot["width"] * 0.6, plot["y"] + plot["height"] * 0.5)
    page.wait_for_function(f"({STEP_TICKS} + ' ').startsWith('0 ')", timeout=10000)
    # the timeline panel, opened mid-run, keeps up with the run (and stays open)
    page.get_by_text("Training timeline", exact=False).first.click()
    label = page.get_by_text(re.compile(r"Step \(\d+ snapshots"))
    label.wait_for(timeout=15000)
    n = int(re.search(r"(\d+) snapshots", label.inner_text()).group(1))
    page.wait_for_function(f"[...document.querySelectorAll('label')].some(l => "
                           f"(+((l.innerText.match(/(\\d+) snapshots/) || [])[1] || 0)) > {n})", timeout=20000)
    # Steps shown: the newest 200 steps fill the loss chart, its step axis no longer starting at 0
    page.get_by_text("last 200 steps", exact=True).click()
    page.wait_for_function("""(() => {
        const axis = document.querySelector('.vega-embed g.role-axis[aria-label^="X-axis"]');
        const from = axis && axis.getAttribute('aria-label').match(/values from ([\\d,]+)/);
        return from && +from[1].replace(/,/g, '') > 0; })()""", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "train-last-200-steps.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Resume").wait_for(timeout=15000)
    page.close()
    # specs written for the Vega-Lite that the pinned Streamlit bundles (a mismatch warns at every embed)
    assert not [w for w in warnings if "Vega-Lite v" in w], warnings[:3]


def test_mnist_trains_and_shows_digits_in_a_browser(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name="mnist", exact=True).click()
    page.get_by_text("New run ready: mlp on mnist").wait_for(timeout=60000)
    # the settings form now shows the classic MNIST preset, not the 2-D run's values
    assert page.get_by_role("spinbutton", name="Latent size z_dim").input_value() == "100"
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=15000)
    assert until(lambda: step_of(page) > 100, 60)
    img = page.locator('[data-testid="stImage"] img').first
    img.wait_for(timeout=15000)
    assert "G(fixed noise) at step" in page.locator('[data-testid="stImage"]').first.inner_text() or \
        page.get_by_text("G(fixed noise) at step").count() == 1
    page.screenshot(path=str(ARTIFACTS / "train-mnist.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    page.close()


def test_closing_the_tab_stops_its_run(app_server, browser):
    """The session of a closed tab ends, and its run stops on its worker (the run database says so)."""
    from ganlab.persist.runs_db import RunsDB

    url, _pid, env = app_server
    db = RunsDB(env["GANLAB_RUNS_DB"])
    known = {r.id for r in db.runs()}
    page = open_tab(browser, url, start=True)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=15000)
    assert until(lambda: any(r.id not in known for r in db.runs()), 30), "the run is recorded while it trains"
    mine = next(r.id for r in db.runs() if r.id not in known)
    assert run_status(env, mine) == "running"
    page.close()  # the session ends; its run is released and stopped on its worker
    assert until(lambda: run_status(env, mine) == "stopped", 30), "a run outlived its browser session"


@pytest.mark.parametrize("title,slug", [("Latent explorer", "latent"), ("Class control", "classes"),
                                        ("Checkpoints", "checkpoints")])
def test_each_page_renders_in_a_browser(server, browser, title, slug):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for(timeout=30000)
    if slug != "checkpoints":
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
    page.close()


def test_every_page_asks_nothing_of_the_internet(server, browser):
    """Offline, a classroom's server still serves every page whole: nothing the browser asks for (the
    favicon included: Streamlit fetches a :material/ page icon from fonts.gstatic.com) leaves the server."""
    from urllib.parse import urlsplit

    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    asked = []

    def only_the_server(route):
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_the_server)
    try:
        page = ctx.new_page()
        page.goto(server[0])
        page.get_by_role("button", name="Start").wait_for(timeout=30000)
        drawn_in_full(page)  # a link pressed before the first page's signal went can be sent back to the page
        for link in TITLES[1:]:  # every page routes.PAGES registers, so a new one is checked too
            page.get_by_role("link", name=link).click()
            page.get_by_role("heading", name=HEADINGS.get(link, link)).first.wait_for(timeout=30000)
            no_exception(page)
    finally:
        ctx.close()
    assert not asked, f"the browser asked the internet for {asked}"


def test_a_direct_link_is_the_first_visit_to_a_fresh_server(browser):
    """A link to /latent shared before anyone opened the app: Streamlit's old pages-folder mode would
    run pages/latent.py without app.py and list every module of pages/ (routes.through_app)."""
    with streamlit_server(env={"GANLAB_DATA": str(SHARED_DATA)}) as (url, _):
        page = open_tab(browser, url + "/latent")
        page.get_by_role("heading", name="Latent explorer").wait_for(timeout=30000)
        page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
        nav = [t.split("\n")[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
        assert nav == TITLES
        width = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"]
        assert width > 1000, f"the page is not in app.py's wide layout ({width:.0f} px)"
        assert page.locator('[data-testid="stException"]').count() == 0
        page.close()


def test_bad_upload_is_rejected_in_a_browser(server, browser, tmp_path):
    bad = tmp_path / "random.pt"
    bad.write_bytes(os.urandom(4096))
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Checkpoints").click()
    page.get_by_role("heading", name="Upload a checkpoint").wait_for(timeout=30000)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.get_by_text("Rejected random.pt").wait_for(timeout=30000)
    assert "not a ganlab checkpoint" in page.locator('[data-testid="stAlert"]').last.inner_text()
    page.screenshot(path=str(ARTIFACTS / "checkpoints-rejected.png"), full_page=True)
    page.close()
    assert not (REPO / "checkpoints" / "user" / "random.pt").exists()


# Every animation frame, the page's y of the "Change mid-run" expander, the first thing below the buttons.
WATCH_LAYOUT = """() => { window.__ys = []; const tick = () => {
    const s = [...document.querySelectorAll('[data-testid="stExpander"] summary')]
        .find(e => e.innerText.includes('Change mid-run'));
    window.__ys.push(s ? Math.round(s.getBoundingClientRect().top + window.scrollY) : null);
    if (window.__ys.length < 600) requestAnimationFrame(tick); }; tick(); }"""


def test_change_a_learning_rate_mid_run_in_a_browser(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.evaluate(WATCH_LAYOUT)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=15000)
    page.wait_for_function("window.__ys.length >= 60", timeout=10000)  # a second of frames with Pause drawn
    # Start turning into Pause moves nothing below it. It did while Streamlit drew the new Pause under
    # the old Start until the run finished: the page jumped 56 px up, and a click in progress landed
    # elsewhere (this test's expander click was lost in about 1 of 6 runs on a busy machine).
    ys = set(page.evaluate("window.__ys"))
    assert len(ys) == 1, f"the controls below Start moved while it turned into Pause: y = {sorted(ys)}"
    page.get_by_text("Change mid-run").click()
    box = page.get_by_role("textbox", name="D learning rate")
    box.fill("0.001")
    page.get_by_role("button", name="Apply now").click()
    page.get_by_text("Applied at the next step.").wait_for(timeout=15000)
    # the change is marked on the charts as a labelled vertical line
    page.get_by_text("lr_d 0.002 -> 0.001").first.wait_for(timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "train-lr-change.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    page.close()


def _image_sources(page) -> list[str]:
    return page.locator('[data-testid="stImage"] img').evaluate_all("els => els.map(e => e.src)")


def test_latent_slider_changes_the_image_in_a_browser(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_role("heading", name="Sliders").wait_for(timeout=30000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
    before = _image_sources(page)
    slider = page.get_by_role("slider").nth(1)  # the first slider after "Steps": PC1
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    page.wait_for_function("n => document.querySelectorAll('[data-testid=stImage] img').length >= n", arg=len(before))
    assert until(lambda: _image_sources(page) != before, 20), "moving a latent slider should redraw the image"
    page.close()


def test_pick_a_class_in_a_browser(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Class control").click()
    page.get_by_role("heading", name="Class 0").wait_for(timeout=30000)
    page.locator('[data-testid="stButtonGroup"]').first.get_by_text("7", exact=True).click()
    page.get_by_role("heading", name="Class 7").wait_for(timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "classes-7.png"), full_page=True)
    page.close()


def test_click_a_sample_to_pick_an_endpoint(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Latent explorer").click()
    page.get_by_text("Pick endpoints by clicking a sample").click()
    box = settled_box(page.locator(".js-plotly-plot .scatterlayer .point").nth(5))  # the cell showing seed 5
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Plotly selects the point it is hovering, so hover until its label names seed 5, then click.
    label = page.locator(".js-plotly-plot .hoverlayer").get_by_text("seed 5")
    nudge = [0]

    def hovering() -> bool:  # move again each time: a plot drawn anew under a still mouse shows no label
        nudge[0] = 1 - nudge[0]
        page.mouse.move(x + nudge[0], y)
        return label.is_visible()

    assert until(hovering, 30, every=0.5), "hovering the sample for seed 5 should show its label"
    page.mouse.click(x, y)
    seed_a = page.get_by_role("spinbutton", name="Seed A")
    assert until(lambda: seed_a.input_value() == "5", 20), "clicking the sample for seed 5 should make it endpoint A"
    page.close()


def test_draw_a_distribution_with_the_lasso_and_train_on_it(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Draw data").click()
    area = settled_box(page.locator(".js-plotly-plot .nsewdrag").first)
    x0, y0, w, h = area["x"], area["y"], area["width"], area["height"]
    corners = [(0.15, 0.15), (0.45, 0.15), (0.45, 0.45), (0.15, 0.45), (0.15, 0.16)]  # a square, upper left
    page.mouse.move(x0 + w * corners[0][0], y0 + h * corners[0][1])
    page.mouse.down()
    for fx, fy in corners[1:]:
        page.mouse.move(x0 + w * fx, y0 + h * fy, steps=8)
    page.mouse.up()
    chosen = page.locator('[data-testid="stMetric"]').filter(has_text="Points chosen")
    until(lambda: not re.search(r"chosen\s*0\s*$", chosen.inner_text()), 20)
    count = int(re.search(r"(\d+)\s*$", chosen.inner_text()).group(1))
    assert 20 <= count <= 200, f"the lasso should select a block of canvas points, got {count}"
    page.screenshot(path=str(ARTIFACTS / "draw-selected.png"), full_page=True)
    page.get_by_role("button", name="Train on this").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=30000)
    page.get_by_text(f"Training on your drawing: {count} points.").wait_for(timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "draw-training.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    page.close()


def test_lecture_mode_two_browsers(server, browser):
    """A presenter shares a run; a second browser watches it advance on the Lecture page without controls."""
    presenter = open_tab(browser, server[0], start=True)
    share_and_start(presenter, "Week 3")

    watcher = open_tab(browser, server[0] + "/lecture", heading="Week 3")
    assert advancing(watcher), "the watcher sees the presenter's run advance"
    assert watcher.get_by_role("button", name="Pause").count() == 0, "watchers get no controls"
    watcher.screenshot(path=str(ARTIFACTS / "lecture-watching.png"), full_page=True)
    presenter.get_by_role("button", name="Pause").click()
    presenter.get_by_role("button", name="Stop sharing").click()
    watcher.get_by_text("The presenter stopped sharing this run.").wait_for(timeout=15000)
    presenter.close()
    watcher.close()


def test_an_experiment_starts_from_its_card(server, browser):
    page = open_tab(browser, server[0], start=True)
    page.get_by_role("link", name="Experiments").click()
    page.get_by_role("heading", name="Slow motion on the line: Figure 1 of the GAN paper").wait_for(timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "experiments.png"), full_page=True)
    heading = page.get_by_role("heading", name="Slow motion on the line: Figure 1 of the GAN paper")
    card = heading.locator("xpath=ancestor::div[.//a[contains(., 'Open this lesson')]][1]")  # its nearest card
    card.get_by_role("link", name="Open this lesson").click()
    page.get_by_text("Slow motion. Updating").first.wait_for(timeout=30000)
    page.wait_for_selector(".vega-embed >> nth=2", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "train-slow-motion-1d.png"), full_page=True)
    page.get_by_role("button", name="Pause").click()
    page.close()
