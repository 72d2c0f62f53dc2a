"""The hostile-drop suite for landing files: what someone (or some tool) may drop into a landing
folder besides well-behaved exports, and what loading does with it.

- File names with glob characters (`*.csv`, `orders_[ab].csv`) name exactly one file: DuckDB must
  not expand them into other files of the folder.
- A link leading outside the landing folder (a file or a whole entity folder) is refused before
  anything reads it, so nothing of its target reaches a table or a message; a link that stays
  inside keeps working.
- Hidden files (macOS `._` companions, `.DS_Store`) are skipped unread; other entries that are not
  landing files (a spreadsheet, a folder named like a file, a file where an entity's folder
  belongs) are listed as ignored with the reason, for the run's metadata and `kam validate`.
- Nothing is accepted changed: a column named twice refuses the file; a NUL byte, a Parquet
  boolean as a quantity, a time of day on a date and a decimal beyond the contract's are
  quarantined with their value instead of being stored as something else.
- A customer (product, manager) that two files describe differently is quarantined with both
  sources named, and which version loads does not depend on arrival order.

Each case asserts what reached the working database (exactly the good rows, or nothing of a refused
file) and the message a user reads. A run publishes only when every load and check succeeded
(tests/test_cli.py asserts the published file is byte-identical after a refused batch).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from kam.cli import main
from loading.ingest import (
    BatchRejected,
    IngestError,
    duckdb_path_literal,
    is_hidden,
    load_entity,
)
from loading.mapping import load_mapping
from tests.support import write

HEADER = "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"
CUSTOMERS = "customer_id,customer_name,industry,region\nC1,Acme,Manufacturing,North\n"
# What a link to /etc/passwd would bring in: none of it may show up anywhere.
SECRET = "root:x:0:0:root:/root:/bin/bash\n"
# The start of a macOS AppleDouble file (`._name`): binary, not CSV.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09"
# An export folder read through a mapping whose glob takes every CSV in it.
MAPPING = """\
entities:
  orders:
    files: "*.csv"
    columns: {order_id: order_id, order_date: order_date, customer_id: customer_id,
              product_id: product_id, quantity: quantity, net_revenue: net_revenue}
  customers:
    from: orders
    columns: {customer_id: customer_id}
