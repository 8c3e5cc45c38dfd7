"""The landing page in a real headless browser: Debian's chromium driven by Playwright.

Playwright is told where the system browser is and never downloads one; the
test skips, naming the package, only when no chromium binary is installed.
Set VGI_HOST_LANDING_SCREENSHOT=docs/images/landing.png to refresh the
screenshot shown in the docs.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.transports.conftest import SIGNING_KEY
from tests.transports.servers import serve

CANDIDATES = ("/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
CHROMIUM = next((c for c in CANDIDATES if c and os.path.exists(c)), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary (.ci/run installs Debian's chromium package)"
)


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with (
        serve("--http", "--port", "0", env={"VGI_SIGNING_KEY": SIGNING_KEY}) as served,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            tab.set_default_timeout(20_000)
            tab.goto(served.url + "/")
            yield tab
        finally:
            browser.close()


def visible_signatures(page) -> list[str]:
    return page.locator(".fn:visible summary code").all_inner_texts()


def test_page_loads_and_lists_the_geo_functions(page):
    assert page.title().startswith("vgi-host")
    geo = page.locator("#pack-geo")
    assert geo.locator(".badge").inner_text() == "loaded"
    signatures = " ".join(visible_signatures(page))
    for function in ("geo.haversine_km(", "geo.geohash_encode(", "geo.geo_grid(", "geo.centroid("):
        assert function in signatures
    # Details open on click: arguments and examples are there.
    geo.locator(".fn", has_text="haversine_km").locator("summary").click()
    assert "lat1" in geo.locator(".fn", has_text="haversine_km").inner_text()


def test_search_filters_functions(page):
    page.fill("#search", "geohash")
    shown = visible_signatures(page)
    assert shown
    assert all("geohash" in s for s in shown)
    assert not any("haversine_km" in s for s in shown)
    assert page.locator("#count").inner_text() == f"{len(shown)} functions shown"
    assert "q=geohash" in page.url
    page.fill("#search", "")
    assert len(visible_signatures(page)) > len(shown)


def test_a_failed_pack_shows_its_problem_and_remedy(page):
    page.fill("#search", "")
    broken = page.locator("#pack-broken")
    assert broken.locator(".badge").inner_text() == "failed"
    assert broken.locator(".problem").is_visible()
    remedy = broken.locator(".remedy").inner_text()
    assert remedy.startswith("Remedy:")
    assert len(remedy) > len("Remedy: ")
    target = os.environ.get("VGI_HOST_LANDING_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=target, full_page=True)
