"""Landing data on the dashboard is shown as text and exported formula-safe (Streamlit AppTest, no
browser): a customer, a manager, an industry or an override reason written as Markdown, HTML or a
spreadsheet formula makes no image, link, icon or formula anywhere."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.text import WORD_JOINER, chart_text, markdown_text

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
PAGES = ("portfolio", "scorecard", "matrix", "mistakes", "definitions_lab", "account", "resources")

# The balanced definition's best key accounts get these names, best first.
MARKDOWN_NAMES = ("![p](http://evil.example/p.png)", "[Pay here](http://evil.example)", ":red[FREE]")
FORMULA_NAMES = ("=1+1", " =4+4", "@SUM(A1)", "+cmd|' /C calc'!A0")
MANAGER_NAME = '<a href="http://evil.example">Pay here</a>'  # manages the best key account
INDUSTRY = "$x$ :material/warning:"  # the best key account's industry
OVERRIDE_REASON = "[Pay here](http://evil.example)"  # every manual decision's reason

# An unescaped `](` closes the text of a Markdown link or image.
MARKDOWN_LINK = re.compile(r"(?<!\\)\]\(")


def _tables_with(conn: duckdb.DuckDBPyConnection, *columns: str) -> list[str]:
    rows = conn.execute(
        f"""
        select table_schema, table_name
        from information_schema.columns join information_schema.tables using (table_schema, table_name)
        where table_type = 'BASE TABLE' and column_name in ({", ".join("?" for _ in columns)})
        group by all having count(*) = ?
        """,
        [*columns, len(columns)],
    ).fetchall()
    return [f'"{schema}"."{table}"' for schema, table in rows]


@pytest.fixture(scope="module")
def hostile(demo_warehouse, tmp_path_factory) -> dict:
    """The demo warehouse with hostile names, industry and reasons written into every table that
    holds them, as a run on such landing files would leave them (in seconds, not a run's minute and
    a half). Returns the warehouse and who got which name."""
    warehouse = tmp_path_factory.mktemp("hostile") / "warehouse.duckdb"
    shutil.copy(demo_warehouse, warehouse)
    names = (*MARKDOWN_NAMES, *FORMULA_NAMES)
    with duckdb.connect(str(warehouse)) as conn:
        best = [
            customer
            for (customer,) in conn.execute(
                "select customer_id from marts.key_account_scorecard "
                "where definition_name = 'balanced' and is_key_account order by score_rank limit ?",
                [len(names)],
            ).fetchall()
        ]
        for table in _tables_with(conn, "customer_id", "customer_name"):
            for customer, name in zip(best, names):
                conn.execute(f"update {table} set customer_name = ? where customer_id = ?", [name, customer])
        for table in _tables_with(conn, "customer_id", "industry"):
            conn.execute(f"update {table} set industry = ? where customer_id = ?", [INDUSTRY, best[0]])
        (manager,) = conn.execute(
            "select account_manager_id from marts.customer_metrics where customer_id = ?", [best[0]]
        ).fetchone()
        for table in _tables_with(conn, "account_manager_id", "manager_name"):
            conn.execute(f"update {table} set manager_name = ? where account_manager_id = ?", [MANAGER_NAME, manager])
        for table in _tables_with(conn, "customer_id", "forced_status", "reason"):
            conn.execute(f"update {table} set reason = ?", [OVERRIDE_REASON])
        for table in _tables_with(conn, "override_reason"):
            conn.execute(f"update {table} set override_reason = ? where override_reason is not null", [OVERRIDE_REASON])
        (overridden,) = conn.execute(
            "select customer_id from marts.key_account_scorecard "
            "where definition_name = 'balanced' and override_status is not null order by customer_id limit 1"
        ).fetchone()
    return {"warehouse": warehouse, "customers": dict(zip(names, best)), "overridden": overridden}


@pytest.fixture
def app(hostile, monkeypatch):
    """The whole dashboard (so links to the Account page are drawn) over the hostile warehouse."""
    monkeypatch.setenv("KAM_WAREHOUSE", str(hostile["warehouse"]))
    return AppTest.from_file(str(APP), default_timeout=60)


def open_page(app: AppTest, name: str) -> AppTest:
    app.switch_page(f"views/{name}.py").run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def shown_as_markdown(app: AppTest) -> list[str]:
    """Every text on the page that Streamlit renders as Markdown."""
    bodies = (app.title, app.subheader, app.markdown, app.caption, app.info, app.success, app.warning)
    return [
        *(element.value for elements in bodies for element in elements),
        *(metric.label for metric in app.metric),
        *(tab.label for tab in app.tabs),
        *(expander.label for expander in app.expander),
        *(link.proto.label for link in app.get("page_link")),
    ]


def assert_text_only(texts: list[str], *shown: str) -> None:
    """Each of `shown` appears as text, and nothing on the page is a Markdown link or image."""
    for value in shown:
        assert any(markdown_text(value) in text for text in texts), value
    assert not [text for text in texts if MARKDOWN_LINK.search(text)]
    assert not [text for text in texts if any(name in text for name in MARKDOWN_NAMES)]


# --- the helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        ("![p](http://evil.example/p.png)", r"\!\[p\]\(http\:¦\/\/evil\.example\/p\.png\)"),
        ("[Pay here](http://evil.example)", r"\[Pay here\]\(http\:¦\/\/evil\.example\)"),
        (":red[FREE]", r"\:¦red\[FREE\]"),
        ("$x$", r"\$x\$"),
        (":x: :material/warning:", r"\:¦x\:¦ \:¦material\/warning\:¦"),
        ("<img src=x> &amp;", r"\<¦img src\=x\> \&amp\;"),
        ("www.evil.example bob@evil.example", r"www¦\.evil\.example bob\@¦evil\.example"),
        ("A -> B", r"A \-¦\> B"),
        ("Line one\n# two", r"Line one \# two"),
        ("Strömbrook Builders", "Strömbrook Builders"),
    ],
)
def test_markdown_text_escapes_every_markup_character(value, text):
    # ¦ marks where the invisible WORD_JOINER goes.
    assert markdown_text(value) == text.replace("¦", WORD_JOINER)


def test_chart_text_escapes_html_tags():
    assert chart_text('<a href="http://x">Pay</a> & <b>co</b>') == '&lt;a href="http://x"&gt;Pay&lt;/a&gt; &amp; &lt;b&gt;co&lt;/b&gt;'
    assert chart_text("Strömbrook Builders") == "Strömbrook Builders"


# --- the pages -----------------------------------------------------------------------------------


def test_account_page_shows_the_customer_its_industry_and_manager_as_text(app):
    page = open_page(app, "account")  # opens on the best balanced key account

    assert page.subheader[0].value == markdown_text(MARKDOWN_NAMES[0])
    assert_text_only(shown_as_markdown(page), MARKDOWN_NAMES[0], INDUSTRY, MANAGER_NAME)


def test_account_page_shows_a_decisions_reason_as_text(app, hostile):
    app.query_params["customer"] = hostile["overridden"]
    page = open_page(app, "account")

    assert any(markdown_text(OVERRIDE_REASON) in warning.value for warning in page.warning)
    assert_text_only(shown_as_markdown(page), OVERRIDE_REASON)


def test_scorecard_explains_each_hostile_account_as_text(app, hostile):
    page = open_page(app, "scorecard")
    for name in MARKDOWN_NAMES:
        page.selectbox(key="scorecard_account").set_value(hostile["customers"][name]).run()
        assert not page.exception

        texts = shown_as_markdown(page)
        assert f"Open {markdown_text(name)}" in texts  # the link to the Account page
        assert_text_only(texts, name)
        (chart,) = page.get("plotly_chart")
        assert json.loads(chart.proto.spec)["data"][0]["name"] == chart_text(name)

    page.selectbox(key="scorecard_account").set_value(hostile["overridden"]).run()
    assert_text_only(shown_as_markdown(page), OVERRIDE_REASON)


def test_resources_chart_shows_a_manager_named_in_html_as_text(app):
    page = open_page(app, "resources")

    managers = json.loads(page.get("plotly_chart")[0].proto.spec)["data"][0]["y"]
    assert chart_text(MANAGER_NAME) in managers
    assert not [manager for manager in managers if "<" in manager]


def test_matrix_shows_hostile_customer_and_manager_names_as_text(app, hostile):
    app.query_params["scope"] = "all"
    page = open_page(app, "matrix")

    charts = {chart.proto.id.rsplit("-", 1)[-1]: json.loads(chart.proto.spec) for chart in page.get("plotly_chart")}
    bubbles, effort = charts["matrix_chart"], charts["matrix_effort_chart"]
    hover = [point for trace in bubbles["data"] if trace.get("name") == "Accounts" for point in trace["customdata"]]
    by_customer = {point[0]: point for point in hover}
    for name in (*MARKDOWN_NAMES, *FORMULA_NAMES):
        assert by_customer[hostile["customers"][name]][1] == chart_text(name)
    assert by_customer[hostile["customers"][MARKDOWN_NAMES[0]]][6] == chart_text(MANAGER_NAME)
    assert chart_text(MANAGER_NAME) in effort["data"][0]["y"]
    assert "<a href" not in json.dumps(charts)
    assert_text_only(shown_as_markdown(page))


# --- the exports ---------------------------------------------------------------------------------


def test_key_accounts_export_keeps_formula_names_as_text(app, hostile, downloads):
    open_page(app, "portfolio")

    rows = list(csv.DictReader(io.StringIO(downloads["key-accounts-balanced.csv"].decode("utf-8"))))
    exported = {row["Customer id"]: row["Customer"] for row in rows}
    for name in FORMULA_NAMES:
        assert exported[hostile["customers"][name]] == "'" + name
    assert exported[hostile["customers"][MARKDOWN_NAMES[0]]] == MARKDOWN_NAMES[0]


@pytest.mark.parametrize("name", PAGES)
def test_every_table_has_a_formula_safe_export(app, downloads, name):
    # The tables' own toolbar download is switched off (tests/test_export.py): each table needs
    # the app's button, and no cell of any file it offers may start a formula.
    page = open_page(app, name)

    assert len(page.download_button) >= len(page.dataframe) > 0
    assert downloads
    for file_name, data in downloads.items():
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            for cell in row:
                if cell.lstrip().startswith(("=", "+", "@", "\t", "\r")):
                    raise AssertionError(f"{file_name}: {cell!r}")
                if cell.lstrip().startswith("-"):
                    float(cell)  # a negative number, not text: else ValueError names the cell
