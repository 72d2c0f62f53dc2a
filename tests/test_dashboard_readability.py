"""Readable by an executive (Streamlit AppTest, no browser): every page writes an amount, a share
and a growth rate one way, in its tables as in its headline figures ('€1.6M', '34.3 %', '+38 %',
'> +999 %'); an unknown figure is a dash, never 'None', and a plan period not started is blank,
never '€0'; headers are short with a `help` that says in plain words what the figure means; charts
write their text dark enough to read and tell their series apart without colour; every export has
the headers shown and rounded figures."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from dashboard.ui import GROWTH_ABOVE_CAP, INK, format_money, format_share

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
PAGES = ("portfolio", "scorecard", "matrix", "mistakes", "definitions_lab", "account", "resources")


def opened(name: str, **params: str) -> AppTest:
    app = AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def element_with(app: AppTest, column: str):
    (element,) = [element for element in app.dataframe if column in element.value.columns]
    return element


def shown(element):
    """The cells as the reader sees them: a figure column's text (the table's Styler), any other
    column's value."""
    frame = element.value.copy()
    styler = element.proto.arrow_data.styler
    if element.proto.arrow_data.HasField("styler"):
        display = dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
        config = json.loads(element.proto.columns or "{}")
        for column in frame.columns:
            if (config.get(column, {}).get("type_config") or {}).get("type") == "number" and "format" not in config[column]["type_config"]:
                frame[column] = display[column].tolist()
    return frame


def headers(element) -> dict[str, dict]:
    """Each shown column's header and help."""
    config = json.loads(element.proto.columns or "{}")
    return {column: config.get(column, {}) for column in element.proto.column_order}


# --- one way to write a figure -------------------------------------------------------------------


def test_table_amounts_and_shares_are_written_like_the_headlines(warehouse):
    app = opened("portfolio")

    element = element_with(app, "net_margin_pct_t12m")
    numbers, cells = element.value, shown(element)
    assert cells["revenue_t12m"].tolist() == [format_money(value) for value in numbers["revenue_t12m"]]
    assert cells["net_margin_pct_t12m"].tolist() == [format_share(value, 1) for value in numbers["net_margin_pct_t12m"]]
    # "€1.6M" and "34.3 %", not "€1,647,361" and "34.3%" or "31.47%".
    assert all(re.fullmatch(r"−?€\d+(\.\d)?[kMB]?", cell) for cell in cells["revenue_t12m"])
    assert all(re.fullmatch(r"−?\d+\.\d %", cell) for cell in cells["net_margin_pct_t12m"])
    # The figures stay numbers underneath: the column sorts by value.
    assert numbers["revenue_t12m"].dtype.kind == "f"


def test_growth_beyond_999_percent_reads_capped(warehouse):
    oaks = warehouse(
        "select customer_id, revenue_growth from marts.customer_metrics where is_tomorrows_oak"
    ).set_index("customer_id")["revenue_growth"]
    assert (oaks > 9.99).any(), "the demo holds tomorrow's oaks that bought next to nothing a year before"

    app = opened("mistakes")

    element = next(e for e in app.dataframe if e.proto.id.endswith("-mistakes_table_is_tomorrows_oak"))
    cells = shown(element).set_index("customer_id")["revenue_growth"]
    for customer, growth in oaks.items():
        if growth > 9.99:
            assert cells[customer] == GROWTH_ABOVE_CAP == "> +999 %"
        else:
            assert cells[customer] == f"+{round(growth * 100):,} %"
    assert "4,226.55%" not in cells.tolist()


@pytest.mark.parametrize("name", PAGES)
def test_no_table_shows_none(warehouse, name):
    app = opened(name)

    assert app.dataframe, name
    for element in app.dataframe:
        cells = shown(element)
        for column, config in headers(element).items():
            if (config.get("type_config") or {}).get("type") == "checkbox":
                continue
            assert not cells[column].isna().any(), (name, column)
            assert not cells[column].astype(str).isin(["None", "nan", "NaN", "<NA>"]).any(), (name, column)


def test_plan_periods_not_started_are_blank_not_zero(warehouse):
    customer = warehouse(
        "select customer_id from marts.account_plan_performance where period_status = 'future' "
        "order by customer_id limit 1"
    )["customer_id"].iloc[0]

    app = opened("account", customer=customer)

    cells = shown(element_with(app, "revenue_attainment"))
    future = cells[cells["period_status"] == "Not started"]
    started = cells[cells["period_status"] != "Not started"]
    assert len(future) and len(started)
    for column in ("target_revenue_to_date", "actual_revenue", "revenue_attainment", "actual_gross_margin"):
        assert set(future[column]) == {""}, column
        assert "" not in set(started[column]), column
    figures = ["target_revenue_to_date", "actual_revenue", "revenue_attainment", "actual_gross_margin", "margin_attainment"]
    assert not any(cell in ("€0", "None", "0 %") for cell in future[figures].to_numpy().ravel())
    # The whole period's target is known before it starts.
    assert all(cell.startswith("€") for cell in future["target_revenue"])


