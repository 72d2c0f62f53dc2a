"""Does the product tell true key accounts from big ones? Measured on the test data set (1,000
customers, 100,000 lines, seed 11) against the generator's ground truth, which the pipeline never
reads. The same bars hold on the worlds of tests/test_selection_quality.py."""

from __future__ import annotations

import duckdb

from orchestration.warehouse import work_path
from tests.selection_quality import measure

TOP_K_BAR = 0.90
REVENUE_RANKING_AT_MOST = 0.25
FLAG_BAR = 0.80


def test_balanced_best_k_are_true_strategic_accounts_where_revenue_ranking_is_not(
    demo_warehouse, demo_truth
):
    quality = measure(demo_warehouse, demo_truth)

    assert quality.strategic_accounts == 40
    assert quality.top_k_share("balanced") >= TOP_K_BAR
    assert quality.top_k_share("the_big_ones") <= REVENUE_RANKING_AT_MOST


def test_each_flag_finds_its_archetype_and_little_else(demo_warehouse, demo_truth):
    flags = measure(demo_warehouse, demo_truth).flags

    for flag, figures in flags.items():
        assert figures.recall >= FLAG_BAR, (flag, figures)
        assert figures.precision >= FLAG_BAR, (flag, figures)


def test_every_excluded_customer_names_its_gate_and_oaks_make_the_development_list(
    demo_warehouse,
):
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        gates, picked_but_excluded, development, oaks_not_picked = conn.execute(
            """
            select
                list(distinct excluded_by_gate order by excluded_by_gate)
                    filter (where excluded_by_gate is not null),
                count(*) filter (where excluded_by_gate is not null and is_key_account_computed),
                count(*) filter (where is_development_account),
                count(*) filter (where is_tomorrows_oak and not is_key_account_computed)
            from marts.key_account_scorecard
            where definition_name = 'balanced'
            """
        ).fetchone()
    # balanced keeps key accounts to proven (24 months), material (revenue tier A) and profitable
    # relationships without a classic mistake; the oaks it does not pick are its development list.
    assert gates == ["min_tenure", "mistake_flag", "positive_contribution", "revenue_tier"]
    assert picked_but_excluded == 0
    assert development == oaks_not_picked > 0


def test_the_backtest_follows_each_definitions_picks_against_revenue_ranking(demo_warehouse):
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        rows = {
            row[0]: row[1:]
            for row in conn.execute(
                """
                select definition_name, backtest_date, reporting_date, accounts_picked,
                       retained_share, revenue_ranking_retained_share,
                       revenue_growth, revenue_ranking_revenue_growth,
                       contribution_after, revenue_ranking_contribution_after,
                       profit_share, revenue_ranking_profit_share
                from marts.definition_backtest
                """
            ).fetchall()
        }
    with duckdb.connect(str(work_path(demo_warehouse)), read_only=True) as conn:
        active_then = conn.execute(
            "select count(*) from intermediate.int_backtest_customer_economics where is_active"
        ).fetchone()[0]
    assert len(rows) == 8
    backtest_date, reporting_date, picked, *_ = rows["balanced"]
    # The month-end a year before the reporting date; 4 % of the customers active then.
    assert (reporting_date - backtest_date).days == 365
    assert picked == -(-4 * active_then // 100)
    # Known answer: "the big ones" ranks by revenue alone, so its picks are revenue ranking's and
    # every figure equals its revenue-ranking twin.
    retained, r_retained, growth, r_growth, contribution, r_contribution, share, r_share = (
        rows["the_big_ones"][3:]
    )
    assert (retained, growth, contribution, share) == (r_retained, r_growth, r_contribution, r_share)
    # Balanced's gated picks earn far more of today's profit than the biggest customers did.
    *_, profit_share, revenue_ranking_profit_share = rows["balanced"]
    assert profit_share > 2 * revenue_ranking_profit_share
