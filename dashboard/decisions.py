"""The review decisions the Quarterly review page records: written to the decisions store beside
the published warehouse (loading/decisions.py), read by the next run into marts.review_list.

Until that run, the page shows a decision from the store itself (`recorded_since_publish`), so the
reader sees what was just recorded without waiting for the warehouse."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.warehouse import warehouse_path
from loading.decisions import Decision, decisions_path, latest_decisions, record_decision


def record_review_decision(
    *, customer_id: str, topic: str, owner: str, next_review_on: date, note: str | None, decided_by: str
) -> Decision:
    """Append a decision to the store of the warehouse the dashboard shows; ValueError naming the
    field when one is missing or wrong."""
    return record_decision(
        decisions_path(warehouse_path()),
        customer_id=customer_id,
        topic=topic,
        owner=owner,
        next_review_on=next_review_on,
        note=note,
        decided_by=decided_by,
    )


def store_latest() -> pd.DataFrame:
    """The latest decision per customer and topic in the store, in marts.review_list's column names
    and types (empty without a store)."""
    latest = latest_decisions(decisions_path(warehouse_path())).to_pandas()
    return pd.DataFrame({
        "customer_id": latest["customer_id"],
        "review_topic": latest["topic"],
        "owner": latest["owner"],
        "next_review_on": pd.to_datetime(latest["next_review_on"]),
        "decided_by": latest["decided_by"],
        # Stored in UTC with a Z; the warehouse holds UTC without a zone.
        "decided_at": pd.to_datetime(latest["decided_at"], utc=True).dt.tz_localize(None),
    })


def with_recorded_decisions(items: pd.DataFrame) -> pd.DataFrame:
    """marts.review_list's rows with any decision the store holds that is newer than the one the
    warehouse shows (recorded since the last run read the store): its owner, next review date and
    recorder replace the warehouse's, and `is_pending` marks them."""
    recorded = store_latest()
    merged = items.merge(recorded, on=["customer_id", "review_topic"], how="left", suffixes=("", "_recorded"))
    merged["next_review_on"] = pd.to_datetime(merged["next_review_on"])
    warehouse_time = pd.to_datetime(merged["decided_at"])
    newer = merged["decided_at_recorded"].notna() & (
        warehouse_time.isna() | (merged["decided_at_recorded"] > warehouse_time)
    )
    for column in ("owner", "next_review_on", "decided_by", "decided_at"):
        merged[column] = merged[column].where(~newer, merged[f"{column}_recorded"])
    # Recorded with a date still to come (the form allows no earlier one): no longer due.
    merged["is_review_due"] = merged["is_review_due"].where(~newer, False)
    merged["is_pending"] = newer
    return merged.drop(columns=[f"{column}_recorded" for column in ("owner", "next_review_on", "decided_by", "decided_at")])
