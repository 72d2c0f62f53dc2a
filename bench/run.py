"""Benchmarks: demo-data generation, ingestion (native and through a column mapping), the
checks, the dbt build, the dashboard pages, and `kam run` end to end (a full build, a day with
nothing new, one new day) against the one-query floor and a pandas script, at several sizes.

    python bench/run.py                       # 1M and 10M order lines
    python bench/run.py --lines 200000        # one smaller size
    python bench/run.py --phases generate export mapped_ingest   # some phases only
    python bench/run.py --phases generate kam_run kam_run_nothing_new kam_run_new_day \
        one_query_floor pandas_core_metrics                     # daily runs against the floor

Each phase runs in its own child process so its peak memory (max RSS, including any process it
starts) is measured on its own. Prints a Markdown table for docs/benchmarks.md and writes the raw
figures to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LINES_PER_CUSTOMER = 100


# The generator draws a whole world in memory (2.3 GB at 10M lines). A larger size is that many
# copies of a 10M-line world under distinct customer, manager and order ids, written by DuckDB one
# file at a time, so generating 100M lines (1M customers) stays within this machine's memory.
LARGEST_GENERATED_LINES = 10_000_000
_IDS_MADE_DISTINCT = ("customer_id", "account_manager_id", "order_id")


def phase_generate(workdir: Path, lines: int) -> dict:
    from demo.generator import generate

    world = min(lines, LARGEST_GENERATED_LINES)
    if lines % world:
        raise SystemExit(f"sizes above {LARGEST_GENERATED_LINES:,} lines must be a multiple of it")
    summary = generate(workdir / "landing", customers=world // LINES_PER_CUSTOMER, lines=world, seed=7)
    copies = lines // world
    if copies > 1:
        _copy_world(workdir / "landing", copies)
    return {"rows": summary.rows["orders"] * copies, "copies_of_a_generated_world": copies}


def _copy_world(landing: Path, copies: int) -> None:
    """Copies 2..`copies` of every landing file that belongs to customers or managers, each with
    `-<copy>` after every customer, manager and order id (products and their costs are shared)."""
    import duckdb

    with duckdb.connect() as conn:
        for path in sorted(landing.glob("*/*.csv")):
            columns = [row[0] for row in conn.execute(
                f"DESCRIBE SELECT * FROM read_csv('{path}', all_varchar = true)"
            ).fetchall()]
            ids = [column for column in columns if column in _IDS_MADE_DISTINCT]
            if not ids:
                continue
            for copy in range(2, copies + 1):
                renamed = ", ".join(f"{column} || '-{copy}' AS {column}" for column in ids)
                conn.execute(
                    f"COPY (SELECT * REPLACE ({renamed}) FROM read_csv('{path}', all_varchar = true)) "
                    f"TO '{path.with_name(f'{path.stem}-copy{copy}.csv')}' (HEADER)"
                )


def phase_ingest(workdir: Path, lines: int) -> dict:
    import duckdb

    from loading.contract import ENTITIES
    from loading.ingest import load_entity

    with duckdb.connect(str(workdir / "work.duckdb")) as conn:
        loaded = sum(load_entity(conn, workdir / "landing", name).rows_loaded for name in ENTITIES)
    return {"rows": loaded}


def phase_checks(workdir: Path, lines: int) -> dict:
    """Every entity's expectation suites on the ingested database (rows = all entities), including
    Great Expectations' import; `validation_seconds` leaves the import out."""
    from expectations.validate import validate_all

    validations = validate_all(workdir / "work.duckdb")
    return {
        "rows": sum(v.rows for v in validations),
        "validation_seconds": round(sum(v.seconds for v in validations), 2),
        "entity_seconds": {v.entity: round(v.seconds, 2) for v in validations},
    }


# An ERP-style export of the generated order lines: one wide file, its own column names, US dates,
# profit instead of cost, customers and products only as attributes of the lines.
EXPORT_MAPPING = """
currency: EUR
entities:
  orders:
    files: "sales_export.csv"
    columns:
      order_id: Order No
      order_date: Order Date
      customer_id: Customer
      product_id: Item
      quantity: Qty
      net_revenue: Sales
    date_formats:
      order_date: M/D/YYYY
    types:
      Line: INTEGER
      Sales: DECIMAL(18, 2)
      Profit: DECIMAL(18, 2)
    expressions:
      cost_amount: '"Sales" - "Profit"'
      line_number: '"Line"'
    filters:
      - "Status <> 'cancelled'"
  customers:
    from: orders
    columns:
      customer_id: Customer
      customer_name: Customer Name
      industry: Industry
      region: Region
  products:
    from: orders
    columns:
      product_id: Item
      category: Category
"""


