"""The working database holds what the landing folder holds now (finding F3 of the hostile trial).

A file loaded by an earlier run and then removed from the landing folder (or no longer matched by
the column mapping) takes its rows and its quarantine entries with it on the next load, recorded
in `meta.load_ledger_history`; so removing a bad file unblocks the next run. A failed blocking
check says which rule failed, by how much, in which file, where the report is and what to do.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from demo.generator import generate
from expectations.settings import QualitySettings
from expectations.validate import validate_entity
from loading.ingest import entities_in_load_order, load_entity
from loading.mapping import load_mapping
from loading.rules import RuleSettings
from orchestration.assets.checks import CHECK_NAME, check_result
from orchestration.definitions import build_definitions
from orchestration.resources import WarehouseLayout
from orchestration.runner import run_pipeline
from orchestration.warehouse import work_path
from tests.support import write

# Fixed dates, so the generated orders (up to 2026-10-31) are never "in the future".
SETTINGS = RuleSettings(latest_order_date=date(2026, 11, 25), max_quarantine_share=0.5)
HEADER = "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
CUSTOMERS = "customer_id,customer_name\nC1,Acme\nC2,Beta\n"


def orders_csv(prefix: str, rows: int, bad_row: int | None = None) -> str:
    """`rows` order lines with ids unique to `prefix`; `bad_row` gets an unparseable date."""
    return HEADER + "".join(
        f"{prefix}-{n},{'someday' if n == bad_row else f'2025-01-{n:02d}'},C1,P1,1,10.00\n"
        for n in range(1, rows + 1)
    )


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as connection:
        yield connection


def test_a_removed_file_takes_its_rows_and_quarantine_out_and_the_ledger_says_so(conn, tmp_path):
    landing = tmp_path / "landing"
    write(landing / "customers" / "customers.csv", CUSTOMERS)
    write(landing / "orders" / "orders_a.csv", orders_csv("A", 4, bad_row=2))
    write(landing / "orders" / "orders_b.csv", orders_csv("B", 3, bad_row=3))
    load_entity(conn, landing, "customers", SETTINGS)
    load_entity(conn, landing, "orders", SETTINGS)
    b_rows = conn.execute(
        "SELECT * EXCLUDE (_loaded_at) FROM raw.orders WHERE _source_file = 'orders/orders_b.csv' "
        "ORDER BY ALL"
    ).fetchall()

    (landing / "orders" / "orders_a.csv").unlink()
    result = load_entity(conn, landing, "orders", SETTINGS)

    assert conn.execute("SELECT * EXCLUDE (_loaded_at) FROM raw.orders ORDER BY ALL").fetchall() == (
        b_rows
    )
    assert conn.execute("SELECT entity, source_file, source_row, rule FROM meta.quarantine").fetchall() == [
        ("orders", "orders/orders_b.csv", 3, "unparseable_date")
    ]
    assert conn.execute("SELECT entity, relative_path, rows FROM meta.load_ledger ORDER BY ALL").fetchall() == [
        ("customers", "customers/customers.csv", 2),
        ("orders", "orders/orders_b.csv", 2),
    ]
    history = conn.execute(
        "SELECT entity, relative_path, rows, change, rows_removed, quarantined_rows_removed, "
        "changed_at >= loaded_at FROM meta.load_ledger_history"
    ).fetchall()
    assert history == [("orders", "orders/orders_a.csv", 3, "removed", 3, 1, True)]
    assert result.files_removed == ["orders/orders_a.csv"]
    assert result.rows_removed == 3
    assert result.files_unchanged == ["orders/orders_b.csv"]
    assert result.rows_in_table == 2


def test_a_replaced_export_keeps_the_quarantine_of_the_other_entities_it_feeds(conn, tmp_path):
    """Through a mapping one export feeds several entities; replacing it for one entity must not
    take out another entity's quarantine entries of the same file."""
    mapping = load_mapping(
        write(
            tmp_path / "mapping.yml",
            "entities:\n"
            "  orders:\n"
            '    files: "*.csv"\n'
            "    columns: {order_id: order_id, order_date: order_date, customer_id: customer_id,\n"
            "              product_id: product_id, quantity: quantity, net_revenue: net_revenue}\n"
            "  customers:\n"
            "    from: orders\n"
            "    columns: {customer_id: customer_id}\n",
        )
    )
    export = tmp_path / "export"
    lines = "A1,2025-01-01,C1,P1,1,10\nA2,2025-01-02,,P1,1,10\nA3,2025-01-03,C2,P1,1,"
    write(export / "sales.csv", HEADER + lines + "10\n")
    for entity in ("customers", "orders"):
        load_entity(conn, export, entity, SETTINGS, mapping)

    write(export / "sales.csv", HEADER + lines + "12\n")
    for entity in ("customers", "orders"):
        load_entity(conn, export, entity, SETTINGS, mapping)

    quarantined = conn.execute("SELECT entity, source_file, source_row FROM meta.quarantine ORDER BY ALL")
    assert quarantined.fetchall() == [("customers", "sales.csv", 2), ("orders", "sales.csv", 2)]
    history = conn.execute("SELECT entity, change FROM meta.load_ledger_history ORDER BY ALL")
    assert history.fetchall() == [("customers", "replaced"), ("orders", "replaced")]


