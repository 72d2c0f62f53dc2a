"""Quarterly review: the key-account portfolio quarter by quarter, what changed since the quarter
before, the review list with its owners and next review dates, and the review pack to print."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.decisions import record_review_decision, with_recorded_decisions
from dashboard.export import download_button
from dashboard.review_pack import (
    CHANGES,
    REVIEW_TOPICS,
    format_points,
    load_review_pack,
    quarter_changes,
    quarter_label,
    render_review_pack,
    review_items,
)
from dashboard.text import markdown_text
from dashboard.ui import (
    UNKNOWN,
    definition_label,
    definition_select,
    format_share,
    money_format,
    show_table,
)
from dashboard.warehouse import query

QUARTER_KEY = "review_quarter"
DECISION_MESSAGE_KEY = "review_decision_recorded"

st.set_page_config(layout="wide")
definition = definition_select()
st.title("Quarterly review")

quarters = query(
    "select * from marts.portfolio_quarterly where definition_name = ? order by quarter_end",
    (definition,),
)
if quarters.empty:
    st.info(
        "The order history does not reach a quarter-end with a full year of orders before it yet: the "
        "quarterly review starts once it does."
    )
    st.stop()

quarter_ends = [pd.Timestamp(value).date() for value in quarters["quarter_end"]][::-1]
linked = st.query_params.get("quarter")
if linked and st.session_state.get(f"{QUARTER_KEY}_in_url") != linked:
    st.session_state[f"{QUARTER_KEY}_in_url"] = linked
    matches = [quarter for quarter in quarter_ends if quarter.isoformat() == linked]
    if matches:
        st.session_state[QUARTER_KEY] = matches[0]
    else:
        st.warning(f"No quarter-end {markdown_text(linked)} in the history: showing the latest.")
if st.session_state.get(QUARTER_KEY) not in quarter_ends:
    st.session_state[QUARTER_KEY] = quarter_ends[0]
quarter_end = st.selectbox(
    "Quarter",
    quarter_ends,
    key=QUARTER_KEY,
    format_func=lambda value: f"{quarter_label(value)} (to {value:%d %b %Y})",
    help="The quarter-end the figures are computed at: each quarter-end's key accounts are today's "
    "definition applied to the orders up to that day.",
)
if quarter_end == quarter_ends[0]:
    st.query_params.pop("quarter", None)
else:
    st.query_params["quarter"] = quarter_end.isoformat()
st.session_state[f"{QUARTER_KEY}_in_url"] = st.query_params.get("quarter")

shown = quarters[pd.to_datetime(quarters["quarter_end"]).dt.date <= quarter_end]
now = shown.iloc[-1]
before = shown.iloc[-2] if len(shown) > 1 else None
st.caption(
    f"Key accounts under **{definition_label(definition)}** (version {now['definition_version']}) as its "
    "rule picks them at each quarter-end, from the orders up to that day; manual decisions apply to "
    "today's list only, so today's count on other pages can differ."
)


row = st.columns(5)
row[0].metric(
    "Key accounts",
    f"{int(now['key_accounts']):,}",
    None if before is None else f"{int(now['key_accounts']) - int(before['key_accounts']):+d}",
    delta_color="off",
    border=True,
    help="How many customers the definition picks at the quarter-end; the change is against the quarter before.",
)
row[1].metric(
    "Share of revenue",
    format_share(now["key_account_revenue_share"]),
    None if before is None else format_points(now["key_account_revenue_share"] - before["key_account_revenue_share"]),
    border=True,
    help="The key accounts' revenue in the 12 months to the quarter-end, as a share of all revenue.",
)
row[2].metric(
    "Share of profit",
    format_share(now["key_account_net_contribution_share"]),
    None if before is None else format_points(
        now["key_account_net_contribution_share"] - before["key_account_net_contribution_share"]
    ),
    border=True,
    help="Their net contribution (gross margin minus cost to serve) as a share of the whole portfolio's; "
    "above 100 % when the other customers lose money in total.",
)
row[3].metric(
    "Entered",
    UNKNOWN if before is None else f"{int(now['accounts_entered']):,}",
    border=True,
    help="Customers that became key accounts since the quarter before.",
)
row[4].metric(
    "Left",
    UNKNOWN if before is None else f"{int(now['accounts_left']):,}",
    border=True,
    help="Key accounts of the quarter before that are not any more: dropped below the rule's cut, or "
    "stopped buying.",
)

# --- trend -------------------------------------------------------------------------------------
st.subheader("Quarter by quarter")
trend = shown.assign(quarter=shown["quarter_end"].map(quarter_label))
count_chart = (
    alt.Chart(trend)
    .mark_line(point=True)
    .encode(
        x=alt.X("quarter:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("key_accounts:Q", title="Key accounts", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("quarter:N", title="Quarter"), alt.Tooltip("key_accounts:Q", title="Key accounts")],
    )
)
count_labels = count_chart.mark_text(dy=-10, color="#31333F").encode(text="key_accounts:Q")
shares = trend.melt(
    id_vars=["quarter"],
    value_vars=["key_account_revenue_share", "key_account_net_contribution_share"],
    var_name="share",
    value_name="value",
).assign(
    share=lambda frame: frame["share"].map(
        {"key_account_revenue_share": "Share of revenue", "key_account_net_contribution_share": "Share of profit"}
    )
)
share_chart = (
    alt.Chart(shares)
    .mark_line(point=True)
    .encode(
        x=alt.X("quarter:N", sort=None, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title="Share", axis=alt.Axis(format="%")),
        # A dashed line as well as a colour (one legend shows both), so the two read apart without
        # colour.
        color=alt.Color("share:N", title=None, legend=alt.Legend(orient="bottom", symbolType="stroke")),
        strokeDash=alt.StrokeDash("share:N", title=None, legend=alt.Legend(orient="bottom", symbolType="stroke")),
        tooltip=[
            alt.Tooltip("quarter:N", title="Quarter"),
            alt.Tooltip("share:N", title="Figure"),
            alt.Tooltip("value:Q", title="Share", format=".1%"),
        ],
    )
)
left, right = st.columns(2)
left.altair_chart((count_chart + count_labels).properties(height=260), width="stretch")
right.altair_chart(share_chart.properties(height=260), width="stretch")

# --- changes since the quarter before -----------------------------------------------------------
if before is None:
    st.subheader("Changes")
    st.caption("The first quarter-end in the history: there is no quarter before it to compare with.")
else:
    st.subheader(f"Changes since {quarter_label(before['quarter_end'])}")
    changes = quarter_changes(definition, quarter_end)
    if changes.empty:
        st.success("No key account entered, left or moved revenue tier.")
    else:
        table = changes.assign(change=changes["change"].map(CHANGES))[
            ["change", "customer_name", "revenue_t12m", "net_contribution_t12m", "why", "customer_id"]
        ]
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "change": "Change",
                "customer_name": "Customer",
                "revenue_t12m": st.column_config.NumberColumn("Revenue", format=money_format(),
                                                              help="Revenue in the 12 months to the quarter-end."),
                "net_contribution_t12m": st.column_config.NumberColumn(
                    "Net contribution", format=money_format(),
                    help="Gross margin minus cost to serve, the 12 months to the quarter-end."),
                "why": st.column_config.TextColumn("Why", width="large"),
                "customer_id": "Customer ID",
            },
        )
        download_button(table, f"key-account-changes-{definition}-{quarter_end.isoformat()}.csv")

# --- the review list ----------------------------------------------------------------------------
st.subheader("Review list")
st.markdown(
    "The accounts a review goes through: exit-review candidates, the big but unprofitable, key "
    "accounts without an account plan, and tomorrow's oaks (flags and plans as of the latest data). "
    "Give each an owner and a date to look at it again; decisions are kept beside the warehouse, with "
    "who recorded them and when, and every run reads them."
)
items = with_recorded_decisions(review_items())
topics = st.pills(
    "Topics",
    list(REVIEW_TOPICS),
    selection_mode="multi",
    default=list(REVIEW_TOPICS),
    format_func=REVIEW_TOPICS.get,
    key="review_topics",
)
due_only = st.toggle("Only those due for review", value=True, key="review_due_only",
                     help="Nobody owns them yet, or their next review date has come.")
visible = items[items["review_topic"].isin(topics or [])]
if due_only:
    visible = visible[visible["is_review_due"]]
pending = int(items["is_pending"].sum())
st.caption(
    f"{len(visible):,} of {len(items):,} on the list."
    + (f" {pending:,} decision{'s' if pending != 1 else ''} recorded since the last run: shown here now, in "
       "the warehouse after the next run." if pending else "")
)
listing = visible.assign(
    topic=visible["review_topic"].map(REVIEW_TOPICS),
    account_manager_name=visible["account_manager_name"].fillna("No manager"),
    owner=visible["owner"].fillna("Nobody yet"),
    next_review=pd.to_datetime(visible["next_review_on"]).dt.strftime("%-d %b %Y").fillna(""),
    status=visible["is_pending"].map({True: "Recorded, next run", False: ""}),
)[["topic", "customer_name", "reason", "account_manager_name", "owner", "next_review", "status", "customer_id"]]
show_table(
    listing,
    {
        "topic": "Topic",
        "customer_name": "Customer",
        "reason": st.column_config.TextColumn("Why", width="medium", help="The figures that put it on the list."),
        "account_manager_name": "Account manager",
        "owner": st.column_config.TextColumn("Owner", help="Who follows it up: the latest decision recorded."),
        "next_review": "Next review",
        "status": st.column_config.TextColumn("Status", help="A decision recorded since the last run: "
                                              "the warehouse has it after the next run."),
        "customer_id": "Customer ID",
    },
    export="review-list.csv",
)

recorded_now = items[items["is_pending"]]
if not recorded_now.empty:
    st.markdown("**Recorded since the last run**")
    st.dataframe(
        recorded_now.assign(topic=recorded_now["review_topic"].map(REVIEW_TOPICS))[
            ["topic", "customer_name", "owner", "next_review_on", "decided_by", "decided_at"]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "topic": "Topic",
            "customer_name": "Customer",
            "owner": "Owner",
            "next_review_on": st.column_config.DateColumn("Next review", format="D MMM YYYY"),
            "decided_by": "Recorded by",
            "decided_at": st.column_config.DatetimeColumn("Recorded at (UTC)", format="D MMM YYYY, HH:mm"),
        },
    )

with st.form("record_decision", clear_on_submit=False, border=True):
    st.markdown("**Record a decision**")
    if DECISION_MESSAGE_KEY in st.session_state:
        st.success(st.session_state.pop(DECISION_MESSAGE_KEY))
    options = items[["customer_id", "review_topic", "customer_name"]].drop_duplicates()
    choices = list(options.itertuples(index=False, name=None))
    picked = st.selectbox(
        "Account and topic",
        choices,
        format_func=lambda choice: f"{choice[2]} ({choice[0]}): {REVIEW_TOPICS[choice[1]]}",
        key="decision_item",
    )
    first, second = st.columns(2)
    owner = first.text_input("Owner", key="decision_owner", help="Who follows the account up.")
    next_review = second.date_input(
        "Next review", value=date.today() + timedelta(days=91), min_value=date.today(), key="decision_next_review",
        format="YYYY-MM-DD",
    )
    note = st.text_input("Note (optional)", key="decision_note")
    decided_by = st.text_input("Your name", key="decision_by", help="Kept with the decision, with the time.")
    if st.form_submit_button("Record decision", type="primary"):
        try:
            decision = record_review_decision(
                customer_id=picked[0], topic=picked[1], owner=owner, next_review_on=next_review,
                note=note, decided_by=decided_by,
            )
        except ValueError as problem:
            st.error(str(problem))
        else:
            # Drawn again at once, so the list above shows the decision; the message survives the rerun.
            st.session_state[DECISION_MESSAGE_KEY] = (
                f"Recorded: {markdown_text(decision.owner)} owns {markdown_text(picked[2])} "
                f"({REVIEW_TOPICS[picked[1]].lower()}), next review {decision.next_review_on:%d %b %Y}. "
                "The warehouse has it after the next run."
            )
            st.rerun()

# --- the review pack ----------------------------------------------------------------------------
st.subheader("Review pack")
st.markdown(
    f"The quarter on paper: the headline, the trend, the changes since the quarter before, today's key "
    f"accounts with their reasons and the review list, for {quarter_label(quarter_end)} under "
    f"{definition_label(definition)}. Open it in a browser and print it, or save it as PDF."
)
# The figures are read with the page (cached queries); the document is written on the click, as
# writing it for every visit cost the page most of a second at 100,000 customers.
pack = load_review_pack(definition, quarter_end)
st.download_button(
    "Download the review pack",
    data=lambda: render_review_pack(pack).encode("utf-8"),
    file_name=f"key-account-review-{quarter_label(quarter_end).replace(' ', '-')}-{definition}.html",
    mime="text/html",
    icon=":material/print:",
    key="review_pack",
)