"""


def orders_csv(prefix: str, rows: int) -> str:
    """`rows` order lines with ids unique to `prefix`, so a file's rows are recognisable."""
    return HEADER + "".join(
        f"{prefix}-{n},2025-01-{n:02d},C1,P1,1,10.00\n" for n in range(1, rows + 1)
    )


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A landing folder with one ordinary orders file of four lines and the customers."""
    root = tmp_path / "landing"
    write(root / "orders" / "orders_2025.csv", orders_csv("SO", 4))
    write(root / "customers" / "customers.csv", CUSTOMERS)
    return root


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as connection:
        yield connection


def write_orders(path: Path, prefix: str, rows: int) -> None:
    """`orders_csv` as a CSV file or, for a .parquet name, as a Parquet file."""
    if path.suffix != ".parquet":
        write(path, orders_csv(prefix, rows))
        return
    # COPY writes to exactly the name given; only DuckDB's readers expand globs.
    duckdb.sql(
        f"COPY (SELECT '{prefix}-' || n AS order_id, DATE '2025-01-01' + n::INTEGER AS order_date, "
        "'C1' AS customer_id, 'P1' AS product_id, 1 AS quantity, 10.00 AS net_revenue "
        f"FROM range(1, {rows + 1}) AS lines(n)) TO '{path}' (FORMAT parquet)"
    )


def rows_per_file(conn) -> dict[str, int]:
    return dict(
        conn.execute("SELECT _source_file, count(*) FROM raw.orders GROUP BY ALL").fetchall()
    )


def every_text_in_meta_and_raw(conn) -> str:
    """Every value of every raw and meta table, as one text to search for leaked content."""
    tables = conn.execute(
        "SELECT table_schema || '.' || table_name FROM information_schema.tables "
        "WHERE table_schema IN ('raw', 'meta')"
    ).fetchall()
    return "\n".join(
        str(row) for (table,) in tables for row in conn.execute(f"SELECT * FROM {table}").fetchall()
    )


# --- F4: glob characters in file names are literal -------------------------------------------


@pytest.mark.parametrize(
    ("path", "literal"),
    [
        ("/landing/orders/orders.csv", "'/landing/orders/orders.csv'"),
        ("/landing/orders/*.csv", "'/landing/orders/[*].csv'"),
        ("/landing/orders/**.csv", "'/landing/orders/[*][*].csv'"),
        ("/landing/orders/q?.csv", "'/landing/orders/q[?].csv'"),
        ("/landing/orders/orders_[ab].csv", "'/landing/orders/orders_[[]ab].csv'"),
        ("/landing/orders/a]b{1,2}.csv", "'/landing/orders/a]b{1,2}.csv'"),
        ("/land[1]/orders/o'hara.csv", "'/land[[]1]/orders/o''hara.csv'"),
    ],
)
def test_a_path_becomes_a_duckdb_literal_that_matches_only_itself(path, literal):
    assert duckdb_path_literal(Path(path)) == literal


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_named_star_loads_its_own_rows_once(conn, landing, suffix):
    # As a glob, `*.csv` means every CSV of the folder: all of them a second time.
    write_orders(landing / "orders" / f"*{suffix}", "STAR", 2)
    write_orders(landing / "orders" / f"orders_2026{suffix}", "NEW", 3)

    result = load_entity(conn, landing, "orders")

    assert rows_per_file(conn) == {
        f"orders/*{suffix}": 2,
        f"orders/orders_2026{suffix}": 3,
        "orders/orders_2025.csv": 4,
    }
    assert result.rows_in_table == 9


def test_a_file_named_with_brackets_loads_its_own_rows_and_no_other(conn, landing):
    # As a glob, `orders_[ab].csv` means orders_a.csv or orders_b.csv: the wrong file, twice.
    write(landing / "orders" / "orders_[ab].csv", orders_csv("BRACKET", 3))
    write(landing / "orders" / "orders_a.csv", orders_csv("A", 5))

    load_entity(conn, landing, "orders")

    assert rows_per_file(conn) == {
        "orders/orders_2025.csv": 4,
        "orders/orders_[ab].csv": 3,
        "orders/orders_a.csv": 5,
    }
    bracket_ids = conn.execute(
        "SELECT DISTINCT split_part(order_id, '-', 1) FROM raw.orders "
        "WHERE _source_file = 'orders/orders_[ab].csv'"
    ).fetchall()
    assert bracket_ids == [("BRACKET",)]


# --- F8: links that leave the landing folder --------------------------------------------------


def test_a_link_to_a_file_outside_the_landing_folder_is_refused_unread(conn, landing, tmp_path):
    secret = write(tmp_path / "etc" / "passwd", SECRET)
    link = landing / "orders" / "x.csv"
    link.symlink_to(secret)

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, "orders")

    message = str(rejection.value)
    assert rejection.value.rule == "outside_landing_folder"
    assert str(link) in message and str(secret.resolve()) in message
    assert "into the landing folder" in message
    assert len(message.splitlines()) == 1
    assert "root:x" not in message
    assert conn.execute("SELECT entity, source_file, rule FROM meta.rejected_batches").fetchall() == [
        ("orders", str(link), "outside_landing_folder")
    ]
    assert "root:x" not in every_text_in_meta_and_raw(conn)
    assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (0,)


def test_a_link_to_a_good_orders_file_outside_is_refused_too(conn, landing, tmp_path):
    outside = write(tmp_path / "elsewhere" / "orders_2026.csv", orders_csv("OUT", 3))
    (landing / "orders" / "orders_2026.csv").symlink_to(outside)

    with pytest.raises(BatchRejected, match="outside_landing_folder"):
        load_entity(conn, landing, "orders")

    assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM meta.load_ledger").fetchone() == (0,)


def test_an_entity_folder_linked_outside_the_landing_folder_is_refused(conn, landing, tmp_path):
    write(tmp_path / "elsewhere" / "products" / "products.csv", "product_id\nP1\n")
    (landing / "products").symlink_to(tmp_path / "elsewhere" / "products")

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, "products")

    assert rejection.value.rule == "outside_landing_folder"
    assert str((tmp_path / "elsewhere" / "products").resolve()) in str(rejection.value)
    assert conn.execute("SELECT count(*) FROM raw.products").fetchone() == (0,)


def test_a_link_that_stays_inside_the_landing_folder_keeps_working(conn, landing):
    archived = write(landing / "archive" / "orders_2024.csv", orders_csv("OLD", 2))
    (landing / "orders" / "orders_2024.csv").symlink_to(archived)

    load_entity(conn, landing, "orders")

    assert rows_per_file(conn) == {"orders/orders_2024.csv": 2, "orders/orders_2025.csv": 4}


def test_kam_validate_names_the_link_and_shows_nothing_of_its_target(landing, tmp_path, capsys):
    secret = write(tmp_path / "etc" / "passwd", SECRET)
    (landing / "orders" / "x.csv").symlink_to(secret)

    assert main(["validate", "--landing", str(landing)]) == 1

    captured = capsys.readouterr()
    assert "orders/x.csv: rejected (outside_landing_folder)" in captured.err
    assert "root:x" not in captured.out + captured.err


def test_a_mapped_file_linked_outside_the_export_folder_is_refused(conn, tmp_path):
    source = tmp_path / "export"
    write(source / "lines_2025.csv", orders_csv("SO", 2))
    (source / "lines_2026.csv").symlink_to(write(tmp_path / "etc" / "passwd", SECRET))
    mapping = load_mapping(write(tmp_path / "mapping.yml", MAPPING))

    with pytest.raises(BatchRejected, match="outside_landing_folder") as rejection:
        load_entity(conn, source, "customers", mapping=mapping)

    assert "root:x" not in str(rejection.value)
    assert "root:x" not in every_text_in_meta_and_raw(conn)


# --- F9: hidden and unknown entries -----------------------------------------------------------


@pytest.mark.parametrize(
    "relative_path, hidden",
    [
        ("orders/._orders_2025.csv", True),
        ("orders/.DS_Store", True),
        (".cache/orders.csv", True),
        ("orders/orders_2025.csv", False),
        ("../orders.csv", False),
    ],
)
def test_hidden_means_a_part_of_the_path_starts_with_a_dot(relative_path, hidden):
    assert is_hidden(Path(relative_path)) is hidden


def test_hidden_files_are_skipped_unread_and_without_a_word(conn, landing):
    (landing / "orders" / "._orders_2025.csv").write_bytes(APPLE_DOUBLE)
    (landing / "orders" / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")

    result = load_entity(conn, landing, "orders")

    assert result.files_seen == 1
    assert result.files_ignored == []
    assert rows_per_file(conn) == {"orders/orders_2025.csv": 4}


@pytest.mark.parametrize(
    ("make", "ignored"),
    [
        (
            lambda orders: (orders / "orders_2026.xlsx").write_bytes(b"PK\x03\x04"),
            (
                "orders/orders_2026.xlsx: not a .csv or .parquet file; export it as CSV or "
                "Parquet to load it"
            ),
        ),
        (
            lambda orders: write(orders / "x.csv" / "orders_2026.csv", orders_csv("SUB", 2)),
            "orders/x.csv: a folder: only files directly in orders/ load; move its files up",
        ),
    ],
    ids=["spreadsheet", "folder_named_like_a_file"],
)
def test_an_entry_that_is_not_a_landing_file_is_listed_as_ignored(conn, landing, make, ignored):
    make(landing / "orders")

    result = load_entity(conn, landing, "orders")

    assert result.files_ignored == [ignored]
    assert rows_per_file(conn) == {"orders/orders_2025.csv": 4}


def test_an_optional_entity_that_is_a_file_is_listed_as_ignored(conn, landing):
    write(landing / "service_costs", "customer_id,year,cost\nC1,2025,10\n")

    result = load_entity(conn, landing, "service_costs")

    assert result.files_seen == 0
    assert result.files_ignored == [
        (
            "service_costs: not a folder; put the entity's .csv or .parquet files in a folder "
            "named service_costs/"
        )
    ]


def test_a_required_entity_that_is_a_file_says_so_in_its_error(conn, landing):
    (landing / "customers" / "customers.csv").unlink()
    (landing / "customers").rmdir()
    write(landing / "customers", CUSTOMERS)

    with pytest.raises(IngestError, match=r"Required input 'customers' is missing: .*not a folder"):
        load_entity(conn, landing, "customers")


def test_kam_validate_lists_ignored_entries_and_still_passes(landing, capsys):
    (landing / "orders" / "orders_2026.xlsx").write_bytes(b"PK\x03\x04")
    (landing / "orders" / "._orders_2025.csv").write_bytes(APPLE_DOUBLE)

    assert main(["validate", "--landing", str(landing)]) == 0

    err = capsys.readouterr().err
    assert "IGNORED orders/orders_2026.xlsx: not a .csv or .parquet file" in err
    assert "._orders_2025.csv" not in err


def test_a_mapping_glob_skips_hidden_files_and_lists_matched_folders(conn, tmp_path):
    source = tmp_path / "export"
    write(source / "lines_2025.csv", orders_csv("SO", 2))
    (source / "._lines_2025.csv").write_bytes(APPLE_DOUBLE)
    write(source / "old.csv" / "lines_2024.csv", orders_csv("OLD", 1))
    mapping = load_mapping(write(tmp_path / "mapping.yml", MAPPING))

    customers = load_entity(conn, source, "customers", mapping=mapping)
    orders = load_entity(conn, source, "orders", mapping=mapping)

    assert orders.files_seen == customers.files_seen == 1
    assert rows_per_file(conn) == {"lines_2025.csv": 2}
    assert orders.files_ignored == [
        (
            f"old.csv: a folder, matched by entities.orders.files in {mapping.path}; only files "
            "load, narrow the glob or rename it"
        )
    ]


# --- Silent acceptance: a file loaded changed instead of refused -----------------------------


def quarantined(conn) -> list[tuple]:
    return conn.execute(
        "SELECT source_file, source_row, column_name, rule FROM meta.quarantine ORDER BY ALL"
    ).fetchall()


def test_a_column_named_twice_rejects_the_file(conn, landing):
    path = write(
        landing / "orders" / "orders_2026.csv",
        "order_id,order_date,customer_id,product_id,quantity,net_revenue,net_revenue\n"
        "SO-9,2025-02-01,C1,P1,1,10.00,99.00\n",
    )

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, "orders")

    message = str(rejection.value)
    assert rejection.value.rule == "duplicate_column"
    assert str(path) in message and "net_revenue" in message
    assert "keep one column" in message and len(message.splitlines()) == 1
    assert conn.execute("SELECT source_file, rule FROM meta.rejected_batches").fetchall() == [
        (str(path), "duplicate_column")
    ]
    assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (0,)


def test_a_column_named_twice_in_another_case_rejects_the_file(conn, landing):
    write(
        landing / "orders" / "orders_2026.csv",
        orders_csv("X", 1)
        .replace("net_revenue\n", "net_revenue,Order_ID\n", 1)
        .replace(",10.00\n", ",10.00,X-9\n"),
    )

    with pytest.raises(BatchRejected, match=r"duplicate_column.*order_id"):
        load_entity(conn, landing, "orders")


def test_a_nul_byte_in_a_text_value_is_quarantined(conn, landing):
    lines = orders_csv("NUL", 30).encode() + b"NUL-31,2025-01-31,C\x001,P1,1,10.00\n"
    (landing / "orders" / "orders_2026.csv").write_bytes(lines)

    result = load_entity(conn, landing, "orders")

    assert quarantined(conn) == [("orders/orders_2026.csv", 31, "customer_id", "control_character")]
    assert result.quarantined_by_rule == {"control_character": 1}
    assert conn.execute(
        "SELECT count(*) FROM raw.orders WHERE contains(customer_id, chr(0))"
    ).fetchone() == (0,)


def test_a_parquet_boolean_is_not_a_quantity(conn, landing):
    # Read as a number, true was 1 and false 0: every line of this file is a wrong quantity.
    path = landing / "orders" / "orders_2026.parquet"
    duckdb.sql(
        "COPY (SELECT 'B-' || n AS order_id, DATE '2025-01-01' + n::INTEGER AS order_date, "
        "'C1' AS customer_id, 'P1' AS product_id, n = 1 AS quantity, 10.00 AS net_revenue "
        f"FROM range(1, 41) AS lines(n)) TO '{path}' (FORMAT parquet)"
    )

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, "orders")

    assert rejection.value.rule == "too_many_bad_rows"
    assert "not_a_number on quantity: 40 rows" in str(rejection.value)
    assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (0,)


def test_a_parquet_timestamp_with_a_time_of_day_is_quarantined_and_midnight_loads(conn, landing):
    # Forty lines at midnight (the day is all there is) and one at 14:22, which a date would cut.
    path = landing / "orders" / "orders_2026.parquet"
    duckdb.sql(
        "COPY (SELECT 'T-' || n AS order_id, TIMESTAMP '2025-02-01 00:00:00' "
        "+ CASE WHEN n = 41 THEN INTERVAL 14 HOUR + INTERVAL 22 MINUTE ELSE INTERVAL 0 HOUR END "
        "AS order_date, 'C1' AS customer_id, 'P1' AS product_id, 1 AS quantity, "
        f"10.00 AS net_revenue FROM range(1, 42) AS lines(n)) TO '{path}' (FORMAT parquet)"
    )

    result = load_entity(conn, landing, "orders")

    assert quarantined(conn) == [
        ("orders/orders_2026.parquet", 41, "order_date", "time_of_day_in_date")
    ]
    [(value, expectation)] = conn.execute(
        "SELECT value, expectation FROM meta.quarantine"
    ).fetchall()
    assert value == "2025-02-01 14:22:00"
    assert "export the date only" in expectation
    assert result.rows_loaded == 4 + 40
    assert conn.execute(
        "SELECT count(*), min(order_date), max(order_date) FROM raw.orders WHERE order_id LIKE 'T-%'"
    ).fetchone() == (40, date(2025, 2, 1), date(2025, 2, 1))


def test_an_amount_with_more_decimals_than_money_keeps_is_quarantined_not_rounded(conn, landing):
    write(
        landing / "orders" / "orders_2026.csv",
        HEADER
        + "".join(f"D-{n},2025-01-31,C1,P1,1,10.00\n" for n in range(1, 61))
        + "D-61,2025-01-31,C1,P1,1,123.456789\n"  # 123.4568 stored would lose 0.000011
        + "D-62,2025-01-31,C1,P1,1,16.448\n"  # a sub-cent price is kept exactly
        + "D-63,2025-01-31,C1,P1,1,0.30000000000000004\n",  # a float's artefact is not money
    )

    load_entity(conn, landing, "orders")

    assert quarantined(conn) == [
        ("orders/orders_2026.csv", 61, "net_revenue", "too_many_decimals"),
        ("orders/orders_2026.csv", 63, "net_revenue", "too_many_decimals"),
    ]
    [(expectation,)] = conn.execute("SELECT DISTINCT expectation FROM meta.quarantine").fetchall()
    assert expectation == (
        "net_revenue has more than 4 decimals and would be rounded: round it to 4 decimals "
        "in the export"
    )
    assert conn.execute(
        "SELECT CAST(net_revenue AS VARCHAR) FROM raw.orders WHERE order_id = 'D-62'"
    ).fetchone() == ("16.4480",)


def test_a_mapping_date_format_with_the_time_keeps_the_day_on_purpose(conn, tmp_path):
    export = tmp_path / "export"
    write(
        export / "sales.csv",
        "id,at,customer,product,qty,amount\n"
        "S-1,2025-03-04 09:15:00,C1,P1,1,10.00\nS-2,2025-03-05 17:40:00,C1,P1,1,12.00\n",
    )
    mapping_path = write(
        tmp_path / "mapping.yml",
        """\
