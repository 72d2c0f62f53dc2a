"""The dashboard's UI kit: what every page writes and draws the same way.

- Formats: `format_money` (every amount, '€999.6k', '€1.0M'), `format_share` (0.253 -> '25 %'),
  `format_growth` (0.07 -> '+7 %', 42.3 -> '> +999 %'), `known_sum`, `months_text`
  (12 -> 'a year', 18 -> '18 months'). An unknown figure is an en dash, never 'None' or '€0'.
- Tables: `show_table` draws a table whose figures (`Figure`) are written by those same
  formatters, under short headers with a `help` each, and its formula-safe "Export CSV" button
  with the headers as shown and rounded figures.
- Charts: `show_chart` draws a Plotly figure with axis text dark enough to read (contrast 12:1).
- Names: the key-account definitions' labels and order, the scorecard's attributes, the flags.
- The run's thresholds (`run_settings`, from marts.run_settings), so page text states the figure
  the warehouse used instead of a number typed into it.
- Widgets: the definition in use, the account filters, the notice of missing inputs, the link to
  the Account page. `url_widget` keeps a widget's value in the page's URL, so a link opens the
  same view.

    from dashboard.ui import account_filters, definition_select

    definition = definition_select()                 # the selectbox keyed "definition"
    chosen = account_filters("scorecard")            # filter widgets, keys prefixed "scorecard_"
    where, params = chosen.where("m")                # SQL on marts.customer_metrics aliased m
    rows = query(f"select ... from marts.customer_metrics m where {where}", params)

Every value a user types or picks goes into the SQL as a `?` parameter, never into its text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.export import download_button
from dashboard.text import markdown_text
from dashboard.warehouse import published_version, query, warehouse_path

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
NO_MANAGER_LABEL = "No manager"

FILTER_FIELDS = ("search", "region", "industry", "manager", "revenue_tier", "contribution_tier", "flag")

# A headline amount is written in the first of these units that keeps it under 1,000 once rounded.
MONEY_UNITS = ((1.0, ""), (1e3, "k"), (1e6, "M"), (1e9, "B"))
MINUS = "−"  # the typographic minus, as a report prints it
UNKNOWN = "–"
# Growth above this (a customer that bought next to nothing the year before) is not a rate a
# reader can use: it reads "> +999 %".
GROWTH_CAP = 9.99
GROWTH_ABOVE_CAP = f"> +{GROWTH_CAP * 100:,.0f} %"
# Chart text (axis labels and titles, legends, annotations): Streamlit's own text colour, 12.6:1 on
# white, where its default chart grey reaches 3.0:1 (WCAG AA asks 4.5:1 for text).
INK = "#31333F"
GRID = "#E6E9EF"


# --- formatting ------------------------------------------------------------------------------


def currency_symbol() -> str:
    """The sign amounts are written with, € or $ or 'CHF ': the warehouse's own currency. Read once
    per published file: tables format every money cell with it, and a cached query per cell cost
    seconds on a page of thousands of rows."""
    path = warehouse_path()
    return _currency_symbol(str(path), published_version(path)) if path.exists() else ""


@functools.lru_cache(maxsize=8)
def _currency_symbol(path: str, version: tuple[int, int, int]) -> str:
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


def format_growth(value: float | None, digits: int = 0) -> str:
    """A growth rate, signed: 0.07 -> '+7 %', -0.2 -> '−20 %'; above GROWTH_CAP (+999 %, the
    customer bought next to nothing before) '> +999 %'; an en dash for unknown."""
    if _is_unknown(value):
        return UNKNOWN
    if float(value) > GROWTH_CAP:
        return GROWTH_ABOVE_CAP
    return format_share(value, digits, signed=True)


def format_count(value: float | None) -> str:
    """A whole number with thousands separators: 1234 -> '1,234'; an en dash for unknown."""
    return UNKNOWN if _is_unknown(value) else f"{round(float(value)):,}"


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


# --- charts ----------------------------------------------------------------------------------


def show_chart(figure, **kwargs) -> Any:
    """`st.plotly_chart(figure, width="stretch", **kwargs)` with every text of the chart in INK:
    Streamlit's chart theme writes tick labels, axis titles and legends in a grey that reaches 3:1
    on white. Colours a figure sets itself (a label inside a dark bar) are kept. Returns what
    st.plotly_chart returns: the points a reader selected, with `on_select`."""
    figure.update_layout(font={"color": INK}, legend={"font": {"color": INK}})
    axes = {"tickfont": {"color": INK}, "title": {"font": {"color": INK}}}
    figure.update_xaxes(**axes)
    figure.update_yaxes(**axes)
    for annotation in figure.layout.annotations or ():
        annotation.font.color = annotation.font.color or INK
    kwargs.setdefault("width", "stretch")
    return st.plotly_chart(figure, **kwargs)


def share_ticks(top: float = 1.0, step: float = 0.2) -> dict:
    """An axis of shares (0.2 for 20 %) ticked as the rest of the page writes them, '20 %', from 0
    to `top`: `figure.update_yaxes(**share_ticks())`. Plotly's own percent format prints '20%'."""
    count = int(top / step + 1e-9) + 1
    values = [round(i * step, 10) for i in range(count)]
    return {"tickvals": values, "ticktext": [format_share(value) for value in values]}


