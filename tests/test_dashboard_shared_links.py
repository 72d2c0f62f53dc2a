"""Shared links (Streamlit AppTest, no browser): every filter, switch and choice of a page, and the
account it explains, travel in the page's URL in words a reader can read (`?region=DACH&key_only=1`),
are restored from a link opened in a new session, are not written while at their default (the
default view has a clean URL), and a value the warehouse does not hold is named in a warning and
left out, never silently swapped. What the page then shows is checked against the warehouse."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.text import markdown_text

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
APP = VIEWS.parent / "app.py"


def page(name: str) -> AppTest:
    return AppTest.from_file(str(VIEWS / f"{name}.py"), default_timeout=60)


def opened(name: str, **params: str | list[str]) -> AppTest:
    """The page as a link with these parameters opens it, in a new session."""
    app = page(name)
    for key, value in params.items():
        app.query_params[key] = value
    return ran(app)


def ran(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def url(app: AppTest) -> dict[str, list[str]]:
    """The page's URL parameters after the run, each as a list of values."""
    return {key: value if isinstance(value, list) else [value] for key, value in app.query_params.items()}


def table(app: AppTest, key: str):
    (frame,) = [element.value for element in app.dataframe if element.proto.id.endswith(f"-{key}")]
    return frame


def with_column(app: AppTest, column: str):
    return [element.value for element in app.dataframe if column in element.value.columns]


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def warnings(app: AppTest) -> list[str]:
    return [warning.value for warning in app.warning]


def two_smallest_regions(sql) -> list[str]:
    return sql(
        "select region from marts.customer_metrics where is_active and region is not null "
        "group by region order by count(*), region limit 2"
    )["region"].tolist()


# --- Scorecard -----------------------------------------------------------------------------------


def test_a_scorecard_link_reopens_its_regions_and_key_accounts_only(warehouse):
    regions = two_smallest_regions(warehouse)
    expected = warehouse(
        "select s.customer_id from marts.key_account_scorecard s join marts.customer_metrics m "
        "using (customer_id) where s.definition_name = 'balanced' and s.is_key_account "
        "and m.region in (?, ?) order by s.score_rank",
        regions,
    )["customer_id"].tolist()
    assert expected, "the demo's two smallest regions should hold key accounts"

    # Written by hand as a reader would: commas between the regions.
    app = opened("scorecard", region=",".join(regions), key_only="1")

    assert app.multiselect(key="scorecard_region").value == regions
    assert app.toggle(key="scorecard_key_only").value is True
    listed = table(app, "scorecard_table")
    assert listed["customer_id"].tolist() == expected
    assert set(listed["region"]) <= set(regions)
    assert metrics(app)["Matching accounts"] == f"{len(expected):,}"
    assert metrics(app)["Key accounts among them"] == f"{len(expected):,}"
    assert not warnings(app)
    # The page writes the link back in its own form: one parameter per region.
    assert url(app) == {"definition": ["balanced"], "region": regions, "key_only": ["1"]}


def test_a_scorecard_link_reopens_its_tiers_flag_manager_and_search(warehouse):
    expected = warehouse(
        "select count(*) as n from marts.customer_metrics where is_active and revenue_tier = 'A' "
        "and contribution_tier = 'C' and is_big_but_unprofitable"
    )["n"].iloc[0]
    assert expected > 0, "the demo should hold big customers that earn little"

    app = opened("scorecard", revenue_tier="A", profit_tier="C", flag="big_but_unprofitable")

    assert app.multiselect(key="scorecard_revenue_tier").value == ["A"]
    assert app.multiselect(key="scorecard_contribution_tier").value == ["C"]
    assert app.multiselect(key="scorecard_flag").value == ["is_big_but_unprofitable"]
    assert len(table(app, "scorecard_table")) == expected
    assert metrics(app)["Matching accounts"] == f"{expected:,}"

    unassigned = warehouse(
        "select count(*) as n from marts.customer_metrics where is_active and account_manager_id is null"
    )["n"].iloc[0]
    app = opened("scorecard", manager="none")
    assert len(table(app, "scorecard_table")) == min(unassigned, 1000)
    assert set(table(app, "scorecard_table")["manager"]) == {"No manager"}

    manager_id, manager_name = warehouse(
        "select m.account_manager_id, m.manager_name from marts.account_managers m "
        "where m.assigned_customers > 0 order by m.account_manager_id limit 1"
    ).iloc[0]
    managed = warehouse(
        "select count(*) as n from marts.customer_metrics where is_active and account_manager_id = ?",
        (manager_id,),
    )["n"].iloc[0]
    # By id, or by the name the picker shows.
    for link in (manager_id, manager_name):
        app = opened("scorecard", manager=link)
        assert app.multiselect(key="scorecard_manager").value == [manager_id]
        assert len(table(app, "scorecard_table")) == managed
        assert url(app)["manager"] == [manager_id]

    name = warehouse("select customer_name from marts.customer_metrics where is_active order by customer_id limit 1")
    fragment = name["customer_name"].iloc[0].split()[0]
    matching = warehouse(
        "select count(*) as n from marts.customer_metrics where is_active "
        "and contains(lower(customer_name), lower(?))",
        (fragment,),
    )["n"].iloc[0]
    app = opened("scorecard", search=fragment)
    assert app.text_input(key="scorecard_search").value == fragment
    assert len(table(app, "scorecard_table")) == matching >= 1


