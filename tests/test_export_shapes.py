"""The worked mappings of mappings/ for three export shapes, each over the sample `kam generate
--export-shape` writes (demo/export_shapes.py): an ERP (order headers and lines in separate
files, regions joined to the customers), a CRM (closed deals, yearly wallets and monthly targets
as wide columns) and a marketplace (sellers as the accounts, its commission as the revenue).

Every entity loads through the shipped mapping (`load_entity`, as `kam run` loads it) with
nothing quarantined or rejected, and the revenue and margin of raw.orders reconcile to the cent
with sums taken straight from the export files, by the shape's own arithmetic, and with the
world the sample was drawn from (the same generator arguments in the landing layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from demo.export_shapes import EXPORT_SHAPES, generate_export, shape_files
from demo.generator import generate
from kam.cli import build_parser, main
from loading.ingest import EntityLoadResult, entities_in_load_order, load_entity, settings_for
from loading.mapping import load_mapping

ROOT = Path(__file__).resolve().parents[1]
WORLD = {"customers": 60, "lines": 4_000, "seed": 11, "end_date": date(2026, 10, 31)}
# The entities each shipped mapping feeds.
LOADED = {
    "erp": {"orders", "customers", "products", "product_costs", "account_managers"},
    "crm": {"orders", "customers", "products", "account_managers", "wallet_estimates",
            "account_plans"},
    "marketplace": {"orders", "customers", "products", "account_managers"},
}


UNKNOWN_MANAGERS = (
    "SELECT count(*) FROM raw.customers WHERE account_manager_id IS NOT NULL "
    "AND account_manager_id NOT IN (SELECT account_manager_id FROM raw.account_managers)"
)


@dataclass
class Loaded:
    source: Path
    truth_path: Path
    conn: duckdb.DuckDBPyConnection
    results: dict[str, EntityLoadResult]

    def one(self, sql: str):
        return self.conn.execute(sql).fetchone()

    def file(self, name: str) -> str:
        return (self.source / name).as_posix()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """The same world in the landing layout: what each shape's figures must come back to."""
    root = tmp_path_factory.mktemp("world")
    summary = generate(root / "landing", file_format="parquet", **WORLD)
    con = duckdb.connect()
    for entity in ("orders", "customers", "products", "product_costs", "wallet_estimates",
                   "account_managers", "account_plans"):
        con.execute(f"CREATE VIEW {entity} AS SELECT * FROM "
                    f"'{summary.landing_dir / entity / f'{entity}.parquet'}'")
    con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{summary.truth_path}')")
    yield con
    con.close()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory):
    """shape → its sample, loaded through mappings/<shape>.yml into an in-memory DuckDB."""
    loaded: dict[str, Loaded] = {}

    def load(shape: str) -> Loaded:
        if shape not in loaded:
            source = tmp_path_factory.mktemp(shape) / shape
            summary = generate_export(shape, source, **WORLD)
            mapping = load_mapping(ROOT / "mappings" / f"{shape}.yml", source)
            conn = duckdb.connect()
            results = {
                name: load_entity(conn, source, name, settings_for(mapping), mapping)
                for name in entities_in_load_order()
            }
            loaded[shape] = Loaded(source, summary.truth_path, conn, results)
        return loaded[shape]

    yield load
    for sample in loaded.values():
        sample.conn.close()


def _file_totals(sample: Loaded, shape: str) -> tuple[Decimal, Decimal]:
    """Revenue and margin summed straight from the export files, as the export defines them."""
    if shape == "erp":
        lines = f"read_csv('{sample.file('order_lines.csv')}', delim = ';', all_varchar = true)"
        headers = f"read_csv('{sample.file('order_headers.csv')}', delim = ';', all_varchar = true)"
        return sample.one(f"""
            SELECT sum(CAST("Net Amount" AS DECIMAL(18, 2))),
                   sum(CAST("Net Amount" AS DECIMAL(18, 2))
                       - CAST(nullif("Cost Amount", 'NULL') AS DECIMAL(18, 2)))
            FROM {lines} JOIN {headers} USING ("Order No")
            WHERE "Status" <> 'Cancelled'
        """)
    if shape == "crm":
        return sample.one(f"""
            SELECT sum(CAST("Total Price" AS DECIMAL(18, 2))),
                   sum(CAST("Gross Margin" AS DECIMAL(18, 2)))
            FROM read_csv('{sample.file('opportunity_products.csv')}', all_varchar = true)
            WHERE "Stage" = 'Closed Won'
        """)
    return sample.one(f"""
        SELECT sum(commission), sum(commission - payment_cost - fulfilment_cost)
        FROM '{sample.file('order_items')}/*.parquet'
    """)