def test_a_file_no_longer_matched_by_the_mapping_leaves_the_tables(conn, tmp_path):
    mapping_text = (
        "entities:\n"
        "  orders:\n"
        '    files: "{glob}"\n'
        "    columns: {{order_id: order_id, order_date: order_date, customer_id: customer_id,\n"
        "              product_id: product_id, quantity: quantity, net_revenue: net_revenue}}\n"
    )
    export = tmp_path / "export"
    write(export / "sales_2025.csv", orders_csv("S", 3))
    write(export / "archive.csv", orders_csv("OLD", 2))
    load_entity(conn, export, "orders", SETTINGS, load_mapping(
        write(tmp_path / "all.yml", mapping_text.format(glob="*.csv"))
    ))

    result = load_entity(conn, export, "orders", SETTINGS, load_mapping(
        write(tmp_path / "sales.yml", mapping_text.format(glob="sales_*.csv"))
    ))

    assert result.files_removed == ["archive.csv"]
    assert conn.execute("SELECT DISTINCT _source_file FROM raw.orders").fetchall() == [
        ("sales_2025.csv",)
    ]


# --- F3 end to end: a bad file dropped, the run blocked, the file removed, the run unblocked ----


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("generated")
    generate(root / "landing", customers=50, lines=2_000, seed=3)
    return root / "landing"


def drop_cents_file(landing: Path, lines: int = 700) -> Path:
    """Orders of the generated file again under new ids, costs in cents instead of euros."""
    with (landing / "orders" / "orders.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:lines]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    for row in rows:
        cost = row["cost_amount"]
        writer.writerow(
            {**row, "order_id": f"X{row['order_id']}",
             "cost_amount": f"{float(cost) * 100:.2f}" if cost else cost}
        )
    return write(landing / "orders" / "orders_cents.csv", text.getvalue())


@pytest.fixture
def landing(generated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "landing"
    shutil.copytree(generated, copy)
    return copy


def load_all(conn, landing: Path) -> None:
    for entity in entities_in_load_order():
        load_entity(conn, landing, entity, SETTINGS)


QUALITY = QualitySettings(rules=SETTINGS)


def test_removing_the_bad_file_makes_the_orders_expectations_pass_again(conn, landing):
    bad = drop_cents_file(landing)
    load_all(conn, landing)
    blocked = validate_entity(conn, "orders", QUALITY)
    assert [o.rule for o in blocked.blocking_failures] == ["cost_above_revenue_share"]

    bad.unlink()
    load_all(conn, landing)

    assert validate_entity(conn, "orders", QUALITY).passed
    generated_lines = len((landing / "orders" / "orders.csv").read_text().splitlines()) - 1
    assert conn.execute("SELECT count(*), count(DISTINCT _source_file) FROM raw.orders").fetchall() == [
        (generated_lines, 1)
    ]


def test_the_failed_check_names_rule_figure_threshold_file_report_and_what_to_do(conn, landing, tmp_path):
    drop_cents_file(landing)
    load_all(conn, landing)
    validation = validate_entity(conn, "orders", QUALITY)
    report = tmp_path / "validation" / "run" / "index.html"

    result = check_result(validation, report, landing)

    text = result.description
    share = next(o for o in validation.blocking_failures if o.rule == "cost_above_revenue_share")
    assert share.observed.startswith("cost_above_revenue_share: ")
    assert "raw/orders" in text
    assert f"cost_above_revenue_share (blocking) on orders: observed {share.observed}" in text
    assert "expected cost_above_revenue_share at most 20.0%" in text
    assert "Offending rows by landing file: orders/orders_cents.csv " in text
    assert "likeliest: orders/orders_cents.csv" in text
    assert f"in the landing folder {landing}" in text and "run again" in text
    assert f"Full report: {report}" in text
    failed = result.metadata["failed_rules"].value["cost_above_revenue_share"]
    assert failed["expected"] == "cost_above_revenue_share at most 20.0%"
    assert failed["files"][0]["file"] == "orders/orders_cents.csv"


@pytest.mark.pipeline
def test_a_run_stopped_by_the_check_says_what_failed_and_what_to_do(landing, tmp_path):
    """`kam run`'s failure text is the blocking check's explanation, not "1 check failed"."""
    drop_cents_file(landing)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    outcome = run_pipeline(landing, warehouse, stream=io.StringIO())

    assert not outcome.success
    evaluation = next(
        e for e in outcome.result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["raw", "orders"]) and e.check_name == CHECK_NAME
    )
    assert not evaluation.passed
    assert "cost_above_revenue_share (blocking) on orders" in evaluation.description
    assert "orders/orders_cents.csv" in evaluation.description
    report = Path(evaluation.metadata["report"].value)
    assert f"Full report: {report}" in evaluation.description
    assert report.parent.parent == warehouse.parent / "validation"
    assert evaluation.description in outcome.error
    assert "blocking asset check failed" not in outcome.error
    assert not warehouse.exists()


# --- the sensor follows a removal -------------------------------------------------------------


def evaluate_sensor(landing: Path, warehouse: Path):
    sensor = build_definitions(landing, warehouse).resolve_sensor_def("new_landing_files")
    layout = WarehouseLayout(landing_dir=str(landing), warehouse_path=str(warehouse))
    with dg.build_sensor_context(resources={"layout": layout}) as context:
        return sensor.evaluate_tick(context)


def test_the_sensor_requests_a_run_when_a_published_file_is_removed(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "customers" / "customers.csv", CUSTOMERS)
    write(landing / "orders" / "orders_a.csv", orders_csv("A", 2))
    write(landing / "orders" / "orders_b.csv", orders_csv("B", 2))
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(work_path(warehouse))) as connection:
        load_all(connection, landing)
    shutil.copyfile(work_path(warehouse), warehouse)
    assert evaluate_sensor(landing, warehouse).run_requests == []

    (landing / "orders" / "orders_a.csv").unlink()
    first = evaluate_sensor(landing, warehouse)
    second = evaluate_sensor(landing, warehouse)

    assert len(first.run_requests) == 1
    assert first.run_requests[0].tags["kam/trigger"] == "removed_files"
    assert first.run_requests[0].run_key == second.run_requests[0].run_key
