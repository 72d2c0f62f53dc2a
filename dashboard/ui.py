"""The dashboard's UI kit: what every page writes and draws the same way.

- Formats: `format_money` (headline amounts, '€999.6k', '€1.0M') and `money_format` (the same
  currency in a table column), `format_share` (0.253 -> '25 %'), `known_sum`, `months_text`
  (12 -> 'a year', 18 -> '18 months').
- Names: the key-account definitions' labels and order, the scorecard's attributes, the flags.
- The run's thresholds (`run_settings`, from marts.run_settings), so page text states the figure
  the warehouse used instead of a number typed into it.
- Widgets: the definition in use, the account filters, the notice of missing inputs, the link to
  the Account page.

    from dashboard.ui import account_filters, definition_select

    definition = definition_select()                 # the selectbox keyed "definition"
    chosen = account_filters("scorecard")            # filter widgets, keys prefixed "scorecard_"
    where, params = chosen.where("m")                # SQL on marts.customer_metrics aliased m
    rows = query(f"select ... from marts.customer_metrics m where {where}", params)

Every value a user types or picks goes into the SQL as a `?` parameter, never into its text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.text import markdown_text
from dashboard.warehouse import query

DEFINITION_KEY = "definition"
# The definition last read from or written to the page's URL, and the one chosen last
# (definition_select).
_DEFINITION_IN_URL_KEY = "definition_in_url"
_DEFINITION_CHOSEN_KEY = "definition_chosen"
DEFAULT_DEFINITION = "balanced"

# The shipped definitions as a sales leader reads them, in the order the docs present them. A
# definition added to the spreadsheet follows them alphabetically, under its own name in words.
DEFINITION_LABELS = {
    "balanced": "Balanced",
    "the_big_ones": "The big ones",
    "mustnt_lose": "Mustn't lose",
    "future_profit": "Future profit",
    "staff_focus": "Staff focus",
    "extra_effort_extra_return": "Extra effort, extra return",
    "the_demanding_ones": "The demanding ones",
    "where_we_want_to_go": "Where we want to go",
}

# The scorecard's attributes in the order of the dbt macro `score_attributes`, which is also the
# order the what-if passes their weights in: (name, label, perspective).
ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("revenue_size", "Revenue size", "current"),
    ("profitability", "Profitability", "current"),
    ("margin_quality", "Margin quality", "current"),
    ("loyalty", "Loyalty", "current"),
    ("growth", "Growth", "future_fit"),
    ("wallet_headroom", "Wallet headroom", "future_fit"),
    ("strategic_fit", "Strategic fit", "future_fit"),
    ("relationship_access", "Relationship access", "future_fit"),
)
PERSPECTIVES = {"current": "Today", "future_fit": "Future and fit"}

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

# A headline amount is written in the first of these units that keeps it under 1,000 once rounded.
MONEY_UNITS = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"))
MINUS = "−"  # the typographic minus, as a report prints it
UNKNOWN = "–"


# --- formatting ------------------------------------------------------------------------------


def currency_symbol() -> str:
    """The sign amounts are written with, € or $ or 'CHF ': the warehouse's own currency."""
    frame = query("select currency_symbol from marts.portfolio_concentration")
    return str(frame["currency_symbol"].iloc[0]) if not frame.empty else ""


def money_format() -> str:
    """The number format of an amount column in a table, e.g. '€%,.0f'."""
    return f"{currency_symbol()}%,.0f"