# --- headers, help and words ---------------------------------------------------------------------


def test_headers_are_short_and_each_figure_says_what_it_means(warehouse):
    app = opened("definitions_lab")

    summary = headers(element_with(app, "revenue_share"))
    assert {column: config["label"] for column, config in summary.items()} == {
        "definition": "Definition",
        "accounts": "Accounts",
        "revenue": "Revenue",
        "revenue_share": "Revenue share",
        "contribution": "Profit",
        "contribution_share": "Profit share",
        "net_margin": "Net margin",
        "in_common": "In common",
        "enter": "Enter",
        "leave": "Leave",
    }
    for name in PAGES:
        page = app if name == "definitions_lab" else opened(name)
        for element in page.dataframe:
            for column, config in headers(element).items():
                assert len(config.get("label", column)) <= 26, (name, config.get("label"))
                if (config.get("type_config") or {}).get("type") == "number" and "format" not in config["type_config"]:
                    assert config.get("help"), (name, column)  # every figure explains itself


@pytest.mark.parametrize("name", PAGES)
def test_every_headline_figure_says_what_it_means(warehouse, name):
    app = opened(name)

    assert app.metric, name
    for metric in app.metric:
        assert metric.proto.help, (name, metric.label)
        assert metric.value != "None" and "None" not in (metric.proto.body or ""), (name, metric.label)


def test_the_portfolio_explains_its_figures_in_plain_words(warehouse):
    herfindahl, active = warehouse(
        "select revenue_herfindahl, active_customers from marts.portfolio_concentration"
    ).iloc[0]
    app = opened("portfolio")

    (metric,) = [m for m in app.metric if m.label == "Herfindahl"]
    assert metric.value == f"{herfindahl:.4f}"
    assert "as if" in metric.proto.help and "customers of equal size" in metric.proto.help
    assert any(
        caption.value.startswith(
            f"Herfindahl {herfindahl:.4f}: revenue is as concentrated as if {1 / herfindahl:,.0f} customers "
            f"of equal size shared it (of {int(active):,} active)"
        )
        for caption in app.caption
    )
    # Labels that fit their box at 1440 px, the full wording in the help.
    labels = [m.label for m in app.metric]
    assert {"Revenue share", "Profit share"} <= set(labels)
    assert all(len(label) <= 27 for label in labels)


def test_each_page_says_why_its_key_account_count_differs(warehouse):
    final, computed, added = warehouse(
        "select count(*) filter (where is_key_account), count(*) filter (where is_key_account_computed), "
        "count(*) filter (where is_key_account and not is_key_account_computed) "
        "from marts.key_account_scorecard where definition_name = 'balanced'"
    ).iloc[0]
    assert added and final == computed + added, "the demo's manual decisions add key accounts to balanced"
    note = (
        f"{final:,} key accounts: the score picks {computed:,}, and {added:,} more "
        f"{'is' if added == 1 else 'are'} key by a manual decision. The Definitions lab compares scores "
        f"alone, so it counts {computed:,}."
    )
    for name in ("portfolio", "scorecard", "resources"):
        app = opened(name)
        assert any(note in caption.value for caption in app.caption), name

    lab = opened("definitions_lab")
    (summary,) = [frame for frame in (e.value for e in lab.dataframe) if "revenue_share" in frame]
    assert summary.loc[summary["definition"] == "Balanced", "accounts"].iloc[0] == computed
    assert any(
        f"so the other pages count {final:,} under Balanced ({added:,} more key by decision" in caption.value
        for caption in lab.caption
    )


def test_the_resources_manager_picker_says_what_it_narrows(warehouse):
    manager_id, manager_name = warehouse(
        "select account_manager_id, manager_name from marts.account_managers "
        "where is_in_managers_file order by account_manager_id limit 1"
    ).iloc[0]
    managers = warehouse("select count(*) as n from marts.account_managers where is_in_managers_file")["n"].iloc[0]

    app = opened("resources")
    assert "This section and the two below it show every manager's accounts." in [c.value for c in app.caption]
    picker = app.selectbox(key="resources_manager")
    assert "The capacity figures above always show every manager" in picker.proto.help

    app.selectbox(key="resources_manager").set_value(manager_id).run()
    assert f"This section and the two below it show the accounts of {manager_name} only." in [c.value for c in app.caption]
    # The capacity table above it is not narrowed, and does not pretend to be.
    assert len(element_with(app, "capacity_accounts").value) == managers


# --- charts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_chart_text_is_dark_enough_to_read(warehouse, name):
    app = opened(name)

    charts = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    assert charts, name
    for spec in charts:
        layout = spec["layout"]
        assert layout["font"]["color"] == INK == "#31333F"
        for axis in [key for key in layout if key.startswith(("xaxis", "yaxis"))]:
            assert layout[axis]["tickfont"]["color"] == INK, (name, axis)


