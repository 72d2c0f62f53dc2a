"""The dashboard writes every amount, share and definition the same way on every page: one money
formatter, one percent formatter and one list of definition labels (dashboard/ui.py). No warehouse
is needed: the currency sign is given."""

from __future__ import annotations

import pytest

from dashboard.ui import (
    definition_label,
    format_money,
    format_share,
    in_definition_order,
    months_text,
    selection_rule_text,
)


@pytest.mark.parametrize(
    "value, shown",
    [
        (0, "€0"),
        (850, "€850"),
        (999.4, "€999"),
        (999.6, "€1.0k"),  # rounds to 1,000: the next unit, never '€1,000'
        (45_600, "€45.6k"),
        (999_600, "€999.6k"),
        (999_949, "€999.9k"),
        (999_960, "€1.0M"),  # rounds to 1,000.0k: the next unit, never '€1,000.0k'
        (1_000_000, "€1.0M"),
        (1_234_567, "€1.2M"),
        (1_234_567_890, "€1.2B"),
        (2_500_000_000_000, "€2,500.0B"),
        (-45_600, "−€45.6k"),
        (-0.3, "€0"),  # no minus in front of a zero
    ],
)
def test_money_reads_like_a_report(value, shown):
    assert format_money(value, "€") == shown


def test_money_takes_the_currency_sign_and_unknown_is_a_dash():
    assert format_money(1_500, "CHF ") == "CHF 1.5k"
    assert format_money(-2_000_000, "$") == "−$2.0M"
    assert format_money(None) == "–"
    assert format_money(float("nan")) == "–"


@pytest.mark.parametrize(
    "value, digits, signed, shown",
    [
        (0.253, 0, False, "25 %"),
        (0.2534, 1, False, "25.3 %"),
        (0.8, 0, False, "80 %"),
        (1.5, 0, False, "150 %"),
        (12.3456, 0, False, "1,235 %"),
        (-0.03, 0, False, "−3 %"),
        (0.065, 1, True, "+6.5 %"),
        (-0.065, 1, True, "−6.5 %"),
        (-0.0004, 0, False, "0 %"),  # no minus in front of a zero
        (-0.0004, 0, True, "+0 %"),
    ],
)
def test_shares_read_as_percentages(value, digits, signed, shown):
    assert format_share(value, digits, signed=signed) == shown


def test_an_unknown_share_is_a_dash():
    assert format_share(None) == "–"
    assert format_share(float("nan"), signed=True) == "–"


def test_definitions_have_one_label_and_one_order():
    assert definition_label("balanced") == "Balanced"
    assert definition_label("mustnt_lose") == "Mustn't lose"
    assert definition_label("our_own_definition") == "Our own definition"
    assert in_definition_order(["zeta", "staff_focus", "our_own", "balanced"]) == [
        "balanced",
        "staff_focus",
        "our_own",
        "zeta",
    ]


@pytest.mark.parametrize(
    "definition, text",
    [
        ({"selection_rule": "top_share", "top_share": 0.04}, "the best-scored 4 % of active customers"),
        ({"selection_rule": "top_share", "top_share": 0.025}, "the best-scored 2.5 % of active customers"),
        ({"selection_rule": "top_n", "top_n": 1500}, "the best-scored 1,500 customers"),
        ({"selection_rule": "score_threshold", "min_score": 60.0}, "every customer scoring at least 60 of 100"),
        (
            {"selection_rule": "manager_capacity"},
            "each account manager's best-scored customers, up to what the manager can carry",
        ),
    ],
)
def test_a_selection_rule_in_words(definition, text):
    assert selection_rule_text(definition) == text


@pytest.mark.parametrize(
    "months, text",
    [(12, "a year"), (12.0, "a year"), (18, "18 months"), (6, "6 months"), (1, "a month"), (24, "2 years")],
)
def test_a_span_of_months_in_words(months, text):
    # The backtest's distance (backtest_months, a float in marts.run_settings): "a year ago" only at 12.
    assert months_text(months) == text