def _is_unknown(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def format_money(value: float | None, symbol: str | None = None) -> str:
    """An amount for a headline or a sentence: 850 -> '€850', 999,600 -> '€999.6k',
    1,000,000 -> '€1.0M', -45,600 -> '−€45.6k'; an en dash for unknown. The unit is chosen after
    rounding, so 999,960 reads '€1.0M', never '€1,000.0k'. `symbol` defaults to the warehouse's
    currency sign."""
    if _is_unknown(value):
        return UNKNOWN
    symbol = currency_symbol() if symbol is None else symbol
    size = abs(float(value))
    for limit, suffix in MONEY_UNITS:  # past the largest unit it stays: '€2,500.0B'
        digits = 1 if suffix else 0
        shown = round(size / limit, digits)
        if shown < 1000:
            break
    sign = MINUS if float(value) < 0 and shown else ""
    return f"{sign}{symbol}{shown:,.{digits}f}{suffix}"


def format_share(value: float | None, digits: int = 0, signed: bool = False) -> str:
    """A share as a percentage: 0.253 -> '25 %', (0.253, 1) -> '25.3 %', -0.03 -> '−3 %';
    `signed` writes a plus too, for a change: 0.07 -> '+7 %'. An en dash for unknown."""
    if _is_unknown(value):
        return UNKNOWN
    percent = round(float(value) * 100, digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    sign = MINUS if percent < 0 else ("+" if signed else "")
    return f"{sign}{abs(percent):,.{digits}f} %"


def known_sum(values: pd.Series) -> float | None:
    """The sum of the known values: 0 for no values, None when none is known (an input is
    missing), so an unknown total is never shown as 0."""
    if values.empty:
        return 0.0
    return None if values.isna().all() else float(values.sum())


def flag_labels(frame: pd.DataFrame, columns: Iterable[str] = FLAGS) -> pd.Series:
    """One text cell per row naming the flags raised, e.g. 'Big but unprofitable · Tomorrow's oak'."""
    columns = [column for column in columns if column in frame.columns]
    if frame.empty or not columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    raised = frame[columns].fillna(False).astype(bool)
    labels = raised.apply(lambda row: " · ".join(FLAGS[c] for c in columns if row[c]), axis=1)
    return labels.astype(object)


def definition_label(name: str) -> str:
    """A definition's name as a sales leader reads it ("mustnt_lose" -> "Mustn't lose")."""
    return DEFINITION_LABELS.get(name) or name.replace("_", " ").strip().capitalize()


def in_definition_order(names: Iterable[str]) -> list[str]:
    """The definitions in the order the docs present them, any other alphabetically after."""
    shipped = list(DEFINITION_LABELS)
    return sorted(names, key=lambda name: (shipped.index(name) if name in shipped else len(shipped), name))


# --- the run's thresholds --------------------------------------------------------------------


def run_settings() -> dict[str, float]:
    """The thresholds this run used, by dbt var name (marts.run_settings), e.g.
    {"pareto_a_cutoff": 0.8, "exit_review_min_score": 40.0, ...}."""
    frame = query("select setting_name, value from marts.run_settings")
    return dict(zip(frame["setting_name"], frame["value"]))


def pareto_tiers_text() -> str:
    """The Pareto tiers in words, e.g. 'A: the accounts making the first 80 %, B: up to 95 %,
    C: the rest'."""
    settings = run_settings()
    return (
        f"A: the accounts making the first {format_share(settings['pareto_a_cutoff'])}, "
        f"B: up to {format_share(settings['pareto_b_cutoff'])}, C: the rest"
    )


def below_plan_text() -> str:
    """When an account is below plan, e.g. 'under 90 % of its revenue target to date'."""
    return f"under {format_share(run_settings()['cadence_below_plan_attainment'])} of its revenue target to date"


def months_text(months: float) -> str:
    """A span of whole months in words, for "… ago" or "… before": 12 -> 'a year', 1 -> 'a month',
    24 -> '2 years', 18 -> '18 months'."""
    months = int(months)
    if months == 12:
        return "a year"
    if months == 1:
        return "a month"
    if months and months % 12 == 0:
        return f"{months // 12} years"
    return f"{months} months"


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
    """The definitions the warehouse holds (marts.key_account_definitions), in display order:
    definition_name, definition_version, selection_rule, description, top_share, top_n, min_score."""
    frame = query(
        """
        select definition_name, definition_version, selection_rule, description, top_share, top_n, min_score
        from marts.key_account_definitions
        """
    ).set_index("definition_name", drop=False)
    return frame.loc[in_definition_order(frame.index)].reset_index(drop=True)


def selection_rule_text(definition: Mapping) -> str:
    """Whom a definition picks, in words, e.g. 'the best-scored 4 % of active customers'.
    `definition` holds selection_rule, top_share, top_n and min_score (a row of
    marts.key_account_definitions, or a what-if definition's fields)."""
    rule = definition.get("selection_rule")
    if rule == "top_share" and not _is_unknown(definition.get("top_share")):
        share = float(definition["top_share"])
        # A whole percentage reads whole; 2.5 % keeps its decimal.
        digits = 0 if round(share * 100, 6).is_integer() else 1
        return f"the best-scored {format_share(share, digits)} of active customers"
    if rule == "top_n" and not _is_unknown(definition.get("top_n")):
        return f"the best-scored {int(definition['top_n']):,} customers"
    if rule == "score_threshold" and not _is_unknown(definition.get("min_score")):
        return f"every customer scoring at least {float(definition['min_score']):g} of 100"
    if rule == "manager_capacity":
        return "each account manager's best-scored customers, up to what the manager can carry"
    return "the customers its own rule selects"


def _remember_definition() -> None:
    st.session_state[_DEFINITION_CHOSEN_KEY] = st.session_state[DEFINITION_KEY]


def definition_select(container=None) -> str:
    """The key-account definition used across pages: a selectbox keyed "definition" (in the
    sidebar unless another container is given) that keeps its value when the reader switches
    pages. Returns the definition's name; "balanced" unless the reader chose another."""
    container = st.sidebar if container is None else container
    available = definitions()
    names = available["definition_name"].tolist() or [DEFAULT_DEFINITION]
    # The definition travels in the page's URL (?definition=), so a shared link opens the same
    # view. A URL value is applied when it is new to this session (a link opened, or edited by
    # hand), not on every rerun: then it would undo the reader's own choice in the box below.
    # The choice itself is kept in a key of its own: the box keeps a reader's pick across pages,
    # but not a value the page gave it from a link.
    linked = st.query_params.get("definition")
    if linked and linked != st.session_state.get(_DEFINITION_IN_URL_KEY):
        st.session_state[_DEFINITION_IN_URL_KEY] = linked
        if linked in names:
            st.session_state[_DEFINITION_CHOSEN_KEY] = linked
        else:
            fallback = st.session_state.get(_DEFINITION_CHOSEN_KEY, DEFAULT_DEFINITION)
            st.warning(
                f"No key-account definition “{markdown_text(linked)}” in the warehouse: showing "
                f"{definition_label(fallback if fallback in names else names[0])} instead."
            )
    if st.session_state.get(_DEFINITION_CHOSEN_KEY) in names:
        st.session_state[DEFINITION_KEY] = st.session_state[_DEFINITION_CHOSEN_KEY]
    elif st.session_state.get(DEFINITION_KEY) not in names:
        st.session_state[DEFINITION_KEY] = DEFAULT_DEFINITION if DEFAULT_DEFINITION in names else names[0]
    chosen = container.selectbox(
        "Key-account definition",
        names,
        key=DEFINITION_KEY,
        format_func=lambda name: definition_label(name) + (" (default)" if name == DEFAULT_DEFINITION else ""),
        help="Which accounts count as key accounts. Every page uses the definition chosen here.",
        on_change=_remember_definition,
        persist_state="session",
    )
    st.session_state[_DEFINITION_CHOSEN_KEY] = chosen
    if st.query_params.get("definition") != chosen:
        st.query_params["definition"] = chosen
    st.session_state[_DEFINITION_IN_URL_KEY] = chosen
    details = available[available["definition_name"] == chosen]
    if not details.empty:
        row = details.iloc[0]
        description = row["description"] if isinstance(row["description"], str) else ""
        # The version names the exact rule, gates and weights behind every score on the page, so a
        # figure quoted in a review can be traced to the definition that made it.
        container.caption(
            f"{description} It picks {selection_rule_text(row)}. Version {row['definition_version']}: "
            "it changes whenever a weight, gate or the selection rule does.".strip()
        )
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
        "select account_manager_id, manager_name from marts.account_managers "
        "where assigned_customers > 0 order by manager_name, account_manager_id"
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
                    help=f"Pareto tier on revenue: {pareto_tiers_text()}.",
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
