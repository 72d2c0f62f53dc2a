"""Running an entity's suites on its raw table in DuckDB, in bounded memory.

Great Expectations' SQL data source does not work on DuckDB here (see ../docs/data-quality.md),
so the row rules run on pandas chunks of a fixed size streamed out of DuckDB as Arrow, and the
whole-table rules on one row of figures DuckDB computes with SQL. Nothing is written to disk: the
GX context is ephemeral.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations as gx
import pandas as pd
import pyarrow as pa
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.settings import QualitySettings
from expectations.suites import BLOCKING, WARNING, EntitySuites, build_entity_suites
from orchestration.contract import ENTITIES

SOURCE_COLUMNS = ["_source_file", "_source_row"]


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's verdict on one raw table."""

    rule: str
    severity: str
    description: str
    success: bool
    observed: str
    unexpected_count: int | None = None
    samples: list[dict] = field(default_factory=list)
    """Offending rows (at most `sample_rows`), with `_source_file` and `_source_row` where the rule
    is about rows."""
    expected: str = ""
    """What the rule wants, with its threshold (`cost_above_revenue_share at most 20.0%`)."""
    files: list[dict] = field(default_factory=list)
    """For a failed rule, the landing files holding offending rows, the largest share of offending
    rows first: `{"file", "offending_rows", "rows"}` (`rows`: the file's rows in the table). Every
    file for a table rule; for a row rule, the files of the offending rows GX lists (up to
    `sample_rows` per chunk), so the counts add up to less than `unexpected_count` when a chunk
    had more."""


@dataclass(frozen=True)
class EntityValidation:
    entity: str
    rows: int
    seconds: float
    outcomes: list[RuleOutcome]

    @property
    def blocking_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == BLOCKING]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == WARNING]

    @property
    def passed(self) -> bool:
        """True when no blocking rule failed (warnings do not stop the run)."""
        return not self.blocking_failures


def validate_entity(
    conn_or_path: duckdb.DuckDBPyConnection | str | Path,
    entity: str,
    settings: QualitySettings | None = None,
) -> EntityValidation:
    """Run both suites of `entity` on `raw.<entity>` in the DuckDB database."""
    settings = settings or QualitySettings()
    suites = build_entity_suites(entity, settings)
    started = time.perf_counter()
    with _connection(conn_or_path) as conn:
        rows = _scalar(conn, f"SELECT count(*) FROM raw.{entity}")
        context = _ephemeral_context()
        outcomes = _run_row_rules(context, conn, suites, settings)
        outcomes += _run_figure_rules(context, conn, suites, settings)
    return EntityValidation(entity, rows, time.perf_counter() - started, outcomes)


def validate_all(
    conn_or_path: duckdb.DuckDBPyConnection | str | Path, settings: QualitySettings | None = None
) -> list[EntityValidation]:
    """Every input entity of the contract, in contract order."""
    with _connection(conn_or_path) as conn:
        return [validate_entity(conn, name, settings) for name in ENTITIES]


