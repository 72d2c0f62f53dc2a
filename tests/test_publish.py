"""Publishing (orchestration/warehouse.py): the published file is a new database holding the
reader schemas of the working database, whole (definitions, constraints, comments, macros, rows)
and nothing of the line-level layers, which stay in the working database; it replaces the
published file in one rename, and a publish that fails leaves the old file as it was."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import scoring
from orchestration.warehouse import (
    PUBLISHED_SCHEMAS,
    publish,
    publish_staging_path,
    work_path,
    write_dictionary_database,
)

# A working database in miniature: every layer the real one has, the reader schemas with what a
# dbt build puts there (contract constraints, comments, a view, the scoring table macro, a macro
# in `main`), and order lines that must not be published.
WORKING_DATABASE_SQL = """
CREATE SCHEMA raw;
CREATE SCHEMA staging;
CREATE SCHEMA intermediate;
CREATE SCHEMA marts;
CREATE SCHEMA meta;
CREATE SCHEMA config;
CREATE SCHEMA snapshots;
CREATE SCHEMA scoring;
CREATE TABLE raw.orders (order_id VARCHAR NOT NULL, customer_id VARCHAR, net_revenue DECIMAL(18, 2));
COMMENT ON TABLE raw.orders IS 'One row per order line.';
COMMENT ON COLUMN raw.orders.net_revenue IS 'Revenue of the line.';
CREATE VIEW staging.stg_orders AS SELECT * FROM raw.orders;
CREATE TABLE intermediate.int_customer_economics AS
    SELECT customer_id, sum(net_revenue) AS revenue FROM raw.orders GROUP BY customer_id;
CREATE TABLE marts.customer_metrics (
    customer_id VARCHAR PRIMARY KEY,
    revenue_t12m DECIMAL(18, 2) NOT NULL CHECK (revenue_t12m >= 0),
    revenue_tier VARCHAR DEFAULT 'C'
);
COMMENT ON TABLE marts.customer_metrics IS 'One row per customer.';
COMMENT ON COLUMN marts.customer_metrics.revenue_t12m IS 'Revenue, trailing 12 months.';
INSERT INTO marts.customer_metrics VALUES ('C1', 300, 'A'), ('C2', 200, 'B'), ('C3', 100, 'C');
CREATE VIEW marts.tier_a_customers AS SELECT * FROM marts.customer_metrics WHERE revenue_tier = 'A';
COMMENT ON VIEW marts.tier_a_customers IS 'The customers of revenue tier A.';
COMMENT ON COLUMN marts.tier_a_customers.customer_id IS 'The customer.';
CREATE TABLE meta.load_ledger (entity VARCHAR, relative_path VARCHAR, rows BIGINT,
                               PRIMARY KEY (entity, relative_path));
INSERT INTO meta.load_ledger VALUES ('orders', 'orders/orders.csv', 3);
CREATE TABLE config.scorecard_definitions (definition_name VARCHAR NOT NULL, top_n INTEGER);
INSERT INTO config.scorecard_definitions VALUES ('balanced', 2);
CREATE TABLE snapshots.key_account_scorecard_snapshot (customer_id VARCHAR, dbt_valid_from TIMESTAMP);
CREATE MACRO scoring.best_customers(customers_table, top_n := 2) AS TABLE
    SELECT customer_id FROM query_table(customers_table) ORDER BY revenue_t12m DESC LIMIT top_n;
CREATE MACRO main.share(part, whole) AS part / nullif(whole, 0);
CREATE TABLE main.scratch AS SELECT 1 AS x;
"""


def _working_database(warehouse: Path, order_lines: int = 1_000) -> Path:
    warehouse.parent.mkdir(exist_ok=True)
    with duckdb.connect(str(work_path(warehouse))) as conn:
        conn.execute(WORKING_DATABASE_SQL)
        conn.execute(
            "INSERT INTO raw.orders SELECT md5(range::VARCHAR), 'C' || (range % 3 + 1), 100 "
            "FROM range(?)",
            [order_lines],
        )
    return warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return _working_database(tmp_path / "warehouse.duckdb")


@pytest.fixture
def published(warehouse: Path) -> Path:
    return publish(warehouse)


def _reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the file at `path` as it is now, opened as the dashboard opens
    it: a connection to the path would be served from DuckDB's per-process cache of databases."""
    conn = duckdb.connect()
    conn.execute(f"ATTACH '{path}' AS warehouse (READ_ONLY)")
    conn.execute("USE warehouse")
    return conn


