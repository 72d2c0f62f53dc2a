"""Mistakes & oak trees: the key accounts that only look key (big but unprofitable, a one-off
project, an easy sell without growth), with the figures that raised each flag, and tomorrow's oak
trees: small accounts with growth, wallet headroom and fit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.ui import (
    FLAGS,
    MISTAKE_FLAGS,
    Figure,
    account_filters,
    account_link,
    definition_label,
    definition_select,
    definitions,
    format_money,
    format_share,
    input_gaps_notice,
    manager_labels,
    run_settings,
    show_chart,
    show_table,
    url_widget,
)
from dashboard.warehouse import query

DISPLAY_LIMIT = 1000
OAK = "is_tomorrows_oak"
# Each flag's colour and hatching in the chart: the hatching and the count written in each segment
# tell the flags apart without the colours.
FLAG_STYLES = {
    "is_big_but_unprofitable": ("#b03a2e", ""),
    "is_big_revenue_one_off": ("#e8a33d", "/"),
    "is_easy_sell_no_growth": ("#6a51a3", "x"),
}

# Per flag: the column with the sentence, what the flag means (with the limits this run used), and
# the figures behind it (column -> Figure).
REVENUE = Figure("Revenue, 12 months", help="What the customer bought in the last twelve months, after discounts and returns.")
GROWTH = Figure(
    "Growth a year",
    "growth",
    help="Revenue growth a year: year on year, else the three-year trend. '> +999 %': the customer bought "
    "next to nothing the year before.",
)
SHARE_OF_WALLET = Figure(
    "Share of wallet",
    "share",
    help="Our revenue as a share of what the customer spends a year on what we sell.",
)
STRATEGIC_FIT = Figure(
    "Strategic fit", "rating", help="The account team's score, 1 to 5, of how well the customer fits where we want to go."
)
limits = run_settings()
tier_a = format_share(limits["pareto_a_cutoff"])
one_off_months = int(limits["flag_one_off_max_tenure_months"])
relationship_years = int(limits["loyalty_full_tenure_years"])
FLAG_DETAILS = {
    "is_big_but_unprofitable": {
        "reason": "big_but_unprofitable_reason",
        "meaning": f"In revenue tier A (the customers making the first {tier_a} of revenue), but the margin after "
        "discounts and cost to serve (the gross margin where no service costs are known) is under "
        f"{format_share(limits['flag_unprofitable_max_share_of_typical_margin'])} of what the typical customer "
        "earns us, or a loss: big buyers with the procurement power to squeeze our price, or accounts that cost "
        "more to serve than they earn.",
        "figures": {
            "revenue_t12m": REVENUE,
            "gross_margin_pct_t12m": Figure(
                "Gross margin", "share", digits=1, help="Revenue minus the cost of the goods, as a share of revenue."
            ),
            "cost_to_serve_t12m": Figure(
                "Cost to serve", help="Support, visits, rush shipping and returns handling, last twelve months."
            ),
            "net_contribution_t12m": Figure(
                "Net contribution", help="Gross margin minus cost to serve: what the customer earned us."
            ),
            "contribution_margin_pct_t12m": Figure(
                "Margin judged",
                "share",
                digits=1,
                help="The margin the flag looks at: net contribution as a share of revenue (the gross margin "
                "where no service costs are known).",
            ),
        },
    },
    "is_big_revenue_one_off": {
        "reason": "big_revenue_one_off_reason",
        "meaning": f"In revenue tier A, but a customer for less than {one_off_months} months that has ordered in "
        f"{int(limits['flag_one_off_max_active_months'])} months or fewer in all: a temporary project, not a "
        f"relationship of {relationship_years} years or more. Where the export starts less than {one_off_months} "
        "months ago, the ordering rhythm alone decides.",
        "figures": {
            "revenue_t12m": REVENUE,
            "tenure_months": Figure("Months a customer", "count", help="Months since the first order we know of."),
            "active_months_lifetime": Figure(
                "Months with orders", "count", help="Months with at least one order, over the whole history."
            ),
            "order_count_lifetime": Figure("Orders", "count", help="Orders over the whole history."),
        },
    },
    "is_easy_sell_no_growth": {
        "reason": "easy_sell_no_growth_reason",
        "meaning": f"Orders in at least {int(limits['flag_easy_sell_min_active_quarters'])} of the last 4 quarters, "
        "predictably (monthly or once a quarter), but revenue is flat or shrinking (growth of "
        f"{format_share(limits['flag_easy_sell_max_growth'])} a year at most), we already have "
        f"{format_share(limits['flag_easy_sell_min_share_of_wallet'])} or more of the wallet, and the account does "
        f"not fit where we want to go (strategic fit {limits['flag_easy_sell_max_strategic_fit']:g} / 5 or less).",
        "figures": {
            "revenue_t12m": REVENUE,
            "active_quarters_t12m": Figure(
                "Quarters with orders", "count", help="Of the last four quarters, how many had an order."
            ),
            "quarterly_revenue_volatility": Figure(
                "Volatility",
                "number",
                digits=2,
                help="How much revenue swings from quarter to quarter (standard deviation over the mean): "
                "0 is the same every quarter, 1 and above is erratic.",
            ),
            "revenue_growth": GROWTH,
            "share_of_wallet": SHARE_OF_WALLET,
            "strategic_fit_score": STRATEGIC_FIT,
        },
    },
    OAK: {
        "reason": "tomorrows_oak_reason",
        "meaning": f"Outside revenue tier A today, but growing by {format_share(limits['flag_oak_min_growth'])} a "
        "year or more (weighed by the revenue behind the growth) and steadily (orders in at least "
        f"{int(limits['flag_oak_min_active_months'])} of the last 12 months, or in every quarter), with "
        f"{format_share(1 - limits['flag_oak_max_share_of_wallet'])} or more of the wallet still to win and a "
        f"strategic fit of {limits['flag_oak_min_strategic_fit']:g} / 5 or more (or not yet assessed): ranking by "
        "revenue hides them. They make the development list beside the key accounts.",
        "figures": {
            "revenue_t12m": REVENUE,
            "revenue_growth": GROWTH,
            "revenue_growth_material": Figure(
                "Growth by size",
                "growth",
                help="The growth weighed by the revenue behind it, so a tiny customer doubling counts for little.",
            ),
            "share_of_wallet": SHARE_OF_WALLET,
            "wallet_headroom": Figure(
                "Wallet headroom", help="What the customer spends a year on what we sell, elsewhere: ours to win."
            ),
            "strategic_fit_score": STRATEGIC_FIT,
        },
    },
}

st.set_page_config(layout="wide")
definition = definition_select()
label = definition_label(definition)

st.title("Mistakes & oak trees")
input_gaps_notice()
st.caption(
    f"Key accounts under **{label}** that only look key — big but unprofitable, a one-off project, an easy "
    "sell without growth — with the figures that raised each flag; and tomorrow's oak trees that a revenue "
    "ranking hides."
)

chosen = account_filters("mistakes", ("region", "industry", "manager"), columns=3)
where, params = chosen.where("m")

counts = query(
    f"""
    select {", ".join(
        f"count(*) filter (where m.{flag}) as {flag}_all, "
        f"count(*) filter (where m.{flag} is null and m.is_active) as {flag}_unknown, "
        f"count(*) filter (where m.{flag} and s.is_key_account) as {flag}_key, "
        f"coalesce(sum(m.revenue_t12m) filter (where m.{flag} and s.is_key_account), 0) as {flag}_key_revenue, "
        f"coalesce(sum(m.revenue_t12m) filter (where m.{flag}), 0) as {flag}_all_revenue"
        for flag in FLAGS
    )},
    count(*) filter (where s.is_key_account) as key_accounts,
    count(*) filter (where s.is_key_account and (m.{" or m.".join(MISTAKE_FLAGS)})) as false_key_accounts
    from marts.customer_metrics m
    left join marts.key_account_scorecard s on s.customer_id = m.customer_id and s.definition_name = ?
    where {where}
    """,
    (definition, *params),
).iloc[0]

key_accounts = int(counts["key_accounts"])
false_keys = int(counts["false_key_accounts"])
flagged = sum(int(counts[f"{flag}_all"]) for flag in MISTAKE_FLAGS)
# A definition that avoids every mistake would open the page on three zeros and hide the customers
# a revenue ranking would have made key accounts by mistake: then it opens on every flagged customer.
everyone = url_widget(
    st.toggle,
    "Show every flagged customer, not only key accounts",
    key="mistakes_all_customers",
    param="all_customers",
    what="setting",
    default=key_accounts > 0 and false_keys == 0,
    persist_state="session",
    help="Off: the false key accounts, i.e. key accounts under the chosen definition that carry a mistake flag.",
)
scope = "all" if everyone else "key"


def _not_judged(flag: str) -> str:
    """Customers the flag could not judge because a figure it needs is unknown (a missing input,
    too little history): a zero count is not a clean bill of health."""
    unknown = int(counts[f"{flag}_unknown"])
    return f" · **{unknown:,} not judged**: a figure it needs is unknown" if unknown else ""


row = st.columns(4)
for slot, flag in zip(row, FLAGS):
    if flag == OAK:
        already = int(counts[f"{OAK}_key"])
        slot.metric(
            "Tomorrow's oaks",
            f"{int(counts[f'{OAK}_all']):,}",
            border=True,
            help="Customers flagged as tomorrow's oak trees, key account or not.",
        )
        slot.caption(
            f"{already:,} of them already {'a key account' if already == 1 else 'key accounts'} under {label}"
            + _not_judged(OAK)
        )
    else:
        slot.metric(
            FLAGS[flag],
            f"{int(counts[f'{flag}_{scope}']):,}",
            border=True,
            help=("Customers" if everyone else "Key accounts") + " carrying this flag.",
        )
        slot.caption(
            f"{format_money(counts[f'{flag}_{scope}_revenue'])} revenue"
            + ("" if everyone else f" · {int(counts[f'{flag}_all']):,} customers flagged in all")
            + _not_judged(flag)
        )

if not key_accounts:
    st.markdown(f"No key accounts under {label} for these filters.")
elif false_keys:
    st.markdown(
        f"**{false_keys:,} of {key_accounts:,} key accounts** under {label} carry at least one mistake flag."
    )
else:
    st.markdown(
        f"**None of the {key_accounts:,} key accounts** under {label} carries a mistake flag: the "
        f"definition avoids them. {flagged:,} flags are raised on other customers"
        + (", shown below (the big ones among them are what a revenue ranking would pick)."
           if everyone else ".")
    )

# --- Mistakes by definition ------------------------------------------------------------------

by_definition = query(
    f"""
    select s.definition_name,
           count(*) filter (where s.is_key_account) as key_accounts,
           {", ".join(f"count(*) filter (where s.is_key_account and m.{flag}) as {flag}" for flag in FLAGS)}
    from marts.key_account_scorecard s
    join marts.customer_metrics m on m.customer_id = s.customer_id
    where {where}
    group by s.definition_name
    """,
    params,
)
order = definitions()["definition_name"].tolist()
by_definition = by_definition.set_index("definition_name").reindex([n for n in order if n in set(by_definition["definition_name"])]).reset_index()
left, right = st.columns([3, 2])
with left:
    st.subheader("Mistakes under each definition")
    names = [definition_label(n) + (" ◀" if n == definition else "") for n in by_definition["definition_name"]]
    figure = go.Figure()
    for flag in MISTAKE_FLAGS:
        colour, hatching = FLAG_STYLES[flag]
        counts_shown = by_definition[flag]
        figure.add_trace(
            go.Bar(
                y=names,
                x=counts_shown,
                orientation="h",
                name=FLAGS[flag],
                marker={"color": colour, "line": {"color": "#ffffff", "width": 1},
                        "pattern": {"shape": hatching, "bgcolor": colour, "fgcolor": "rgba(255,255,255,0.6)", "size": 10,
                                    "solidity": 0.2}},
                # The count in each segment wide enough to hold it, so the flags read without colour.
                text=[f"{int(n)}" if n else "" for n in counts_shown],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont={"color": "#1f1f1f" if flag == "is_big_revenue_one_off" else "#ffffff"},
                hovertemplate="%{y}: %{x} key accounts " + FLAGS[flag].lower() + "<extra></extra>",
            )
        )
    totals = by_definition[list(MISTAKE_FLAGS)].sum(axis=1)
    figure.add_trace(
        go.Scatter(
            y=names,
            x=totals,
            mode="text",
            text=[f" {int(n)} in all" if n else " none" for n in totals],
            textposition="middle right",
            showlegend=False,
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Bar(
            y=names,
            x=by_definition[OAK],
            orientation="h",
            name="Tomorrow's oaks picked",
            marker_color="#2e8b57",
            visible="legendonly",
            hovertemplate="%{y}: %{x} of tomorrow's oaks among the key accounts<extra></extra>",
        )
    )
    figure.update_layout(
        barmode="stack",
        height=380,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        yaxis={"autorange": "reversed"},
        xaxis={
            "title": "Key accounts with the flag",
            "range": [0, max(1.0, float((totals + by_definition[OAK]).max())) * 1.2],
        },
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
    )
    show_chart(figure, key="mistakes_by_definition")
    st.caption(
        "How many of each definition's key accounts carry a mistake flag, the count written in each segment "
        "(big but unprofitable solid, big revenue one-off striped, easy sell crossed) and the total at the end; "
        "◀ marks the definition in use. Click “Tomorrow's oaks picked” to add the oak trees each list contains."
    )
with right:
    st.subheader("What the flags mean")
    for flag in FLAGS:
        st.markdown(f"**{FLAGS[flag]}** — {FLAG_DETAILS[flag]['meaning']}")

# --- The flagged accounts --------------------------------------------------------------------



def flagged(flag: str, only_key: bool) -> tuple[pd.DataFrame, int]:
    """The accounts carrying the flag (under the filters), largest revenue first, and their count."""
    details = FLAG_DETAILS[flag]
    figures = ", ".join(f"m.{column}" for column in details["figures"])
    condition = f"m.{flag} and {where}" + (" and s.is_key_account" if only_key else "")
    frame = query(
        f"""
        select m.customer_id, m.customer_name, coalesce(s.is_key_account, false) as is_key_account,
               s.score_rank, {figures}, m.{details['reason']} as reason, m.account_manager_id, m.region
        from marts.customer_metrics m
        left join marts.key_account_scorecard s on s.customer_id = m.customer_id and s.definition_name = ?
        where {condition}
        order by {"m.wallet_headroom desc nulls last" if flag == OAK else "m.revenue_t12m desc"}, m.customer_id
        limit ?
        """,
        (definition, *params, DISPLAY_LIMIT),
    )
    total = int(counts[f"{flag}_key" if only_key else f"{flag}_all"])
    return frame, total


def show(flag: str, only_key: bool) -> None:
    details = FLAG_DETAILS[flag]
    frame, total = flagged(flag, only_key)
    st.caption(details["meaning"])
    if frame.empty:
        if only_key:
            others = by_definition[by_definition["definition_name"] != definition].sort_values(flag, ascending=False)
            hint = (
                f" Under {definition_label(others.iloc[0]['definition_name'])}, {int(others.iloc[0][flag]):,} would be."
                if not others.empty and int(others.iloc[0][flag])
                else ""
            )
            st.success(
                f"No key account under {label} is flagged “{FLAGS[flag].lower()}”: this definition avoids the "
                f"mistake. {int(counts[f'{flag}_all']):,} customers carry the flag in all.{hint}"
            )
        else:
            st.success(f"No customer is flagged “{FLAGS[flag].lower()}”.")
        return
    table = frame.assign(manager=manager_labels(frame["account_manager_id"]))
    key = f"mistakes_table_{flag}"
    what = "key accounts" if only_key else "customers"
    shown = f"The first {len(table):,} of {total:,} {what}" if len(table) < total else f"{len(table):,} {what}"
    selection = show_table(
        table,
        {
            "customer_id": None,
            "customer_name": st.column_config.TextColumn("Customer", width="medium"),
            "reason": st.column_config.TextColumn(
                "Why it is flagged", width="large", help="The figures that raised the flag, in a sentence."
            ),
            "is_key_account": st.column_config.CheckboxColumn("Key account", help=f"Key account under {label}"),
            **details["figures"],
            "score_rank": Figure(
                "Rank",
                "count",
                help=f"The account's place by score under {label}; a dash: not scored, as it bought nothing "
                "in the last twelve months.",
            ),
            "manager": st.column_config.TextColumn("Account manager"),
            "region": st.column_config.TextColumn("Region"),
        },
        export=f"{flag.removeprefix('is_').replace('_', '-')}-{definition}.csv",
        export_also={"customer_id": "Customer id"},
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        caption=f"{shown} flagged “{FLAGS[flag].lower()}”, "
        + ("most wallet headroom first" if flag == OAK else "largest revenue first")
        + ", with the figures that raised the flag. Select a row to open the account.",
    )
    picked = selection.selection.rows if selection is not None else []
    if picked:
        chosen_row = table.iloc[picked[0]]
        account_link(chosen_row["customer_id"], chosen_row["customer_name"])


tabs = st.tabs(
    [f"{FLAGS[flag]} ({int(counts[f'{flag}_{scope}']):,})" for flag in MISTAKE_FLAGS]
    + [f"Tomorrow's oaks ({int(counts[f'{OAK}_all']):,})"]
)
for tab, flag in zip(tabs, MISTAKE_FLAGS):
    with tab:
        show(flag, only_key=not everyone)
with tabs[-1]:
    show(OAK, only_key=False)