def _world_totals(world: duckdb.DuckDBPyConnection, shape: str) -> tuple[Decimal, Decimal]:
    """The world's revenue, and its margin over the lines with a cost: the recorded cost for the
    ERP and the CRM; for the marketplace, whose costs are known on every line it has a standard
    cost for, the recorded cost else quantity x the standard cost at the order date, in cents."""
    if shape != "marketplace":
        return world.execute(
            "SELECT sum(net_revenue), sum(net_revenue - cost_amount) FROM orders").fetchone()
    return world.execute("""
        SELECT sum(net_revenue),
               sum(net_revenue - coalesce(
                   o.cost_amount, round(CAST(o.quantity AS DECIMAL(18, 4)) * c.unit_cost, 2)))
        FROM orders o ASOF LEFT JOIN product_costs c
          ON c.product_id = o.product_id AND o.order_date >= c.valid_from
    """).fetchone()


@pytest.mark.parametrize("shape", EXPORT_SHAPES)
def test_every_entity_loads_through_the_shipped_mapping_with_nothing_quarantined(exports, shape):
    sample = exports(shape)

    assert {name for name, result in sample.results.items() if result.rows_loaded} == LOADED[shape]
    assert [name for name, result in sample.results.items() if result.rows_quarantined] == []
    assert sample.one("SELECT count(*) FROM meta.quarantine") == (0,)
    assert sample.one("SELECT count(*) FROM meta.rejected_batches") == (0,)
    assert sample.results["orders"].rows_loaded == WORLD["lines"]
    assert sample.results["customers"].rows_loaded == WORLD["customers"]


@pytest.mark.parametrize("shape", EXPORT_SHAPES)
def test_revenue_and_margin_reconcile_to_the_cent(exports, world, shape):
    sample = exports(shape)
    loaded = sample.one(
        "SELECT sum(net_revenue), sum(net_revenue - cost_amount) FROM raw.orders")

    assert loaded == _file_totals(sample, shape)
    assert loaded == _world_totals(world, shape)
    # Account by account: each line's revenue lands on the account it belongs to (both
    # ground-truth files name each account's archetype, the sample's by the shape's account ids).
    assert sample.conn.execute(f"""
        SELECT archetype, sum(net_revenue) FROM raw.orders o
        JOIN read_csv('{sample.truth_path}', all_varchar = true) t
            ON t.account_id = o.customer_id
        GROUP BY 1 ORDER BY 1
    """).fetchall() == world.execute("""
        SELECT archetype, sum(net_revenue) FROM orders JOIN truth USING (customer_id)
        GROUP BY 1 ORDER BY 1
    """).fetchall()


def test_erp_cancelled_orders_are_filtered_and_counted(exports):
    sample = exports("erp")
    cancelled_lines, cancelled_orders = sample.one(f"""
        SELECT count(*), count(DISTINCT "Order No")
        FROM read_csv('{sample.file('order_lines.csv')}', delim = ';', all_varchar = true) lines
        JOIN read_csv('{sample.file('order_headers.csv')}', delim = ';', all_varchar = true) headers
        USING ("Order No") WHERE "Status" = 'Cancelled'
    """)

    assert cancelled_orders > 0
    assert sample.results["orders"].rows_filtered == cancelled_lines
    assert sample.one("SELECT count(*) FROM raw.orders") == (WORLD["lines"],)
    # Lines without a recorded cost (the text NULL) have none, and are costed from the standard
    # costs downstream; the others keep the ERP's cost.
    assert sample.one("SELECT count(*) FILTER (WHERE cost_amount IS NULL) > 0, "
                      "count(*) FILTER (WHERE cost_amount IS NOT NULL) > 0 "
                      "FROM raw.orders") == (True, True)


def test_erp_customers_take_their_region_from_the_regions_table(exports, world):
    sample = exports("erp")

    assert sample.one("SELECT count(*) FILTER (WHERE region IS NULL) FROM raw.customers") == (0,)
    # The region names, and how many customers each has, are the world's.
    regions = "SELECT region, count(*) FROM {} GROUP BY 1 ORDER BY 1"
    assert sample.conn.execute(regions.format("raw.customers")).fetchall() == \
        world.execute(regions.format("customers")).fetchall()
    # Customers name managers of the managers file, which are the world's.
    assert sample.one(UNKNOWN_MANAGERS) == (0,)
    managers = "SELECT account_manager_id, name, capacity_accounts FROM {} ORDER BY 1"
    assert sample.conn.execute(managers.format("raw.account_managers")).fetchall() == \
        world.execute(managers.format("account_managers")).fetchall()


