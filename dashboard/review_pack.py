"""The quarterly review pack: one self-contained HTML file of the quarter that prints to A4 (or
saves as PDF from the browser's print dialog): the headline figures, the trend, what changed
since the quarter-end before, the key accounts with their reasons, and the review list.

`load_review_pack` reads the published warehouse; `render_review_pack` is a pure function of what
it read, so the pack's content is tested without a browser. The file loads nothing from outside:
no fonts, scripts or images, so it opens and prints the same on a machine without a network.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.ui import (
    ATTRIBUTES,
    FLAGS,
    UNKNOWN,
    currency_symbol,
    definition_label,
    format_money,
    format_share,
)
from dashboard.warehouse import query

# How the review list's topics read, in the order a review goes through them.
REVIEW_TOPICS = {
    "exit_candidate": "Exit review",
    "big_but_unprofitable": "Big but unprofitable",
    "key_account_without_plan": "Key account without a plan",
    "tomorrows_oak": "Tomorrow's oak",
}
CHANGES = {"entered": "Entered", "left": "Left", "up": "Moved up a tier", "down": "Moved down a tier"}


def quarter_label(quarter_end: date | pd.Timestamp) -> str:
    """'Q3 2026' for 30 September 2026."""
    stamp = pd.Timestamp(quarter_end)
    return f"Q{(stamp.month - 1) // 3 + 1} {stamp.year}"


@dataclass(frozen=True)
class ReviewPack:
    """What the pack shows, as read from the warehouse."""

    definition: str
    definition_version: str
    quarter_end: date
    reporting_date: date
    currency: str
    quarters: pd.DataFrame  # portfolio_quarterly of the definition, up to quarter_end
    changes: pd.DataFrame  # key_account_quarterly_history: entries, exits and tier moves at quarter_end
    key_accounts: pd.DataFrame  # today's key accounts with their reasons
    review_items: pd.DataFrame  # review_list


def quarter_changes(definition: str, quarter_end: date) -> pd.DataFrame:
    """Entries, exits and tier moves of key accounts at `quarter_end`, since the quarter-end before,
    with the reason in words."""
    return query(
        """
        select
            customer_id, customer_name,
            case when key_account_change in ('entered', 'left') then key_account_change
                 else revenue_tier_move end as change,
            previous_score, score, score_rank, previous_revenue_tier, revenue_tier,
            cast(revenue_t12m as double) as revenue_t12m,
            cast(net_contribution_t12m as double) as net_contribution_t12m,
            case
                when key_account_change = 'left' and not is_active
                    then 'Stopped buying: no revenue in the 12 months to the quarter-end'
                when key_account_change = 'left'
                    then 'Ranked ' || score_rank || ' on score ' || round(score) || ' (was '
                        || round(previous_score) || '): below the rule''s cut'
                when key_account_change = 'entered'
                    then 'Ranked ' || score_rank || ' on score ' || round(score)
                        || coalesce(' (was ' || round(previous_score) || ')', ' (new customer)')
                else 'Revenue tier ' || previous_revenue_tier || ' to ' || revenue_tier
            end as why
        from marts.key_account_quarterly_history
        where definition_name = ? and quarter_end = ?
            and (key_account_change in ('entered', 'left')
                 or ((is_key_account or was_key_account) and revenue_tier_move in ('up', 'down')))
        order by
            case key_account_change when 'entered' then 0 when 'left' then 1 else 2 end,
            score_rank nulls last, customer_id
        """,
        (definition, quarter_end),
    )


def key_accounts_with_reasons(definition: str) -> pd.DataFrame:
    """Today's key accounts (after overrides) with the two attributes that carry their score most,
    their flags, and an override's reason."""
    contributions = ", ".join(f"{name}_contribution" for name, _, _ in ATTRIBUTES)
    quoted = {flag: label.replace("'", "''") for flag, label in FLAGS.items()}
    flag_labels = ", ".join(f"case when s.{flag} then '{label}' end" for flag, label in quoted.items())
    frame = query(
        f"""
        select s.customer_id, s.customer_name, s.score, s.score_rank,
               cast(m.revenue_t12m as double) as revenue_t12m,
               cast(m.net_contribution_t12m as double) as net_contribution_t12m,
               {contributions},
               nullif(concat_ws(', ', {flag_labels}), '') as flags,
               case when s.override_status is not null then s.override_reason end as override_reason
        from marts.key_account_scorecard as s
        join marts.customer_metrics as m using (customer_id)
        where s.definition_name = ? and s.is_key_account
        order by s.score_rank nulls last, s.customer_id
        """,
        (definition,),
    )
    contribution_columns = [f"{name}_contribution" for name, _, _ in ATTRIBUTES]
    if frame.empty:
        return frame.drop(columns=contribution_columns + ["flags", "override_reason"]).assign(why="")
    labels = np.array([label for _, label, _ in ATTRIBUTES])
    contributions = frame[contribution_columns].fillna(0).to_numpy()
    order = np.argsort(-contributions, axis=1)[:, :2]
    top = np.take_along_axis(contributions, order, axis=1)
    # Only attributes that add to the score are named: a definition that weighs revenue alone
    # names revenue alone.
    first = pd.Series(labels[order[:, 0]], index=frame.index)
    second = pd.Series(labels[order[:, 1]], index=frame.index)
    why = ("Strongest on " + first + " and " + second).where(top[:, 1] > 0, "Strongest on " + first)
    why = why.where(top[:, 0] > 0, "No attribute known")
    why = why.where(frame["flags"].isna(), why + "; flagged: " + frame["flags"])
    why = why.where(frame["override_reason"].isna(), why + "; kept by a manual decision: " + frame["override_reason"])
    return frame.drop(columns=contribution_columns + ["flags", "override_reason"]).assign(why=why)


