"""The review-decisions store: who owns an account on a review list, and when it is reviewed next.

Sales leaders running a quarterly key-account review give each account on a review list an owner
and a next review date; the dashboard records each decision here, and the next pipeline run loads
every decision into `raw.review_decisions` (loading/ingest.py, `load_review_decisions`).

The store is a SQLite file beside the published warehouse, never inside it
(`decisions_path`): the published file is replaced whole by every publish, and readers open it
read-only. Decisions are append-only: a later decision on the same customer and topic supersedes
the earlier one when read, nothing is updated or deleted (triggers refuse both), so the history
of who decided what and when is kept. Several dashboard sessions and processes may write at once:
each write is one `BEGIN IMMEDIATE` transaction, and a writer that finds the file locked waits
(`BUSY_TIMEOUT_SECONDS`) instead of failing. The file is in WAL mode, so readers never wait for a
writer.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from loading.contract import Column, Entity

# The review lists an account is decided on: the accounts that deserve an exit review, the big
# ones that earn too little, the key accounts without an account plan, tomorrow's oak trees.
REVIEW_TOPICS = (
    "exit_candidate", "big_but_unprofitable", "key_account_without_plan", "tomorrows_oak",
)

TABLE = "review_decisions"
# A writer waits this long for another to finish before it gives up.
BUSY_TIMEOUT_SECONDS = 30.0

# The store's columns as SQLite holds them, and as read_decisions and raw.review_decisions give
# them: next_review_on is an ISO date (YYYY-MM-DD), decided_at an ISO UTC timestamp with seconds
# (2025-06-30T14:05:09Z), both as text; staging types them.
_COLUMNS = (
    ("decision_id", "INTEGER PRIMARY KEY AUTOINCREMENT", pa.int64(), "BIGINT"),
    ("customer_id", "TEXT NOT NULL", pa.string(), "VARCHAR"),
    ("topic", "TEXT NOT NULL", pa.string(), "VARCHAR"),
    ("owner", "TEXT NOT NULL", pa.string(), "VARCHAR"),
    ("next_review_on", "TEXT NOT NULL", pa.string(), "VARCHAR"),
    ("note", "TEXT", pa.string(), "VARCHAR"),
    ("decided_by", "TEXT NOT NULL", pa.string(), "VARCHAR"),
    ("decided_at", "TEXT NOT NULL", pa.string(), "VARCHAR"),
)
COLUMN_NAMES = tuple(name for name, *_ in _COLUMNS)
DECISIONS_SCHEMA = pa.schema([(name, arrow_type) for name, _, arrow_type, _ in _COLUMNS])
LATEST_DECISIONS_SCHEMA = DECISIONS_SCHEMA.append(pa.field("decisions_recorded", pa.int64()))

# raw.review_decisions, as the rule catalogue and the checks see a raw table (loading/rules.py):
# every column as the store holds it, the ones the store requires marked required.
REVIEW_DECISIONS = Entity(
    TABLE,
    tuple(
        Column(name, duckdb_type, required="NOT NULL" in sqlite_type or name == "decision_id")
        for name, sqlite_type, _, duckdb_type in _COLUMNS
    ),
    description="Every decision of a key-account review, as the decisions store beside the "
    "published warehouse holds it (one row per decision, the superseded ones included): the "
    "owner of an account on a review list and its next review date.",
)

_CREATE_STATEMENTS = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    + ", ".join(f"{name} {sqlite_type}" for name, sqlite_type, *_ in _COLUMNS)
    + ")",
    # Append-only: the history of who decided what and when is the point of the store.
    *(
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision'); END"
        for verb in ("UPDATE", "DELETE")
    ),
    # The latest decision per customer and topic without a scan of the whole history.
    f"CREATE INDEX IF NOT EXISTS {TABLE}_by_account ON {TABLE} (customer_id, topic, decision_id)",
)
# C0 control characters but tab, line feed and carriage return: the rule catalogue's
# `control_character` would stop every run on them (loading/rules.py).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")


class InvalidDecision(ValueError):
    """A decision the store refuses; the message names the field and what is wrong with it."""


@dataclass(frozen=True)
class Decision:
    """One recorded decision, as the store holds it."""

    decision_id: int
    customer_id: str
    topic: str
    owner: str
    next_review_on: date
    note: str | None
    decided_by: str
    decided_at: datetime
    """When the store recorded it, in UTC, to the second."""


def decisions_path(warehouse: Path) -> Path:
    """The store of the warehouse published at `warehouse`, beside it:
    `data/warehouse.duckdb` → `data/warehouse.decisions.sqlite`."""
    return warehouse.parent / f"{warehouse.stem}.decisions.sqlite"


def _text(field: str, value: object, *, required: bool) -> str | None:
    """`value` stripped of surrounding spaces; InvalidDecision naming `field` when it is not
    text, is blank where required, or holds a control character."""
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise InvalidDecision(f"{field} must be text, not {type(value).__name__}")
    text = value.strip()
    if not text:
        if required:
            raise InvalidDecision(f"{field} must not be blank")
        return None
    if _CONTROL_CHARACTERS.search(text):
        raise InvalidDecision(f"{field} must not hold control characters")
    return text


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection that waits for other writers; read-only ones never create the file."""
    target, uri = (f"{path.resolve().as_uri()}?mode=ro", True) if read_only else (str(path), False)
    # isolation_level=None: the transactions are the ones written out below, nothing implicit.
    return sqlite3.connect(target, uri=uri, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the store in WAL mode (persistent in the file; outside a transaction, as SQLite
    requires). Switching needs the file to itself and SQLite does not wait for that, so writers
    starting together on a new file retry here for up to BUSY_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as problem:
            if "locked" not in str(problem) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def record_decision(
    path: Path,
    *,
    customer_id: str,
    topic: str,
    owner: str,
    next_review_on: date,
    note: str | None,
    decided_by: str,
) -> Decision:
    """Append one decision to the store at `path` (created with its table where missing) and
    return it as recorded, with its id and the time the store gave it (UTC).

    Raises InvalidDecision (a ValueError) naming the field, for a blank customer_id, owner or
    decided_by, a topic not in REVIEW_TOPICS, a next_review_on that is not a date (a datetime is
    refused too), or text holding control characters. Surrounding spaces are stripped; a blank
    note is no note."""
    values = {
        "customer_id": _text("customer_id", customer_id, required=True),
        "topic": _text("topic", topic, required=True),
        "owner": _text("owner", owner, required=True),
        "next_review_on": next_review_on,
        "note": _text("note", note, required=False),
        "decided_by": _text("decided_by", decided_by, required=True),
    }
    if values["topic"] not in REVIEW_TOPICS:
        raise InvalidDecision(f"topic must be one of {', '.join(REVIEW_TOPICS)}, not {topic!r}")
    # A datetime is a date too, but its time of day would not survive as a review date.
    if not isinstance(next_review_on, date) or isinstance(next_review_on, datetime):
        raise InvalidDecision(f"next_review_on must be a date, not {type(next_review_on).__name__}")
    values["next_review_on"] = next_review_on.isoformat()
    conn = _connect(path)
    try:
        _use_wal(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _CREATE_STATEMENTS:
                conn.execute(statement)
            # The time is taken once the write lock is held, so decided_at follows decision_id.
            [(decision_id, decided_at_text)] = conn.execute(
                f"INSERT INTO {TABLE} (customer_id, topic, owner, next_review_on, note, "
                "decided_by, decided_at) VALUES (:customer_id, :topic, :owner, :next_review_on, "
                ":note, :decided_by, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) "
                "RETURNING decision_id, decided_at",
                values,
            ).fetchall()
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return Decision(
        decision_id=decision_id,
        customer_id=values["customer_id"],
        topic=values["topic"],
        owner=values["owner"],
        next_review_on=next_review_on,
        note=values["note"],
        decided_by=values["decided_by"],
        decided_at=datetime.fromisoformat(decided_at_text),
    )


def _query(path: Path, sql: str, schema: pa.Schema) -> pa.Table:
    """The rows of `sql` on the store at `path`, fetched at once, as an Arrow table built column by
    column; an empty table of `schema` where there is no store (or no table in it) yet. Opens the
    store read-only: reading never creates it."""
    if not path.exists():
        return schema.empty_table()
    conn = _connect(path, read_only=True)
    try:
        if not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [TABLE]
        ).fetchall():
            return schema.empty_table()
        rows = conn.execute(sql).fetchall()
    finally:
        conn.close()
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.Table.from_arrays(
        [pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)],
        schema=schema,
    )


