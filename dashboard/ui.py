"""Shared widgets for the dashboard pages: the key-account definition in use, the account filters,
and the few formatting helpers every page needs.

    from dashboard.filters import account_filters, definition_select

    definition = definition_select()                 # the selectbox keyed "definition"
    chosen = account_filters("scorecard")            # filter widgets, keys prefixed "scorecard_"
    where, params = chosen.where("m")                # SQL on marts.customer_metrics aliased m
    rows = query(f"select ... from marts.customer_metrics m where {where}", params)

Every value a user types or picks goes into the SQL as a `?` parameter, never into its text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.text import markdown_text
from dashboard.warehouse import query

DEFINITION_KEY = "definition"
DEFAULT_DEFINITION = "balanced"

# Definitions in the order the docs present them; any other definition follows alphabetically.
_DEFINITION_ORDER = (
    "balanced",
    "the_big_ones",
    "mustnt_lose",
    "future_profit",
    "staff_focus",
    "extra_effort_extra_return",
    "the_demanding_ones",
    "where_we_want_to_go",
)
_DEFINITION_LABELS = {
    "balanced": "Balanced (default)",
    "the_big_ones": "The big ones (revenue only)",
    "mustnt_lose": "Mustn't lose",
    "future_profit": "Future profit",
    "staff_focus": "Staff focus (manager capacity)",
    "extra_effort_extra_return": "Extra effort, extra return",
    "the_demanding_ones": "The demanding ones",
    "where_we_want_to_go": "Where we want to go",
}

# The four flags of marts.customer_metrics / marts.key_account_scorecard: column -> label.
FLAGS = {
    "is_big_but_unprofitable": "Big but unprofitable",
    "is_big_revenue_one_off": "Big revenue, one-off",
    "is_easy_sell_no_growth": "Easy sell, no growth",
    "is_tomorrows_oak": "Tomorrow's oak",
}
MISTAKE_FLAGS = ("is_big_but_unprofitable", "is_big_revenue_one_off", "is_easy_sell_no_growth")
# Where a wallet figure comes from (`wallet_source`), as a sales leader reads it.
WALLET_SOURCES = {
    "declared": "Market research",
    "firmographic_estimate": "Estimated from turnover",
    "peer_estimate": "Estimated from peers",
}
TIERS = ("A", "B", "C")
NO_MANAGER = "__none__"

FILTER_FIELDS = ("search", "region", "industry", "manager", "revenue_tier", "contribution_tier", "flag")


# --- formatting ------------------------------------------------------------------------------


def definition_label(name: str) -> str:
    return _DEFINITION_LABELS.get(name, name.replace("_", " ").capitalize())


def currency_symbol() -> str:
    """The sign amounts are written with, € or $ or 'CHF ': the warehouse's own currency."""
    frame = query("select currency_symbol from marts.portfolio_concentration")
    return str(frame["currency_symbol"].iloc[0]) if not frame.empty else ""


def money_format() -> str:
    """The number format of an amount column in a table, e.g. '€%,.0f'."""
    return f"{currency_symbol()}%,.0f"


def format_money(value: float | None) -> str:
    """€1.2M style for headline figures; an en dash for unknown."""
    if value is None or pd.isna(value):
        return "–"
    value = float(value)
    sign = "−" if value < 0 else ""
    size = abs(value)
    symbol = currency_symbol()
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{sign}{symbol}{size / limit:,.1f}{suffix}"
    return f"{sign}{symbol}{size:,.0f}"


def known_sum(values: pd.Series) -> float | None:
    """The sum of the known values: 0 for no values, None when none is known (an input is
    missing), so an unknown total is never shown as 0."""
    if values.empty:
        return 0.0
    return None if values.isna().all() else float(values.sum())


def format_share(value: float | None, digits: int = 0) -> str:
    """0.253 -> '25 %'; an en dash for unknown."""
    if value is None or pd.isna(value):
        return "–"
    return f"{float(value) * 100:.{digits}f} %"