def test_the_default_view_has_a_clean_url_and_each_change_is_written_to_it(warehouse):
    app = opened("scorecard")
    assert url(app) == {"definition": ["balanced"]}

    regions = two_smallest_regions(warehouse)
    app.multiselect(key="scorecard_region").set_value(regions)
    app.multiselect(key="scorecard_contribution_tier").set_value(["A", "B"])
    app.multiselect(key="scorecard_flag").set_value(["is_tomorrows_oak"])
    app.toggle(key="scorecard_key_only").set_value(True)
    ran(app)
    assert url(app) == {
        "definition": ["balanced"],
        "region": regions,
        "profit_tier": ["A", "B"],
        "flag": ["tomorrows_oak"],
        "key_only": ["1"],
    }

    # Back to the defaults: their parameters leave the URL.
    app.multiselect(key="scorecard_region").set_value([])
    app.multiselect(key="scorecard_contribution_tier").set_value([])
    app.multiselect(key="scorecard_flag").set_value([])
    app.toggle(key="scorecard_key_only").set_value(False)
    ran(app)
    assert url(app) == {"definition": ["balanced"]}


def test_a_link_opened_in_a_new_session_reopens_the_same_view(warehouse):
    regions = two_smallest_regions(warehouse)
    customer = warehouse(
        "select s.customer_id from marts.key_account_scorecard s join marts.customer_metrics m "
        "using (customer_id) where s.definition_name = 'the_big_ones' and m.region = ? "
        "order by s.score_rank limit 1 offset 2",
        (regions[0],),
    )["customer_id"].iloc[0]
    app = opened("scorecard")
    app.selectbox(key="definition").set_value("the_big_ones")
    app.multiselect(key="scorecard_region").set_value(regions[:1])
    ran(app)
    app.selectbox(key="scorecard_account").set_value(customer)
    ran(app)
    shared = dict(app.query_params)
    assert url(app) == {"definition": ["the_big_ones"], "region": regions[:1], "account": [customer]}

    again = opened("scorecard", **shared)

    assert again.selectbox(key="definition").value == "the_big_ones"
    assert again.multiselect(key="scorecard_region").value == regions[:1]
    assert again.selectbox(key="scorecard_account").value == customer
    assert table(again, "scorecard_table")["customer_id"].tolist() == table(app, "scorecard_table")["customer_id"].tolist()
    assert dict(again.query_params) == shared


def test_the_explained_account_travels_in_the_url(warehouse):
    fifth, first = (
        warehouse(
            "select customer_id from marts.key_account_scorecard where definition_name = 'balanced' "
            "and score_rank in (1, 5) order by score_rank desc"
        )["customer_id"].tolist()
    )
    app = opened("scorecard", account=fifth)

    assert app.selectbox(key="scorecard_account").value == fifth
    assert any("Ranked #5 " in markdown.value for markdown in app.markdown)
    # The best-ranked account is the default: explaining it needs no parameter.
    app.selectbox(key="scorecard_account").set_value(first)
    ran(app)
    assert "account" not in url(app)


def test_values_a_link_holds_that_the_warehouse_does_not_are_named_and_left_out(warehouse):
    (region,) = two_smallest_regions(warehouse)[:1]
    # The best-ranked account the link's own filters leave: the one explained instead.
    rank, first = warehouse(
        "select s.score_rank, s.customer_name from marts.key_account_scorecard s join marts.customer_metrics m "
        "using (customer_id) where s.definition_name = 'balanced' and m.region = ? and m.is_tomorrows_oak "
        "order by s.score_rank limit 1",
        (region,),
    ).iloc[0]

    app = opened(
        "scorecard",
        region=f"{region},Atlantis",
        flag=["tomorrows_oak", "free_lunch"],
        key_only="maybe",
        account="C-NO-SUCH",
    )

    assert app.multiselect(key="scorecard_region").value == [region]
    assert app.multiselect(key="scorecard_flag").value == ["is_tomorrows_oak"]
    assert app.toggle(key="scorecard_key_only").value is False
    shown = warnings(app)
    assert f"No region “{markdown_text('Atlantis')}” in the warehouse: left out." in shown
    assert f"No flag “{markdown_text('free_lunch')}” in the warehouse: left out." in shown
    assert any("key\\_only" in warning and "“maybe”" in warning and "not 1 (on) or 0 (off)" in warning for warning in shown)
    assert (
        f"No account “{markdown_text('C-NO-SUCH')}” in the list above: showing "
        f"{markdown_text(f'#{int(rank)} · {first}')} instead."
    ) in shown
    # What was left out leaves the URL too.
    assert url(app) == {"definition": ["balanced"], "region": [region], "flag": ["tomorrows_oak"]}


