"""Loading landing files into the `raw` schema, with a ledger that makes re-runs idempotent.

Pure functions over a DuckDB connection, so the Dagster assets, the CLI and the tests share one
implementation. Each entity loads inside one transaction: a rejected file leaves its raw table,
the quarantine and the ledger exactly as they were.

The working database holds what the landing folder holds now: a file loaded earlier that is no
longer there (or no longer matched by the column mapping) takes its rows and its quarantine
entries with it, in the same transaction, and `meta.load_ledger_history` records what left.

Row-level problems (see `loading.rules`) send those rows to `meta.quarantine` and load the rest.
Batch-level problems (a link leading out of the landing folder, an empty or unreadable file, a
column named twice, a missing required column, too many bad rows) reject the whole entity's load with a `BatchRejected`
naming the file and the rule, recorded in `meta.rejected_batches`.

With a column mapping (`loading.mapping`), the landing folder is an export's folder and each
mapped file is read through the mapping's query instead of as-is; everything after that (rules,
quarantine, ledger) is the same code.

One raw table is not a landing input: `raw.review_decisions`, every decision of the key-account
reviews, which every run copies whole from the decisions store the dashboard writes beside the
published warehouse (`load_review_decisions`, loading/decisions.py).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from loading.contract import ENTITIES, LANDING_SUFFIXES, Entity
from loading.decisions import REVIEW_DECISIONS, decisions_digest, read_decisions
from loading.rules import RuleSettings, staged_typed_sql, violations_sql

if TYPE_CHECKING:
    from collections.abc import Callable

    from loading.mapping import EntityMapping, SourceMapping

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
LEDGER_TABLE = f"{META_SCHEMA}.load_ledger"
LEDGER_HISTORY_TABLE = f"{META_SCHEMA}.load_ledger_history"
# A ledger entry; its history keeps the same columns and says what became of the file.
_LEDGER_COLUMN_TYPES = (
    ("entity", "VARCHAR"), ("relative_path", "VARCHAR"), ("absolute_path", "VARCHAR"),
    ("size_bytes", "BIGINT"), ("modified_at", "DOUBLE"), ("checksum", "VARCHAR"),
    ("rows", "BIGINT"), ("loaded_at", "TIMESTAMP"),
)
_LEDGER_COLUMNS = ", ".join(name for name, _ in _LEDGER_COLUMN_TYPES)
_LEDGER_COLUMN_DEFINITIONS = ", ".join(f"{name} {type_} NOT NULL" for name, type_ in _LEDGER_COLUMN_TYPES)
QUARANTINE_TABLE = f"{META_SCHEMA}.quarantine"
REJECTIONS_TABLE = f"{META_SCHEMA}.rejected_batches"
# Which state of the decisions store raw.review_decisions holds: published with the build, so the
# next run can tell that decisions were recorded since (orchestration/changes.py).
DECISIONS_LOADED_TABLE = f"{META_SCHEMA}.review_decisions_loaded"
# Every table of the raw schema: the landing entities of the contract, then the review decisions.
RAW_ENTITIES: dict[str, Entity] = {**ENTITIES, REVIEW_DECISIONS.name: REVIEW_DECISIONS}
_CHECKSUM_CHUNK_BYTES = 8 * 1024 * 1024
# DuckDB's file readers expand these in a path (`*` and `**`, `?`, `[...]`); a lone `]`, `{` and
# `}` are literal (checked with DuckDB 2.0.1), so a file named `*.csv` would read its whole folder.
_DUCKDB_GLOB_CHARACTERS = re.compile(r"[*?\[]")
# The truncated-last-line check reads this much of a CSV's start (its header) and of its end (the
# last line, and enough lines before it to tell which line breaks lie inside quoted values).
_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 64 * 1024
_GZIP_CHUNK_BYTES = 1024 * 1024
# The delimiters DuckDB's CSV sniffer chooses from; the check takes the header's when the mapping
# gives none.
_DELIMITER_CANDIDATES = (",", ";", "\t", "|")
_QUOTE = '"'
# Orders are checked against the customers and products already loaded, so those load first.
LOADED_BEFORE = {"orders": ("customers", "products")}


class IngestError(Exception):
    """A landing problem a data engineer must fix; the message names the file and the rule."""


class BatchRejected(IngestError):
    """A whole landing file refused: nothing of its entity's load is kept."""

    def __init__(self, path: Path, rule: str, detail: str) -> None:
        super().__init__(f"{path}: rejected ({rule}): {detail}")
        self.path = path
        self.rule = rule
        self.detail = detail


@dataclass(frozen=True)
class LandingFile:
    entity: str
    path: Path
    relative_path: str
    size_bytes: int
    modified_at: float


@dataclass
class EntityLoadResult:
    entity: str
    files_seen: int = 0
    files_loaded: list[str] = field(default_factory=list)
    files_replaced: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    """Files loaded by an earlier run that the landing folder (or the mapping) no longer holds:
    their rows and quarantine entries were taken out (`meta.load_ledger_history`)."""
    files_reloaded: list[str] = field(default_factory=list)
    """Unchanged files of a master (customers, products, managers) loaded again because another
    file of it changed: which of two conflicting rows loads must not depend on arrival order."""
    rows_loaded: int = 0
    rows_removed: int = 0
    """Rows of `files_removed` taken out of the raw table."""
    rows_filtered: int = 0
    """Rows a mapping's filters left out on purpose (cancellations, lines without a customer)."""
    rows_quarantined: int = 0
    quarantined_by_rule: dict[str, int] = field(default_factory=dict)
    rows_in_table: int = 0
    files_ignored: list[str] = field(default_factory=list)
    """Entries of the entity's folder that are not landing files, each as `path: why and what to
    do` (a spreadsheet, a folder named like a file); hidden files are left out without a word."""


