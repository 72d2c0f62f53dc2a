"""The Portfolio, Scorecard and Mistakes & oak trees pages (Streamlit AppTest, no browser): each
renders without an exception, shows its widgets, and a filter or definition change alters what is
shown exactly as the warehouse says it should."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import scoring
from dashboard.ui import NO_MANAGER, AccountFilters, format_money, format_share

PAGES = Path(__file__).resolve().parents[1] / "dashboard" / "views"


@pytest.fixture
def sql(demo_warehouse):
    """Run a query on the demo warehouse, read-only: the figures the pages must show."""
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        yield lambda text, params=(): conn.execute(text, list(params)).fetchall()


@pytest.fixture
def page(demo_warehouse, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(demo_warehouse))

    def load(name: str) -> AppTest:
        app = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
        app.run()
        assert not app.exception, [e.message for e in app.exception]
        return app

    return load


def rerun(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.message for e in app.exception]
    return app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


# Tables without row selection carry no widget key in the app tree: found by a column of theirs.
TABLE_COLUMNS = {"tier_table": "Profit tier", "breakdown_table": "effective_weight"}


def table(app: AppTest, key: str):
    """The frame behind the table with this key."""
    for frame in app.dataframe:
        if frame.proto.id.endswith(f"-{key}") or TABLE_COLUMNS.get(key) in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table keyed {key!r}")


def key_accounts(sql, definition: str) -> set[str]:
    rows = sql(
        "select customer_id from marts.key_account_scorecard where definition_name = ? and is_key_account",
        (definition,),
    )
    return {customer for (customer,) in rows}


# --- Portfolio -------------------------------------------------------------------------------


def test_portfolio_headline_figures_match_the_warehouse(page, sql):
    app = page("portfolio")

    (customers,) = sql("select count(*) from marts.customer_metrics")[0]
    active, revenue, top_share, coverage = sql(
        "select active_customers, revenue_t12m, top_customers_revenue_share, margin_coverage_t12m "
        "from marts.portfolio_concentration"
    )[0]
    (key_count, key_revenue) = sql(
        "select count(*), sum(m.revenue_t12m) from marts.key_account_scorecard s "
        "join marts.customer_metrics m using (customer_id) "
        "where s.definition_name = 'balanced' and s.is_key_account"
    )[0]
    shown = metrics(app)
    assert app.title[0].value == "Portfolio"
    assert app.selectbox(key="definition").value == "balanced"
    assert shown["Customers"] == f"{customers:,}"
    assert shown["Active customers"] == f"{active:,}"
    assert shown["Revenue, 12 months"] == format_money(revenue)
    assert shown["Key accounts"] == f"{key_count:,}"
    assert shown["Revenue share"] == format_share(float(key_revenue) / float(revenue))
    assert shown["Top 20 % bring"] == format_share(top_share)
    assert shown["Margin coverage"] == format_share(coverage)
    assert {"Profit share", "Herfindahl", "Net contribution, 12 months"} <= set(shown)
    # Pareto, whale curve, tier matrix.
    assert len(app.get("plotly_chart")) == 3
    listed = table(app, "key_accounts_table")
    assert set(listed["customer_id"]) == key_accounts(sql, "balanced")
    assert listed["score_rank"].is_monotonic_increasing
    tiers = table(app, "tier_table")
    assert len(tiers) == 9 and tiers["Customers"].sum() == active
    assert [b.label for b in app.get("download_button")] == ["Export CSV"] * 3


def test_portfolio_follows_the_chosen_definition(page, sql):
    app = page("portfolio")
    app.selectbox(key="definition").set_value("the_big_ones")
    rerun(app)

    big_ones = key_accounts(sql, "the_big_ones")
    assert big_ones != key_accounts(sql, "balanced")
    listed = table(app, "key_accounts_table")
    assert set(listed["customer_id"]) == big_ones
    (revenue,) = sql("select revenue_t12m from marts.portfolio_concentration")[0]
    (key_revenue,) = sql(
        "select sum(m.revenue_t12m) from marts.key_account_scorecard s join marts.customer_metrics m "
        "using (customer_id) where s.definition_name = 'the_big_ones' and s.is_key_account"
    )[0]
    assert metrics(app)["Revenue share"] == format_share(float(key_revenue) / float(revenue))
    assert metrics(app)["Key accounts"] == f"{len(big_ones):,}"
    assert table(app, "tier_table")["Key accounts"].sum() == len(big_ones)


def development_list(sql, definition: str) -> list[tuple]:
    """The definition's development list, best-scored first: customer_id, name, oak reason."""
    return sql(
        "select s.customer_id, s.customer_name, m.tomorrows_oak_reason "
        "from marts.key_account_scorecard s join marts.customer_metrics m using (customer_id) "
        "where s.definition_name = ? and s.is_development_account order by s.score_rank",
        (definition,),
    )