def test_crm_lost_deals_are_filtered_and_targets_become_a_plan_row_per_filled_month(
        exports, world):
    sample = exports("crm")
    deals = f"read_csv('{sample.file('opportunity_products.csv')}', all_varchar = true)"
    lost = sample.one(f"SELECT count(*) FROM {deals} WHERE \"Stage\" <> 'Closed Won'")[0]
    targets = f"read_csv('{sample.file('account_targets.csv')}', all_varchar = true)"
    months = [f"M{month:02d}" for month in range(1, 13)]
    cells, target_sum = sample.one(
        f"SELECT {' + '.join(f'count({m})' for m in months)}, "
        f"{' + '.join(f'coalesce(sum(CAST({m} AS BIGINT)), 0)' for m in months)} FROM {targets}")

    assert lost > 0
    assert sample.results["orders"].rows_filtered == lost
    assert 0 < cells < 12 * sample.one(f"SELECT count(*) FROM {targets}")[0]  # some cells empty
    assert sample.one(
        "SELECT count(*), sum(target_revenue), "
        "count(*) FILTER (WHERE period_start <> date_trunc('month', period_start) "
        "OR period_end <> last_day(period_start)) FROM raw.account_plans") == (cells, target_sum, 0)
    # Every month the world's plan periods cover has its target, and no other month.
    assert sample.one("SELECT count(*) FROM raw.account_plans")[0] == world.execute(
        "SELECT sum(datediff('month', period_start, period_end) + 1) FROM account_plans"
    ).fetchone()[0]


def test_crm_yearly_wallet_columns_become_the_worlds_wallet_estimates(exports, world):
    sample = exports("crm")
    wallets = ("SELECT archetype, year, count(*), sum(estimated_wallet) FROM {wallets} w "
               "JOIN {truth} t ON t.{key} = w.customer_id GROUP BY ALL ORDER BY ALL")
    sample_truth = f"read_csv('{sample.truth_path}', all_varchar = true)"

    assert sample.conn.execute(wallets.format(
        wallets="raw.wallet_estimates", truth=sample_truth, key="account_id")).fetchall() == \
        world.execute(wallets.format(
            wallets="wallet_estimates", truth="truth", key="customer_id")).fetchall()
    # Owners are users of the users file, with their capacity.
    assert sample.one(UNKNOWN_MANAGERS) == (0,)
    assert sample.one("SELECT count(*), count(capacity_accounts) FROM raw.account_managers") == \
        world.execute("SELECT count(*), count(*) FROM account_managers").fetchone()


def test_marketplace_sellers_are_the_accounts_and_an_unbilled_fulfilment_leaves_no_cost(
        exports, world):
    sample = exports("marketplace")
    items = f"'{sample.file('order_items')}/*.parquet'"
    sellers = f"read_csv('{sample.file('sellers.csv')}', all_varchar = true)"

    assert sample.one(f"SELECT count(*) FROM {sellers}") == (WORLD["customers"],)
    assert sample.one(
        "SELECT count(*) FROM raw.orders WHERE customer_id NOT IN "
        "(SELECT customer_id FROM raw.customers)") == (0,)
    # What the buyer paid is not the marketplace's revenue: far more than its commission.
    assert sample.one(f"SELECT sum(item_price) > 5 * sum(commission) FROM {items}") == (True,)
    assert sample.one("SELECT count(*) FILTER (WHERE cost_amount IS NULL) FROM raw.orders") == \
        sample.one(f"SELECT count(*) FILTER (WHERE fulfilment_cost IS NULL) FROM {items}")
    # The managers are the distinct ones the sellers name.
    assert sample.one("SELECT count(*), count(name) FROM raw.account_managers") == \
        sample.one(f"SELECT count(DISTINCT account_manager_id), count(DISTINCT account_manager_id) "
                   f"FROM {sellers}")
    assert sample.one("SELECT count(*) FROM raw.account_managers")[0] == \
        world.execute("SELECT count(DISTINCT account_manager_id) FROM customers").fetchone()[0]


def test_kam_generate_writes_an_export_shape_and_keeps_the_landing_layout(tmp_path, capsys):
    out = tmp_path / "erp"
    assert main(["generate", "--export-shape", "erp", "--customers", "20", "--lines", "300",
                 "--out", str(out)]) == 0

    assert sorted(p.name for p in out.iterdir()) == sorted(shape_files("erp"))
    assert (tmp_path / "ground_truth" / "erp_archetypes.csv").is_file()
    assert "kam run --mapping mappings/erp.yml" in capsys.readouterr().out
    for shape in EXPORT_SHAPES:
        parsed = build_parser().parse_args(["generate", "--export-shape", shape])
        assert parsed.export_shape == shape
    with pytest.raises(SystemExit):
        main(["generate", "--export-shape", "crm", "--format", "parquet", "--out", str(out)])
    with pytest.raises(SystemExit):
        main(["generate", "--export-shape", "crm", "--without", "wallet_estimates",
              "--out", str(out)])
    # Without a shape, the landing layout as before.
    assert main(["generate", "--customers", "16", "--lines", "200", "--format", "parquet",
                 "--out", str(tmp_path / "landing")]) == 0
    assert (tmp_path / "landing" / "orders" / "orders.parquet").is_file()