@dataclass
class LandingDiscovery:
    """What the landing folder holds for one entity: the files to load and the entries ignored."""

    files: list[LandingFile] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """`relative path: reason`, as in `EntityLoadResult.files_ignored`."""


def is_hidden(relative_path: Path) -> bool:
    """A path under a hidden name (`._orders.csv`, `.DS_Store`, `.cache/x.csv`): never data, and
    macOS's AppleDouble companions of real files are not even CSV."""
    return any(part.startswith(".") and part != ".." for part in relative_path.parts)


def _refuse_if_outside(path: Path, landing_dir: Path) -> None:
    """Refuse an entry that, once every link is followed, lies outside the landing folder, before
    anything reads it: what it points to (`/etc/passwd`) must not end up in a table or a message."""
    target = path.resolve()
    landing_root = landing_dir.resolve()
    if not target.is_relative_to(landing_root):
        raise BatchRejected(
            path,
            "outside_landing_folder",
            f"it leads to {target}, outside the landing folder {landing_root}, so it was not read; "
            "move or copy the file into the landing folder instead of linking to it.",
        )


def _entity_folder_entries(landing_dir: Path, entity: Entity) -> tuple[list[Path], list[str]]:
    """The entity folder's .csv and .parquet files, and its other entries as `path: reason`."""
    entity_dir = landing_dir / entity.name
    if not entity_dir.exists() and not entity_dir.is_symlink():
        return [], []
    _refuse_if_outside(entity_dir, landing_dir)
    if not entity_dir.is_dir():
        fix = f"put the entity's .csv or .parquet files in a folder named {entity.name}/"
        return [], [f"{entity.name}: not a folder; {fix}"]
    paths, ignored = [], []
    for path in sorted(entity_dir.iterdir()):
        relative = path.relative_to(landing_dir)
        if is_hidden(relative):
            continue
        _refuse_if_outside(path, landing_dir)
        if path.is_dir():
            reason = f"a folder: only files directly in {entity.name}/ load; move its files up"
        elif not path.is_file():
            reason = "not a regular file (a broken link, a pipe or a device); replace it with the file"
        elif path.suffix.lower() not in LANDING_SUFFIXES:
            reason = "not a .csv or .parquet file; export it as CSV or Parquet to load it"
        else:
            paths.append(path)
            continue
        ignored.append(f"{relative.as_posix()}: {reason}")
    return paths, ignored


def _mapped_entries(
    landing_dir: Path, entity: Entity, mapping: SourceMapping
) -> tuple[list[Path], list[str]]:
    """The export files the mapping's globs match for the entity, and the matched folders."""
    paths, ignored = [], []
    for path in mapping.files(landing_dir, entity.name):
        relative = path.relative_to(landing_dir)
        if is_hidden(relative):
            continue
        _refuse_if_outside(path, landing_dir)
        if path.is_file():
            paths.append(path)
            continue
        what = "a folder" if path.is_dir() else "not a regular file"
        feeding = mapping.entities[entity.name].built_from or entity.name
        ignored.append(
            f"{relative.as_posix()}: {what}, matched by entities.{feeding}.files in "
            f"{mapping.path}; only files load, narrow the glob or rename it"
        )
    return paths, ignored


def discover_landing_files(
    landing_dir: Path, entity: Entity, mapping: SourceMapping | None = None
) -> LandingDiscovery:
    """The entity's landing files (`<landing>/<entity>/*.csv|*.parquet`), in name order; with a
    mapping, the files of the export folder `landing_dir` that the mapping names for it.

    Hidden entries are skipped unread; other entries that are not landing files are listed as
    ignored; a link leading outside the landing folder rejects the entity (`BatchRejected`)."""
    if not landing_dir.is_dir():
        raise IngestError(f"Landing folder {landing_dir} does not exist or is not a folder.")
    paths, ignored = (
        _mapped_entries(landing_dir, entity, mapping)
        if mapping is not None
        else _entity_folder_entries(landing_dir, entity)
    )
    if not paths and entity.required_file:
        if mapping is None:
            where = f"no .csv or .parquet file in {landing_dir / entity.name}"
        elif feeding := mapping.entities.get(entity.name):
            where = (
                f"no file in {landing_dir} matches entities.{feeding.built_from or entity.name}"
                f".files ({mapping.path})"
            )
        else:
            where = (
                f"the mapping has no entry `entities.{entity.name}` (map it, or build it from the "
                f"order lines with `from: orders`) ({mapping.path})"
            )
        # A folder holding only ignored entries: say what was there, it is what needs fixing.
        found = f" (ignored: {'; '.join(ignored)})" if ignored else ""
        raise IngestError(f"Required input '{entity.name}' is missing: {where}{found}.")
    discovery = LandingDiscovery(ignored=ignored)
    for path in paths:
        stat = path.stat()
        discovery.files.append(
            LandingFile(
                entity=entity.name,
                path=path.resolve(),
                relative_path=path.relative_to(landing_dir).as_posix(),
                size_bytes=stat.st_size,
                modified_at=stat.st_mtime,
            )
        )
    return discovery


def entities_in_load_order() -> list[str]:
    referenced = [name for names in LOADED_BEFORE.values() for name in names]
    return referenced + [name for name in ENTITIES if name not in referenced]


def discover_all_landing_files(
    landing_dir: Path, mapping: SourceMapping | None = None
) -> list[LandingFile]:
    return [
        f
        for entity in ENTITIES.values()
        for f in discover_landing_files(landing_dir, entity, mapping).files
    ]