def test_portfolio_shows_the_development_list_beside_the_key_accounts(page, sql):
    app = page("portfolio")

    expected = development_list(sql, "balanced")
    assert expected, "the demo data should hold tomorrow's oaks that balanced does not pick"
    listed = table(app, "development_table")
    assert list(zip(listed["customer_id"], listed["customer_name"], listed["reason"])) == expected
    assert listed["score_rank"].is_monotonic_increasing
    # Tomorrow's oaks, none of them picked: beside the key accounts, not among them.
    (oaks_not_picked,) = sql(
        "select count(*) from marts.key_account_scorecard s join marts.customer_metrics m "
        "using (customer_id) where s.definition_name = 'balanced' and m.is_tomorrows_oak "
        "and not s.is_key_account_computed"
    )[0]
    assert len(listed) == oaks_not_picked
    picked = sql(
        "select customer_id from marts.key_account_scorecard "
        "where definition_name = 'balanced' and is_key_account_computed"
    )
    assert not set(listed["customer_id"]) & {customer for (customer,) in picked}
    figures = sql(
        "select customer_id, cast(revenue_t12m as double), revenue_growth, share_of_wallet "
        "from marts.customer_metrics where is_tomorrows_oak"
    )
    by_customer = {customer: rest for customer, *rest in figures}
    for row in listed.itertuples():
        revenue, growth, wallet_share = by_customer[row.customer_id]
        assert row.revenue_t12m == pytest.approx(revenue)
        assert row.revenue_growth == pytest.approx(growth, nan_ok=True)
        assert row.share_of_wallet == pytest.approx(wallet_share, nan_ok=True)
    headers = [header.value for header in app.subheader]
    assert headers.index("The development list: tomorrow's oaks") == headers.index(
        "The key accounts under Balanced"
    ) + 1
    assert any("Tomorrow's oaks that Balanced does not pick" in m.value for m in app.markdown)

    # Another definition, another development list.
    app.selectbox(key="definition").set_value("future_profit")
    rerun(app)
    listed = table(app, "development_table")
    assert [row[0] for row in development_list(sql, "future_profit")] == listed["customer_id"].tolist()


# --- Scorecard -------------------------------------------------------------------------------

SCORECARD_FILTERS = ("region", "industry", "manager", "revenue_tier", "contribution_tier", "flag")


def test_scorecard_lists_every_active_account_with_its_filters(page, sql):
    app = page("scorecard")

    for name in SCORECARD_FILTERS:
        assert app.multiselect(key=f"scorecard_{name}").value == []
    assert app.text_input(key="scorecard_search").value == ""
    assert app.toggle(key="scorecard_key_only").value is False
    assert app.selectbox(key="definition").value == "balanced"
    (active,) = sql("select count(*) from marts.customer_metrics where is_active")[0]
    assert metrics(app)["Matching accounts"] == f"{active:,}"
    listed = table(app, "scorecard_table")
    assert len(listed) == min(active, 1000)
    assert listed["score_rank"].tolist() == list(range(1, len(listed) + 1))
    assert listed["is_key_account"].sum() == len(key_accounts(sql, "balanced") & set(listed["customer_id"]))
    # The top-ranked account is explained by default.
    assert app.selectbox(key="scorecard_account").value == listed["customer_id"].iloc[0]


