"""What is checked on every raw input table, as Great Expectations (GX Core 1.x) suites.

Each entity has two suites, because rules come in two kinds that scale differently:

- `rows`: rules one row can break (a null key, a quantity out of bounds). They run on bounded
  chunks of the raw table (see validate.py), so memory stays flat at 10M order lines.
- `figures`: rules only the whole table can judge (uniqueness, a share of lines, references to
  other tables). DuckDB computes each `TableFigure` once with SQL; GX judges the one row of figures.

Every expectation carries `meta={"rule": ..., "severity": "blocking" | "warning"}`: a failed
blocking rule stops the downstream models, a warning is only reported (../docs/data-quality.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import great_expectations as gx
from great_expectations.expectations.metadata_types import FailureSeverity

from expectations.settings import QualitySettings
from orchestration.contract import ENTITIES, Entity

BLOCKING = "blocking"
WARNING = "warning"

E = gx.expectations


@dataclass(frozen=True)
class TableFigure:
    """A figure over whole raw tables, computed once in DuckDB.

    `value_sql` returns one scalar (NULL when the rule does not apply, which GX counts as a pass);
    `offending_rows_sql` selects the rows behind a failure, with `_source_file` and `_source_row`.
    """

    name: str
    value_sql: str
    offending_rows_sql: str | None = None


@dataclass(frozen=True)
class EntitySuites:
    """Everything checked on one raw table: the row suite, the figure suite and what feeds them."""

    entity: str
    rows: gx.ExpectationSuite
    figures: gx.ExpectationSuite
    table_figures: tuple[TableFigure, ...] = ()
    derived_columns: Mapping[str, str] = field(default_factory=dict)
    """Chunk columns DuckDB computes from the raw row (name → SQL expression); a name that is also
    a raw column replaces it, as the staging model would normalise it."""

    @property
    def chunk_columns(self) -> list[str]:
        """The columns the row rules read, in suite order."""
        names: list[str] = []
        for expectation in self.rows.expectations:
            for key in ("column", "column_A", "column_B"):
                name = getattr(expectation, key, None)
                if name and name not in names:
                    names.append(name)
        return names


def rule(
    expectation_class: type[gx.expectations.Expectation],
    rule_id: str,
    severity: str,
    description: str,
    **kwargs,
) -> gx.expectations.Expectation:
    """An expectation tagged with its rule id and severity, mirrored in GX's own severity field
    for anything that reads the suite with GX."""
    return expectation_class(
        meta={"rule": rule_id, "severity": severity},
        severity=FailureSeverity.CRITICAL if severity == BLOCKING else FailureSeverity.WARNING,
        description=description,
        **kwargs,
    )


def build_entity_suites(entity_name: str, settings: QualitySettings | None = None) -> EntitySuites:
    """Both suites for one input entity of the contract."""
    settings = settings or QualitySettings()
    entity = ENTITIES[entity_name]
    builder = _BUILDERS.get(entity_name, _no_extra_rules)
    row_rules, figure_rules, figures, derived = builder(entity, settings)
    if entity.required_file:
        figures = (_row_count_figure(entity), *figures)
        figure_rules = [_not_empty_rule(entity), *figure_rules]
    return EntitySuites(
        entity=entity_name,
        rows=gx.ExpectationSuite(
            name=f"{entity_name}.rows", expectations=[*_required_rules(entity), *row_rules]
        ),
        figures=gx.ExpectationSuite(name=f"{entity_name}.figures", expectations=figure_rules),
        table_figures=tuple(figures),
        derived_columns=derived,
    )


def build_all_suites(settings: QualitySettings | None = None) -> dict[str, EntitySuites]:
    settings = settings or QualitySettings()
    return {name: build_entity_suites(name, settings) for name in ENTITIES}


def _required_rules(entity: Entity) -> list[gx.expectations.Expectation]:
    # Ingestion already refuses a missing required value; this guards every other way into raw.
    return [
        rule(
            E.ExpectColumnValuesToNotBeNull,
            f"{column}_required",
            BLOCKING,
            f"{column} is present on every row.",
            column=column,
        )
        for column in entity.required_columns
    ]


def _row_count_figure(entity: Entity) -> TableFigure:
    return TableFigure("row_count", f"SELECT count(*) FROM raw.{entity.name}")


def _not_empty_rule(entity: Entity) -> gx.expectations.Expectation:
    return rule(
        E.ExpectColumnValuesToBeBetween,
        "not_empty",
        BLOCKING,
        f"{entity.name} is a required input: the table has at least one row.",
        column="row_count",
        min_value=1,
    )


def _at_most(figure: str, maximum: float, rule_id: str, severity: str, description: str):
    return rule(
        E.ExpectColumnValuesToBeBetween, rule_id, severity, description, column=figure,
        max_value=maximum,
    )


def _midnight(day: dt.date) -> dt.datetime:
    # Chunks carry dates as timestamps: GX compares those vectorised, Python dates row by row.
    return dt.datetime.combine(day, dt.time())


def _order_rules(entity: Entity, settings: QualitySettings):
    bounds = settings.rules
    quantity_bound = bounds.max_abs_quantity
    revenue_bound = bounds.max_abs_net_revenue
    as_of = bounds.latest_order_date_or_today()
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, "quantity_in_bounds", BLOCKING,
            f"|quantity| ≤ {quantity_bound:,.0f}; more is a unit slip.",
            column="quantity", min_value=-quantity_bound, max_value=quantity_bound,
        ),
        rule(
            E.ExpectColumnValuesToBeBetween, "net_revenue_in_bounds", BLOCKING,
            f"|net_revenue| ≤ {revenue_bound:,.0f}; more is a decimal or currency slip.",
            column="net_revenue", min_value=-revenue_bound, max_value=revenue_bound,
        ),
        rule(
            E.ExpectColumnValuesToBeBetween, "quantity_revenue_same_sign", BLOCKING,
            "quantity and net_revenue never have opposite signs (a return has both negative); "
            "the checked value is sign(quantity) × sign(net_revenue).",
            column="quantity_revenue_sign", min_value=0,
        ),
        rule(
            E.ExpectColumnValuesToBeBetween, "order_date_not_in_future", BLOCKING,
            f"order_date is on or before the as-of date {as_of.isoformat()}.",
            column="order_date", max_value=_midnight(as_of),
        ),
        rule(
            E.ExpectColumnValuesToBeBetween, "order_date_after_start", BLOCKING,
            f"order_date is on or after {bounds.earliest_order_date.isoformat()}.",
            column="order_date", min_value=_midnight(bounds.earliest_order_date),
        ),
        rule(
            E.ExpectColumnValuesToBeInSet, "currency_is_configured", BLOCKING,
            f"currency, where given, is {bounds.currency}: revenue is summed without conversion.",
            column="currency", value_set=[bounds.currency.upper()],
        ),
    ]
    costed_sale = "net_revenue > 0 AND cost_amount IS NOT NULL"
    figures = [
        TableFigure(
            "duplicate_order_lines",
            "SELECT coalesce(sum(lines), 0) FROM (SELECT count(*) AS lines FROM raw.orders "
            "WHERE line_number IS NOT NULL GROUP BY _source_file, order_id, line_number "
            "HAVING count(*) > 1)",
            "SELECT o._source_file, o._source_row, o.order_id, o.line_number FROM raw.orders o "
            "JOIN (SELECT _source_file, order_id, line_number FROM raw.orders "
            "WHERE line_number IS NOT NULL GROUP BY ALL HAVING count(*) > 1) d "
            "USING (_source_file, order_id, line_number)",
        ),
        TableFigure(
            "cost_above_revenue_share",
            "SELECT count(*) FILTER (WHERE cost_amount > net_revenue) / nullif(count(*), 0) "
            f"FROM raw.orders WHERE {costed_sale}",
            "SELECT _source_file, _source_row, order_id, net_revenue, cost_amount FROM raw.orders "
            f"WHERE {costed_sale} AND cost_amount > net_revenue",
        ),
        TableFigure(
            "unknown_customer_lines",
            f"SELECT count(*) FROM ({_unknown('customers', 'customer_id')})",
            _unknown("customers", "customer_id"),
        ),
        TableFigure(
            "unknown_product_lines",
            # Products are optional: without any, there is nothing to reference.
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM raw.products) "
            f"THEN (SELECT count(*) FROM ({_unknown('products', 'product_id')})) END",
            _unknown("products", "product_id"),
        ),
    ]
    figure_rules = [
        _at_most(
            "duplicate_order_lines", 0, "order_line_unique", BLOCKING,
            "order_id + line_number is unique within each landing file (a line delivered again "
            "in a later file replaces the earlier one in staging).",
        ),
        _at_most(
            "cost_above_revenue_share", settings.max_cost_above_revenue_share,
            "cost_above_revenue_share", BLOCKING,
            f"At most {settings.max_cost_above_revenue_share:.0%} of sold lines with a cost have "
            "cost_amount > net_revenue; more means the cost column is in another unit or "
            "currency, and every margin would be wrong.",
        ),
        _at_most(
            "unknown_customer_lines", 0, "known_customer", BLOCKING,
            "Every order line's customer_id is in customers.",
        ),
        _at_most(
            "unknown_product_lines", 0, "known_product", WARNING,
            "Every order line's product_id is in products (when products are supplied); "
            "unknown products fall in no category.",
        ),
    ]
    derived = {
        "quantity_revenue_sign": "sign(quantity) * sign(net_revenue)",
        "currency": "upper(trim(currency))",
    }
    return row_rules, figure_rules, figures, derived


def _unknown(parent: str, key: str) -> str:
    """Order lines whose `key` has no row in raw.<parent>."""
    return (
        f"SELECT o._source_file, o._source_row, o.order_id, o.{key} FROM raw.orders o "
        f"WHERE NOT EXISTS (SELECT 1 FROM raw.{parent} p WHERE p.{key} = o.{key})"
    )


def _product_cost_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, "unit_cost_not_negative", BLOCKING,
            "unit_cost ≥ 0.", column="unit_cost", min_value=0,
        )
    ]
    return row_rules, [], [], {}


def _wallet_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, "wallet_not_negative", BLOCKING,
            "estimated_wallet ≥ 0.", column="estimated_wallet", min_value=0,
        )
    ]
    below_spend = (
        "WITH spend AS (SELECT customer_id, "
        "CAST(extract(year FROM order_date) AS INTEGER) AS year, "
        "sum(net_revenue) AS observed_spend FROM raw.orders GROUP BY 1, 2) "
        "SELECT w._source_file, w._source_row, w.customer_id, w.year, w.estimated_wallet, "
        "s.observed_spend FROM raw.wallet_estimates w JOIN spend s USING (customer_id, year) "
        "WHERE w.estimated_wallet < s.observed_spend"
    )
    figures = [
        TableFigure("wallets_below_spend", f"SELECT count(*) FROM ({below_spend})", below_spend)
    ]
    figure_rules = [
        _at_most(
            "wallets_below_spend", 0, "wallet_not_below_spend", WARNING,
            "A declared wallet is at least the customer's observed spend with us that year; "
            "below it, share of wallet exceeds 100% and the estimate needs a second look.",
        )
    ]
    return row_rules, figure_rules, figures, {}


def _service_cost_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, "service_cost_not_negative", BLOCKING,
            "cost ≥ 0: cost to serve adds up, a credit belongs on the order lines.",
            column="cost", min_value=0,
        )
    ]
    return row_rules, [], [], {}


def _override_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeInSet, "forced_status_known", BLOCKING,
            "forced_status is 'key' or 'not_key' (any case, trimmed, as staging reads it).",
            column="forced_status", value_set=["key", "not_key"],
        )
    ]
    return row_rules, [], [], {"forced_status": "lower(trim(forced_status))"}


def _assessment_rules(entity: Entity, settings: QualitySettings):
    scores = [c.name for c in entity.columns if not c.required]
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, f"{score}_1_to_5", BLOCKING,
            f"{score}, where scored, is between 1 and 5.",
            column=score, min_value=1, max_value=5,
        )
        for score in scores
    ]
    return row_rules, [], [], {}


def _manager_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnValuesToBeBetween, "capacity_positive", BLOCKING,
            "capacity_accounts, where given, is above 0 (utilisation divides by it).",
            column="capacity_accounts", min_value=0, strict_min=True,
        )
    ]
    return row_rules, [], [], {}


def _plan_rules(entity: Entity, settings: QualitySettings):
    row_rules = [
        rule(
            E.ExpectColumnPairValuesAToBeGreaterThanB, "plan_period_ordered", BLOCKING,
            "period_end is on or after period_start.",
            column_A="period_end", column_B="period_start", or_equal=True,
        )
    ]
    # Two rows with the same start are one period delivered twice (staging keeps the latest).
    overlapping = (
        "SELECT a._source_file, a._source_row, a.customer_id, a.period_start, a.period_end, "
        "b.period_start AS overlapped_by_start FROM raw.account_plans a "
        "JOIN raw.account_plans b ON a.customer_id = b.customer_id "
        "AND a.period_start < b.period_start AND b.period_start <= a.period_end"
    )
    figures = [
        TableFigure(
            "overlapping_plan_periods", f"SELECT count(*) FROM ({overlapping})", overlapping
        )
    ]
    figure_rules = [
        _at_most(
            "overlapping_plan_periods", 0, "plan_periods_do_not_overlap", BLOCKING,
            "A customer's plan periods do not overlap: plan-vs-actual would count a month twice.",
        )
    ]
    return row_rules, figure_rules, figures, {}


def _no_extra_rules(entity: Entity, settings: QualitySettings):
    return [], [], [], {}


_BUILDERS = {
    "orders": _order_rules,
    "product_costs": _product_cost_rules,
    "wallet_estimates": _wallet_rules,
    "account_assessments": _assessment_rules,
    "account_managers": _manager_rules,
    "account_plans": _plan_rules,
    "service_costs": _service_cost_rules,
    "account_overrides": _override_rules,
}