def flag_labels(frame: pd.DataFrame, columns: Iterable[str] = FLAGS) -> pd.Series:
    """One text cell per row naming the flags raised, e.g. 'Big but unprofitable · Tomorrow's oak'."""
    columns = [column for column in columns if column in frame.columns]
    if frame.empty or not columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    raised = frame[columns].fillna(False).astype(bool)
    labels = raised.apply(lambda row: " · ".join(FLAGS[c] for c in columns if row[c]), axis=1)
    return labels.astype(object)


# --- what the warehouse was built without -----------------------------------------------------


def missing_inputs() -> pd.DataFrame:
    """The optional inputs the warehouse was built without, with what that leaves unknown:
    input_name, gap (marts.input_coverage). Partly costed revenue is not listed: the portfolio
    page shows it as margin coverage."""
    return query(
        "select input_name, gap from marts.input_coverage "
        "where not is_supplied and gap is not null order by input_name"
    )


def input_gaps_notice(detailed: bool = False) -> None:
    """Say which inputs the figures lack, so an empty metric is never mistaken for a zero.

    `detailed` lists each missing input with its consequence (the portfolio page); otherwise one
    line names them."""
    missing = missing_inputs()
    if missing.empty:
        return
    names = ", ".join(missing["input_name"].str.replace("_", " "))
    if not detailed:
        st.info(
            f"Built without {names}: some figures are empty, not zero. The Portfolio page says which.",
            icon=":material/info:",
        )
        return
    lines = [
        f"- **{name.replace('_', ' ').capitalize()}**: {gap}"
        for name, gap in zip(missing["input_name"], missing["gap"])
    ]
    st.warning(f"Built without {names}. What that leaves unknown:\n\n" + "\n".join(lines),
               icon=":material/info:")


# --- the definition in use -------------------------------------------------------------------


def definitions() -> pd.DataFrame:
    """The definitions the warehouse holds, in display order: definition_name, definition_version,
    selection_rule, description, top_share, top_n, min_score."""
    frame = query(
        """
        with published as (
            select distinct definition_name, definition_version, selection_rule
            from marts.key_account_scorecard
        )
        select p.definition_name, p.definition_version, p.selection_rule,
               d.description, d.top_share, d.top_n, d.min_score
        from published p
        left join intermediate.int_scorecard_definitions_versioned d
          on d.definition_name = p.definition_name
        order by p.definition_name
        """
    )
    order = {name: position for position, name in enumerate(_DEFINITION_ORDER)}
    frame["_order"] = frame["definition_name"].map(lambda name: order.get(name, len(order)))
    return frame.sort_values(["_order", "definition_name"]).drop(columns="_order").reset_index(drop=True)


def selection_rule_text(row: pd.Series | dict) -> str:
    """The definition's selection rule in plain words."""
    rule = row.get("selection_rule")
    if rule == "top_share" and pd.notna(row.get("top_share")):
        return f"picks the best-scored {float(row['top_share']) * 100:g} % of active customers"
    if rule == "top_n" and pd.notna(row.get("top_n")):
        return f"picks the best-scored {int(row['top_n']):,} customers"
    if rule == "score_threshold" and pd.notna(row.get("min_score")):
        return f"picks every customer scoring at least {float(row['min_score']):g} of 100"
    if rule == "manager_capacity":
        return "picks each account manager's best-scored customers, up to what the manager can carry"
    return "picks by its own rule"


def definition_select(container=None) -> str:
    """The key-account definition used across pages: a selectbox keyed "definition" (in the
    sidebar unless another container is given) that keeps its value when the reader switches
    pages. Returns the definition's name; "balanced" unless the reader chose another."""
    container = st.sidebar if container is None else container
    available = definitions()
    names = available["definition_name"].tolist() or [DEFAULT_DEFINITION]
    if st.session_state.get(DEFINITION_KEY) not in names:
        st.session_state[DEFINITION_KEY] = DEFAULT_DEFINITION if DEFAULT_DEFINITION in names else names[0]
    chosen = container.selectbox(
        "Key-account definition",
        names,
        key=DEFINITION_KEY,
        format_func=definition_label,
        help="Which accounts count as key accounts. Every page uses the definition chosen here.",
        persist_state="session",
    )
    details = available[available["definition_name"] == chosen]
    if not details.empty:
        row = details.iloc[0]
        description = row["description"] if isinstance(row["description"], str) else ""
        container.caption(f"{description} It {selection_rule_text(row)}.".strip())
    return chosen