def file_checksum(path: Path, salt: str = "") -> str:
    """SHA-256 of the file's bytes, after `salt` (a mapping's fingerprint: a changed mapping makes
    the same file a changed input)."""
    digest = hashlib.sha256(salt.encode())
    with path.open("rb") as handle:
        while chunk := handle.read(_CHECKSUM_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def raw_table(entity: Entity) -> str:
    return f"{RAW_SCHEMA}.{entity.name}"


def ensure_raw_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and the ledger if they do not exist (empty tables for absent inputs
    and for review decisions not loaded yet, so downstream models always find their sources)."""
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {LEDGER_TABLE} (
            {_LEDGER_COLUMN_DEFINITIONS},
            PRIMARY KEY (entity, relative_path)
        )
        """
    )
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {LEDGER_HISTORY_TABLE} (
            {_LEDGER_COLUMN_DEFINITIONS},
            change VARCHAR NOT NULL,
            rows_removed BIGINT NOT NULL,
            quarantined_rows_removed BIGINT NOT NULL,
            changed_at TIMESTAMP NOT NULL
        )
        """
    )
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
            entity VARCHAR NOT NULL,
            source_file VARCHAR NOT NULL,
            source_row BIGINT NOT NULL,
            column_name VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            value VARCHAR,
            expectation VARCHAR NOT NULL,
            quarantined_at TIMESTAMP NOT NULL
        )
        """
    )
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {REJECTIONS_TABLE} (
            entity VARCHAR NOT NULL,
            source_file VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            detail VARCHAR NOT NULL,
            rejected_at TIMESTAMP NOT NULL
        )
        """
    )
    conn.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {DECISIONS_LOADED_TABLE} (
            store_path VARCHAR NOT NULL,
            decisions BIGINT NOT NULL,
            digest VARCHAR NOT NULL,
            loaded_at TIMESTAMP NOT NULL
        )
        """
    )
    for entity in RAW_ENTITIES.values():
        _drop_if_contract_changed(conn, entity)
        columns = ", ".join(f"{c.name} {c.duckdb_type}" for c in entity.columns)
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {raw_table(entity)} ({columns}, "
            "_source_file VARCHAR NOT NULL, _source_row BIGINT NOT NULL, "
            "_loaded_at TIMESTAMP NOT NULL)"
        )


def _drop_if_contract_changed(conn: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """A raw table written under another contract (money kept in cents before, say) is dropped
    with its ledger and quarantine entries, so every file loads again at the contract's types:
    inserting into the old columns would round the values silently. The ledger history keeps the
    files as `contract_changed`."""
    stored = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? AND NOT starts_with(column_name, '_')",
        [RAW_SCHEMA, entity.name],
    ).fetchall()
    if not stored or stored == [(c.name, c.duckdb_type) for c in entity.columns]:
        return
    conn.execute(
        f"INSERT INTO {LEDGER_HISTORY_TABLE} SELECT {_LEDGER_COLUMNS}, 'contract_changed', rows, "
        f"0, current_timestamp FROM {LEDGER_TABLE} WHERE entity = ?",
        [entity.name],
    )
    conn.execute(f"DELETE FROM {LEDGER_TABLE} WHERE entity = ?", [entity.name])
    conn.execute(f"DELETE FROM {QUARANTINE_TABLE} WHERE entity = ?", [entity.name])
    conn.execute(f"DROP TABLE {raw_table(entity)}")


def duckdb_path_literal(path: Path) -> str:
    """The path as a SQL string literal that DuckDB's readers take as exactly this one file.

    DuckDB's own escape for a glob character is a bracket class holding just that character
    (`*.csv` → `[*].csv`, `orders_[ab].csv` → `orders_[[]ab].csv`): the name then matches only
    itself, whatever else the folder holds."""
    escaped = _DUCKDB_GLOB_CHARACTERS.sub(lambda found: f"[{found.group()}]", str(path))
    return "'" + escaped.replace("'", "''") + "'"


def read_file_sql(
    path: Path,
    *,
    header: bool = True,
    encoding: str | None = None,
    delimiter: str | None = None,
    null_values: tuple[str, ...] = (),
    parquet_as_text: bool = False,
) -> str:
    """A relation over the file's rows, all columns as text plus the 1-based data row number.

    Text first, so a bad value is reported with its file, row and column instead of failing the
    reader somewhere inside DuckDB. Short rows (a truncated last line) are padded with nulls so
    that the rules see them. A CSV's encoding and delimiter are detected unless given (a column
    mapping may give them, and the texts that mean "no value" in `null_values`).

    A Parquet file keeps its types unless `parquet_as_text`: a column mapping casts them itself,
    and a mapped column reaches the rules as text anyway. Loading a landing file as-is turns every
    value into its text, so the rules judge a Parquet value exactly as the same value in a CSV (a
    boolean is not a number, a time of day or a third decimal is not silently cut off).
    """
    literal = duckdb_path_literal(path)
    if path.suffix.lower() == ".parquet":
        columns = (
            "CAST(COLUMNS(* EXCLUDE (file_row_number)) AS VARCHAR)"
            if parquet_as_text
            else "* EXCLUDE (file_row_number)"
        )
        return (
            f"SELECT {columns}, file_row_number + 1 AS _source_row "
            f"FROM read_parquet({literal}, file_row_number = true)"
        )
    options = [f"header = {'true' if header else 'false'}", "all_varchar = true", "null_padding = true"]
    if encoding:
        options.append(f"encoding = '{encoding}'")
    if delimiter:
        options.append("delim = '" + delimiter.replace("'", "''") + "'")
    if null_values:
        # An empty field stays empty (the rules treat it as missing); these texts join it.
        texts = ", ".join("'" + text.replace("'", "''") + "'" for text in ("", *null_values))
        options.append(f"nullstr = [{texts}]")
    return (
        f"SELECT *, row_number() OVER () AS _source_row "
        f"FROM read_csv({literal}, {', '.join(options)})"
    )