def test_scorecard_region_filter_shows_only_that_region(page, sql):
    app = page("scorecard")
    region, expected = sql(
        "select region, count(*) from marts.customer_metrics where is_active group by region order by 2, 1 limit 1"
    )[0]
    app.multiselect(key="scorecard_region").set_value([region])
    rerun(app)

    listed = table(app, "scorecard_table")
    assert len(listed) == expected
    assert set(listed["region"]) == {region}
    assert metrics(app)["Matching accounts"] == f"{expected:,}"


def test_scorecard_flag_tier_and_key_account_filters_combine(page, sql):
    app = page("scorecard")
    app.selectbox(key="definition").set_value("the_big_ones")
    app.multiselect(key="scorecard_flag").set_value(["is_big_but_unprofitable"])
    app.multiselect(key="scorecard_revenue_tier").set_value(["A"])
    app.toggle(key="scorecard_key_only").set_value(True)
    rerun(app)

    expected = {
        customer
        for (customer,) in sql(
            "select customer_id from marts.key_account_scorecard where definition_name = 'the_big_ones' "
            "and is_key_account and is_big_but_unprofitable and revenue_tier = 'A'"
        )
    }
    assert expected, "the demo data should hold big-but-unprofitable key accounts under the_big_ones"
    listed = table(app, "scorecard_table")
    assert set(listed["customer_id"]) == expected
    assert listed["is_key_account"].all()
    assert listed["flags"].str.contains("Big but unprofitable").all()
    assert metrics(app)["Key accounts among them"] == f"{len(expected):,}"


def test_scorecard_manager_and_search_filters(page, sql):
    app = page("scorecard")
    app.multiselect(key="scorecard_manager").set_value([NO_MANAGER])
    rerun(app)
    (unassigned,) = sql("select count(*) from marts.customer_metrics where is_active and account_manager_id is null")[0]
    listed = table(app, "scorecard_table")
    assert len(listed) == min(unassigned, 1000)
    assert set(listed["manager"]) == {"No manager"}

    app.multiselect(key="scorecard_manager").set_value([])
    name = sql("select customer_name from marts.customer_metrics where is_active order by customer_id limit 1")[0][0]
    fragment = name.split()[0].upper()
    app.text_input(key="scorecard_search").input(fragment)
    rerun(app)
    (matching,) = sql(
        "select count(*) from marts.customer_metrics where is_active and contains(lower(customer_name), lower(?))",
        (fragment,),
    )[0]
    listed = table(app, "scorecard_table")
    assert len(listed) == matching >= 1
    assert listed["customer_name"].str.lower().str.contains(fragment.lower(), regex=False).all()


def test_scorecard_search_text_is_a_parameter_not_sql(page):
    app = page("scorecard")
    app.text_input(key="scorecard_search").input("x' or 1=1 --")
    rerun(app)

    assert metrics(app)["Matching accounts"] == "0"
    assert "No account matches" in app.info[0].value


def test_scorecard_explains_the_chosen_account(page, sql):
    app = page("scorecard")
    customer, score, is_key = sql(
        "select customer_id, score, is_key_account from marts.key_account_scorecard "
        "where definition_name = 'balanced' and score_rank = 5"
    )[0]
    app.selectbox(key="scorecard_account").set_value(customer)
    rerun(app)

    breakdown = table(app, "breakdown_table")
    assert len(breakdown) == 8
    assert abs(breakdown["contribution"].sum() - score) < 0.01
    assert abs(breakdown["effective_weight"].sum() - 1) < 1e-9
    verdict = next(m.value for m in app.markdown if "Ranked #5 " in m.value)
    assert verdict.startswith("**Key account" if is_key else "**Not a key account")

    # Under revenue only, revenue size is the whole score.
    app.selectbox(key="definition").set_value("the_big_ones")
    rerun(app)
    breakdown = table(app, "breakdown_table").set_index("attribute")
    assert breakdown.loc["Revenue size", "effective_weight"] == pytest.approx(1.0)
    assert breakdown.drop(index="Revenue size")["contribution"].abs().sum() == pytest.approx(0.0)


