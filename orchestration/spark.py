"""The Spark engine: the same dbt project built on Spark from the loader's accepted rows.

Loading, its rules and its checks run as on DuckDB (the working database holds the accepted rows
in `raw`); the raw tables are then written as Parquet, one folder per table, which the dbt project
registers with Spark on every invocation (dbt_project/macros/spark_sources.sql) before building
every model there. dbt runs from an environment of its own (`.venv-spark`, `make setup-spark`),
whose pyspark brings Spark's jars; Java 17 comes from the system."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import duckdb

from orchestration.warehouse import DBT_PROJECT_DIR, PROJECT_ROOT, work_path

SPARK_ENVIRONMENT = PROJECT_ROOT / ".venv-spark"
# DuckDB types Spark's Parquet reader has no counterpart for, written as one it has.
_SPARK_TYPES = {"HUGEINT": "DECIMAL(38, 0)", "UBIGINT": "DECIMAL(20, 0)", "UINTEGER": "BIGINT",
                "USMALLINT": "INTEGER", "UTINYINT": "SMALLINT", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
                "TIME": "VARCHAR", "UUID": "VARCHAR", "INTERVAL": "VARCHAR"}


def export_raw_tables(work_database: Path, raw_dir: Path) -> dict[str, int]:
    """Write every table of the working database's `raw` schema to `raw_dir/<table>/` as Parquet;
    the rows written per table. A folder from an earlier export is replaced whole."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with duckdb.connect(str(work_database), read_only=True) as conn:
        tables = [row[0] for row in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()]
        for table in tables:
            columns = conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            select = ", ".join(
                f'cast("{name}" as {_SPARK_TYPES[kind]}) as "{name}"' if kind in _SPARK_TYPES else f'"{name}"'
                for name, kind in columns
            )
            target = raw_dir / table
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            conn.execute(f"copy (select {select} from raw.\"{table}\") to '{target / 'part-0.parquet'}' (format parquet)")
            written[table] = conn.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    return written