# --- tables ----------------------------------------------------------------------------------

FIGURE_KINDS = ("money", "share", "growth", "count", "number", "rating")


@dataclass(frozen=True)
class Figure:
    """A table column of figures: its short header, how its values are written, and the
    plain-words `help` the header's tooltip shows.

    kind -- "money" (format_money: '€1.6M'), "share" (format_share: 0.343 -> '34 %', `digits`
            decimals), "growth" (format_growth: '+38 %', '> +999 %'), "count" ('1,234'),
            "number" (`digits` decimals, `signed` for a difference), "rating" ('4.5 / 5').
    An unknown value is written `unknown` (an en dash unless told otherwise)."""

    label: str
    kind: str = "money"
    help: str | None = None
    digits: int = 0
    width: str | None = None
    unknown: str = UNKNOWN
    signed: bool = False  # a "number" with its plus sign: a difference, '+3.8'

    def __post_init__(self) -> None:
        if self.kind not in FIGURE_KINDS:
            raise ValueError(f"unknown figure kind {self.kind!r}; choose from {FIGURE_KINDS}")

    def text(self, value: object, symbol: str | None = None) -> str:
        """The value as the table writes it; `symbol`: the currency sign, when the caller has read
        it already (a table writes thousands of amounts with one sign)."""
        if _is_unknown(value):
            return self.unknown
        if self.kind == "money":
            return format_money(value, symbol)
        if self.kind == "share":
            return format_share(value, self.digits)
        if self.kind == "growth":
            return format_growth(value, self.digits)
        if self.kind == "count":
            return format_count(value)
        if self.kind == "rating":
            return f"{float(value):.1f} / 5"
        shown = round(float(value), self.digits) + 0.0
        sign = MINUS if shown < 0 else ("+" if self.signed and shown > 0 else "")
        return sign + f"{abs(shown):,.{self.digits}f}"

    def export_header(self) -> str:
        """The header in a CSV export, with the unit its rounded figures are in."""
        if self.kind == "money":
            return f"{self.label} ({currency_symbol().strip() or 'amount'})"
        if self.kind in ("share", "growth"):
            return f"{self.label} (%)"
        return self.label

    def export_values(self, values: pd.Series) -> pd.Series:
        """The figures as a CSV holds them: whole amounts, percentages to one decimal (a share of
        0.3437 is 34.4), counts whole, other numbers to `digits` (at least one) decimals."""
        numbers = pd.to_numeric(values, errors="coerce").astype(float)
        if self.kind == "money":
            return numbers.round(0)
        if self.kind in ("share", "growth"):
            return (numbers * 100).round(max(1, self.digits))
        if self.kind == "count":
            return numbers.round(0).astype("Int64")
        return numbers.round(max(1, self.digits))


