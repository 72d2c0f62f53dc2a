"""Account: one customer in depth, from monthly sales to why it is (or is not) a key account."""

from __future__ import annotations

import streamlit as st

from dashboard import scoring
from dashboard.text import markdown_text
from dashboard.ui import (
    FLAGS,
    MISTAKE_FLAGS,
    UNKNOWN,
    definition_label,
    definition_select,
    format_growth,
    format_money,
    format_share,
    input_gaps_notice,
)
from dashboard.views.account_tabs import cost_to_serve, history, plan, sales, score, wallet
from dashboard.views.account_tabs.shared import missing
from dashboard.warehouse import query

PICKER_LIMIT = 10_000  # customers the selectbox holds at once
PICKER_MATCHES = 500

st.title("Account")
input_gaps_notice()

customer_count = int(query("select count(*) as n from marts.customer_metrics")["n"].iloc[0])
if not customer_count:
    st.warning("The warehouse holds no customers yet.")
    st.stop()

definitions = scoring.presets()
definition = definition_select()
if definition not in definitions:
    st.warning(f"The definition {definition!r} is not in the warehouse's configuration.")
    st.stop()

requested = st.query_params.get("customer")
known = query(
    "select customer_id from marts.customer_metrics where customer_id = ?", (requested or "",)
)
# A shared link with a mistyped or outdated ID must not pass another account off as the one asked for.
unknown_request = requested if requested and known.empty else None
if known.empty:
    top = query(
        """
        select customer_id from marts.key_account_scorecard
        where definition_name = 'balanced' and is_key_account
        order by score_rank limit 1
        """
    )
    if top.empty:
        top = query(
            "select customer_id from marts.customer_metrics order by revenue_t12m desc nulls last, customer_id limit 1"
        )
    requested = top["customer_id"].iloc[0]

# Up to PICKER_LIMIT customers the selectbox holds them all and searches as you type; above that
# (100,000 customers would make every keystroke slow in the browser) a search box narrows the
# choice on the server first.
picker_limit = st.session_state.get("account_picker_limit", PICKER_LIMIT)
if customer_count <= picker_limit:
    search = ""
    pick = st.columns([3, 2])[0]
    customers = query(
        "select customer_id, customer_name from marts.customer_metrics order by customer_name, customer_id"
    )
else:
    find, pick = st.columns([2, 3])
    search = find.text_input(
        "Find a customer",
        key="account_search",
        placeholder="Part of a name or ID",
        help=f"Searches all {customer_count:,} customers; the list shows the first {PICKER_MATCHES:,} matches.",
    ).strip()
    customers = query(
        """
        select customer_id, customer_name from marts.customer_metrics
        where ? = '' or contains(lower(customer_name), lower(?)) or contains(lower(customer_id), lower(?))
        order by case when customer_id = ? then 0 else 1 end,
                 case when ? = '' then -revenue_t12m end nulls last, customer_name, customer_id
        limit ?
        """,
        (search, search, search, "" if search else requested, search, PICKER_MATCHES),
    )
    if customers.empty:
        st.info(f"No customer name or ID contains “{markdown_text(search)}”.")
        st.stop()
names = dict(zip(customers["customer_id"], customers["customer_name"]))
ids = customers["customer_id"].tolist()
if requested not in names:
    requested = ids[0]

customer_id = pick.selectbox(
    "Customer",
    ids,
    index=ids.index(requested),
    format_func=lambda cid: f"{names[cid]} · {cid}",
    key="account_customer",
    help="Type to search by name or customer ID.",
)
if st.query_params.get("customer") != customer_id:
    st.query_params["customer"] = customer_id
if unknown_request:
    st.warning(
        f"No customer with the ID “{markdown_text(unknown_request)}” in the warehouse: showing "
        f"{markdown_text(names[customer_id])} instead. Check the link, or pick the customer above."
    )

metrics = query(
    """
    select m.*, managers.manager_name
    from marts.customer_metrics as m
    left join marts.account_managers as managers
        on m.account_manager_id = managers.account_manager_id
    where m.customer_id = ?
    """,
    (customer_id,),
).iloc[0]
card = query(
    "select * from marts.key_account_scorecard where customer_id = ? and definition_name = ?",
    (customer_id, definition),
)
card = card.iloc[0] if not card.empty else None

manager = (
    metrics["manager_name"]
    if not missing(metrics["manager_name"])
    else metrics["account_manager_id"]
)
st.subheader(markdown_text(metrics["customer_name"]))
st.caption(
    " · ".join(
        [
            markdown_text(customer_id),
            markdown_text(metrics["industry"]),
            markdown_text(metrics["region"]),
            f"{metrics['size_band']} employees"
            if metrics["size_band"] != "unknown"
            else "size unknown",
            f"account manager: {markdown_text(manager)}" if not missing(manager) else "no account manager",
            f"as of {metrics['reporting_date']:%d %B %Y}",
        ]
    )
)