def dbt_on_spark(arguments: list[str], spark_dir: Path, *, env: dict[str, str] | None = None,
                 **kwargs) -> subprocess.CompletedProcess:
    """Run `dbt <arguments>` against the `spark` target, its catalog and tables in `spark_dir`."""
    dbt = SPARK_ENVIRONMENT / "bin" / "dbt"
    if not dbt.exists():
        raise FileNotFoundError(
            f"The Spark environment is not installed ({dbt} is missing): run `make setup-spark`."
        )
    environment = {**os.environ, **(env or {}), "KAM_SPARK_DIR": str(spark_dir),
                   "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR)}
    return subprocess.run(
        [str(dbt), *arguments, "--target", "spark", "--project-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(spark_dir / "dbt-target"), "--log-path", str(spark_dir / "dbt-logs")],
        cwd=spark_dir, env=environment, check=False, **kwargs,
    )


# The marts compared between the engines, each with the columns that identify a row.
COMPARED_MARTS = {
    "customer_metrics": ["customer_id"],
    "scorecard_attributes": ["customer_id"],
    "key_account_scorecard": ["definition_name", "customer_id"],
    "portfolio_key_accounts": ["definition_name"],
    "portfolio_concentration": ["reporting_date"],
    "key_account_quarterly_history": ["definition_name", "customer_id", "quarter_end"],
    "portfolio_quarterly": ["definition_name", "quarter_end"],
    "definition_backtest": ["definition_name"],
    "review_list": ["customer_id", "review_topic"],
    "portfolio_matrix": ["axes_name", "customer_id", "quarter_end"],
    "portfolio_matrix_effort": ["axes_name", "account_manager_id"],
    "portfolio_matrix_forecast": ["axes_name", "customer_id"],
}
# An amount may differ by a cent (a sum rounded in another order); any other figure (a share, a
# score) by no more than this.
MONEY_TOLERANCE = 0.01
FIGURE_TOLERANCE = 1e-9
_MONEY_WORDS = ("revenue", "contribution", "cost", "wallet", "headroom", "amount", "margin_t12m",
                "gross_margin", "target", "actual")


def spark_table_path(spark_dir: Path, schema: str, table: str) -> Path:
    """Where Spark's session catalog keeps a table's Parquet files."""
    return spark_dir / "warehouse" / f"{schema}.db" / table


def compare_marts(spark_dir: Path, warehouse: Path, marts: dict[str, list[str]] = COMPARED_MARTS) -> list[str]:
    """Every difference between the marts Spark built in `spark_dir` and the DuckDB warehouse's:
    rows missing on either side, and values that differ (text, dates and flags exactly; amounts by
    more than a cent, other numbers by more than 1e-9). An empty list: the engines agree."""
    differences: list[str] = []
    with duckdb.connect() as conn:
        conn.execute(f"attach '{warehouse}' as duck (read_only)")
        for table, keys in marts.items():
            spark_files = spark_table_path(spark_dir, "marts", table)
            if not spark_files.exists():
                differences.append(f"{table}: Spark built no such table")
                continue
            conn.execute(f"create or replace temp view spark_side as select * from read_parquet('{spark_files}/*.parquet')")
            duck_columns = dict(conn.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_catalog = 'duck' and table_schema = 'marts' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall())
            spark_columns = [row[0] for row in conn.execute("describe spark_side").fetchall()]
            if missing := [column for column in duck_columns if column not in spark_columns]:
                differences.append(f"{table}: columns missing on Spark: {', '.join(missing)}")
            on = " and ".join(f"d.{key} is not distinct from s.{key}" for key in keys)
            counts = conn.execute(
                f"select (select count(*) from duck.marts.{table}), (select count(*) from spark_side), "
                f"(select count(*) from duck.marts.{table} d where not exists (select 1 from spark_side s where {on})), "
                f"(select count(*) from spark_side s where not exists (select 1 from duck.marts.{table} d where {on}))"
            ).fetchone()
            if counts[0] != counts[1] or counts[2] or counts[3]:
                differences.append(
                    f"{table}: {counts[0]:,} rows on DuckDB, {counts[1]:,} on Spark; "
                    f"{counts[2]:,} only on DuckDB, {counts[3]:,} only on Spark"
                )
            for column, kind in duck_columns.items():
                if column in keys or column not in spark_columns:
                    continue
                numeric = kind.upper().startswith(("DOUBLE", "FLOAT", "DECIMAL", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT"))
                # Amounts compared as exact decimals: a cent apart in double is 0.010000000000001563.
                money = any(word in column for word in _MONEY_WORDS)
                as_number = "decimal(38, 6)" if money else "double"
                tolerance = MONEY_TOLERANCE if money else FIGURE_TOLERANCE
                differs = (
                    f"(d.{column} is null) <> (s.{column} is null) "
                    f"or abs(cast(d.{column} as {as_number}) - cast(s.{column} as {as_number})) > {tolerance}"
                    if numeric else
                    f"cast(d.{column} as varchar) is distinct from cast(s.{column} as varchar)"
                )
                found = conn.execute(
                    f"select count(*), any_value(concat_ws(' / ', {', '.join(f'cast(d.{key} as varchar)' for key in keys)})), "
                    f"any_value(cast(d.{column} as varchar)), any_value(cast(s.{column} as varchar)) "
                    f"from duck.marts.{table} d join spark_side s on {on} where {differs}"
                ).fetchone()
                if found[0]:
                    differences.append(
                        f"{table}.{column}: {found[0]:,} rows differ, e.g. {found[1]}: DuckDB {found[2]}, Spark {found[3]}"
                    )
    return differences


def default_spark_dir(warehouse: Path) -> Path:
    """Where the Spark build of a warehouse lives: `spark/` beside it (its Parquet inputs, Spark's
    tables and catalog, dbt's logs)."""
    return warehouse.parent / "spark"


def build_on_spark(warehouse: Path, spark_dir: Path, *, say=print) -> int:
    """Export the accepted raw rows of `warehouse`'s last run and build the dbt project on Spark in
    `spark_dir` (every table anew); dbt's exit code. dbt's progress lines go to this process's
    output; Spark's own messages (Java warnings, query plans) to `spark_dir/spark.log`."""
    work = work_path(warehouse)
    if not work.exists():
        raise FileNotFoundError(f"No working database at {work}: run `kam run` first; Spark builds "
                                "from the rows it accepted.")
    spark_dir.mkdir(parents=True, exist_ok=True)
    # Spark's catalog lives in the dbt process (dbt_project/profiles.yml): tables a build before
    # this one left in the warehouse folder are unknown to it and would block their own re-creation.
    shutil.rmtree(spark_dir / "warehouse", ignore_errors=True)
    started = time.monotonic()
    written = export_raw_tables(work, spark_dir / "raw")
    say(f"[{time.monotonic() - started:6.1f}s] wrote {len(written)} raw tables as Parquet "
        f"({sum(written.values()):,} rows) to {spark_dir / 'raw'}")
    with (spark_dir / "spark.log").open("w", encoding="utf-8") as spark_log:
        finished = dbt_on_spark(["build"], spark_dir, stderr=spark_log)
    say(f"[{time.monotonic() - started:6.1f}s] dbt build on Spark "
        + ("succeeded" if finished.returncode == 0 else f"failed (exit {finished.returncode}); "
           f"Spark's messages: {spark_dir / 'spark.log'}"))
    return finished.returncode
