"""The worked example of docs/bring-your-own-data.md: the public Superstore export, read through
mappings/superstore.yml, checked, modelled and shown, with its figures checked against sums taken
straight from the source file. Skipped where ../shared (the sample data) is absent."""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from orchestration.runner import run_pipeline
from orchestration.warehouse import work_path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "superstore"
EXPORT = SOURCE / "Sample - Superstore.csv"
MAPPING = ROOT / "mappings" / "superstore.yml"

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(not EXPORT.exists(), reason=f"{EXPORT} is absent"),
]

CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def source_figures() -> dict:
    """Counted and summed from the export with Python's csv module, independently of DuckDB.

    Lines keep their amounts exactly (the contract keeps four decimals; the export has at most
    four); the warehouse reports money in cents per customer and month, so each customer-month's
    Sales and cost (Sales − Profit) are added up exactly, then rounded to the cent."""
    with EXPORT.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    months: dict[tuple[str, str, str], list[Decimal]] = {}
    lifetimes: dict[str, Decimal] = {}
    for row in rows:
        month, _, year = row["Order Date"].split("/")
        sums = months.setdefault((row["Customer ID"], year, month), [Decimal(0), Decimal(0)])
        sums[0] += Decimal(row["Sales"])
        sums[1] += Decimal(row["Sales"]) - Decimal(row["Profit"])
        lifetimes[row["Customer ID"]] = lifetimes.get(row["Customer ID"], 0) + Decimal(row["Sales"])
    return {
        "lines": len(rows),
        "customers": len({r["Customer ID"] for r in rows}),
        "products": len({r["Product ID"] for r in rows}),
        "revenue": sum(cents(revenue) for revenue, _ in months.values()),
        # A customer's lifetime revenue is their exact sum, rounded once.
        "lifetime_revenue": sum(cents(revenue) for revenue in lifetimes.values()),
        # A month's margin is its revenue less its cost, each to the cent.
        "margin": sum(cents(revenue) - cents(cost) for revenue, cost in months.values()),
        "unrounded_revenue": sum(Decimal(r["Sales"]) for r in rows),
        "unrounded_margin": sum(Decimal(r["Profit"]) for r in rows),
        "customer_months": len(months),
        "first_order": min(r["Order Date"] for r in rows),
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    published = tmp_path_factory.mktemp("superstore") / "superstore.duckdb"
    outcome = run_pipeline(SOURCE, published, mapping=MAPPING)
    assert outcome.success, outcome.error
    return published


def test_every_line_customer_and_product_arrives(warehouse, source_figures):
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM raw.orders").fetchone()[0] == source_figures["lines"]
        assert conn.execute("SELECT count(*) FROM raw.products").fetchone()[0] == (
            source_figures["products"]
        )
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM marts.customer_metrics").fetchone()[0] == (
            source_figures["customers"]
        )
        ledger = conn.execute("SELECT entity, relative_path, rows FROM meta.load_ledger "
                              "ORDER BY entity").fetchall()
    assert ledger == [
        ("customers", "Sample - Superstore.csv", source_figures["customers"]),
        ("orders", "Sample - Superstore.csv", source_figures["lines"]),
        ("products", "Sample - Superstore.csv", source_figures["products"]),
    ]
    assert (source_figures["lines"], source_figures["customers"]) == (9994, 793)


def test_revenue_and_margin_equal_the_sums_in_the_source(warehouse, source_figures):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        revenue, margin, coverage = conn.execute(
            "SELECT sum(revenue), sum(gross_margin), min(margin_coverage) FROM marts.customer_yearly"
        ).fetchone()
        lifetime = conn.execute("SELECT sum(revenue_lifetime) FROM marts.customer_metrics").fetchone()[0]

    assert revenue == source_figures["revenue"] == Decimal("2297201.08")
    assert lifetime == source_figures["lifetime_revenue"] == Decimal("2297201.01")
    assert margin == source_figures["margin"]
    # Rounding each customer-month to the cent moves a total by half a cent per month at most.
    half_cent_per_month = Decimal("0.005") * source_figures["customer_months"]
    assert abs(revenue - source_figures["unrounded_revenue"]) <= half_cent_per_month
    assert abs(margin - source_figures["unrounded_margin"]) <= half_cent_per_month
    assert source_figures["unrounded_revenue"] == Decimal("2297200.8603")
    assert coverage == 1


