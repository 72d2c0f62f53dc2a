"""End to end: the dashboard served over a demo warehouse, every page loaded in headless Chromium
(Debian's package, driven by Playwright), visible content asserted, screenshots saved to
tests/artifacts/ for a person to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.warehouse import publish, work_path
from tests.support import CHROMIUM, served_dashboard

ARTIFACTS = Path(__file__).parent / "artifacts"

# url path → text a sales leader must see on that page
PAGES = {
    "": "Portfolio",
    "scorecard": "Scorecard",
    "matrix": "Portfolio matrix",
    "definitions_lab": "Definitions lab",
    "mistakes": "Mistakes",
    "account": "Account",
    "resources": "Resources",
    "review": "Quarterly review",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def dashboard_url(demo_warehouse):
    with served_dashboard(demo_warehouse) as url:
        yield url


@pytest.mark.parametrize("path, heading", PAGES.items())
def test_every_page_renders_in_a_real_browser(dashboard_url, browser, path, heading):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{dashboard_url}/{path}")
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    # Streamlit shows a running indicator until the script finishes; wait for it to go.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(1500)

    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors
    # Offline-clean: the page icon once came from Google's font server.
    assert [url for url in requested if not url.startswith((dashboard_url, "data:", "blob:"))] == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{path or 'portfolio'}.png", full_page=True)
    page.close()


def test_a_bookmarked_page_opened_first_after_a_restart_keeps_the_navigation(
    demo_warehouse, browser
):
    # The first visitor of a fresh server opens a page URL, not the front page.
    with served_dashboard(demo_warehouse) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/resources")
        page.get_by_role("heading", name="Resources").first.wait_for(timeout=60_000)

        sidebar = page.locator("[data-testid='stSidebarNav']")
        assert sidebar.get_by_text("Mistakes & oak trees", exact=True).count() == 1
        assert sidebar.get_by_text("mistakes", exact=True).count() == 0
        page.close()


def shown_customers(page) -> str:
    """The Portfolio page's "Customers" figure, once the page has finished running."""
    page.get_by_role("heading", name="Portfolio").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Customers").first
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_a_running_dashboard_shows_a_new_publish_after_a_reload(demo_warehouse, browser, tmp_path):
    # A private copy of the demo's published warehouse and working database: the publish here
    # replaces the file the dashboard below is reading, as a run's last step does.
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    shutil.copyfile(work_path(demo_warehouse), work_path(warehouse))

    with served_dashboard(warehouse) as url:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(url)
        before = shown_customers(page)

        # A new customer reaches the marts of the working database, and the run publishes them.
        with duckdb.connect(str(work_path(warehouse))) as conn:
            conn.execute("update marts.portfolio_concentration set customers = customers + 1")
        publish(warehouse)

        page.reload()
        after = shown_customers(page)
        page.close()
    assert int(after.replace(",", "")) == int(before.replace(",", "")) + 1
