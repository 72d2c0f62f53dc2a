"""Running an entity's suite on its raw table in DuckDB.

Great Expectations' SQL data source does not work on DuckDB here (see ../docs/data-quality.md), so
DuckDB computes every figure the rules are judged on (the row rules' counts of breaking rows in one
pass over the table, each table rule's figure) and GX judges the one row of figures. Memory stays
flat whatever the table size. Nothing is written to disk: the GX context is ephemeral.
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
from great_expectations.data_context.types.base import ProgressBarsConfig

from expectations.settings import QualitySettings
from expectations.suites import BLOCKING, WARNING, Check, EntitySuite, build_entity_suite
from loading.contract import ENTITIES
from loading.ingest import CheckFailure
from loading.rules import RuleSettings

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
    """Offending rows (at most `sample_rows`), with `_source_file` and `_source_row`."""
    expected: str = ""
    """What the rule wants, with its threshold (`cost_above_revenue_share at most 20.0%`)."""
    files: list[dict] = field(default_factory=list)
    """For a failed rule, the landing files holding offending rows, the largest share of offending
    rows first: `{"file", "offending_rows", "rows"}` (`rows`: the file's rows in the table)."""
    column: str | None = None
    """The column a row rule is about."""
    value: str = ""
    """The figure the rule was judged on, alone: `33.3%`, `3 of 30 rows`."""
    limit: str = ""
    """The figure's limit: `at most 20.0%`, `at most 0 rows`."""


@dataclass(frozen=True)
class EntityValidation:
    entity: str
    rows: int
    """Rows the row rules checked: the whole table's, or those of `source_files`."""
    seconds: float
    outcomes: list[RuleOutcome]
    source_files: list[str] | None = None
    """The landing files whose rows the row rules checked; None: every row of the table."""

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
    source_files: list[str] | None = None,
) -> EntityValidation:
    """Run the suite of `entity` on `raw.<entity>` in the DuckDB database: its row rules on the
    rows of `source_files` where given (the files not validated before), else on every row."""
    settings = settings or QualitySettings()
    suite = build_entity_suite(entity, settings, source_files)
    started = time.perf_counter()
    with _connection(conn_or_path) as conn:
        figures = {}
        if suite.row_counts_sql:
            relation = conn.sql(suite.row_counts_sql)
            figures = dict(zip(relation.columns, relation.fetchall()[0], strict=True))
            rows = figures.pop("rows")
        else:
            rows = _scalar(conn, f"SELECT count(*) FROM raw.{entity}")
        figures |= {name: _scalar(conn, sql) for name, sql in suite.table_figures.items()}
        outcomes = _judge(conn, suite, figures, rows, settings)
    return EntityValidation(entity, rows, time.perf_counter() - started, outcomes, source_files)


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


def _judge(
    conn: duckdb.DuckDBPyConnection,
    suite: EntitySuite,
    figures: dict,
    rows: int,
    settings: QualitySettings,
) -> list[RuleOutcome]:
    """Let GX judge the one row of figures, and fetch the offending rows behind each failure."""
    verdicts = _verdicts(suite, {name: _number(value) for name, value in figures.items()})
    return [
        _outcome(conn, suite.entity, check, figures[check.figure], verdicts[check.figure], rows,
                 settings)
        for check in suite.checks
    ]


@dataclass(frozen=True)
class _Verdict:
    success: bool
    error: str | None
    """GX's message where judging the figure raised an exception."""


def _verdicts(suite: EntitySuite, row: dict) -> dict[str, _Verdict]:
    """GX's verdict on each figure of the one row, by figure name."""
    result = _validation_definition(_ephemeral_context(), suite.suite).run(
        batch_parameters={"dataframe": pd.DataFrame([row])}, result_format="BASIC"
    )
    return {
        r.expectation_config.kwargs["column"]: _Verdict(
            r.success,
            str(r.exception_info.get("exception_message") or "GX raised an exception")
            if r.exception_info.get("raised_exception") else None,
        )
        for r in result.results
    }