def _stage_file(
    conn: duckdb.DuckDBPyConnection, landing_file: LandingFile, mapping: EntityMapping | None
) -> list[str]:
    """Read the file once into the temporary table `_landing`; return its contract columns."""
    path = landing_file.path
    if landing_file.size_bytes == 0:
        raise BatchRejected(path, "empty_file", "the file is empty (0 bytes).")
    for index in range(len(mapping.joins) if mapping else 0):
        _reject_join_mismatch(conn, path, mapping, index)
    relation = mapping.relation_sql(path) if mapping else read_file_sql(path, parquet_as_text=True)
    try:
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _landing AS {relation}")
    except duckdb.Error as exc:
        if "not utf-8" in str(exc).lower():
            raise BatchRejected(
                path, "not_utf8", "the file is not UTF-8 encoded; export it as UTF-8."
            ) from exc
        raise BatchRejected(path, "unreadable_file", str(exc).splitlines()[0]) from exc
    if conn.execute("SELECT count(*) FROM _landing").fetchone()[0] == 0:
        raise BatchRejected(path, "no_data_rows", "the file has a header but no data rows.")
    if mapping is None:
        _reject_duplicate_columns(conn, path)
    columns = conn.execute("SELECT * FROM _landing LIMIT 0").description
    # `_source_row` and a mapping's `_bad_<n>` are bookkeeping; no contract column starts with _.
    return [column[0] for column in columns if not column[0].startswith("_")]


def _reject_join_mismatch(
    conn: duckdb.DuckDBPyConnection, path: Path, mapping: EntityMapping, index: int
) -> None:
    """A mapping's join must find exactly one row of the joined files for each row of the file:
    a key given twice there would count the file's rows twice, a key given nowhere would load them
    without what the joined file says (an order line without its date and customer)."""
    join = mapping.joins[index]
    before, after, repeated, repeated_keys, unmatched, unmatched_keys = conn.execute(
        mapping.join_problems_sql(path, index)
    ).fetchone()
    if not repeated and not unmatched:
        return
    joined = ", ".join(join.files)
    problems = []
    if repeated:
        problems.append(
            f"{repeated:,} key value{'s' if repeated > 1 else ''} on more than one row of "
            f"{joined} ({', '.join(map(repr, repeated_keys))}{', ...' if repeated > 5 else ''})"
        )
    if unmatched:
        problems.append(
            f"{unmatched:,} key value{'s' if unmatched > 1 else ''} of {path.name} match no row of "
            f"{joined} ({', '.join(map(repr, unmatched_keys))}{', ...' if unmatched > 5 else ''})"
        )
    keys = ", ".join(own for own, _ in join.on)
    raise BatchRejected(
        path, "join_mismatch",
        f"the join on {keys} (entities.{mapping.entity}.join[{index}] of the mapping) needs exactly "
        f"one row of {joined} per row: {'; '.join(problems)}; {before:,} rows before the join, "
        f"{after:,} after. Fix the export or the join's keys.",
    )


