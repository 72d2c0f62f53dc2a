"""The Portfolio matrix page (Streamlit AppTest, no browser): one bubble per account the choice
shows, at the quarter-end picked (the latest by default); the quadrant lines at the cut; the
quadrants' names and treatments on the chart, in the headline figures and above each quadrant's
table; arrows for the key accounts that changed quadrant; the effort table as the mart holds it.
What the page shows is checked against marts.portfolio_matrix and marts.portfolio_matrix_effort."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.review_pack import quarter_label
from dashboard.text import chart_text, markdown_text
from dashboard.ui import format_share

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
APP = VIEWS.parent / "app.py"
BUBBLES = ("Accounts", "Net margin unknown (open circle)")
QUADRANTS = {
    "invest_for_growth": "Invest for growth",
    "invest_selectively": "Invest selectively",
    "maintain": "Maintain",
    "streamline": "Streamline",
}


def opened(**params: str) -> AppTest:
    """The page as a link with these parameters opens it, in a new session."""
    app = AppTest.from_file(str(VIEWS / "matrix.py"), default_timeout=60)
    for key, value in params.items():
        app.query_params[key] = value
    return ran(app)


def ran(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def chart(app: AppTest, key: str = "matrix_chart") -> dict:
    (spec,) = [json.loads(c.proto.spec) for c in app.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return spec


def bubbles(app: AppTest) -> list[list[str]]:
    """Each bubble's hover data: customer id, name, revenue, net margin, stage, quadrant, manager,
    quadrant a quarter before."""
    return [point for trace in chart(app)["data"] if trace.get("name") in BUBBLES for point in trace["customdata"]]


def table(app: AppTest, key: str) -> pd.DataFrame:
    (frame,) = [element.value for element in app.dataframe if element.proto.id.endswith(f"-{key}")]
    return frame


def table_with(app: AppTest, *columns: str) -> pd.DataFrame:
    """The one table holding these columns (the tables without row selection have no key in the
    app tree): the moves beside the chart, the plans, the effort."""
    (frame,) = [e.value for e in app.dataframe if set(columns) <= set(e.value.columns)]
    return frame


def captions(app: AppTest) -> list[str]:
    return [caption.value for caption in app.caption]


@pytest.fixture
def matrix(warehouse):
    """The rows of marts.portfolio_matrix the page places (both axes known) for the first axes set
    (standard where it exists), at its latest quarter-end unless told another."""
    (axes,) = warehouse(
        "select axes_name from marts.portfolio_matrix group by axes_name "
        "order by axes_name <> 'standard', axes_name limit 1"
    )["axes_name"]

    def rows(condition: str = "true", params: tuple = (), quarter_end=None) -> pd.DataFrame:
        return warehouse(
            f"""
            select * from marts.portfolio_matrix
            where axes_name = ? and quarter_end = coalesce(cast(? as date),
                (select max(quarter_end) from marts.portfolio_matrix where axes_name = ?))
              and attractiveness is not null and strength is not null and {condition}
            order by revenue_t12m desc, customer_id
            """,
            (axes, quarter_end, axes, *params),
        )

    rows.axes = axes
    return rows


def test_one_bubble_per_key_account_at_the_latest_quarter_end(warehouse, matrix):
    expected = matrix("is_key_account")
    assert len(expected), "the demo has key accounts at its latest quarter-end"

    app = opened()

    latest = pd.Timestamp(expected["quarter_end"].iloc[0]).date()
    assert app.selectbox(key="matrix_quarter").value == latest
    assert app.radio(key="matrix_scope").value == "key"
    shown = bubbles(app)
    assert len(shown) == len(expected)
    assert sorted(point[0] for point in shown) == sorted(expected["customer_id"])
    # The default view keeps a clean URL.
    assert dict(app.query_params) == {"definition": "balanced"}
    assert any(f"at {quarter_label(latest)}" in caption for caption in captions(app))


def test_all_active_accounts_and_one_managers_accounts(warehouse, matrix):
    everyone = matrix()
    app = opened(scope="all")
    assert len(bubbles(app)) == len(everyone)
    assert len(everyone) > len(matrix("is_key_account"))

    manager = everyone["account_manager_id"].dropna().value_counts().index[0]
    app.multiselect(key="matrix_manager").set_value([manager])
    ran(app)
    theirs = matrix("account_manager_id = ?", (manager,))
    assert sorted(point[0] for point in bubbles(app)) == sorted(theirs["customer_id"])
    assert app.query_params["manager"] == manager
    assert app.query_params["scope"] == "all"


def test_key_accounts_follow_the_chosen_definition(warehouse, matrix):
    latest = pd.Timestamp(matrix()["quarter_end"].iloc[0]).date()
    expected = warehouse(
        "select customer_id from marts.key_account_quarterly_history "
        "where definition_name = 'the_big_ones' and quarter_end = ? and is_key_account "
        "and customer_id in (select customer_id from marts.portfolio_matrix where axes_name = ? and quarter_end = ?)",
        (latest, matrix.axes, latest),
    )["customer_id"]
    # Under the default definition the page's key accounts are the mart's own.
    assert sorted(point[0] for point in bubbles(opened())) == sorted(matrix("is_key_account")["customer_id"])

    app = opened(definition="the_big_ones")

    assert sorted(point[0] for point in bubbles(app)) == sorted(expected)
    assert sorted(expected) != sorted(matrix("is_key_account")["customer_id"])
    assert any("key accounts under The big ones" in caption for caption in captions(app))


def test_a_link_opens_an_earlier_quarter_end(warehouse, matrix):
    quarter_ends = warehouse(
        "select distinct quarter_end from marts.portfolio_matrix where axes_name = ? order by quarter_end desc",
        (matrix.axes,),
    )["quarter_end"]
    assert len(quarter_ends) > 1, "the demo's matrix holds several quarter-ends"
    earlier = pd.Timestamp(quarter_ends.iloc[1]).date()

    app = opened(quarter=earlier.isoformat())

    assert app.selectbox(key="matrix_quarter").value == earlier
    expected = matrix("is_key_account", quarter_end=earlier)
    assert sorted(point[0] for point in bubbles(app)) == sorted(expected["customer_id"])
    assert app.query_params["quarter"] == earlier.isoformat()

    unknown = opened(quarter="1999-12-31")
    assert any(f"No quarter-end “{markdown_text('1999-12-31')}”" in w.value for w in unknown.warning)
    assert unknown.selectbox(key="matrix_quarter").value == pd.Timestamp(quarter_ends.iloc[0]).date()


def test_the_quadrant_lines_sit_at_the_cut(warehouse, matrix):
    settings = warehouse("select setting_name, value from marts.run_settings")
    configured = settings.loc[settings["setting_name"] == "matrix_axis_cut", "value"]
    cut = float(configured.iloc[0]) if len(configured) else 50.0
    rows = matrix()
    # The mart's quadrants agree with the cut the page draws.
    attractive = rows["quadrant"].isin(["invest_for_growth", "invest_selectively"])
    strong = rows["quadrant"].isin(["invest_for_growth", "maintain"])
    assert (attractive == (rows["attractiveness"] >= cut)).all()
    assert (strong == (rows["strength"] >= cut)).all()

    app = opened()

    lines = [shape for shape in chart(app)["layout"]["shapes"] if shape["type"] == "line"]
    assert {(line["x0"], line["x1"]) for line in lines} >= {(cut, cut), (0, 100)}
    assert {(line["y0"], line["y1"]) for line in lines} >= {(cut, cut), (0, 100)}
    assert any(f"The lines cut each axis at {cut:g}" in caption for caption in captions(app))


def test_the_quadrants_name_their_treatment_on_the_chart_in_the_figures_and_above_each_table(matrix):
    rows = matrix("is_key_account")
    treatments = matrix().groupby("quadrant")["treatment"].first()
    revenue = rows["revenue_t12m"].astype(float)

    app = opened()

    corners = [a["text"] for a in chart(app)["layout"]["annotations"] if not a.get("showarrow")]
    metrics = {metric.label: metric for metric in app.metric}
    for quadrant, label in QUADRANTS.items():
        members = rows[rows["quadrant"] == quadrant]
        assert treatments.get(quadrant), f"the mart states a treatment for {quadrant}"
        treatment = treatments[quadrant]
        # On the chart: the name and the treatment's words, in the quadrant's corner.
        (corner,) = [text for text in corners if text.startswith(f"<b>{label}</b>")]
        assert corner.replace("<br>", " ").split("</b> ", 1)[1] == chart_text(treatment)
        # The headline figure: accounts and their share of the revenue shown.
        assert metrics[label].value == f"{len(members):,}"
        share = format_share(float(members["revenue_t12m"].astype(float).sum()) / float(revenue.sum()))
        assert metrics[label].delta == f"{share} of revenue"
        assert markdown_text(treatment) in metrics[label].proto.help
        # Above its table: the treatment in words.
        assert any(
            caption.startswith(f"**{label}**") and f"Treatment: {markdown_text(treatment)}" in caption
            for caption in captions(app)
        ), label
        if members.empty:
            assert not [e for e in app.dataframe if e.proto.id.endswith(f"-matrix_table_{quadrant}")]
            continue
        listed = table(app, f"matrix_table_{quadrant}")
        assert listed["customer_id"].tolist() == members["customer_id"].tolist()  # largest revenue first
        assert listed["revenue_share"].tolist() == pytest.approx(
            (members["revenue_t12m"].astype(float) / float(revenue.sum())).tolist()
        )


def test_the_hover_names_the_account_its_revenue_margin_stage_and_quadrant(matrix):
    row = matrix("is_key_account").iloc[0]

    app = opened()

    (point,) = [point for point in bubbles(app) if point[0] == row["customer_id"]]
    assert point[1] == chart_text(row["customer_name"])
    assert point[2].startswith("€")
    assert point[3] == format_share(row["net_margin_pct_t12m"], 1)
    assert point[4].startswith(str(row["relationship_stage"]).capitalize())
    assert point[5] == QUADRANTS[row["quadrant"]]
    template = chart(app)["data"][0]["hovertemplate"]
    for words in ("Revenue, 12 months", "Net margin", "Relationship", "Quadrant"):
        assert words in template


def arrows(app: AppTest) -> list[dict]:
    return [a for a in chart(app)["layout"]["annotations"] if a.get("showarrow")]


def test_arrows_show_where_the_key_accounts_that_changed_quadrant_came_from(warehouse, matrix):
    # The quarter-end where most key accounts changed quadrant.
    (quarter_end,) = warehouse(
        "select quarter_end from marts.portfolio_matrix where axes_name = ? "
        "group by quarter_end order by count(*) filter (where is_key_account and previous_quadrant <> quadrant) desc, "
        "quarter_end desc limit 1",
        (matrix.axes,),
    )["quarter_end"]
    quarter_end = pd.Timestamp(quarter_end).date()
    moved = "previous_quadrant is not null and previous_quadrant <> quadrant"
    key_movers = matrix(f"is_key_account and {moved}", quarter_end=quarter_end)
    assert len(key_movers), "some key account of the demo changes quadrant"

    app = opened(quarter=quarter_end.isoformat())

    drawn = arrows(app)
    assert len(drawn) == min(len(key_movers), 40)
    for arrow, mover in zip(drawn, key_movers.itertuples()):  # largest revenue first
        assert (arrow["x"], arrow["y"]) == pytest.approx((mover.strength, mover.attractiveness))
        assert (arrow["ax"], arrow["ay"]) == pytest.approx((mover.previous_strength, mover.previous_attractiveness))
    assert any(
        f"Arrows: the {len(key_movers):,} key account" in caption and "that changed quadrant since" in caption
        for caption in captions(app)
    )
    assert table_with(app, "previous_label", "quadrant_label", "accounts")["accounts"].sum() == len(key_movers)

    # All active accounts: the key accounts' moves first, then the largest others', 40 arrows at most.
    everyone = matrix(moved, quarter_end=quarter_end)
    assert len(everyone) > 40, "more accounts move than the chart draws arrows for"
    app = opened(quarter=quarter_end.isoformat(), scope="all")
    expected = pd.concat([everyone[everyone["is_key_account"]], everyone[~everyone["is_key_account"]]]).head(40)
    drawn = arrows(app)
    assert [a["x"] for a in drawn] == pytest.approx(expected["strength"].tolist())
    assert [a["y"] for a in drawn] == pytest.approx(expected["attractiveness"].tolist())
    assert any(
        f"the other {len(everyone) - 40:,} that moved are not drawn" in caption for caption in captions(app)
    )
    assert table_with(app, "previous_label", "quadrant_label", "accounts")["accounts"].sum() == len(everyone)


def test_the_effort_table_is_the_marts(warehouse, matrix):
    expected = warehouse(
        "select * from marts.portfolio_matrix_effort where axes_name = ? "
        "order by capacity_used_share desc nulls last, manager_name, account_manager_id",
        (matrix.axes,),
    )
    assert len(expected), "the demo has account managers"

    app = opened()

    effort = table_with(app, "suggestion")
    assert effort["suggestion"].tolist() == expected["suggestion"].tolist()
    assert effort["manager_name"].tolist() == expected["manager_name"].fillna(expected["account_manager_id"]).tolist()
    for column in ("accounts_invest_for_growth", "accounts_invest_selectively", "accounts_maintain",
                   "accounts_streamline", "capacity_accounts"):
        assert effort[column].tolist() == expected[column].tolist(), column
    assert effort["effort_units"].tolist() == pytest.approx(expected["effort_units"].tolist())
    # The bars stack each quadrant's effort to the manager's total.
    bars = [trace for trace in chart(app, "matrix_effort_chart")["data"] if trace["type"] == "bar"]
    totals = [sum(values) for values in zip(*(trace["x"] for trace in bars))]
    assert totals == pytest.approx(expected["effort_units"].tolist()[::-1])
    # The filters above do not narrow it, and it says so.
    manager = expected["account_manager_id"].iloc[0]
    app.multiselect(key="matrix_manager").set_value([manager])
    ran(app)
    assert len(table_with(app, "suggestion")) == len(expected)
    assert any("whatever the choice above" in caption for caption in captions(app))


def test_the_effort_caption_sets_all_managers_together_against_their_capacity(warehouse, matrix):
    asked, carried = warehouse(
        "select sum(effort_units), sum(capacity_accounts) from marts.portfolio_matrix_effort where axes_name = ?",
        (matrix.axes,),
    ).iloc[0]

    app = opened()

    (caption,) = [c for c in captions(app) if "together" in c]
    assert f"their accounts ask {asked:,.1f} key-account equivalents, and they can carry {carried:,.0f}" in caption
    if asked > carried:
        assert f"{asked - carried:,.1f} short" in caption


def test_the_plans_forecast_shows_where_each_plan_takes_its_account(warehouse, matrix):
    expected = warehouse(
        "select * from marts.portfolio_matrix_forecast where axes_name = ? "
        "order by changes_quadrant desc, planned_revenue desc, customer_id",
        (matrix.axes,),
    )
    movers = expected[expected["changes_quadrant"]]
    assert len(expected) and len(movers), "the demo has plans, some of which move their account"

    app = opened(scope="all")

    shown = table_with(app, "forecast_label")
    assert shown["customer_name"].tolist() == expected["customer_name"].tolist()
    assert shown["now_label"].tolist() == [QUADRANTS[q] for q in expected["quadrant"]]
    assert shown["forecast_label"].tolist() == [QUADRANTS[q] for q in expected["forecast_quadrant"]]
    assert (shown["wallet_note"] == "Plan above its budget").tolist() == expected["plan_exceeds_wallet"].fillna(False).tolist()
    spec = chart(app, "matrix_forecast_chart")
    (today,) = [t for t in spec["data"] if t["name"].startswith("Now")]
    (planned,) = [t for t in spec["data"] if t["name"] == "At the plan's end, if met"]
    assert planned["x"] == pytest.approx(expected["forecast_strength"].tolist())
    assert planned["y"] == pytest.approx(expected["forecast_attractiveness"].tolist())
    assert today["x"] == pytest.approx(expected["strength"].tolist())
    (paths,) = [t for t in spec["data"] if t["name"] == "A plan that keeps its quadrant"]
    staying = expected[~expected["changes_quadrant"]]
    assert paths["x"][0::3] == pytest.approx(staying["strength"].tolist())
    assert paths["x"][1::3] == pytest.approx(staying["forecast_strength"].tolist())
    arrows = [a for a in spec["layout"]["annotations"] if a.get("showarrow")]
    assert [a["ax"] for a in arrows] == pytest.approx(movers["strength"].tolist())
    assert [a["x"] for a in arrows] == pytest.approx(movers["forecast_strength"].tolist())
    assert any(
        f"Of the active accounts shown, {len(expected)} accounts have a plan" in c
        and f"{len(movers)} account{'s move' if len(movers) > 1 else ' moves'} to another quadrant" in c
        for c in captions(app)
    )

    # One manager's plans only, as the filter above says.
    manager = expected["account_manager_id"].dropna().iloc[0]
    app.multiselect(key="matrix_manager").set_value([manager])
    ran(app)
    assert table_with(app, "forecast_label")["customer_name"].tolist() == (
        expected.loc[expected["account_manager_id"] == manager, "customer_name"].tolist()
    )


def test_the_page_is_in_the_navigation_under_portfolio(warehouse):
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    app.switch_page("views/matrix.py").run()

    assert not app.exception, [e.message for e in app.exception]
    assert app.title[0].value == "Portfolio matrix"
    assert "Portfolio matrix" in APP.read_text()


def test_an_account_the_matrix_cannot_place_is_left_out_and_counted(demo_warehouse, tmp_path, monkeypatch):
    # A copy of the demo warehouse where no attractiveness criterion is known for the largest key account.
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        (customer, quarter_end, key_accounts) = conn.execute(
            """
            select arg_max(customer_id, revenue_t12m), max(quarter_end), count(*)
            from marts.portfolio_matrix
            where is_key_account and quarter_end = (select max(quarter_end) from marts.portfolio_matrix)
            """
        ).fetchone()
        conn.execute(
            "update marts.portfolio_matrix set attractiveness = null, quadrant = null, treatment = null "
            "where customer_id = ? and quarter_end = ?",
            [customer, quarter_end],
        )
    monkeypatch.setenv("KAM_WAREHOUSE", str(warehouse))

    app = opened()

    shown = [point[0] for point in bubbles(app)]
    assert len(shown) == key_accounts - 1 and customer not in shown
    assert "1 account of this choice cannot be placed" in " ".join(captions(app))
    assert sum(int(metric.value) for metric in app.metric) == key_accounts - 1

