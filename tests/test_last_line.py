"""The last line of a CSV: a file that ends in the middle of its last line (an export cut off)
has that row quarantined as `truncated_last_line`; a complete last line loads, whether or not a
line break follows it and whatever the file's encoding (UTF-16 writes a line break as two bytes)
or compression (`.csv.gz`)."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import duckdb
import pytest

from loading.ingest import _last_line_truncated, load_entity
from loading.mapping import load_mapping
from loading.rules import RuleSettings
from tests.support import write

# Four or five rows: one quarantined row is 20-25 %, above the default 5 % that rejects a file.
SETTINGS = RuleSettings(latest_order_date=date(2026, 11, 25), max_quarantine_share=0.5)

HEADER = (
    "order_id,order_date,customer_id,product_id,quantity,net_revenue,line_number,cost_amount,"
    "currency"
)
ORDER_LINES = [
    "SO1,2025-01-05,C1,P1,2,200.00,1,120.00,EUR",
    "SO1,2025-01-05,C1,P2,1,50.00,2,,EUR",
    "SO2,2025-06-01,C2,P1,5,480.00,1,300.00,EUR",
    "SO3,2025-06-20,C2,P2,1,96.00,1,60.00,EUR",
]
COMPLETE = "\n".join([HEADER, *ORDER_LINES])
# An export cut off inside net_revenue (145.00): "14" still parses, but the row has six of nine
# fields, so it is visibly incomplete.
CUT_MID_LINE = COMPLETE + "\nSO4,2025-06-21,C1,P1,3,14"

CUSTOMERS_HEADER = "customer_id,customer_name,industry,region"
CUSTOMER_LINES = ["C1,Acme,Manufacturing,North", "C2,Beta,Retail,South"]

# Every contract column of orders, read from the source column of the same name.
MAPPING = """\
entities:
  orders:
    files: "orders.*"
    encoding: {encoding}
    columns:
{columns}
  customers:
    from: orders
    columns:
      customer_id: customer_id
"""


@pytest.fixture
def conn(tmp_path: Path):
    with duckdb.connect(str(tmp_path / "work.duckdb")) as connection:
        yield connection


def loaded_and_quarantined(conn, entity: str) -> tuple[list[int], list[tuple]]:
    """The data rows that loaded, and (row, column, rule) of each quarantined one."""
    rows = conn.execute(f"SELECT _source_row FROM raw.{entity} ORDER BY 1").fetchall()
    loaded = [row for (row,) in rows]
    quarantined = conn.execute(
        "SELECT source_row, column_name, rule FROM meta.quarantine WHERE entity = ? ORDER BY ALL",
        [entity],
    ).fetchall()
    return loaded, quarantined


def load_landing_file(
    conn, tmp_path: Path, entity: str, text: str
) -> tuple[list[int], list[tuple]]:
    """Load `text` as the one landing file of `entity` (UTF-8, no mapping)."""
    landing = tmp_path / "landing"
    write(landing / entity / f"{entity}.csv", text)
    load_entity(conn, landing, entity, SETTINGS)
    return loaded_and_quarantined(conn, entity)


def load_mapped_orders(
    conn, tmp_path: Path, name: str, data: bytes, encoding: str = "utf-8"
) -> tuple[list[int], list[tuple]]:
    """Load `data` as the export file `name` through a mapping (encoding given), customers built
    from it first: the orders' loaded rows and quarantine."""
    source = tmp_path / "export"
    source.mkdir()
    (source / name).write_bytes(data)
    columns = "\n".join(f"      {column}: {column}" for column in HEADER.split(","))
    mapping_file = tmp_path / "mapping.yml"
    mapping_file.write_text(MAPPING.format(encoding=encoding, columns=columns), encoding="utf-8")
    mapping = load_mapping(mapping_file)
    for entity in ("customers", "orders"):
        load_entity(conn, source, entity, SETTINGS, mapping)
    return loaded_and_quarantined(conn, "orders")