def _header_names(conn: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The column names exactly as the file's header (or Parquet schema) spells them.

    DuckDB's readers rename a repeated name (`net_revenue`, `net_revenue_1`), so the staged table
    cannot tell a repeated column from one really named `net_revenue_1`."""
    literal = duckdb_path_literal(path)
    if path.suffix.lower() == ".parquet":
        # The schema's first entry is the root; its direct children are the file's columns.
        rows = conn.execute(f"SELECT name, num_children FROM parquet_schema({literal})").fetchall()
        names, index = [], 1
        while index < len(rows):
            names.append(rows[index][0])
            index = _skip_parquet_subtree(rows, index)
        return names
    try:
        first = conn.execute(
            f"SELECT * FROM read_csv({literal}, header = false, all_varchar = true, "
            "null_padding = true) LIMIT 1"
        ).fetchone()
    except duckdb.Error:
        return []  # read with a header it staged fine; without one it is no judge of names
    return [name for name in first or () if name is not None]


def _skip_parquet_subtree(rows: list[tuple], index: int) -> int:
    """The index after the schema entry at `index` and all its nested entries."""
    pending = 1
    while pending:
        pending += (rows[index][1] or 0) - 1
        index += 1
    return index


def _reject_duplicate_columns(conn: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Reject a file naming a column twice: which of the two holds the real values is a guess.

    Names are compared as DuckDB compares them (case-insensitive)."""
    seen: dict[str, str] = {}
    repeated: list[str] = []
    for name in _header_names(conn, path):
        key = name.strip().lower()
        if key in seen and seen[key] not in repeated:
            repeated.append(seen[key])
        seen.setdefault(key, name)
    if repeated:
        raise BatchRejected(
            path,
            "duplicate_column",
            f"column(s) {', '.join(repeated)} appear more than once in the header; keep one "
            "column of each name and export the file again.",
        )


def _read_as_csv(path: Path) -> bool:
    """Every landing file but Parquet is read by DuckDB's CSV reader (`read_file_sql`)."""
    return not path.name.lower().endswith(".parquet")


def _head_and_tail(path: Path) -> tuple[bytes, bytes, bool]:
    """The file's first and last bytes, decompressed for a `.gz` file, and whether the tail is the
    whole file. The tail starts at an even offset, so UTF-16 decodes in step."""
    if path.name.lower().endswith(".gz"):
        # A deflate stream cannot be entered at its end: its last bytes cost one more streamed
        # decompression of the whole file (memory stays at one chunk), about what DuckDB's own
        # read of it costs. Paid rather than skipping the check: the CSV may have been cut before
        # it was compressed, and only new or changed files are staged at all.
        head, tail, total = b"", b"", 0
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(_GZIP_CHUNK_BYTES):
                if len(head) < _HEAD_BYTES:
                    head += chunk[: _HEAD_BYTES - len(head)]
                tail = (tail + chunk)[-_TAIL_BYTES:]
                total += len(chunk)
        start = total - len(tail)
        return head, tail[start % 2 :], start == 0
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        size = handle.seek(0, 2)
        start = max(0, size - _TAIL_BYTES) // 2 * 2
        handle.seek(start)
        return head, handle.read(), start == 0


def _python_codec(head: bytes, encoding: str | None) -> str:
    """How to decode the file: UTF-16 by its byte-order mark or, where the encoding is not given
    as something else, by its NUL bytes (ASCII text in UTF-16-LE has them at odd offsets, in
    UTF-16-BE at even ones); otherwise the given encoding, or UTF-8. Only the line breaks, quotes
    and delimiters matter here, so a latin-1 file read as UTF-8 is judged the same."""
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    given = (encoding or "").lower().replace("_", "-")
    if given in ("", "utf-16", "utf16"):
        sample = head[:4096]
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > len(sample) // 4 and odd > even:
            return "utf-16-le"
        if even > len(sample) // 4 and even > odd:
            return "utf-16-be"
        if given:
            return "utf-16-le"  # as DuckDB reads UTF-16 without a byte-order mark
    return given if given and not given.startswith("utf-16") else "utf-8"


def _records(text: str, delimiter: str, in_quotes: bool = False) -> list[tuple[int, bool]]:
    """(fields, whether it ends inside a quoted value) of each record of `text`, which starts at a
    record's start (or inside a quoted value: `in_quotes`). A line break inside quotes belongs to
    the value; a doubled quote inside quotes toggles twice, so it changes nothing."""
    records, fields, previous = [], 1, -2
    for found in re.finditer(f'[{re.escape(_QUOTE + delimiter)}\r\n]', text):
        char, position = found.group(), found.start()
        if char == _QUOTE:
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char == delimiter:
            fields += 1
        elif char == "\n" and previous == position - 1 and text[previous] == "\r":
            previous = position  # the second half of a \r\n
        else:
            records.append((fields, False))
            fields, previous = 1, position
    return [*records, (fields, in_quotes)]


def _header_delimiter(header: str) -> str:
    """The candidate delimiter the header holds most often outside quotes (a comma if none)."""
    outside = "".join(header.split(_QUOTE)[0::2])
    counts = {candidate: outside.count(candidate) for candidate in _DELIMITER_CANDIDATES}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _last_line_truncated(path: Path, encoding: str | None, delimiter: str | None) -> bool:
    """Whether the CSV ends in the middle of its last line: it does not end with a line break
    (in its encoding) and its last line is visibly incomplete, with fewer fields than the header
    or ending inside an open quoted value. A last line that has all its fields is complete:
    Excel and many ERPs write no line break after it.

    Only the file's start and end are read (see `_head_and_tail`); the delimiter is the one the
    loader was given, else the one the header is written with."""
    try:
        head, tail, whole = _head_and_tail(path)
    except (OSError, EOFError, zlib.error):
        return True  # a compressed stream cut short: its last line is surely not whole
    codec = _python_codec(head, encoding)
    text = tail.decode(codec, errors="replace")
    if text.endswith(("\n", "\r")):
        return False
    header_text = head.decode(codec, errors="replace").lstrip("\ufeff")
    header_record = re.match(r'(?:"[^"]*"|[^"\r\n])*', header_text).group()
    delimiter = delimiter or _header_delimiter(header_record)
    header_fields = _records(header_record, delimiter)[0][0]
    if not whole:
        # The window may begin mid-line: drop that partial line. Whether the next line starts
        # inside a quoted value that spans lines is unknown, so read the window both ways and
        # keep the reading whose records most often have the header's field count.
        first_break = re.search(r"[\r\n]", text)
        if first_break is None:
            return True  # a last line longer than the window: its start cannot be seen
        text = text[first_break.end() :]
        readings = [_records(text, delimiter, in_quotes) for in_quotes in (False, True)]
        records = max(
            readings, key=lambda r: sum(fields == header_fields for fields, _ in r[:-1])
        )
    else:
        records = _records(text.lstrip("\ufeff"), delimiter)
    fields, open_quote = records[-1]
    return open_quote or fields < header_fields


def _find_violations(
    conn: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    entity: Entity,
    present: set[str],
    settings: RuleSettings,
    mapping: EntityMapping | None,
) -> None:
    """Fill the temporary table `_violations` with every broken row rule of the staged file."""
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _violations AS "
        + violations_sql(entity, present, settings, landing_file.relative_path)
    )
    if entity.key:
        conn.execute(_conflicts_sql(entity, present), [landing_file.relative_path])
    for column, source_column, rule, expectation in mapping.source_checks() if mapping else ():
        conn.execute(
            f"INSERT INTO _violations SELECT _source_row, ?, ?, {column}, ? FROM _landing "
            f"WHERE {column} IS NOT NULL",
            [source_column, rule, expectation],
        )
    path = landing_file.path
    if _read_as_csv(path) and _last_line_truncated(
        path, mapping.encoding if mapping else None, mapping.delimiter if mapping else None
    ):
        # An export cut off mid-line: its last row may hold half a value that still parses.
        # Through a mapping's filters or `unique_by` the staged rows are not all the file's, so
        # the file's last row number comes from the file (a second read, of cut files only); a
        # last row filtered out, or whose key came earlier, is not loaded by this entity anyway.
        source = (
            f"({mapping.reader_sql(path)})"
            if mapping is not None and (mapping.filters or mapping.unique_by)
            else "_landing"
        )
        conn.execute(
            "INSERT INTO _violations SELECT _source_row, '*', 'truncated_last_line', NULL, "
            "'the file ends in the middle of its last line' FROM _landing "
            f"WHERE _source_row = (SELECT max(_source_row) FROM {source})"
        )


