"""Portfolio matrix: every account placed at a quarter-end by how attractive it is to us (up) and how
strong our position in it is (right); what each quadrant asks of the account team, which key
accounts moved quadrant since the quarter before, and whether each manager's time matches what
their accounts ask (marts.portfolio_matrix, marts.portfolio_matrix_effort)."""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.review_pack import quarter_label
from dashboard.text import chart_text, markdown_text
from dashboard.ui import (
    GRID,
    INK,
    UNKNOWN,
    Figure,
    account_filters,
    account_link,
    definition_label,
    definition_select,
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

# The quadrants in reading order: (label, where it sits on the chart, what puts an account there).
QUADRANTS = {
    "invest_for_growth": ("Invest for growth", "top right", "attractive to us, and our position is strong"),
    "invest_selectively": ("Invest selectively", "top left", "attractive to us, but our position is weak"),
    "maintain": ("Maintain", "bottom right", "our position is strong, but the account holds little more for us"),
    "streamline": ("Streamline", "bottom left", "neither attractive to us nor a strong position"),
}
# The criteria behind each axis (marts.portfolio_matrix's <criterion>_value columns), in words.
CRITERIA = {
    "wallet_size": ("attractiveness", "size of its purchase budget"),
    "wallet_headroom": ("attractiveness", "budget still to win"),
    "growth": ("attractiveness", "growth"),
    "margin_quality": ("attractiveness", "margin quality"),
    "strategic_fit": ("attractiveness", "strategic fit"),
    "share_of_wallet": ("strength", "our share of its budget"),
    "loyalty": ("strength", "loyalty"),
    "relationship_access": ("strength", "access to its decision makers"),
    "relationship_stage": ("strength", "relationship stage"),
}
# The relationship stages, from first contact to a shared business.
STAGES = {
    "exploratory": "Exploratory",
    "basic": "Basic",
    "cooperative": "Cooperative",
    "interdependent": "Interdependent",
    "integrated": "Integrated",
}
MOST_ARROWS = 40  # arrows drawn at most: past that the chart is a thicket
WRAP = 24  # characters per line of a corner's treatment: two corners side by side fit 390 px
BAND_LINE_PX = 15  # height of one line of corner text
PLOT_PX = 440  # height of the 0-100 square of the chart
NEGATIVE, MIDDLE, POSITIVE = "#B2182B", "#E6E6E6", "#2166AC"  # net margin: red loss, blue profit
UNKNOWN_MARGIN = "#8A8F98"
ARROW = "#4A4F57"

STANDARD = "standard"  # the shipped axes set, whose criteria the page names
ALL_ACCOUNTS = "all"
KEY_ACCOUNTS = "key"

st.set_page_config(layout="wide")
definition = definition_select()
st.title("Portfolio matrix")
input_gaps_notice()

axes_sets = query(
    """
    select axes_name, max(axes_version) as axes_version
    from marts.portfolio_matrix
    group by axes_name
    order by case when axes_name = 'standard' then 0 else 1 end, axes_name
    """
)
if axes_sets.empty:
    st.info(
        "The warehouse holds no portfolio matrix yet: it needs a quarter-end with a full year of orders "
        "before it. Run `kam run` again once the order history reaches one."
    )
    st.stop()
versions = dict(zip(axes_sets["axes_name"], axes_sets["axes_version"]))


def quadrant_name(quadrant: str) -> str:
    """A quadrant as the page names it ('invest_for_growth' -> 'Invest for growth')."""
    return QUADRANTS.get(quadrant, (quadrant,))[0]


def add_cut_lines(figure: go.Figure) -> None:
    """The dashed lines where each axis is cut, across the 0-100 square."""
    line = {"color": "#8A8F98", "width": 1.5, "dash": "dash"}
    figure.add_shape(type="line", x0=cut, x1=cut, y0=0, y1=100, line=line)
    figure.add_shape(type="line", x0=0, x1=100, y0=cut, y1=cut, line=line)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def axes_text(name: str) -> str:
    return f"{name.replace('_', ' ').capitalize()} (version {versions[name]})"


# --- what to show ------------------------------------------------------------------------------

# The pickers side by side on a wide screen (stacked on a phone); the axes only when there is a choice.
if len(axes_sets) > 1:
    quarter_column, axes_column, scope_column, manager_column = st.columns(4)
    with axes_column:
        axes_name = url_widget(
            st.selectbox,
            "Axes",
            axes_sets["axes_name"].tolist(),
            key="matrix_axes",
            param="axes",
            what="set of axes",
            format_func=axes_text,
            help="Which criteria, and weights, place the accounts: a set of matrix axes from the configuration.",
        )
else:
    quarter_column, scope_column, manager_column = st.columns(3)
    axes_name = axes_sets["axes_name"].iloc[0]
quarter_ends = [
    pd.Timestamp(value).date()
    for value in query(
        "select distinct quarter_end from marts.portfolio_matrix where axes_name = ? order by quarter_end desc",
        (axes_name,),
    )["quarter_end"]
]
latest = quarter_ends[0]
with quarter_column:
    quarter_end = url_widget(
        st.selectbox,
        "Quarter",
        quarter_ends,
        key="matrix_quarter",
        param="quarter",
        what="quarter-end",
        where="in the matrix's history",
        url_text=lambda value: value.isoformat(),
        format_func=lambda value: f"{quarter_label(value)} (to {value:%d %b %Y})",
        help="The quarter-end the accounts are placed at, from the orders up to that day.",
    )
with scope_column:
    scope = url_widget(
        st.radio,
        "Accounts",
        [KEY_ACCOUNTS, ALL_ACCOUNTS],
        key="matrix_scope",
        param="scope",
        what="choice of accounts",
        where="on this page",
        format_func={KEY_ACCOUNTS: "Key accounts", ALL_ACCOUNTS: "All active accounts"}.get,
        horizontal=True,
        help=f"Key accounts: those {definition_label(definition)} picked at the quarter-end. All active "
        "accounts: every customer that bought in the 12 months to it.",
    )
chosen = account_filters("matrix", ["manager"], container=manager_column, columns=1)
manager_where, manager_params = chosen.where("p")

# The cut between the halves of each axis, as the run that built the matrix used it.
settings = run_settings()
cut = float(settings["matrix_axis_cut"])

# Each quadrant's treatment as the warehouse states it (at the latest quarter-end it holds one in,
# so a quadrant empty at the quarter picked still names its treatment).
quadrant_facts = query(
    """
    select quadrant, arg_max(treatment, quarter_end) as treatment
    from marts.portfolio_matrix
    where axes_name = ?
    group by quadrant
    """,
    (axes_name,),
).set_index("quadrant")


treatments = {
    quadrant: str(treatment) for quadrant, treatment in quadrant_facts["treatment"].items() if pd.notna(treatment)
}

# --- effort against capacity ---------------------------------------------------------------------


def effort_section() -> None:
    """Each manager's accounts by quadrant at the latest quarter-end, the time they ask against the
    manager's capacity, and the mart's suggestion: every manager, whatever the choice above."""

    st.subheader("Each manager's time against what their accounts ask")
    effort = query(
        """
        select account_manager_id, manager_name, capacity_accounts,
               accounts_invest_for_growth, accounts_invest_selectively, accounts_maintain, accounts_streamline,
               effort_units, capacity_used_share, suggestion
        from marts.portfolio_matrix_effort
        where axes_name = ?
        order by capacity_used_share desc nulls last, manager_name, account_manager_id
        """,
        (axes_name,),
    )
    efforts = {quadrant: float(settings[f"matrix_effort_{quadrant}"]) for quadrant in QUADRANTS}
    weights_text = ", ".join(f"{label.lower()} {efforts[q]:g}" for q, (label, _, _) in QUADRANTS.items())
    if effort.empty:
        st.info("No account-managers file was loaded: there is no capacity to weigh the effort against.")
    else:
        effort["manager_name"] = effort["manager_name"].fillna(effort["account_manager_id"])
        st.caption(
            f"At {quarter_label(latest)}, the latest quarter-end, every active account each manager carries, "
            "whatever the choice above. Each account asks time by its quadrant, counted in key-account "
            f"equivalents ({weights_text}: a full key account is 1); the sum is set against how many key "
            "accounts the manager can look after (capacity, from the managers file)."
        )
        chart = effort.iloc[::-1]
        managers_shown = chart["manager_name"].map(chart_text)
        bars = go.Figure()
        patterns = {"invest_for_growth": "", "invest_selectively": "/", "maintain": ".", "streamline": "x"}
        colours = {
            "invest_for_growth": "#1F4E79",
            "invest_selectively": "#4C78A8",
            "maintain": "#9ECAE9",
            "streamline": "#C9CED6",
        }
        for quadrant, (label, _, _) in QUADRANTS.items():
            weight = efforts[quadrant]
            bars.add_trace(
                go.Bar(
                    y=managers_shown.tolist(),
                    x=(chart[f"accounts_{quadrant}"] * weight).tolist(),
                    orientation="h",
                    name=label,
                    marker={
                        "color": colours[quadrant],
                        "pattern": {
                            "shape": patterns[quadrant],
                            "fillmode": "overlay",
                            "fgcolor": "#ffffff",
                            "solidity": 0.3,
                        },
                    },
                    customdata=chart[f"accounts_{quadrant}"].tolist(),
                    hovertemplate=f"%{{y}}: %{{customdata}} {label.lower()} accounts, %{{x:.1f}} key-account "
                    "equivalents<extra></extra>",
                )
            )
        bars.add_trace(
            go.Scatter(
                y=managers_shown.tolist(),
                x=chart["capacity_accounts"].tolist(),
                mode="markers",
                name="Capacity",
                marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#222"}},
                hovertemplate="%{y}: capacity %{x}<extra></extra>",
            )
        )
        most = float(pd.concat([chart["effort_units"], chart["capacity_accounts"]]).max() or 1)
        bars.update_layout(
            barmode="stack",
            height=max(300, 26 * len(chart) + 130),
            margin={"t": 70, "b": 10, "r": 10},
            xaxis={"title": {"text": "Key-account equivalents"}, "range": [0, most * 1.1]},
            legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "traceorder": "normal"},
        )
        show_chart(bars, key="matrix_effort_chart")
        asked, carried = float(effort["effort_units"].sum()), float(effort["capacity_accounts"].sum())
        st.caption(
            "The time each manager's accounts ask, by quadrant (bars, in key-account equivalents), against what "
            "the manager can carry (black tick). A bar past its tick: the accounts ask more time than the "
            f"manager has. All {plural(len(effort), 'manager')} together: their accounts ask {asked:,.1f} "
            f"key-account equivalents, and they can carry {carried:,.0f}"
            + (
                ": moving accounts between managers can balance the load."
                if asked <= carried
                else f", {asked - carried:,.1f} short: moving accounts between managers cannot close that gap, "
                "streamlining accounts or adding capacity can."
            )
        )
        show_table(
            effort,
            {
                "manager_name": st.column_config.TextColumn("Account manager"),
                "suggestion": st.column_config.TextColumn(
                    "What to do", width="large", help="Where the manager's time should move, in words."
                ),
                "effort_units": Figure(
                    "Effort asked",
                    "number",
                    digits=1,
                    help="The time their accounts ask, in key-account equivalents: each account counts by its "
                    f"quadrant ({weights_text}).",
                ),
                "capacity_accounts": Figure(
                    "Capacity",
                    "count",
                    help="How many key accounts the manager can look after, from the managers file; "
                    "a dash: not known.",
                ),
                "capacity_used_share": Figure(
                    "Effort vs capacity",
                    "share",
                    help="Effort asked as a share of capacity: above 100 % the accounts ask more time than the "
                    "manager has; a dash: no capacity known.",
                ),
                "accounts_invest_for_growth": Figure(
                    "Invest for growth", "count", help="Their active accounts in the invest-for-growth quadrant."
                ),
                "accounts_invest_selectively": Figure(
                    "Invest selectively", "count", help="Their active accounts in the invest-selectively quadrant."
                ),
                "accounts_maintain": Figure(
                    "Maintain", "count", help="Their active accounts in the maintain quadrant."
                ),
                "accounts_streamline": Figure(
                    "Streamline", "count", help="Their active accounts in the streamline quadrant."
                ),
            },
            export=f"matrix-effort-{axes_name}.csv",
            export_also={"account_manager_id": "Manager id"},
        )


