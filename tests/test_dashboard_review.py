"""The Quarterly review page and its review pack (Streamlit AppTest, no browser).

Every figure is compared with the published warehouse, queried here directly; decisions are
recorded beside a private copy of the warehouse, never beside the session's shared one."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.review_pack import load_review_pack, quarter_label, render_review_pack
from dashboard.text import markdown_text
from loading.decisions import decisions_path, read_decisions

REVIEW_PAGE = Path(__file__).resolve().parents[1] / "dashboard" / "views" / "review.py"
SUBMIT = "FormSubmitter:record_decision-Record decision"


@pytest.fixture
def private_warehouse(demo_warehouse, tmp_path, monkeypatch) -> Path:
    """A copy of the published warehouse whose decisions store the test may write."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_warehouse, copy)
    monkeypatch.setenv("KAM_WAREHOUSE", str(copy))
    return copy


def review_page(**query_params: str) -> AppTest:
    app = AppTest.from_file(str(REVIEW_PAGE), default_timeout=60)
    app.query_params.update(query_params)
    return app.run()


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_a_warehouse_from_before_the_quarterly_review_says_to_run_kam_again(private_warehouse):
    with duckdb.connect(str(private_warehouse)) as conn:
        conn.execute("drop table marts.portfolio_quarterly")
    app = review_page()

    assert not app.exception
    assert [warning.value for warning in app.warning] == [
        (
            f"The warehouse at `{private_warehouse}` has no table portfolio_quarterly: it was published "
            "by an earlier version of kam. Run `kam run` (or `make demo`) to build it again, then reload."
        )
    ]


def test_the_headline_is_the_latest_quarter_against_the_one_before(warehouse):
    quarters = warehouse(
        "select * from marts.portfolio_quarterly where definition_name = 'balanced' order by quarter_end"
    )
    now, before = quarters.iloc[-1], quarters.iloc[-2]
    app = review_page()

    assert not app.exception
    shown = metrics(app)
    assert shown["Key accounts"] == f"{int(now['key_accounts']):,}"
    assert shown["Entered"] == f"{int(now['accounts_entered']):,}"
    assert shown["Left"] == f"{int(now['accounts_left']):,}"
    assert [m.delta for m in app.metric if m.label == "Key accounts"] == [
        f"{int(now['key_accounts']) - int(before['key_accounts']):+d}"
    ]
    # The demo's eight quarter-ends, the last one on 30 September 2026.
    assert len(quarters) == 8 and str(now["quarter_end"])[:10] == "2026-09-30"
    assert f"Changes since {quarter_label(before['quarter_end'])}" in [s.value for s in app.subheader]


def test_the_changes_are_the_entries_exits_and_tier_moves_of_the_quarter(warehouse):
    expected = warehouse(
        """
        select customer_name, key_account_change, revenue_tier_move, is_active
        from marts.key_account_quarterly_history
        where definition_name = 'balanced' and quarter_end = '2026-06-30'
          and (key_account_change in ('entered', 'left')
               or ((is_key_account or was_key_account) and revenue_tier_move in ('up', 'down')))
        """
    )
    app = review_page(quarter="2026-06-30")

    (changes,) = [frame.value for frame in app.dataframe if "why" in frame.value.columns]
    assert sorted(changes["customer_name"]) == sorted(expected["customer_name"])
    entered = set(expected.loc[expected["key_account_change"] == "entered", "customer_name"])
    assert set(changes.loc[changes["change"] == "Entered", "customer_name"]) == entered
    left_inactive = set(expected.loc[(expected["key_account_change"] == "left") & ~expected["is_active"], "customer_name"])
    stopped = changes[changes["why"].str.startswith("Stopped buying")]
    assert set(stopped["customer_name"]) == left_inactive
    assert metrics(app)["Entered"] == f"{len(entered):,}"