def _conflicts_sql(entity: Entity, present: set[str]) -> str:
    """An INSERT into `_violations` of the staged rows whose key another file already loaded with
    other attributes (`conflicting_duplicate`), naming that file and row and the columns that
    differ. The parameter is the staged file's relative path. A column the file lacks counts as
    null: loaded, it would blank what the other file says."""
    attributes = [column for column in entity.columns if column.name not in entity.key]
    differing = ", ".join(
        f"CASE WHEN landed.{c.name} IS DISTINCT FROM loaded.{c.name} THEN '{c.name}' END"
        for c in attributes
    )
    key_value = " || '|' || ".join(f"CAST(landed.{name} AS VARCHAR)" for name in entity.key)
    joined_on = " AND ".join(f"loaded.{name} = landed.{name}" for name in entity.key)
    key_names = ", ".join(entity.key)
    return f"""
        INSERT INTO _violations
        WITH landed AS (
            SELECT _source_row, {', '.join(staged_typed_sql(c, present) for c in entity.columns)}
            FROM _landing
        ),
        pairs AS (
            SELECT landed._source_row, {key_value} AS key_value, loaded._source_file,
                loaded._source_row AS loaded_row, concat_ws(', ', {differing}) AS differing
            FROM landed
            JOIN {raw_table(entity)} AS loaded ON {joined_on}
            WHERE loaded._source_file <> ?
        ),
        first_conflict AS (
            SELECT _source_row, key_value,
                arg_min(_source_file || ' row ' || loaded_row || ' with another ' || differing,
                        (_source_file, loaded_row)) AS other
            FROM pairs
            WHERE differing <> ''
            GROUP BY _source_row, key_value
        )
        SELECT _source_row, '{entity.key[0]}', 'conflicting_duplicate', key_value,
            '{key_names} ' || key_value || ' is already loaded from ' || other
            || ': keep one version of it (correct or remove one of the two rows); '
            || 'this row was not loaded'
        FROM first_conflict
    """


def _reject_if_mostly_bad(
    conn: duckdb.DuckDBPyConnection, landing_file: LandingFile, settings: RuleSettings
) -> None:
    total = conn.execute("SELECT count(*) FROM _landing").fetchone()[0]
    bad = conn.execute("SELECT count(DISTINCT _source_row) FROM _violations").fetchone()[0]
    if bad / total > settings.max_quarantine_share:
        top = conn.execute(
            "SELECT rule, column_name, count(*) FROM _violations GROUP BY ALL "
            "ORDER BY count(*) DESC, rule LIMIT 3"
        ).fetchall()
        summary = "; ".join(f"{rule} on {column}: {count:,} rows" for rule, column, count in top)
        first_row, first_value, first_expectation = conn.execute(
            "SELECT _source_row, value, expectation FROM _violations "
            "ORDER BY _source_row, column_name, rule LIMIT 1"
        ).fetchone()
        raise BatchRejected(
            landing_file.path,
            "too_many_bad_rows",
            f"{bad:,} of {total:,} rows ({bad / total:.1%}) break rules, above the "
            f"{settings.max_quarantine_share:.0%} limit (KAM_MAX_QUARANTINE_SHARE) ({summary}); "
            f"the first, row {first_row} ({first_value!r}): {first_expectation}.",
        )


def settings_for(mapping: SourceMapping | None) -> RuleSettings:
    """The run's rule settings: the KAM_* variables, overridden by the mapping's `settings:` and
    its currency where it gives them."""
    if mapping is None:
        return RuleSettings.from_environment()
    currency = {"KAM_CURRENCY": mapping.currency} if mapping.currency else {}
    return RuleSettings.from_environment({**mapping.settings, **currency})


def load_entity(
    conn: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    entity_name: str,
    settings: RuleSettings | None = None,
    mapping: SourceMapping | None = None,
) -> EntityLoadResult:
    """Load the entity's new or changed landing files into its raw table, in one transaction.

    A file already in the ledger with the same checksum is skipped; a file whose checksum changed
    replaces the rows (and quarantine entries) it loaded before; a file in the ledger that the
    landing folder (or the mapping) no longer holds takes its rows and quarantine entries with it.
    Both are recorded in `meta.load_ledger_history`, so the raw table always holds exactly the
    files the landing folder holds now.
    """
    settings = settings or settings_for(mapping)
    entity = ENTITIES[entity_name]
    ensure_raw_schema(conn)
    try:
        discovery = discover_landing_files(landing_dir, entity, mapping)
    except BatchRejected as rejection:
        _record_rejection(conn, entity, rejection)
        raise
    files = discovery.files
    result = EntityLoadResult(
        entity=entity.name, files_seen=len(files), files_ignored=discovery.ignored
    )
    for landing_file in files if mapping else ():
        mapping.check_against(conn, entity.name, landing_file.path)
    entity_mapping = mapping.entities.get(entity.name) if mapping else None
    fingerprint = entity_mapping.fingerprint if entity_mapping else ""
    checksums = {f.relative_path: file_checksum(f.path, fingerprint) for f in files}
    conn.execute("BEGIN TRANSACTION")
    try:
        _unload_removed_files(conn, entity, files, result)
        if entity.key:
            _unload_master_if_changed(conn, entity, checksums, result)
        for landing_file in files:
            _load_file(
                conn, entity, landing_file, checksums[landing_file.relative_path], result,
                settings, entity_mapping,
            )
        conn.execute("COMMIT")
    except BatchRejected as rejection:
        conn.execute("ROLLBACK")
        _record_rejection(conn, entity, rejection)
        raise
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    # fetchall, not fetchone: the caller's next query on this connection needs the result finished.
    [(result.rows_in_table,)] = conn.execute(f"SELECT count(*) FROM {raw_table(entity)}").fetchall()
    return result