@contextlib.contextmanager
def _connection(conn_or_path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The given connection, or a read-only one on the given file, closed afterwards."""
    if isinstance(conn_or_path, duckdb.DuckDBPyConnection):
        yield conn_or_path
        return
    with duckdb.connect(str(conn_or_path), read_only=True) as conn:
        yield conn


def _ephemeral_context():
    """An in-memory GX context with one pandas data source, `raw`."""
    context = gx.get_context(mode="ephemeral")
    # Progress bars would print one line per chunk into Dagster's captured logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("raw")
    return context


def _validation_definition(context, suite: gx.ExpectationSuite) -> gx.ValidationDefinition:
    """Data source → dataframe asset → batch definition → suite → validation definition; the
    dataframe itself is a batch parameter of each run."""
    data_source = context.data_sources.get("raw")
    asset = data_source.add_dataframe_asset(suite.name)
    batch_definition = asset.add_batch_definition_whole_dataframe("in_memory")
    return context.validation_definitions.add(
        gx.ValidationDefinition(
            name=suite.name, data=batch_definition, suite=context.suites.add(suite)
        )
    )


def _run_row_rules(
    context, conn: duckdb.DuckDBPyConnection, suites: EntitySuites, settings: QualitySettings
) -> list[RuleOutcome]:
    """Run the row suite on every chunk and add the verdicts up: a row rule passes when it passed
    on every chunk."""
    validation = _validation_definition(context, suites.rows)
    result_format = {
        "result_format": "SUMMARY",
        "unexpected_index_column_names": SOURCE_COLUMNS,
        "partial_unexpected_count": settings.sample_rows,
    }
    tallies = {_rule_of(e): _RowTally() for e in suites.rows.expectations}
    for chunk in _chunks(conn, _chunk_sql(suites), settings.chunk_rows):
        result = validation.run(batch_parameters={"dataframe": chunk}, result_format=result_format)
        for expectation_result in result.results:
            tallies[_rule_of(expectation_result.expectation_config)].add(
                expectation_result, settings.sample_rows
            )
    outcomes = []
    for expectation in suites.rows.expectations:
        tally = tallies[_rule_of(expectation)]
        files = _with_file_rows(conn, suites.entity, tally.files) if tally.files else []
        outcomes.append(tally.outcome(expectation, files))
    return outcomes


@dataclass
class _RowTally:
    """One row rule's verdict over the chunks seen so far."""

    success: bool = True
    checked: int = 0
    unexpected: int = 0
    error: str | None = None
    samples: list[dict] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=dict)
    """Offending rows per landing file, among the rows GX listed."""

    def add(self, result, sample_rows: int) -> None:
        self.success = self.success and result.success
        if result.exception_info.get("raised_exception"):
            self.error = result.exception_info.get("exception_message")
        self.checked += result.result.get("element_count") or 0
        self.unexpected += result.result.get("unexpected_count") or 0
        offending = result.result.get("partial_unexpected_index_list") or []
        self.samples += [_plain(row) for row in offending][: sample_rows - len(self.samples)]
        for row in offending:
            source = row.get("_source_file")
            if source is not None:
                self.files[source] = self.files.get(source, 0) + 1

    def outcome(self, expectation, files: list[dict]) -> RuleOutcome:
        if self.error:
            observed = f"error: {self.error}"
        else:
            observed = f"{self.unexpected:,} of {self.checked:,} rows"
        return RuleOutcome(
            rule=_rule_of(expectation),
            severity=expectation.meta["severity"],
            description=expectation.description or "",
            success=self.success,
            observed=observed,
            unexpected_count=self.unexpected,
            samples=self.samples,
            expected=_expected(expectation, per_row=True),
            files=files,
        )


def _chunk_sql(suites: EntitySuites) -> str:
    """The raw columns the row rules read, typed so pandas checks them vectorised: decimals as
    doubles (bounds and signs need no exact cents), dates as nanosecond timestamps."""
    types = {c.name: c.duckdb_type for c in ENTITIES[suites.entity].columns}
    select = []
    for name in suites.chunk_columns:
        if name in suites.derived_columns:
            select.append(f"{suites.derived_columns[name]} AS {name}")
        elif types[name].startswith("DECIMAL"):
            select.append(f"CAST({name} AS DOUBLE) AS {name}")
        elif types[name] == "DATE":
            select.append(f"CAST({name} AS TIMESTAMP_NS) AS {name}")
        else:
            select.append(name)
    return f"SELECT {', '.join(select + SOURCE_COLUMNS)} FROM raw.{suites.entity}"