def test_a_quarter_in_the_link_opens_that_quarter_and_an_unknown_one_says_so(warehouse):
    app = review_page(quarter="2025-12-31")
    assert app.selectbox(key="review_quarter").value == date(2025, 12, 31)
    count = warehouse(
        "select key_accounts from marts.portfolio_quarterly "
        "where definition_name = 'balanced' and quarter_end = '2025-12-31'"
    )["key_accounts"].iloc[0]
    assert metrics(app)["Key accounts"] == f"{int(count):,}"
    assert app.query_params["quarter"] == "2025-12-31"

    app = review_page(quarter="2019-03-31")
    assert [w.value for w in app.warning] == [
        f"No quarter-end {markdown_text('2019-03-31')} in the history: showing the latest."
    ]
    assert app.selectbox(key="review_quarter").value == date(2026, 9, 30)
    # The latest quarter is the page's default: the link stays clean.
    assert "quarter" not in app.query_params


def test_the_review_list_holds_every_topic_of_the_warehouse(warehouse):
    expected = warehouse("select review_topic, count(*) as n from marts.review_list group by 1")
    app = review_page()
    app.toggle(key="review_due_only").set_value(False).run()

    (listing,) = [frame.value for frame in app.dataframe if "reason" in frame.value.columns]
    shown = listing["topic"].value_counts().to_dict()
    labels = {"exit_candidate": "Exit review", "big_but_unprofitable": "Big but unprofitable",
              "key_account_without_plan": "Key account without a plan", "tomorrows_oak": "Tomorrow's oak"}
    assert shown == {labels[topic]: n for topic, n in zip(expected["review_topic"], expected["n"], strict=True)}
    assert listing["reason"].notna().all()


def test_a_recorded_decision_is_kept_beside_the_warehouse_and_shown_at_once(private_warehouse):
    app = review_page()
    item = app.selectbox(key="decision_item")
    customer_id, topic, name = item.value
    app.text_input(key="decision_owner").input("Ana Ruiz")
    app.text_input(key="decision_by").input("Lee Chan")
    app.text_input(key="decision_note").input("Call before the renewal")
    app.button(key=SUBMIT).click().run()

    assert not app.exception and not app.error
    assert next(s.value for s in app.success).startswith("Recorded: Ana Ruiz owns")
    stored = read_decisions(decisions_path(private_warehouse)).to_pylist()
    assert [(row["customer_id"], row["topic"], row["owner"], row["decided_by"], row["note"]) for row in stored] == [
        (customer_id, topic, "Ana Ruiz", "Lee Chan", "Call before the renewal")
    ]
    assert list(decisions_path(private_warehouse).parent.glob("*.decisions.sqlite")) == [decisions_path(private_warehouse)]
    # Shown from the store until the next run carries it into the warehouse.
    (recorded,) = [frame.value for frame in app.dataframe if "decided_at" in frame.value.columns]
    assert recorded[["customer_name", "owner", "decided_by"]].values.tolist() == [[name, "Ana Ruiz", "Lee Chan"]]
    assert "1 decision recorded since the last run" in [c.value for c in app.caption][1]


def test_a_decision_without_an_owner_is_refused_and_nothing_is_stored(private_warehouse):
    app = review_page()
    app.text_input(key="decision_by").input("Lee Chan")
    app.button(key=SUBMIT).click().run()

    assert [e.value for e in app.error] == ["owner must not be blank"]
    assert read_decisions(decisions_path(private_warehouse)).num_rows == 0


def test_the_review_pack_holds_the_quarter(warehouse):
    pack = load_review_pack("balanced", date(2026, 9, 30))
    html = render_review_pack(pack)
    latest = pack.quarters.iloc[-1]

    assert "<title>Key-account review, Q3 2026</title>" in html
    assert f'<div class="value">{int(latest["key_accounts"])}</div>' in html
    assert "Changes since Q2 2026" in html
    key_accounts = warehouse(
        "select customer_name from marts.key_account_scorecard where definition_name = 'balanced' and is_key_account"
    )["customer_name"]
    assert f"Key accounts today ({len(key_accounts)})" in html
    assert all(name.replace("&", "&amp;") in html for name in key_accounts)
    # Self-contained: nothing to fetch when opened or printed.
    assert "http://" not in html and "https://" not in html and "<script" not in html
