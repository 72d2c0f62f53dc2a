"""Column mappings on a small hand-made export: what a mapping file may say, the clear error for
each mistake in it (naming the key), and mapped rows going through the same rules, quarantine and
ledger as native landing files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from kam.cli import main
from loading.ingest import IngestError, entities_in_load_order, load_entity, settings_for
from loading.mapping import MappingError, load_mapping, strptime_format
from loading.rules import RuleSettings

# Five rows: one bad row is 20 %, above the default 5 % that rejects a whole file.
SETTINGS = RuleSettings(currency="USD", max_quarantine_share=0.5)

EXPORT = """\
\ufeffRow;Order;Date;Cust;Customer Name;Item;Qty;Sales;Profit;Status
1;A-1;1/5/2025;K1;Kappa Ltd;P-1;2;"1.000,50";100;done
2;A-1;1/5/2025;K1;Kappa Ltd;P-2;1;50;-5;done
3;A-2;2/14/2025;K2;Lambda AG;P-1;3;300;30;cancelled
4;A-3;12/31/2025;K2;Lambda AG;P-1;1;99,9;9;done
5;A-4;3/7/2025;K3;Mu GmbH;P-2;4;400;40;done
"""

MAPPING = """\
description: A semicolon export with decimal commas
entities:
  orders:
    files: "sales_*.csv"
    delimiter: ";"
    columns:
      order_id: Order
      order_date: Date
      customer_id: Cust
      product_id: Item
      quantity: Qty
    date_formats:
      order_date: M/D/YYYY
    types:
      Row: INTEGER
      Profit: DECIMAL(18, 2)
    expressions:
      net_revenue: replace(replace("Sales", '.', ''), ',', '.')
      cost_amount: CAST(replace(replace("Sales", '.', ''), ',', '.') AS DECIMAL(18, 2)) - "Profit"
      line_number: row_number() over (partition by "Order" order by "Row")
    defaults:
      currency: USD
    filters:
      - "Status <> 'cancelled'"
  customers:
    from: orders
    columns:
      customer_id: Cust
      customer_name: Customer Name
  products:
    from: orders
    columns:
      product_id: Item