entities:
  orders:
    files: "sales.csv"
    columns: {order_id: id, order_date: at, customer_id: customer, product_id: product,
              quantity: qty, net_revenue: amount}
    date_formats: {order_date: "%Y-%m-%d %H:%M:%S"}
  customers:
    from: orders
    columns: {customer_id: customer}
""",
    )
    mapping = load_mapping(mapping_path)

    load_entity(conn, export, "customers", mapping=mapping)
    load_entity(conn, export, "orders", mapping=mapping)

    assert quarantined(conn) == []
    assert conn.execute("SELECT order_id, order_date FROM raw.orders ORDER BY 1").fetchall() == [
        ("S-1", date(2025, 3, 4)),
        ("S-2", date(2025, 3, 5)),
    ]


# --- Conflicting duplicates: one customer, two versions ---------------------------------------


def customers_with(*rows: str) -> str:
    return "customer_id,customer_name,industry,region\n" + "".join(f"{row}\n" for row in rows)


def loaded_customers(conn) -> list[tuple]:
    return conn.execute(
        "SELECT customer_id, customer_name, region, _source_file FROM raw.customers ORDER BY ALL"
    ).fetchall()


def test_a_customer_two_files_describe_differently_is_quarantined_naming_both(conn, landing):
    # customers/customers.csv (the fixture) has C1 as Acme, Manufacturing, North.
    filler = [f"C{n},Firm {n},Retail,South" for n in range(2, 40)]
    write(
        landing / "customers" / "customers_update.csv",
        customers_with("C1,Acme Renamed,Manufacturing,West", "C1000,Newco,Retail,East", *filler),
    )
    write(landing / "customers" / "customers_copy.csv", customers_with("C1,Acme,Manufacturing,North"))

    result = load_entity(conn, landing, "customers")

    assert conn.execute(
        "SELECT source_file, source_row, column_name, rule, value, expectation FROM meta.quarantine"
    ).fetchall() == [
        (
            "customers/customers_update.csv", 1, "customer_id", "conflicting_duplicate", "C1",
            ("customer_id C1 is already loaded from customers/customers.csv row 1 with another "
            "customer_name, region: keep one version of it (correct or remove one of the two "
            "rows); this row was not loaded"),
        )
    ]
    assert result.quarantined_by_rule == {"conflicting_duplicate": 1}
    # The same customer told the same way twice is no conflict; the first file's version stands.
    assert [row for row in loaded_customers(conn) if row[0] == "C1"] == [
        ("C1", "Acme", "North", "customers/customers.csv"),
        ("C1", "Acme", "North", "customers/customers_copy.csv"),
    ]
    assert ("C1000", "Newco", "East", "customers/customers_update.csv") in loaded_customers(conn)


def test_which_version_of_a_customer_wins_does_not_depend_on_arrival_order(conn, landing):
    filler = [f"C{n},Firm {n},Retail,South" for n in range(2, 40)]
    # The later name arrives first; then a file sorting before it brings the other version.
    write(landing / "customers" / "customers.csv", customers_with("C1,Acme,Manufacturing,West", *filler))
    load_entity(conn, landing, "customers")
    write(landing / "customers" / "a_first.csv", customers_with("C1,Acme,Manufacturing,North"))

    result = load_entity(conn, landing, "customers")

    assert result.files_loaded == ["customers/a_first.csv"]
    assert result.files_reloaded == ["customers/customers.csv"]
    assert [row for row in loaded_customers(conn) if row[0] == "C1"] == [
        ("C1", "Acme", "North", "customers/a_first.csv")
    ]
    assert quarantined(conn) == [("customers/customers.csv", 1, "customer_id", "conflicting_duplicate")]
    # Removing the file that won lets the other version load, with no quarantine left behind.
    (landing / "customers" / "a_first.csv").unlink()
    load_entity(conn, landing, "customers")
    assert [row for row in loaded_customers(conn) if row[0] == "C1"] == [
        ("C1", "Acme", "West", "customers/customers.csv")
    ]
    assert quarantined(conn) == []
    assert conn.execute(
        "SELECT relative_path, change FROM meta.load_ledger_history ORDER BY changed_at, 1"
    ).fetchall() == [
        ("customers/customers.csv", "reloaded"),
        ("customers/a_first.csv", "removed"),
        ("customers/customers.csv", "reloaded"),
    ]


def test_a_second_customer_file_that_disagrees_throughout_is_refused_whole(conn, landing):
    write(landing / "customers" / "customers.csv", customers_with(
        *[f"C{n},Firm {n},Retail,South" for n in range(1, 40)]))
    load_entity(conn, landing, "customers")
    write(landing / "customers" / "customers_2026.csv", customers_with(
        *[f"C{n},Firm {n},Retail,North" for n in range(1, 40)]))

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, "customers")

    assert "conflicting_duplicate on customer_id: 39 rows" in str(rejection.value)
    assert (
        "the first, row 1 ('C1'): customer_id C1 is already loaded from customers/customers.csv "
        "row 1 with another region: keep one version of it"
    ) in str(rejection.value)
    assert {row[3] for row in loaded_customers(conn)} == {"customers/customers.csv"}


def test_a_raw_table_from_an_older_contract_is_loaded_again_at_the_new_types(conn, landing):
    write(landing / "orders" / "orders_2025.csv", HEADER + "SO-1,2025-01-01,C1,P1,1,16.448\n")
    load_entity(conn, landing, "orders")
    # As a working database written when money was kept in cents would have it.
    conn.execute("ALTER TABLE raw.orders ALTER net_revenue TYPE DECIMAL(18,2)")
    conn.execute("UPDATE raw.orders SET net_revenue = 16.45")

    result = load_entity(conn, landing, "orders")

    assert result.files_loaded == ["orders/orders_2025.csv"]
    assert conn.execute("SELECT CAST(net_revenue AS VARCHAR) FROM raw.orders").fetchall() == [
        ("16.4480",)
    ]
    assert conn.execute(
        "SELECT relative_path, change FROM meta.load_ledger_history"
    ).fetchall() == [("orders/orders_2025.csv", "contract_changed")]
