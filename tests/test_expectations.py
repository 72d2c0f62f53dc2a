"""Great Expectations suites on hand-made raw tables: each rule passes on good data and fails, under
its own rule id, on data that breaks it; a blocking failure stops the run before dbt and publish."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from expectations.report import write_report
from expectations.settings import QualitySettings
from expectations.suites import BLOCKING, WARNING, build_all_suites
from expectations.validate import EntityValidation, validate_entity
from loading.contract import ENTITIES
from loading.ingest import RAW_ENTITIES, ensure_raw_schema, entities_in_load_order, load_entity
from loading.rules import RuleSettings
from orchestration.assets.checks import CHECK_NAME
from orchestration.assets.publish import PUBLISHED_WAREHOUSE_KEY
from orchestration.automation import REFRESH_JOB_NAME
from orchestration.definitions import build_definitions
from orchestration.warehouse import work_path
from tests.support import write

SETTINGS = QualitySettings(rules=RuleSettings(latest_order_date=dt.date(2025, 12, 31)))

GOOD = {
    "customers": [{"customer_id": "C1"}, {"customer_id": "C2"}],
    "products": [{"product_id": "P1"}, {"product_id": "P2"}],
    "orders": [
        {"order_id": "SO1", "order_date": "2025-01-05", "customer_id": "C1", "product_id": "P1",
         "quantity": 2, "net_revenue": 200, "line_number": 1, "cost_amount": 120, "currency": "EUR"},
        {"order_id": "SO1", "order_date": "2025-01-05", "customer_id": "C1", "product_id": "P2",
         "quantity": 1, "net_revenue": 50, "line_number": 2, "currency": "EUR"},
        # Lower case and no currency at all both pass; a return has both signs negative.
        {"order_id": "SO2", "order_date": "2025-06-01", "customer_id": "C2", "product_id": "P1",
         "quantity": 5, "net_revenue": 480, "line_number": 1, "cost_amount": 300, "currency": "eur"},
        {"order_id": "CN1", "order_date": "2025-06-20", "customer_id": "C2", "product_id": "P1",
         "quantity": -1, "net_revenue": -96, "line_number": 1, "cost_amount": -60},
    ],
    "product_costs": [{"product_id": "P1", "valid_from": "2024-01-01", "unit_cost": 10}],
    "wallet_estimates": [{"customer_id": "C1", "year": 2025, "estimated_wallet": 1000}],
    "service_costs": [
        {"customer_id": "C1", "activity_date": "2025-02-01", "activity_type": "visit", "cost": 100}
    ],
    "account_assessments": [
        {"customer_id": "C1", "assessed_on": "2025-03-01", "executive_access": 1,
         "decision_access": 5, "cultural_fit": 3}
    ],
    "account_managers": [
        {"account_manager_id": "AM1", "capacity_accounts": 5}, {"account_manager_id": "AM2"}
    ],
    "account_plans": [
        {"customer_id": "C1", "period_start": "2025-01-01", "period_end": "2025-06-30"},
        {"customer_id": "C1", "period_start": "2025-07-01", "period_end": "2025-12-31"},
        # The same period delivered again in a later file is a replacement, not an overlap.
        {"customer_id": "C1", "period_start": "2025-01-01", "period_end": "2025-06-30",
         "_source_file": "account_plans/replan.csv"},
    ],
    "account_overrides": [{"customer_id": "C1", "forced_status": " Key", "reason": "board says so"}],
}


def order(**changes) -> dict:
    return {**GOOD["orders"][0], "order_id": "SO9", **changes}


def costed(cost: float) -> dict:
    return order(line_number=None, net_revenue=100, cost_amount=cost)


# entity, rule id, rows added to the good data (entity → rows), entities emptied first
FAILING = [
    ("orders", "missing_required_value", {"orders": [order(order_id=None)]}, ()),
    ("orders", "quantity_out_of_bounds", {"orders": [order(quantity=2_000_000)]}, ()),
    ("orders", "net_revenue_out_of_bounds", {"orders": [order(net_revenue=200_000_000)]}, ()),
    ("orders", "quantity_revenue_sign_mismatch", {"orders": [order(quantity=-1)]}, ()),
    ("orders", "order_date_in_future", {"orders": [order(order_date="2026-01-05")]}, ()),
    ("orders", "order_date_before_start", {"orders": [order(order_date="1925-01-05")]}, ()),
    ("orders", "unexpected_currency", {"orders": [order(currency="USD")]}, ()),
    ("orders", "duplicate_order_line", {"orders": [order(order_id="SO1")]}, ()),
    ("orders", "cost_above_revenue_share", {"orders": [costed(150), costed(150)]}, ()),
    ("orders", "unknown_customer", {"orders": [order(customer_id="C9")]}, ()),
    ("orders", "unknown_product", {"orders": [order(product_id="P9")]}, ()),
    ("orders", "not_empty", {}, ("orders",)),
    ("customers", "not_empty", {}, ("customers",)),
    ("customers", "missing_required_value", {"customers": [{"customer_name": "nameless"}]}, ()),
    ("product_costs", "negative_unit_cost",
     {"product_costs": [{"product_id": "P2", "valid_from": "2024-01-01", "unit_cost": -1}]}, ()),
    ("wallet_estimates", "negative_wallet",
     {"wallet_estimates": [{"customer_id": "C2", "year": 2024, "estimated_wallet": -5}]}, ()),
    ("wallet_estimates", "wallet_below_spend",
     {"wallet_estimates": [{"customer_id": "C2", "year": 2025, "estimated_wallet": 100}]}, ()),
    ("service_costs", "negative_service_cost",
     {"service_costs": [{"customer_id": "C1", "activity_date": "2025-03-01",
                         "activity_type": "visit", "cost": -10}]}, ()),
    ("account_assessments", "score_out_of_range",
     {"account_assessments": [{"customer_id": "C2", "assessed_on": "2025-03-01",
                               "executive_access": 6}]}, ()),
    ("account_assessments", "score_out_of_range",
     {"account_assessments": [{"customer_id": "C2", "assessed_on": "2025-03-01",
                               "strategic_alignment": 0}]}, ()),
    ("account_managers", "capacity_not_positive",
     {"account_managers": [{"account_manager_id": "AM3", "capacity_accounts": 0}]}, ()),
    ("account_plans", "plan_period_reversed",
     {"account_plans": [{"customer_id": "C2", "period_start": "2025-06-01",
                         "period_end": "2025-01-01"}]}, ()),
    ("account_plans", "overlapping_plan_period",
     {"account_plans": [{"customer_id": "C1", "period_start": "2025-06-01",
                         "period_end": "2025-09-30"}]}, ()),
    ("account_overrides", "invalid_forced_status",
     {"account_overrides": [{"customer_id": "C2", "forced_status": "maybe", "reason": "?"}]}, ()),
]


def insert(conn: duckdb.DuckDBPyConnection, entity: str, rows: list[dict]) -> None:
    """Rows into raw.<entity>, each from `<entity>/<entity>.csv` unless it names its file."""
    columns = [*ENTITIES[entity].column_names, "_source_file", "_source_row"]
    for number, row in enumerate(rows, start=1):
        values = {"_source_file": f"{entity}/{entity}.csv", "_source_row": number, **row}
        conn.execute(
            f"INSERT INTO raw.{entity} ({', '.join(columns)}, _loaded_at) "
            f"VALUES ({', '.join('?' for _ in columns)}, current_timestamp)",
            [values.get(name) for name in columns],
        )


@pytest.fixture
def raw_database(tmp_path: Path):
    """A function that builds raw tables from the good data plus changes, and returns the file."""

    def build(extra: dict[str, list[dict]] | None = None, emptied=()) -> Path:
        path = tmp_path / "work.duckdb"
        path.unlink(missing_ok=True)
        with duckdb.connect(str(path)) as conn:
            ensure_raw_schema(conn)
            for entity in ENTITIES:
                rows = [] if entity in emptied else GOOD.get(entity, [])
                insert(conn, entity, rows + (extra or {}).get(entity, []))
        return path

    return build


def outcome(validation: EntityValidation, rule: str):
    return next(o for o in validation.outcomes if o.rule == rule)


def test_each_check_is_one_rule_and_column_tagged_with_its_severity():
    for suite in build_all_suites(SETTINGS).values():
        keys = [(c.rule, c.column) for c in suite.checks]
        assert len(keys) == len(set(keys)), suite.entity
        assert {c.severity for c in suite.checks} <= {BLOCKING, WARNING}
        assert [e.meta["rule"] for e in suite.suite.expectations] == [c.rule for c in suite.checks]


def test_every_rule_passes_on_good_data(raw_database):
    database = raw_database()
    for entity in ENTITIES:
        validation = validate_entity(database, entity, SETTINGS)
        assert [o.rule for o in validation.outcomes if not o.success] == [], entity


@pytest.mark.parametrize(
    "entity, rule, extra, emptied", FAILING, ids=[f"{e}.{r}.{n}" for n, (e, r, *_) in enumerate(FAILING)]
)
def test_each_rule_fails_under_its_own_id(raw_database, entity, rule, extra, emptied):
    validation = validate_entity(raw_database(extra, emptied), entity, SETTINGS)

    assert [o.rule for o in validation.outcomes if not o.success] == [rule]
    failed = next(o for o in validation.outcomes if not o.success)
    assert validation.passed == (failed.severity == WARNING)
    if extra:
        # The offending row is named by its landing file and row.
        added_row = len(GOOD.get(entity, [])) + 1
        named = {"_source_file": f"{entity}/{entity}.csv", "_source_row": added_row}.items()
        assert any(named <= sample.items() for sample in failed.samples), failed.samples


def test_a_line_delivered_again_in_another_file_is_not_a_duplicate(raw_database):
    again = {**GOOD["orders"][0], "_source_file": "orders/orders_resent.csv"}
    validation = validate_entity(raw_database({"orders": [again]}), "orders", SETTINGS)
    assert outcome(validation, "duplicate_order_line").success


def test_cost_above_revenue_up_to_the_configured_share_passes(raw_database):
    # Five costed sales, one of them at a loss: 20% is the limit, not over it.
    database = raw_database({"orders": [costed(150), costed(50), costed(50)]})
    validation = validate_entity(database, "orders", SETTINGS)
    share = outcome(validation, "cost_above_revenue_share")
    assert share.success
    assert share.observed == "cost_above_revenue_share: 20.0%"


def test_without_products_unknown_products_are_not_judged(raw_database):
    database = raw_database({"orders": [order(product_id="P9")]}, emptied=("products",))
    validation = validate_entity(database, "orders", SETTINGS)
    unknown_product = outcome(validation, "unknown_product")
    assert unknown_product.success
    assert unknown_product.observed == "0 of 5 rows"


def test_every_offending_row_is_counted_and_a_few_are_shown(raw_database):
    database = raw_database({"orders": [order(quantity=-1, line_number=n) for n in range(3, 9)]})
    few = QualitySettings(rules=SETTINGS.rules, sample_rows=4)
    validation = validate_entity(database, "orders", few)
    sign = outcome(validation, "quantity_revenue_sign_mismatch")
    assert sign.unexpected_count == 6
    assert sign.observed == "6 of 10 rows"
    assert sign.expected == "no row with quantity_revenue_sign_mismatch on net_revenue"
    assert [sample["_source_row"] for sample in sign.samples] == [5, 6, 7, 8]
    assert sign.files == [{"file": "orders/orders.csv", "offending_rows": 6, "rows": 10}]


def test_the_report_names_failed_rules_and_their_rows(raw_database, tmp_path):
    database = raw_database({"orders": [order(customer_id="C9")]})
    validation = validate_entity(database, "orders", SETTINGS)
    page = write_report([validation], tmp_path / "report").read_text()
    assert "unknown_customer" in page and "FAIL" in page
    assert "_source_file=orders/orders.csv, _source_row=5" in page


CUSTOMERS = "customer_id,customer_name\nC1,Acme\nC2,Beta\n"
PRODUCTS = "product_id,category\nP1,Tools\n"
ORDERS = """order_id,order_date,customer_id,product_id,quantity,net_revenue,line_number
SO1,2025-01-05,C1,P1,2,200.00,1
SO2,2025-06-01,C2,P1,5,480.00,1
"""


@pytest.mark.pipeline
def test_orders_of_an_unknown_customer_stop_the_run_before_dbt_and_publish(tmp_path):
    landing = tmp_path / "landing"
    write(landing / "customers" / "customers.csv", CUSTOMERS)
    write(landing / "products" / "products.csv", PRODUCTS)
    write(landing / "orders" / "orders.csv", ORDERS)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    # A previous good run loaded and published these files.
    with duckdb.connect(str(work_path(warehouse))) as conn:
        for name in entities_in_load_order():
            load_entity(conn, landing, name)
    shutil.copyfile(work_path(warehouse), warehouse)
    # Now customer C2 disappears from the export; the unchanged orders file still names it.
    write(landing / "customers" / "customers.csv", "customer_id,customer_name\nC1,Acme\n")

    result = (
        build_definitions(landing, warehouse)
        .resolve_job_def(REFRESH_JOB_NAME)
        .execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    )

    assert not result.success
    evaluation = next(
        e for e in result.get_asset_check_evaluations()
        if e.asset_key == dg.AssetKey(["raw", "orders"]) and e.check_name == CHECK_NAME
    )
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert "unknown_customer" in evaluation.metadata["failed_rules"].value
    report = Path(evaluation.metadata["report"].value)
    assert report.parent.parent == warehouse.parent / "validation"
    assert "unknown_customer" in report.read_text()
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized <= {dg.AssetKey(["raw", name]) for name in RAW_ENTITIES}
    assert PUBLISHED_WAREHOUSE_KEY not in materialized
    assert "kam_dbt_models" not in {e.step_key for e in result.get_step_success_events()}
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM raw.customers").fetchall() == [(2,)]


def test_row_rules_can_check_the_new_files_only_table_rules_the_whole_table(raw_database):
    """A daily run checks the rows of its new landing files with the row rules (older files passed
    them when they were built) and the whole table with the table rules."""
    new_file = "orders/orders_2025-12-01.csv"
    database = raw_database({"orders": [
        # In an older file: broken, but not among the files checked.
        order(quantity=-1, line_number=3),
        {**order(line_number=1, net_revenue=100, cost_amount=150), "_source_file": new_file},
        {**order(line_number=2, net_revenue=100, cost_amount=150), "_source_file": new_file},
    ]})
    validation = validate_entity(database, "orders", SETTINGS, source_files=[new_file])
    assert (validation.rows, validation.source_files) == (2, [new_file])
    assert outcome(validation, "quantity_revenue_sign_mismatch").success
    assert outcome(validation, "quantity_revenue_sign_mismatch").observed == "0 of 2 rows"
    # Two of the five costed lines in the whole table sell below cost: over the 20% limit.
    share = outcome(validation, "cost_above_revenue_share")
    assert not share.success
    assert share.observed == "cost_above_revenue_share: 40.0%"
    every_row = validate_entity(database, "orders", SETTINGS)
    assert every_row.rows == 7
    assert not outcome(every_row, "quantity_revenue_sign_mismatch").success