def test_scorecard_explains_an_account_that_is_not_key(page, sql):
    app = page("scorecard")
    customer, rank = sql(
        "select customer_id, score_rank from marts.key_account_scorecard where definition_name = 'balanced' "
        "and not is_key_account_computed and override_status is null and score_rank <= 1000 "
        "and excluded_by_gate is null order by score_rank desc limit 1"
    )[0]
    app.selectbox(key="scorecard_account").set_value(customer)
    rerun(app)

    verdict = next(m.value for m in app.markdown if f"Ranked #{rank:,} " in m.value)
    assert verdict.startswith("**Not a key account")
    assert "points more than this account" in verdict


def test_scorecard_names_the_gate_that_keeps_an_account_out(page, sql):
    app = page("scorecard")
    gated = sql(
        "select excluded_by_gate, min(score_rank) from marts.key_account_scorecard "
        "where definition_name = 'balanced' and excluded_by_gate is not null "
        "and override_status is null and score_rank <= 1000 group by 1 order by 2"
    )
    assert gated, "balanced's gates should keep some customers out on the demo data"
    for gate, rank in gated:
        (customer,) = sql(
            "select customer_id from marts.key_account_scorecard "
            "where definition_name = 'balanced' and score_rank = ?",
            (rank,),
        )[0]
        app.selectbox(key="scorecard_account").set_value(customer)
        rerun(app)
        verdict = next(m.value for m in app.markdown if f"Ranked #{rank:,} " in m.value)
        assert verdict.startswith("**Not a key account**")
        assert f"a gate keeps it out, whatever its score: **{scoring.gate_label(gate)}**" in verdict
        assert "points more than this account" not in verdict


def test_scorecard_marks_the_development_list(page, sql):
    app = page("scorecard")
    listed = table(app, "scorecard_table")
    development = {customer for customer, _, _ in development_list(sql, "balanced")}
    assert listed["is_development_account"].tolist() == [
        customer in development for customer in listed["customer_id"]
    ]
    assert listed["is_development_account"].any()

    customer = listed[listed["is_development_account"]]["customer_id"].iloc[0]
    app.selectbox(key="scorecard_account").set_value(customer)
    rerun(app)
    verdict = next(m.value for m in app.markdown if m.value.startswith("**Not a key account"))
    assert "**On the development list:** a tomorrow's oak this definition does not pick" in verdict


# --- Mistakes & oak trees --------------------------------------------------------------------

MISTAKES = {
    "is_big_but_unprofitable": "Big but unprofitable",
    "is_big_revenue_one_off": "Big revenue, one-off",
    "is_easy_sell_no_growth": "Easy sell, no growth",
}


def flagged_key_accounts(sql, definition: str, flag: str) -> set[str]:
    rows = sql(
        f"select customer_id from marts.key_account_scorecard where definition_name = ? and is_key_account and {flag}",
        (definition,),
    )
    return {customer for (customer,) in rows}


