"""The Spark path's own helpers, without Spark: the raw tables written as Parquet for it, and the
comparison of its marts with DuckDB's (orchestration/spark.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.spark import compare_marts, export_raw_tables, spark_table_path


def test_every_raw_table_is_written_as_parquet_in_a_type_spark_reads(tmp_path):
    work = tmp_path / "warehouse.work.duckdb"
    with duckdb.connect(str(work)) as conn:
        conn.execute("create schema raw")
        conn.execute("create table raw.orders as select 'O1' as order_id, 12.50::decimal(18, 2) as amount, "
                     "42::hugeint as big, 7::ubigint as unsigned, timestamptz '2025-06-30 14:05:09+00' as loaded_at")
        conn.execute("create table raw.customers as select 'C1' as customer_id")
    raw = tmp_path / "raw"
    (raw / "orders").mkdir(parents=True)
    (raw / "orders" / "stale.parquet").write_text("an earlier export")

    assert export_raw_tables(work, raw) == {"customers": 1, "orders": 1}
    assert sorted(path.name for path in (raw / "orders").iterdir()) == ["part-0.parquet"]
    with duckdb.connect() as conn:
        types = dict(conn.execute(f"select column_name, column_type from (describe select * from '{raw}/orders/*.parquet')").fetchall())
        row = conn.execute(f"select * from '{raw}/orders/*.parquet'").fetchone()
    assert types == {"order_id": "VARCHAR", "amount": "DECIMAL(18,2)", "big": "DECIMAL(38,0)",
                     "unsigned": "DECIMAL(20,0)", "loaded_at": "TIMESTAMP"}
    assert row[:4] == ("O1", pytest.approx(12.5), 42, 7)


@pytest.fixture
def engines(tmp_path) -> tuple[Path, Path]:
    """A DuckDB warehouse and a Spark folder holding the same two marts."""
    warehouse = tmp_path / "warehouse.duckdb"
    spark_dir = tmp_path / "spark"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.customer_metrics as select * from (values "
                     "('C1', 'Acme', 1000.00::decimal(18, 2), 0.25::double, true), "
                     "('C2', 'Bolt', 20.00::decimal(18, 2), null::double, false)) "
                     "as t(customer_id, customer_name, revenue_t12m, share_of_wallet, is_active)")
        for table in ("customer_metrics",):
            folder = spark_table_path(spark_dir, "marts", table)
            folder.mkdir(parents=True)
            conn.execute(f"copy marts.{table} to '{folder / 'part-0.parquet'}' (format parquet)")
    return spark_dir, warehouse


def spark_rows(spark_dir: Path, sql: str) -> None:
    """Replace Spark's customer_metrics with `sql` over the current rows (`t`)."""
    folder = spark_table_path(spark_dir, "marts", "customer_metrics")
    with duckdb.connect() as conn:
        conn.execute(f"create table t as select * from '{folder}/*.parquet'")
        conn.execute(f"copy ({sql}) to '{folder / 'part-0.parquet'}' (format parquet)")


def test_equal_marts_agree(engines):
    spark_dir, warehouse = engines
    assert compare_marts(spark_dir, warehouse, {"customer_metrics": ["customer_id"]}) == []


def test_an_amount_within_a_cent_and_a_figure_within_1e_9_agree(engines):
    spark_dir, warehouse = engines
    spark_rows(spark_dir, "select customer_id, customer_name, revenue_t12m + 0.01 as revenue_t12m, "
               "share_of_wallet + 1e-10 as share_of_wallet, is_active from t")
    assert compare_marts(spark_dir, warehouse, {"customer_metrics": ["customer_id"]}) == []


def test_every_kind_of_difference_is_named_with_an_example(engines):
    spark_dir, warehouse = engines
    spark_rows(spark_dir, "select customer_id, customer_name, revenue_t12m + 0.02 as revenue_t12m, "
               "coalesce(share_of_wallet, 0.5) as share_of_wallet, not is_active as is_active "
               "from t where customer_id = 'C2' union all select 'C3', 'Cato', 5, 0.1, true")
    assert compare_marts(spark_dir, warehouse, {"customer_metrics": ["customer_id"], "whale_curve": ["customer_id"]}) == [
        "customer_metrics: 2 rows on DuckDB, 2 on Spark; 1 only on DuckDB, 1 only on Spark",
        "customer_metrics.revenue_t12m: 1 rows differ, e.g. C2: DuckDB 20.00, Spark 20.02",
        "customer_metrics.share_of_wallet: 1 rows differ, e.g. C2: DuckDB None, Spark 0.5",
        "customer_metrics.is_active: 1 rows differ, e.g. C2: DuckDB false, Spark true",
        "whale_curve: Spark built no such table",
    ]