@pytest.mark.parametrize("final_newline", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("bom", [True, False], ids=["bom", "no-bom"])
def test_a_complete_utf16_le_file_loads_every_row(conn, tmp_path, bom, final_newline):
    text = COMPLETE + ("\n" if final_newline else "")
    data = (b"\xff\xfe" if bom else b"") + text.encode("utf-16-le")
    # The old check judged the last byte: \x00, the second half of UTF-16-LE's line break.
    assert data.endswith(b"\x00")

    loaded, quarantined = load_mapped_orders(conn, tmp_path, "orders.csv", data, "utf-16")

    assert loaded == [1, 2, 3, 4]
    assert quarantined == []


def test_a_cut_utf16_le_file_quarantines_its_last_row(conn, tmp_path):
    data = b"\xff\xfe" + CUT_MID_LINE.encode("utf-16-le")

    loaded, quarantined = load_mapped_orders(conn, tmp_path, "orders.csv", data, "utf-16")

    assert loaded == [1, 2, 3, 4]
    assert quarantined == [(5, "*", "truncated_last_line")]


@pytest.mark.parametrize("line_break", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_a_complete_utf8_last_line_without_a_line_break_loads(conn, tmp_path, line_break):
    loaded, quarantined = load_landing_file(
        conn, tmp_path, "orders", COMPLETE.replace("\n", line_break)
    )

    assert loaded == [1, 2, 3, 4]
    assert quarantined == []


def test_a_last_line_cut_mid_line_is_quarantined_and_the_rest_loads(conn, tmp_path):
    loaded, quarantined = load_landing_file(conn, tmp_path, "orders", CUT_MID_LINE)

    assert loaded == [1, 2, 3, 4]
    assert quarantined == [(5, "*", "truncated_last_line")]


def test_a_last_line_cut_inside_a_quoted_value_is_quarantined(conn, tmp_path):
    # Every field is there, but the quoted region is still open: its value was cut.
    text = "\n".join([CUSTOMERS_HEADER, *CUSTOMER_LINES, 'C3,Gamma,Retail,"Nor'])

    loaded, quarantined = load_landing_file(conn, tmp_path, "customers", text)

    assert loaded == [1, 2]
    assert quarantined == [(3, "*", "truncated_last_line")]


def test_a_complete_quoted_value_spanning_lines_at_the_end_loads(conn, tmp_path):
    # The last physical line alone (`Group",Retail,North`) has fewer fields than the header and
    # an odd quote: it is the end of a record that began a line earlier.
    text = "\n".join([CUSTOMERS_HEADER, *CUSTOMER_LINES, 'C3,"Gamma, Inc.\nGroup",Retail,North'])

    loaded, quarantined = load_landing_file(conn, tmp_path, "customers", text)

    assert loaded == [1, 2, 3]
    assert quarantined == []
    names = conn.execute("SELECT customer_name FROM raw.customers ORDER BY _source_row").fetchall()
    assert names[-1] == ("Gamma, Inc.\nGroup",)


def test_a_complete_gzip_file_without_a_final_line_break_loads(conn, tmp_path):
    loaded, quarantined = load_mapped_orders(
        conn, tmp_path, "orders.csv.gz", gzip.compress(COMPLETE.encode())
    )

    assert loaded == [1, 2, 3, 4]
    assert quarantined == []


def test_a_cut_gzip_file_quarantines_its_last_row(conn, tmp_path):
    loaded, quarantined = load_mapped_orders(
        conn, tmp_path, "orders.csv.gz", gzip.compress(CUT_MID_LINE.encode())
    )

    assert loaded == [1, 2, 3, 4]
    assert quarantined == [(5, "*", "truncated_last_line")]


def test_a_cut_row_a_built_entity_left_out_quarantines_none_of_its_rows(conn, tmp_path):
    """Customers built from the orders keep each customer's first row: the cut last row (C1,
    seen in row 1) is not among them, so no customer row is quarantined for it."""
    load_mapped_orders(conn, tmp_path, "orders.csv", CUT_MID_LINE.encode())

    loaded, quarantined = loaded_and_quarantined(conn, "customers")

    assert loaded == [1, 3]
    assert quarantined == []


@pytest.mark.parametrize(
    ("codec", "bom"),
    [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-be", b""), ("utf-8", b"")],
)
@pytest.mark.parametrize(
    ("tail", "truncated"),
    [("\n", False), ("", False), ("\nSO4,2025", True), ('\nSO4,2025-06-21,C1,"P1', True)],
    ids=["final-newline", "no-final-newline", "cut-mid-line", "cut-in-quotes"],
)
def test_the_last_line_is_judged_in_the_files_encoding(tmp_path, codec, bom, tail, truncated):
    """UTF-16-BE, which DuckDB does not read, and a file without a byte-order mark (detected by
    its NUL bytes) are judged the same way as UTF-8."""
    path = tmp_path / "orders.csv"
    path.write_bytes(bom + (COMPLETE + tail).encode(codec))

    assert _last_line_truncated(path, None, None) is truncated


def test_a_long_file_is_judged_by_its_tail(tmp_path):
    """Beyond the window read from the end, a quoted value spanning lines may straddle the
    window's start: the reading that finds the header's field count in its records wins."""
    rows = "".join(f'{n};"note\nsecond line";EUR\n' for n in range(5000))
    path = tmp_path / "orders.csv"
    for tail, truncated in [("", False), ('1;"x\ny";EUR', False), ("1;2", True), ('1;"x\ny', True)]:
        path.write_text("id;note;currency\n" + rows.rstrip("\n") + ("\n" + tail if tail else ""))
        assert _last_line_truncated(path, None, None) is truncated, tail