def review_items() -> pd.DataFrame:
    return query(
        """
        select customer_id, customer_name, review_topic, reason, account_manager_name, owner,
               next_review_on, decided_by, decided_at, is_review_due,
               cast(revenue_t12m as double) as revenue_t12m
        from marts.review_list
        order by case review_topic when 'exit_candidate' then 0 when 'big_but_unprofitable' then 1
                 when 'key_account_without_plan' then 2 else 3 end,
                 revenue_t12m desc nulls last, customer_id
        """
    )


def load_review_pack(definition: str, quarter_end: date) -> ReviewPack:
    quarters = query(
        """
        select * from marts.portfolio_quarterly
        where definition_name = ? and quarter_end <= ? order by quarter_end
        """,
        (definition, quarter_end),
    )
    reporting = query("select reporting_date from marts.portfolio_concentration")
    return ReviewPack(
        definition=definition,
        definition_version=str(quarters["definition_version"].iloc[-1]) if not quarters.empty else "",
        quarter_end=pd.Timestamp(quarter_end).date(),
        reporting_date=pd.Timestamp(reporting["reporting_date"].iloc[0]).date(),
        currency=currency_symbol(),
        quarters=quarters,
        changes=quarter_changes(definition, quarter_end),
        key_accounts=key_accounts_with_reasons(definition),
        review_items=review_items(),
    )


# --- rendering -------------------------------------------------------------------------------

_STYLE = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; font-size: 10pt; color: #1f2328;
       margin: 0 auto; max-width: 186mm; line-height: 1.35; }
