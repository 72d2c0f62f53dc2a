"""Definitions lab: how the key-account list changes when the definition changes."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.export import download_button
from dashboard.ui import (
    ATTRIBUTES,
    TIERS,
    currency_symbol,
    definition_label,
    format_money,
    format_share,
    input_gaps_notice,
    known_sum,
    money_format,
    pareto_tiers_text,
)
from dashboard.warehouse import query

CUSTOM = "Custom"
LIST_COLUMNS = (
    "customer_id",
    "customer_name",
    "score",
    "score_rank",
    "excluded_by_gate",
    "is_key_account_computed",
    "revenue_t12m",
    "net_contribution_t12m",
)


def option_label(option: str) -> str:
    return "Custom weights" if option == CUSTOM else definition_label(option)


def custom_state(definition: scoring.Definition) -> dict:
    """The custom widgets' values that start from `definition` (widget key -> value)."""
    state = {
        f"custom_weight_{name}": min(5.0, round(float(weight or 0) * 2) / 2)
        for name, weight in zip(scoring.NAMES, definition.weights)
    }
    state.update(
        custom_rule=definition.selection_rule,
        custom_top_share=min(25, max(1, round((definition.top_share or 0.04) * 100))),
        custom_top_n=int(definition.top_n or 50),
        custom_min_score=round(float(60 if definition.min_score is None else definition.min_score)),
        custom_gate_tenure=int(definition.gate_min_tenure_months or 0),
        custom_gate_tiers=list(definition.revenue_tiers),
        custom_gate_profit=definition.gate_positive_contribution,
        custom_gate_no_mistakes=definition.gate_no_mistake_flags,
    )
    return state


def rule_and_gates(definition: scoring.Definition) -> str:
    """E.g. "the best-scored 4 % of active customers · customer for 24+ months · tier A"."""
    gates = f" · {definition.gates_text()}" if definition.has_gates else ""
    return definition.rule_text() + gates


def start_from_preset() -> None:
    """The reader picked another definition to start from: load its weights, rule and gates."""
    st.session_state.update(custom_state(presets[st.session_state["custom_start"]]))


# The backtest: each definition as configured today, applied to the customers as they stood a year
# before the reporting date, and its picks followed to the reporting date, beside as many customers
# picked by revenue alone (marts.definition_backtest; the latest backtest date when it holds more).
BACKTEST_SQL = """
select definition_name, backtest_date, reporting_date, accounts_picked,
       retained_share, revenue_ranking_retained_share,
       revenue_growth, revenue_ranking_revenue_growth,
       cast(contribution_after as double) as contribution_after,
       cast(revenue_ranking_contribution_after as double) as revenue_ranking_contribution_after,
       profit_share, revenue_ranking_profit_share
from marts.definition_backtest
where backtest_date = (select max(backtest_date) from marts.definition_backtest)
"""
# Columns exported as a percentage (the mart holds shares, 0.25 for 25 %).
BACKTEST_PERCENT = (
    "retained_share",
    "revenue_ranking_retained_share",
    "revenue_growth",
    "revenue_ranking_revenue_growth",
    "profit_share",
    "revenue_ranking_profit_share",
)


def format_change(value: float | None) -> str:
    """0.065 -> '+6.5 %'; an en dash for unknown."""
    return format_share(value, 1, signed=True)


def change_words(value: float | None) -> str:
    """0.065 -> 'up 6.5 %', -0.03 -> 'down 3.0 %' (compared with a year before)."""
    if value is None or pd.isna(value):
        return "not comparable"
    if round(float(value) * 100, 1) == 0:
        return "unchanged"
    return f"{'up' if value > 0 else 'down'} {format_share(abs(value), 1)}"


def backtest_summary(row: pd.Series) -> str:
    """One definition's backtest in two sentences, beside revenue ranking's."""
    picked = int(row["accounts_picked"])
    then = f"{pd.Timestamp(row['backtest_date']):%d %B %Y}"
    return (
        f"**{definition_label(row['definition_name'])}** would have picked {picked:,} "
        f"accounts on {then}. Today {format_share(row['retained_share'])} of them still buy, their "
        f"revenue is {change_words(row['revenue_growth'])} on a year before, and they bring "
        f"{format_share(row['profit_share'])} of today's profit. The {picked:,} largest customers "
        f"by revenue on that date: {format_share(row['revenue_ranking_retained_share'])} still "
        f"buy, revenue {change_words(row['revenue_ranking_revenue_growth'])}, "
        f"{format_share(row['revenue_ranking_profit_share'])} of today's profit."
    )


