"""The demo-data generator: contract shape, exact sizes, determinism and archetype behaviour.

Data is generated once per format (module-scoped fixtures); the behaviour checks compute the same
kind of figures the warehouse does (trailing-12-month revenue and margin, growth, cost to serve,
share of wallet) straight from the written files, so a generator change that blurs an archetype
fails here rather than in a dashboard.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from demo.generator import ARCHETYPES, GenerationSummary, generate
from loading.contract import ENTITIES, REQUIRED_ENTITIES

CUSTOMERS = 300
LINES = 30_000
SEED = 7
END = date(2026, 10, 31)


def _generate(root: Path, **overrides) -> GenerationSummary:
    arguments = {"customers": CUSTOMERS, "lines": LINES, "seed": SEED, "end_date": END}
    return generate(root / "landing", **{**arguments, **overrides})


def _file(summary: GenerationSummary, entity: str, suffix: str = "csv") -> Path:
    return summary.landing_dir / entity / f"{entity}.{suffix}"


@pytest.fixture(scope="module")
def csv_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationSummary, list[str]]:
    messages: list[str] = []
    summary = _generate(tmp_path_factory.mktemp("csv"), progress=messages.append)
    return summary, messages


@pytest.fixture(scope="module")
def summary(csv_run: tuple[GenerationSummary, list[str]]) -> GenerationSummary:
    return csv_run[0]


@pytest.fixture(scope="module")
def parquet_summary(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return _generate(tmp_path_factory.mktemp("parquet"), file_format="parquet")


@pytest.fixture(scope="module")
def db(summary: GenerationSummary) -> duckdb.DuckDBPyConnection:
    """The CSV landing files as typed views, plus per-customer figures as of END."""
    con = duckdb.connect()
    for name, entity in ENTITIES.items():
        types = ", ".join(f"'{c.name}': '{c.duckdb_type}'" for c in entity.columns)
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_csv('{_file(summary, name)}', "
                    f"header = true, columns = {{{types}}})")
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{summary.truth_path}')")
    con.execute(f"SET VARIABLE end_date = DATE '{END}'")
    # Line cost as the contract defines it: recorded cost, else quantity x standard cost.
    con.execute("""
        CREATE TABLE costed AS
        SELECT o.*, coalesce(o.cost_amount, o.quantity * c.unit_cost) AS line_cost
        FROM orders o ASOF LEFT JOIN product_costs c
          ON o.product_id = c.product_id AND o.order_date >= c.valid_from
    """)
    con.execute("""
        CREATE TABLE figures AS
        WITH lines AS (
            SELECT *, order_date > getvariable('end_date') - INTERVAL 12 MONTH AS in_t12m,
                   order_date <= getvariable('end_date') - INTERVAL 12 MONTH
                   AND order_date > getvariable('end_date') - INTERVAL 24 MONTH AS in_p12m
            FROM costed
        )
        SELECT t.customer_id, t.archetype,
               coalesce(sum(net_revenue) FILTER (WHERE in_t12m), 0) AS t12m,
               coalesce(sum(net_revenue) FILTER (WHERE in_p12m), 0) AS p12m,
               sum(net_revenue - line_cost) FILTER (WHERE in_t12m)
                 / nullif(sum(net_revenue) FILTER (WHERE in_t12m AND line_cost IS NOT NULL), 0)
                 AS t12m_margin_pct,
               sum(net_revenue - line_cost) AS margin_all,
               min(order_date) FILTER (WHERE quantity > 0) AS first_order,
               max(order_date) FILTER (WHERE quantity > 0) AS last_order,
               count(DISTINCT order_id) FILTER (WHERE quantity > 0) AS orders,
               count(DISTINCT date_trunc('month', order_date)) AS active_months
        FROM truth t LEFT JOIN lines l USING (customer_id)
        GROUP BY ALL
    """)
    return con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _median(con: duckdb.DuckDBPyConnection, expression: str, archetype: str) -> float:
    return _scalar(con, f"SELECT median(({expression})::DOUBLE) FROM figures "
                        f"WHERE archetype = '{archetype}'")


# --- shape and contract -------------------------------------------------------------------------

def test_summary_counts_and_progress(csv_run: tuple[GenerationSummary, list[str]]) -> None:
    summary, messages = csv_run
    assert set(summary.rows) == set(ENTITIES)
    assert summary.rows["orders"] == LINES
    assert summary.rows["customers"] == summary.customers == CUSTOMERS
    assert all(rows > 0 for rows in summary.rows.values()), summary.rows
    assert summary.truth_path == (
        summary.landing_dir.parent / "ground_truth" / "customer_archetypes.csv")
    assert summary.seconds > 0
    stages = " ".join(messages)
    for stage in ("customers", "products", "orders", "wrote account_plans"):
        assert stage in stages


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_csv_matches_contract(summary: GenerationSummary, entity: str) -> None:
    path = _file(summary, entity)
    spec = ENTITIES[entity]
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    with path.open(encoding="utf-8") as handle:
        assert handle.readline().rstrip("\n") == ",".join(spec.column_names)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW raw AS SELECT * FROM read_csv('{path}', header = true, "
                f"all_varchar = true)")
    assert [row[0] for row in con.execute("DESCRIBE raw").fetchall()] == spec.column_names
    assert _scalar(con, "SELECT count(*) FROM raw") == summary.rows[entity]
    for column in spec.columns:
        bad = _scalar(con, f'SELECT count(*) FROM raw WHERE "{column.name}" IS NOT NULL '
                           f'AND TRY_CAST("{column.name}" AS {column.duckdb_type}) IS NULL')
        assert bad == 0, f"{entity}.{column.name}: {bad} values not castable"
        if column.duckdb_type == "DATE":
            assert _scalar(con, f"SELECT count(*) FROM raw WHERE NOT regexp_full_match("
                                f"\"{column.name}\", '\\d{{4}}-\\d{{2}}-\\d{{2}}')") == 0
        if column.required:
            assert _scalar(con, f'SELECT count(*) FROM raw WHERE "{column.name}" IS NULL') == 0


@pytest.mark.parametrize("entity", list(ENTITIES))
def test_parquet_has_contract_types(parquet_summary: GenerationSummary, entity: str) -> None:
    path = _file(parquet_summary, entity, "parquet")
    columns = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()
    assert [(c[0], c[1]) for c in columns] == [
        (c.name, c.duckdb_type) for c in ENTITIES[entity].columns]
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0][0] == (
        parquet_summary.rows[entity])


def test_identifiers_and_references(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT count(DISTINCT customer_id) FROM customers") == CUSTOMERS
    patterns = {
        "customers": ("customer_id", r"C\d{6}"), "products": ("product_id", r"P\d{5}"),
        "account_managers": ("account_manager_id", r"AM\d{3}"),
        "orders": ("order_id", r"(SO\d{7}|CN\d{6})"),
    }
    for table, (column, pattern) in patterns.items():
        assert _scalar(db, f"SELECT count(*) FROM {table} "
                           f"WHERE NOT regexp_full_match({column}, '{pattern}')") == 0, table
    for table in ("orders", "wallet_estimates", "service_costs", "account_assessments",
                  "account_plans"):
        assert _scalar(db, f"SELECT count(*) FROM {table} "
                           "WHERE customer_id NOT IN (SELECT customer_id FROM customers)") == 0
    assert _scalar(db, "SELECT count(*) FROM orders "
                       "WHERE product_id NOT IN (SELECT product_id FROM products)") == 0
    assert _scalar(db, "SELECT count(*) FROM customers WHERE account_manager_id NOT IN "
                       "(SELECT account_manager_id FROM account_managers)") == 0


def test_every_archetype_present(db: duckdb.DuckDBPyConnection) -> None:
    counts = dict(db.execute("SELECT archetype, count(*) FROM truth GROUP BY ALL").fetchall())
    assert set(counts) == set(ARCHETYPES)
    assert sum(counts.values()) == CUSTOMERS
    assert counts["long_tail"] > CUSTOMERS / 2


def test_smallest_portfolio_keeps_every_archetype(tmp_path: Path) -> None:
    summary = generate(tmp_path / "landing", customers=16)
    assert summary.rows["orders"] == 1600  # default: 100 lines per customer
    counts = duckdb.sql(f"SELECT archetype, count(*) FROM read_csv('{summary.truth_path}') "
                        "GROUP BY ALL").fetchall()
    assert sorted(counts) == sorted((name, 2) for name in ARCHETYPES)


@pytest.mark.parametrize("arguments", [
    {"customers": 15}, {"years": 0}, {"lines": 10}, {"file_format": "xlsx"}])
def test_rejects_impossible_arguments(tmp_path: Path, arguments: dict) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, **{"customers": 20, **arguments})


# --- determinism and file handling ----------------------------------------------------------------

def _all_files(summary: GenerationSummary) -> dict[str, bytes]:
    files = {p.relative_to(summary.landing_dir).as_posix(): p.read_bytes()
             for p in summary.landing_dir.rglob("*") if p.is_file()}
    files["truth"] = summary.truth_path.read_bytes()
    return files


def test_same_seed_gives_identical_files(summary: GenerationSummary, tmp_path: Path) -> None:
    again = _generate(tmp_path)
    first, second = _all_files(summary), _all_files(again)
    assert sorted(first) == sorted(second)
    for name in first:
        assert first[name] == second[name], name


def test_other_seed_gives_other_orders(summary: GenerationSummary, tmp_path: Path) -> None:
    other = _generate(tmp_path, seed=SEED + 1)
    assert _file(other, "orders").read_bytes() != _file(summary, "orders").read_bytes()
    assert other.rows["orders"] == LINES


def test_regenerating_in_another_format_replaces_files(tmp_path: Path) -> None:
    _generate(tmp_path, customers=40, lines=2000)
    again = _generate(tmp_path, customers=40, lines=2000, file_format="parquet",
                      truth_path=tmp_path / "truth.csv")
    for entity in ENTITIES:
        assert [p.name for p in (again.landing_dir / entity).iterdir()] == [f"{entity}.parquet"]
    assert again.truth_path.exists()


# --- realism of the entities ----------------------------------------------------------------------

def test_orders_are_sorted_numbered_and_consistent(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute("SELECT order_date, order_id, line_number FROM orders").fetchall()
    assert rows == sorted(rows)
    assert _scalar(db, """
        SELECT count(*) FROM (
            SELECT order_id, count(*) AS n, min(line_number) AS lo, max(line_number) AS hi,
                   count(DISTINCT line_number) AS distinct_lines,
                   count(DISTINCT order_date) AS dates, count(DISTINCT customer_id) AS customers
            FROM orders GROUP BY ALL)
        WHERE lo <> 1 OR hi <> n OR distinct_lines <> n OR dates <> 1 OR customers <> 1
    """) == 0
    first_day, last_day = db.execute(
        "SELECT min(order_date), max(order_date) FROM orders").fetchone()
    assert first_day >= date(2022, 11, 1) and last_day <= END
    assert _scalar(db, "SELECT count(*) FROM orders WHERE currency <> 'EUR'") == 0
    assert _scalar(db, "SELECT count(*) FROM orders WHERE order_id LIKE 'SO%' "
                       "AND (quantity <= 0 OR net_revenue <= 0)") == 0


def test_credit_notes_follow_an_earlier_sale(db: duckdb.DuckDBPyConnection) -> None:
    share = _scalar(db, "SELECT avg((order_id LIKE 'CN%')::INT) FROM orders")
    assert 0.01 < share < 0.04
    assert _scalar(db, "SELECT count(*) FROM orders WHERE order_id LIKE 'CN%' "
                       "AND (quantity >= 0 OR net_revenue >= 0)") == 0
    assert _scalar(db, """
        SELECT count(*) FROM orders cn
        WHERE cn.order_id LIKE 'CN%' AND NOT EXISTS (
            SELECT 1 FROM orders so
            WHERE so.order_id LIKE 'SO%' AND so.customer_id = cn.customer_id
              AND so.product_id = cn.product_id AND so.order_date < cn.order_date)
    """) <= 0.2 * _scalar(db, "SELECT count(*) FROM orders WHERE order_id LIKE 'CN%'")


def test_line_costs_are_partial_and_match_standard_cost(db: duckdb.DuckDBPyConnection) -> None:
    recorded = _scalar(db, "SELECT avg((cost_amount IS NOT NULL)::INT) FROM orders")
    assert 0.2 < recorded < 0.4
    deviation = _scalar(db, """
        SELECT median(abs(cost_amount / (quantity * unit_cost) - 1))
        FROM orders o ASOF JOIN product_costs c
          ON o.product_id = c.product_id AND o.order_date >= c.valid_from
        WHERE cost_amount IS NOT NULL
    """)
    assert deviation < 0.03
    unknown = _scalar(db, "SELECT avg((line_cost IS NULL)::INT) FROM costed")
    assert 0.0 < unknown < 0.1


def test_products_have_a_changing_cost_history(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT count(DISTINCT category) FROM products") == 8
    assert _scalar(db, "SELECT count(*) FROM products WHERE product_id NOT IN "
                       "(SELECT product_id FROM product_costs)") > 0
    assert _scalar(db, "SELECT median(n) FROM (SELECT product_id, count(*) AS n "
                       "FROM product_costs GROUP BY ALL)") >= 4
    assert _scalar(db, "SELECT count(*) - count(DISTINCT (product_id, valid_from)) "
                       "FROM product_costs") == 0
    growth = _scalar(db, "SELECT median(last / first) FROM (SELECT product_id, "
                         "arg_min(unit_cost, valid_from) AS first, "
                         "arg_max(unit_cost, valid_from) AS last FROM product_costs GROUP BY ALL)")
    assert 1.05 < growth < 1.4
    margins = db.execute("""
        SELECT p.category, sum(net_revenue - line_cost) / sum(net_revenue)
        FROM costed JOIN products p USING (product_id) JOIN truth USING (customer_id)
        WHERE line_cost IS NOT NULL AND archetype = 'long_tail' GROUP BY ALL
    """).fetchall()
    assert max(m for _, m in margins) - min(m for _, m in margins) > 0.1


def test_seasonality_strong_q4_weak_august(db: duckdb.DuckDBPyConnection) -> None:
    by_month = dict(db.execute("SELECT month(order_date), sum(net_revenue)::DOUBLE FROM orders "
                               "WHERE order_date >= DATE '2022-11-01' GROUP BY ALL").fetchall())
    average = sum(by_month.values()) / 12
    assert by_month[8] < 0.85 * average
    assert by_month[12] > by_month[8] * 1.3 and by_month[11] > by_month[8] * 1.3


def test_customers_created_before_first_order(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT count(*) FROM customers c JOIN figures f USING (customer_id) "
                       "WHERE c.created_on >= f.first_order") == 0
    assert _scalar(db, "SELECT count(DISTINCT industry) FROM customers") == 8
    assert _scalar(db, "SELECT count(DISTINCT region) FROM customers") == 6


def test_wallet_estimates_cover_some_customers_and_exceed_spend(
        db: duckdb.DuckDBPyConnection) -> None:
    covered = _scalar(db, "SELECT count(DISTINCT customer_id) FROM wallet_estimates") / CUSTOMERS
    assert 0.25 < covered < 0.6
    assert _scalar(db, """
        SELECT count(*) FROM wallet_estimates w
        JOIN (SELECT customer_id, year(order_date) AS year,
                     sum(net_revenue) FILTER (WHERE net_revenue > 0) AS spend
              FROM orders GROUP BY ALL) s USING (customer_id, year)
        WHERE s.spend > w.estimated_wallet
    """) == 0
    assert _scalar(db, "SELECT count(*) - count(DISTINCT (customer_id, year)) "
                       "FROM wallet_estimates") == 0
    # Firmographics track the wallet, so peers can stand in where research is missing.
    correlation = _scalar(db, """
        SELECT corr(ln(c.annual_revenue), ln(w.wallet)) FROM customers c
        JOIN (SELECT customer_id, max(estimated_wallet) AS wallet
              FROM wallet_estimates GROUP BY ALL) w USING (customer_id)
        WHERE c.annual_revenue > 0
    """)
    assert correlation > 0.5


def test_account_managers_and_assessments(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT count(*) FROM account_managers") >= 5
    assert _scalar(db, "SELECT count(*) FROM account_managers "
                       "WHERE capacity_accounts NOT BETWEEN 4 AND 12") == 0
    managed = dict(db.execute("""
        SELECT archetype = 'long_tail', avg((account_manager_id IS NOT NULL)::INT)
        FROM customers JOIN truth USING (customer_id) GROUP BY ALL
    """).fetchall())
    assert managed[False] > 0.7 and managed[True] < 0.2
    assert _scalar(db, """
        SELECT count(*) FROM account_assessments a JOIN customers c USING (customer_id)
        WHERE c.account_manager_id IS NULL OR a.assessed_on <= c.created_on
           OR a.assessed_on > getvariable('end_date')
    """) == 0
    assert _scalar(db, "SELECT max(n) FROM (SELECT customer_id, count(*) AS n "
                       "FROM account_assessments GROUP BY ALL)") <= 3
    for column in ("executive_access", "decision_access", "cultural_fit", "strategic_alignment"):
        assert _scalar(db, f"SELECT count(*) FROM account_assessments "
                           f"WHERE {column} NOT BETWEEN 1 AND 5") == 0


def test_account_plans_do_not_overlap(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, """
        SELECT count(*) FROM (
            SELECT period_start, period_end,
                   lag(period_end) OVER (PARTITION BY customer_id ORDER BY period_start) AS before
            FROM account_plans)
        WHERE period_end < period_start OR period_start <= before
    """) == 0
    assert _scalar(db, "SELECT min(period_start) FROM account_plans") == date(2024, 11, 1)
    assert _scalar(db, "SELECT max(period_end) FROM account_plans") == date(2027, 10, 31)
    assert _scalar(db, "SELECT count(*) FROM account_plans WHERE target_revenue <= 0") == 0
    planned = dict(db.execute("""
        SELECT archetype, avg((customer_id IN (SELECT customer_id FROM account_plans))::INT)
        FROM truth GROUP BY ALL
    """).fetchall())
    assert planned["strategic"] > 0.5 and planned["long_tail"] == 0


def test_service_costs_are_realistic(db: duckdb.DuckDBPyConnection) -> None:
    types = {row[0] for row in db.execute("SELECT DISTINCT activity_type FROM service_costs")
             .fetchall()}
    assert types == {"support_ticket", "site_visit", "rush_shipping", "returns_handling",
                     "technical_consultation"}
    assert _scalar(db, "SELECT count(*) FROM service_costs WHERE cost <= 0 "
                       "OR activity_date > getvariable('end_date')") == 0


# --- archetype behaviour --------------------------------------------------------------------------

def test_big_unprofitable_is_big_with_thin_margin(db: duckdb.DuckDBPyConnection) -> None:
    strategic = _median(db, "t12m_margin_pct", "strategic")
    squeezed = _median(db, "t12m_margin_pct", "big_unprofitable")
    assert 0.22 < strategic < 0.38
    assert -0.05 < squeezed < 0.08
    assert squeezed < strategic - 0.15
    assert _median(db, "t12m", "big_unprofitable") >= 0.75 * _median(db, "t12m", "strategic")


def test_strategic_is_steady_growing_and_has_headroom(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT max(first_order) FROM figures WHERE archetype = 'strategic'") < (
        date(2022, 12, 1))
    assert _scalar(db, "SELECT min(active_months) FROM figures WHERE archetype = 'strategic'") >= 47
    assert 0.0 < _median(db, "t12m / p12m - 1", "strategic") < 0.2
    share = _scalar(db, """
        SELECT median(f.t12m / w.estimated_wallet) FROM figures f
        JOIN wallet_estimates w ON w.customer_id = f.customer_id AND w.year = 2026
        WHERE f.archetype = 'strategic'
    """)
    assert 0.2 < share < 0.6


def test_one_off_projects_are_recent_and_big(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT min(first_order) FROM figures WHERE archetype = 'one_off_project'"
                   ) >= date(2025, 7, 31)  # within 15 months of the end
    assert _median(db, "orders", "one_off_project") <= 6
    assert _median(db, "t12m", "one_off_project") > 0.4 * _median(db, "t12m", "strategic")


def test_rising_oaks_grow_fast_from_small(db: duckdb.DuckDBPyConnection) -> None:
    assert _median(db, "t12m / nullif(p12m, 0) - 1", "rising_oak") > 0.4
    assert _median(db, "t12m", "rising_oak") < 0.25 * _median(db, "t12m", "strategic")
    assert _scalar(db, "SELECT min(first_order) FROM figures WHERE archetype = 'rising_oak'") >= (
        date(2023, 10, 31))
    share = _scalar(db, """
        SELECT median(f.t12m / w.estimated_wallet) FROM figures f
        JOIN wallet_estimates w ON w.customer_id = f.customer_id
        WHERE f.archetype = 'rising_oak' AND w.year = (SELECT max(year) FROM wallet_estimates)
    """)
    assert share < 0.1


def test_churners_stopped_months_ago(db: duckdb.DuckDBPyConnection) -> None:
    assert _scalar(db, "SELECT max(last_order) FROM figures WHERE archetype = 'churning'") <= (
        date(2026, 6, 30))  # at least four months before the end
    assert _median(db, "t12m / nullif(p12m, 0)", "churning") < 0.5


def test_demanding_accounts_cost_most_to_serve(db: duckdb.DuckDBPyConnection) -> None:
    ratio = db.execute("""
        SELECT f.archetype, median(coalesce(s.cost, 0) / f.margin_all)
        FROM figures f LEFT JOIN (SELECT customer_id, sum(cost) AS cost
                                  FROM service_costs GROUP BY ALL) s USING (customer_id)
        WHERE f.margin_all > 0 GROUP BY ALL
    """).fetchall()
    ratio = dict(ratio)
    assert ratio["demanding"] > 0.4
    assert ratio["strategic"] < 0.15 and ratio["easy_sell_flat"] < 0.15


def test_easy_sells_are_regular_flat_and_without_fit(db: duckdb.DuckDBPyConnection) -> None:
    assert _median(db, "active_months", "easy_sell_flat") >= 46
    assert -0.2 < _median(db, "t12m / p12m - 1", "easy_sell_flat") < 0.0
    assert _scalar(db, """
        SELECT max(greatest(cultural_fit, strategic_alignment)) FROM account_assessments
        JOIN truth USING (customer_id) WHERE archetype = 'easy_sell_flat'
    """) <= 3
    share = _scalar(db, """
        SELECT median(f.t12m / w.estimated_wallet) FROM figures f
        JOIN wallet_estimates w ON w.customer_id = f.customer_id AND w.year = 2026
        WHERE f.archetype = 'easy_sell_flat'
    """)
    assert share > 0.55


def test_long_tail_is_small_and_sporadic(db: duckdb.DuckDBPyConnection) -> None:
    assert _median(db, "t12m", "long_tail") < 0.05 * _median(db, "t12m", "strategic")
    assert _median(db, "active_months", "long_tail") < 15


def test_assessments_separate_oaks_from_easy_sells(db: duckdb.DuckDBPyConnection) -> None:
    latest = dict(db.execute("""
        SELECT archetype, median(strategic_alignment) FROM (
            SELECT customer_id, arg_max(strategic_alignment, assessed_on) AS strategic_alignment
            FROM account_assessments GROUP BY ALL) JOIN truth USING (customer_id)
        GROUP BY ALL
    """).fetchall())
    assert latest["rising_oak"] >= 4 and latest["strategic"] >= 4
    assert latest["easy_sell_flat"] <= 2.5


# --- other worlds ---------------------------------------------------------------------------------

REGULAR = ("strategic", "big_unprofitable", "easy_sell_flat", "demanding", "rising_oak",
           "churning")


def _truth_counts(summary: GenerationSummary) -> dict[str, int]:
    return dict(duckdb.sql(f"SELECT archetype, count(*) FROM read_csv('{summary.truth_path}') "
                           "GROUP BY ALL").fetchall())


def test_without_leaves_out_exactly_those_entities(summary: GenerationSummary,
                                                    tmp_path: Path) -> None:
    left_out = {"products", "service_costs", "account_managers", "account_plans"}
    # A landing folder from an earlier full run: the left-out entities' files must go too.
    _generate(tmp_path, customers=40, lines=2000)
    partial = _generate(tmp_path, without=sorted(left_out))
    folders = {p.name for p in partial.landing_dir.iterdir()}
    assert folders == set(ENTITIES) - left_out
    assert set(partial.rows) == set(ENTITIES) - left_out
    # Every file still written is byte-identical to the full world's.
    full, rest = _all_files(summary), _all_files(partial)
    assert set(rest) == {name for name in full if name.split("/")[0] not in left_out}
    for name in rest:
        assert rest[name] == full[name], name


@pytest.mark.parametrize("entity", [*REQUIRED_ENTITIES, "invoices"])
def test_without_rejects_required_and_unknown_entities(tmp_path: Path, entity: str) -> None:
    with pytest.raises(ValueError, match=entity):
        generate(tmp_path / "landing", customers=20, without=["wallet_estimates", entity])
    assert not (tmp_path / "landing").exists()


def test_long_tail_factor_scales_only_the_tail(tmp_path: Path) -> None:
    summary = generate(tmp_path / "landing", customers=1000, lines=20_000, long_tail_factor=5)
    assert _truth_counts(summary) == {
        "strategic": 40, "big_unprofitable": 40, "one_off_project": 40, "easy_sell_flat": 80,
        "demanding": 50, "rising_oak": 60, "churning": 90, "long_tail": 3000}
    assert summary.customers == summary.rows["customers"] == 3400
    assert summary.rows["orders"] == 20_000  # an explicit number of lines stays exact
    customers = f"read_csv('{_file(summary, 'customers')}')"
    assert duckdb.sql(f"SELECT count(DISTINCT customer_id), max(customer_id) FROM {customers}"
                      ).fetchall() == [(3400, "C003400")]
    assert duckdb.sql(f"SELECT count(*) FROM read_csv('{summary.truth_path}') "
                      f"WHERE customer_id NOT IN (SELECT customer_id FROM {customers})"
                      ).fetchall() == [(0,)]


def test_smaller_long_tail_keeps_default_lines_per_customer(tmp_path: Path) -> None:
    messages: list[str] = []
    summary = generate(tmp_path / "landing", customers=100, long_tail_factor=0.5,
                       progress=messages.append)
    counts = _truth_counts(summary)
    assert counts["long_tail"] == 30 and sum(counts.values()) == summary.customers == 70
    assert summary.rows["orders"] == 7000  # default: 100 lines per customer of the total
    assert messages[0].startswith("customers: 70 in 8 archetypes")


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory: pytest.TempPathFactory, summary: GenerationSummary
              ) -> duckdb.DuckDBPyConnection:
    """The default world and the same seed with a quarterly rhythm, side by side."""
    world = _generate(tmp_path_factory.mktemp("quarterly"), order_rhythm="quarterly")
    con = duckdb.connect()
    for name, run in (("monthly", summary), ("quarterly", world)):
        con.execute(f"CREATE VIEW {name} AS SELECT o.*, t.archetype "
                    f"FROM read_csv('{_file(run, 'orders')}') o "
                    f"JOIN read_csv('{run.truth_path}') t USING (customer_id)")
    return con


def test_quarterly_rhythm_orders_once_a_quarter(quarterly: duckdb.DuckDBPyConnection) -> None:
    months = dict(quarterly.execute("""
        SELECT archetype, max(months) FROM (
            SELECT archetype, customer_id, count(DISTINCT month(order_date)) AS months
            FROM quarterly WHERE order_id LIKE 'SO%'
            GROUP BY archetype, customer_id, year(order_date), quarter(order_date))
        GROUP BY ALL
    """).fetchall())
    assert all(months[name] == 1 for name in REGULAR), months
    # The long tail and one-off projects keep their own rhythm.
    assert months["long_tail"] > 1
    monthly_months = _scalar(quarterly, """
        SELECT max(months) FROM (SELECT count(DISTINCT month(order_date)) AS months FROM monthly
        WHERE archetype = 'strategic' GROUP BY customer_id, year(order_date), quarter(order_date))
    """)
    assert monthly_months == 3


def test_quarterly_rhythm_keeps_yearly_revenue(quarterly: duckdb.DuckDBPyConnection) -> None:
    ratios = dict(quarterly.execute("""
        SELECT archetype, sum(net_revenue) FILTER (WHERE world = 'quarterly')
                          / sum(net_revenue) FILTER (WHERE world = 'monthly')
        FROM (SELECT *, 'monthly' AS world FROM monthly
              UNION ALL SELECT *, 'quarterly' FROM quarterly)
        WHERE order_date > DATE '2025-10-31' GROUP BY ALL
    """).fetchall())
    for name in REGULAR:
        assert 0.9 < ratios[name] < 1.1, (name, ratios[name])


def test_quarterly_buyers_may_not_have_ordered_yet_this_quarter(
        quarterly: duckdb.DuckDBPyConnection) -> None:
    # History ends 31 October: accounts whose order month is November or December last
    # ordered in the third quarter, unlike in the monthly world.
    sql = """
        SELECT avg((last_order < DATE '2026-10-01')::INT) FROM (
            SELECT customer_id, max(order_date) AS last_order FROM {}
            WHERE archetype IN ('strategic', 'big_unprofitable', 'easy_sell_flat')
            GROUP BY ALL)
    """
    assert _scalar(quarterly, sql.format("monthly")) == 0
    assert 0.4 < _scalar(quarterly, sql.format("quarterly")) < 0.9


def test_quarterly_rhythm_is_deterministic(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", customers=40, lines=2000, order_rhythm="quarterly")
    second = _generate(tmp_path / "b", customers=40, lines=2000, order_rhythm="quarterly")
    assert _all_files(first) == _all_files(second)
    with pytest.raises(ValueError, match="order_rhythm"):
        _generate(tmp_path / "c", customers=40, lines=2000, order_rhythm="weekly")


@pytest.mark.parametrize("rhythm", ["monthly", "quarterly"])
@pytest.mark.parametrize("years", [1, 2, 5])
def test_history_length(tmp_path: Path, years: int, rhythm: str) -> None:
    summary = _generate(tmp_path, customers=100, lines=5000, years=years, order_rhythm=rhythm)
    start = date(END.year - years, END.month, END.day) + timedelta(days=1)
    con = duckdb.connect()
    first, last, months = con.execute(f"""
        SELECT min(order_date), max(order_date), count(DISTINCT date_trunc('month', order_date))
        FROM read_csv('{_file(summary, "orders")}')
    """).fetchone()
    assert start <= first < start + timedelta(days=31)
    assert END - timedelta(days=31) < last <= END
    assert months == 12 * years
    # Account plans start inside the history, a year in when there is a year to base them on.
    plan_start = con.execute(f"SELECT min(period_start), count(*) FROM "
                             f"read_csv('{_file(summary, 'account_plans')}')").fetchone()
    assert plan_start[0] == (start if years == 1 else
                             max(start + timedelta(days=365), date(2024, 11, 1)))
    assert plan_start[1] > 0
