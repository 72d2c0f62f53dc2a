"""The input contract: which landing entities exist, their columns, types and required fields.

One definition feeds the generator, the ingestion assets, the dbt sources and the docs, so the
contract cannot drift between them (see ../docs/input-contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass

# Amounts keep four decimals: exports carry sub-cent unit prices and discounted line amounts
# (16.448), and a value with more decimals than this is refused at load rather than rounded.
MONEY = "DECIMAL(18,4)"


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    required: bool = False


@dataclass(frozen=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    required_file: bool = False
    description: str = ""
    key: tuple[str, ...] = ()
    """For a master (one row per key: a customer, a product, a manager), its key column: a key
    that two files give different attributes is a conflict, not an update."""

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


def _columns(*specs: tuple[str, str] | tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        Entity(
            "orders",
            _columns(
                ("order_id", "VARCHAR", True),
                ("order_date", "DATE", True),
                ("customer_id", "VARCHAR", True),
                ("product_id", "VARCHAR", True),
                ("quantity", "DOUBLE", True),
                ("net_revenue", MONEY, True),
                ("line_number", "INTEGER"),
                ("cost_amount", MONEY),
                ("currency", "VARCHAR"),
            ),
            required_file=True,
            description="One row per order line; net_revenue after discounts; negative quantity "
            "and revenue are a return or credit note.",
        ),
        Entity(
            "customers",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("customer_name", "VARCHAR"),
                ("industry", "VARCHAR"),
                ("region", "VARCHAR"),
                ("employee_count", "INTEGER"),
                ("annual_revenue", MONEY),
                ("account_manager_id", "VARCHAR"),
                ("created_on", "DATE"),
            ),
            required_file=True,
            description="One row per customer; firmographics feed wallet estimation.",
            key=("customer_id",),
        ),
        Entity(
            "products",
            _columns(
                ("product_id", "VARCHAR", True),
                ("category", "VARCHAR"),
                ("product_name", "VARCHAR"),
            ),
            description="One row per product.",
            key=("product_id",),
        ),
        Entity(
            "product_costs",
            _columns(
                ("product_id", "VARCHAR", True),
                ("valid_from", "DATE", True),
                # Six decimals: a small part costs fractions of a cent each (0.00125).
                ("unit_cost", "DECIMAL(18,6)", True),
            ),
            description="Standard-cost history; the cost at an order date is the latest "
            "valid_from on or before it.",
        ),
        Entity(
            "wallet_estimates",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("year", "INTEGER", True),
                ("estimated_wallet", MONEY, True),
            ),
            description="The customer's total yearly spend in our categories, from market research.",
        ),
        Entity(
            "service_costs",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("activity_date", "DATE", True),
                ("activity_type", "VARCHAR", True),
                ("cost", MONEY, True),
            ),
            description="Cost to serve: support, visits, rush shipping, returns handling.",
        ),
        Entity(
            "account_assessments",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("assessed_on", "DATE", True),
                ("executive_access", "INTEGER"),
                ("decision_access", "INTEGER"),
                ("cultural_fit", "INTEGER"),
                ("strategic_alignment", "INTEGER"),
            ),
            description="1-5 scores from the account team; the latest assessment counts.",
        ),
        Entity(
            "account_managers",
            _columns(
                ("account_manager_id", "VARCHAR", True),
                ("name", "VARCHAR"),
                ("capacity_accounts", "INTEGER"),
            ),
            description="How many key accounts one manager can carry.",
            key=("account_manager_id",),
        ),
        Entity(
            "account_plans",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("period_start", "DATE", True),
                ("period_end", "DATE", True),
                ("target_revenue", MONEY),
                ("target_gross_margin", MONEY),
            ),
            description="2-3 year account plans, split in periods for cadence reporting.",
        ),
        Entity(
            "account_overrides",
            _columns(
                ("customer_id", "VARCHAR", True),
                ("forced_status", "VARCHAR", True),
                ("reason", "VARCHAR", True),
                ("decided_by", "VARCHAR"),
                ("decided_on", "DATE"),
                ("expires_on", "DATE"),
            ),
            description="Manual key-account decisions: forced_status 'key' or 'not_key', why, "
            "who decided, and until when (no expiry date: until withdrawn).",
        ),
    )
}

REQUIRED_ENTITIES = [name for name, entity in ENTITIES.items() if entity.required_file]

LANDING_SUFFIXES = (".csv", ".parquet")