def backtest_section(focus: str | None) -> None:
    """Would each definition have chosen well a year ago? One row per definition; `focus` is the
    definition summed up in a sentence above the table (balanced when it has no backtest)."""
    st.subheader("Would it have chosen well? (backtest)")
    frame = query(BACKTEST_SQL)
    if frame.empty:
        st.info(
            "The order history is too short for a backtest. A backtest picks the key accounts as "
            "the customers stood a year before the reporting date, and that needs a full year of "
            "orders before that date: two years of history in all.",
            icon=":material/history:",
        )
        return
    order = {name: position for position, name in enumerate(presets)}
    frame = (
        frame.assign(_order=frame["definition_name"].map(lambda name: order.get(name, len(order))))
        .sort_values(["_order", "definition_name"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    first = frame.iloc[0]
    then = f"{pd.Timestamp(first['backtest_date']):%d %B %Y}"
    now = f"{pd.Timestamp(first['reporting_date']):%d %B %Y}"
    names = frame["definition_name"].tolist()
    focus = next((name for name in (focus, "balanced") if name in names), names[0])
    st.markdown(backtest_summary(frame.iloc[names.index(focus)]))

    # Each cell: the definition's figure, then that of as many customers picked by revenue alone.
    def versus(column: str, fmt) -> pd.Series:
        return frame[column].map(fmt) + " vs " + frame[f"revenue_ranking_{column}"].map(fmt)

    table = pd.DataFrame(
        {
            "definition_name": frame["definition_name"],
            "definition": frame["definition_name"].map(definition_label),
            "accounts_picked": frame["accounts_picked"],
            "retained_share": versus("retained_share", format_share),
            "revenue_growth": versus("revenue_growth", format_change),
            "contribution_after": versus("contribution_after", format_money),
            "profit_share": versus("profit_share", format_share),
        }
    )
    by_revenue = f"as many customers picked by revenue alone on {then}"
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "definition_name": None,
            "definition": st.column_config.TextColumn("Definition"),
            "accounts_picked": st.column_config.NumberColumn(
                "Accounts picked a year ago",
                format="%,d",
                help=f"The key accounts the definition, as configured today, picks among the "
                f"customers as they stood on {then}.",
            ),
            "retained_share": st.column_config.TextColumn(
                "Still buying",
                help=f"Share of those accounts that bought from us in the twelve months to {now}; "
                f"after “vs”: the same for {by_revenue}.",
            ),
            "revenue_growth": st.column_config.TextColumn(
                "Revenue growth since",
                help=f"Their revenue in the twelve months to {now} against the twelve months to "
                f"{then}; after “vs”: the same for {by_revenue}.",
            ),
            "contribution_after": st.column_config.TextColumn(
                "Contribution since",
                help=f"What they earned us in the twelve months to {now}: gross margin minus cost "
                f"to serve (the gross margin where service costs are unknown); after “vs”: the "
                f"same for {by_revenue}.",
            ),
            "profit_share": st.column_config.TextColumn(
                "Share of today's profit",
                help="Their contribution as a share of what all active customers earn us today, "
                f"below 0 when they lose us money; after “vs”: the same for {by_revenue}.",
            ),
        },
    )
    st.caption(
        f"Each definition as configured today, applied to the customers as they stood on {then} "
        f"(the backtest date), its picks followed to {now} (the reporting date). In each cell, "
        f"after “vs”: the same figure for {by_revenue}, the way most key-account lists are drawn. "
        "A definition that chooses well keeps its accounts and brings a larger share of today's "
        "profit."
    )
    export = frame.drop(columns=["backtest_date", "reporting_date"]).assign(
        definition_name=table["definition"]
    )
    for column in BACKTEST_PERCENT:
        export[column] = export[column] * 100
    download_button(
        export.rename(
            columns={
                "definition_name": "Definition",
                "accounts_picked": "Accounts picked a year ago",
                "retained_share": "Still buying, %",
                "revenue_ranking_retained_share": "Still buying, by revenue, %",
                "revenue_growth": "Revenue growth since, %",
                "revenue_ranking_revenue_growth": "Revenue growth since, by revenue, %",
                "contribution_after": "Contribution since",
                "revenue_ranking_contribution_after": "Contribution since, by revenue",
                "profit_share": "Share of today's profit, %",
                "revenue_ranking_profit_share": "Share of today's profit, by revenue, %",
            }
        ),
        "definition-backtest.csv",
    )


st.title("Definitions lab")
input_gaps_notice()
st.caption(
    "Pick two or more definitions of a key account and see how the list changes. Scores use the "
    "warehouse's own formula, so a preset here shows exactly the published list (before manual "
    "overrides)."
)

presets = scoring.presets()
if not presets:
    st.warning("The warehouse holds no key-account definitions yet.")
    st.stop()

portfolio = query(
    """
    select reporting_date, active_customers,
           cast(revenue_t12m as double) as revenue_t12m,
           cast(net_contribution_t12m as double) as net_contribution_t12m
    from marts.portfolio_concentration
    """
)
if portfolio.empty or not portfolio["active_customers"].iloc[0]:
    st.warning("No customer has bought in the last twelve months: there is nothing to score yet.")
    st.stop()
total_revenue = float(portfolio["revenue_t12m"].iloc[0] or 0.0)
total_contribution = known_sum(portfolio["net_contribution_t12m"])
reporting_date = portfolio["reporting_date"].iloc[0]

options = [*presets, CUSTOM]
first = st.session_state.get("definition", "balanced")
first = first if first in presets else next(iter(presets))
second = "the_big_ones" if first != "the_big_ones" and "the_big_ones" in presets else None
chosen = st.multiselect(
    "Definitions to compare (the first one is the reference)",
    options,
    default=[name for name in (first, second) if name],
    format_func=option_label,
    key="lab_definitions",
    help="Presets come from the scorecard definitions configuration; 'Custom weights' lets you set "
    "the eight weights, the selection rule and the gates yourself.",
)

if CUSTOM in chosen:
    with st.container(border=True):
        st.markdown("**Custom weights** · relative: 2 counts twice as much as 1, 0 leaves it out")
        start_name = st.selectbox(
            "Start from",
            list(presets),
            index=list(presets).index("balanced") if "balanced" in presets else 0,
            format_func=definition_label,
            key="custom_start",
            on_change=start_from_preset,
            help="Loads that definition's weights, selection rule and gates; change any of them "
            "below.",
        )
        start_definition = presets[start_name]
        # First time here (or back after leaving the custom definition): the start's values.
        for key, value in custom_state(start_definition).items():
            st.session_state.setdefault(key, value)

        current, future = st.columns(2)
        current.caption("Performance today")
        future.caption("Future potential and fit")
        weights = []
        for name, label, perspective in ATTRIBUTES:
            column = current if perspective == "current" else future
            weights.append(column.slider(label, 0.0, 5.0, step=0.5, key=f"custom_weight_{name}"))
        rule = st.radio(
            "Which accounts to pick",
            list(scoring.SELECTION_RULES),
            format_func=scoring.SELECTION_RULES.get,
            horizontal=True,
            key="custom_rule",
        )
        top_share = top_n = min_score = None
        if rule == "top_share":
            top_share = (
                st.slider("Share of active customers, %", 1, 25, key="custom_top_share") / 100
            )
        elif rule == "top_n":
            top_n = int(st.number_input("Number of accounts", 1, 100_000, key="custom_top_n"))
        elif rule == "score_threshold":
            min_score = float(st.slider("Minimum score", 0, 100, key="custom_min_score"))

        st.markdown(
            f"**Who can be picked** · gates, starting from "
            f"{definition_label(start_name)}: {start_definition.gates_text()}"
        )
        st.caption(
            "A customer a gate keeps out is never picked; the list's length still counts every "
            "active customer."
        )
        tenure_column, tiers_column, profit_column, mistakes_column = st.columns(4)
        min_tenure = int(
            tenure_column.number_input(
                "Customer for at least, months",
                0,
                600,
                step=6,
                key="custom_gate_tenure",
                help="0 = no gate. A customer whose first order may predate the export passes: its "
                "tenure is at least what the export shows.",
            )
        )
        tiers = tiers_column.multiselect(
            "Revenue tiers",
            TIERS,
            key="custom_gate_tiers",
            placeholder="Any tier",
            help=f"Tier {pareto_tiers_text()}. Empty = no gate.",
        )
        positive = profit_column.checkbox(
            "Only customers that earn us money",
            key="custom_gate_profit",
            help="Contribution above 0 over the last twelve months (after cost to serve; gross "
            "margin where there are no service costs). A customer whose profit is unknown is not "
            "left out.",
        )
        no_mistakes = mistakes_column.checkbox(
            "No classic mistakes",
            key="custom_gate_no_mistakes",
            help="Leave out customers flagged big but unprofitable, big revenue one-off, or easy "
            "sell without growth (see Mistakes & oak trees).",
        )
        custom = scoring.Definition(
            name=CUSTOM,
            weights=tuple(weights),
            selection_rule=rule,
            top_share=top_share,
            top_n=top_n,
            min_score=min_score,
            description="Your own weights.",
            gate_min_tenure_months=min_tenure or None,
            gate_revenue_tiers="".join(tiers) or None,
            gate_positive_contribution=positive,
            gate_no_mistake_flags=no_mistakes,
        )
        if not custom.has_weight:
            st.warning(
                "Give at least one attribute a weight above 0 to score the custom definition."
            )

if len(chosen) < 2:
    st.info("Choose at least two definitions to compare their key-account lists.")
    backtest_section(chosen[0] if chosen else first)
    st.stop()

definitions = {name: (custom if name == CUSTOM else presets[name]) for name in chosen}
if not all(definition.has_weight for definition in definitions.values()):
    backtest_section(chosen[0])
    st.stop()


# One narrow frame per definition: every active customer's score and rank, and whether it is picked.
scored = {
    name: scoring.what_if_scores(definition, columns=LIST_COLUMNS)
    for name, definition in definitions.items()
}
picked = {name: frame[frame["is_key_account_computed"]] for name, frame in scored.items()}
reference = chosen[0]
reference_ids = set(picked[reference]["customer_id"])

# --- Summary -----------------------------------------------------------------------------------
rows = []
for name in chosen:
    frame = picked[name]
    ids = set(frame["customer_id"])
    revenue = float(frame["revenue_t12m"].sum())
    contribution = known_sum(frame["net_contribution_t12m"])
    rows.append(
        {
            "definition": option_label(name),
            "accounts": len(frame),
            "revenue": revenue,
            "revenue_share": revenue / total_revenue * 100 if total_revenue else None,
            "contribution": contribution,
            "contribution_share": contribution / total_contribution * 100
            if contribution is not None and (total_contribution or 0) > 0
            else None,
            "net_margin": contribution / revenue * 100
            if contribution is not None and revenue > 0
            else None,
            "in_common": len(ids & reference_ids),
            "enter": len(ids - reference_ids),
            "leave": len(reference_ids - ids),
        }
    )
summary = pd.DataFrame(rows)

st.subheader("What each list captures")
st.caption(
    f"As of {reporting_date:%d %B %Y}, trailing twelve months: {format_money(total_revenue)} revenue "
    f"and {format_money(total_contribution)} net contribution from "
    f"{int(portfolio['active_customers'].iloc[0]):,} active customers."
)
cards_per_row = 2 if len(chosen) <= 4 else 3
for start in range(0, len(rows), cards_per_row):
    for column, name, row in zip(
        st.columns(cards_per_row),
        chosen[start : start + cards_per_row],
        rows[start : start + cards_per_row],
    ):
        with column.container(border=True):
            st.markdown(f"**{row['definition']}** · {rule_and_gates(definitions[name])}")
            accounts, revenue, contribution = st.columns(3)
            accounts.metric(
                "Accounts",
                f"{row['accounts']:,}",
                "the reference"
                if name == reference
                else f"{row['enter']:,} in, {row['leave']:,} out",
                delta_color="off",
                delta_arrow="off",
            )
            revenue.metric(
                "Revenue captured",
                format_money(row["revenue"]),
                f"{format_share(row['revenue_share'] / 100)} of all"
                if row["revenue_share"] is not None
                else None,
                delta_color="off",
                delta_arrow="off",
            )
            contribution.metric(
                "Net contribution",
                format_money(row["contribution"]),
                f"{format_share(row['contribution_share'] / 100)} of all"
                if row["contribution_share"] is not None
                else None,
                delta_color="off",
                delta_arrow="off",
            )

figure = go.Figure(
    [
        go.Bar(
            name="Revenue", x=summary["definition"], y=summary["revenue"], marker_color="#4C78A8"
        ),
        go.Bar(
            name="Net contribution",
            x=summary["definition"],
            y=summary["contribution"],
            marker_color="#54A24B",
        ),
    ]
)
figure.update_layout(
    barmode="group",
    height=340,
    margin={"t": 30, "b": 10},
    yaxis_title=f"{currency_symbol().strip()}, last 12 months",
    yaxis_tickprefix=currency_symbol(),
    yaxis_tickformat="~s",
    legend={"orientation": "h", "y": 1.1},
)
st.plotly_chart(figure, width="stretch")
st.caption(
    "Revenue and net contribution (gross margin minus cost to serve) of the accounts each "
    "definition picks: a list of big but unprofitable accounts shows high revenue, low contribution."
)

st.dataframe(
    summary,
    hide_index=True,
    width="stretch",
    column_config={
        "definition": "Definition",
        "accounts": st.column_config.NumberColumn("Accounts", format="%,d"),
        "revenue": st.column_config.NumberColumn("Revenue captured", format=money_format()),
        "revenue_share": st.column_config.NumberColumn("Share of revenue", format="%.1f %%"),
        "contribution": st.column_config.NumberColumn("Net contribution captured", format=money_format()),
        "contribution_share": st.column_config.NumberColumn(
            "Share of contribution", format="%.1f %%"
        ),
        "net_margin": st.column_config.NumberColumn("Net margin of the list", format="%.1f %%"),
        "in_common": st.column_config.NumberColumn(
            f"Also in {option_label(reference)}", format="%,d"
        ),
        "enter": st.column_config.NumberColumn("Enter", format="%,d"),
        "leave": st.column_config.NumberColumn("Leave", format="%,d"),
    },
)
st.caption(
    f"One row per definition. 'Enter' and 'Leave' count the accounts that join or drop off "
    f"compared with {option_label(reference)}."
)
download_button(summary, "definitions-comparison.csv")

# --- Backtest ----------------------------------------------------------------------------------
backtest_section(reference)

# --- Overlap -----------------------------------------------------------------------------------
st.subheader("Overlap")
labels = [option_label(name) for name in chosen]
id_sets = [set(picked[name]["customer_id"]) for name in chosen]
overlap = [[len(a & b) for b in id_sets] for a in id_sets]
heatmap = go.Figure(
    go.Heatmap(
        z=overlap,
        x=labels,
        y=labels,
        text=[[f"{value:,}" for value in row] for row in overlap],
        texttemplate="%{text}",
        colorscale="Blues",
        showscale=False,
        hovertemplate="%{y} and %{x}: %{z:,} accounts in common<extra></extra>",
    )
)
heatmap.update_layout(
    height=60 + 45 * len(chosen), margin={"t": 10, "b": 10}, yaxis_autorange="reversed"
)
st.plotly_chart(heatmap, width="stretch")
st.caption(
    "Accounts two definitions have in common; the diagonal is the length of each list. "
    "Low numbers off the diagonal mean the definitions disagree about who is key."
)

# --- Lists side by side ------------------------------------------------------------------------
st.subheader("The lists side by side")
list_config = {
    "score_rank": st.column_config.NumberColumn("Rank", format="%d"),
    "customer_name": "Customer",
    "score": st.column_config.NumberColumn("Score", format="%.1f"),
    "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
    "net_contribution_t12m": st.column_config.NumberColumn("Net contribution", format=money_format()),
}
per_row = min(len(chosen), 3)
for start in range(0, len(chosen), per_row):
    columns = st.columns(per_row)
    for column, name in zip(columns, chosen[start : start + per_row]):
        frame = picked[name][
            ["score_rank", "customer_name", "score", "revenue_t12m", "net_contribution_t12m"]
        ]
        with column:
            st.markdown(f"**{option_label(name)}**")
            gated = int(scored[name]["excluded_by_gate"].notna().sum())
            st.caption(
                f"{len(frame):,} accounts · {rule_and_gates(definitions[name])}"
                + (f" · {gated:,} customers left out by a gate" if gated else "")
            )
            st.dataframe(
                frame, hide_index=True, width="stretch", height=380, column_config=list_config
            )
            download_button(frame, f"key-accounts-{name.lower()}.csv")

# --- Who enters, who leaves --------------------------------------------------------------------
st.subheader(f"Who enters and who leaves, compared with {option_label(reference)}")
move_config = {
    "customer_name": "Customer",
    "rank_here": st.column_config.NumberColumn("Rank", format="%d"),
    "score_here": st.column_config.NumberColumn("Score", format="%.1f"),
    "rank_reference": st.column_config.NumberColumn(
        f"Rank in {option_label(reference)}", format="%d"
    ),
    "score_reference": st.column_config.NumberColumn(
        f"Score in {option_label(reference)}", format="%.1f"
    ),
    "revenue_t12m": st.column_config.NumberColumn("Revenue, 12 months", format=money_format()),
    "net_contribution_t12m": st.column_config.NumberColumn("Net contribution", format=money_format()),
    # Why a customer is not on the other list, when a gate keeps it off.
    "gate_reference": f"Kept out of {option_label(reference)} by",
    "gate_here": "Kept out here by",
}
reference_frame = scored[reference][
    ["customer_id", "score", "score_rank", "excluded_by_gate"]
].rename(
    columns={
        "score": "score_reference",
        "score_rank": "rank_reference",
        "excluded_by_gate": "gate_reference",
    }
)
tabs = st.tabs([option_label(name) for name in chosen[1:]])
for tab, name in zip(tabs, chosen[1:]):
    here = scored[name].rename(
        columns={"score": "score_here", "score_rank": "rank_here", "excluded_by_gate": "gate_here"}
    )
    both = here.merge(reference_frame, on="customer_id")
    for gate in ("gate_here", "gate_reference"):
        both[gate] = both[gate].map(scoring.gate_label)
    in_here = both["is_key_account_computed"]
    in_reference = both["customer_id"].isin(reference_ids)
    ordered = [
        "customer_name",
        "rank_here",
        "score_here",
        "rank_reference",
        "score_reference",
        "revenue_t12m",
        "net_contribution_t12m",
    ]
    # An entering account may have been kept out of the reference by a gate, a leaving one here.
    entering = both[in_here & ~in_reference].sort_values("rank_here")[[*ordered, "gate_reference"]]
    leaving = both[~in_here & in_reference].sort_values("rank_reference")[[*ordered, "gate_here"]]
    with tab:
        enter_column, leave_column = st.columns(2)
        with enter_column:
            st.markdown(f"**Enter** · {len(entering):,} accounts")
            st.caption(
                f"Picked by {option_label(name)} but not by {option_label(reference)}: "
                f"{format_money(float(entering['revenue_t12m'].sum()))} revenue, "
                f"{format_money(known_sum(entering['net_contribution_t12m']))} net contribution."
            )
            st.dataframe(
                entering, hide_index=True, width="stretch", height=320, column_config=move_config
            )
            download_button(entering, f"enter-{name.lower()}-vs-{reference.lower()}.csv")
        with leave_column:
            st.markdown(f"**Leave** · {len(leaving):,} accounts")
            st.caption(
                f"Picked by {option_label(reference)} but not by {option_label(name)}: "
                f"{format_money(float(leaving['revenue_t12m'].sum()))} revenue, "
                f"{format_money(known_sum(leaving['net_contribution_t12m']))} net contribution."
            )
            st.dataframe(
                leaving, hide_index=True, width="stretch", height=320, column_config=move_config
            )
            download_button(leaving, f"leave-{name.lower()}-vs-{reference.lower()}.csv")