def read_decisions(path: Path) -> pa.Table:
    """Every decision in the store at `path`, superseded ones included, in the order they were
    recorded (DECISIONS_SCHEMA; empty where there is no store yet)."""
    sql = f"SELECT {', '.join(COLUMN_NAMES)} FROM {TABLE} ORDER BY decision_id"
    return _query(path, sql, DECISIONS_SCHEMA)


def latest_decisions(path: Path) -> pa.Table:
    """The decision in force per customer and topic (the latest recorded), with how many
    decisions were recorded on it (LATEST_DECISIONS_SCHEMA), ordered by customer and topic."""
    columns = ", ".join(f"decisions.{name}" for name in COLUMN_NAMES)
    return _query(
        path,
        f"""
        SELECT {columns}, latest.decisions_recorded
        FROM {TABLE} AS decisions
        JOIN (
            SELECT max(decision_id) AS decision_id, count(*) AS decisions_recorded
            FROM {TABLE} GROUP BY customer_id, topic
        ) AS latest USING (decision_id)
        ORDER BY decisions.customer_id, decisions.topic
        """,
        LATEST_DECISIONS_SCHEMA,
    )


def decisions_digest(decisions: pa.Table) -> str:
    """A digest of the decisions read (`read_decisions`): equal for equal contents, so a run can
    tell whether the store changed since the published build loaded it."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, decisions.schema) as writer:
        writer.write_table(decisions.combine_chunks())
    return hashlib.sha256(sink.getvalue()).hexdigest()


# What a build that loaded no decisions (no store yet) loaded.
NO_DECISIONS_DIGEST = decisions_digest(DECISIONS_SCHEMA.empty_table())
