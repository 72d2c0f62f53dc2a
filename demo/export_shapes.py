"""The demo world written as a real system would export it, for the worked mappings in mappings/.

`kam generate --export-shape erp|crm|marketplace` draws the same world as the demo
(`demo.generator.generate`, every option applies) and writes it in the shape of one kind of
export instead of the landing layout; `mappings/<shape>.yml` reads it back as the input
contract (docs/bring-your-own-data.md walks through each):

* **erp**: an ERP's sales documents in separate files, semicolon-separated: order headers (order
  number, document type, order date as DD.MM.YYYY, customer number, status: cancelled orders stay
  in the export), order lines (line numbers 10, 20, ..., net and cost amount, the text NULL where
  the cost is not recorded), the customer master with a region code and a manager id, the
  regions, the account managers, the item master and the standard-cost history.
* **crm**: a CRM's report exports, comma-separated: accounts (owner, firmographics, and the
  market research's yearly wallet as one column per year), users (the account owners, with their
  key-account capacity), opportunity products of closed deals (won and lost; credit notes as
  deals of type Credit Note) with the total price and gross margin per product, and monthly
  revenue targets as one row per account and year with columns M01 to M12.
* **marketplace**: a B2B marketplace whose sellers are the accounts: Parquet files of order items
  (one per year) with what the buyer paid, the marketplace's commission (its revenue), its
  payment and fulfilment costs and the purchase time as epoch milliseconds, and a sellers file
  with each seller's account manager.

The world is generated into a scratch folder as Parquet and reshaped there by DuckDB (`COPY ...
TO`, no loop over rows); only the shaped export lands in `out`. Amounts are the world's, to the
cent: the ERP's and CRM's revenue and margin are the world's line for line (cancelled orders and
lost deals are copies of other orders, which the mappings filter out); the marketplace's
commission is the world's net revenue, and its payment and fulfilment costs add up to the world's
line cost (recorded, else quantity x the standard cost at the order date, rounded to the cent;
where the world has neither, the fulfilment cost is empty: not billed yet).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from demo.generator import OPTIONAL_ENTITIES, generate
from loading.contract import ENTITIES

EXPORT_SHAPES: tuple[str, ...] = ("erp", "crm", "marketplace")
# A sample when no size is asked for: big enough for every archetype, small enough to load in
# seconds.
SAMPLE_CUSTOMERS = 300

# The entities each shape exports, and those of them it keeps inside another entity's files (the
# CRM's wallets are columns of its accounts; the marketplace names products and managers on its
# order items and sellers, and costs its items with the standard costs): those cannot be left out.
_EXPORTED = {
    "erp": ("orders", "customers", "products", "product_costs", "account_managers"),
    "crm": ("orders", "customers", "products", "account_managers", "wallet_estimates",
            "account_plans"),
    "marketplace": ("orders", "customers", "products", "product_costs", "account_managers"),
}
_EMBEDDED = {
    "erp": (),
    "crm": ("products", "wallet_estimates"),
    "marketplace": ("products", "product_costs", "account_managers"),
}
# ERP region codes, in the order of the generator's regions.
_REGION_CODES = {"DACH": "01", "Benelux": "02", "Nordics": "03", "France": "04",
                 "UK & Ireland": "05", "Southern Europe": "06"}
# The marketplace's commission (take rate) by product category: the share of the item price it
# keeps as its fee.
_TAKE_RATES = {"Fasteners": 0.12, "Hand Tools": 0.10, "Power Tools": 0.08, "Safety & PPE": 0.11,
               "Electrical Components": 0.09, "Hydraulics & Pneumatics": 0.09,
               "Packaging": 0.13, "Cleaning & Hygiene": 0.12}
_PAYMENT_FEE = 0.014   # the payment provider's fee, as a share of what the buyer paid

# Every nth sales order of the world is also in the export as a cancelled order (ERP) or a lost
# deal (CRM): a copy with its own number, which the mappings' filters leave out.
_CANCELLED_EVERY, _CANCELLED_AT = 25, 7
_LOST_EVERY, _LOST_AT = 9, 4


@dataclass(frozen=True)
class ExportSummary:
    """What `generate_export` wrote: the export folder, its files (path relative to the folder:
    rows), the ground-truth file (the shape's account ids and their archetypes) and the number of
    accounts."""

    shape: str
    out: Path
    truth_path: Path
    customers: int
    files: dict[str, int]
    seconds: float


def shape_files(shape: str) -> tuple[str, ...]:
    """The files (globs) a shape writes, relative to its folder: what a new run replaces."""
    return {
        "erp": ("order_headers.csv", "order_lines.csv", "customers.csv", "regions.csv",
                "account_managers.csv", "items.csv", "standard_costs.csv"),
        "crm": ("accounts.csv", "users.csv", "opportunity_products.csv", "account_targets.csv"),
        "marketplace": ("order_items/order_items_*.parquet", "sellers.csv"),
    }[shape]


def generate_export(shape: str, out: Path, *, truth_path: Path | None = None,
                    without: Iterable[str] = (), progress: Callable[[str], None] | None = None,
                    **world) -> ExportSummary:
    """Generate the demo world (`world`: the keyword arguments of `demo.generator.generate`,
    `customers` defaulting to SAMPLE_CUSTOMERS) and write it as a `shape` export in `out`.

    `without` leaves out optional entities the shape keeps in files of their own (the ERP's
    item master, say); one it keeps inside another entity's files is a ValueError, one it does not
    export is no change. The ground truth goes to `truth_path` (default
    `<out>/../ground_truth/<shape>_archetypes.csv`), keyed by the shape's account ids."""
    started = time.perf_counter()
    report = progress or (lambda message: None)
    if shape not in EXPORT_SHAPES:
        raise ValueError(f"export shape must be one of {', '.join(EXPORT_SHAPES)}, not {shape!r}")
    if "file_format" in world:
        raise ValueError("file_format is for the landing layout; an export shape has its own")
    left_out = frozenset((without,) if isinstance(without, str) else without)
    embedded = sorted(left_out & set(_EMBEDDED[shape]))
    if embedded:
        own_files = [e for e in _EXPORTED[shape]
                     if e in OPTIONAL_ENTITIES and e not in _EMBEDDED[shape]]
        raise ValueError(
            f"the {shape} export keeps {', '.join(embedded)} inside other files, so it cannot be "
            f"left out; it can leave out: {', '.join(own_files) or 'none'}"
        )
    out = Path(out)
    truth_path = (Path(truth_path) if truth_path
                  else out.parent / "ground_truth" / f"{shape}_archetypes.csv")
    world.setdefault("customers", SAMPLE_CUSTOMERS)
    # Entities the shape does not export are not drawn: each has its own random stream, so the
    # rest of the world stays as it is.
    not_exported = {e for e in OPTIONAL_ENTITIES if e not in _EXPORTED[shape]}
    with tempfile.TemporaryDirectory(prefix=f"kam-{shape}-") as scratch:
        landing = Path(scratch) / "landing"
        summary = generate(landing, file_format="parquet", truth_path=Path(scratch) / "truth.csv",
                           progress=lambda message: _drawn(message) and report(message),
                           without=left_out | not_exported, **world)
        out.mkdir(parents=True, exist_ok=True)
        for pattern in shape_files(shape):
            for stale in out.glob(pattern):
                stale.unlink()
        con = duckdb.connect()
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        for name, entity in ENTITIES.items():
            path = landing / name / f"{name}.parquet"
            if path.exists():
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{_path(path)}')")
            else:  # left out: an empty table of the contract's columns
                columns = ", ".join(f"CAST(NULL AS {c.duckdb_type}) AS {c.name}"
                                    for c in entity.columns)
                con.execute(f"CREATE VIEW {name} AS SELECT {columns} LIMIT 0")
        truth = _path(Path(scratch) / "truth.csv")
        con.execute(f"CREATE VIEW truth AS SELECT * FROM read_csv('{truth}')")
        writer = _Writer(con, out, left_out, report)
        account_id = {"erp": _erp, "crm": _crm, "marketplace": _marketplace}[shape](writer)
        truth_path.parent.mkdir(parents=True, exist_ok=True)
        con.execute(f"COPY (SELECT {account_id.format('customer_id')} AS account_id, archetype "
                    f"FROM truth) TO '{_path(truth_path)}' (FORMAT csv, HEADER true)")
        con.close()
    report(f"ground truth: {truth_path}")
    return ExportSummary(shape=shape, out=out, truth_path=truth_path, customers=summary.customers,
                         files=writer.files, seconds=time.perf_counter() - started)


def _drawn(message: str) -> bool:
    """A progress message of the generator about the world it draws, not about the scratch files
    it writes the world to."""
    return not message.startswith(("wrote ", "left out ", "ground truth: "))


def _path(path: Path) -> str:
    return path.as_posix().replace("'", "''")


class _Writer:
    """Writes one query's rows as a file of the export and counts them."""

    def __init__(self, con: duckdb.DuckDBPyConnection, out: Path, left_out: frozenset[str],
                 report: Callable[[str], None]) -> None:
        self.con, self.out, self.left_out, self.report = con, out, left_out, report
        self.files: dict[str, int] = {}

    def wanted(self, entity: str) -> bool:
        return entity not in self.left_out

    def csv(self, name: str, query: str, *, delimiter: str = ",", null: str = "") -> None:
        self._copy(name, query,
                   f"FORMAT csv, HEADER true, DELIMITER '{delimiter}', NULLSTR '{null}'")

    def parquet(self, name: str, query: str) -> None:
        self._copy(name, query, "FORMAT parquet")

    def _copy(self, name: str, query: str, options: str) -> None:
        target = self.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        [(rows,)] = self.con.execute(f"COPY ({query}) TO '{_path(target)}' ({options})").fetchall()
        self.files[name] = rows
        self.report(f"wrote {name}: {rows:,} rows")


# The world's ids are a letter and a zero-padded number (C000123, AM004, SO0000042, CN000007).
def _number(column: str) -> str:
    return f"CAST(regexp_extract({column}, '[0-9]+$') AS BIGINT)"


_DOCUMENTS = f"""
    SELECT order_id, min(order_date) AS order_date, min(customer_id) AS customer_id,
           starts_with(order_id, 'CN') AS is_credit, {_number('order_id')} AS number
    FROM orders GROUP BY order_id
"""


def _documents_with_copies(flag: str, every: int, at: int) -> str:
    """Every order of the world once (`flag` false), and again as a copy flagged `flag` for every
    `every`th sales order: a cancelled order placed again, a deal lost before it was won. The
    copies carry no revenue in the export's own terms, so the totals still match the world."""
    return f"""
        WITH documents AS ({_DOCUMENTS})
        SELECT order_id AS source_id, order_date, customer_id, is_credit, false AS {flag}
        FROM documents
        UNION ALL
        SELECT order_id, order_date, customer_id, false, true FROM documents
        WHERE NOT is_credit AND number % {every} = {at}
    """


def _erp(w: _Writer) -> str:
    """ERP: order headers and lines, customer master and regions, managers, items, costs."""
    customer_no = f"CAST(100000 + {_number('{}')} AS VARCHAR)"
    # Sales orders and credit memos numbered in date order in their own ranges; a cancelled
    # order (a customer's order cancelled and placed again) is a copy of one of them.
    w.con.execute(f"""
        CREATE TEMP TABLE erp_documents AS
        WITH exported AS ({_documents_with_copies("cancelled", _CANCELLED_EVERY, _CANCELLED_AT)})
        SELECT *, CASE WHEN is_credit THEN 90000000 ELSE 10000000 END + row_number() OVER (
                   PARTITION BY is_credit ORDER BY order_date, source_id, cancelled) AS doc_no
        FROM exported
    """)
    w.csv("order_headers.csv", f"""
        SELECT doc_no AS "Order No", CASE WHEN is_credit THEN 'CR' ELSE 'OR' END AS "Doc Type",
               strftime(order_date, '%d.%m.%Y') AS "Order Date",
               {customer_no.format('customer_id')} AS "Customer No",
               CASE WHEN cancelled THEN 'Cancelled' ELSE 'Completed' END AS "Status",
               'EUR' AS "Currency"
        FROM erp_documents ORDER BY doc_no
    """, delimiter=";")
    w.csv("order_lines.csv", """
        SELECT d.doc_no AS "Order No", o.line_number * 10 AS "Line No", o.product_id AS "Item No",
               CAST(o.quantity AS BIGINT) AS "Quantity", 'PCE' AS "Unit",
               CAST(o.net_revenue AS DECIMAL(18, 2)) AS "Net Amount",
               CAST(o.cost_amount AS DECIMAL(18, 2)) AS "Cost Amount"
        FROM erp_documents d JOIN orders o ON o.order_id = d.source_id
        ORDER BY d.doc_no, o.line_number
    """, delimiter=";", null="NULL")
    codes = " ".join(f"WHEN '{region}' THEN '{code}'" for region, code in _REGION_CODES.items())
    w.csv("customers.csv", f"""
        SELECT {customer_no.format('customer_id')} AS "Customer No", customer_name AS "Name",
               industry AS "Industry", CASE region {codes} END AS "Region Code",
               account_manager_id AS "Manager ID", employee_count AS "Employees",
               CAST(annual_revenue AS BIGINT) AS "Annual Revenue",
               strftime(created_on, '%d.%m.%Y') AS "Created On"
        FROM customers ORDER BY customer_id
    """, delimiter=";")
    regions = " UNION ALL ".join(
        f"SELECT '{code}' AS \"Region Code\", '{region}' AS \"Region Name\""
        for region, code in _REGION_CODES.items())
    w.csv("regions.csv", regions, delimiter=";")
    if w.wanted("account_managers"):
        w.csv("account_managers.csv", """
            SELECT account_manager_id AS "Manager ID", name AS "Name",
                   capacity_accounts AS "Max Key Accounts"
            FROM account_managers ORDER BY account_manager_id
        """, delimiter=";")
    if w.wanted("products"):
        w.csv("items.csv", """
            SELECT product_id AS "Item No", product_name AS "Description",
                   category AS "Product Group"
            FROM products ORDER BY product_id
        """, delimiter=";")
    if w.wanted("product_costs"):
        w.csv("standard_costs.csv", """
            SELECT product_id AS "Item No", strftime(valid_from, '%d.%m.%Y') AS "Valid From",
                   unit_cost AS "Standard Cost"
            FROM product_costs ORDER BY product_id, valid_from
        """, delimiter=";")
    return customer_no


def _salesforce_id(prefix: str, number: str) -> str:
    """An 18-character record id as a Salesforce-style CRM writes it (001... accounts, 005...
    users, 006... opportunities, 00k... opportunity products)."""
    return f"'{prefix}5g' || printf('%013d', {number})"


def _crm(w: _Writer) -> str:
    """CRM: accounts with yearly wallets, users, opportunity products, monthly targets."""
    account_id = _salesforce_id("001", _number("{}"))
    user_id = _salesforce_id("005", _number("{}"))
    [(first, last)] = w.con.execute(
        "SELECT min(y), max(y) FROM (SELECT year(order_date) AS y FROM orders "
        "UNION ALL SELECT year FROM wallet_estimates)"
    ).fetchall()
    wallets = ", ".join(
        f'CAST(max(estimated_wallet) FILTER (WHERE year = {year}) AS BIGINT) AS "Wallet {year}"'
        for year in range(first, last + 1)
    )
    w.csv("accounts.csv", f"""
        WITH wallets AS (SELECT customer_id, {wallets} FROM wallet_estimates GROUP BY customer_id)
        SELECT {account_id.format('c.customer_id')} AS "Account ID",
               customer_name AS "Account Name",
               industry AS "Industry", region AS "Sales Region",
               {user_id.format('account_manager_id')} AS "Account Owner ID",
               employee_count AS "Employees", CAST(annual_revenue AS BIGINT) AS "Annual Revenue",
               strftime(created_on, '%Y-%m-%d') || printf('T%02d:%02d:%02d.000Z',
                   8 + {_number('c.customer_id')} * 7 % 10, {_number('c.customer_id')} * 13 % 60,
                   {_number('c.customer_id')} * 29 % 60) AS "Created Date",
               wallets.* EXCLUDE (customer_id)
        FROM customers c LEFT JOIN wallets USING (customer_id) ORDER BY c.customer_id
    """)
    if w.wanted("account_managers"):
        w.csv("users.csv", f"""
            SELECT {user_id.format('account_manager_id')} AS "User ID", name AS "Full Name",
                   'Key Account Manager' AS "Title", capacity_accounts AS "Key Account Capacity"
            FROM account_managers ORDER BY account_manager_id
        """)
    # Every order of the world is a closed-won deal (a credit note one of type Credit Note);
    # every nth sales order was also quoted once before and lost.
    w.con.execute(f"""
        CREATE TEMP TABLE crm_deals AS
        WITH deals AS ({_documents_with_copies("lost", _LOST_EVERY, _LOST_AT)})
        SELECT *, row_number() OVER (ORDER BY order_date, source_id, lost DESC) AS deal_no,
               CASE WHEN is_credit THEN 'Credit Note'
                    WHEN row_number() OVER (PARTITION BY customer_id, is_credit
                                            ORDER BY order_date, source_id, lost DESC) = 1
                    THEN 'New Business' ELSE 'Existing Business' END AS deal_type
        FROM deals
    """)
    w.csv("opportunity_products.csv", f"""
        SELECT {_salesforce_id('006', 'd.deal_no')} AS "Opportunity ID",
               {_salesforce_id('00k', 'row_number() OVER (ORDER BY d.deal_no, o.line_number)')}
                   AS "Opportunity Product ID",
               {account_id.format('d.customer_id')} AS "Account ID",
               strftime(d.order_date, '%Y-%m-%d') AS "Close Date",
               CASE WHEN d.lost THEN 'Closed Lost' ELSE 'Closed Won' END AS "Stage",
               d.deal_type AS "Type", o.product_id AS "Product Code",
               p.product_name AS "Product Name", p.category AS "Product Family",
               CAST(o.quantity AS BIGINT) AS "Quantity",
               CAST(o.net_revenue AS DECIMAL(18, 2)) AS "Total Price",
               CAST(o.net_revenue - o.cost_amount AS DECIMAL(18, 2)) AS "Gross Margin",
               'USD' AS "Currency"
        FROM crm_deals d JOIN orders o ON o.order_id = d.source_id
        JOIN products p ON p.product_id = o.product_id
        ORDER BY d.deal_no, o.line_number
    """)
    if w.wanted("account_plans"):
        # A plan period's revenue target spread evenly over its months, in hundreds; a month
        # outside every plan period is an empty cell.
        months = ", ".join(
            f'max(target) FILTER (WHERE month(month_start) = {m}) AS "M{m:02d}"'
            for m in range(1, 13)
        )
        w.csv("account_targets.csv", f"""
            WITH months AS (
                SELECT customer_id, CAST(unnest(generate_series(
                           period_start, period_end, INTERVAL 1 MONTH)) AS DATE) AS month_start,
                       target_revenue / (datediff('month', period_start, period_end) + 1) AS share
                FROM account_plans
            ),
            monthly AS (SELECT *, CAST(round(share, -2) AS BIGINT) AS target FROM months)
            SELECT {account_id.format('customer_id')} AS "Account ID",
                   year(month_start) AS "Fiscal Year", {months}
            FROM monthly GROUP BY customer_id, year(month_start) ORDER BY customer_id, 2
        """)
    return account_id


def _marketplace(w: _Writer) -> str:
    """Marketplace: order items per year (Parquet) and sellers; the sellers are the accounts."""
    seller_id = f"printf('SLR%06d', {_number('{}')})"
    rates = " ".join(f"WHEN '{category}' THEN {rate}" for category, rate in _TAKE_RATES.items())
    # The item's price follows from the commission and the category's take rate; the line cost
    # (recorded, else quantity x the standard cost at the order date) is split into the payment
    # fee on the price and fulfilment, which is unknown (empty) where the world has no cost.
    w.con.execute(f"""
        CREATE TEMP TABLE items AS
        WITH lines AS (
            SELECT o.*, p.product_name, p.category,
                   coalesce(o.cost_amount, round(CAST(o.quantity AS DECIMAL(18, 4))
                                                 * c.unit_cost, 2)) AS line_cost,
                   CAST(round(o.net_revenue / CASE p.category {rates} END, 2)
                        AS DECIMAL(14, 2)) AS item_price
            FROM orders o JOIN products p USING (product_id)
            ASOF LEFT JOIN product_costs c
              ON c.product_id = o.product_id AND o.order_date >= c.valid_from
        ),
        costed AS (
            SELECT *, CAST(round(item_price * {_PAYMENT_FEE}, 2) AS DECIMAL(14, 2)) AS payment_cost
            FROM lines
        )
        SELECT CASE WHEN starts_with(order_id, 'CN') THEN 'RF-' ELSE 'MP-' END
                   || printf('%08d', {_number('order_id')}) AS order_id,
               line_number AS item_id, {seller_id.format('customer_id')} AS seller_id,
               product_id AS sku, product_name AS title, category,
               CAST(quantity AS INTEGER) AS quantity, item_price,
               CAST(net_revenue AS DECIMAL(14, 2)) AS commission, payment_cost,
               CAST(line_cost - payment_cost AS DECIMAL(14, 2)) AS fulfilment_cost,
               epoch_ms(CAST(order_date AS TIMESTAMP)
                        + to_milliseconds({_number('order_id')} * 2654435761 % 86400000))
                   AS purchased_at_ms,
               CASE WHEN starts_with(order_id, 'CN') THEN 'refund' ELSE 'sale' END AS event,
               'GBP' AS currency,
               year(order_date) AS purchase_year
        FROM costed ORDER BY order_date, order_id, line_number
    """)
    years = [y for (y,) in w.con.execute(
        "SELECT DISTINCT purchase_year FROM items ORDER BY 1").fetchall()]
    for year in years:
        w.parquet(f"order_items/order_items_{year}.parquet",
                  f"SELECT * EXCLUDE (purchase_year) FROM items WHERE purchase_year = {year}")
    w.csv("sellers.csv", f"""
        SELECT {seller_id.format('c.customer_id')} AS seller_id, customer_name AS shop_name,
               industry AS segment, region, employee_count AS employees,
               strftime(created_on, '%Y-%m-%d') AS onboarded_on,
               c.account_manager_id, m.name AS account_manager_name
        FROM customers c LEFT JOIN account_managers m USING (account_manager_id)
        ORDER BY c.customer_id
    """)
    return seller_id
