"""The rule catalogue: every data-quality rule on the inputs, stated once.

A row rule is an SQL condition one row can break. It is applied twice from this one statement:
while a landing file loads (`violations_sql`: the row goes to `meta.quarantine` with its file, row,
column, rule and value, the rest of the file loads) and after loading, on the whole raw table, as a
blocking Great Expectations check (`raw_row_rules_sql`: no row may break it, whichever way it got
in). A table rule judges a figure of the whole table (a share, a count across files) and is only a
check. Both are evaluated in DuckDB in one pass (no Python loop over rows).

Inside a row rule's condition, `<column>` is the value at its contract type (null if it does not
cast), `<column>__text` the value as it landed (text), `_source_file` and `_source_row` where it
came from, and `w_<rule>` the rule's window expression.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from loading.contract import Column, Entity
from loading.decisions import REVIEW_TOPICS


@dataclass(frozen=True)
class RuleSettings:
    """Bounds the rules check against. Defaults suit a mid-sized B2B distributor."""

    # The currency every amount is in; another currency on a line is a unit slip, not data.
    currency: str = "EUR"
    # Orders before this date are typing errors (1925 for 2025) rather than history.
    earliest_order_date: date = date(2000, 1, 1)
    # Orders after this date have not happened yet; None means today.
    latest_order_date: date | None = None
    # Beyond these, a line is a unit or decimal slip (grams for tonnes, cents for euros).
    max_abs_quantity: float = 1_000_000.0
    max_abs_net_revenue: float = 100_000_000.0
    # Above this share of bad rows the file is systematically wrong (a shifted column, another
    # unit): quarantining most of it would hide the real problem, so the whole file is rejected.
    max_quarantine_share: float = 0.05
    # Loss-making lines happen; when a fifth of the sold lines with a cost cost more than they
    # earned, the cost column is in other units or another currency and every margin is wrong.
    max_cost_above_revenue_share: float = 0.2

    @classmethod
    def from_environment(cls, overrides: Mapping[str, object] | None = None) -> RuleSettings:
        """Defaults, overridden by the KAM_* variables of SETTINGS, then by `overrides` (a column
        mapping's `settings:`, under the same names: what an export is like belongs with it)."""
        values = {
            **settings_from_values(
                {name: os.environ[name] for name in SETTINGS if name in os.environ},
                source="the environment",
            ),
            **settings_from_values(overrides or {}, source="the mapping's settings"),
        }
        return cls(**values)

    def latest_order_date_or_today(self) -> date:
        return self.latest_order_date or date.today()


# Every bound a run's rules check against, by the name that sets it: an environment variable, or
# the same key under a column mapping's `settings:`. field: the RuleSettings field it sets.
SETTINGS = {
    "KAM_CURRENCY": "currency",
    "KAM_EARLIEST_ORDER_DATE": "earliest_order_date",
    "KAM_LATEST_ORDER_DATE": "latest_order_date",
    "KAM_MAX_ABS_QUANTITY": "max_abs_quantity",
    "KAM_MAX_ABS_NET_REVENUE": "max_abs_net_revenue",
    "KAM_MAX_QUARANTINE_SHARE": "max_quarantine_share",
    "KAM_MAX_COST_ABOVE_REVENUE_SHARE": "max_cost_above_revenue_share",
}


class SettingError(ValueError):
    """A setting's name or value that cannot be used; `name` is the setting, `detail` why."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name = name
        self.detail = detail


def _setting_value(name: str, value: object):
    field = SETTINGS[name]
    text = str(value).strip()
    if field == "currency":
        if not (len(text) == 3 and text.isascii() and text.isalpha()):
            raise SettingError(name, f"'{text}' is not a three-letter code such as EUR or USD")
        return text.upper()
    if field.endswith("_date"):
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            raise SettingError(name, f"'{text}' is not a date as YYYY-MM-DD") from None
    try:
        number = float(text)
    except ValueError:
        raise SettingError(name, f"'{text}' is not a number") from None
    if number < 0 or (field.endswith("_share") and number > 1):
        raise SettingError(
            name, f"{text} is out of range ({'a share from 0 to 1' if field.endswith('_share') else 'at least 0'})"
        )
    return number


def settings_from_values(values: Mapping[str, object], source: str) -> dict[str, object]:
    """RuleSettings fields from settings given by name; SettingError names the one that is wrong."""
    fields = {}
    for name, value in values.items():
        if name not in SETTINGS:
            raise SettingError(name, f"not a setting of {source} (known: {', '.join(SETTINGS)})")
        fields[SETTINGS[name]] = _setting_value(name, value)
    return fields


BLOCKING = "blocking"
WARNING = "warning"


@dataclass(frozen=True)
class RowRule:
    """A condition one row can break (see the module docstring for the names it may use)."""

    rule: str
    column: str
    condition: str
    description: str
    """What the rule expects, as the quarantine and the check report say it."""
    window: str | None = None
    """A window expression the condition needs, computed as `w_<rule>` before the rules run."""
    after_load: bool = True
    """Checked again on the raw table. False for the rules about a value's text (it does not
    cast, it would be cut): a typed raw table cannot break them."""


@dataclass(frozen=True)
class TableRule:
    """A figure of the whole raw table and its limit; only a check (no single row breaks it)."""

    rule: str
    figure_sql: str
    """One scalar; NULL when the rule does not apply (a pass)."""
    description: str
    at_most: float | None = None
    at_least: float | None = None
    severity: str = BLOCKING
    offending_rows_sql: str | None = None
    """The rows behind a failure, with `_source_file` and `_source_row`."""


def _type_rule_name(duckdb_type: str) -> str:
    if duckdb_type == "DATE":
        return "unparseable_date"
    if duckdb_type == "INTEGER":
        return "not_an_integer"
    if duckdb_type.startswith(("DECIMAL", "DOUBLE")):
        return "not_a_number"
    return "unparseable_value"


# C0 control characters other than tab, line feed and carriage return (RE2 syntax): a NUL byte
# or a stray escape in a text value is a broken export, and some readers stop at a NUL.
_CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"


def contract_rules(entity: Entity) -> list[RowRule]:
    """What the contract asks of every value: required values present, every value castable to
    its type and stored whole, no control characters in text."""
    rules = []
    for column in entity.columns:
        text = f"{column.name}__text"
        if column.required:
            rules.append(
                RowRule(
                    "missing_required_value",
                    column.name,
                    f"{text} IS NULL OR trim({text}) = ''",
                    f"{column.name} is required",
                )
            )
        if column.duckdb_type == "VARCHAR":
            rules.append(
                RowRule(
                    "control_character",
                    column.name,
                    f"regexp_matches({text}, '{_CONTROL_CHARACTERS}')",
                    f"{column.name} must not hold control characters (NUL bytes); "
                    "remove them and export again",
                )
            )
            continue
        rules.append(
            RowRule(
                _type_rule_name(column.duckdb_type),
                column.name,
                f"trim({text}) <> '' AND {column.name} IS NULL",
                f"{column.name} must be a {column.duckdb_type}",
                after_load=False,
            )
        )
        rules += lossy_cast_rules(column)
    return rules


def rounded_by_cast(text_sql: str, decimal_sql: str) -> str:
    """True where the decimal a text was cast to is not the number the text says (123.456789 in
    a DECIMAL(18,4)). Compared as doubles: both sides are the nearest double of their exact
    value, so they differ exactly when the cast rounded (beyond a double's 15 digits)."""
    return f"TRY_CAST({text_sql} AS DOUBLE) <> CAST({decimal_sql} AS DOUBLE)"


def lossy_cast_rules(column: Column) -> list[RowRule]:
    """A value its contract type would store only in part is refused, not cut: a time of day on
    a date, a decimal beyond the type's scale (123.456789 as money)."""
    text = f"trim({column.name}__text)"
    if column.duckdb_type == "DATE":
        return [
            RowRule(
                "time_of_day_in_date",
                column.name,
                f"{column.name} IS NOT NULL "
                f"AND CAST(TRY_CAST({text} AS TIMESTAMP) AS TIME) <> TIME '00:00:00'",
                f"{column.name} must be a date without a time of day: export the date only, or "
                "map the column with a date format that reads the time (%Y-%m-%d %H:%M:%S) to "
                "keep the day",
                after_load=False,
            )
        ]
    if column.duckdb_type.startswith("DECIMAL"):
        scale = int(column.duckdb_type.rstrip(")").split(",")[1])
        return [
            RowRule(
                "too_many_decimals",
                column.name,
                f"{column.name} IS NOT NULL AND {rounded_by_cast(text, column.name)}",
                f"{column.name} has more than {scale} decimals and would be rounded: round it "
                f"to {scale} decimals in the export",
                after_load=False,
            )
        ]
    return []


def _sql_date(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def _referenced(parent: str, key: str) -> str:
    """The row's `key` is in raw.<parent>, or raw.<parent> is empty (an optional input not
    supplied: nothing to reference)."""
    return (
        f"{key} IS NOT NULL AND EXISTS (SELECT 1 FROM raw.{parent}) "
        f"AND {key} NOT IN (SELECT {key} FROM raw.{parent} WHERE {key} IS NOT NULL)"
    )


def entity_rules(entity: Entity, settings: RuleSettings) -> list[RowRule]:
    """The business rules of each entity's rows, beyond the contract's types."""
    as_of = settings.latest_order_date_or_today()
    rules = {
        "orders": [
            RowRule(
                "duplicate_order_line",
                "order_id",
                "w_duplicate_order_line > 1",
                "order_id and line_number appear earlier in the same file (a line delivered "
                "again in a later file replaces the earlier one)",
                window="row_number() OVER (PARTITION BY _source_file, order_id, "
                "coalesce(line_number, _source_row) ORDER BY _source_row)",
            ),
            RowRule(
                "quantity_revenue_sign_mismatch",
                "net_revenue",
                "sign(quantity) * sign(net_revenue) < 0",
                "quantity and net_revenue have opposite signs (a return has both negative)",
            ),
            RowRule(
                "quantity_out_of_bounds",
                "quantity",
                f"abs(quantity) > {settings.max_abs_quantity}",
                f"|quantity| above {settings.max_abs_quantity:,.0f}: a unit slip "
                "(limit: KAM_MAX_ABS_QUANTITY)",
            ),
            RowRule(
                "net_revenue_out_of_bounds",
                "net_revenue",
                f"abs(net_revenue) > {settings.max_abs_net_revenue}",
                f"|net_revenue| above {settings.max_abs_net_revenue:,.0f}: a decimal or "
                "currency slip (limit: KAM_MAX_ABS_NET_REVENUE)",
            ),
            RowRule(
                "order_date_in_future",
                "order_date",
                f"order_date > {_sql_date(as_of)}",
                f"order_date after {as_of} (limit: KAM_LATEST_ORDER_DATE, default today)",
            ),
            RowRule(
                "order_date_before_start",
                "order_date",
                f"order_date < {_sql_date(settings.earliest_order_date)}",
                f"order_date before {settings.earliest_order_date} "
                "(limit: KAM_EARLIEST_ORDER_DATE)",
            ),
            RowRule(
                "unknown_customer",
                "customer_id",
                _referenced("customers", "customer_id"),
                "customer_id not found in the loaded customers",
            ),
            RowRule(
                "unknown_product",
                "product_id",
                _referenced("products", "product_id"),
                "product_id not found in the loaded products",
            ),
            RowRule(
                "unexpected_currency",
                "currency",
                f"currency IS NOT NULL AND upper(trim(currency)) <> '{settings.currency}'",
                f"currency other than {settings.currency}: revenue is summed without conversion "
                "(setting: the mapping's currency or KAM_CURRENCY)",
            ),
        ],
        "customers": [
            RowRule(
                "duplicate_customer",
                "customer_id",
                "w_duplicate_customer > 1",
                "customer_id appears earlier in the same file",
                window="row_number() OVER (PARTITION BY _source_file, customer_id "
                "ORDER BY _source_row)",
            )
        ],
        "account_assessments": [
            RowRule(
                "score_out_of_range",
                score,
                f"{score} IS NOT NULL AND {score} NOT BETWEEN 1 AND 5",
                f"{score} outside 1-5",
            )
            for score in ("executive_access", "decision_access", "cultural_fit",
                          "strategic_alignment")
        ],
        "account_plans": [
            RowRule(
                "plan_period_reversed",
                "period_end",
                "period_end < period_start",
                "period_end before period_start",
            ),
            # Across files too, once loaded: plan-vs-actual would count a month twice. A period
            # with the same start is the same period (a later file replaces it), not an overlap.
            RowRule(
                "overlapping_plan_period",
                "period_start",
                "period_start <= w_overlapping_plan_period",
                "starts before the customer's previous plan period ends",
                window="max(period_end) OVER (PARTITION BY customer_id ORDER BY period_start "
                "RANGE BETWEEN UNBOUNDED PRECEDING AND INTERVAL 1 DAY PRECEDING)",
            ),
            RowRule(
                "duplicate_plan_period",
                "period_start",
                "w_duplicate_plan_period > 1",
                "the customer's period with this start appears earlier in the same file",
                window="row_number() OVER (PARTITION BY _source_file, customer_id, period_start "
                "ORDER BY _source_row)",
            ),
            # A plan for a customer the warehouse does not know is a typo or another system's
            # id: it would count as a plan with no account, and the account as one without one.
            RowRule(
                "unknown_customer",
                "customer_id",
                _referenced("customers", "customer_id"),
                "customer_id not found in the loaded customers",
            ),
        ],
        "account_managers": [
            RowRule(
                "capacity_not_positive",
                "capacity_accounts",
                "capacity_accounts IS NOT NULL AND capacity_accounts <= 0",
                "capacity_accounts must be at least 1 (capacity use divides by it)",
            )
        ],
        "product_costs": [
            RowRule("negative_unit_cost", "unit_cost", "unit_cost < 0", "unit_cost below zero")
        ],
        "wallet_estimates": [
            RowRule(
                "negative_wallet",
                "estimated_wallet",
                "estimated_wallet < 0",
                "estimated_wallet below zero",
            )
        ],
        "service_costs": [
            RowRule(
                "negative_service_cost",
                "cost",
                "cost < 0",
                "cost to serve below zero: a credit belongs on the order lines",
            )
        ],
        "account_overrides": [
            RowRule(
                "invalid_forced_status",
                "forced_status",
                "forced_status IS NOT NULL AND lower(trim(forced_status)) NOT IN ('key', 'not_key')",
                "forced_status must be 'key' or 'not_key'",
            )
        ],
        # Not a landing input: the decisions store the dashboard writes (loading/decisions.py),
        # whose own checks refuse all of these; a row breaking one was written some other way.
        "review_decisions": [
            RowRule(
                "unknown_review_topic",
                "topic",
                f"topic IS NOT NULL AND topic NOT IN ({', '.join(map(_sql_text, REVIEW_TOPICS))})",
                f"topic must be one of {', '.join(REVIEW_TOPICS)}",
            ),
            RowRule(
                "next_review_not_a_date",
                "next_review_on",
                "next_review_on IS NOT NULL AND (NOT regexp_full_match(next_review_on, "
                "'[0-9]{4}-[0-9]{2}-[0-9]{2}') OR TRY_CAST(next_review_on AS DATE) IS NULL)",
                "next_review_on must be a date as YYYY-MM-DD",
            ),
            RowRule(
                "decided_at_not_a_timestamp",
                "decided_at",
                "decided_at IS NOT NULL AND TRY_CAST(decided_at AS TIMESTAMPTZ) IS NULL",
                "decided_at must be an ISO timestamp (2025-06-30T14:05:09Z)",
            ),
        ],
    }
    return rules.get(entity.name, [])


def row_rules(entity: Entity, settings: RuleSettings) -> list[RowRule]:
    """Every row rule of the entity: the contract's, then the entity's own."""
    return contract_rules(entity) + entity_rules(entity, settings)


def table_rules(entity: Entity, settings: RuleSettings) -> list[TableRule]:
    """The entity's rules on whole-table figures."""
    rules = []
    if entity.required_file:
        rules.append(
            TableRule(
                "not_empty",
                f"SELECT count(*) FROM raw.{entity.name}",
                f"{entity.name} is a required input: the table has at least one row",
                at_least=1,
            )
        )
    if entity.name == "orders":
        costed_sale = "net_revenue > 0 AND cost_amount IS NOT NULL"
        share = settings.max_cost_above_revenue_share
        rules.append(
            TableRule(
                "cost_above_revenue_share",
                "SELECT count(*) FILTER (WHERE cost_amount > net_revenue) / nullif(count(*), 0) "
                f"FROM raw.orders WHERE {costed_sale}",
                f"at most {share:.0%} of sold lines with a cost have cost_amount > net_revenue; "
                "more means the cost column is in another unit or currency, and every margin "
                "would be wrong (limit: KAM_MAX_COST_ABOVE_REVENUE_SHARE)",
                at_most=share,
                offending_rows_sql="SELECT _source_file, _source_row, order_id, net_revenue, "
                f"cost_amount FROM raw.orders WHERE {costed_sale} AND cost_amount > net_revenue",
            )
        )
    if entity.name == "wallet_estimates":
        below_spend = (
            "WITH spend AS (SELECT customer_id, "
            "CAST(extract(year FROM order_date) AS INTEGER) AS year, "
            "sum(net_revenue) AS observed_spend FROM raw.orders GROUP BY 1, 2) "
            "SELECT w._source_file, w._source_row, w.customer_id, w.year, w.estimated_wallet, "
            "s.observed_spend FROM raw.wallet_estimates w JOIN spend s USING (customer_id, year) "
            "WHERE w.estimated_wallet < s.observed_spend"
        )
        rules.append(
            TableRule(
                "wallet_below_spend",
                f"SELECT count(*) FROM ({below_spend})",
                "a declared wallet is at least the customer's observed spend with us that year; "
                "below it, share of wallet exceeds 100 % and the estimate needs a second look",
                at_most=0,
                severity=WARNING,
                offending_rows_sql=below_spend,
            )
        )
    return rules


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _checked_rows_sql(rules: list[RowRule], typed_source: str) -> str:
    """`typed_source` (a relation with the typed columns, their `__text`, `_source_file` and
    `_source_row`) with each rule's window as `w_<rule>`."""
    windows = "".join(f", {rule.window} AS w_{rule.rule}" for rule in rules if rule.window)
    return f"SELECT *{windows} FROM ({typed_source})"


def staged_typed_sql(column: Column, present: set[str]) -> str:
    """A staged file's column at its contract type (null where it does not cast), or a typed null
    where the file lacks the column."""
    if column.name not in present:
        return f"CAST(NULL AS {column.duckdb_type}) AS {column.name}"
    return f"TRY_CAST({column.name} AS {column.duckdb_type}) AS {column.name}"


def violations_sql(
    entity: Entity, present: set[str], settings: RuleSettings, source_file: str
) -> str:
    """At load: one query over the staged `_landing` table listing every rule a row breaks, with
    its source row, column, rule, the value as landed and what the rule expects."""
    columns = []
    for column in entity.columns:
        text = f"CAST({column.name} AS VARCHAR)" if column.name in present else "CAST(NULL AS VARCHAR)"
        columns += [staged_typed_sql(column, present), f"{text} AS {column.name}__text"]
    typed = (
        f"SELECT {_sql_text(source_file)} AS _source_file, _source_row, {', '.join(columns)} "
        "FROM _landing"
    )
    rules = row_rules(entity, settings)
    selects = [
        f"SELECT _source_row, '{rule.column}' AS column_name, '{rule.rule}' AS rule, "
        f"{rule.column}__text AS value, {_sql_text(rule.description)} AS expectation "
        f"FROM checked WHERE {rule.condition}"
        for rule in rules
    ]
    return f"WITH checked AS ({_checked_rows_sql(rules, typed)}) " + " UNION ALL ".join(selects)


def checked_raw_rows_sql(
    entity: Entity, rules: list[RowRule], source_files: list[str] | None = None
) -> str:
    """After load: the raw table's rows as the row rules read them (the text of each value is
    its typed value's); only the rows of `source_files`, where given."""
    texts = ", ".join(f"CAST({c.name} AS VARCHAR) AS {c.name}__text" for c in entity.columns)
    where = ""
    if source_files is not None:
        where = f" WHERE list_contains([{', '.join(map(_sql_text, source_files))}]::VARCHAR[], _source_file)"
    return _checked_rows_sql(rules, f"SELECT *, {texts} FROM raw.{entity.name}{where}")


def raw_row_rules(entity: Entity, settings: RuleSettings) -> list[RowRule]:
    """The row rules checked again on the raw table."""
    return [rule for rule in row_rules(entity, settings) if rule.after_load]