def _config_label(spec: object, name: str) -> str:
    """The header a column config (a label, a st.column_config dict or a Figure) shows."""
    if isinstance(spec, Figure):
        return spec.label
    if isinstance(spec, str):
        return spec
    if isinstance(spec, Mapping) and spec.get("label"):
        return str(spec["label"])
    return name


def _without_none(values: pd.Series, spec: Mapping) -> tuple[pd.Series, Mapping]:
    """A column whose config Streamlit would print 'None' in for an unknown value, written so it
    shows an en dash: a text column filled; a date or number column as right-aligned text."""
    kind = (spec.get("type_config") or {}).get("type")
    if not values.isna().any() or kind == "checkbox":
        return values, spec
    if kind in (None, "text"):
        return values.astype(object).where(values.notna(), UNKNOWN), spec
    if kind in ("date", "datetime"):
        dates = [None if _is_unknown(value) else pd.Timestamp(value) for value in values]
        text = [UNKNOWN if date is None else f"{date.day} {date:%b %Y}" for date in dates]
    elif kind in ("number", "progress"):
        text = [
            UNKNOWN if _is_unknown(value) else f"{float(value):,.{0 if float(value).is_integer() else 1}f}"
            for value in values
        ]
    else:
        return values, spec
    return pd.Series(text, index=values.index), st.column_config.TextColumn(
        spec.get("label"), help=spec.get("help"), width=spec.get("width"), alignment="right"
    )


# The most rows a table sends to the browser. Past it a table is scrolled, not read, and every
# row costs the page time to write (at 100,000 customers a key-account list of 3,585 rows took
# 1.6 s of a 4 s page): a longer table shows its first rows, in the order the page chose, and says
# so; its CSV export still holds every row.
TABLE_ROW_LIMIT = 1000


def show_table(
    frame: pd.DataFrame,
    columns: Mapping[str, Figure | str | Mapping | None],
    *,
    export: str | None,
    export_also: Mapping[str, str] | None = None,
    blank: Mapping[str, Sequence[bool]] | None = None,
    caption: str | None = None,
    row_limit: int = TABLE_ROW_LIMIT,
    **kwargs: Any,
):
    """Draw `frame` as a table showing `columns` in their order, and its "Export CSV" button.

    columns      -- column -> a `Figure` (written by the shared formatters: one way to write an
                    amount or a percentage on every page), a header (text), a st.column_config
                    entry (a checkbox, a score bar), or None: kept in the table's data (a row's id,
                    for a selection) but not shown.
    export       -- the CSV's file name (None: no button, when the page offers the table's data
                    in another export). The CSV holds the columns under the headers the reader
                    sees, figures rounded (whole amounts, percentages to a decimal), made
                    formula-safe by dashboard/export.py.
    export_also  -- columns the table does not show that the CSV holds first, column -> header
                    (a customer's id).
    blank        -- column -> a mask of rows whose figure is not due yet (a plan period not
                    started): an empty cell, not '€0' nor a dash.
    caption      -- a line under the table, above its button.
    row_limit    -- the most rows shown: a longer frame shows its first `row_limit` rows and the
                    caption says how many of how many (the export holds them all).
    Other keyword arguments go to st.dataframe (key, height, on_select, ...); returns what it
    returns (the selection).

    A figure column stays numeric (it sorts by value) and is shown through a pandas Styler with
    the formatter; a column holding an unknown value is written as right-aligned text instead,
    since Streamlit prints an empty number as 'None'. An unknown text or date is an en dash too."""
    everything = frame.reset_index(drop=True)
    all_masks = {name: pd.Series(list(mask), dtype=bool) for name, mask in (blank or {}).items()}
    shown = everything.head(row_limit)
    masks = {name: mask.head(row_limit) for name, mask in all_masks.items()}
    symbol = currency_symbol()
    data = {}
    config: dict[str, Any] = {}
    formats: dict[str, Callable] = {}
    for name, spec in columns.items():
        values = shown[name]
        if spec is None:
            data[name], config[name] = values, None
        elif isinstance(spec, Figure):
            numbers = pd.to_numeric(values, errors="coerce").astype(float)
            mask = masks.get(name, pd.Series(False, index=numbers.index))
            numbers = numbers.mask(mask)
            if numbers.isna().any():
                data[name] = [
                    "" if hidden else spec.text(value, symbol) for value, hidden in zip(numbers, mask)
                ]
                config[name] = st.column_config.TextColumn(
                    spec.label, help=spec.help, width=spec.width, alignment="right"
                )
            else:
                data[name] = numbers
                formats[name] = functools.partial(spec.text, symbol=symbol)
                config[name] = st.column_config.NumberColumn(spec.label, help=spec.help, width=spec.width)
        else:
            spec = st.column_config.TextColumn(spec) if isinstance(spec, str) else spec
            data[name], config[name] = _without_none(values, spec)
    table = pd.DataFrame(data, index=shown.index)
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    selection = st.dataframe(
        table.style.format(formats, subset=list(formats)) if formats else table,
        column_config=config,
        column_order=[name for name, spec in columns.items() if spec is not None],
        **kwargs,
    )
    if len(everything) > len(shown):
        cut = f"The table shows the first {len(shown):,} of {len(everything):,} rows" + (
            "; the CSV export holds them all." if export else "."
        )
        caption = f"{caption} {cut}" if caption else cut
    if caption:
        st.caption(caption)
    if export:
        exported = {header: everything[name] for name, header in (export_also or {}).items()}
        for name, spec in columns.items():
            values = everything[name]
            if spec is None:
                continue
            if isinstance(spec, Figure):
                numbers = spec.export_values(values)
                if name in all_masks:
                    numbers = numbers.mask(all_masks[name])
                exported[spec.export_header()] = numbers
            else:
                if pd.api.types.is_float_dtype(values):
                    values = values.round(1)
                exported[_config_label(spec, name)] = values
        download_button(pd.DataFrame(exported), export)
    return selection


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