def test_what_the_export_lacks_is_null_with_a_reason_and_its_weight_shared_out(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        gaps = dict(conn.execute(
            "SELECT input_name, gap FROM marts.input_coverage WHERE gap IS NOT NULL"
        ).fetchall())
        unknown = conn.execute(
            "SELECT count(*) FILTER (WHERE cost_to_serve_t12m IS NOT NULL), "
            "count(*) FILTER (WHERE net_contribution_t12m IS NOT NULL), "
            "count(*) FILTER (WHERE strategic_fit_score IS NOT NULL), "
            "count(*) FILTER (WHERE wallet_source = 'declared'), "
            "count(*) FILTER (WHERE contribution_tier IS NOT NULL) FROM marts.customer_metrics"
        ).fetchone()
        whale_curve_points = conn.execute("SELECT count(*) FROM marts.whale_curve").fetchone()[0]
        balanced = conn.execute(
            "SELECT count(*) FILTER (WHERE is_key_account), max(known_weight_share), "
            "count(*) FILTER (WHERE strategic_fit_weight > 0), "
            "count(*) FILTER (WHERE profitability_value IS NULL OR profitability_weight = 0) "
            "FROM marts.key_account_scorecard WHERE definition_name = 'balanced'"
        ).fetchone()
        bases = conn.execute(
            "SELECT DISTINCT contribution_basis FROM marts.customer_metrics WHERE is_active"
        ).fetchall()

    assert sorted(gaps) == [
        "account_assessments", "account_managers", "account_plans", "service_costs",
        "wallet_estimates",
    ]
    assert "net contribution" in gaps["service_costs"]
    assert "estimated from peers" in gaps["wallet_estimates"]
    # Unknown, never zero: no cost to serve, no net contribution, no assessment, no declared
    # wallet, no contribution tier (rather than everyone in C), no whale curve.
    assert unknown == (0, 0, 0, 0, 0)
    assert whale_curve_points == 0
    key_accounts, known_share, weighted_unknown_fit, unknown_profitability = balanced
    assert key_accounts > 0
    assert known_share < 1
    assert weighted_unknown_fit == 0
    # Profit per line is known, service costs are not: profitability is judged on gross margin,
    # for every customer, and says so.
    assert unknown_profitability == 0
    assert bases == [("gross_margin",)]


def test_the_dashboard_says_what_is_missing(warehouse, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(warehouse))
    app = AppTest.from_file(str(ROOT / "dashboard" / "views" / "portfolio.py"), default_timeout=60)
    app.run()

    assert not app.exception
    notice = app.warning[0].value
    assert notice.startswith("Built without account assessments, account managers, account plans")
    assert "**Service costs**: Cost to serve is unknown" in notice
    # The mapping says the export is in US dollars.
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Revenue, 12 months"] == "$733.9k"
    assert metrics["Net contribution, 12 months"] == "–"
    notices = [info.value for info in app.info]
    assert any(n.startswith("No whale curve: net contribution is unknown") for n in notices)
    assert any(n.startswith("No profit tiers: net contribution is unknown") for n in notices)

    scorecard = AppTest.from_file(str(ROOT / "dashboard" / "views" / "scorecard.py"), default_timeout=60)
    scorecard.run()
    assert not scorecard.exception
    assert {m.label: m.value for m in scorecard.metric}["Their net contribution"] == "–"
    # Why an account scores as it does: its profit is the gross margin, and the page says so.
    breakdown = next(
        frame.value.set_index("attribute") for frame in scorecard.dataframe
        if "measure" in frame.value.columns
    )
    assert breakdown.loc["Profitability", "measure"].endswith("gross margin (no cost to serve known)")
    assert breakdown.loc["Margin quality", "measure"].endswith("gross margin")

    lab = AppTest.from_file(str(ROOT / "dashboard" / "views" / "definitions_lab.py"), default_timeout=60)
    lab.run()
    assert not lab.exception
    assert {m.value for m in lab.metric if m.label == "Net contribution"} == {"–"}

    resources = AppTest.from_file(str(ROOT / "dashboard" / "views" / "resources.py"), default_timeout=60)
    resources.run()
    assert not resources.exception
    figures = {m.label: m.value for m in resources.metric}
    assert figures["Capacity of all managers"] == figures["Managers over capacity"] == "–"
    assert figures["Key accounts without a manager"] == "28"


def sensor_tick(warehouse: Path):
    from orchestration.definitions import build_definitions
    from orchestration.resources import WarehouseLayout

    sensor = build_definitions(SOURCE, warehouse, mapping=MAPPING).resolve_sensor_def("new_landing_files")
    layout = WarehouseLayout(
        landing_dir=str(SOURCE), warehouse_path=str(warehouse), mapping_path=str(MAPPING)
    )
    with dg.build_sensor_context(resources={"layout": layout}) as context:
        return sensor.evaluate_tick(context)


def test_the_sensor_watches_the_export_through_its_mapping(warehouse, tmp_path):
    assert sensor_tick(warehouse).skip_message == "Every landing file is already loaded."
    assert len(sensor_tick(tmp_path / "not_built_yet.duckdb").run_requests) == 1