# --- Mistakes & oak trees ------------------------------------------------------------------------


def test_mistakes_link_carries_its_switch_and_filters(warehouse):
    region = warehouse(
        "select region from marts.customer_metrics where is_tomorrows_oak group by 1 "
        "order by count(*) desc, 1 limit 1"
    )["region"].iloc[0]
    flagged = warehouse(
        "select count(*) filter (where is_big_but_unprofitable) as unprofitable, "
        "count(*) filter (where is_tomorrows_oak) as oaks from marts.customer_metrics where region = ?",
        (region,),
    ).iloc[0]

    # Balanced avoids every mistake on the demo: the page opens on every flagged customer.
    app = opened("mistakes")
    assert app.toggle(key="mistakes_all_customers").value is True
    assert url(app) == {"definition": ["balanced"]}
    app.toggle(key="mistakes_all_customers").set_value(False)
    ran(app)
    assert url(app) == {"definition": ["balanced"], "all_customers": ["0"]}

    again = opened("mistakes", all_customers="0", region=region)
    assert again.toggle(key="mistakes_all_customers").value is False
    assert again.multiselect(key="mistakes_region").value == [region]
    assert metrics(again)["Big but unprofitable"] == "0"  # no key account of balanced carries it
    assert metrics(again)["Tomorrow's oaks"] == f"{flagged['oaks']:,}"

    everyone = opened("mistakes", all_customers="1", region=region)
    assert metrics(everyone)["Big but unprofitable"] == f"{flagged['unprofitable']:,}"
    assert "all_customers" not in url(everyone)  # on is this definition's default


# --- Resources & cadence -------------------------------------------------------------------------


def test_resources_link_carries_the_scope_and_the_manager(warehouse):
    manager = warehouse(
        "select account_manager_id, count(*) as n from marts.account_plan_performance "
        "where account_manager_id is not null group by 1 order by n desc, 1 limit 1"
    ).iloc[0]

    app = opened("resources", scope="all", manager=manager["account_manager_id"])

    assert app.radio(key="plan_scope").value == "all"
    assert app.selectbox(key="resources_manager").value == manager["account_manager_id"]
    (periods,) = with_column(app, "below_plan")
    assert periods["accounts"].sum() == manager["n"]
    assert url(app) == {"definition": ["balanced"], "scope": ["all"], "manager": [manager["account_manager_id"]]}

    app.selectbox(key="resources_manager").set_value("All account managers")
    app.radio(key="plan_scope").set_value("key")
    ran(app)
    assert url(app) == {"definition": ["balanced"]}

    unknown = opened("resources", manager="AM-NO-SUCH", scope="everything")
    assert unknown.selectbox(key="resources_manager").value == "All account managers"
    assert unknown.radio(key="plan_scope").value == "key"
    assert (
        f"No account manager “{markdown_text('AM-NO-SUCH')}” in the managers file: showing All account "
        "managers instead."
    ) in warnings(unknown)
    assert any(warning.startswith("No choice of accounts “everything” on this page") for warning in warnings(unknown))


# --- Definitions lab -----------------------------------------------------------------------------


def test_lab_link_carries_the_definitions_compared(warehouse):
    app = opened("definitions_lab", compare=["future_profit", "balanced"])

    assert app.multiselect(key="lab_definitions").value == ["future_profit", "balanced"]
    (summary,) = with_column(app, "revenue_share")
    assert summary["definition"].tolist() == ["Future profit", "Balanced"]

    app.multiselect(key="lab_definitions").set_value(["balanced", "the_big_ones", "Custom"])
    ran(app)
    assert url(app) == {"compare": ["balanced", "the_big_ones", "custom"]}
    app.multiselect(key="lab_definitions").set_value(["balanced", "the_big_ones"])
    ran(app)
    assert url(app) == {}  # the lab's default comparison

    unknown = opened("definitions_lab", compare="balanced,staff_focus,the_tiny_ones")
    assert unknown.multiselect(key="lab_definitions").value == ["balanced", "staff_focus"]
    assert f"No key-account definition “{markdown_text('the_tiny_ones')}” in the warehouse: left out." in warnings(unknown)


# --- Across pages --------------------------------------------------------------------------------


def test_filters_survive_a_page_switch_and_come_back_into_the_url(warehouse):
    regions = two_smallest_regions(warehouse)
    app = AppTest.from_file(str(APP), default_timeout=60)
    ran(app)
    app.switch_page("views/scorecard.py")
    ran(app)
    app.multiselect(key="scorecard_region").set_value(regions[:1])
    ran(app)
    assert url(app)["region"] == regions[:1]

    app.switch_page("views/portfolio.py")
    ran(app)
    # A browser drops the page's parameters when the reader follows the navigation.
    app.query_params.clear()
    app.switch_page("views/scorecard.py")
    ran(app)

    assert app.multiselect(key="scorecard_region").value == regions[:1]
    assert url(app)["region"] == regions[:1]
