"""Scorecard: every active account with its score, rank, tiers, flags and manager under the chosen
definition, and for one account the contribution of each attribute to its score."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import scoring
from dashboard.text import chart_text, markdown_text
from dashboard.ui import (
    ATTRIBUTES,
    MISTAKE_FLAGS,
    PERSPECTIVES,
    WALLET_SOURCES,
    Figure,
    account_filters,
    account_link,
    definition_label,
    definition_select,
    definitions,
    flag_labels,
    format_growth,
    format_money,
    format_share,
    input_gaps_notice,
    key_account_count_note,
    manager_labels,
    manager_names,
    pareto_tiers_text,
    selection_rule_text,
    show_chart,
    show_table,
    url_widget,
)
from dashboard.warehouse import query

# The table shows at most this many accounts (best ranked first); filters narrow the rest down.
DISPLAY_LIMIT = 1000

ACCOUNT_KEY = "scorecard_account"
TABLE_KEY = "scorecard_table"
IDS_KEY = "_scorecard_ids"

st.set_page_config(layout="wide")
definition = definition_select()
details = definitions()
details = details[details["definition_name"] == definition]
rule = details.iloc[0] if not details.empty else pd.Series(dtype=object)

st.title("Scorecard")
input_gaps_notice()
st.caption(
    f"Every active customer scored 0–100 under **{definition_label(definition)}**, which "
    f"picks {selection_rule_text(rule)}. Filter the list, then pick an account to see why it is, or is not, key."
)

chosen = account_filters("scorecard")
key_only = url_widget(
    st.toggle,
    "Key accounts only",
    key="scorecard_key_only",
    param="key_only",
    what="setting",
    persist_state="session",
    help="Only the accounts the definition picks, after manual decisions.",
)
where, params = chosen.where("m")
if key_only:
    where += " and s.is_key_account"

base = f"""
    from marts.key_account_scorecard s
    join marts.customer_metrics m on m.customer_id = s.customer_id
    where s.definition_name = ? and {where}