def _chunks(conn: duckdb.DuckDBPyConnection, sql: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """The query's rows as pandas frames of about `chunk_rows` rows each.

    DuckDB streams Arrow record batches of its own size; they are gathered up to `chunk_rows` so
    GX's fixed cost per run is paid once per chunk, not once per small batch.
    """
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in conn.sql(sql).to_arrow_reader(chunk_rows):
        pending.append(batch)
        pending_rows += batch.num_rows
        if pending_rows >= chunk_rows:
            yield pa.Table.from_batches(pending).to_pandas()
            pending, pending_rows = [], 0
    if pending_rows:
        yield pa.Table.from_batches(pending).to_pandas()


def _run_figure_rules(
    context, conn: duckdb.DuckDBPyConnection, suites: EntitySuites, settings: QualitySettings
) -> list[RuleOutcome]:
    """Compute each table figure in DuckDB, let GX judge the one row of figures, and fetch the
    offending rows behind each failure."""
    if not suites.figures.expectations:
        return []
    figures = {f.name: f for f in suites.table_figures}
    values = {name: _scalar(conn, f.value_sql) for name, f in figures.items()}
    frame = pd.DataFrame([{name: _number(value) for name, value in values.items()}])
    result = _validation_definition(context, suites.figures).run(
        batch_parameters={"dataframe": frame}, result_format="BASIC"
    )
    verdicts = {_rule_of(r.expectation_config): r for r in result.results}
    outcomes = []
    for expectation in suites.figures.expectations:
        figure = figures[expectation.column]
        verdict = verdicts[_rule_of(expectation)]
        observed = _describe(figure.name, values[figure.name])
        if verdict.exception_info.get("raised_exception"):
            observed = f"error: {verdict.exception_info.get('exception_message')}"
        unexpected, samples, files = None, [], []
        if not verdict.success and figure.offending_rows_sql:
            unexpected, samples, files = _offending_rows(
                conn, suites.entity, figure.offending_rows_sql, settings.sample_rows
            )
        outcomes.append(
            RuleOutcome(
                rule=_rule_of(expectation),
                severity=expectation.meta["severity"],
                description=expectation.description or "",
                success=verdict.success,
                observed=observed,
                unexpected_count=unexpected,
                samples=samples,
                expected=_expected(expectation, per_row=False),
                files=files,
            )
        )
    return outcomes


def _offending_rows(
    conn: duckdb.DuckDBPyConnection, entity: str, sql: str, limit: int
) -> tuple[int, list[dict], list[dict]]:
    """How many rows break the rule, the first few of them in landing order, and the files
    they come from."""
    per_file = dict(
        conn.sql(f"SELECT _source_file, count(*) FROM ({sql}) GROUP BY ALL").fetchall()
    )
    relation = conn.sql(
        f"SELECT * FROM ({sql}) ORDER BY _source_file, _source_row LIMIT {int(limit)}"
    )
    samples = [_plain(dict(zip(relation.columns, row))) for row in relation.fetchall()]
    files = _with_file_rows(conn, entity, per_file) if per_file else []
    return sum(per_file.values()), samples, files


def _with_file_rows(
    conn: duckdb.DuckDBPyConnection, entity: str, offending: dict[str, int]
) -> list[dict]:
    """`{"file", "offending_rows", "rows"}` per file, the file with the largest share of its rows
    offending first: the likeliest culprit, even beside a far larger file with a few."""
    totals = dict(
        conn.execute(
            f"SELECT _source_file, count(*) FROM raw.{entity} "
            "WHERE list_contains(?, _source_file) GROUP BY ALL",
            [sorted(offending)],
        ).fetchall()
    )
    files = [
        {"file": name, "offending_rows": count, "rows": totals.get(name, 0)}
        for name, count in offending.items()
    ]
    return sorted(
        files, key=lambda f: (-f["offending_rows"] / max(f["rows"], 1), -f["offending_rows"], f["file"])
    )


def _expected(expectation, per_row: bool) -> str:
    """The rule's threshold in words, as the observed figure is written (`_describe`)."""
    on_every_row = " on every row" if per_row else ""
    column = getattr(expectation, "column", None)
    if isinstance(expectation, gx.expectations.ExpectColumnValuesToNotBeNull):
        return f"{column} present{on_every_row}"
    if isinstance(expectation, gx.expectations.ExpectColumnValuesToBeInSet):
        return f"{column} one of {', '.join(map(str, expectation.value_set))}{on_every_row}"
    if isinstance(expectation, gx.expectations.ExpectColumnPairValuesAToBeGreaterThanB):
        relation = "≥" if expectation.or_equal else ">"
        return f"{expectation.column_A} {relation} {expectation.column_B}{on_every_row}"
    if isinstance(expectation, gx.expectations.ExpectColumnValuesToBeBetween):
        low, high = expectation.min_value, expectation.max_value
        if low is not None and high is not None:
            bounds = f"between {_bound(column, low)} and {_bound(column, high)}"
        elif high is not None:
            bounds = f"{'below' if expectation.strict_max else 'at most'} {_bound(column, high)}"
        else:
            bounds = f"{'above' if expectation.strict_min else 'at least'} {_bound(column, low)}"
        return f"{column} {bounds}{on_every_row}"
    return expectation.description or ""


def _bound(figure: str, value) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
    if figure.endswith("_share"):
        return f"{float(value):.1%}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, (int, float)) else str(value)


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str):
    # fetchall, not fetchone: DuckDB refuses the next query while a result is unfinished.
    return conn.sql(sql).fetchall()[0][0]


def _rule_of(expectation) -> str:
    return expectation.meta["rule"]


def _number(value):
    # GX compares floats, not Decimals, against its bounds.
    return float(value) if isinstance(value, decimal.Decimal) else value


def _describe(figure: str, value) -> str:
    if value is None:
        return f"{figure}: not applicable"
    if figure.endswith("_share"):
        return f"{figure}: {float(value):.1%}"
    return f"{figure}: {value:,}"


def _plain(row: dict) -> dict:
    """JSON- and HTML-friendly values: dates as ISO text, decimals and numpy scalars as numbers."""
    plain = {}
    for key, value in row.items():
        if isinstance(value, (dt.date, pd.Timestamp)):
            value = value.isoformat()[:10] if _is_midnight(value) else value.isoformat()
        elif isinstance(value, decimal.Decimal):
            value = float(value)
        elif hasattr(value, "item"):
            value = value.item()
        plain[key] = value
    return plain


def _is_midnight(value) -> bool:
    return not isinstance(value, dt.datetime) or value.time() == dt.time()