def _catalog(conn: duckdb.DuckDBPyConnection, database: str, schemas: tuple[str, ...]) -> dict:
    """What the catalog says of `schemas` in `database`: definitions and comments."""
    queries = {
        "tables": "SELECT database_name, schema_name, table_name, sql, comment FROM duckdb_tables()",
        "views": "SELECT database_name, schema_name, view_name, sql, comment FROM duckdb_views()",
        "columns": "SELECT database_name, schema_name, table_name, column_name, data_type, "
        "column_default, is_nullable, comment FROM duckdb_columns()",
        "constraints": "SELECT database_name, schema_name, table_name, constraint_type, "
        "constraint_text FROM duckdb_constraints()",
        "macros": "SELECT database_name, schema_name, function_name, function_type, parameters, "
        "macro_definition FROM duckdb_functions()",
    }
    return {
        kind: conn.execute(
            f"SELECT * EXCLUDE (database_name) FROM ({query}) "
            "WHERE database_name = ? AND list_contains(?, schema_name) ORDER BY ALL",
            [database, list(schemas)],
        ).fetchall()
        for kind, query in queries.items()
    }


def _schemas_with_objects(conn: duckdb.DuckDBPyConnection, database: str) -> set[str]:
    return {
        schema
        for (schema,) in conn.execute(
            """
            SELECT schema_name FROM duckdb_tables() WHERE database_name = $1
            UNION SELECT schema_name FROM duckdb_views() WHERE database_name = $1 AND NOT internal
            UNION SELECT schema_name FROM duckdb_functions() WHERE database_name = $1
            """,
            [database],
        ).fetchall()
    }