definition_name = definition_label(definition)
if card is None:
    st.info(
        "Not on the scorecard: the customer bought nothing in the last twelve months, so it is "
        "not scored and cannot be a key account."
    )
else:
    status = (
        f"**Key account** under {definition_name}"
        if card["is_key_account"]
        else (f"**Not a key account** under {definition_name}")
    )
    detail = (
        f"score {card['score']:.1f}, rank {int(card['score_rank']):,}"
        if not missing(card["score"])
        else "no score"
    )
    tiers = ", ".join(
        f"{name} tier {card[f'{kind}_tier']}"
        if not missing(card[f"{kind}_tier"])
        else f"{name} tier unknown"
        for kind, name in (("revenue", "revenue"), ("contribution", "profit"))
    )
    override = ""
    if not missing(card["override_status"]):
        override = f" · by manual decision: {markdown_text(card['override_reason'])}"
    (st.success if card["is_key_account"] else st.info)(f"{status} · {detail} · {tiers}{override}")

# The flags, each with the figures that raised it: a big account losing money must read as one here,
# not only on the Mistakes page.
raised = [flag for flag in FLAGS if not missing(metrics[flag]) and bool(metrics[flag])]
for flag in raised:
    reason = metrics[flag.removeprefix("is_") + "_reason"]
    kind = "Mistake flag" if flag in MISTAKE_FLAGS else "Opportunity flag"
    (st.warning if flag in MISTAKE_FLAGS else st.info)(
        f"**{kind}: {FLAGS[flag]}.** " + ("" if missing(reason) else markdown_text(reason))
    )
if not raised:
    st.caption("No flag raised: not big but unprofitable, not a one-off, not an easy sell without "
               "growth, not a tomorrow's oak.")

st.caption("Last twelve months up to the reporting date.")
row1 = st.columns(6)
row1[0].metric(
    "Revenue",
    format_money(metrics["revenue_t12m"]),
    None
    if missing(metrics["revenue_growth_yoy"])
    else f"{format_growth(metrics['revenue_growth_yoy'])} vs year before",
    help="What the customer bought in the last twelve months, after discounts and returns.",
)
row1[1].metric(
    "Gross margin",
    format_money(metrics["gross_margin_t12m"]),
    None
    if missing(metrics["gross_margin_pct_t12m"])
    else f"{format_share(metrics['gross_margin_pct_t12m'], 1)} margin",
    delta_color="off",
    delta_arrow="off",
    help="Revenue minus the cost of the goods sold. A dash: unknown, as no product costs were loaded.",
)
row1[2].metric(
    "Cost to serve",
    format_money(metrics["cost_to_serve_t12m"]),
    help="Support, visits, rush shipping and returns handling. A dash: unknown, as no service costs "
    "were loaded.",
)
row1[3].metric(
    "Net contribution",
    format_money(metrics["net_contribution_t12m"]),
    None
    if missing(metrics["net_margin_pct_t12m"])
    else f"{format_share(metrics['net_margin_pct_t12m'], 1)} net margin",
    delta_color="off",
    delta_arrow="off",
    help="What the customer earned us: gross margin minus cost to serve. A dash: unknown.",
)
row1[4].metric(
    "Share of wallet",
    format_share(metrics["share_of_wallet"]),
    None if missing(metrics["wallet"]) else f"of {format_money(metrics['wallet'])} wallet",
    delta_color="off",
    delta_arrow="off",
    help="Our revenue over the customer's yearly spend in our categories (market research, else "
    "estimated from similar companies). A dash: no wallet known.",
)
row1[5].metric(
    # The unit in the label: "48 months" does not fit a sixth of the page at 1440 px.
    "Tenure, months",
    UNKNOWN if missing(metrics["tenure_months"]) else f"{int(metrics['tenure_months'])}",
    None if missing(metrics["first_order_date"]) else f"since {metrics['first_order_date']:%b %Y}",
    delta_color="off",
    delta_arrow="off",
    help="How long the customer has bought from us: months since the first order we know of (it may "
    "be a customer from before the data starts).",
)

tab_sales, tab_wallet, tab_cost, tab_plan, tab_score, tab_history = st.tabs(
    [
        "Sales",
        "Share of wallet",
        "Cost to serve",
        "Plan vs actual",
        "Scorecard",
        "Status & overrides",
    ]
)

with tab_sales:
    sales.draw(customer_id, metrics)
with tab_wallet:
    wallet.draw(customer_id)
with tab_cost:
    cost_to_serve.draw(customer_id, metrics)
with tab_plan:
    plan.draw(customer_id)
with tab_score:
    score.draw(customer_id, card, definitions[definition])
with tab_history:
    history.draw(customer_id, card, definition)