"""
totals = query(
    f"""
    select count(*) as accounts,
           count(*) filter (where s.is_key_account) as key_accounts,
           coalesce(sum(m.revenue_t12m), 0) as revenue_t12m,
           -- Unknown stays unknown (no service costs); only an empty list sums to 0.
           case when count(*) = 0 then 0 else sum(m.net_contribution_t12m) end as net_contribution_t12m
    {base}
    """,
    (definition, *params),
).iloc[0]
rows = query(
    f"""
    select s.score_rank, s.customer_id, s.customer_name, s.score, s.is_key_account,
           s.is_key_account_computed, s.is_development_account, s.override_status, s.revenue_tier, s.contribution_tier,
           s.is_big_but_unprofitable, s.is_big_revenue_one_off, s.is_easy_sell_no_growth, s.is_tomorrows_oak,
           s.account_manager_id, m.region, m.industry, m.revenue_t12m, m.net_contribution_t12m
    {base}
    order by s.score_rank
    limit ?
    """,
    (definition, *params, DISPLAY_LIMIT),
)

row = st.columns(4)
row[0].metric(
    "Matching accounts",
    f"{int(totals['accounts']):,}",
    border=True,
    help="Active customers (they bought in the last twelve months) that pass the filters above.",
)
row[1].metric(
    "Key accounts among them",
    f"{int(totals['key_accounts']):,}",
    border=True,
    help="Those the definition picks, after manual decisions that make an account key or take it off.",
)
row[2].metric(
    "Their revenue, 12 months",
    format_money(totals["revenue_t12m"]),
    border=True,
    help="What they bought in the last twelve months, after discounts and returns.",
)
row[3].metric(
    "Their net contribution",
    format_money(totals["net_contribution_t12m"]),
    border=True,
    help="What they earned us in the last twelve months: gross margin minus cost to serve. A dash: "
    "unknown, as no service costs were loaded.",
)
count_note = key_account_count_note(definition)
if count_note:
    st.caption(count_note)

if rows.empty:
    st.info("No account matches these filters. Clear one to see more.")
    st.stop()

names = manager_names()
shown = pd.DataFrame(
    {
        "score_rank": rows["score_rank"],
        "customer_name": rows["customer_name"],
        "is_key_account": rows["is_key_account"],
        "is_development_account": rows["is_development_account"].fillna(False).astype(bool),
        "score": rows["score"],
        "revenue_tier": rows["revenue_tier"],
        "contribution_tier": rows["contribution_tier"],
        "flags": flag_labels(rows),
        "manager": manager_labels(rows["account_manager_id"]),
        "region": rows["region"],
        "industry": rows["industry"],
        "revenue_t12m": rows["revenue_t12m"].astype(float),
        "net_contribution_t12m": rows["net_contribution_t12m"].astype(float),
        "status": rows["override_status"].map({"key": "Key by decision", "not_key": "Not key by decision"}).fillna(""),
        "customer_id": rows["customer_id"],
    }
)
ids = shown["customer_id"].tolist()
st.session_state[IDS_KEY] = ids


def _pick_from_table() -> None:
    """A row picked in the table becomes the account explained below."""
    picked = st.session_state[TABLE_KEY].selection.rows
    if picked and picked[0] < len(st.session_state.get(IDS_KEY, [])):
        st.session_state[ACCOUNT_KEY] = st.session_state[IDS_KEY][picked[0]]


shown_text = (
    f"The best-ranked {len(shown):,} of {int(totals['accounts']):,} matching accounts (narrow the filters to see others)"
    if len(shown) < int(totals["accounts"])
    else f"{len(shown):,} accounts"
)
filters_text = chosen.describe()
show_table(
    shown,
    {
        "score_rank": st.column_config.NumberColumn("Rank", format="%d", width="small"),
        "customer_name": st.column_config.TextColumn("Customer", width="large"),
        "is_key_account": st.column_config.CheckboxColumn(
            "Key account", help="Picked by the definition, after manual decisions."
        ),
        "is_development_account": st.column_config.CheckboxColumn(
            "Development list",
            help="A tomorrow's oak this definition does not pick: small today, growing fast, most of its "
            "wallet still to win. An account to grow into a key account.",
        ),
        "score": st.column_config.ProgressColumn(
            "Score",
            min_value=0,
            max_value=100,
            format="%.1f",
            help="0–100: the definition's weighted mix of the eight attributes (select a row to see them).",
        ),
        "revenue_tier": st.column_config.TextColumn(
            "Revenue tier", help=f"Pareto tier on revenue: {pareto_tiers_text()}."
        ),
        "contribution_tier": st.column_config.TextColumn(
            "Profit tier", help="Pareto tier on net contribution, cut like the revenue tier."
        ),
        "flags": st.column_config.TextColumn(
            "Flags", width="medium", help="Classic mistakes and tomorrow's oaks: see Mistakes & oak trees."
        ),
        "manager": st.column_config.TextColumn("Account manager"),
        "region": st.column_config.TextColumn("Region"),
        "industry": st.column_config.TextColumn("Industry"),
        "revenue_t12m": Figure(
            "Revenue, 12 months", help="What the customer bought in the last twelve months, after discounts and returns."
        ),
        "net_contribution_t12m": Figure(
            "Net contribution",
            help="What the customer earned us in the last twelve months: gross margin minus cost to serve "
            "(support, visits, rush shipping, returns handling). A dash: unknown.",
        ),
        "status": st.column_config.TextColumn(
            "Override", help="A manual decision that makes the account key, or not, whatever its score."
        ),
        "customer_id": st.column_config.TextColumn("Customer id"),
    },
    export=f"scorecard-{definition}.csv",
    height=420,
    key=TABLE_KEY,
    on_select=_pick_from_table,
    selection_mode="single-row",
    caption=f"{shown_text}, ranked by score under {definition_label(definition)}"
    + (f" · {filters_text}" if filters_text else "")
    + (" · key accounts only" if key_only else "")
    + ". Select a row to explain its score below.",
)

# --- Why is it (not) key? --------------------------------------------------------------------

st.subheader("Why is it, or is it not, a key account?")
labels = dict(zip(shown["customer_id"], "#" + shown["score_rank"].astype(str) + " · " + shown["customer_name"]))
account = url_widget(
    st.selectbox,
    "Account",
    ids,
    key=ACCOUNT_KEY,
    param="account",
    what="account",
    where="in the list above",
    format_func=lambda customer: labels.get(customer, customer),
    help="Any account in the list above; selecting a row in the table picks it too.",
)

columns = ", ".join(f"s.{a}_value, s.{a}_weight, s.{a}_contribution" for a in scoring.NAMES)
detail = query(
    f"""
    select s.customer_id, s.customer_name, s.score, s.score_rank, s.is_key_account, s.is_key_account_computed,
           s.excluded_by_gate, s.is_development_account, s.revenue_tier,
           s.is_big_but_unprofitable, s.is_big_revenue_one_off, s.is_easy_sell_no_growth,
           s.override_status, s.override_reason, s.override_expires_on, s.selection_rule, s.account_manager_id,
           {columns},
           m.revenue_t12m, m.net_contribution_t12m, m.net_margin_pct_t12m, m.cost_to_serve_t12m,
           m.contribution_t12m, m.contribution_basis, m.contribution_margin_pct_t12m,
           m.active_years, m.possible_years, m.tenure_months, m.repeat_rate,
           m.revenue_growth_yoy, m.revenue_trend_3y, m.revenue_trend_1y, m.revenue_growth,
           m.revenue_growth_material, m.wallet, m.wallet_source, m.wallet_headroom,
           m.share_of_wallet, m.strategic_fit_score, m.relationship_access_score, m.assessed_on
    from marts.key_account_scorecard s
    join marts.customer_metrics m on m.customer_id = s.customer_id
    where s.definition_name = ? and s.customer_id = ?
    """,
    (definition, account),
)
if detail.empty:
    st.info("This account is not in the scorecard under this definition.")
    st.stop()
d = detail.iloc[0]

benchmark = query(
    f"""
    select count(*) filter (where is_key_account_computed) as selected,
           min(score) filter (where is_key_account_computed) as cutoff_score,
           count(*) as scored,
           {", ".join(f"avg({a}_contribution) filter (where is_key_account) as {a}" for a in scoring.NAMES)},
           {", ".join(f"max({a}_weight) > 0 as {a}_weighted" for a in scoring.NAMES)}
    from marts.key_account_scorecard
    where definition_name = ?
    """,
    (definition,),
).iloc[0]


def _contribution_name() -> str:
    """What this account's profit figure is: net of cost to serve, or gross where none is known."""
    return "gross margin" if d["contribution_basis"] == "gross_margin" else "net contribution"


