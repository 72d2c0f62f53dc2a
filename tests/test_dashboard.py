"""The dashboard as a whole: the router, its pages, and the notice without a warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def test_the_app_opens_on_the_portfolio_with_every_page_in_its_navigation(demo_warehouse, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(demo_warehouse))

    app = AppTest.from_file(APP, default_timeout=60).run()

    assert not app.exception
    assert app.title[0].value == "Portfolio"
    pages_dir = Path(APP).parent / "views"
    assert {path.stem for path in pages_dir.glob("*.py")} == {
        "portfolio", "scorecard", "matrix", "mistakes", "definitions_lab", "account", "resources", "review",
    }


@pytest.mark.parametrize(
    "page", ["portfolio", "scorecard", "matrix", "mistakes", "definitions_lab", "account", "resources", "review"]
)
def test_without_a_warehouse_every_page_says_how_to_build_one(page, tmp_path, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    app = AppTest.from_file(str(Path(APP).parent / "views" / f"{page}.py"), default_timeout=60).run()

    assert not app.exception
    assert "Run `kam run`" in app.info[0].value


def test_plan_periods_read_as_months_and_a_status():
    import pandas as pd

    from dashboard.plans import label_periods

    periods = pd.DataFrame({
        "period_start": pd.to_datetime(["2025-01-01", "2026-01-01"]),
        "period_end": pd.to_datetime(["2025-12-31", "2026-06-30"]),
        "period_status": ["closed", "future"],
    })

    labelled = label_periods(periods)

    assert labelled["period"].tolist() == ["Jan 2025 – Dec 2025", "Jan 2026 – Jun 2026"]
    assert labelled["period_status"].tolist() == ["Closed", "Not started"]


def test_an_unknown_total_is_not_a_zero():
    import pandas as pd

    from dashboard.ui import known_sum

    assert known_sum(pd.Series([10.0, None, 5.0])) == 15.0
    assert known_sum(pd.Series([None, None], dtype=float)) is None
    assert known_sum(pd.Series([], dtype=float)) == 0.0


def test_the_run_settings_the_pages_state_are_the_dbt_vars(demo_warehouse):
    import duckdb
    import yaml

    configured = yaml.safe_load((Path(APP).parents[1] / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        settings = dict(conn.execute("select setting_name, value from marts.run_settings").fetchall())

    assert {"pareto_a_cutoff", "pareto_b_cutoff", "cadence_below_plan_attainment", "exit_review_min_score"} <= set(settings)
    assert settings == {name: pytest.approx(float(configured[name])) for name in settings}