# --- account filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountFilters:
    """What the reader chose; empty tuples and an empty search mean "no filter"."""

    search: str = ""
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    managers: tuple[str, ...] = ()  # account_manager_id values; NO_MANAGER for "no manager"
    revenue_tiers: tuple[str, ...] = ()
    contribution_tiers: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # columns of FLAGS; an account matches if it carries any of them
    _labels: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_empty(self) -> bool:
        return not (
            self.search
            or self.regions
            or self.industries
            or self.managers
            or self.revenue_tiers
            or self.contribution_tiers
            or self.flags
        )

    def where(self, alias: str = "m") -> tuple[str, tuple]:
        """A SQL condition and its parameters. `alias` names a relation with the columns of
        marts.customer_metrics (customer_id, customer_name, region, industry, account_manager_id,
        revenue_tier, contribution_tier and the flag columns). Always valid: "true" when empty."""
        prefix = f"{alias}." if alias else ""
        clauses: list[str] = []
        params: list = []

        def among(column: str, values: tuple[str, ...]) -> None:
            clauses.append(f"{prefix}{column} in ({', '.join('?' for _ in values)})")
            params.extend(values)

        if self.search:
            clauses.append(
                f"(contains(lower({prefix}customer_name), lower(?)) or lower({prefix}customer_id) = lower(?))"
            )
            params.extend([self.search, self.search])
        if self.regions:
            among("region", self.regions)
        if self.industries:
            among("industry", self.industries)
        if self.managers:
            named = tuple(m for m in self.managers if m != NO_MANAGER)
            parts = []
            if named:
                parts.append(f"{prefix}account_manager_id in ({', '.join('?' for _ in named)})")
                params.extend(named)
            if NO_MANAGER in self.managers:
                parts.append(f"{prefix}account_manager_id is null")
            clauses.append("(" + " or ".join(parts) + ")")
        if self.revenue_tiers:
            among("revenue_tier", self.revenue_tiers)
        if self.contribution_tiers:
            among("contribution_tier", self.contribution_tiers)
        if self.flags:
            flags = [flag for flag in self.flags if flag in FLAGS]  # column names from a fixed list
            if flags:
                clauses.append("(" + " or ".join(f"coalesce({prefix}{flag}, false)" for flag in flags) + ")")
        return (" and ".join(clauses) or "true"), tuple(params)

    def describe(self) -> str:
        """The active filters in words for a caption, e.g. 'Region: DACH · Revenue tier: A'; ''
        when empty. The values come from the data or the reader: Markdown shows them as text."""
        labels = self._labels
        parts = []
        if self.search:
            parts.append(f"Name contains “{markdown_text(self.search)}”")
        for title, values, names in (
            ("Region", self.regions, None),
            ("Industry", self.industries, None),
            ("Manager", self.managers, labels.get("managers")),
            ("Revenue tier", self.revenue_tiers, None),
            ("Profit tier", self.contribution_tiers, None),
            ("Flag", self.flags, FLAGS),
        ):
            if values:
                shown = [markdown_text(names.get(v, v) if names else v) for v in values]
                parts.append(f"{title}: {', '.join(shown)}")
        return " · ".join(parts)


def filter_options() -> dict[str, list]:
    """The values the filters offer: regions, industries, and managers (id -> display name,
    'No manager' last)."""
    regions = query("select distinct region from marts.customer_metrics where region is not null order by 1")
    industries = query(
        "select distinct industry from marts.customer_metrics where industry is not null order by 1"
    )
    managers = query(
        """
        select m.account_manager_id, coalesce(max(a.manager_name), m.account_manager_id) as manager_name
        from (select distinct account_manager_id from marts.customer_metrics
              where account_manager_id is not null) m
        left join staging.stg_account_managers a on a.account_manager_id = m.account_manager_id
        group by m.account_manager_id
        order by manager_name, m.account_manager_id
        """
    )
    manager_names = dict(zip(managers["account_manager_id"], managers["manager_name"]))
    manager_names[NO_MANAGER] = "No manager"
    return {
        "regions": regions["region"].tolist(),
        "industries": industries["industry"].tolist(),
        "managers": manager_names,
    }