def _record_rejection(
    conn: duckdb.DuckDBPyConnection, entity: Entity, rejection: BatchRejected
) -> None:
    conn.execute(
        f"INSERT INTO {REJECTIONS_TABLE} VALUES (?, ?, ?, ?, current_timestamp)",
        [entity.name, str(rejection.path), rejection.rule, rejection.detail],
    )


def _unload_file(
    conn: duckdb.DuckDBPyConnection, entity: Entity, relative_path: str, change: str
) -> int:
    """Take a loaded file out of the entity: its raw rows, its quarantine entries and its ledger
    entry, which moves to the ledger history with `change` ('replaced' or 'removed'), the rows
    taken out and when. Returns the raw rows taken out."""
    [(rows_removed,)] = conn.execute(
        f"DELETE FROM {raw_table(entity)} WHERE _source_file = ?", [relative_path]
    ).fetchall()
    # Scoped to the entity: through a mapping, one export file feeds several entities.
    where = "WHERE entity = ? AND source_file = ?"
    [(quarantined,)] = conn.execute(
        f"SELECT count(DISTINCT source_row) FROM {QUARANTINE_TABLE} {where}",
        [entity.name, relative_path],
    ).fetchall()
    conn.execute(f"DELETE FROM {QUARANTINE_TABLE} {where}", [entity.name, relative_path])
    ledger_entry = "WHERE entity = ? AND relative_path = ?"
    conn.execute(
        f"INSERT INTO {LEDGER_HISTORY_TABLE} SELECT {_LEDGER_COLUMNS}, ?, ?, ?, current_timestamp "
        f"FROM {LEDGER_TABLE} {ledger_entry}",
        [change, rows_removed, quarantined, entity.name, relative_path],
    )
    conn.execute(f"DELETE FROM {LEDGER_TABLE} {ledger_entry}", [entity.name, relative_path])
    return rows_removed


def _unload_removed_files(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    files: list[LandingFile],
    result: EntityLoadResult,
) -> None:
    """Take out every file the ledger holds for the entity that is not among its landing files."""
    present = {landing_file.relative_path for landing_file in files}
    loaded = conn.execute(
        f"SELECT relative_path FROM {LEDGER_TABLE} WHERE entity = ? ORDER BY relative_path",
        [entity.name],
    ).fetchall()
    for (relative_path,) in loaded:
        if relative_path not in present:
            result.rows_removed += _unload_file(conn, entity, relative_path, "removed")
            result.files_removed.append(relative_path)


def _unload_master_if_changed(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    checksums: dict[str, str],
    result: EntityLoadResult,
) -> None:
    """When any file of a master is new, changed or removed, take out all its files, so they all
    load again in name order: the row that loses a conflict (`conflicting_duplicate`) is then
    always the one in the later file, whatever order the files arrived in."""
    loaded = dict(
        conn.execute(
            f"SELECT relative_path, checksum FROM {LEDGER_TABLE} WHERE entity = ?", [entity.name]
        ).fetchall()
    )
    if loaded == checksums and not result.files_removed:
        return
    for relative_path, checksum in sorted(loaded.items()):
        if checksums.get(relative_path) == checksum:
            _unload_file(conn, entity, relative_path, "reloaded")
            result.files_reloaded.append(relative_path)


def _load_file(
    conn: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing_file: LandingFile,
    checksum: str,
    result: EntityLoadResult,
    settings: RuleSettings,
    mapping: EntityMapping | None,
) -> None:
    previous = conn.execute(
        f"SELECT checksum FROM {LEDGER_TABLE} WHERE entity = ? AND relative_path = ?",
        [entity.name, landing_file.relative_path],
    ).fetchone()
    if previous and previous[0] == checksum:
        conn.execute(
            f"UPDATE {LEDGER_TABLE} SET size_bytes = ?, modified_at = ? "
            "WHERE entity = ? AND relative_path = ?",
            [landing_file.size_bytes, landing_file.modified_at, entity.name, landing_file.relative_path],
        )
        result.files_unchanged.append(landing_file.relative_path)
        return

    present = set(_stage_file(conn, landing_file, mapping))
    missing = [name for name in entity.required_columns if name not in present]
    if missing:
        raise BatchRejected(
            landing_file.path,
            "missing_required_column",
            f"required column(s) {', '.join(missing)} missing "
            f"(found: {', '.join(sorted(present)) or 'none'}).",
        )
    _find_violations(conn, landing_file, entity, present, settings, mapping)
    _reject_if_mostly_bad(conn, landing_file, settings)

    if previous:
        _unload_file(conn, entity, landing_file.relative_path, "replaced")
    select_list = ", ".join(
        f"CAST({c.name} AS {c.duckdb_type}) AS {c.name}"
        if c.name in present
        else f"CAST(NULL AS {c.duckdb_type}) AS {c.name}"
        for c in entity.columns
    )
    inserted = conn.execute(
        f"INSERT INTO {raw_table(entity)} "
        f"SELECT {select_list}, ? AS _source_file, _source_row, current_timestamp AS _loaded_at "
        "FROM _landing WHERE _source_row NOT IN (SELECT _source_row FROM _violations)",
        [landing_file.relative_path],
    ).fetchone()[0]
    conn.execute(
        f"INSERT INTO {QUARANTINE_TABLE} SELECT ?, ?, _source_row, column_name, rule, value, "
        "expectation, current_timestamp FROM _violations",
        [entity.name, landing_file.relative_path],
    )
    for rule, count in conn.execute(
        "SELECT rule, count(DISTINCT _source_row) FROM _violations GROUP BY rule ORDER BY rule"
    ).fetchall():
        result.quarantined_by_rule[rule] = result.quarantined_by_rule.get(rule, 0) + count
    result.rows_quarantined += conn.execute(
        "SELECT count(DISTINCT _source_row) FROM _violations"
    ).fetchone()[0]
    conn.execute(
        f"INSERT INTO {LEDGER_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [
            entity.name,
            landing_file.relative_path,
            str(landing_file.path),
            landing_file.size_bytes,
            landing_file.modified_at,
            checksum,
            inserted,
        ],
    )
    filtered_sql = mapping.filtered_rows_sql(landing_file.path) if mapping else None
    if filtered_sql:
        [(filtered,)] = conn.execute(filtered_sql).fetchall()
        result.rows_filtered += filtered
    conn.execute("DROP TABLE _landing")
    conn.execute("DROP TABLE _violations")
    if landing_file.relative_path not in result.files_reloaded:
        (result.files_replaced if previous else result.files_loaded).append(landing_file.relative_path)
    result.rows_loaded += inserted