criteria_columns = ", ".join(f"p.{name}_value" for name in CRITERIA)
accounts = query(
    f"""
    select p.customer_id, p.customer_name, p.account_manager_id,
           cast(p.revenue_t12m as double) as revenue_t12m,
           cast(p.net_contribution_t12m as double) as net_contribution_t12m,
           p.net_margin_pct_t12m, p.attractiveness, p.strength, p.quadrant, p.treatment,
           p.relationship_stage, p.relationship_stage_source, {criteria_columns},
           p.previous_quarter_end, p.previous_attractiveness, p.previous_strength, p.previous_quadrant,
           coalesce(h.is_key_account, false) as is_key_account
    from marts.portfolio_matrix p
    left join marts.key_account_quarterly_history h
        on h.definition_name = ? and h.quarter_end = p.quarter_end and h.customer_id = p.customer_id
    where p.axes_name = ? and p.quarter_end = ? and {manager_where}
        and (? = 'all' or coalesce(h.is_key_account, false))
    order by p.revenue_t12m desc, p.customer_id
    """,
    (definition, axes_name, quarter_end, *manager_params, scope),
)

who = f"key accounts under {definition_label(definition)}" if scope == KEY_ACCOUNTS else "active accounts"
filters_text = chosen.describe()
st.caption(
    f"The {who} at {quarter_label(quarter_end)} (to {quarter_end:%d %B %Y})"
    + (f" · {filters_text}" if filters_text else "")
    + f", placed by the axes **{markdown_text(axes_text(axes_name))}**: how attractive each account is "
    "to us (up) and how strong our position in it is (right), each 0–100. The lines cut each axis at "
    f"{cut:g}: above the line is attractive, right of it is strong."
)
# An axis none of whose criteria is known for an account leaves it unplaced (no quadrant).
unplaced = accounts["attractiveness"].isna() | accounts["strength"].isna()
if unplaced.any():
    st.caption(
        f"{plural(int(unplaced.sum()), 'account')} of this choice cannot be placed: none of the criteria of "
        "an axis is known for "
        + ("it" if unplaced.sum() == 1 else "them")
        + ". The chart and the tables below leave "
        + ("it" if unplaced.sum() == 1 else "them")
        + " out."
    )
    accounts = accounts[~unplaced].reset_index(drop=True)
