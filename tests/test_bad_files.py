"""The corpus of bad landing files in tests/bad_files/: each problem has its documented outcome —
the bad rows quarantined with the right rule, or the whole file rejected with an error naming the
file and the rule — and nothing is lost or half-written."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.settings import QualitySettings
from expectations.validate import check_loaded_tables, validate_entity
from loading.contract import ENTITIES
from loading.ingest import (
    BatchRejected,
    IngestError,
    ensure_raw_schema,
    entities_in_load_order,
    load_entity,
    validate_landing,
)
from loading.rules import RuleSettings

CORPUS = Path(__file__).parent / "bad_files"
# Fixed dates, so "in the future" means the same thing on every day the tests run.
SETTINGS = RuleSettings(latest_order_date=date(2026, 11, 25))

# file → (entity, quarantined rule, data row, column)
QUARANTINED = {
    "unparseable_date.csv": ("orders", "unparseable_date", 11, "order_date"),
    "unparseable_number.csv": ("orders", "not_a_number", 11, "quantity"),
    "null_key.csv": ("orders", "missing_required_value", 11, "customer_id"),
    "duplicate_order_line.csv": ("orders", "duplicate_order_line", 11, "order_id"),
    "unknown_customer.csv": ("orders", "unknown_customer", 11, "customer_id"),
    "unknown_product.csv": ("orders", "unknown_product", 11, "product_id"),
    "opposite_signs.csv": ("orders", "quantity_revenue_sign_mismatch", 11, "net_revenue"),
    "quantity_out_of_bounds.csv": ("orders", "quantity_out_of_bounds", 11, "quantity"),
    "order_date_in_future.csv": ("orders", "order_date_in_future", 11, "order_date"),
    "order_date_before_start.csv": ("orders", "order_date_before_start", 11, "order_date"),
    "unexpected_currency.csv": ("orders", "unexpected_currency", 11, "currency"),
    "truncated_last_line.csv": ("orders", "truncated_last_line", 31, "*"),
    "assessment_score_out_of_range.csv": (
        "account_assessments", "score_out_of_range", 31, "executive_access",
    ),
    "overlapping_plan_periods.csv": ("account_plans", "overlapping_plan_period", 22, "period_start"),
}

# file → (entity, rejection rule)
REJECTED = {
    "missing_required_column.csv": ("orders", "missing_required_column"),
    "empty_file.csv": ("orders", "empty_file"),
    "header_only.csv": ("orders", "no_data_rows"),
    "too_many_bad_rows.csv": ("orders", "too_many_bad_rows"),
    "not_utf8_customers.csv": ("customers", "not_utf8"),
}

# file → (entity, rule of the Great Expectations check that fails once it has loaded, severity,
# offending data rows). These problems show only across many rows, so every row loads and the
# blocking check, not the loader, keeps them out of the models.
CHECKED = {
    "cost_above_revenue.csv": ("orders", "cost_above_revenue_share", "blocking", list(range(21, 31))),
    "wallet_below_spend.csv": ("wallet_estimates", "wallet_below_spend", "warning", [1]),
}

# Files that look odd but are fine: every row loads.
ACCEPTED = {
    "byte_order_mark.csv": ("orders", 30),
    "semicolon_separated.csv": ("orders", 30),
}


def landing_with(tmp_path: Path, entity: str, bad_file: str) -> Path:
    landing = tmp_path / "landing"
    for name, reference in (("customers", "customers.csv"), ("products", "products.csv")):
        (landing / name).mkdir(parents=True)
        shutil.copyfile(CORPUS / reference, landing / name / reference)
    (landing / entity).mkdir(parents=True, exist_ok=True)
    if entity == "customers":
        (landing / "customers" / "customers.csv").unlink()
    shutil.copyfile(CORPUS / bad_file, landing / entity / bad_file)
    return landing


def snapshot(conn) -> dict[str, list[tuple]]:
    tables = ["raw.orders", "raw.customers", "raw.products", "raw.account_plans",
              "raw.account_assessments", "meta.quarantine", "meta.load_ledger"]
    return {table: conn.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall() for table in tables}


@pytest.fixture
def conn(tmp_path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as connection:
        yield connection


def load_references(conn, landing: Path) -> None:
    for entity in ("customers", "products"):
        load_entity(conn, landing, entity, SETTINGS)


@pytest.mark.parametrize("bad_file", sorted(QUARANTINED))
def test_bad_rows_are_quarantined_and_the_rest_loads(conn, tmp_path, bad_file):
    entity, rule, row, column = QUARANTINED[bad_file]
    landing = landing_with(tmp_path, entity, bad_file)
    load_references(conn, landing)
    data_rows = len((CORPUS / bad_file).read_text().splitlines()) - 1

    result = load_entity(conn, landing, entity, SETTINGS)

    quarantined = conn.execute(
        "SELECT source_file, source_row, column_name, rule FROM meta.quarantine WHERE entity = ?",
        [entity],
    ).fetchall()
    assert quarantined == [(f"{entity}/{bad_file}", row, column, rule)]
    assert result.rows_quarantined == 1
    assert result.quarantined_by_rule == {rule: 1}
    assert result.rows_loaded == data_rows - 1
    loaded_rows = {r[0] for r in conn.execute(f"SELECT _source_row FROM raw.{entity}").fetchall()}
    # Nothing lost: every data row is either loaded or in quarantine.
    assert loaded_rows | {row} == set(range(1, data_rows + 1))


@pytest.mark.parametrize("bad_file", sorted(REJECTED))
def test_a_rejected_file_loads_nothing_and_names_file_and_rule(conn, tmp_path, bad_file):
    entity, rule = REJECTED[bad_file]
    landing = landing_with(tmp_path, entity, bad_file)
    if entity != "customers":
        load_references(conn, landing)
    ensure_raw_schema(conn)
    before = snapshot(conn)

    with pytest.raises(BatchRejected) as rejection:
        load_entity(conn, landing, entity, SETTINGS)

    assert rejection.value.rule == rule
    assert bad_file in str(rejection.value) and f"({rule})" in str(rejection.value)
    assert snapshot(conn) == before
    recorded = conn.execute("SELECT entity, rule FROM meta.rejected_batches").fetchall()
    assert recorded == [(entity, rule)]


@pytest.mark.parametrize("odd_file", sorted(ACCEPTED))
def test_a_byte_order_mark_or_semicolons_load_every_row(conn, tmp_path, odd_file):
    entity, rows = ACCEPTED[odd_file]
    landing = landing_with(tmp_path, entity, odd_file)
    load_references(conn, landing)

    result = load_entity(conn, landing, entity, SETTINGS)

    assert result.rows_loaded == rows
    assert result.rows_quarantined == 0
    first = conn.execute("SELECT order_id, net_revenue FROM raw.orders WHERE _source_row = 1").fetchone()
    assert first == ("SO0001", 40)


@pytest.mark.parametrize("bad_file", sorted(CHECKED))
def test_a_problem_across_rows_fails_its_check_naming_file_and_rows(conn, tmp_path, bad_file):
    entity, rule, severity, rows = CHECKED[bad_file]
    landing = landing_with(tmp_path, entity, bad_file)
    if entity != "orders":
        (landing / "orders").mkdir()
        shutil.copyfile(CORPUS / "orders.csv", landing / "orders" / "orders.csv")
    for name in ("customers", "products", "orders", entity):
        load_entity(conn, landing, name, SETTINGS)

    validation = validate_entity(conn, entity, QualitySettings(rules=SETTINGS, sample_rows=50))

    failed = {o.rule: o for o in validation.outcomes if not o.success}
    assert set(failed) == {rule}
    assert failed[rule].severity == severity
    assert failed[rule].unexpected_count == len(rows)
    assert [(s["_source_file"], s["_source_row"]) for s in failed[rule].samples] == [
        (f"{entity}/{bad_file}", row) for row in rows
    ]
    assert validation.passed == (severity != "blocking")


# Every case of the corpus: file → (entity, the rules that stop a run, the warnings it reports).
VERDICTS = {
    **{name: (case[0], set(), set()) for name, case in {**QUARANTINED, **ACCEPTED}.items()},
    **{name: (entity, {rule}, set()) for name, (entity, rule) in REJECTED.items()},
    **{
        name: (entity, {rule}, set()) if severity == "blocking" else (entity, set(), {rule})
        for name, (entity, rule, severity, _) in CHECKED.items()
    },
}


def complete_landing(tmp_path: Path, entity: str, bad_file: str) -> Path:
    """The bad file with the reference customers and products, and good orders beside a bad file
    of another entity: a folder a run would load whole but for the bad file."""
    landing = landing_with(tmp_path, entity, bad_file)
    if entity != "orders":
        (landing / "orders").mkdir()
        shutil.copyfile(CORPUS / "orders.csv", landing / "orders" / "orders.csv")
    return landing


def run_verdict(conn, landing: Path) -> tuple[set[str], set[str]]:
    """What a run decides, step by step as its assets do: each entity loads (a rejected file
    stops the run), then the blocking checks of every table that loaded (a failure stops it, a
    warning is reported); no dbt."""
    stopping, loaded = set(), []
    for entity in entities_in_load_order():
        try:
            load_entity(conn, landing, entity, SETTINGS)
            loaded.append(entity)
        except BatchRejected as rejection:
            stopping.add(rejection.rule)
        except IngestError as error:
            stopping.add(str(error))
    warnings = set()
    for entity in loaded:
        validation = validate_entity(conn, entity, QualitySettings(rules=SETTINGS))
        stopping |= {outcome.rule for outcome in validation.blocking_failures}
        warnings |= {outcome.rule for outcome in validation.warnings}
    return stopping, warnings


@pytest.mark.parametrize("bad_file", sorted(VERDICTS))
def test_validate_and_a_run_agree_on_every_file_of_the_corpus(conn, tmp_path, bad_file):
    entity, stops_the_run, warned = VERDICTS[bad_file]
    landing = complete_landing(tmp_path, entity, bad_file)

    validation = validate_landing(landing, SETTINGS, checks=check_loaded_tables)

    said = (
        {rejection.rule for rejection in validation.rejections}
        | {str(error) for error in validation.errors}
        | {failure.rule for failure in validation.check_failures if failure.blocking}
    )
    warnings = {failure.rule for failure in validation.check_failures if not failure.blocking}
    assert (said, warnings) == run_verdict(conn, landing) == (stops_the_run, warned)
    assert validation.ok == (not stops_the_run)


def test_every_file_of_the_corpus_has_its_verdict():
    references = {"customers.csv", "products.csv", "orders.csv"}
    assert {path.name for path in CORPUS.iterdir()} == set(VERDICTS) | references
    assert {entity for entity, _, _ in VERDICTS.values()} <= set(ENTITIES)


def test_a_replaced_file_replaces_its_quarantine_entries(conn, tmp_path):
    landing = landing_with(tmp_path, "orders", "unknown_customer.csv")
    load_references(conn, landing)
    load_entity(conn, landing, "orders", SETTINGS)
    fixed = landing / "orders" / "unknown_customer.csv"
    fixed.write_text(fixed.read_text().replace("C999", "C1"))

    result = load_entity(conn, landing, "orders", SETTINGS)

    assert result.files_replaced == ["orders/unknown_customer.csv"]
    assert conn.execute("SELECT count(*) FROM meta.quarantine").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (31,)
