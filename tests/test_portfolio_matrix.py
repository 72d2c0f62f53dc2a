"""The key-account portfolio matrix on the demo warehouse: each archetype in the quadrant the field
prescribes for it (the generated worlds are judged in test_selection_quality.py), one position per
active account and quarter-end, the movement from the quarter before, and the effort per manager
adding up to the accounts behind it."""

from __future__ import annotations

import duckdb
import pytest

from tests.selection_quality import (
    MATRIX_HOME_BARS,
    MATRIX_HOMES,
    matrix_homes,
    planned_strategic_accounts,
)

pytestmark = pytest.mark.pipeline


@pytest.fixture
def matrix(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        yield lambda sql, params=(): conn.execute(sql, list(params)).fetchall()


def test_each_archetype_lands_in_the_quadrant_made_for_it(demo_warehouse, demo_truth):
    homes = matrix_homes(demo_warehouse, demo_truth)

    assert set(homes) == set(MATRIX_HOMES)
    assert {archetype: share for archetype, share in homes.items()
            if share < MATRIX_HOME_BARS[archetype]} == {}, homes


def test_every_active_account_has_one_position_per_quarter_end(matrix):
    positions, duplicates, quarter_ends = matrix(
        """
        select count(*), count(*) - count(distinct (axes_name, customer_id, quarter_end)),
               count(distinct quarter_end)
        from marts.portfolio_matrix
        """
    )[0]
    # The quarter-ends of the key-account history, and in each every account active then.
    expected = matrix(
        """
        select count(*) from marts.key_account_quarterly_history
        where is_active and definition_name = 'balanced'
        """
    )[0][0]
    assert (positions, duplicates) == (expected, 0)
    assert quarter_ends == matrix(
        "select count(distinct quarter_end) from marts.key_account_quarterly_history")[0][0] == 8


def test_the_quadrant_follows_the_axes_and_the_cut(matrix):
    cut = 50
    wrong = matrix(
        """
        select count(*) from marts.portfolio_matrix
        where quadrant <> case
            when attractiveness >= ? and strength >= ? then 'invest_for_growth'
            when attractiveness >= ? then 'invest_selectively'
            when strength >= ? then 'maintain'
            else 'streamline' end
        """,
        [cut] * 4,
    )[0][0]
    assert wrong == 0
    quadrants = dict(matrix(
        """
        select quadrant, count(*) from marts.portfolio_matrix
        where quarter_end = (select max(quarter_end) from marts.portfolio_matrix)
        group by quadrant
        """
    ))
    assert set(quadrants) == set(MATRIX_HOMES.values())


def test_the_previous_position_is_the_quarter_befores(matrix):
    mismatches, moved = matrix(
        """
        select count(*) filter (where previous.quadrant is distinct from current.previous_quadrant
                                   or previous.strength is distinct from current.previous_strength),
               count(*) filter (where current.quadrant <> current.previous_quadrant)
        from marts.portfolio_matrix as current
        left join marts.portfolio_matrix as previous
            on previous.axes_name = current.axes_name
            and previous.customer_id = current.customer_id
            and previous.quarter_end = current.previous_quarter_end
        where current.previous_quarter_end is not null
        """
    )[0]
    assert mismatches == 0
    assert moved > 0


def test_assessed_stages_come_from_the_assessments_and_the_rest_are_labelled_inferred(matrix):
    by_source = dict(matrix(
        """
        select relationship_stage_source, count(*) from marts.portfolio_matrix
        where quarter_end = (select max(quarter_end) from marts.portfolio_matrix)
        group by all
        """
    ))
    assert set(by_source) == {"assessed", "inferred"}
    assert matrix(
        """
        select count(*) from marts.portfolio_matrix
        where relationship_stage not in ('exploratory', 'basic', 'cooperative', 'interdependent', 'integrated')
        """
    )[0][0] == 0


def test_effort_per_manager_adds_up_to_the_accounts_behind_it(matrix):
    mismatched = matrix(
        """
        with latest as (
            select account_manager_id, quadrant, effort_units from marts.portfolio_matrix
            where axes_name = 'standard'
              and quarter_end = (select max(quarter_end) from marts.portfolio_matrix)
              and account_manager_id is not null
        ),

        per_manager as (
            select account_manager_id,
                   count(*) filter (where quadrant = 'invest_for_growth') as invest_for_growth,
                   count(*) filter (where quadrant = 'streamline') as streamline,
                   sum(effort_units) as effort_units
            from latest group by account_manager_id
        )

        select count(*) from marts.portfolio_matrix_effort as effort
        join per_manager using (account_manager_id)
        where effort.axes_name = 'standard'
          and (effort.accounts_invest_for_growth <> per_manager.invest_for_growth
               or effort.accounts_streamline <> per_manager.streamline
               or abs(effort.effort_units - per_manager.effort_units) > 1e-9)
        """
    )[0][0]
    managers = matrix("select count(*) from marts.portfolio_matrix_effort where axes_name = 'standard'")[0][0]
    assert mismatched == 0
    assert managers == matrix("select count(*) from marts.account_managers")[0][0]


def test_a_forecast_for_every_active_account_whose_plan_runs_past_the_latest_quarter_end(matrix):
    latest = "(select max(quarter_end) from marts.portfolio_matrix)"
    expected = matrix(
        f"""
        select p.customer_id
        from marts.account_plan_performance as p
        inner join marts.portfolio_matrix as m
            on m.customer_id = p.customer_id and m.quarter_end = {latest} and m.axes_name = 'standard'
        group by p.customer_id
        having max(p.period_end) > {latest}
        order by 1
        """
    )
    forecasts = matrix(
        f"""
        select customer_id from marts.portfolio_matrix_forecast
        where axes_name = 'standard' and quarter_end = {latest}
        order by 1
        """
    )
    assert forecasts == expected
    assert len(forecasts) > 20


def test_the_planned_revenue_is_the_plans_last_twelve_months_a_year(matrix):
    """Recomputed from the plan periods the warehouse shows (account_plan_performance): the targets
    of the periods ending in the plan's last twelve months, over their whole months, times 12."""
    import pandas as pd

    periods = pd.DataFrame(
        matrix("select customer_id, period_start, period_end, target_revenue from marts.account_plan_performance"),
        columns=["customer_id", "period_start", "period_end", "target_revenue"],
    )
    forecasts = dict(matrix(
        "select customer_id, planned_revenue from marts.portfolio_matrix_forecast where axes_name = 'standard'"
    ))
    for customer, planned in forecasts.items():
        plan = periods[periods["customer_id"] == customer]
        end = pd.Timestamp(plan["period_end"].max())
        last_year = plan[pd.to_datetime(plan["period_end"]) > end - pd.DateOffset(months=12)]
        months = sum(
            (pd.Timestamp(e) + pd.Timedelta(days=1)).year * 12 + (pd.Timestamp(e) + pd.Timedelta(days=1)).month
            - pd.Timestamp(s).year * 12 - pd.Timestamp(s).month
            for s, e in zip(last_year["period_start"], last_year["period_end"])
        )
        assert float(planned) == pytest.approx(float(last_year["target_revenue"].sum()) * 12 / months, abs=0.01), customer


def test_meeting_a_plan_that_sells_more_raises_our_share_of_the_budget(matrix):
    lower, higher, held = matrix(
        """
        select count(*) filter (where planned_revenue > revenue_t12m
                                  and planned_share_of_wallet_value < share_of_wallet_value),
               count(*) filter (where planned_revenue > revenue_t12m
                                  and planned_share_of_wallet_value > share_of_wallet_value),
               count(*) filter (where planned_revenue = revenue_t12m)
        from marts.portfolio_matrix_forecast
        """
    )[0]
    assert (lower, held) == (0, 0)
    assert higher > 10


def test_strategic_accounts_whose_plans_are_met_end_in_invest_for_growth(demo_warehouse, demo_truth):
    """Met, the plans the demo gives its strategic accounts keep them in (or take them to) invest
    for growth (test demo 35 of 35, make demo 69 of 70)."""
    planned, at_home = planned_strategic_accounts(demo_warehouse, demo_truth)

    assert planned >= 20
    assert at_home / planned >= 0.9, (at_home, planned)