def test_mistakes_shows_the_false_key_accounts_of_each_definition(page, sql):
    app = page("mistakes")
    assert app.selectbox(key="definition").value == "balanced"
    # Balanced avoids every mistake on the demo: the page opens on every flagged customer and says
    # why, rather than on zeros.
    assert not any(flagged_key_accounts(sql, "balanced", flag) for flag in MISTAKES)
    assert app.toggle(key="mistakes_all_customers").value is True
    assert any(
        m.value.startswith("**None of the") and "carries a mistake flag: the definition avoids them" in m.value
        for m in app.markdown
    )
    for flag, label in MISTAKES.items():
        (everyone,) = sql(f"select count(*) from marts.customer_metrics where {flag}")[0]
        assert metrics(app)[label] == f"{everyone:,}"
    app.toggle(key="mistakes_all_customers").set_value(False)
    rerun(app)
    for name in ("region", "industry", "manager"):
        assert app.multiselect(key=f"mistakes_{name}").value == []
    assert len(app.tabs) == 4
    assert len(app.get("plotly_chart")) == 1
    for flag, label in MISTAKES.items():
        assert metrics(app)[label] == f"{len(flagged_key_accounts(sql, 'balanced', flag)):,}"

    app.selectbox(key="definition").set_value("the_big_ones")
    rerun(app)
    for flag, label in MISTAKES.items():
        expected = flagged_key_accounts(sql, "the_big_ones", flag)
        assert metrics(app)[label] == f"{len(expected):,}"
        if expected:
            listed = table(app, f"mistakes_table_{flag}")
            assert set(listed["customer_id"]) == expected
            assert listed["is_key_account"].all()
            assert listed["reason"].notna().all()
    unprofitable = flagged_key_accounts(sql, "the_big_ones", "is_big_but_unprofitable")
    assert unprofitable, "revenue alone should pick big-but-unprofitable accounts on the demo data"
    assert app.tabs[0].label == f"Big but unprofitable ({len(unprofitable)})"
    # The reason sentence carries the figures that raised the flag.
    listed = table(app, "mistakes_table_is_big_but_unprofitable")
    assert listed["reason"].str.contains("net margin").all()


def test_mistakes_all_customers_and_region_filter(page, sql):
    app = page("mistakes")
    app.toggle(key="mistakes_all_customers").set_value(True)
    rerun(app)
    (everyone,) = sql("select count(*) from marts.customer_metrics where is_big_but_unprofitable")[0]
    assert len(table(app, "mistakes_table_is_big_but_unprofitable")) == everyone
    assert metrics(app)["Big but unprofitable"] == f"{everyone:,}"

    region, oaks = sql(
        "select region, count(*) from marts.customer_metrics where is_tomorrows_oak group by 1 order by 2 desc, 1 limit 1"
    )[0]
    app.multiselect(key="mistakes_region").set_value([region])
    rerun(app)
    listed = table(app, "mistakes_table_is_tomorrows_oak")
    assert len(listed) == oaks
    assert set(listed["region"]) == {region}
    assert metrics(app)["Tomorrow's oaks"] == f"{oaks:,}"
    # Oak trees come with their key-account status under the definition in use.
    balanced = key_accounts(sql, "balanced")
    assert listed["is_key_account"].tolist() == [c in balanced for c in listed["customer_id"]]


# --- The shared filters ----------------------------------------------------------------------


def test_account_filters_put_every_choice_in_parameters():
    chosen = AccountFilters(
        search="'; drop table x; --",
        regions=("DACH", "Nordics"),
        managers=("AM001", NO_MANAGER),
        revenue_tiers=("A",),
        flags=("is_tomorrows_oak", "not_a_flag"),
    )
    where, params = chosen.where("m")
    assert "drop" not in where and "DACH" not in where and "AM001" not in where
    assert params == ("'; drop table x; --", "'; drop table x; --", "DACH", "Nordics", "AM001", "A")
    assert "m.account_manager_id is null" in where
    assert "coalesce(m.is_tomorrows_oak, false)" in where and "not_a_flag" not in where
    assert AccountFilters().where() == ("true", ())
    assert AccountFilters().is_empty and not chosen.is_empty


def test_headline_money_and_shares_read_like_a_report(demo_warehouse, monkeypatch):
    # Amounts carry the warehouse's own currency sign: the demo data is in euros.
    monkeypatch.setenv("KAM_WAREHOUSE", str(demo_warehouse))
    assert format_money(1_234_567) == "€1.2M"
    assert format_money(-45_600) == "−€45.6k"
    assert format_money(None) == "–"
    assert format_share(0.253) == "25 %"


@pytest.mark.parametrize("name", ["portfolio", "scorecard", "mistakes"])
def test_without_a_warehouse_each_page_says_how_to_build_one(name, tmp_path, monkeypatch):
    monkeypatch.setenv("KAM_WAREHOUSE", str(tmp_path / "missing.duckdb"))
    app = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60).run()

    assert not app.exception
    assert "Run `kam run`" in app.info[0].value
