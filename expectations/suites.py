"""What is checked on every raw table, as one Great Expectations (GX Core 1.x) suite per entity
(and one for the review decisions), generated from the rule catalogue (loading/rules.py).

Every rule is judged on a figure DuckDB computes over the whole raw table:

- a row rule on how many rows break it (none may: whichever way a row got into the raw table, it
  is held to the rule that quarantines it at load), all counted in one pass over the table;
- a table rule on its own figure (a share of lines, a count across files).

GX judges the one row of figures. Each expectation carries `meta={"rule", "column", "severity"}`:
a failed blocking rule stops the downstream models, a warning is only reported
(../docs/data-quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import great_expectations as gx
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.settings import QualitySettings
from loading.ingest import RAW_ENTITIES
from loading.rules import (
    BLOCKING,
    WARNING,
    RowRule,
    TableRule,
    checked_raw_rows_sql,
    raw_row_rules,
    table_rules,
)

__all__ = ["BLOCKING", "WARNING", "Check", "EntitySuite", "build_all_suites", "build_entity_suite"]


@dataclass(frozen=True)
class Check:
    """One catalogue rule as a check: the figure it is judged on and the rows behind a failure."""

    rule: str
    column: str | None
    severity: str
    description: str
    figure: str
    """The figure's name in the one row GX judges."""
    offending_rows_sql: str | None
    row_rule: bool
    """Judged on how many rows break it (`figure` counts them in the row-rule pass)."""
    at_least: float | None = None
    at_most: float | None = None


@dataclass(frozen=True)
class EntitySuite:
    """Everything checked on one raw table."""

    entity: str
    suite: gx.ExpectationSuite
    checks: tuple[Check, ...]
    row_counts_sql: str | None
    """One pass over the table: its row count as `rows` and each row rule's count of rows that
    break it, under the rule's figure name. None without row rules."""
    table_figures: dict[str, str]
    """Figure name → the SQL of one scalar, for the table rules."""


def build_entity_suite(
    entity_name: str, settings: QualitySettings | None = None, source_files: list[str] | None = None
) -> EntitySuite:
    """The entity's suite; its row rules on the rows of `source_files` only, where given (right
    only where no row rule looks beyond a row's own file), its table rules on the whole table."""
    settings = settings or QualitySettings()
    entity = RAW_ENTITIES[entity_name]
    row_rules = raw_row_rules(entity, settings.rules)
    tables = table_rules(entity, settings.rules)
    checked = checked_raw_rows_sql(entity, row_rules, source_files)
    checks = [_row_check(rule, checked) for rule in row_rules] + [_table_check(t) for t in tables]
    row_counts_sql = None
    if row_rules:
        counts = ", ".join(
            f"count(*) FILTER (WHERE {rule.condition}) AS {_figure_name(rule)}" for rule in row_rules
        )
        row_counts_sql = f"SELECT count(*) AS rows, {counts} FROM ({checked})"
    return EntitySuite(
        entity=entity_name,
        suite=gx.ExpectationSuite(name=entity_name, expectations=[_expectation(c) for c in checks]),
        checks=tuple(checks),
        row_counts_sql=row_counts_sql,
        table_figures={table.rule: table.figure_sql for table in tables},
    )


def build_all_suites(settings: QualitySettings | None = None) -> dict[str, EntitySuite]:
    settings = settings or QualitySettings()
    return {name: build_entity_suite(name, settings) for name in RAW_ENTITIES}


def _figure_name(rule: RowRule) -> str:
    return f"{rule.rule}__{rule.column}"


def _row_check(rule: RowRule, checked_rows_sql: str) -> Check:
    return Check(
        rule=rule.rule,
        column=rule.column,
        severity=BLOCKING,
        description=rule.description,
        figure=_figure_name(rule),
        offending_rows_sql=(
            f"SELECT _source_file, _source_row, {rule.column} FROM ({checked_rows_sql}) "
            f"WHERE {rule.condition}"
        ),
        row_rule=True,
        at_most=0,
    )


def _table_check(rule: TableRule) -> Check:
    return Check(
        rule=rule.rule,
        column=None,
        severity=rule.severity,
        description=rule.description,
        figure=rule.rule,
        offending_rows_sql=rule.offending_rows_sql,
        row_rule=False,
        at_least=rule.at_least,
        at_most=rule.at_most,
    )


def _expectation(check: Check) -> gx.expectations.Expectation:
    """The check as a GX expectation on its figure, tagged with the rule's id, column and
    severity (mirrored in GX's own severity field for anything that reads the suite with GX)."""
    return gx.expectations.ExpectColumnValuesToBeBetween(
        column=check.figure,
        min_value=check.at_least,
        max_value=check.at_most,
        meta={"rule": check.rule, "column": check.column, "severity": check.severity},
        severity=(
            FailureSeverity.CRITICAL if check.severity == BLOCKING else FailureSeverity.WARNING
        ),
        description=check.description,
    )