def _outcome(
    conn: duckdb.DuckDBPyConnection,
    entity: str,
    check: Check,
    value,
    verdict: _Verdict,
    rows: int,
    settings: QualitySettings,
) -> RuleOutcome:
    if verdict.error is not None:
        observed = figure = f"error: {verdict.error}"
    elif check.row_rule:
        observed = figure = f"{value:,} of {rows:,} rows"
    else:
        figure = _figure_value(check.figure, value)
        observed = f"{check.figure}: {figure}"
    unexpected, samples, files = (value if check.row_rule else None), [], []
    if not verdict.success and check.offending_rows_sql:
        unexpected, samples, files = _offending_rows(
            conn, entity, check.offending_rows_sql, settings.sample_rows
        )
    return RuleOutcome(
        rule=check.rule,
        severity=check.severity,
        description=check.description,
        success=verdict.success,
        observed=observed,
        unexpected_count=unexpected,
        samples=samples,
        expected=_expected(check),
        files=files,
        column=check.column,
        value=figure,
        limit=_limit(check),
    )


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


def _expected(check: Check) -> str:
    """The rule's threshold in words, as the observed figure is written."""
    if check.row_rule:
        return f"no row with {check.rule} on {check.column}"
    return f"{check.figure} {_limit(check)}"


def _limit(check: Check) -> str:
    """The figure's limit alone, written as the figure is (`at most 20.0%`)."""
    if check.row_rule:
        return "at most 0 rows"
    low, high = check.at_least, check.at_most
    if low is not None and high is not None:
        return f"between {_bound(check.figure, low)} and {_bound(check.figure, high)}"
    if high is not None:
        return f"at most {_bound(check.figure, high)}"
    return f"at least {_bound(check.figure, low)}"


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


def _number(value):
    # GX compares floats, not Decimals, against its bounds.
    return float(value) if isinstance(value, decimal.Decimal) else value


def _figure_value(figure: str, value) -> str:
    if value is None:
        return "not applicable"
    if figure.endswith("_share"):
        return f"{float(value):.1%}"
    return f"{value:,}"


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


def rule_label(outcome: RuleOutcome, validation: EntityValidation) -> str:
    """The rule's id, with its column where the entity has the rule on several columns
    (`score_out_of_range on cultural_fit`)."""
    same_rule = sum(other.rule == outcome.rule for other in validation.outcomes)
    return f"{outcome.rule} on {outcome.column}" if same_rule > 1 else outcome.rule


_FILES_NAMED = 5


def offending_files_text(outcome: RuleOutcome) -> str:
    """`Offending rows by landing file: a.csv 228 of 700 rows (32.6%), b.csv 34 of 2,000 rows
    (1.7%)`."""
    shown = [
        f"{f['file']} {f['offending_rows']:,} of {f['rows']:,} rows "
        f"({f['offending_rows'] / max(f['rows'], 1):.1%})"
        for f in outcome.files[:_FILES_NAMED]
    ]
    more = len(outcome.files) - _FILES_NAMED
    return f"Offending rows by landing file: {', '.join(shown)}" + (
        f" and {more} more file(s)" if more > 0 else ""
    )


def failure_message(outcome: RuleOutcome, validation: EntityValidation) -> str:
    """A failed rule for a person, its figure against the limit first: `orders:
    cost_above_revenue_share — 33.3% against the limit at most 20.0%`, then what the rule expects
    and the landing files behind it."""
    label = rule_label(outcome, validation)
    lines = [f"{validation.entity}: {label} — {outcome.value} against the limit {outcome.limit}"]
    if outcome.description:
        lines.append(f"  Rule: {outcome.description}")
    if outcome.files:
        lines.append(f"  {offending_files_text(outcome)}")
    return "\n".join(lines)


def check_loaded_tables(
    conn: duckdb.DuckDBPyConnection, entities: list[str], rules: RuleSettings
) -> list[CheckFailure]:
    """The checks a run makes on these raw tables once they have loaded (`validate_entity`, on
    every row), as the failures `loading.ingest.validate_landing` reports for a folder not loaded
    yet: a blocking one is a folder the run would reject."""
    settings = QualitySettings(rules=rules)
    failures = []
    for entity in entities:
        validation = validate_entity(conn, entity, settings)
        failures += [
            CheckFailure(
                entity, outcome.rule, outcome.severity == BLOCKING,
                failure_message(outcome, validation),
            )
            for outcome in validation.blocking_failures + validation.warnings
        ]
    return failures
