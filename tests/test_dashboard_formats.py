"""The dashboard writes every amount, share and definition the same way on every page: one money
formatter, one percent formatter, one growth formatter (capped), the same for the figures in its
tables and their exports, and one list of definition labels (dashboard/ui.py). No warehouse is
needed: the currency sign is given."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.export import export_frame
from dashboard.ui import (
    Figure,
    definition_label,
    format_count,
    format_growth,
    format_money,
    format_share,
    in_definition_order,
    months_text,
    selection_rule_text,
    share_ticks,
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


@pytest.mark.parametrize(
    "value, shown",
    [
        (0.07, "+7 %"),
        (0.3846, "+38 %"),
        (-0.2, "−20 %"),
        (0.0, "+0 %"),
        (9.99, "+999 %"),
        (10.0, "> +999 %"),  # a customer that bought next to nothing the year before
        (42.2655, "> +999 %"),  # not "4,226.55%"
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_growth_is_signed_and_capped(value, shown):
    assert format_growth(value) == shown


def test_counts_have_thousands_separators():
    assert format_count(1234) == "1,234"
    assert format_count(7.0) == "7"
    assert format_count(None) == "–"


@pytest.mark.parametrize(
    "figure, value, shown",
    [
        (Figure("Revenue"), None, "–"),
        (Figure("Net margin", "share", digits=1), 0.3147, "31.5 %"),
        (Figure("Net margin", "share", digits=1), -0.0054, "−0.5 %"),
        (Figure("Growth a year", "growth"), 42.7856, "> +999 %"),
        (Figure("Growth a year", "growth"), 0.5, "+50 %"),
        (Figure("Orders", "count"), 1234.0, "1,234"),
        (Figure("Gap", "number", digits=1, signed=True), 3.84, "+3.8"),
        (Figure("Gap", "number", digits=1, signed=True), -3.84, "−3.8"),
        (Figure("Strategic fit", "rating"), 4.5, "4.5 / 5"),
        (Figure("Strategic fit", "rating", unknown="not assessed"), None, "not assessed"),
    ],
)
def test_a_table_figure_is_written_like_a_headline(figure, value, shown):
    assert figure.text(value) == shown


def test_a_table_figure_exports_rounded_under_its_unit(monkeypatch):
    monkeypatch.setattr("dashboard.ui.currency_symbol", lambda: "€")
    values = pd.Series([1_647_361.4567, None])
    assert Figure("Revenue, 12 months").export_header() == "Revenue, 12 months (€)"
    assert Figure("Revenue, 12 months").export_values(values).tolist()[0] == 1_647_361.0
    assert Figure("Net margin", "share").export_header() == "Net margin (%)"
    assert Figure("Net margin", "share").export_values(pd.Series([0.31467])).tolist() == [31.5]
    assert Figure("Orders", "count").export_values(pd.Series([3.0])).tolist() == [3]


def test_an_export_has_the_headers_shown_and_rounded_figures():
    frame = pd.DataFrame({"customer_name": ["=1+1", "Acme"], "revenue_t12m": [1234.567, 99.5], "x": [1, 2]})
    exported = export_frame(frame, {"customer_name": "Customer", "revenue_t12m": "Revenue (€)"}, {"revenue_t12m": 0})
    assert exported.columns.tolist() == ["Customer", "Revenue (€)"]
    assert exported["Revenue (€)"].tolist() == [1235.0, 100.0]


def test_share_axes_are_ticked_like_the_page_writes_shares():
    assert share_ticks() == {
        "tickvals": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        "ticktext": ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"],
    }
    assert share_ticks(1.3)["ticktext"][-1] == "120 %"


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
