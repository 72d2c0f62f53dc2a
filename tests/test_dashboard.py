"""Dashboard pages render from the published warehouse (Streamlit AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture
def app(demo_warehouse, monkeypatch) -> AppTest:
    monkeypatch.setenv("KAM_WAREHOUSE", str(demo_warehouse))
    return AppTest.from_file(APP, default_timeout=60)


def test_portfolio_shows_the_headline_figures_from_the_warehouse(app, demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        customers, active, revenue = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE revenue_t12m > 0), "
            "sum(revenue_t12m) FILTER (WHERE revenue_t12m > 0) FROM marts.customer_metrics"
        ).fetchone()

    app.run()

    assert not app.exception
    assert app.title[0].value == "Portfolio"
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Customers"] == f"{customers:,}"
    assert metrics["Active (bought in 12 months)"] == f"{active:,}"
    assert metrics["Revenue, 12 months"] == f"€{float(revenue):,.0f}"
    assert len(app.dataframe) == 1


def test_without_a_warehouse_the_page_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    app = AppTest.from_file(APP, default_timeout=60).run()

    assert not app.exception
    assert "Run `kam run`" in app.info[0].value