h1 { font-size: 18pt; margin: 0 0 2mm; color: #1d4e89; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; color: #1d4e89; break-after: avoid; }
p.meta { color: #3d434a; margin: 0 0 4mm; }
.figures { display: grid; grid-template-columns: repeat(5, 1fr); gap: 3mm; }
.figure { border: 1px solid #c9ced4; border-radius: 2mm; padding: 2.5mm; break-inside: avoid; }
.figure .label { font-size: 8.5pt; color: #3d434a; }
.figure .value { font-size: 15pt; font-weight: 600; }
.figure .delta { font-size: 8.5pt; color: #3d434a; }
table { width: 100%; border-collapse: collapse; font-size: 8.5pt; }
thead { display: table-header-group; }
th { text-align: left; border-bottom: 1.5px solid #1f2328; padding: 1.2mm 1.5mm; }
td { border-bottom: 1px solid #dde1e5; padding: 1.2mm 1.5mm; vertical-align: top; }
tr { break-inside: avoid; }
p.empty { color: #3d434a; font-style: italic; }
footer { margin-top: 8mm; font-size: 8pt; color: #3d434a; }
"""


def _count(value: object) -> str:
    return UNKNOWN if value is None or pd.isna(value) else f"{int(value):,}"


def _table(frame: pd.DataFrame, columns: dict[str, str], numbers: tuple[str, ...] = (),
           empty: str = "Nothing to show.") -> str:
    """A table of `frame`'s `columns` (column -> heading), cells formatted already; the columns in
    `numbers` right-aligned."""
    if frame.empty:
        return f'<p class="empty">{html.escape(empty)}</p>'
    table = frame[list(columns)].rename(columns=columns).to_html(index=False, escape=True, na_rep=UNKNOWN, border=0)
    positions = [str(list(columns).index(column) + 1) for column in numbers]
    if not positions:
        return table
    # Each table gets a class of its own so its right-aligned columns can be named by position.
    name = "t" + hashlib.md5("|".join(columns).encode()).hexdigest()[:8]
    selectors = ", ".join(f".{name} td:nth-child({p}), .{name} th:nth-child({p})" for p in positions)
    return (f"<style>{selectors} {{ text-align: right; white-space: nowrap; }}</style>"
            + table.replace('<table class="dataframe">', f'<table class="dataframe {name}">', 1))


def _figure(label: str, value: str, delta: str = "") -> str:
    return (
        f'<div class="figure"><div class="label">{html.escape(label)}</div>'
        f'<div class="value">{html.escape(value)}</div><div class="delta">{html.escape(delta)}</div></div>'
    )


def format_points(change: float | None) -> str | None:
    """A change of a share in percentage points: 0.031 -> '+3.1 pts'; None when unknown."""
    if change is None or pd.isna(change):
        return None
    return format_share(change, 1, signed=True).replace(" %", " pts")


def _points(change: float | None) -> str:
    points = format_points(change)
    return "" if points is None else f"{points} on the quarter before"


def _date(value: object) -> str:
    return UNKNOWN if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d %b %Y}"


def render_review_pack(pack: ReviewPack) -> str:
    """The pack as one HTML document."""

    def money(value: float | None) -> str:
        return format_money(value, pack.currency)

    title = f"Key-account review, {quarter_label(pack.quarter_end)}"
    quarters = pack.quarters
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        (
            '<p class="meta">'
            f"Quarter-end {_date(pack.quarter_end)} · key accounts under "
            f"<strong>{html.escape(definition_label(pack.definition))}</strong> "
            f"(version {html.escape(pack.definition_version)}) · data to {_date(pack.reporting_date)} · "
            "trailing twelve months</p>"
        ),
    ]

    parts.append("<h2>Headline</h2>")
    if quarters.empty:
        parts.append('<p class="empty">The order history does not reach a quarter-end with a full year '
                     "before it yet.</p>")
    else:
        now = quarters.iloc[-1]
        before = quarters.iloc[-2] if len(quarters) > 1 else None
        count_delta = "" if before is None else f"{int(now['key_accounts']) - int(before['key_accounts']):+d} on the quarter before"
        parts.append('<div class="figures">' + "".join([
            _figure("Key accounts", f"{int(now['key_accounts']):,}", count_delta),
            _figure("Share of revenue", format_share(now["key_account_revenue_share"]),
                    "" if before is None else _points(now["key_account_revenue_share"] - before["key_account_revenue_share"])),
            _figure("Share of profit", format_share(now["key_account_net_contribution_share"]),
                    "" if before is None else _points(now["key_account_net_contribution_share"]
                                                      - before["key_account_net_contribution_share"])),
            _figure("Entered", _count(now["accounts_entered"]), "since the quarter before"),
            _figure("Left", _count(now["accounts_left"]), "since the quarter before"),
        ]) + "</div>")

        parts.append("<h2>Quarter by quarter</h2>")
        trend = quarters.assign(
            quarter=quarters["quarter_end"].map(quarter_label),
            accounts=quarters["key_accounts"].map(lambda value: f"{int(value):,}"),
            revenue=quarters["key_account_revenue_t12m"].map(money),
            revenue_share=quarters["key_account_revenue_share"].map(format_share),
            profit_share=quarters["key_account_net_contribution_share"].map(format_share),
            entered=quarters["accounts_entered"].map(_count),
            left=quarters["accounts_left"].map(_count),
        )
        parts.append(_table(trend, {
            "quarter": "Quarter", "accounts": "Key accounts", "revenue": "Their revenue, 12 months",
            "revenue_share": "Share of revenue", "profit_share": "Share of profit",
            "entered": "Entered", "left": "Left",
        }, numbers=("accounts", "revenue", "revenue_share", "profit_share", "entered", "left")))

    parts.append(f"<h2>Changes since {quarter_label(quarters['previous_quarter_end'].iloc[-1]) if not quarters.empty and pd.notna(quarters['previous_quarter_end'].iloc[-1]) else 'the quarter before'}</h2>")
    changes = pack.changes.assign(
        change_text=pack.changes["change"].map(CHANGES),
        revenue=pack.changes["revenue_t12m"].map(money),
    )
    parts.append(_table(changes, {
        "change_text": "Change", "customer_name": "Customer", "revenue": "Revenue, 12 months", "why": "Why",
    }, numbers=("revenue",), empty="No key account entered, left or changed tier."))

    parts.append(f"<h2>Key accounts today ({len(pack.key_accounts):,})</h2>")
    accounts = pack.key_accounts.assign(
        rank=pack.key_accounts["score_rank"].map(lambda value: UNKNOWN if pd.isna(value) else f"{int(value)}"),
        score_text=pack.key_accounts["score"].map(lambda value: UNKNOWN if pd.isna(value) else f"{value:.0f}"),
        revenue=pack.key_accounts["revenue_t12m"].map(money),
        contribution=pack.key_accounts["net_contribution_t12m"].map(money),
    )
    parts.append(_table(accounts, {
        "rank": "Rank", "customer_name": "Customer", "score_text": "Score", "revenue": "Revenue, 12 months",
        "contribution": "Net contribution", "why": "Why a key account",
    }, numbers=("rank", "score_text", "revenue", "contribution"), empty="No key accounts."))

    parts.append(f"<h2>Review list ({len(pack.review_items):,})</h2>")
    items = pack.review_items.assign(
        topic=pack.review_items["review_topic"].map(REVIEW_TOPICS),
        next_review=pack.review_items["next_review_on"].map(_date),
        owner_text=pack.review_items["owner"].fillna("Nobody yet"),
    )
    parts.append(_table(items, {
        "topic": "Topic", "customer_name": "Customer", "reason": "Why", "owner_text": "Owner",
        "next_review": "Next review",
    }, empty="Nothing to review."))

    parts.append(
        "<footer>Key accounts at past quarter-ends are today's definition applied to the data as it "
        "stood then (before manual decisions); today's list includes them. Figures are the trailing "
        "twelve months to each date.</footer></body></html>"
    )
    return "\n".join(parts)