def phase_export(workdir: Path, lines: int) -> dict:
    """Write the generated order lines as one wide export file (setup for mapped_ingest)."""
    import duckdb

    landing = workdir / "landing"
    export = workdir / "export"
    export.mkdir(exist_ok=True)
    with duckdb.connect() as conn:
        conn.execute(
            f"""
            COPY (
                SELECT o.order_id AS "Order No", o.line_number AS "Line",
                       strftime(o.order_date, '%-m/%-d/%Y') AS "Order Date",
                       o.customer_id AS "Customer", c.customer_name AS "Customer Name",
                       c.industry AS "Industry", c.region AS "Region",
                       o.product_id AS "Item", p.category AS "Category",
                       o.quantity AS "Qty", o.net_revenue AS "Sales",
                       o.net_revenue - o.cost_amount AS "Profit", 'booked' AS "Status"
                FROM read_csv('{landing}/orders/*.csv') o
                JOIN read_csv('{landing}/customers/*.csv') c USING (customer_id)
                LEFT JOIN read_csv('{landing}/products/*.csv') p USING (product_id)
            ) TO '{export}/sales_export.csv' (HEADER)
            """
        )
    (workdir / "export.yml").write_text(EXPORT_MAPPING)
    return {"rows": lines}


def phase_mapped_ingest(workdir: Path, lines: int) -> dict:
    """The export through its column mapping into a fresh database: orders, and the customers and
    products built from the order lines (rows = all three)."""
    import duckdb

    from loading.ingest import entities_in_load_order, load_entity
    from loading.mapping import load_mapping

    mapping = load_mapping(workdir / "export.yml")
    with duckdb.connect(str(workdir / "mapped.duckdb")) as conn:
        loaded = sum(
            load_entity(conn, workdir / "export", name, mapping=mapping).rows_loaded
            for name in entities_in_load_order()
        )
    return {"rows": loaded}


def phase_reingest(workdir: Path, lines: int) -> dict:
    """The same files again: a daily run with nothing new should cost checksums, not a reload."""
    result = phase_ingest(workdir, lines)
    return {"rows": result["rows"]}


def phase_dbt_build(workdir: Path, lines: int) -> dict:
    """`dbt build` (models, snapshots, seeds and every data test) on the ingested database. On a
    database built before, it is the daily rebuild: `dbt_rebuild`."""
    from orchestration.resources import DBT_PROJECT_DIR, dbt_project

    project = dbt_project()
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [
            str(dbt), "build", "--quiet",
            "--project-dir", str(project.project_dir), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
            "--vars", json.dumps({"warehouse_path": str(workdir / "work.duckdb")}),
        ],
        check=True,
    )
    return {"rows": lines}


def phase_dashboard(workdir: Path, lines: int) -> dict:
    """Render every dashboard page once, cold (first query of each), on the built warehouse.
    Per-page seconds go to the results file; the phase's time is the slowest page.

    What a sales leader waits for is the page's queries and charts: the libraries a running
    dashboard server has loaded once are imported and its runtime started before the clock
    starts, and the caches are cleared before every page so no page profits from another's
    queries."""
    import plotly.subplots  # noqa: F401  (imported once per server, not per page)
    import streamlit as st
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    import dashboard.scoring  # noqa: F401

    os.environ["KAM_WAREHOUSE"] = str(workdir / "work.duckdb")
    config.set_option("runner.magicEnabled", False)  # as `kam dashboard` serves the pages
    # The first script in a process pays for starting Streamlit's runtime and for plotly loading
    # its figure validators (about 4 s together), which a server pays once after start-up.
    AppTest.from_string(
        "import plotly.graph_objects as go\nimport streamlit as st\n"
        "st.plotly_chart(go.Figure([go.Bar(x=[1], y=[1]), go.Scatter(x=[1], y=[1])]))\n"
        "st.dataframe({'a': [1]})"
    ).run()
    timings = {}
    for page in sorted((ROOT / "dashboard" / "views").glob("*.py")):
        st.cache_data.clear()
        st.cache_resource.clear()
        app = AppTest.from_file(str(page), default_timeout=120)
        started = time.perf_counter()
        app.run()
        timings[page.stem] = round(time.perf_counter() - started, 2)
        if app.exception:
            raise RuntimeError(f"{page.name} raised: {app.exception[0].message}")
    print(json.dumps({"page_seconds": timings}), file=sys.stderr)
    return {"rows": 0, "page_seconds": timings, "slowest_page_seconds": max(timings.values())}


def _kam_run(workdir: Path) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "kam"), "run", "--landing", str(workdir / "landing"),
         "--warehouse", str(workdir / "published" / "warehouse.duckdb")],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def phase_kam_run(workdir: Path, lines: int) -> dict:
    """`kam run` end to end on the generated landing folder: ingest, checks, dbt, publish. Run
    again on the same folder it is the daily run that finds nothing new (`kam_run_nothing_new`)."""
    _kam_run(workdir)
    return {"rows": lines}


def phase_kam_run_new_day(workdir: Path, lines: int) -> dict:
    """`kam run` after one new day of orders arrived as a file of its own: the last day's lines
    again, one day later under new order numbers."""
    import duckdb

    orders = f"{workdir / 'landing' / 'orders'}/orders*.csv"
    new_day = workdir / "landing" / "orders" / "orders_new_day.csv"
    with duckdb.connect() as conn:
        conn.execute(
            f"""
            copy (
                select * replace (order_id || '-next' as order_id, order_date + 1 as order_date)
                from read_csv('{orders}', union_by_name = true)
                where order_date = (select max(order_date) from read_csv('{orders}', union_by_name = true))
            ) to '{new_day}' (header)
            """
        )
        new_lines = conn.execute(f"select count(*) from read_csv('{new_day}')").fetchone()[0]
    _kam_run(workdir)
    return {"rows": new_lines}