"""


@pytest.fixture
def export(tmp_path: Path) -> tuple[Path, Path]:
    """(source folder with one export file, mapping file)."""
    source = tmp_path / "export"
    source.mkdir()
    (source / "sales_2025.csv").write_text(EXPORT, encoding="utf-8")
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return source, mapping


def load_all(conn, source: Path, mapping_file: Path) -> dict:
    mapping = load_mapping(mapping_file)
    return {name: load_entity(conn, source, name, SETTINGS, mapping) for name in entities_in_load_order()}


def edited(mapping_file: Path, old: str, new: str) -> Path:
    text = mapping_file.read_text()
    assert old in text
    mapping_file.write_text(text.replace(old, new))
    return mapping_file


def test_an_export_loads_through_its_mapping(export):
    source, mapping = export
    with duckdb.connect() as conn:
        results = load_all(conn, source, mapping)
        orders = conn.execute(
            "SELECT order_id, order_date, customer_id, product_id, quantity, net_revenue, "
            "line_number, cost_amount, currency, _source_file, _source_row "
            "FROM raw.orders ORDER BY _source_row"
        ).fetchall()
        customers = conn.execute(
            "SELECT customer_id, customer_name, _source_row FROM raw.customers ORDER BY 1"
        ).fetchall()
        products = conn.execute("SELECT product_id FROM raw.products ORDER BY 1").fetchall()

    assert [(r[0], r[1].isoformat(), r[2], r[3], r[4], float(r[5]), r[6], float(r[7]), r[8])
            for r in orders] == [
        ("A-1", "2025-01-05", "K1", "P-1", 2.0, 1000.50, 1, 900.50, "USD"),
        ("A-1", "2025-01-05", "K1", "P-2", 1.0, 50.0, 2, 55.0, "USD"),
        ("A-3", "2025-12-31", "K2", "P-1", 1.0, 99.9, 1, 90.9, "USD"),
        ("A-4", "2025-03-07", "K3", "P-2", 4.0, 400.0, 1, 360.0, "USD"),
    ]
    # Rows keep the export's own file and row numbers: row 3 (cancelled) was filtered out.
    assert [(r[9], r[10]) for r in orders] == [("sales_2025.csv", n) for n in (1, 2, 4, 5)]
    assert results["orders"].rows_filtered == 1
    assert results["orders"].rows_quarantined == 0
    # Built from the order lines: one row per id, from its first line that passed the filters.
    assert customers == [("K1", "Kappa Ltd", 1), ("K2", "Lambda AG", 4), ("K3", "Mu GmbH", 5)]
    assert products == [("P-1",), ("P-2",)]


def test_a_bad_value_is_quarantined_with_its_source_row_and_column(export):
    source, mapping = export
    export_file = source / "sales_2025.csv"
    export_file.write_text(
        EXPORT.replace("3/7/2025", "31/7/2025").replace(";400;40;", ";400;forty;"), encoding="utf-8"
    )
    with duckdb.connect() as conn:
        results = load_all(conn, source, mapping)
        quarantined = conn.execute(
            "SELECT source_file, source_row, column_name, rule, value FROM meta.quarantine "
            "WHERE entity = 'orders' ORDER BY column_name"
        ).fetchall()

    assert quarantined == [
        ("sales_2025.csv", 5, "Profit", "not_a_number", "forty"),
        ("sales_2025.csv", 5, "order_date", "unparseable_date", "31/7/2025"),
    ]
    assert results["orders"].rows_loaded == 3


def test_the_ledger_skips_an_unchanged_export_and_reloads_it_when_the_mapping_changes(export):
    source, mapping = export
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        again = load_all(conn, source, mapping)
        assert again["orders"].files_unchanged == ["sales_2025.csv"]
        assert again["orders"].rows_loaded == 0

        edited(mapping, "- \"Status <> 'cancelled'\"", "- \"Status <> 'nothing'\"")
        changed = load_all(conn, source, mapping)

        assert changed["orders"].files_replaced == ["sales_2025.csv"]
        assert conn.execute("SELECT count(*) FROM raw.orders").fetchone() == (5,)


def test_validate_checks_an_export_through_its_mapping(export, capsys):
    source, mapping = export
    assert main(["validate", "--mapping", str(mapping), "--source", str(source)]) == 1
    captured = capsys.readouterr()
    # The configured currency is EUR unless KAM_CURRENCY says otherwise: every line is in USD.
    assert "sales_2025.csv: rejected (too_many_bad_rows)" in captured.err
    assert "unexpected_currency on currency: 4 rows" in captured.err


def test_validate_passes_an_export_in_the_configured_currency(export, capsys, monkeypatch):
    source, mapping = export
    monkeypatch.setenv("KAM_CURRENCY", "USD")
    # One of the four costed sales is sold at a loss: 25 %, above the default 20 % a run's
    # blocking check allows (validate judges it as the run would).
    monkeypatch.setenv("KAM_MAX_COST_ABOVE_REVENUE_SHARE", "0.3")
    assert main(["validate", "--mapping", str(mapping), "--source", str(source)]) == 0
    out = capsys.readouterr().out
    assert "1 left out by the mapping's filters" in out
    assert "Landing folder is ready to load." in out


def test_the_mapping_names_the_currency_of_its_export(export, capsys):
    source, mapping = export
    edited(mapping, "description: A semicolon export with decimal commas\n",
           "description: A semicolon export with decimal commas\ncurrency: usd\n"
           "settings:\n  KAM_MAX_COST_ABOVE_REVENUE_SHARE: 0.3\n")
    assert load_mapping(mapping).currency == "USD"
    assert main(["validate", "--mapping", str(mapping), "--source", str(source)]) == 0
    assert "Landing folder is ready to load." in capsys.readouterr().out


def test_mapping_and_source_go_together(export, capsys):
    _, mapping = export
    with pytest.raises(SystemExit) as exited:
        main(["validate", "--mapping", str(mapping)])
    assert exited.value.code == 2
    assert "--mapping and --source go together" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("customer_id: Cust\n      product_id: Item\n      quantity",
         "customer_id: Customer\n      product_id: Item\n      quantity",
         "entities.orders.columns.customer_id", "no column 'Customer' in sales_2025.csv (its columns: Row, Order"),
        ('cost_amount: CAST(', 'cost_amount: CAST(nonsense + ', "entities.orders.expressions.cost_amount",
         "Binder Error"),
        ('"Profit"\n', '"Profit" +\n', "entities.orders.expressions.cost_amount", "Parser Error"),
        ("order_date: M/D/YYYY", "order_date: M/D/YYY", "entities.orders.date_formats.order_date",
         "'M/D/YYY' is not a date format"),
        ("order_date: M/D/YYYY", "order_date: '%m/%q/%Y'", "entities.orders.date_formats.order_date",
         "Unrecognized format for strftime/strptime: %q"),
        ("order_date: M/D/YYYY", "order_date: M/D", "entities.orders.date_formats.order_date",
         "has no year"),
        ("Profit: DECIMAL(18, 2)", "Profit: MONEY", "entities.orders.types.Profit", "MONEY"),
        ("Status <> 'cancelled'", "Staus <> 'cancelled'", "entities.orders.filters[0]",
         'column "Staus" not found'),
        ("  products:\n    from: orders", "  goods:\n    from: orders", "entities.goods",
         "unknown entity"),
        ("      quantity: Qty\n", "", "entities.orders.columns",
         "required column(s) quantity of orders not mapped"),
        ("      order_id: Order\n", "      order_id: Order\n      revenue: Sales\n",
         "entities.orders.columns.revenue", "'revenue' is not a column of orders"),
        ('    delimiter: ";"', '    delimiter: ";"\n    sheet: 1', "entities.orders.sheet",
         "unknown key"),
        ("    from: orders\n    columns:\n      customer_id",
         "    from: order_lines\n    columns:\n      customer_id", "entities.customers.from",
         "'order_lines' is not mapped above customers"),
        ('    delimiter: ";"', '    delimiter: ";"\n    encoding: cp1252', "entities.orders.encoding",
         "'cp1252' is not supported"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\ncurrency: dollars", "currency",
         "'dollars' is not a three-letter code"),
    ],
)
def test_a_mistake_in_the_mapping_names_its_key(export, old, new, key, message):
    source, mapping = export
    edited(mapping, old, new)

    with pytest.raises(MappingError) as raised, duckdb.connect() as conn:
        load_all(conn, source, mapping)

    assert raised.value.key == key
    assert message in raised.value.detail
    assert str(raised.value).startswith(f"{mapping.resolve()}: {key}: ")


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        ("    columns:\n      order_id: Order\n", "    columns: [Order, Date]\n    expressions_:\n      order_id: Order\n",
         "entities.orders.columns", "expected a mapping of names to values"),
        ('    delimiter: ";"', '    delimiter: ";"\n    header: maybe', "entities.orders.header",
         "expected true or false (found 'maybe')"),
        ('    delimiter: ";"', '    delimiter: ";"\n    null_values: {empty: NULL}',
         "entities.orders.null_values", "expected a text or a list of texts"),
        ('    delimiter: ";"', '    delimiter: ";"\n    null_values: [NULL]',
         "entities.orders.null_values[0]", "YAML reads NULL, null and ~ unquoted as no text"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\nsheets: 2", "sheets",
         "unknown key (known: currency, description, entities, settings)"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\nsettings:\n  KAM_EARLIEST: 1996-01-01",
         "settings.KAM_EARLIEST", "not a setting of the mapping's settings (known: KAM_CURRENCY"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\nsettings:\n  KAM_EARLIEST_ORDER_DATE: soon",
         "settings.KAM_EARLIEST_ORDER_DATE", "'soon' is not a date as YYYY-MM-DD"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\nsettings:\n  KAM_MAX_COST_ABOVE_REVENUE_SHARE: 1.5",
         "settings.KAM_MAX_COST_ABOVE_REVENUE_SHARE", "1.5 is out of range (a share from 0 to 1)"),
        ("description: A semicolon export with decimal commas",
         "description: A semicolon export\ncurrency: USD\nsettings:\n  KAM_CURRENCY: EUR",
         "settings.KAM_CURRENCY", "the currency is given by `currency:` already"),
    ],
)
def test_a_mistake_in_the_mapping_file_is_a_message_naming_its_key(export, old, new, key, message):
    # Checked against the mapping's schema when it is read: no traceback, whatever the YAML holds.
    _, mapping = export
    edited(mapping, old, new)

    with pytest.raises(MappingError) as raised:
        load_mapping(mapping)

    assert raised.value.key == key
    assert message in raised.value.detail


def test_yaml_dates_and_numbers_are_read_as_the_text_written(export):
    # Unquoted, YAML reads 2025-06-30 as a date and 2025 as a number: a default, a setting or a
    # column named 2025 is what the user wrote.
    source, mapping = export
    (source / "sales_2025.csv").write_text(EXPORT.replace(";1/5/2025;K1;Kappa Ltd;P-2;", ";;K1;Kappa Ltd;P-2;"))
    edited(mapping, "      currency: USD\n", "      currency: USD\n      order_date: 2025-06-30\n")
    edited(mapping, "description: A semicolon export with decimal commas\n",
           "description: A semicolon export with decimal commas\nsettings:\n"
           "  KAM_EARLIEST_ORDER_DATE: 2024-01-01\n")

    loaded = load_mapping(mapping)
    with duckdb.connect() as conn:
        load_all(conn, source, mapping)
        dates = conn.execute("SELECT _source_row, order_date FROM raw.orders ORDER BY 1").fetchall()

    assert loaded.entities["orders"].defaults["order_date"] == "2025-06-30"
    assert loaded.settings == {"KAM_EARLIEST_ORDER_DATE": "2024-01-01"}
    assert [(row, day.isoformat()) for row, day in dates] == [
        (1, "2025-01-05"), (2, "2025-06-30"), (4, "2025-12-31"), (5, "2025-03-07"),
    ]


def test_the_mappings_settings_set_the_limits_its_export_needs(export, monkeypatch):
    # An export reaching back to 1998: the default earliest order date (2000) would quarantine
    # its first orders as typing errors.
    source, mapping = export
    (source / "sales_2025.csv").write_text(EXPORT.replace("1/5/2025", "1/5/1998"))
    monkeypatch.setenv("KAM_EARLIEST_ORDER_DATE", "2020-01-01")
    edited(mapping, "description: A semicolon export with decimal commas\n",
           "description: A semicolon export with decimal commas\ncurrency: USD\nsettings:\n"
           "  KAM_MAX_QUARANTINE_SHARE: 0.5\n")

    with duckdb.connect() as conn:
        default = load_entity(conn, source, "orders", settings_for(load_mapping(mapping)), load_mapping(mapping))
        quarantined = conn.execute(
            "SELECT source_row, rule, expectation FROM meta.quarantine ORDER BY 1"
        ).fetchall()
    assert default.rows_quarantined == 2
    assert quarantined[0][:2] == (1, "order_date_before_start")
    assert "KAM_EARLIEST_ORDER_DATE" in quarantined[0][2]

    edited(mapping, "  KAM_MAX_QUARANTINE_SHARE: 0.5\n",
           "  KAM_MAX_QUARANTINE_SHARE: 0.5\n  KAM_EARLIEST_ORDER_DATE: 1995-01-01\n")
    settings = settings_for(load_mapping(mapping))
    with duckdb.connect() as conn:
        result = load_entity(conn, source, "orders", settings, load_mapping(mapping))

    # The mapping's setting wins over the environment's: it describes this export.
    assert settings.earliest_order_date.isoformat() == "1995-01-01"
    assert settings.max_quarantine_share == 0.5
    assert (result.rows_loaded, result.rows_quarantined) == (4, 0)


def test_null_values_name_the_texts_that_mean_no_value(export):
    # An ERP writes NULL where a line has no profit: without null_values the text is not a
    # number and the whole line (its revenue too) is quarantined.
    source, mapping = export
    (source / "sales_2025.csv").write_text(EXPORT.replace(";50;-5;done", ";50;NULL;done"))
    with duckdb.connect() as conn:
        before = load_all(conn, source, mapping)["orders"]
    assert (before.rows_loaded, before.rows_quarantined) == (3, 1)

    edited(mapping, '    delimiter: ";"', '    delimiter: ";"\n    null_values: ["NULL", "n/a"]')
    with duckdb.connect() as conn:
        after = load_all(conn, source, mapping)["orders"]
        line = conn.execute(
            "SELECT net_revenue, cost_amount FROM raw.orders WHERE _source_row = 2"
        ).fetchall()

    assert (after.rows_loaded, after.rows_quarantined) == (4, 0)
    assert [(float(revenue), cost) for revenue, cost in line] == [(50.0, None)]


def test_a_required_entity_the_mapping_leaves_out_is_a_clear_error(export):
    source, mapping = export
    mapping.write_text(MAPPING.split("  customers:")[0])

    with (
        pytest.raises(IngestError, match="the mapping has no entry `entities.customers`"),
        duckdb.connect() as conn,
    ):
        load_all(conn, source, mapping)


def test_a_file_the_mapping_does_not_find_is_a_clear_error(export):
    source, mapping = export
    edited(mapping, 'files: "sales_*.csv"', 'files: "orders_*.csv"')
    with (
        pytest.raises(IngestError, match="no file in .* matches entities.orders.files"),
        duckdb.connect() as conn,
    ):
        load_all(conn, source, mapping)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("M/D/YYYY", "%m/%d/%Y"), ("DD.MM.YYYY", "%d.%m.%Y"), ("YYYY-MM-DD", "%Y-%m-%d"),
     ("D MMM YY", "%d %b %y"), ("%d/%m/%Y", "%d/%m/%Y")],
)
def test_friendly_date_formats_become_strptime_codes(pattern, expected):
    assert strptime_format(pattern) == expected


def test_a_mapping_that_is_not_yaml_says_so(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("entities: [orders\n")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_mapping(broken)
    with pytest.raises(MappingError, match="no such mapping file"):
        load_mapping(tmp_path / "missing.yml")


def test_every_shipped_mapping_is_valid():
    shipped = sorted((Path(__file__).resolve().parents[1] / "mappings").glob("*.yml"))
    assert shipped
    for path in shipped:
        assert "orders" in load_mapping(path).entities



def test_an_export_without_a_header_maps_its_columns_by_position(tmp_path):
    source = tmp_path / "export"
    source.mkdir()
    (source / "lines.csv").write_text("A-1|2025-01-05|K1|P-1|2|100.00\nA-2|2025-02-05|K2|P-1|1|50.00\n")
    mapping = tmp_path / "mapping.yml"
    mapping.write_text(
        "entities:\n"
        "  orders:\n"
        "    files: lines.csv\n"
        "    header: false\n"
        "    delimiter: '|'\n"
        "    columns: {order_id: column0, order_date: column1, customer_id: column2,\n"
        "              product_id: column3, quantity: column4, net_revenue: column5}\n"
        "  customers:\n"
        "    from: orders\n"
        "    columns: {customer_id: column2}\n"
    )
    with duckdb.connect() as conn:
        results = load_all(conn, source, mapping)
        rows = conn.execute(
            "SELECT order_id, customer_id, net_revenue, _source_row FROM raw.orders ORDER BY 1"
        ).fetchall()

    assert [(r[0], r[1], float(r[2]), r[3]) for r in rows] == [
        ("A-1", "K1", 100.0, 1), ("A-2", "K2", 50.0, 2),
    ]
    assert results["customers"].rows_loaded == 2
