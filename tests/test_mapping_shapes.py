"""Export shapes a column mapping reads beyond one flat file: order headers joined to their lines,
and wide plans (a column per month) turned into rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from loading.ingest import BatchRejected, entities_in_load_order, load_entity
from loading.mapping import MappingError, load_mapping
from loading.rules import RuleSettings

SETTINGS = RuleSettings(currency="EUR")

LINES = """\
Order No,Line,Item,Qty,Amount
A-1,1,P-1,2,100.00
A-1,2,P-2,1,50.00
A-2,1,P-1,3,300.00
"""

HEADERS = """\
Order No,Order Date,Customer,Customer Name
A-1,2025-01-05,K1,Kappa Ltd
A-2,2025-02-07,K2,Lambda AG
"""

PLANS = """\
Account;Year;M01;M02;M03;Owner
K1;2025;100;;120;ann
K2;2025;50;60;70;bob
"""

MAPPING = """\
entities:
  orders:
    files: lines.csv
    join:
      files: headers*.csv
      on: Order No
    columns:
      order_id: Order No
      line_number: Line
      order_date: Order Date
      customer_id: Customer
      product_id: Item
      quantity: Qty
      net_revenue: Amount
  customers:
    from: orders
    columns:
      customer_id: Customer
      customer_name: Customer Name
  products:
    from: orders
    columns:
      product_id: Item
  account_plans:
    files: plans.csv
    delimiter: ";"
    unpivot:
      columns: "M??"
      name: Month
      value: Target
    columns:
      customer_id: Account
      target_revenue: Target
    expressions:
      period_start: make_date(CAST("Year" AS INTEGER), CAST(substr("Month", 2) AS INTEGER), 1)
      period_end: last_day(make_date(CAST("Year" AS INTEGER), CAST(substr("Month", 2) AS INTEGER), 1))
