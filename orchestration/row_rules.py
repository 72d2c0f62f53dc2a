"""Row-level rules applied while a landing file loads: a row that breaks one goes to quarantine
with its file, row, column, rule and value; the rest of the file loads.

Rules are SQL conditions over a staged file, written once here and evaluated in DuckDB in one
pass per file (no Python loop over rows). Inside a condition, `<column>` is the value as landed
(text for CSV) and `t_<column>` the same value cast to its contract type (null if it does not
cast).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from orchestration.contract import Column, Entity


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
    max_abs_quantity: float = 1_000_000
    max_abs_net_revenue: float = 100_000_000
    # Above this share of bad rows the file is systematically wrong (a shifted column, another
    # unit): quarantining most of it would hide the real problem, so the whole file is rejected.
    max_quarantine_share: float = 0.05

    @classmethod
    def from_environment(cls) -> RuleSettings:
        """Defaults, overridden by KAM_CURRENCY, KAM_EARLIEST_ORDER_DATE, KAM_LATEST_ORDER_DATE,
        KAM_MAX_ABS_QUANTITY, KAM_MAX_ABS_NET_REVENUE, KAM_MAX_QUARANTINE_SHARE."""
        env = os.environ
        defaults = cls()
        latest = env.get("KAM_LATEST_ORDER_DATE")
        return cls(
            currency=env.get("KAM_CURRENCY", defaults.currency).upper(),
            earliest_order_date=date.fromisoformat(
                env.get("KAM_EARLIEST_ORDER_DATE", defaults.earliest_order_date.isoformat())
            ),
            latest_order_date=date.fromisoformat(latest) if latest else None,
            max_abs_quantity=float(env.get("KAM_MAX_ABS_QUANTITY", defaults.max_abs_quantity)),
            max_abs_net_revenue=float(
                env.get("KAM_MAX_ABS_NET_REVENUE", defaults.max_abs_net_revenue)
            ),
            max_quarantine_share=float(
                env.get("KAM_MAX_QUARANTINE_SHARE", defaults.max_quarantine_share)
            ),
        )

    def latest_order_date_or_today(self) -> date:
        return self.latest_order_date or date.today()


@dataclass(frozen=True)
class RowRule:
    rule: str
    column: str
    condition: str
    description: str
    window: str | None = None
    """A window expression the condition needs, computed as `w_<rule>` before the rules run."""


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


def character_rules(entity: Entity, present: set[str]) -> list[RowRule]:
    """Text values with control characters: the row is quarantined rather than loaded with them.
    Other types need no rule: a control character already makes their cast fail."""
    return [
        RowRule(
            "control_character",
            column.name,
            f"regexp_matches(CAST({column.name} AS VARCHAR), '{_CONTROL_CHARACTERS}')",
            f"{column.name} must not hold control characters (NUL bytes); "
            "remove them and export again",
        )
        for column in entity.columns
        if column.name in present and column.duckdb_type == "VARCHAR"
    ]


def contract_rules(entity: Entity, present: set[str]) -> list[RowRule]:
    """Required values present, every value castable to its contract type."""
    rules = []
    for column in entity.columns:
        if column.name not in present:
            continue
        if column.required:
            rules.append(
                RowRule(
                    "missing_required_value",
                    column.name,
                    f"{column.name} IS NULL OR trim(CAST({column.name} AS VARCHAR)) = ''",
                    f"{column.name} is required",
                )
            )
        if column.duckdb_type != "VARCHAR":
            rules.append(
                RowRule(
                    _type_rule_name(column.duckdb_type),
                    column.name,
                    f"{column.name} IS NOT NULL AND trim(CAST({column.name} AS VARCHAR)) <> '' "
                    f"AND t_{column.name} IS NULL",
                    f"{column.name} must be a {column.duckdb_type}",
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
    value = f"trim(CAST({column.name} AS VARCHAR))"
    if column.duckdb_type == "DATE":
        return [
            RowRule(
                "time_of_day_in_date",
                column.name,
                f"t_{column.name} IS NOT NULL "
                f"AND CAST(TRY_CAST({value} AS TIMESTAMP) AS TIME) <> TIME '00:00:00'",
                f"{column.name} must be a date without a time of day: export the date only, or "
                "map the column with a date format that reads the time (%Y-%m-%d %H:%M:%S) to "
                "keep the day",
            )
        ]
    if column.duckdb_type.startswith("DECIMAL"):
        scale = int(column.duckdb_type.rstrip(")").split(",")[1])
        return [
            RowRule(
                "too_many_decimals",
                column.name,
                f"t_{column.name} IS NOT NULL AND {rounded_by_cast(value, f't_{column.name}')}",
                f"{column.name} has more than {scale} decimals and would be rounded: round it "
                f"to {scale} decimals in the export",
            )
        ]
    return []


def _sql_date(value: date) -> str:
    return f"DATE '{value.isoformat()}'"


def entity_rules(entity: Entity, present: set[str], settings: RuleSettings) -> list[RowRule]:
    """The business rules of each entity, beyond the contract's types."""
    rules: list[RowRule] = []
    if entity.name == "orders":
        rules += [
            RowRule(
                "duplicate_order_line",
                "order_id",
                "w_duplicate_order_line > 1",
                "order_id and line_number appear earlier in the same file",
                window="row_number() OVER (PARTITION BY t_order_id, coalesce(t_line_number, "
                "_source_row) ORDER BY _source_row)",
            ),
            RowRule(
                "quantity_revenue_sign_mismatch",
                "net_revenue",
                "sign(t_quantity) * sign(t_net_revenue) < 0",
                "quantity and net_revenue have opposite signs (a return has both negative)",
            ),
            RowRule(
                "quantity_out_of_bounds",
                "quantity",
                f"abs(t_quantity) > {settings.max_abs_quantity}",
                f"|quantity| above {settings.max_abs_quantity:,.0f}",
            ),
            RowRule(
                "net_revenue_out_of_bounds",
                "net_revenue",
                f"abs(t_net_revenue) > {settings.max_abs_net_revenue}",
                f"|net_revenue| above {settings.max_abs_net_revenue:,.0f}",
            ),
            RowRule(
                "order_date_in_future",
                "order_date",
                f"t_order_date > {_sql_date(settings.latest_order_date_or_today())}",
                f"order_date after {settings.latest_order_date_or_today()}",
            ),
            RowRule(
                "order_date_before_start",
                "order_date",
                f"t_order_date < {_sql_date(settings.earliest_order_date)}",
                f"order_date before {settings.earliest_order_date}",
            ),
            RowRule(
                "unknown_customer",
                "customer_id",
                "t_customer_id IS NOT NULL AND (SELECT count(*) FROM raw.customers) > 0 "
                "AND t_customer_id NOT IN (SELECT customer_id FROM raw.customers)",
                "customer_id not found in the loaded customers",
            ),
            RowRule(
                "unknown_product",
                "product_id",
                "t_product_id IS NOT NULL AND (SELECT count(*) FROM raw.products) > 0 "
                "AND t_product_id NOT IN (SELECT product_id FROM raw.products)",
                "product_id not found in the loaded products",
            ),
        ]
        if "currency" in present:
            rules.append(
                RowRule(
                    "unexpected_currency",
                    "currency",
                    f"t_currency IS NOT NULL AND upper(trim(t_currency)) <> '{settings.currency}'",
                    f"currency other than {settings.currency}",
                )
            )
    elif entity.name == "customers":
        rules.append(
            RowRule(
                "duplicate_customer",
                "customer_id",
                "w_duplicate_customer > 1",
                "customer_id appears earlier in the same file",
                window="row_number() OVER (PARTITION BY t_customer_id ORDER BY _source_row)",
            )
        )
    elif entity.name == "account_assessments":
        for score in ("executive_access", "decision_access", "cultural_fit", "strategic_alignment"):
            if score in present:
                rules.append(
                    RowRule(
                        "score_out_of_range",
                        score,
                        f"t_{score} IS NOT NULL AND t_{score} NOT BETWEEN 1 AND 5",
                        f"{score} outside 1-5",
                    )
                )
    elif entity.name == "account_plans":
        rules += [
            RowRule(
                "plan_period_reversed",
                "period_end",
                "t_period_end < t_period_start",
                "period_end before period_start",
            ),
            RowRule(
                "overlapping_plan_period",
                "period_start",
                "t_period_start <= w_overlapping_plan_period",
                "starts before the customer's previous plan period ends",
                window="max(t_period_end) OVER (PARTITION BY t_customer_id ORDER BY "
                "t_period_start, _source_row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)",
            ),
        ]
    elif entity.name == "account_managers" and "capacity_accounts" in present:
        rules.append(
            RowRule(
                "capacity_not_positive",
                "capacity_accounts",
                "t_capacity_accounts IS NOT NULL AND t_capacity_accounts <= 0",
                "capacity_accounts must be at least 1",
            )
        )
    elif entity.name == "wallet_estimates":
        rules.append(
            RowRule(
                "negative_wallet",
                "estimated_wallet",
                "t_estimated_wallet < 0",
                "estimated_wallet below zero",
            )
        )
    elif entity.name == "service_costs":
        rules.append(
            RowRule("negative_service_cost", "cost", "t_cost < 0", "cost to serve below zero")
        )
    elif entity.name == "account_overrides":
        rules.append(
            RowRule(
                "invalid_forced_status",
                "forced_status",
                "t_forced_status IS NOT NULL AND lower(trim(t_forced_status)) NOT IN ('key', 'not_key')",
                "forced_status must be 'key' or 'not_key'",
            )
        )
    return rules


