"""Definitions lab, Account, and Resources & cadence pages (Streamlit AppTest, no browser).

Every check compares what the page shows with the published warehouse, queried here directly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import scoring
from dashboard.text import markdown_text
from dashboard.ui import definition_label, format_money, format_share

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "views"
ATTRIBUTES = (
    "revenue_size",
    "profitability",
    "margin_quality",
    "loyalty",
    "growth",
    "wallet_headroom",
    "strategic_fit",
    "relationship_access",
)


def page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)


def frame_with(app: AppTest, column: str) -> list[pd.DataFrame]:
    return [element.value for element in app.dataframe if column in element.value.columns]


def column_labels(app: AppTest, column: str) -> dict[str, str]:
    """The headers the reader sees on the table holding `column`, by column."""
    (element,) = [element for element in app.dataframe if column in element.value.columns]
    config = json.loads(element.proto.columns or "{}")
    return {name: entry["label"] for name, entry in config.items() if "label" in entry}


def computed_list(sql, definition: str) -> list[str]:
    return sql(
        "select customer_name from marts.key_account_scorecard "
        "where definition_name = ? and is_key_account_computed order by score_rank",
        (definition,),
    )["customer_name"].tolist()


# --- Definitions lab -----------------------------------------------------------------------------


def test_lab_compares_two_presets_with_the_warehouse_figures(warehouse):
    app = page("definitions_lab").run()

    assert not app.exception
    chooser = app.multiselect(key="lab_definitions")
    assert chooser.value == ["balanced", "the_big_ones"]
    assert app.title[0].value == "Definitions lab"

    summary = frame_with(app, "revenue_share")[0]
    assert summary["definition"].tolist() == ["Balanced", "The big ones"]
    for label, name in (("Balanced", "balanced"), ("The big ones", "the_big_ones")):
        expected = warehouse(
            """
            select count(*) as accounts,
                   cast(sum(m.revenue_t12m) as double) as revenue,
                   cast(sum(m.net_contribution_t12m) as double) as contribution
            from marts.key_account_scorecard s join marts.customer_metrics m using (customer_id)
            where s.definition_name = ? and s.is_key_account_computed
            """,
            (name,),
        ).iloc[0]
        row = summary[summary["definition"] == label].iloc[0]
        assert row["accounts"] == expected["accounts"]
        assert row["revenue"] == pytest.approx(expected["revenue"], abs=0.01)
        assert row["contribution"] == pytest.approx(expected["contribution"], abs=0.01)

    # The lists side by side are the published lists, best first.
    lists = frame_with(app, "score_rank")
    assert lists[0]["customer_name"].tolist() == computed_list(warehouse, "balanced")
    assert lists[1]["customer_name"].tolist() == computed_list(warehouse, "the_big_ones")

    # Who enters / leaves: set differences of the two lists.
    balanced, big = (
        set(computed_list(warehouse, "balanced")),
        set(computed_list(warehouse, "the_big_ones")),
    )
    enter, leave = frame_with(app, "rank_reference")
    assert set(enter["customer_name"]) == big - balanced
    assert set(leave["customer_name"]) == balanced - big
    big_row = summary[summary["definition"] == "The big ones"].iloc[0]
    assert (big_row["in_common"], big_row["enter"], big_row["leave"]) == (
        len(big & balanced),
        len(big - balanced),
        len(balanced - big),
    )
    assert app.get("download_button")


def test_lab_changing_a_definition_changes_the_lists(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(
        ["balanced", "future_profit", "staff_focus"]
    ).run()

    assert not app.exception
    summary = frame_with(app, "revenue_share")[0]
    assert summary["definition"].tolist() == ["Balanced", "Future profit", "Staff focus"]
    lists = frame_with(app, "score_rank")
    assert lists[1]["customer_name"].tolist() == computed_list(warehouse, "future_profit")
    assert len(lists[2]) == len(computed_list(warehouse, "staff_focus"))
    assert lists[1]["customer_name"].tolist() != computed_list(warehouse, "the_big_ones")
    assert len(app.tabs) == 2


def gates_shown(app: AppTest) -> tuple:
    return (
        app.number_input(key="custom_gate_tenure").value,
        app.multiselect(key="custom_gate_tiers").value,
        app.checkbox(key="custom_gate_profit").value,
        app.checkbox(key="custom_gate_no_mistakes").value,
    )


def switch_gates_off(app: AppTest) -> None:
    app.number_input(key="custom_gate_tenure").set_value(0)
    app.multiselect(key="custom_gate_tiers").set_value([])
    app.checkbox(key="custom_gate_profit").uncheck()
    app.checkbox(key="custom_gate_no_mistakes").uncheck()
    app.run()


def configured_gates(sql, definition: str) -> tuple:
    row = sql(
        "select gate_min_tenure_months, gate_revenue_tiers, gate_positive_contribution, "
        "gate_no_mistake_flags from config.scorecard_definitions where definition_name = ?",
        (definition,),
    ).iloc[0]
    tenure, tiers, positive, no_mistakes = row.tolist()
    return (
        0 if pd.isna(tenure) else int(tenure),
        [] if pd.isna(tiers) else list(tiers.upper()),
        False if pd.isna(positive) else bool(positive),
        False if pd.isna(no_mistakes) else bool(no_mistakes),
    )


def test_lab_custom_weights_use_the_warehouse_formula(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(["balanced", "Custom"]).run()

    assert not app.exception
    # The custom definition starts from balanced: its weights and its gates.
    assert app.selectbox(key="custom_start").value == "balanced"
    for name in ATTRIBUTES:
        assert app.slider(key=f"custom_weight_{name}").value == 1.0
    assert gates_shown(app) == configured_gates(warehouse, "balanced")
    assert any("starting from Balanced" in markdown.value for markdown in app.markdown)
    # Equal weights, best 4 %, balanced's gates: the balanced definition again.
    custom = frame_with(app, "revenue_share")[0].iloc[1]
    assert custom["definition"] == "Custom weights"
    assert (custom["enter"], custom["leave"]) == (0, 0)

    # Revenue size alone, without gates: exactly the warehouse's "the big ones" list.
    for name in ATTRIBUTES[1:]:
        app.slider(key=f"custom_weight_{name}").set_value(0.0)
    switch_gates_off(app)
    assert not app.exception
    assert frame_with(app, "score_rank")[1]["customer_name"].tolist() == computed_list(
        warehouse, "the_big_ones"
    )

    # Another rule: the best 10.
    app.radio(key="custom_rule").set_value("top_n").run()
    app.number_input(key="custom_top_n").set_value(10).run()
    assert not app.exception
    assert (
        frame_with(app, "score_rank")[1]["customer_name"].tolist()
        == computed_list(warehouse, "the_big_ones")[:10]
    )

    # All weights at zero: a clear notice, no scores.
    app.slider(key="custom_weight_revenue_size").set_value(0.0).run()
    assert not app.exception
    assert any("at least one attribute" in warning.value for warning in app.warning)
    assert not frame_with(app, "score_rank")


def test_lab_custom_gates_switch_and_say_which_gate_kept_a_customer_out(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(["balanced", "Custom"]).run()
    switch_gates_off(app)

    assert not app.exception
    # Balanced's weights and rule without its gates: a different list of the same length.
    custom = frame_with(app, "revenue_share")[0].iloc[1]
    assert custom["accounts"] == len(computed_list(warehouse, "balanced"))
    assert custom["enter"] == custom["leave"] > 0
    # Every account that enters was kept out of balanced by a gate, and the page says which.
    enter, leave = frame_with(app, "rank_reference")
    published = warehouse(
        "select customer_name, excluded_by_gate from marts.key_account_scorecard "
        "where definition_name = 'balanced'"
    )
    reason = dict(zip(published["customer_name"], published["excluded_by_gate"]))
    assert len(enter) == custom["enter"]
    assert enter["gate_reference"].tolist() == [
        scoring.gate_label(reason[name]) for name in enter["customer_name"]
    ]
    assert all(enter["gate_reference"])
    # The accounts that leave pass every gate here: no gate is on.
    assert not any(leave["gate_here"])


def test_lab_custom_starts_from_the_chosen_definition(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(["mustnt_lose", "Custom"]).run()
    app.selectbox(key="custom_start").set_value("mustnt_lose").run()

    assert not app.exception
    weights = warehouse(
        "select * from config.scorecard_definitions where definition_name = 'mustnt_lose'"
    ).iloc[0]
    for name in ATTRIBUTES:
        expected = 0.0 if pd.isna(weights[f"{name}_weight"]) else float(weights[f"{name}_weight"])
        assert app.slider(key=f"custom_weight_{name}").value == expected
    assert gates_shown(app) == configured_gates(warehouse, "mustnt_lose")
    custom = frame_with(app, "revenue_share")[0].iloc[1]
    assert (custom["enter"], custom["leave"]) == (0, 0)
    assert frame_with(app, "score_rank")[1]["customer_name"].tolist() == computed_list(
        warehouse, "mustnt_lose"
    )


def test_lab_needs_two_definitions(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(["balanced"]).run()

    assert not app.exception
    assert "at least two definitions" in app.info[0].value
    # No comparison, but the backtest of every definition still shows.
    assert not frame_with(app, "revenue_share") and not frame_with(app, "score_rank")
    assert len(frame_with(app, "retained_share")) == 1


# --- Definitions lab: the backtest ---------------------------------------------------------------

def versus(row: pd.Series, column: str, fmt) -> str:
    """A backtest cell as the page writes it: the definition's figure vs revenue ranking's."""
    return f"{fmt(row[column])} vs {fmt(row[f'revenue_ranking_{column}'])}"


def signed(value: float) -> str:
    return format_share(value, 1, signed=True)


def test_lab_backtest_shows_each_definition_beside_revenue_ranking(warehouse):
    mart = warehouse(
        """
        select * exclude (contribution_after, revenue_ranking_contribution_after),
               cast(contribution_after as double) as contribution_after,
               cast(revenue_ranking_contribution_after as double)
                   as revenue_ranking_contribution_after
        from marts.definition_backtest
        """
    ).set_index("definition_name")
    shipped = warehouse("select definition_name from config.scorecard_definitions")
    assert not mart.empty, "the demo history (several years) should allow a backtest"
    app = page("definitions_lab").run()

    assert not app.exception
    assert "Would it have chosen well? (backtest)" in [header.value for header in app.subheader]
    (table,) = frame_with(app, "retained_share")
    # One row per shipped definition, named as everywhere in the lab, balanced first.
    assert sorted(table["definition_name"]) == sorted(shipped["definition_name"])
    assert table["definition_name"].iloc[0] == "balanced"
    assert table["definition"].tolist() == [
        definition_label(name) for name in table["definition_name"]
    ]
    # Each figure is the mart's, beside revenue ranking's: shares and growth in percent,
    # contribution in money, formatted as the headline figures are.
    for row in table.to_dict("records"):
        expected = mart.loc[row["definition_name"]]
        assert row["accounts_picked"] == expected["accounts_picked"]
        assert row["retained_share"] == versus(expected, "retained_share", format_share)
        assert row["revenue_growth"] == versus(expected, "revenue_growth", signed)
        assert row["contribution_after"] == versus(expected, "contribution_after", format_money)
        assert row["profit_share"] == versus(expected, "profit_share", format_share)
    balanced = mart.loc["balanced"]
    first = table.iloc[0]
    assert first["retained_share"] == (
        f"{format_share(balanced['retained_share'])} vs "
        f"{format_share(balanced['revenue_ranking_retained_share'])}"
    )
    assert first["profit_share"] == (
        f"{format_share(balanced['profit_share'])} vs "
        f"{format_share(balanced['revenue_ranking_profit_share'])}"
    )

    # Balanced (the reference) in words, beside revenue ranking.
    summary = next(m.value for m in app.markdown if m.value.startswith("**Balanced** would have"))
    assert f"picked {int(balanced['accounts_picked']):,} accounts" in summary
    assert f"Today {format_share(balanced['retained_share'])} of them still buy" in summary
    assert f"{format_share(balanced['profit_share'])} of today's profit" in summary
    assert (
        f"{format_share(balanced['revenue_ranking_profit_share'])} of today's profit." in summary
    )
    # The caption gives the backtest date and the reporting date.
    backtest_date = pd.Timestamp(balanced["backtest_date"])
    reporting_date = pd.Timestamp(balanced["reporting_date"])
    assert backtest_date < reporting_date
    caption = next(c.value for c in app.caption if "(the backtest date)" in c.value)
    assert f"{backtest_date:%d %B %Y} (the backtest date)" in caption
    assert f"{reporting_date:%d %B %Y} (the reporting date)" in caption
    # backtest_months is 12: "a year".
    assert column_labels(app, "retained_share")["accounts_picked"] == "Accounts picked a year ago"
    assert "on a year before" in summary


def test_lab_backtest_states_the_distance_the_warehouse_used(demo_warehouse, tmp_path, monkeypatch):
    # As a run with backtest_months 18 leaves marts.run_settings: the wording follows it.
    other = tmp_path / "backtest-18-months.duckdb"
    shutil.copy(demo_warehouse, other)
    with duckdb.connect(str(other)) as conn:
        conn.execute("update marts.run_settings set value = 18 where setting_name = 'backtest_months'")
    monkeypatch.setenv("KAM_WAREHOUSE", str(other))

    app = page("definitions_lab").run()

    assert not app.exception
    assert column_labels(app, "retained_share")["accounts_picked"] == "Accounts picked 18 months ago"
    summary = next(m.value for m in app.markdown if "would have picked" in m.value)
    assert "on 18 months before" in summary
    assert not any("a year ago" in m.value or "a year before" in m.value for m in app.markdown)


def test_lab_backtest_follows_the_reference_definition(warehouse):
    app = page("definitions_lab").run()
    app.multiselect(key="lab_definitions").set_value(["future_profit", "balanced"]).run()

    assert not app.exception
    future = warehouse(
        "select * from marts.definition_backtest where definition_name = 'future_profit'"
    ).iloc[0]
    summary = next(m.value for m in app.markdown if "would have picked" in m.value)
    assert summary.startswith("**Future profit** would have picked")
    assert f"Today {format_share(future['retained_share'])} of them still buy" in summary
    assert len(frame_with(app, "retained_share")[0]) == len(scoring.presets())


def test_lab_backtest_says_when_the_history_is_too_short(demo_warehouse, tmp_path, monkeypatch):
    # As a one-year export leaves it: the mart is empty.
    short = tmp_path / "short-history.duckdb"
    shutil.copy(demo_warehouse, short)
    with duckdb.connect(str(short)) as conn:
        conn.execute("delete from marts.definition_backtest")
    monkeypatch.setenv("KAM_WAREHOUSE", str(short))

    app = page("definitions_lab").run()

    assert not app.exception
    assert "Would it have chosen well? (backtest)" in [header.value for header in app.subheader]
    notice = next(info.value for info in app.info if "backtest" in info.value)
    assert "history is too short for a backtest" in notice
    assert "the customers stood a year before the reporting date" in notice
    assert "a full year of orders before that date: 2 years of history in all" in notice
    assert not frame_with(app, "retained_share")
    assert not any("would have picked" in m.value for m in app.markdown)
    # The rest of the lab is unaffected.
    assert frame_with(app, "revenue_share")


# --- Account -------------------------------------------------------------------------------------


def test_account_defaults_to_the_top_balanced_key_account(warehouse):
    top = warehouse(
        "select customer_id, customer_name from marts.key_account_scorecard "
        "where definition_name = 'balanced' and is_key_account order by score_rank limit 1"
    ).iloc[0]
    app = page("account").run()

    assert not app.exception
    assert app.selectbox(key="account_customer").value == top["customer_id"]
    assert app.selectbox(key="definition").value == "balanced"
    assert app.subheader[0].value == markdown_text(top["customer_name"])
    assert (
        app.query_params["customer"] == [top["customer_id"]]
        or app.query_params["customer"] == top["customer_id"]
    )
    assert [tab.label for tab in app.tabs] == [
        "Sales",
        "Share of wallet",
        "Cost to serve",
        "Plan vs actual",
        "Scorecard",
        "Status & overrides",
    ]


def test_account_from_the_link_shows_that_customer(warehouse):
    customer = warehouse(
        """
        select p.customer_id, m.customer_name from marts.account_plan_performance p
        join marts.customer_metrics m using (customer_id)
        where m.is_active order by p.customer_id desc limit 1
        """
    ).iloc[0]
    app = page("account")
    app.query_params["customer"] = customer["customer_id"]
    app.run()

    assert not app.exception
    assert app.selectbox(key="account_customer").value == customer["customer_id"]
    assert app.subheader[0].value == markdown_text(customer["customer_name"])
    months = warehouse(
        "select count(*) as n from marts.customer_monthly where customer_id = ?",
        (customer["customer_id"],),
    )
    years = warehouse(
        "select count(*) as n from marts.customer_yearly where customer_id = ?",
        (customer["customer_id"],),
    )
    plans = warehouse(
        "select count(*) as n from marts.account_plan_performance where customer_id = ?",
        (customer["customer_id"],),
    )
    assert len(frame_with(app, "order_count")[0]) == months["n"].iloc[0]
    assert len(frame_with(app, "share_of_wallet")[0]) == years["n"].iloc[0]
    assert len(frame_with(app, "revenue_attainment")[0]) == plans["n"].iloc[0] > 0
    revenue = warehouse(
        "select cast(revenue_t12m as double) as r from marts.customer_metrics where customer_id = ?",
        (customer["customer_id"],),
    )
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Revenue"].startswith("€")
    assert (
        metrics["Orders, 12 months"]
        == f"{int(warehouse('select order_count_t12m from marts.customer_metrics where customer_id = ?', (customer['customer_id'],)).iloc[0, 0]):,}"
    )
    assert revenue["r"].iloc[0] > 0


def test_account_shows_its_flags_with_the_figures_that_raised_them(warehouse):
    flagged = warehouse(
        "select customer_id, big_but_unprofitable_reason, flag_count from marts.customer_metrics "
        "where is_big_but_unprofitable order by revenue_t12m desc limit 1"
    ).iloc[0]
    app = page("account")
    app.query_params["customer"] = flagged["customer_id"]
    app.run()

    assert not app.exception
    flags = [w.value for w in app.warning if "flag:" in w.value] + [
        i.value for i in app.info if "flag:" in i.value
    ]
    assert len(flags) == flagged["flag_count"] >= 1
    assert (
        f"**Mistake flag: Big but unprofitable.** {markdown_text(flagged['big_but_unprofitable_reason'])}"
        in flags
    )

    calm = warehouse(
        "select customer_id from marts.customer_metrics where flag_count = 0 and is_active "
        "order by customer_id limit 1"
    ).iloc[0]
    app = page("account")
    app.query_params["customer"] = calm["customer_id"]
    app.run()
    assert not [w for w in app.warning if "flag:" in w.value]
    assert any(c.value.startswith("No flag raised") for c in app.caption)


def test_account_link_to_an_unknown_customer_says_so_and_shows_the_top_account(warehouse):
    top = warehouse(
        "select customer_id, customer_name from marts.key_account_scorecard "
        "where definition_name = 'balanced' and is_key_account order by score_rank limit 1"
    ).iloc[0]
    app = page("account")
    app.query_params["customer"] = "CN-NO-SUCH"
    app.run()

    assert not app.exception
    assert app.selectbox(key="account_customer").value == top["customer_id"]
    (warning,) = [w.value for w in app.warning if "No customer with the ID" in w.value]
    assert warning.startswith(
        f"No customer with the ID “{markdown_text('CN-NO-SUCH')}” in the warehouse: showing "
        f"{markdown_text(top['customer_name'])} instead."
    )


def test_account_changing_customer_and_definition_changes_the_explanation(warehouse):
    other = warehouse(
        "select customer_id, customer_name from marts.key_account_scorecard "
        "where definition_name = 'balanced' order by score_rank limit 1 offset 200"
    ).iloc[0]
    app = page("account").run()
    app.selectbox(key="account_customer").set_value(other["customer_id"]).run()

    assert not app.exception
    assert app.subheader[0].value == markdown_text(other["customer_name"])
    assert app.query_params["customer"] in (other["customer_id"], [other["customer_id"]])

    def contributions(definition: str) -> list[float]:
        row = warehouse(
            "select * from marts.key_account_scorecard where customer_id = ? and definition_name = ?",
            (other["customer_id"], definition),
        ).iloc[0]
        return [row[f"{name}_contribution"] for name in ATTRIBUTES], row

    explained = frame_with(app, "contribution")[0]
    expected, row = contributions("balanced")
    assert explained["contribution"].tolist() == pytest.approx(expected)
    assert (
        f"**{row['score']:.1f}**"
        in app.markdown[[m.value.startswith("Scores") for m in app.markdown].index(True)].value
    )

    app.selectbox(key="definition").set_value("the_big_ones").run()
    assert not app.exception
    explained = frame_with(app, "contribution")[0]
    expected, row = contributions("the_big_ones")
    assert explained["contribution"].tolist() == pytest.approx(expected)
    assert explained["contribution"].sum() == pytest.approx(row["score"])
    verdict = next(m.value for m in app.markdown if m.value.startswith("Scores"))
    assert "The big ones" in verdict and f"**{int(row['score_rank']):,}**" in verdict


def test_account_with_many_customers_searches_on_the_server(warehouse):
    """Above the picker limit (10,000 customers; lowered here) a search box narrows the selectbox."""
    total = warehouse("select count(*) from marts.customer_metrics").iloc[0, 0]
    target = warehouse(
        "select customer_id, customer_name from marts.customer_metrics "
        "order by revenue_t12m asc nulls first, customer_id limit 1"
    ).iloc[0]
    app = page("account")
    app.session_state["account_picker_limit"] = 100
    app.run()

    assert not app.exception
    assert len(app.selectbox(key="account_customer").options) == min(500, total)

    app.text_input(key="account_search").input(target["customer_id"].lower()).run()
    assert not app.exception
    assert app.selectbox(key="account_customer").value == target["customer_id"]
    assert app.subheader[0].value == markdown_text(target["customer_name"])

    app.text_input(key="account_search").input("no customer is called this").run()
    assert not app.exception
    assert "No customer name or ID contains" in app.info[0].value


def test_account_shows_overrides_with_their_reason(warehouse):
    overridden = warehouse(
        "select customer_id, override_reason from marts.key_account_scorecard "
        "where definition_name = 'balanced' and override_status is not null order by customer_id limit 1"
    )
    # The generator always makes decisions in force (demo/generator.py `_overrides`).
    assert not overridden.empty, "the demo warehouse holds no override in force"
    customer_id, reason = overridden.iloc[0]
    app = page("account")
    app.query_params["customer"] = customer_id
    app.run()

    assert not app.exception
    assert any(markdown_text(reason) in warning.value for warning in app.warning)
    decisions = frame_with(app, "decided_by")[0]
    expected = warehouse(
        "select count(*) as n from marts.account_overrides where customer_id = ?",
        (customer_id,),
    )
    assert len(decisions) == expected["n"].iloc[0]
    assert reason in decisions["reason"].tolist()


def test_account_of_an_inactive_customer_says_it_is_not_scored(warehouse):
    inactive = warehouse(
        "select customer_id from marts.customer_metrics where not is_active order by customer_id limit 1"
    )
    # Long-tail customers who left and never ordered again: hundreds in a demo of 1,000.
    assert not inactive.empty, "every demo customer is active"
    app = page("account")
    app.query_params["customer"] = inactive.iloc[0, 0]
    app.run()

    assert not app.exception
    assert any("Not on the scorecard" in info.value for info in app.info)


# --- Resources & cadence -------------------------------------------------------------------------


def per_manager(sql, definition: str) -> dict[str, int]:
    frame = sql(
        """
        select managers.account_manager_id, count(scorecard.customer_id) as n
        from marts.account_managers managers
        left join marts.key_account_scorecard scorecard
            on scorecard.account_manager_id = managers.account_manager_id
            and scorecard.definition_name = ? and scorecard.is_key_account
        where managers.is_in_managers_file
        group by managers.account_manager_id
        """,
        (definition,),
    )
    return dict(zip(frame["account_manager_id"], frame["n"]))


def test_resources_shows_key_accounts_per_manager_against_capacity(warehouse):
    app = page("resources").run()

    assert not app.exception
    assert app.title[0].value == "Resources & cadence"
    assert app.selectbox(key="definition").value == "balanced"
    load = frame_with(app, "capacity_accounts")[0]
    assert dict(zip(load["account_manager_id"], load["key_accounts"])) == per_manager(
        warehouse, "balanced"
    )
    unmanaged = warehouse(
        """
        select count(*) as n from marts.key_account_scorecard s
        left join marts.account_managers m
            on s.account_manager_id = m.account_manager_id and m.is_in_managers_file
        where s.definition_name = 'balanced' and s.is_key_account and m.account_manager_id is null
        """
    ).iloc[0, 0]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Key accounts without a manager"] == f"{unmanaged:,}"
    if unmanaged:
        assert len(frame_with(app, "reason")[0]) == unmanaged


def test_resources_names_the_key_accounts_without_a_plan(warehouse):
    expected = warehouse(
        """
        select s.customer_id from marts.key_account_scorecard s
        where s.definition_name = 'balanced' and s.is_key_account
            and s.customer_id not in (select customer_id from marts.account_plan_performance)
        order by s.score_rank
        """
    )["customer_id"].tolist()
    keys = warehouse(
        "select count(*) from marts.key_account_scorecard where definition_name = 'balanced' and is_key_account"
    ).iloc[0, 0]
    # The demo plans some key accounts and not others: both sides of the list exist.
    assert 0 < len(expected) < keys
    app = page("resources").run()

    assert not app.exception
    listed = [frame for frame in frame_with(app, "score_rank") if "revenue_t12m" in frame and "reason" not in frame]
    assert listed[-1]["customer_id"].tolist() == expected
    assert any(
        m.value.startswith(f"**{len(expected):,} of {keys:,} key accounts** under Balanced have no plan")
        for m in app.markdown
    )


def test_resources_definition_change_moves_the_load(warehouse):
    app = page("resources").run()
    app.selectbox(key="definition").set_value("staff_focus").run()

    assert not app.exception
    load = frame_with(app, "capacity_accounts")[0]
    expected = per_manager(warehouse, "staff_focus")
    assert dict(zip(load["account_manager_id"], load["key_accounts"])) == expected
    assert expected != per_manager(warehouse, "balanced")
    # Staff focus fills each manager up to capacity (manual decisions aside).
    computed = warehouse(
        """
        select s.account_manager_id, count(*) as n, any_value(m.capacity_accounts) as capacity
        from marts.key_account_scorecard s join marts.account_managers m using (account_manager_id)
        where s.definition_name = 'staff_focus' and s.is_key_account_computed group by 1
        """
    )
    assert (computed["n"] <= computed["capacity"]).all()


def test_resources_plan_by_period_follows_scope_and_manager(warehouse):
    app = page("resources").run()
    periods = frame_with(app, "below_plan")[0]
    key_plans = warehouse(
        """
        select count(*) as n from marts.account_plan_performance p
        join marts.key_account_scorecard s
            on s.customer_id = p.customer_id and s.definition_name = 'balanced' and s.is_key_account
        """
    ).iloc[0, 0]
    assert periods["accounts"].sum() == key_plans

    app.radio(key="plan_scope").set_value("all").run()
    assert not app.exception
    periods = frame_with(app, "below_plan")[0]
    assert (
        periods["accounts"].sum()
        == warehouse("select count(*) from marts.account_plan_performance").iloc[0, 0]
    )
    # Each started period's actual revenue, written as every amount is; a period not started
    # yet shows a blank, not '€0' (nor 'None').
    actual = warehouse(
        "select period_start, period_end, period_status, sum(actual_revenue) as actual "
        "from marts.account_plan_performance group by all order by period_start, period_end"
    )
    assert "future" in set(actual["period_status"]), "the demo plans run past the reporting date"
    assert periods["actual_revenue"].tolist() == [
        "" if status == "future" else format_money(value)
        for status, value in zip(actual["period_status"], actual["actual"])
    ]

    manager = warehouse(
        "select account_manager_id, count(*) as n from marts.account_plan_performance "
        "where account_manager_id is not null group by 1 order by n desc, 1 limit 1"
    ).iloc[0]
    app.selectbox(key="resources_manager").set_value(manager["account_manager_id"]).run()
    assert not app.exception
    periods = frame_with(app, "below_plan")[0]
    assert periods["accounts"].sum() == manager["n"]



def test_resources_states_the_thresholds_the_warehouse_used(demo_warehouse, tmp_path, monkeypatch):
    # As a run with other dbt vars leaves marts.run_settings: the page text follows it.
    other = tmp_path / "other-settings.duckdb"
    shutil.copy(demo_warehouse, other)
    with duckdb.connect(str(other)) as conn:
        conn.execute("update marts.run_settings set value = 0.85 where setting_name = 'cadence_below_plan_attainment'")
        conn.execute("update marts.run_settings set value = 3 where setting_name = 'exit_review_min_periods_below_plan'")
        conn.execute("update marts.run_settings set value = 35 where setting_name = 'exit_review_min_score'")
    monkeypatch.setenv("KAM_WAREHOUSE", str(other))

    app = page("resources").run()

    assert not app.exception
    captions = [caption.value for caption in app.caption]
    assert "Below plan: an account under 85 % of its revenue target to date." in captions
    assert any(
        "below plan in 3 or more closed periods in a row, or a score under 35" in caption for caption in captions
    )
    assert not any("90 %" in caption or "under 40" in caption for caption in captions)

def test_resources_lists_the_exit_review_candidates(warehouse):
    app = page("resources").run()

    assert not app.exception
    expected = warehouse(
        "select customer_name from marts.exit_review_candidates order by customer_name"
    )
    shown = frame_with(app, "exit_review_reason")
    if expected.empty:
        assert not shown
        assert any(
            "No key account qualifies for an exit review" in message.value
            for message in app.success
        )
    else:
        assert sorted(shown[0]["customer_name"]) == expected["customer_name"].tolist()


# --- Shared links ----------------------------------------------------------------------------------


def test_a_link_carries_the_definition_and_the_readers_choice_replaces_it(warehouse):
    app = page("mistakes")
    app.query_params["definition"] = "the_big_ones"
    app.run()

    assert not app.exception
    assert app.selectbox(key="definition").value == "the_big_ones"
    assert app.query_params["definition"] in ("the_big_ones", ["the_big_ones"])

    app.selectbox(key="definition").set_value("balanced").run()
    # The reader's choice wins over the link it came from, and the URL follows it.
    assert app.selectbox(key="definition").value == "balanced"
    assert app.query_params["definition"] in ("balanced", ["balanced"])


def test_a_link_to_an_unknown_definition_says_so(warehouse):
    app = page("resources")
    app.query_params["definition"] = "the_tiny_ones"
    app.run()

    assert not app.exception
    assert app.selectbox(key="definition").value == "balanced"
    assert [w.value for w in app.warning if "the\\_tiny\\_ones" in w.value or "the_tiny_ones" in w.value] == [
        f"No key-account definition “{markdown_text('the_tiny_ones')}” in the warehouse: showing Balanced instead."
    ]


def test_every_page_names_the_definition_version_behind_its_scores(warehouse):
    version = warehouse(
        "select definition_version from marts.key_account_definitions where definition_name = 'balanced'"
    ).iloc[0, 0]
    for name in ("scorecard", "account", "resources"):
        app = page(name).run()
        assert not app.exception
        assert any(f"Version {version}:" in caption.value for caption in app.sidebar.caption), name