def test_charts_tell_their_series_apart_without_colour(warehouse):
    mistakes = opened("mistakes")
    (chart,) = [json.loads(c.proto.spec) for c in mistakes.get("plotly_chart")]
    flags = [trace for trace in chart["data"] if trace.get("name") in (
        "Big but unprofitable", "Big revenue, one-off", "Easy sell, no growth")]
    assert len(flags) == 3
    assert len({trace["marker"]["pattern"]["shape"] for trace in flags}) == 3  # solid, striped, crossed
    for trace in flags:  # each segment wide enough writes its count
        assert all(text == "" or text.isdigit() for text in trace["text"]), trace["name"]
    assert any(text for trace in flags for text in trace["text"])

    portfolio = opened("portfolio")
    pareto = next(json.loads(c.proto.spec) for c in portfolio.get("plotly_chart") if "pareto_chart" in c.proto.id)
    lines = {trace["name"]: trace for trace in pareto["data"] if trace.get("mode") == "lines"}
    assert lines["Revenue"]["line"]["dash"] == "solid"
    assert lines["Net contribution (dashed)"]["line"]["dash"] == "dash"

    resources = opened("resources")
    bars = json.loads(resources.get("plotly_chart")[0].proto.spec)["data"][0]
    over = [text for text in bars["text"] if "over" in text]
    load = warehouse(
        "select key_accounts, capacity_accounts from marts.account_manager_capacity "
        "where definition_name = 'balanced' and key_accounts > capacity_accounts"
    )
    assert over == [f"{n} of {c}, {n - c} over" for n, c in zip(load["key_accounts"], load["capacity_accounts"])]


def test_the_tier_matrix_cells_fit_a_phone(warehouse):
    app = opened("portfolio")

    matrix = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if "tier_matrix" in c.proto.id)
    cells = [cell for row in matrix["data"][0]["text"] for cell in row]
    assert len(cells) == 9
    for cell in cells:
        for line in re.sub(r"</?b>", "", cell).split("<br>"):
            # About 100 px of a 390 px screen per cell at 11 px type: 16 characters.
            assert len(line) <= 16, line


# --- exports -------------------------------------------------------------------------------------


def test_exports_have_the_headers_shown_and_rounded_figures(warehouse, downloads):
    opened("portfolio")

    rows = list(csv.DictReader(io.StringIO(downloads["key-accounts-balanced.csv"].decode("utf-8"))))
    assert list(rows[0])[:6] == [
        "Rank", "Customer", "Score", "Revenue, 12 months (€)", "Net contribution (€)", "Net margin (%)",
    ]
    for row in rows:
        assert re.fullmatch(r"-?\d+\.0", row["Revenue, 12 months (€)"])  # whole euros
        assert re.fullmatch(r"-?\d+\.\d", row["Net margin (%)"])  # a percentage to one decimal
        assert re.fullmatch(r"\d+\.\d", row["Score"])
    expected = warehouse(
        "select s.customer_id, round(m.net_margin_pct_t12m * 100, 1) as margin from marts.key_account_scorecard s "
        "join marts.customer_metrics m using (customer_id) where s.definition_name = 'balanced' and s.is_key_account"
    ).set_index("customer_id")["margin"]
    for row in rows:
        assert float(row["Net margin (%)"]) == pytest.approx(expected[row["Customer id"]], abs=0.051)


# --- long tables ---------------------------------------------------------------------------------


def long_table_page():
    """A table of 1,234 customers drawn by the table helper, as a page would."""
    import pandas as pd

    from dashboard.ui import Figure, show_table

    rows = 1234
    frame = pd.DataFrame(
        {
            "customer_name": [f"Customer {number}" for number in range(rows)],
            "revenue_t12m": [1000.0 * (rows - number) for number in range(rows)],
        }
    )
    show_table(
        frame,
        {"customer_name": "Customer", "revenue_t12m": Figure("Revenue, 12 months")},
        export="long.csv",
        caption="1,234 customers, largest first.",
    )


def test_a_long_table_shows_its_first_rows_says_so_and_exports_them_all(warehouse, downloads):
    app = AppTest.from_function(long_table_page, default_timeout=60).run()
    assert not app.exception, [e.message for e in app.exception]

    (table,) = app.dataframe
    assert len(table.value) == 1000
    assert shown(table)["revenue_t12m"].tolist()[:2] == ["€1.2M", "€1.2M"]
    assert shown(table)["revenue_t12m"].tolist()[-1] == "€235.0k"  # row 1,000: 1,000 × (1,234 − 999)
    assert app.caption[0].value == (
        "1,234 customers, largest first. The table shows the first 1,000 of 1,234 rows; "
        "the CSV export holds them all."
    )
    rows = list(csv.DictReader(io.StringIO(downloads["long.csv"].decode("utf-8"))))
    assert len(rows) == 1234
    assert rows[-1] == {"Customer": "Customer 1233", "Revenue, 12 months (€)": "1000.0"}