# --- state in the URL ------------------------------------------------------------------------

# Per widget key: the URL values last read from or written to the page's URL by `url_widget`.
_URL_SEEN_KEY = "_url_seen"
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def _quoted(values: Iterable[str]) -> str:
    """'“a”', '“a” or “b”', '“a”, “b” or “c”': values from a link, shown as text."""
    shown = [f"“{markdown_text(value)}”" for value in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def url_widget(
    widget: Callable,
    label: str,
    options: Sequence | None = None,
    *,
    key: str,
    param: str,
    what: str,
    where: str = "in the warehouse",
    default: Any = None,
    url_text: Callable[[Any], str] = str,
    **kwargs: Any,
) -> Any:
    """Draw `widget` (st.multiselect, st.selectbox, st.radio, st.toggle, st.checkbox or
    st.text_input, or a container's: `slot.multiselect`) keyed `key`, with its value in the page's
    URL as `param`, so a link opens the same view; returns the widget's value.

    In the URL a value is readable: `url_text(option)` (an id, a tier letter), several as repeated
    parameters (`?region=DACH&region=Nordics`; `?region=DACH,Nordics` reads the same), a switch as
    1 or 0 (`?key_only=1`), text as typed. The default value is not written: the default view has a
    clean URL. A link's value is applied when it is new to this session (a link opened, or edited
    by hand), not on every rerun, where it would undo the reader's own choice; a value the options
    do not hold is left out, with a warning naming it: "No {what} “Atlantis” {where}: left out."
    (`what`: "region", "account manager"; `where`: "in the warehouse", "in the list above").
    `options` may also be matched by the label `format_func` gives them (`?manager=Paul Rossi`).

    The widget gets no default of its own: `default` (a list for a multiselect, False for a
    switch, "" for text, else the first option) seeds the session's value, so a value from a link
    or kept by `persist_state="session"` across pages wins over it without Streamlit's warning."""
    kind = getattr(widget, "__name__", "")
    multiple = kind == "multiselect"
    switch = kind in ("toggle", "checkbox")
    text = kind == "text_input"
    if not (multiple or switch or text or kind in ("selectbox", "radio")):
        raise ValueError(f"url_widget cannot keep a {kind or widget!r} in the URL")
    options = list(options or ())
    if default is None:
        default = [] if multiple else False if switch else "" if text else (options[0] if options else None)
    by_text: dict[str, Any] = {}
    format_func = kwargs.get("format_func")
    for option in reversed(options):  # the first option wins a clash
        if format_func is not None:
            by_text[str(format_func(option)).casefold()] = option
        by_text[url_text(option).casefold()] = option

    def encode(value: Any) -> list[str]:
        if multiple:
            return [url_text(option) for option in value]
        if switch:
            return ["1" if value else "0"]
        if text:
            return [value.strip()] if value.strip() else []
        return [url_text(value)]

    seen = st.session_state.setdefault(_URL_SEEN_KEY, {})
    linked = [value.strip() for value in st.query_params.get_all(param)]
    linked = [value for value in linked if value]
    if linked and (tuple(linked) != seen.get(key) or key not in st.session_state):
        seen[key] = tuple(linked)
        unknown: list[str] = []
        if multiple:
            picked: list = []
            for value in linked:
                parts = [value] if value.casefold() in by_text else [part.strip() for part in value.split(",")]
                for part in filter(None, parts):
                    option = by_text.get(part.casefold())
                    if option is None:
                        unknown.append(part)
                    elif option not in picked:
                        picked.append(option)
            st.session_state[key] = picked
            if unknown:
                st.warning(f"No {what} {_quoted(unknown)} {where}: left out.")
        elif switch:
            value = linked[-1].casefold()
            if value in _TRUE + _FALSE:
                st.session_state[key] = value in _TRUE
            else:
                st.warning(f"The link's {markdown_text(param)}={_quoted([linked[-1]])} is not 1 (on) or 0 (off): left as it was.")
        elif text:
            st.session_state[key] = linked[-1]
        else:
            option = by_text.get(linked[-1].casefold())
            if option is None:
                fallback = st.session_state.get(key, default)
                fallback = fallback if fallback in options else default
                shown = format_func(fallback) if format_func is not None else fallback
                st.warning(f"No {what} {_quoted([linked[-1]])} {where}: showing {markdown_text(shown)} instead.")
            else:
                st.session_state[key] = option
    # A value the options no longer hold (another definition, other filters) falls back to the
    # default; so does a widget drawn for the first time in this session.
    current = st.session_state.get(key, default)
    if multiple and options:
        current = [option for option in current if option in options]
    elif not (switch or text) and current not in options:
        current = default
    if key not in st.session_state or st.session_state[key] != current:
        st.session_state[key] = current

    value = widget(label, options, key=key, **kwargs) if (multiple or not (switch or text)) else widget(
        label, key=key, **kwargs
    )
    written = [] if value == default else encode(value)
    if written != st.query_params.get_all(param):
        if written:
            st.query_params[param] = written if len(written) > 1 else written[0]
        elif param in st.query_params:
            del st.query_params[param]
    seen[key] = tuple(written)
    return value


# --- key accounts and manual decisions --------------------------------------------------------


def key_account_counts(definition: str) -> pd.Series:
    """How many key accounts `definition` has: `final` (after manual decisions, what most pages
    count), `computed` (picked by the score alone, what the Definitions lab and the backtest
    count), `added` (key by a decision the score would not make) and `removed` (taken off by one)."""
    return query(
        """
        select count(*) filter (where is_key_account) as final,
               count(*) filter (where is_key_account_computed) as computed,
               count(*) filter (where is_key_account and not is_key_account_computed) as added,
               count(*) filter (where is_key_account_computed and not is_key_account) as removed
        from marts.key_account_scorecard
        where definition_name = ?
        """,
        (definition,),
    ).iloc[0]


def key_account_count_note(definition: str) -> str:
    """Why pages count the key accounts differently, in words, when manual decisions change the
    list; '' when they do not. E.g. '37 key accounts: the score picks 36, and 1 more is key by a
    manual decision. The Definitions lab compares scores alone, so it counts 36.'"""
    counts = key_account_counts(definition)
    final, computed = int(counts["final"]), int(counts["computed"])
    added, removed = int(counts["added"]), int(counts["removed"])
    if not (added or removed):
        return ""
    changes = []
    if added:
        changes.append(f"{added:,} more {'is' if added == 1 else 'are'} key by a manual decision")
    if removed:
        changes.append(f"{removed:,} {'is' if removed == 1 else 'are'} taken off by one")
    return (
        f"{final:,} key accounts: the score picks {computed:,}, and {' and '.join(changes)}. "
        f"The Definitions lab compares scores alone, so it counts {computed:,}."
    )


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
    manager_names[NO_MANAGER] = NO_MANAGER_LABEL
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
    from the managers file), else 'No manager'."""
    names = manager_ids.map(manager_names()).astype(object)
    return names.where(names.notna(), manager_ids).fillna(NO_MANAGER_LABEL)


# Each filter's name in the page's URL (`?region=DACH&profit_tier=A`), and the words a warning
# names an unknown value with.
FILTER_PARAMS = {
    "search": ("search", "text"),
    "region": ("region", "region"),
    "industry": ("industry", "industry"),
    "manager": ("manager", "account manager"),
    "revenue_tier": ("revenue_tier", "revenue tier"),
    "contribution_tier": ("profit_tier", "profit tier"),
    "flag": ("flag", "flag"),
}


def _filter_url_text(field_name: str) -> Callable[[str], str]:
    """How a filter's value reads in the URL: a flag without its 'is_' ('big_but_unprofitable'),
    'none' for no manager, anything else as it is (a region, a manager's id, a tier)."""
    if field_name == "flag":
        return lambda flag: flag.removeprefix("is_")
    if field_name == "manager":
        return lambda manager: "none" if manager == NO_MANAGER else manager
    return str


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
    Filter values survive a page switch, and travel in the page's URL (FILTER_PARAMS:
    `?region=DACH&profit_tier=A&flag=tomorrows_oak`), so a shared link opens the same list.
    """
    fields = list(fields)
    unknown = set(fields) - set(FILTER_FIELDS)
    if unknown:
        raise ValueError(f"unknown filter fields: {sorted(unknown)}; choose from {FILTER_FIELDS}")
    options = filter_options()
    container = st.container() if container is None else container
    slots = container.columns(min(columns, max(1, len(fields))))
    managers = options["managers"]
    widgets = {
        "search": ("Search by name", None, {"placeholder": "Customer name or id", "icon": ":material/search:"}),
        "region": ("Region", options["regions"], {"placeholder": "All regions"}),
        "industry": ("Industry", options["industries"], {"placeholder": "All industries"}),
        "manager": (
            "Account manager",
            list(managers),
            {"format_func": lambda value: managers.get(value, value), "placeholder": "All managers"},
        ),
        "revenue_tier": (
            "Revenue tier",
            list(TIERS),
            {"placeholder": "A, B and C", "help": f"Pareto tier on revenue: {pareto_tiers_text()}."},
        ),
        "contribution_tier": (
            "Profit tier",
            list(TIERS),
            {
                "placeholder": "A, B and C",
                "help": "Pareto tier on net contribution (what an account earns us after discounts "
                "and cost to serve), cut like the revenue tier.",
            },
        ),
        "flag": (
            "Flag",
            list(FLAGS),
            {
                "format_func": FLAGS.get,
                "placeholder": "Any or none",
                "help": "Show accounts carrying any of the chosen flags.",
            },
        ),
    }
    results = {
        "search": "search",
        "region": "regions",
        "industry": "industries",
        "manager": "managers",
        "revenue_tier": "revenue_tiers",
        "contribution_tier": "contribution_tiers",
        "flag": "flags",
    }
    chosen: dict = {}
    for position, name in enumerate(fields):
        slot = slots[position % len(slots)]
        label, values, extra = widgets[name]
        param, what = FILTER_PARAMS[name]
        value = url_widget(
            slot.text_input if name == "search" else slot.multiselect,
            label,
            values,
            key=f"{prefix}_{name}",
            param=param,
            what=what,
            url_text=_filter_url_text(name),
            persist_state="session",
            **extra,
        )
        chosen[results[name]] = value.strip() if name == "search" else tuple(value)
    return AccountFilters(**chosen, _labels={"managers": managers})


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