def _margin_name() -> str:
    return "gross margin" if d["contribution_basis"] == "gross_margin" else "net margin"


def _gate_reason(gate: str) -> str:
    """Why an eligibility gate keeps this account out, in words: the gate, the account's figure and
    what the definition asks for."""
    rules = scoring.presets().get(definition)
    if gate == "min_tenure":
        has = "tenure unknown" if pd.isna(d["tenure_months"]) else f"a customer for {int(d['tenure_months'])} months"
        asks = (
            f"the definition asks for {rules.gate_min_tenure_months} months or more"
            if rules and rules.gate_min_tenure_months
            else ""
        )
    elif gate == "revenue_tier":
        has = f"in revenue tier {d['revenue_tier']}" if pd.notna(d["revenue_tier"]) else "in no revenue tier"
        asks = f"the definition picks from tier {' or '.join(rules.revenue_tiers)}" if rules and rules.revenue_tiers else ""
    elif gate == "positive_contribution":
        has = f"{format_money(d['contribution_t12m'])} {_contribution_name()} in 12 months"
        asks = "the definition picks only customers that earn us money"
    elif gate == "mistake_flag":
        flagged = flag_labels(detail, MISTAKE_FLAGS).iloc[0]
        has = f"flagged {flagged}" if flagged else "flagged"
        asks = "the definition leaves out customers showing a classic mistake"
    else:
        has, asks = "", ""
    details = "; ".join(part for part in (has, asks) if part)
    return f"a gate keeps it out, whatever its score: **{scoring.gate_label(gate)}**" + (
        f" ({details})" if details else ""
    )