def manager_names() -> dict[str, str]:
    """account_manager_id -> manager name (the id where the managers file has no name)."""
    return {k: v for k, v in filter_options()["managers"].items() if k != NO_MANAGER}


def manager_labels(manager_ids: pd.Series) -> pd.Series:
    """Each account's manager as a reader knows them: the name, else the id (a manager missing
    from the managers file), else a dash (no manager)."""
    names = manager_ids.map(manager_names()).astype(object)
    return names.where(names.notna(), manager_ids).fillna("—")


def account_filters(
    prefix: str,
    fields: Iterable[str] = FILTER_FIELDS,
    *,
    container=None,
    columns: int = 4,
) -> AccountFilters:
    """Draw the account filter widgets and return what the reader chose.

    prefix     -- widget keys are f"{prefix}_{field}" (e.g. "scorecard_region"), so pages keep
                  their own filters and a test can set them by key.
    fields     -- any of FILTER_FIELDS, in the order to draw them: "search", "region", "industry",
                  "manager", "revenue_tier", "contribution_tier", "flag".
    container  -- where to draw them (default: the page body), laid out in `columns` columns.
    Filter values survive a page switch.
    """
    fields = list(fields)
    unknown = set(fields) - set(FILTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown filter fields: {sorted(unknown)}; choose from {FILTER_FIELDS}")
    options = filter_options()
    container = st.container() if container is None else container
    slots = container.columns(min(columns, max(1, len(fields))))
    chosen: dict = {}
    for position, name in enumerate(fields):
        slot = slots[position % len(slots)]
        key = f"{prefix}_{name}"
        common = {"key": key, "persist_state": "session"}
        if name == "search":
            chosen["search"] = slot.text_input(
                "Search by name",
                placeholder="Customer name or id",
                icon=":material/search:",
                **common,
            ).strip()
        elif name == "region":
            chosen["regions"] = tuple(slot.multiselect("Region", options["regions"], placeholder="All regions", **common))
        elif name == "industry":
            chosen["industries"] = tuple(
                slot.multiselect("Industry", options["industries"], placeholder="All industries", **common)
            )
        elif name == "manager":
            managers = options["managers"]
            chosen["managers"] = tuple(
                slot.multiselect(
                    "Account manager",
                    list(managers),
                    format_func=lambda value, names=managers: names.get(value, value),
                    placeholder="All managers",
                    **common,
                )
            )
        elif name == "revenue_tier":
            chosen["revenue_tiers"] = tuple(
                slot.multiselect(
                    "Revenue tier",
                    list(TIERS),
                    placeholder="A, B and C",
                    help="Pareto tier on revenue: A = the accounts making the first 80 %, B = up to 95 %, C = the rest.",
                    **common,
                )
            )
        elif name == "contribution_tier":
            chosen["contribution_tiers"] = tuple(
                slot.multiselect(
                    "Profit tier",
                    list(TIERS),
                    placeholder="A, B and C",
                    help="Pareto tier on net contribution (margin after cost to serve), cut like the revenue tier.",
                    **common,
                )
            )
        elif name == "flag":
            chosen["flags"] = tuple(
                slot.multiselect(
                    "Flag",
                    list(FLAGS),
                    format_func=FLAGS.get,
                    placeholder="Any or none",
                    help="Show accounts carrying any of the chosen flags.",
                    **common,
                )
            )
    return AccountFilters(**chosen, _labels={"managers": options["managers"]})


# --- links to the Account page ---------------------------------------------------------------


def account_link(customer_id: str, customer_name: str, container=None) -> None:
    """A link "Open <customer name>" to the Account page for this customer
    (st.query_params["customer"]). Drawn only when the Account page is part of the app (not when
    a page runs on its own)."""
    container = st if container is None else container
    try:
        container.page_link(
            "views/account.py",
            label=f"Open {markdown_text(customer_name)}",
            icon=":material/person_search:",
            query_params={"customer": customer_id},
        )
    except (StreamlitAPIException, KeyError, ValueError):
        pass