if accounts.empty:
    st.info("No account matches this choice. Show all active accounts, or clear the manager filter.")
    effort_section()
    st.stop()

accounts["quadrant_label"] = accounts["quadrant"].map(quadrant_name)
accounts["previous_label"] = accounts["previous_quadrant"].map(quadrant_name, na_action="ignore")
accounts["manager"] = manager_labels(accounts["account_manager_id"])
accounts["stage"] = [
    UNKNOWN
    if pd.isna(stage)
    else STAGES.get(stage, str(stage).capitalize()) + (" (inferred)" if source == "inferred" else "")
    for stage, source in zip(accounts["relationship_stage"], accounts["relationship_stage_source"])
]
total_revenue = float(accounts["revenue_t12m"].clip(lower=0).sum())
accounts["revenue_share"] = accounts["revenue_t12m"] / total_revenue if total_revenue else None
previous_end = accounts["previous_quarter_end"].dropna()
previous_text = (
    quarter_label(previous_end.iloc[0]) if not previous_end.empty else "the quarter before"
)

# --- the quadrants at a glance -------------------------------------------------------------------

by_quadrant = accounts.groupby("quadrant").agg(
    accounts=("customer_id", "size"), revenue=("revenue_t12m", "sum")
)
row = st.columns(4)
for slot, (quadrant, (label, position, meaning)) in zip(row, QUADRANTS.items()):
    count = int(by_quadrant["accounts"].get(quadrant, 0))
    revenue = float(by_quadrant["revenue"].get(quadrant, 0.0))
    slot.metric(
        label,
        f"{count:,}",
        f"{format_share(revenue / total_revenue if total_revenue else None)} of revenue",
        delta_color="off",
        delta_arrow="off",
        border=True,
        help=f"The {who} in the {position} of the matrix: {meaning}. The figure below is their share of "
        f"the revenue of all the accounts shown, in the 12 months to the quarter-end. "
        + (markdown_text(treatments[quadrant]) if quadrant in treatments else ""),
    )