@dataclass(frozen=True)
class DecisionsLoadResult:
    store: Path
    store_found: bool
    """False: no decisions recorded yet (no store file), and raw.review_decisions is empty."""
    rows_loaded: int
    digest: str
    """`decisions_digest` of the rows loaded, as meta.review_decisions_loaded records it."""


def load_review_decisions(conn: duckdb.DuckDBPyConnection, store: Path) -> DecisionsLoadResult:
    """Replace raw.review_decisions with every decision in the store at `store` (none where there
    is no store yet), in one transaction, and record in meta.review_decisions_loaded which state
    of the store it now holds. Each row keeps the store's file name as `_source_file` and its
    decision_id as `_source_row`. The store is only read, never created."""
    found = store.exists()
    decisions = read_decisions(store)
    digest = decisions_digest(decisions)
    ensure_raw_schema(conn)
    columns = ", ".join(REVIEW_DECISIONS.column_names)
    conn.register("_review_decisions", decisions)
    conn.execute("BEGIN TRANSACTION")
    try:
        # Emptied and filled, not replaced: the table keeps the comments the data dictionary
        # gave it.
        conn.execute(f"DELETE FROM {raw_table(REVIEW_DECISIONS)}")
        conn.execute(
            f"INSERT INTO {raw_table(REVIEW_DECISIONS)} SELECT {columns}, ? AS _source_file, "
            "decision_id AS _source_row, current_timestamp AS _loaded_at FROM _review_decisions",
            [store.name],
        )
        conn.execute(f"DELETE FROM {DECISIONS_LOADED_TABLE}")
        conn.execute(
            f"INSERT INTO {DECISIONS_LOADED_TABLE} VALUES (?, ?, ?, current_timestamp)",
            [str(store), decisions.num_rows, digest],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.unregister("_review_decisions")
    return DecisionsLoadResult(store, found, decisions.num_rows, digest)


@dataclass(frozen=True)
class CheckFailure:
    """A check a run makes on a loaded raw table that fails on the rows a folder would load."""

    entity: str
    rule: str
    blocking: bool
    """A blocking check stops the run; a warning is only reported."""
    message: str
    """For a person: the entity, the rule, its figure against the limit, the files behind it."""


@dataclass
class LandingValidation:
    results: list[EntityLoadResult] = field(default_factory=list)
    rejections: list[BatchRejected] = field(default_factory=list)
    errors: list[IngestError] = field(default_factory=list)
    quarantine_sample: list[tuple] = field(default_factory=list)
    check_failures: list[CheckFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.rejections
            and not self.errors
            and not any(failure.blocking for failure in self.check_failures)
        )


def validate_landing(
    landing_dir: Path,
    settings: RuleSettings | None = None,
    mapping: SourceMapping | None = None,
    checks: Callable[
        [duckdb.DuckDBPyConnection, list[str], RuleSettings], list[CheckFailure]
    ] | None = None,
) -> LandingValidation:
    """Run every load rule on a landing folder (or a mapped export folder) without touching any
    warehouse: the same loading code, into a throw-away in-memory database.

    `checks` judges the tables loaded there as a run judges its raw tables next (the blocking
    expectations checks, which live above loading): called with the in-memory database, the
    entities that loaded and the settings, it returns what fails (`check_failures`); a blocking
    failure makes the folder one a run would reject."""
    settings = settings or settings_for(mapping)
    validation = LandingValidation()
    with duckdb.connect(":memory:") as conn:
        for entity_name in entities_in_load_order():
            try:
                validation.results.append(
                    load_entity(conn, landing_dir, entity_name, settings, mapping)
                )
            except BatchRejected as rejection:
                validation.rejections.append(rejection)
            except IngestError as error:
                # A mistake in a mapping shows under every entity read through it: say it once.
                if str(error) not in map(str, validation.errors):
                    validation.errors.append(error)
        validation.quarantine_sample = conn.execute(
            f"SELECT entity, source_file, source_row, column_name, rule, value FROM {QUARANTINE_TABLE} "
            "ORDER BY entity, source_file, source_row LIMIT 20"
        ).fetchall()
        if checks is not None:
            # In contract order, as a run's checks are listed; only the tables that loaded (a run
            # checks no table whose load failed).
            loaded = {result.entity for result in validation.results}
            validation.check_failures = checks(
                conn, [name for name in ENTITIES if name in loaded], settings
            )
    return validation