"""


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "export"
    source.mkdir()
    (source / "lines.csv").write_text(LINES)
    (source / "headers.csv").write_text(HEADERS)
    (source / "plans.csv").write_text(PLANS)
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING)
    return source, mapping


def load_all(conn, source: Path, mapping_file: Path) -> dict:
    mapping = load_mapping(mapping_file, source)
    return {name: load_entity(conn, source, name, SETTINGS, mapping) for name in entities_in_load_order()}


def test_order_lines_take_their_date_and_customer_from_the_order_header(export):
    source, mapping = export
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        orders = conn.execute(
            "SELECT order_id, line_number, order_date, customer_id, product_id, net_revenue, "
            "_source_file, _source_row FROM raw.orders ORDER BY 1, 2"
        ).fetchall()
        customers = conn.execute("SELECT customer_id, customer_name FROM raw.customers ORDER BY 1").fetchall()

    assert [(o[0], o[1], o[2].isoformat(), o[3], o[4], float(o[5]), o[6], o[7]) for o in orders] == [
        ("A-1", 1, "2025-01-05", "K1", "P-1", 100.0, "lines.csv", 1),
        ("A-1", 2, "2025-01-05", "K1", "P-2", 50.0, "lines.csv", 2),
        ("A-2", 1, "2025-02-07", "K2", "P-1", 300.0, "lines.csv", 3),
    ]
    assert customers == [("K1", "Kappa Ltd"), ("K2", "Lambda AG")]


def test_a_wide_plan_becomes_one_row_per_month_with_a_target(export):
    source, mapping = export
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        plans = conn.execute(
            "SELECT customer_id, period_start, period_end, target_revenue, _source_row "
            "FROM raw.account_plans ORDER BY 1, 2"
        ).fetchall()

    # K1 has no February target: an empty cell is no plan row, not a target of zero.
    assert [(p[0], p[1].isoformat(), p[2].isoformat(), float(p[3]), p[4]) for p in plans] == [
        ("K1", "2025-01-01", "2025-01-31", 100.0, 1),
        ("K1", "2025-03-01", "2025-03-31", 120.0, 1),
        ("K2", "2025-01-01", "2025-01-31", 50.0, 2),
        ("K2", "2025-02-01", "2025-02-28", 60.0, 2),
        ("K2", "2025-03-01", "2025-03-31", 70.0, 2),
    ]


def test_a_header_given_twice_would_multiply_lines_and_is_refused(export):
    source, mapping = export
    (source / "headers_2.csv").write_text("Order No,Order Date,Customer,Customer Name\nA-1,2025-01-06,K1,Kappa Ltd\n")

    with duckdb.connect() as conn, pytest.raises(BatchRejected) as rejected:
        load_entity(conn, source, "orders", SETTINGS, load_mapping(mapping, source))

    message = str(rejected.value)
    assert "lines.csv" in message
    assert "3 rows before the join, 5 after" in message
    assert "1 key value on more than one row of headers*.csv ('A-1')" in message


def test_lines_without_a_header_would_be_lost_and_are_refused(export):
    source, mapping = export
    (source / "lines.csv").write_text(LINES + "A-3,1,P-1,1,10.00\nA-4,1,P-1,1,10.00\n")

    with duckdb.connect() as conn, pytest.raises(BatchRejected) as rejected:
        load_entity(conn, source, "orders", SETTINGS, load_mapping(mapping, source))

    assert "2 key values of lines.csv match no row of headers*.csv ('A-3', 'A-4')" in str(rejected.value)


def test_a_changed_header_file_loads_the_lines_again(export):
    source, mapping = export
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        (source / "headers.csv").write_text(HEADERS.replace("2025-02-07", "2025-02-08"))
        again = load_entity(conn, source, "orders", SETTINGS, load_mapping(mapping, source))
        dates = conn.execute("SELECT DISTINCT order_date FROM raw.orders WHERE order_id = 'A-2'").fetchall()

    assert again.files_replaced == ["lines.csv"]
    assert [d.isoformat() for (d,) in dates] == ["2025-02-08"]


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("      on: Order No\n", "      on: {Order No: Order}\n", "entities.orders.join[0].on.Order No",
         "no column 'Order' in headers.csv (its columns: Order No, Order Date, Customer, Customer Name)"),
        ("      on: Order No\n", "      on: {Order: Order No}\n", "entities.orders.join[0].on.Order",
         "no column 'Order' in lines.csv (its columns: Order No, Line, Item, Qty, Amount)"),
        ("      files: headers*.csv\n", "      files: heads.csv\n", "entities.orders.join[0].files",
         "matches heads.csv"),
        ("      on: Order No\n", "      on: Order No\n      how: left\n", "entities.orders.join[0].how",
         "unknown key (known: delimiter, encoding, files, header, null_values, on, prefix)"),
        ("      columns: \"M??\"\n", "      columns: \"M??\"\n      as: rows\n", "entities.account_plans.unpivot.as",
         "unknown key (known: columns, name, value)"),
    ],
)
def test_a_mistake_in_a_join_or_unpivot_names_its_key(export, old, new, key, message):
    source, mapping = export
    mapping.write_text(MAPPING.replace(old, new))

    with pytest.raises(MappingError) as raised, duckdb.connect() as conn:
        load_all(conn, source, mapping)

    assert raised.value.key == key
    assert message in raised.value.detail


def test_a_joined_column_that_clashes_asks_for_a_prefix(export):
    source, mapping = export
    (source / "headers.csv").write_text(HEADERS.replace("Customer Name", "Qty"))
    with pytest.raises(MappingError) as raised, duckdb.connect() as conn:
        load_all(conn, source, mapping)
    assert raised.value.key == "entities.orders.join[0].prefix"
    assert "Qty in both lines.csv and headers.csv" in raised.value.detail

    mapping.write_text(MAPPING.replace("      on: Order No\n", "      on: Order No\n      prefix: 'header '\n")
                       .replace("customer_name: Customer Name", "customer_name: header Qty")
                       .replace("order_date: Order Date", "order_date: header Order Date")
                       .replace("customer_id: Customer\n", "customer_id: header Customer\n"))
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        names = conn.execute("SELECT customer_name FROM raw.customers ORDER BY 1").fetchall()
    assert names == [("Kappa Ltd",), ("Lambda AG",)]


def test_a_plan_for_a_customer_nobody_knows_is_quarantined_with_that_reason(export):
    source, mapping = export
    (source / "plans.csv").write_text(PLANS + "K9;2025;10;10;10;eve\n")
    tolerant = RuleSettings(currency="EUR", max_quarantine_share=0.5)

    with duckdb.connect() as conn:
        resolved = load_mapping(mapping, source)
        for name in entities_in_load_order():
            load_entity(conn, source, name, tolerant, resolved)
        quarantined = conn.execute(
            "SELECT source_row, column_name, rule, value FROM meta.quarantine "
            "WHERE entity = 'account_plans' ORDER BY 1"
        ).fetchall()
        planned = conn.execute("SELECT DISTINCT customer_id FROM raw.account_plans ORDER BY 1").fetchall()

    # One row of the wide file, three months: each month's plan row names the file's row 3.
    assert quarantined == [(3, "customer_id", "unknown_customer", "K9")] * 3
    assert planned == [("K1",), ("K2",)]


def test_a_join_reads_its_files_as_the_entity_does_unless_it_says_otherwise(export):
    _, mapping = export
    mapping.write_text(MAPPING.replace("    files: lines.csv\n", "    files: lines.csv\n    delimiter: ','\n    null_values: ['NULL']\n"))
    orders = load_mapping(mapping).entities["orders"]
    assert (orders.joins[0].delimiter, orders.joins[0].null_values) == (",", ("NULL",))

    mapping.write_text(MAPPING.replace("      on: Order No\n", "      on: Order No\n      delimiter: '|'\n"))
    assert load_mapping(mapping).entities["orders"].joins[0].delimiter == "|"