# --- the matrix ----------------------------------------------------------------------------------

# The accounts shown that changed quadrant since the quarter before. Arrows go to the key accounts
# among them first, then to the largest others, MOST_ARROWS at most (rows are largest revenue first).
movers = accounts[
    accounts["previous_quadrant"].notna()
    & (accounts["previous_quadrant"] != accounts["quadrant"])
    & accounts["previous_strength"].notna()
    & accounts["previous_attractiveness"].notna()
]
key_movers = movers[movers["is_key_account"]]
key_drawn = key_movers.head(MOST_ARROWS)
others_drawn = movers[~movers["is_key_account"]].head(MOST_ARROWS - len(key_drawn))
drawn_movers = pd.concat([key_drawn, others_drawn])


def arrows_text() -> str:
    """Which moves the arrows show, in words."""
    if movers.empty:
        return f"No account shown changed quadrant since {previous_text}, so no arrow is drawn."
    drawn = []
    if len(key_drawn):
        drawn.append(
            f"the {plural(len(key_drawn), 'key account')}"
            if len(key_drawn) == len(key_movers)
            else f"the {len(key_drawn):,} largest of the {len(key_movers):,} key accounts"
        )
    others = len(movers) - len(key_movers)
    if len(others_drawn):
        word = "other account" if len(key_drawn) else "account"
        drawn.append(
            f"the {plural(len(others_drawn), word)}"
            if len(others_drawn) == others
            else f"the {plural(len(others_drawn), 'largest ' + word)}"
        )
    left = len(movers) - len(drawn_movers)
    return (
        f"Arrows: {' and '.join(drawn)} that changed quadrant since {previous_text}, from where they stood "
        "then (small open circle) to now"
        + (
            f"; the other {left:,} that moved are not drawn, to keep the chart readable (the tables below "
            "say where every account stood a quarter before)."
            if left
            else "."
        )
    )


def corner_text(quadrant: str) -> str:
    label = QUADRANTS[quadrant][0]
    lines = textwrap.wrap(str(treatments.get(quadrant, "")), WRAP, break_on_hyphens=False)
    return "<br>".join([f"<b>{chart_text(label)}</b>", *(chart_text(line) for line in lines)])


corner_lines = max(len(corner_text(q).split("<br>")) for q in QUADRANTS)
band_px = corner_lines * BAND_LINE_PX + 12
band = band_px * 100 / PLOT_PX  # the band in axis units
margin = {"l": 56, "r": 12, "t": 34, "b": 130}
height = PLOT_PX + 2 * band_px + margin["t"] + margin["b"]

biggest = float(accounts["revenue_t12m"].max() or 1.0)
largest_px = 38 if len(accounts) <= 200 else 26
sizeref = 2.0 * biggest / largest_px**2


def diameter(revenue: float) -> float:
    """A bubble's width on screen in pixels (Plotly sizes bubbles by area)."""
    return max(4.0, math.sqrt(max(revenue, 0.0) / sizeref))