@pytest.fixture
def both(warehouse: Path, published: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The working database and the published file, attached side by side."""
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{work_path(warehouse)}' AS working (READ_ONLY)")
        conn.execute(f"ATTACH '{published}' AS published (READ_ONLY)")
        yield conn


def test_the_published_file_holds_the_reader_schemas_and_no_line_level_layer(both):
    schemas = {
        schema
        for (schema,) in both.execute(
            "SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'published' AND NOT internal"
        ).fetchall()
    }
    assert schemas == set(PUBLISHED_SCHEMAS)
    assert _schemas_with_objects(both, "published") == {*PUBLISHED_SCHEMAS, "main"}
    # Of `main`, only its macros: a table there is not for readers.
    assert both.execute(
        "SELECT function_name FROM duckdb_functions() WHERE database_name = 'published' "
        "AND schema_name = 'main'"
    ).fetchall() == [("share",)]
    assert both.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'published' AND schema_name = 'main'"
    ).fetchone() == (0,)
    for schema, table in both.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'working' "
        "AND list_contains(?, schema_name)",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall():
        published_rows = f"FROM published.{schema}.{table}"
        working_rows = f"FROM working.{schema}.{table}"
        assert both.execute(f"{published_rows} EXCEPT ALL {working_rows}").fetchall() == []
        assert both.execute(f"{working_rows} EXCEPT ALL {published_rows}").fetchall() == []


def test_definitions_constraints_comments_and_macros_survive(both):
    catalog = _catalog(both, "published", PUBLISHED_SCHEMAS)
    assert catalog == _catalog(both, "working", PUBLISHED_SCHEMAS)
    assert ("marts", "customer_metrics", "One row per customer.") in {
        (schema, table, comment) for schema, table, _, comment in catalog["tables"]
    }
    assert ("marts", "tier_a_customers", "The customers of revenue tier A.") in {
        (schema, view, comment) for schema, view, _, comment in catalog["views"]
    }
    assert ("marts", "tier_a_customers", "customer_id", "VARCHAR", None, True, "The customer.") in (
        catalog["columns"]
    )

    both.execute("USE published")
    # The macros work there, with their parameter defaults (which duckdb_functions() leaves out).
    assert both.execute(
        "SELECT customer_id FROM scoring.best_customers('marts.customer_metrics')"
    ).fetchall() == [("C1",), ("C2",)]
    assert both.execute("SELECT share(1, 4)").fetchone() == (0.25,)
    assert both.execute("FROM marts.tier_a_customers").fetchall() == [("C1", 300, "A")]


def test_the_published_constraints_still_hold(published):
    with duckdb.connect(str(published)) as conn:
        for broken in (
            "INSERT INTO marts.customer_metrics VALUES ('C4', NULL, 'A')",  # NOT NULL
            "INSERT INTO marts.customer_metrics VALUES ('C4', -1, 'A')",  # CHECK
            "INSERT INTO marts.customer_metrics VALUES ('C1', 1, 'A')",  # PRIMARY KEY
            "INSERT INTO meta.load_ledger VALUES ('orders', 'orders/orders.csv', 1)",
        ):
            with pytest.raises(duckdb.ConstraintException):
                conn.execute(broken)
        conn.execute("INSERT INTO marts.customer_metrics (customer_id, revenue_t12m) VALUES ('C4', 1)")
        assert conn.execute(
            "SELECT revenue_tier FROM marts.customer_metrics WHERE customer_id = 'C4'"
        ).fetchone() == ("C",)


def test_the_published_file_does_not_grow_with_the_order_lines(tmp_path):
    few = publish(_working_database(tmp_path / "few" / "warehouse.duckdb", order_lines=10))
    many = publish(_working_database(tmp_path / "many" / "warehouse.duckdb", order_lines=1_000_000))

    assert work_path(many).stat().st_size > 10 * work_path(few).stat().st_size
    assert many.stat().st_size == few.stat().st_size


def test_a_second_publish_replaces_the_file_in_one_rename(warehouse, published):
    old_reader = _reader(published)
    with duckdb.connect(str(work_path(warehouse))) as conn:
        conn.execute("UPDATE marts.customer_metrics SET revenue_t12m = revenue_t12m + 1")

    publish(warehouse)

    total = "SELECT sum(revenue_t12m) FROM marts.customer_metrics"
    # A reader that had the old file open goes on reading it whole; the next one reads the new.
    with old_reader, _reader(published) as new_reader:
        assert old_reader.execute(total).fetchone() == (600,)
        assert new_reader.execute(total).fetchone() == (603,)
    assert sorted(path.name for path in published.parent.iterdir()) == [
        "warehouse.duckdb", "warehouse.work.duckdb"
    ]


def _state(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns, path.read_bytes()


def test_a_publish_that_fails_leaves_the_published_file_and_no_staging_file(
    warehouse, published, monkeypatch
):
    before = _state(published)

    def failing_fsync(descriptor: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        publish(warehouse)

    assert _state(published) == before
    assert sorted(path.name for path in published.parent.iterdir()) == [
        "warehouse.duckdb", "warehouse.work.duckdb"
    ]


def test_a_published_view_that_reads_an_unpublished_table_fails_the_publish(warehouse, published):
    before = _state(published)
    with duckdb.connect(str(work_path(warehouse))) as conn:
        conn.execute("CREATE VIEW marts.order_lines AS SELECT * FROM staging.stg_orders")

    with pytest.raises(duckdb.CatalogException, match="staging"):
        publish(warehouse)

    assert _state(published) == before
    assert not publish_staging_path(published).exists()


def test_what_a_publish_that_died_left_is_removed(warehouse):
    staging = publish_staging_path(warehouse)
    staging.write_bytes(b"half a file")
    staging.with_name(f"{staging.name}.wal").write_bytes(b"half a log")

    publish(warehouse)

    assert sorted(path.name for path in warehouse.parent.iterdir()) == [
        "warehouse.duckdb", "warehouse.work.duckdb"
    ]
    with _reader(warehouse) as reader:
        assert reader.execute("SELECT count(*) FROM marts.customer_metrics").fetchone() == (3,)


def test_the_dictionary_database_has_every_definition_and_no_order_line(warehouse, published, tmp_path):
    dictionary = tmp_path / "dictionary" / "warehouse.duckdb"
    dictionary.parent.mkdir()

    write_dictionary_database(published, dictionary)

    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{work_path(warehouse)}' AS working (READ_ONLY)")
        conn.execute(f"ATTACH '{dictionary}' AS dictionary (READ_ONLY)")
        every_schema = ("raw", "staging", "intermediate", *PUBLISHED_SCHEMAS)
        assert _catalog(conn, "dictionary", every_schema) == _catalog(conn, "working", every_schema)
        assert conn.execute("SELECT count(*) FROM dictionary.raw.orders").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM dictionary.marts.customer_metrics").fetchone() == (3,)


# --- the demo warehouse --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{work_path(demo_warehouse)}' AS working (READ_ONLY)")
        conn.execute(f"ATTACH '{demo_warehouse}' AS published (READ_ONLY)")
        yield conn


@pytest.mark.pipeline
def test_the_demo_publishes_its_reader_schemas_whole(demo):
    assert _schemas_with_objects(demo, "published") == set(PUBLISHED_SCHEMAS)
    assert {"raw", "staging", "intermediate"} <= _schemas_with_objects(demo, "working")
    catalog = _catalog(demo, "published", PUBLISHED_SCHEMAS)
    assert catalog == _catalog(demo, "working", PUBLISHED_SCHEMAS)
    # A mart's contract and its descriptions, as dbt built them.
    [(sql, comment)] = [
        (sql, comment) for schema, table, sql, comment in catalog["tables"]
        if (schema, table) == ("marts", "customer_metrics")
    ]
    assert "customer_id VARCHAR NOT NULL" in sql
    assert comment.startswith("One row per customer, as of the reporting date:")
    assert ("PRIMARY KEY", "PRIMARY KEY(entity, relative_path)") in {
        (kind, text) for schema, table, kind, text in catalog["constraints"]
        if (schema, table) == ("meta", "load_ledger")
    }
    assert all(comment for schema, *_, comment in catalog["columns"] if schema == "marts")
    for schema, table, *_ in catalog["tables"]:
        published_rows, working_rows = demo.execute(
            f"SELECT (SELECT count(*) FROM published.{schema}.{table}), "
            f"(SELECT count(*) FROM working.{schema}.{table})"
        ).fetchone()
        assert published_rows == working_rows, f"{schema}.{table}"


@pytest.mark.pipeline
def test_the_scoring_macro_works_in_the_published_demo_file(demo_warehouse):
    """The dashboard's what-if calls it on the published file alone, opened as the dashboard
    opens it; it picks what the warehouse picked."""
    with _reader(demo_warehouse) as reader:

        def run(sql: str, params: tuple = ()) -> pd.DataFrame:
            return reader.execute(sql, list(params)).df()

        balanced = scoring.presets(run)["balanced"]
        what_if = scoring.what_if_scores(
            balanced, run, columns=["customer_id", "is_key_account_computed"]
        )
        scorecard = run(
            "SELECT customer_id, is_key_account_computed FROM marts.key_account_scorecard "
            "WHERE definition_name = 'balanced'"
        )
    assert len(what_if) == len(scorecard) > 0
    assert set(what_if.loc[what_if["is_key_account_computed"], "customer_id"]) == set(
        scorecard.loc[scorecard["is_key_account_computed"], "customer_id"]
    )


@pytest.mark.pipeline
def test_the_demo_published_file_is_a_fraction_of_the_working_one(demo_warehouse):
    # Measured: 10.2 MB against 27.8 MB (0.37); at this size every table's first blocks weigh in,
    # and the working database grows with each order line where the published file does not.
    published, working = demo_warehouse.stat().st_size, work_path(demo_warehouse).stat().st_size
    assert published < 0.5 * working, (published, working)