def violations_sql(entity: Entity, present: set[str], settings: RuleSettings) -> str:
    """One query over the staged `_landing` table listing every rule violation: source row,
    column, rule, the value as landed and what the rule expects."""
    typed = ", ".join(
        f"TRY_CAST({c.name} AS {c.duckdb_type}) AS t_{c.name}"
        if c.name in present
        else f"CAST(NULL AS {c.duckdb_type}) AS t_{c.name}"
        for c in entity.columns
    )
    raw_columns = ", ".join(
        c.name if c.name in present else f"CAST(NULL AS VARCHAR) AS {c.name}" for c in entity.columns
    )
    rules = (
        contract_rules(entity, present)
        + character_rules(entity, present)
        + entity_rules(entity, present, settings)
    )
    windows = "".join(
        f", {rule.window} AS w_{rule.rule}" for rule in rules if rule.window is not None
    )
    selects = [
        f"SELECT _source_row, '{rule.column}' AS column_name, '{rule.rule}' AS rule, "
        f"CAST({rule.column} AS VARCHAR) AS value, '{rule.description.replace(chr(39), chr(39) * 2)}' "
        f"AS expectation FROM checked WHERE {rule.condition}"
        for rule in rules
    ]
    return (
        f"WITH typed AS (SELECT _source_row, {raw_columns}, {typed} FROM _landing), "
        f"checked AS (SELECT *{windows} FROM typed) "
        + " UNION ALL ".join(selects)
    )