def _verdict() -> str:
    score = "no score" if pd.isna(d["score"]) else f"a score of {float(d['score']):.1f}"
    position = f"Ranked #{int(d['score_rank']):,} of {int(benchmark['scored']):,} with {score}"
    if pd.notna(d["excluded_by_gate"]):
        reason = _gate_reason(d["excluded_by_gate"])
    elif d["selection_rule"] == "manager_capacity":
        if pd.isna(d["account_manager_id"]):
            reason = "this definition picks each manager's best accounts, and this account has no manager"
        else:
            manager = query(
                """
                select count(*) filter (where score_rank <= ?) as place,
                       max(a.capacity_accounts) as capacity
                from marts.key_account_scorecard s
                left join marts.account_managers a on a.account_manager_id = s.account_manager_id
                where s.definition_name = ? and s.account_manager_id = ?
                """,
                (int(d["score_rank"]), definition, d["account_manager_id"]),
            ).iloc[0]
            capacity = "an unknown number of" if pd.isna(manager["capacity"]) else f"{int(manager['capacity'])}"
            who = markdown_text(names.get(d["account_manager_id"], d["account_manager_id"]))
            reason = (
                f"it is {who}'s #{int(manager['place'])} account, and {who} can carry {capacity} key accounts"
            )
    elif pd.notna(benchmark["cutoff_score"]):
        gap = (float(d["score"]) if pd.notna(d["score"]) else 0.0) - float(benchmark["cutoff_score"])
        reason = (
            f"the definition picks {int(benchmark['selected']):,} accounts, the last of them scoring "
            f"{float(benchmark['cutoff_score']):.1f}"
            + ("" if d["is_key_account_computed"] else f" — {abs(gap):.1f} points more than this account")
        )
    else:
        reason = "the definition picks no account"
    if d["override_status"] == "key" and not d["is_key_account_computed"]:
        head = "**Key account by decision.** On its score alone it would not be"
    elif d["override_status"] == "not_key" and d["is_key_account_computed"]:
        head = "**Not a key account, by decision.** On its score alone it would be"
    elif d["is_key_account"]:
        head = "**Key account**"
    else:
        head = "**Not a key account**"
    text = f"{head}. {position}; {reason}."
    if pd.notna(d["override_status"]):
        until = "" if pd.isna(d["override_expires_on"]) else f" until {pd.Timestamp(d['override_expires_on']):%d %b %Y}"
        override_reason = markdown_text(d["override_reason"]) if d["override_reason"] else "no reason given"
        text += f" Override{until}: {override_reason}."
    if pd.notna(d["is_development_account"]) and bool(d["is_development_account"]):
        text += (
            " **On the development list:** a tomorrow's oak this definition does not pick, an account to grow "
            "into a key account."
        )
    return text


def _measure(attribute: str) -> str:
    """The figure behind the attribute, in words."""
    if attribute == "revenue_size":
        return f"{format_money(d['revenue_t12m'])} revenue in 12 months"
    if attribute == "profitability":
        if pd.isna(d["contribution_t12m"]):
            return "unknown: no known cost"
        if d["contribution_basis"] == "gross_margin":
            return f"{format_money(d['contribution_t12m'])} gross margin (no cost to serve known)"
        return f"{format_money(d['contribution_t12m'])} net contribution after {format_money(d['cost_to_serve_t12m'])} cost to serve"
    if attribute == "margin_quality":
        if pd.isna(d["contribution_margin_pct_t12m"]):
            return "unknown"
        return f"{format_share(d['contribution_margin_pct_t12m'], 1)} {_margin_name()}"
    if attribute == "loyalty":
        years = "" if pd.isna(d["possible_years"]) else f"active {int(d['active_years'])} of {int(d['possible_years'])} years"
        tenure = "" if pd.isna(d["tenure_months"]) else f"customer for {int(d['tenure_months'])} months"
        repeat = "" if pd.isna(d["repeat_rate"]) else f"repeat rate {format_share(d['repeat_rate'])}"
        return ", ".join(part for part in (years, tenure, repeat) if part) or "unknown"
    if attribute == "growth":
        if pd.isna(d["revenue_growth"]):
            return "unknown: too little history"
        if pd.notna(d["revenue_growth_yoy"]):
            rate = f"revenue {format_growth(d['revenue_growth_yoy'])} year on year"
        elif pd.notna(d["revenue_trend_3y"]):
            rate = f"3-year trend {format_growth(d['revenue_trend_3y'])} a year"
        else:
            rate = f"trend through the last 12 months {format_growth(d['revenue_trend_1y'])} a year"
        return f"{rate}; weighed by the revenue behind it {format_growth(d['revenue_growth_material'])}"
    if attribute == "wallet_headroom":
        if pd.isna(d["wallet"]):
            return "unknown: no wallet"
        source = WALLET_SOURCES.get(d["wallet_source"], d["wallet_source"]).lower()
        return (
            f"{format_money(d['wallet_headroom'])} of a {format_money(d['wallet'])} wallet ({source}); "
            f"we have {format_share(d['share_of_wallet'])}"
        )
    if attribute == "strategic_fit":
        return "not assessed" if pd.isna(d["strategic_fit_score"]) else f"{float(d['strategic_fit_score']):.1f} / 5 from the account team"
    if attribute == "relationship_access":
        return (
            "not assessed"
            if pd.isna(d["relationship_access_score"])
            else f"{float(d['relationship_access_score']):.1f} / 5 from the account team"
        )
    return ""


st.markdown(_verdict())

breakdown = pd.DataFrame(
    {
        "attribute": [label for _, label, _ in ATTRIBUTES],
        "perspective": [PERSPECTIVES[perspective] for _, _, perspective in ATTRIBUTES],
        "measure": [_measure(a) for a in scoring.NAMES],
        "value": [d[f"{a}_value"] for a in scoring.NAMES],
        "effective_weight": [float(d[f"{a}_weight"]) for a in scoring.NAMES],
        "contribution": [float(d[f"{a}_contribution"]) for a in scoring.NAMES],
        "key_average": [
            float(benchmark[a]) if pd.notna(benchmark[a]) else None for a in scoring.NAMES
        ],
    }
)
breakdown["gap"] = breakdown["contribution"] - breakdown["key_average"]