margins = accounts["net_margin_pct_t12m"].dropna()
limit = 0.1 if margins.empty else min(0.6, max(0.1, math.ceil(float(margins.abs().quantile(0.95)) * 10) / 10))
ticks = [-limit, -limit / 2, 0.0, limit / 2, limit]


def criterion_text(account: pd.Series, name: str) -> str:
    """A criterion and its 0-100 value in words: 'loyalty 79', 'strategic fit unknown'."""
    value = account[f"{name}_value"]
    return f"{CRITERIA[name][1]} {'unknown' if pd.isna(value) else format(float(value), '.0f')}"


def placed_text(account: pd.Series) -> str:
    """Why an account sits where it does: each axis and the criteria (0-100) it weighs in the
    standard set; for another set, the two axes and every criterion's value."""
    name = markdown_text(account["customer_name"])
    if axes_name != STANDARD:
        return (
            f"{name}: **attractiveness {float(account['attractiveness']):.0f}**, **strength "
            f"{float(account['strength']):.0f}** of 100; its criteria (0–100): "
            + ", ".join(criterion_text(account, criterion) for criterion in CRITERIA)
            + "."
        )
    parts = []
    for axis, title in (("attractiveness", "Attractiveness"), ("strength", "Strength")):
        criteria = [criterion_text(account, criterion) for criterion, (on, _) in CRITERIA.items() if on == axis]
        parts.append(f"**{title} {float(account[axis]):.0f}** of 100 from {', '.join(criteria)}.")
    return (
        f"{name}: " + " ".join(parts)
        + " Each axis weighs the criteria that are known; an unknown one is left out, not counted as 0."
    )


def hover_data(frame: pd.DataFrame) -> list[list[str]]:
    return [
        [
            r.customer_id,
            chart_text(r.customer_name),
            format_money(r.revenue_t12m),
            format_share(r.net_margin_pct_t12m, 1),
            chart_text(r.stage),
            r.quadrant_label,
            chart_text(r.manager),
            r.previous_label if isinstance(r.previous_label, str) else "not placed then",
        ]
        for r in frame.itertuples()
    ]


HOVER = (
    "<b>%{customdata[1]}</b><br>Revenue, 12 months: %{customdata[2]}<br>Net margin: %{customdata[3]}"
    "<br>Relationship: %{customdata[4]}<br>Quadrant: %{customdata[5]} (a quarter before: %{customdata[7]})"
    "<br>Manager: %{customdata[6]}<br>Strength %{x:.0f} · attractiveness %{y:.0f}<extra></extra>"
)


def bubble_sizes(frame: pd.DataFrame) -> dict:
    """Plotly marker sizes by revenue, on the one scale every bubble trace of the chart shares."""
    return {"size": frame["revenue_t12m"].clip(lower=0).tolist(), "sizemode": "area",
            "sizeref": sizeref, "sizemin": 4}


known = accounts[accounts["net_margin_pct_t12m"].notna()]
unknown = accounts[accounts["net_margin_pct_t12m"].isna()]
figure = go.Figure()
figure.add_trace(
    go.Scatter(
        x=known["strength"].tolist(),
        y=known["attractiveness"].tolist(),
        mode="markers",
        name="Accounts",
        showlegend=False,
        customdata=hover_data(known),
        hovertemplate=HOVER,
        marker={
            **bubble_sizes(known),
            "color": known["net_margin_pct_t12m"].clip(-limit, limit).tolist(),
            "cmin": -limit,
            "cmax": limit,
            # Any loss reads red and any profit blue, however small: the scale leaves the grey middle at once.
            "colorscale": [
                [0, NEGATIVE], [0.48, "#F4A582"], [0.5, MIDDLE], [0.52, "#92C5DE"], [1, POSITIVE]
            ],
            "opacity": 0.85,
            "line": {"width": 0.8, "color": "#5F6670"},
            "colorbar": {
                "orientation": "h",
                "title": {"text": "Net margin, 12 months (red: a loss)", "side": "top"},
                "tickvals": ticks,
                "ticktext": [format_share(t) for t in ticks],
                "x": 0.5,
                "xanchor": "center",
                "y": -(64 / (PLOT_PX + 2 * band_px)),
                "yanchor": "top",
                "len": 0.8,
                "thickness": 10,
                "outlinewidth": 0,
            },
        },
    )
)
if not unknown.empty:
    figure.add_trace(
        go.Scatter(
            x=unknown["strength"].tolist(),
            y=unknown["attractiveness"].tolist(),
            mode="markers",
            name="Net margin unknown (open circle)",
            customdata=hover_data(unknown),
            hovertemplate=HOVER,
            marker={
                **bubble_sizes(unknown),
                "symbol": "circle-open",
                "color": UNKNOWN_MARGIN,
                "line": {"width": 1.5},
            },
        )
    )
