"""Loading landing files: contract typing, the ledger's idempotence, replacement and clear errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loading.ingest import IngestError, discover_all_landing_files, load_entity
from loading.rules import RuleSettings
from tests.support import write

ORDERS = """order_id,order_date,customer_id,product_id,quantity,net_revenue,line_number,cost_amount,currency
SO1,2025-01-05,C1,P1,2,200.00,1,120.00,EUR
SO1,2025-01-05,C1,P2,1,50.00,2,,EUR
SO2,2025-06-01,C2,P1,5,480.00,1,300.00,EUR
CN1,2025-06-20,C2,P1,-1,-96.00,1,-60.00,EUR
"""
CUSTOMERS = """customer_id,customer_name,industry,region
C1,Acme,Manufacturing,North
C2,Beta,Retail,South
"""


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    write(root / "orders" / "orders_2025.csv", ORDERS)
    write(root / "customers" / "customers.csv", CUSTOMERS)
    return root


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as connection:
        yield connection


def table_rows(conn, table: str) -> list[tuple]:
    return conn.execute(f"SELECT * EXCLUDE (_loaded_at) FROM {table} ORDER BY ALL").fetchall()


def test_rows_are_typed_by_the_contract_and_keep_their_origin(conn, landing):
    result = load_entity(conn, landing, "orders")

    assert result.files_loaded == ["orders/orders_2025.csv"]
    assert result.rows_loaded == 4
    types = dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = 'orders'"
        ).fetchall()
    )
    assert types["order_date"] == "DATE"
    assert types["net_revenue"] == "DECIMAL(18,4)"
    assert types["quantity"] == "DOUBLE"
    credit = conn.execute(
        "SELECT quantity, net_revenue, _source_file, _source_row FROM raw.orders WHERE order_id = 'CN1'"
    ).fetchone()
    assert credit == (-1.0, pytest.approx(-96), "orders/orders_2025.csv", 4)
    assert conn.execute("SELECT count(*) FROM raw.orders WHERE cost_amount IS NULL").fetchone() == (1,)


def test_loading_the_same_file_twice_adds_nothing(conn, landing):
    load_entity(conn, landing, "orders")
    before = table_rows(conn, "raw.orders")
    ledger_before = conn.execute("SELECT * FROM meta.load_ledger").fetchall()

    again = load_entity(conn, landing, "orders")

    assert again.files_unchanged == ["orders/orders_2025.csv"]
    assert again.rows_loaded == 0
    assert again.rows_in_table == 4
    assert table_rows(conn, "raw.orders") == before
    assert conn.execute("SELECT * FROM meta.load_ledger").fetchall() == ledger_before


def test_a_changed_file_replaces_its_earlier_rows(conn, landing):
    load_entity(conn, landing, "orders")
    corrected = ORDERS.replace("SO2,2025-06-01,C2,P1,5,480.00", "SO2,2025-06-01,C2,P1,5,500.00")
    corrected = "\n".join(corrected.splitlines()[:-1]) + "\n"  # the credit note withdrawn
    write(landing / "orders" / "orders_2025.csv", corrected)

    result = load_entity(conn, landing, "orders")

    assert result.files_replaced == ["orders/orders_2025.csv"]
    assert result.rows_in_table == 3
    assert conn.execute("SELECT sum(net_revenue) FROM raw.orders").fetchone()[0] == 750
    ledger = conn.execute("SELECT rows, count(*) OVER () FROM meta.load_ledger").fetchall()
    assert ledger == [(3, 1)]


def test_a_new_file_is_added_beside_the_loaded_ones(conn, landing):
    load_entity(conn, landing, "orders")
    write(
        landing / "orders" / "orders_2026.csv",
        "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
        "SO3,2026-01-10,C1,P2,3,150.00\n",
    )

    result = load_entity(conn, landing, "orders")

    assert result.files_loaded == ["orders/orders_2026.csv"]
    assert result.files_unchanged == ["orders/orders_2025.csv"]
    assert result.rows_in_table == 5
    # Columns a file lacks load as null rather than failing the file.
    assert conn.execute("SELECT currency, line_number FROM raw.orders WHERE order_id = 'SO3'").fetchone() == (None, None)


def test_parquet_landing_files_load_like_csv(conn, landing, tmp_path):
    parquet = landing / "orders" / "orders_2025.parquet"
    csv = landing / "orders" / "orders_2025.csv"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{parquet}' (FORMAT parquet)")
    csv.unlink()

    result = load_entity(conn, landing, "orders")

    assert result.rows_loaded == 4
    assert conn.execute("SELECT _source_row FROM raw.orders WHERE order_id = 'CN1'").fetchone() == (4,)


def test_an_absent_optional_entity_leaves_an_empty_table(conn, landing):
    result = load_entity(conn, landing, "wallet_estimates")

    assert result.files_seen == 0
    assert conn.execute("SELECT count(*) FROM raw.wallet_estimates").fetchone() == (0,)


def test_a_landing_folder_that_does_not_exist_is_a_clear_error(conn, tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(IngestError, match=f"Landing folder {missing} does not exist"):
        load_entity(conn, missing, "orders")


def test_a_missing_required_file_names_the_entity(conn, landing):
    (landing / "customers" / "customers.csv").unlink()
    with pytest.raises(IngestError, match="Required input 'customers' is missing"):
        discover_all_landing_files(landing)


def test_a_missing_required_column_names_file_and_column(conn, landing):
    write(landing / "orders" / "orders_2025.csv", ORDERS.replace("net_revenue", "revenue"))
    with pytest.raises(
        IngestError,
        match=r"orders_2025.csv: rejected \(missing_required_column\): required column\(s\) net_revenue missing",
    ):
        load_entity(conn, landing, "orders")


def test_a_bad_value_is_quarantined_with_file_row_column_and_rule(conn, landing):
    write(landing / "orders" / "orders_2025.csv", ORDERS.replace("2025-06-01", "first of June"))

    result = load_entity(conn, landing, "orders", RuleSettings(max_quarantine_share=0.5))

    assert result.rows_loaded == 3
    assert conn.execute(
        "SELECT source_file, source_row, column_name, rule, value FROM meta.quarantine"
    ).fetchall() == [("orders/orders_2025.csv", 3, "order_date", "unparseable_date", "first of June")]


def test_a_file_mostly_bad_is_rejected_whole_and_changes_nothing(conn, landing):
    load_entity(conn, landing, "orders")
    before = table_rows(conn, "raw.orders")
    write(landing / "orders" / "orders_2026.csv", ORDERS.replace("2025-06-01", "first of June"))

    with pytest.raises(IngestError, match=r"orders_2026.csv: rejected \(too_many_bad_rows\): 1 of 4 rows"):
        load_entity(conn, landing, "orders")

    assert table_rows(conn, "raw.orders") == before
    assert conn.execute("SELECT count(*) FROM meta.load_ledger").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM meta.quarantine").fetchone() == (0,)