def phase_one_query_floor(workdir: Path, lines: int) -> dict:
    """The floor a full refresh is measured against: one DuckDB query over the same order lines
    (the landing CSV) giving per-customer aggregates: revenue in the last twelve months and in all,
    orders, first and last order date, active months."""
    import duckdb

    orders = f"{workdir / 'landing' / 'orders'}/*.csv"
    with duckdb.connect() as conn:
        customers = conn.execute(
            f"""
            with lines as (select * from read_csv('{orders}'))
            select count(*) from (
                select customer_id,
                       sum(net_revenue) filter (
                           where order_date > (select max(order_date) from lines) - interval 12 month
                       ) as revenue_t12m,
                       sum(net_revenue) as revenue_lifetime,
                       count(distinct order_id) as orders,
                       min(order_date) as first_order, max(order_date) as last_order,
                       count(distinct date_trunc('month', order_date)) as active_months
                from lines group by customer_id
            )
            """
        ).fetchone()[0]
    return {"rows": lines, "customers": customers}


def phase_pandas_core_metrics(workdir: Path, lines: int) -> dict:
    """The same per-customer aggregates as `one_query_floor`, the way a pandas script would
    compute them: what the warehouse replaces, measured for comparison."""
    import pandas as pd

    frame = pd.read_csv(workdir / "landing" / "orders" / "orders.csv", parse_dates=["order_date"])
    cutoff = frame["order_date"].max() - pd.DateOffset(months=12)
    frame["revenue_t12m"] = frame["net_revenue"].where(frame["order_date"] > cutoff, 0.0)
    frame["month"] = frame["order_date"].dt.to_period("M")
    metrics = frame.groupby("customer_id").agg(
        revenue_t12m=("revenue_t12m", "sum"),
        revenue_lifetime=("net_revenue", "sum"),
        orders=("order_id", "nunique"),
        first_order=("order_date", "min"),
        last_order=("order_date", "max"),
        active_months=("month", "nunique"),
    )
    return {"rows": lines, "customers": len(metrics)}


PHASES = {
    "generate": phase_generate,
    "ingest": phase_ingest,
    "checks": phase_checks,
    "reingest": phase_reingest,
    "dbt_build": phase_dbt_build,
    # The same build again on the built database, as a daily run finds it: the backtest's tables
    # are kept while the history before the backtest date is unchanged.
    "dbt_rebuild": phase_dbt_build,
    "dashboard": phase_dashboard,
    "export": phase_export,
    "mapped_ingest": phase_mapped_ingest,
    "kam_run": phase_kam_run,
    "kam_run_nothing_new": phase_kam_run,
    "kam_run_new_day": phase_kam_run_new_day,
    "one_query_floor": phase_one_query_floor,
    "pandas_core_metrics": phase_pandas_core_metrics,
}


def run_child(phase: str, workdir: Path, lines: int) -> None:
    started = time.perf_counter()
    extra = PHASES[phase](workdir, lines)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mib": max(own, children) / 1024, **extra}))


def measure(phase: str, workdir: Path, lines: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", phase, "--workdir", str(workdir), "--lines", str(lines)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{phase} at {lines:,} lines failed:\n{completed.stderr}")
    figures = json.loads(completed.stdout.strip().splitlines()[-1])
    figures["rows_per_second"] = figures["rows"] / figures["seconds"] if figures["rows"] else None
    return {"phase": phase, "lines": lines, **figures}


def markdown(results: list[dict]) -> str:
    rows = [
        "| order lines | phase | rows | wall time (s) | rows/s | peak memory (MiB) |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        rate = f"{r['rows_per_second']:,.0f}" if r["rows_per_second"] else "–"
        rows.append(
            f"| {r['lines']:,} | {r['phase']} | {r['rows']:,} | {r['seconds']:.1f} | {rate} "
            f"| {r['peak_rss_mib']:,.0f} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument(
        "--phases", nargs="+", choices=list(PHASES), default=list(PHASES),
        help="phases to run, in the order given (each needs the ones it builds on: ingest after "
        "generate, dbt_build after ingest, dbt_rebuild after dbt_build, mapped_ingest after export, "
        "the kam_run phases after generate); "
        "default: all",
    )
    parser.add_argument("--child", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.workdir, args.lines[0])
        return

    results = []
    for lines in args.lines:
        with tempfile.TemporaryDirectory(prefix="kam-bench-") as tmp:
            for phase in args.phases:
                print(f"{lines:>12,} lines: {phase} ...", file=sys.stderr, flush=True)
                results.append(measure(phase, Path(tmp), lines))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    payload = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "results": results,
    }
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(payload, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