if not drawn_movers.empty:
    figure.add_trace(
        go.Scatter(
            x=drawn_movers["previous_strength"].tolist(),
            y=drawn_movers["previous_attractiveness"].tolist(),
            mode="markers",
            name=f"Where a moved account stood at {previous_text}",
            marker={"symbol": "circle-open", "size": 7, "color": ARROW, "line": {"width": 1.2}},
            customdata=[
                [chart_text(name), quadrant]
                for name, quadrant in zip(drawn_movers["customer_name"], drawn_movers["previous_label"])
            ],
            hovertemplate=f"<b>%{{customdata[0]}}</b> at {previous_text}: %{{customdata[1]}}<extra></extra>",
        )
    )
for mover in drawn_movers.itertuples():
    figure.add_annotation(
        x=mover.strength,
        y=mover.attractiveness,
        ax=mover.previous_strength,
        ay=mover.previous_attractiveness,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowsize=1,
        arrowwidth=1.3,
        arrowcolor=ARROW,
        standoff=diameter(mover.revenue_t12m) / 2,
    )
# The quadrants' names and treatments sit in bands above and below the 0-100 square, in its four
# corners, where they hide no account.
for y0, y1 in ((100, 100 + band), (-band, 0)):
    figure.add_shape(type="rect", x0=-2, x1=102, y0=y0, y1=y1, fillcolor="#F4F5F7", line_width=0, layer="below")
add_cut_lines(figure)
for quadrant, x, y, side in (
    ("invest_selectively", 0, 100 + band, "left"),
    ("invest_for_growth", 100, 100 + band, "right"),
    ("streamline", 0, 0, "left"),
    ("maintain", 100, 0, "right"),
):
    figure.add_annotation(
        x=x,
        y=y,
        xref="x",
        yref="y",
        text=corner_text(quadrant),
        showarrow=False,
        xanchor=side,
        yanchor="top",
        align=side,
        yshift=-4,
        font={"size": 10.5, "color": INK},
    )
axis = {"range": [-2, 102], "tickvals": [0, 25, 50, 75, 100], "zeroline": False, "showgrid": False}
figure.update_layout(
    height=height,
    margin=margin,
    xaxis={**axis, "title": {"text": "Our strength in the account →"}},
    yaxis={
        **axis,
        "range": [-band, 100 + band],
        "showgrid": True,
        "gridcolor": GRID,
        "title": {"text": "Attractiveness to us →"},
    },
    legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "font": {"size": 11}},
    hoverlabel={"align": "left"},
    clickmode="event+select",
)

chart_column, reading_column = st.columns([3, 2])
with chart_column:
    event = show_chart(figure, key="matrix_chart", on_select="rerun", selection_mode="points")
    st.caption(
        f"Each bubble is an account: its size is its revenue in the 12 months to the quarter-end, its "
        f"colour its net margin (red a loss, blue a profit, open grey circle unknown). {arrows_text()} "
        "Click a bubble to open its account."
    )
    points = ((event or {}).get("selection") or {}).get("points") or []
    picked = [point.get("customdata", [None])[0] for point in points if point.get("customdata")]
    picked = [customer for customer in picked if customer in set(accounts["customer_id"])]
    if picked:
        picked_account = accounts.loc[accounts["customer_id"] == picked[0]].iloc[0]
        account_link(picked_account["customer_id"], picked_account["customer_name"])
        st.caption(placed_text(picked_account))

with reading_column:
    st.markdown(
        "**How to read it.** *Attractiveness* (up) is what the account is worth to us"
        + (
            ": the size of its purchase budget in our categories, how much of it is still to win, its "
            "growth, its margin quality and its strategic fit. *Strength* (right) is our position in it: our share of its budget, its "
            "loyalty, our access to its decision makers and the stage of the relationship."
            if axes_name == STANDARD
            else f"; *strength* (right) is our position in it, each weighing the criteria the set "
            f"{markdown_text(axes_name)} names in the matrix axes configuration."
        )
        + " An axis weighs the criteria that are known; select an account in the tables below to see "
        "its own."
    )
    moves = (
        movers.groupby(["previous_label", "quadrant_label"]).size().rename("accounts").reset_index()
        .sort_values(["accounts", "previous_label"], ascending=[False, True])
    )
    if moves.empty:
        st.caption(f"No account shown changed quadrant since {previous_text}.")
    else:
        show_table(
            moves,
            {
                "previous_label": st.column_config.TextColumn(f"At {previous_text}"),
                "quadrant_label": st.column_config.TextColumn(f"At {quarter_label(quarter_end)}"),
                "accounts": Figure(
                    "Accounts", "count", help="Accounts shown above that moved between these two quadrants."
                ),
            },
            export=f"matrix-moves-{quarter_end.isoformat()}.csv",
            key="matrix_moves",
            caption=f"The {plural(len(movers), 'account')} shown that changed quadrant since {previous_text}, "
            "by where they came from and went.",
        )

# --- quadrant by quadrant ------------------------------------------------------------------------

