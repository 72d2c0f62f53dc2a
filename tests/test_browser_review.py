"""The quarterly review end to end in headless Chromium: a generated world with a known change (the
demo's largest key account stops buying after September 2025), a review decision recorded in the
browser and seen after the next run, the review pack printed to PDF with its pages rendered to
images, and a shared link reopening the same view. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.runner import run_pipeline
from tests.support import CHROMIUM, served_dashboard

ARTIFACTS = Path(__file__).parent / "artifacts"
# The customer's last order in the changed world: after it, no revenue at all.
LAST_ORDER = "2025-09-30"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.pipeline,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def changed_world(demo_landing, demo_warehouse, tmp_path_factory):
    """The demo landing folder with the largest key account under "The big ones" losing every
    order after LAST_ORDER, built into a warehouse of its own: (landing, warehouse, customer id,
    customer name)."""
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        customer_id, name = conn.execute(
            "select customer_id, customer_name from marts.key_account_scorecard "
            "where definition_name = 'the_big_ones' and is_key_account order by score_rank limit 1"
        ).fetchone()
    root = tmp_path_factory.mktemp("changed_world")
    landing = root / "landing"
    shutil.copytree(demo_landing, landing)
    orders = landing / "orders" / "orders.csv"
    kept = root / "orders.csv"
    with duckdb.connect() as conn:
        conn.execute(
            f"copy (select * from read_csv('{orders}', all_varchar = true) "
            f"where not (customer_id = ? and order_date > '{LAST_ORDER}')) to '{kept}' (header)",
            [customer_id],
        )
    shutil.move(kept, orders)
    warehouse = root / "warehouse.duckdb"
    outcome = run_pipeline(landing, warehouse)
    assert outcome.success, outcome.error
    return landing, warehouse, customer_id, name


@pytest.fixture(scope="module")
def review_url(changed_world):
    with served_dashboard(changed_world[1]) as url:
        yield url


def open_page(browser, url: str, heading: str = "Quarterly review", width: int = 1440):
    page = browser.new_page(viewport={"width": width, "height": 1000}, accept_downloads=True)
    page.goto(url)
    page.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    settle(page)
    return page


def settle(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    page.wait_for_timeout(1000)


def metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return box.locator("[data-testid='stMetricValue']").inner_text()


def test_the_quarter_over_quarter_view_shows_the_known_change(changed_world, review_url, browser):
    _, warehouse, customer_id, name = changed_world
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        history = dict(conn.execute(
            "select cast(quarter_end as varchar), is_key_account from marts.key_account_quarterly_history "
            "where definition_name = 'the_big_ones' and customer_id = ?",
            [customer_id],
        ).fetchall())
        left_at = conn.execute(
            "select cast(quarter_end as varchar) from marts.key_account_quarterly_history "
            "where definition_name = 'the_big_ones' and customer_id = ? and key_account_change = 'left'",
            [customer_id],
        ).fetchall()
    # Before its last order it is the largest account; a year after it, it buys nothing.
    assert history["2025-06-30"] is True
    assert history.get("2026-09-30", False) is False
    assert len(left_at) == 1 and "2025-09-30" < left_at[0][0] <= "2026-09-30"
    quarter = left_at[0][0]

    page = open_page(browser, f"{review_url}/review?definition=the_big_ones&quarter={quarter}")
    assert page.locator("[data-testid='stException']").count() == 0
    changes = page.locator("[data-testid='stDataFrame']").first
    changes.wait_for()
    # The grid draws on a canvas; its cells are mirrored in a hidden accessible table the test reads.
    row = changes.locator("[role='row']").filter(has_text=name).first
    row.wait_for(state="attached", timeout=30_000)
    assert "Left" in row.text_content()
    assert int(metric(page, "Left")) >= 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "review-known-change.png", full_page=True)
    page.close()


def test_a_decision_recorded_in_the_browser_is_in_the_warehouse_after_the_next_run(
    changed_world, review_url, browser
):
    landing, warehouse, _, _ = changed_world
    page = open_page(browser, f"{review_url}/review")
    form = page.locator("[data-testid='stForm']")
    chosen = form.get_by_role("combobox", name="Account and topic").input_value()
    form.get_by_role("textbox", name="Owner").fill("Ana Ruiz")
    form.get_by_role("textbox", name="Your name").fill("Lee Chan")
    form.get_by_role("textbox", name="Note (optional)").fill("Call before the renewal")
    form.get_by_role("button", name="Record decision").click()
    page.get_by_text("Recorded: Ana Ruiz owns").wait_for(timeout=30_000)
    settle(page)
    assert page.get_by_text("1 decision recorded since the last run").count() == 1
    page.close()

    outcome = run_pipeline(landing, warehouse)
    assert outcome.success, outcome.error
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        recorded = conn.execute(
            "select customer_name, owner, decided_by, note, decisions_recorded from marts.review_list "
            "where owner is not null"
        ).fetchall()
    assert len(recorded) == 1
    assert recorded[0][1:] == ("Ana Ruiz", "Lee Chan", "Call before the renewal", 1)
    assert recorded[0][0] in chosen

    page = open_page(browser, f"{review_url}/review")
    # From the warehouse now: nothing is pending, and the item is no longer due.
    assert page.get_by_text("recorded since the last run").count() == 0
    page.get_by_text("Only those due for review").click()
    settle(page)
    listing = page.locator("[data-testid='stDataFrame']").nth(1)
    row = listing.locator("[role='row']").filter(has_text="Ana Ruiz").first
    row.wait_for(state="attached", timeout=30_000)
    assert recorded[0][0] in row.text_content()
    page.screenshot(path=ARTIFACTS / "review-decision-after-run.png", full_page=True)
    page.close()


def test_the_review_pack_prints_to_pdf_pages_that_hold_the_quarter(changed_world, review_url, browser, tmp_path):
    import pypdfium2

    page = open_page(browser, f"{review_url}/review?definition=the_big_ones")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the review pack").click()
    pack = tmp_path / download.value.suggested_filename
    download.value.save_as(pack)
    page.close()
    assert pack.name == "key-account-review-Q3-2026-the_big_ones.html"

    printed = browser.new_page()
    requested: list[str] = []
    printed.on("request", lambda request: requested.append(request.url))
    printed.goto(pack.as_uri())
    pdf = tmp_path / "pack.pdf"
    printed.pdf(path=str(pdf), format="A4", print_background=True)
    printed.close()
    # The pack loads nothing: the only request is the file itself.
    assert requested == [pack.as_uri()]

    document = pypdfium2.PdfDocument(str(pdf))
    pages = len(document)
    assert pages >= 3
    texts = [document[index].get_textpage().get_text_range() for index in range(pages)]
    first = texts[0]
    assert "Key-account review, Q3 2026" in first
    assert "The big ones" in first and "Quarter by quarter" in first
    whole = "\n".join(texts)
    assert "Key accounts today" in whole and "Review list" in whole
    for index in range(pages):
        image = document[index].render(scale=1).to_pil().convert("L")
        ARTIFACTS.mkdir(exist_ok=True)
        image.save(ARTIFACTS / f"review-pack-page-{index + 1}.png")
        # A4 at 72 dpi, with ink on it: not a blank or cut page.
        assert abs(image.size[0] - 595) <= 1 and abs(image.size[1] - 842) <= 1
        darkest, lightest = image.getextrema()
        assert lightest == 255 and darkest < 80
    document.close()


def test_a_shared_link_reopens_the_same_view(changed_world, review_url, browser):
    url = f"{review_url}/review?definition=the_big_ones&quarter=2026-03-31"
    page = open_page(browser, url, width=390)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.get_by_role("combobox", name="Quarter").input_value() == "Q1 2026 (to 31 Mar 2026)"
    assert page.get_by_text("Key accounts under The big ones").count() == 1
    _, warehouse, _, _ = changed_world
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        (count,) = conn.execute(
            "select key_accounts from marts.portfolio_quarterly "
            "where definition_name = 'the_big_ones' and quarter_end = '2026-03-31'"
        ).fetchone()
    assert metric(page, "Key accounts") == f"{count:,}"
    assert page.url.endswith("definition=the_big_ones&quarter=2026-03-31")
    page.screenshot(path=ARTIFACTS / "review-shared-link-390.png", full_page=True)
    page.close()
