"""The backtest describes the portfolio as it stood a year ago, which changes once a month: its
models keep their rows while nothing they are built from has changed (dbt_project/macros/
backtest_cache.sql), and are computed afresh when something has — here, an order corrected before
the backtest date, and a changed flag threshold."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from demo.generator import generate
from loading.contract import ENTITIES
from loading.ingest import load_entity
from orchestration.resources import DBT_PROJECT_DIR

BACKTEST_MODELS = (
    "int_backtest_customer_economics", "int_backtest_customer_tiers", "int_backtest_customer_flags",
    "int_backtest_scorecard_attributes", "int_backtest_scorecard_scores",
)

pytestmark = pytest.mark.pipeline


def build_backtest(root: Path, warehouse: Path, extra_vars: dict | None = None) -> dict[str, bool]:
    """Build the backtest's models; returns, per model, whether it kept its rows."""
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [
            str(dbt), "build", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
            "--select", "+int_backtest_scorecard_scores",
            "--exclude", "resource_type:test", "resource_type:unit_test",
            "--vars", json.dumps({"warehouse_path": str(warehouse), **(extra_vars or {})}),
        ],
        check=True,
    )
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    return {
        result["unique_id"].split(".")[-1]: "Unchanged since the last build" in result["compiled_code"]
        for result in results
        if result["unique_id"].split(".")[-1] in BACKTEST_MODELS
    }


def backtest_state(warehouse: Path, customer_id: str) -> tuple[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            """
            select backtest_cache_key, cast(revenue_t12m as double)
            from intermediate.int_backtest_customer_economics where customer_id = ?
            """,
            [customer_id],
        ).fetchone()


def test_backtest_is_kept_until_what_it_is_built_from_changes(tmp_path):
    summary = generate(tmp_path / "landing", customers=300, lines=20_000, seed=5, years=2)
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        for entity in ENTITIES:
            load_entity(conn, summary.landing_dir, entity)

    first = build_backtest(tmp_path, warehouse)
    assert not any(first.values()), first
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        backtest_date = conn.execute(
            "select max(reporting_date) from intermediate.int_backtest_customer_economics"
        ).fetchone()[0]
        # A line of an order a month before the backtest date, inside its trailing 12 months.
        customer_id, order_id, line_number = conn.execute(
            """
            select customer_id, order_id, line_number from raw.orders
            where order_date between ? - interval 60 day and ? - interval 30 day and net_revenue > 0
            order by order_id, line_number limit 1
            """,
            [backtest_date, backtest_date],
        ).fetchone()
    key, revenue = backtest_state(warehouse, customer_id)

    # New orders after the backtest date are today's data, not the past's: every backtest model
    # keeps its rows and its key (as it does, all the more, when nothing changed at all).
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            """
            insert into raw.orders
            select * replace (order_id || '-new' as order_id, (select max(order_date) from raw.orders) as order_date)
            from raw.orders where order_id = ? and line_number = ?
            """,
            [order_id, line_number],
        )
    assert all(build_backtest(tmp_path, warehouse).values())
    assert backtest_state(warehouse, customer_id) == (key, revenue)

    # A corrected order before the backtest date: the backtest is computed afresh and shows it.
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute(
            "update raw.orders set net_revenue = net_revenue + 1000 where order_id = ? and line_number = ?",
            [order_id, line_number],
        )
    rebuilt = build_backtest(tmp_path, warehouse)
    assert not any(rebuilt.values()), rebuilt
    new_key, new_revenue = backtest_state(warehouse, customer_id)
    assert new_key != key
    assert new_revenue == revenue + 1000

    # A changed flag threshold: the economics are kept, the flags and what reads them are not.
    rethought = build_backtest(tmp_path, warehouse, {"flag_oak_min_growth": 0.31})
    assert rethought == {
        "int_backtest_customer_economics": True,
        "int_backtest_customer_tiers": True,
        "int_backtest_customer_flags": False,
        "int_backtest_scorecard_attributes": False,
        "int_backtest_scorecard_scores": False,
    }