st.subheader("The accounts, quadrant by quadrant")
ACCOUNT_COLUMNS = {
    "customer_id": None,
    "customer_name": st.column_config.TextColumn("Customer", width="medium"),
    "revenue_t12m": Figure(
        "Revenue, 12 months",
        help="What the customer bought in the 12 months to the quarter-end, after discounts and returns.",
    ),
    "revenue_share": Figure(
        "Revenue share",
        "share",
        digits=1,
        help="Its share of the revenue of all the accounts shown (the choice above), 12 months to the quarter-end.",
    ),
    "net_margin_pct_t12m": Figure(
        "Net margin",
        "share",
        digits=1,
        help="Net contribution (gross margin minus cost to serve) as a share of revenue; a dash: unknown.",
    ),
    "attractiveness": Figure(
        "Attractiveness", "number", help="0–100: what the account is worth to us (the chart's height)."
    ),
    "strength": Figure("Strength", "number", help="0–100: our position in the account (the chart's width)."),
    "stage": st.column_config.TextColumn(
        "Relationship",
        help="The stage of the relationship, from exploratory to integrated; “inferred” when the account "
        "team has not assessed it and it is read from the orders.",
    ),
    "previous_label": st.column_config.TextColumn(
        "A quarter before", help="The quadrant it sat in at the quarter-end before; a dash: not active then."
    ),
    "manager": st.column_config.TextColumn("Account manager"),
    "is_key_account": st.column_config.CheckboxColumn(
        "Key account", help=f"Picked by {definition_label(definition)} at the quarter-end."
    ),
}


tabs = st.tabs([f"{label} ({int(by_quadrant['accounts'].get(q, 0)):,})" for q, (label, _, _) in QUADRANTS.items()])
for tab, (quadrant, (label, position, meaning)) in zip(tabs, QUADRANTS.items()):
    with tab:
        members = accounts[accounts["quadrant"] == quadrant]
        share = float(members["revenue_t12m"].sum()) / total_revenue if total_revenue else None
        treatment = markdown_text(treatments[quadrant]) if quadrant in treatments else "–"
        st.caption(
            f"**{label}** ({position}: {meaning}). Treatment: {treatment} "
            + (
                f"{len(members):,} of the {len(accounts):,} {who} shown, bringing {format_share(share)} of "
                "their revenue."
                if len(members)
                else f"None of the {who} shown sits here."
            )
        )
        if members.empty:
            continue
        selection = show_table(
            members,
            ACCOUNT_COLUMNS,
            export=f"matrix-{quadrant.replace('_', '-')}-{quarter_end.isoformat()}.csv",
            export_also={"customer_id": "Customer id"},
            key=f"matrix_table_{quadrant}",
            on_select="rerun",
            selection_mode="single-row",
            caption="Largest revenue first. Select a row to open the account.",
        )
        chosen_rows = selection.selection.rows if selection is not None else []
        if chosen_rows:
            picked_row = members.iloc[chosen_rows[0]]
            account_link(picked_row["customer_id"], picked_row["customer_name"])
            st.caption(placed_text(picked_row))

# --- where the plans lead ------------------------------------------------------------------------

FORECAST_COLUMNS = {
    "customer_id": None,
    "customer_name": st.column_config.TextColumn("Customer", width="medium"),
    "now_label": st.column_config.TextColumn(
        "Now", help="The quadrant at the latest quarter-end, where the forecast starts from."
    ),
    "forecast_label": st.column_config.TextColumn(
        "At the plan's end", help="The quadrant the account reaches if its plan's targets are met."
    ),
    "plan_end": st.column_config.DateColumn("Plan ends", format="D MMM YYYY"),
    "revenue_t12m": Figure("Revenue, 12 months", help="What the account bought in the 12 months to the quarter-end."),
    "planned_revenue": Figure(
        "Planned a year",
        help="Revenue a year the plan targets in its last twelve months.",
    ),
    "planned_growth_yearly": Figure(
        "Growth asked", "growth", help="The yearly revenue growth the plan asks for, from today to its last year."
    ),
    "share_of_wallet_value": Figure("Share now", "number", help="Our share of its budget today, in percent."),
    "planned_share_of_wallet_value": Figure(
        "Share at the end", "number", help="Our share of its budget if the plan is met (today's budget), in percent."
    ),
    "wallet_note": st.column_config.TextColumn(
        "Check", help="“Plan above its budget”: the plan asks more revenue than the account's whole budget today."
    ),
    "manager": st.column_config.TextColumn("Account manager"),
}