chart_col, text_col = st.columns([3, 2])
with chart_col:
    order = breakdown.iloc[::-1]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=order["attribute"],
            x=order["contribution"],
            orientation="h",
            name=chart_text(d["customer_name"]),
            marker_color="#1f4e79",
            text=[f"{v:.1f}" for v in order["contribution"]],
            textposition="outside",
            cliponaxis=False,
            customdata=[
                [("unknown" if pd.isna(value) else f"{value:.0f}"), format_share(weight, 1)]
                for value, weight in zip(order["value"], order["effective_weight"])
            ],
            hovertemplate="%{y}: %{x:.1f} points<br>value %{customdata[0]} × weight %{customdata[1]}<extra></extra>",
        )
    )
    if breakdown["key_average"].notna().any():
        figure.add_trace(
            go.Bar(
                y=order["attribute"],
                x=order["key_average"],
                orientation="h",
                name="Average key account (hatched)",
                marker={"color": "#f3d9bf", "line": {"color": "#b0601a", "width": 1},
                        "pattern": {"shape": "/", "fgcolor": "#b0601a", "size": 6}},
                hovertemplate="%{y}: %{x:.1f} points for the average key account<extra></extra>",
            )
        )
    figure.update_layout(
        barmode="group",
        height=420,
        margin={"l": 10, "r": 40, "t": 10, "b": 10},
        xaxis={"title": "Points contributed to the score"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0},
    )
    show_chart(figure, key="contribution_chart")
    st.caption(
        "Each attribute's contribution to the score (its 0–100 value × its weight); the contributions add up "
        "to the score. Solid bars: this account, with its points written beside them; hatched bars: the "
        "average key account under this definition."
    )
with text_col:
    weighted = breakdown[breakdown["effective_weight"] > 0]
    ahead = weighted[weighted["gap"] > 0.05].sort_values("gap", ascending=False).head(3)
    behind = weighted[weighted["gap"] < -0.05].sort_values("gap").head(3)
    lines = []
    if not ahead.empty:
        lines.append(
            "**Ahead of the average key account on** "
            + ", ".join(f"{r.attribute.lower()} (+{r.gap:.1f})" for r in ahead.itertuples())
        )
    if not behind.empty:
        lines.append(
            "**Behind it on** "
            + ", ".join(f"{r.attribute.lower()} (−{abs(r.gap):.1f})" for r in behind.itertuples())
        )
    # Attributes the definition weighs but this account lacks: their weight went to the others.
    unknown = [
        label for a, label, _ in ATTRIBUTES if pd.isna(d[f"{a}_value"]) and bool(benchmark[f"{a}_weighted"])
    ]
    if unknown:
        lines.append("**Unknown, its weight shared out over the others:** " + ", ".join(u.lower() for u in unknown))
    st.markdown("\n\n".join(lines) or "Scores like the average key account on every attribute.")
    account_link(account, d["customer_name"])

show_table(
    breakdown,
    {
        "attribute": st.column_config.TextColumn("Attribute"),
        "perspective": st.column_config.TextColumn(
            "Perspective", help="Today: how the account performs now. Future and fit: where it can go."
        ),
        "measure": st.column_config.TextColumn("The figure behind it", width="medium"),
        "value": Figure(
            "Value",
            "number",
            help="0–100. Revenue, profit and headroom on a log scale (ten times the money is the same "
            "number of points; 100 = the largest); the other attributes as the share of active "
            "customers this account beats. A dash: unknown.",
        ),
        "effective_weight": Figure(
            "Weight",
            "share",
            digits=1,
            help="The definition's weight, plus a share of the weight of unknown attributes.",
        ),
        "contribution": Figure("Points", "number", digits=1, help="Value × weight: what the attribute adds to the score."),
        "key_average": Figure(
            "Key average", "number", digits=1, help="The points the average key account under this definition gets here."
        ),
        "gap": Figure(
            "Gap",
            "number",
            digits=1,
            signed=True,
            help="This account's points minus the average key account's.",
        ),
    },
    export=f"score-{account}-{definition}.csv",
    key="breakdown_table",
    caption=f"How {markdown_text(d['customer_name'])} earns its score under {definition_label(definition)}: each attribute's figure, "
    "its 0–100 value among active customers, its weight and the points it adds.",
)
