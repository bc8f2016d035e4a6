"""Every page in Korean in a real browser (Debian's Chromium asking for ko-KR), on a server of its own.

On a server of its own so that the pages' screenshots are not slowed by other tests' runs. (After the
zip-upload test on a shared server this session was seen to fall back to English on its second page. A
run the server starts itself, st.rerun or a timer, carries no browser context, so st.context.locale is None
there; ui.i18n.language() used to store English from such a run. It now reads the browser's language on
every run that has it and stores nothing from one that does not: tests/test_i18n.py.)"""

from __future__ import annotations

import pytest

from harness.app_server import streamlit_server
from harness.browsing import ARTIFACTS, SLUGS, no_exception, open_tab, settled
from tests.conftest import SHARED_DATA
from ui.routes import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("korean")
    env = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RUNS_DB": str(root / "runs.sqlite"),
           "GANLAB_USER_CHECKPOINTS": str(root / "user-checkpoints")}
    with streamlit_server("--server.disconnectedSessionTTL", "2", env=env) as running:
        yield running


def picker_shows(page) -> str:
    """The language the sidebar's picker shows (its combobox's text)."""
    return page.get_by_role("combobox", name="Language / 언어").input_value()


def test_every_page_in_korean(server, browser):
    """A browser that asks for Korean gets every page in Korean (the sidebar's links and each page's title),
    with no exception, and the sidebar's picker says 한국어 on each (it once said English on the first page
    clicked to, while the page was Korean); a screenshot of each, to look at (does the text fit its widgets?)."""
    from ui import i18n

    ko = i18n.translations("ko")
    headings = {"Experiments": "Classroom experiments", "Draw data": "Draw your own distribution",
                "Words": "Words to a digit", "Compare": "Compare runs", "Quiz": "Be the discriminator",
                "Style mixing": "Style mixing"}
    page = open_tab(browser, server[0], heading=ko["Train"], locale="ko-KR")
    nav = [t.split("\n")[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
    assert nav == [ko[title] for _p, title, _i in PAGES]
    for _path, title, _icon in PAGES:
        page.get_by_role("link", name=ko[title], exact=True).click()
        page.get_by_role("heading", name=ko[headings.get(title, title)]).first.wait_for(timeout=60000)
        no_exception(page)
        assert picker_shows(page) == "한국어", title
        page.screenshot(path=str(ARTIFACTS / f"ko-{SLUGS[title]}.png"), full_page=True)


def test_english_picked_in_a_korean_browser_stays_english_from_page_to_page(server, browser):
    """The sidebar's choice outranks the browser's language, and is kept as the person moves between pages."""
    from ui import i18n

    ko = i18n.translations("ko")
    page = open_tab(browser, server[0], heading=ko["Train"], locale="ko-KR")
    assert picker_shows(page) == "한국어"
    page.get_by_role("combobox", name="Language / 언어").click()
    page.get_by_role("option", name="English", exact=True).click()
    page.get_by_role("heading", name="Train").first.wait_for(timeout=60000)
    for title in ("Latent explorer", "Quiz", "Train"):
        page.get_by_role("link", name=title, exact=True).click()
        page.get_by_role("heading", name=title if title != "Quiz" else "Be the discriminator").first.wait_for(
            timeout=60000)
        settled(page)
        assert picker_shows(page) == "English", title
        assert page.get_by_role("link", name=ko["Train"], exact=True).count() == 0