def forecast_section() -> None:
    """The accounts with a plan running past the latest quarter-end: where they stand and where the
    plan takes them if its targets are met (marts.portfolio_matrix_forecast), for the choice of
    accounts and manager above."""
    st.subheader("Where the account plans lead")
    plan_where, plan_params = chosen.where("f")
    plans = query(
        f"""
        select f.*
        from marts.portfolio_matrix_forecast as f
        left join marts.key_account_quarterly_history as h
            on h.definition_name = ? and h.customer_id = f.customer_id and h.quarter_end = f.quarter_end
        where f.axes_name = ? and {plan_where}
            and (? = 'all' or coalesce(h.is_key_account, false))
        order by f.changes_quadrant desc, f.planned_revenue desc, f.customer_id
        """,
        (definition, axes_name, *plan_params, scope),
    )
    if plans.empty:
        st.caption(
            f"None of the {who} has an account plan running past {quarter_label(latest)}, the latest "
            "quarter-end: there is no plan to project."
        )
        return
    plans["now_label"] = plans["quadrant"].map(quadrant_name)
    plans["forecast_label"] = plans["forecast_quadrant"].map(quadrant_name)
    plans["manager"] = manager_labels(plans["account_manager_id"])
    plans["wallet_note"] = plans["plan_exceeds_wallet"].map({True: "Plan above its budget"}).fillna("")
    moving = plans[plans["changes_quadrant"]]
    st.caption(
        f"Of the {who} shown, {plural(len(plans), 'account')} "
        + ("has" if len(plans) == 1 else "have")
        + f" a plan running past {quarter_label(latest)}. If each plan's targets are met, "
        + (
            f"{plural(len(moving), 'account')} "
            + ("moves" if len(moving) == 1 else "move")
            + " to another quadrant by the plan's end (arrows, from today's place to the plan's); the others "
            "stay in theirs (a faint line joins their two places)."
            if len(moving)
            else "every one of them stays in its quadrant."
        )
        + " The plan sets revenue and gross margin in its last twelve months; from them follow revenue size, "
        "our share of the budget, the budget still to win, growth and margin. The rest (budget size, loyalty, "
        "fit, access, relationship stage) is held as it is today, and every figure is scored against today's "
        "portfolio."
    )
    chart = go.Figure()
    for quadrant, x, y, side in (
        ("invest_selectively", 1, 99, "left"),
        ("invest_for_growth", 99, 99, "right"),
        ("streamline", 1, 1, "left"),
        ("maintain", 99, 1, "right"),
    ):
        chart.add_annotation(
            x=x, y=y, text=f"<b>{QUADRANTS[quadrant][0]}</b>", showarrow=False, xanchor=side,
            yanchor="top" if y > 50 else "bottom", font={"size": 11, "color": INK},
        )
    add_cut_lines(chart)
    names = plans["customer_name"].map(chart_text).tolist()
    # A faint line joins the two places of each plan that keeps its account in its quadrant (the
    # moves get arrows below): one trace, the lines separated by gaps.
    staying = plans[~plans["changes_quadrant"]]
    path_x, path_y = [], []
    for row in staying.itertuples():
        path_x += [row.strength, row.forecast_strength, None]
        path_y += [row.attractiveness, row.forecast_attractiveness, None]
    if path_x:
        chart.add_trace(
            go.Scatter(
                x=path_x, y=path_y, mode="lines", name="A plan that keeps its quadrant",
                line={"color": "#B8BDC6", "width": 1}, hoverinfo="skip",
            )
        )
    chart.add_trace(
        go.Scatter(
            x=plans["strength"].tolist(), y=plans["attractiveness"].tolist(), mode="markers",
            name=f"Now ({quarter_label(latest)})", marker={"size": 9, "color": "#2166AC"},
            customdata=names, hovertemplate="<b>%{customdata}</b> now: strength %{x:.0f} · attractiveness %{y:.0f}<extra></extra>",
        )
    )
    chart.add_trace(
        go.Scatter(
            x=plans["forecast_strength"].tolist(), y=plans["forecast_attractiveness"].tolist(), mode="markers",
            name="At the plan's end, if met", marker={"size": 10, "symbol": "diamond-open", "color": "#B2182B", "line": {"width": 1.6}},
            customdata=names, hovertemplate="<b>%{customdata}</b> at the plan's end: strength %{x:.0f} · attractiveness %{y:.0f}<extra></extra>",
        )
    )
    for row in moving.itertuples():
        chart.add_annotation(
            x=row.forecast_strength, y=row.forecast_attractiveness, ax=row.strength, ay=row.attractiveness,
            xref="x", yref="y", axref="x", ayref="y", text="", showarrow=True, arrowhead=2, arrowsize=1,
            arrowwidth=1.2, arrowcolor=ARROW, standoff=5,
        )
    axis = {"range": [-2, 102], "tickvals": [0, 25, 50, 75, 100], "zeroline": False}
    chart.update_layout(
        height=460, margin={"l": 56, "r": 12, "t": 40, "b": 50},
        xaxis={**axis, "showgrid": False, "title": {"text": "Our strength in the account →"}},
        yaxis={**axis, "gridcolor": GRID, "title": {"text": "Attractiveness to us →"}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0},
    )
    show_chart(chart, key="matrix_forecast_chart")
    show_table(
        plans,
        FORECAST_COLUMNS,
        export=f"matrix-plans-{latest.isoformat()}.csv",
        export_also={"customer_id": "Customer id"},
        key="matrix_forecast_table",
        caption="Accounts a plan moves first, then the largest plans. “Plan above its budget”: the plan asks "
        "more than the account's whole budget in our categories today; the plan or the budget estimate needs "
        "a second look.",
    )


forecast_section()

effort_section()
