"""One rule catalogue (loading/rules.py) drives both layers: the quarantine at load and the
Great Expectations checks on the raw tables. A rule is stated once and named once everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from expectations.settings import QualitySettings
from expectations.validate import validate_entity
from loading import rules
from loading.contract import ENTITIES
from loading.ingest import load_entity
from loading.rules import RowRule, RuleSettings
from tests.support import write

ROOT = Path(__file__).resolve().parents[1]
HEADER = "order_id,order_date,customer_id,product_id,quantity,net_revenue\n"


def test_a_rule_added_to_the_catalogue_quarantines_at_load_and_fails_the_check(
    monkeypatch, tmp_path
):
    catalogue = rules.entity_rules

    def with_a_minimum_sale(entity, settings):
        minimum = RowRule(
            "sale_below_minimum",
            "net_revenue",
            "net_revenue > 0 AND net_revenue < 50",
            "a sale brings at least 50",
        )
        return catalogue(entity, settings) + ([minimum] if entity.name == "orders" else [])

    monkeypatch.setattr(rules, "entity_rules", with_a_minimum_sale)
    landing = tmp_path / "landing"
    write(landing / "customers" / "customers.csv", "customer_id\nC1\n")
    write(
        landing / "orders" / "orders.csv",
        HEADER
        + "".join(f"SO-{n},2025-01-01,C1,P1,1,100.00\n" for n in range(1, 41))
        + "SO-41,2025-01-01,C1,P1,1,10.00\n",
    )

    with duckdb.connect(str(tmp_path / "work.duckdb")) as conn:
        load_entity(conn, landing, "customers")
        load_entity(conn, landing, "orders")
        quarantined = conn.execute(
            "SELECT source_row, column_name, rule, value, expectation FROM meta.quarantine"
        ).fetchall()
        # A row that got in some other way is held to the same rule by the check.
        conn.execute(
            "INSERT INTO raw.orders (order_id, order_date, customer_id, product_id, quantity, "
            "net_revenue, _source_file, _source_row, _loaded_at) VALUES ('SO-99', DATE "
            "'2025-01-02', 'C1', 'P1', 1, 20, 'orders/by_hand.csv', 1, current_timestamp)"
        )
        settings = QualitySettings(rules=RuleSettings(latest_order_date=None))
        validation = validate_entity(conn, "orders", settings)

    assert quarantined == [(41, "net_revenue", "sale_below_minimum", "10.00", "a sale brings at least 50")]
    [failed] = validation.blocking_failures
    assert (failed.rule, failed.column, failed.observed) == (
        "sale_below_minimum", "net_revenue", "1 of 41 rows"
    )
    assert failed.samples == [
        {"_source_file": "orders/by_hand.csv", "_source_row": 1, "net_revenue": 20.0}
    ]


def test_every_rule_is_documented_under_the_name_it_has_everywhere():
    documented = (ROOT / "docs" / "data-quality.md").read_text()
    settings = RuleSettings()
    names = {
        rule.rule
        for entity in ENTITIES.values()
        for rule in [*rules.row_rules(entity, settings), *rules.table_rules(entity, settings)]
    }
    missing = sorted(name for name in names if not re.search(rf"`{name}`", documented))
    assert missing == []
