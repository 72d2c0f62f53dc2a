"""Column mappings: an ERP or CRM export read as if it were landing files of the input contract.

A mapping is a YAML file (see ../docs/bring-your-own-data.md and ../mappings/) that says, per entity of the
contract, which files of a source folder feed it and how their columns become the contract's:
renames, date formats, SQL expressions, constant defaults, row filters, and entities built from
another one's files (customers as the distinct customers found in the order lines).

A mapped file is turned into one DuckDB query that yields the contract's columns as text with the
source's own row numbers, so it flows through the very same load rules, quarantine and ledger as
a native landing file (`loading.ingest`). Every mistake in the mapping itself is a
`MappingError` naming the mapping file and the key.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import yaml

from loading.contract import ENTITIES, Entity
from loading.ingest import IngestError, read_file_sql
from loading.rules import rounded_by_cast

ENTITY_KEYS = {
    "files", "from", "encoding", "delimiter", "header", "columns", "types", "date_formats",
    "expressions", "defaults", "filters", "unique_by",
}
# The encodings DuckDB's CSV reader decodes without an extension (none can be downloaded here).
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "latin-1": "latin-1",
             "latin1": "latin-1", "iso-8859-1": "latin-1"}
# Friendly date-format tokens, longest first so `YYYY` is not read as two `YY`.
_DATE_TOKENS = [("YYYY", "%Y"), ("MMMM", "%B"), ("MMM", "%b"), ("YY", "%y"), ("MM", "%m"),
                ("DD", "%d"), ("M", "%m"), ("D", "%d")]
_DATE_SEPARATORS = set("/-. ,")


class MappingError(IngestError):
    """A mistake in a mapping file; the message names the file and the key."""

    def __init__(self, mapping_path: Path, key: str, detail: str) -> None:
        super().__init__(f"{mapping_path}: {key}: {detail}")
        self.mapping_path = mapping_path
        self.key = key
        self.detail = detail


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def strptime_format(pattern: str) -> str:
    """`M/D/YYYY` → `%m/%d/%Y`; a pattern with `%` is taken as strptime codes already.

    Raises ValueError naming what is not understood."""
    if "%" in pattern:
        try:
            duckdb.sql(f"SELECT try_strptime('2000-01-01', {_literal(pattern)})").fetchall()
        except duckdb.Error as exc:
            raise ValueError(str(exc).splitlines()[0]) from None
        return pattern
    out, rest = [], pattern
    while rest:
        for token, code in _DATE_TOKENS:
            if rest.startswith(token):
                out.append(code)
                rest = rest[len(token):]
                break
        else:
            if rest[0] not in _DATE_SEPARATORS:
                raise ValueError(
                    f"'{pattern}' is not a date format: use YYYY, YY, MMMM, MMM, MM, M, DD, D and "
                    "the separators / - . , (e.g. M/D/YYYY), or strptime codes (e.g. %m/%d/%Y)"
                )
            out.append(rest[0])
            rest = rest[1:]
    if not {"%Y", "%y"} & set(out):
        raise ValueError(f"'{pattern}' has no year (YYYY or YY)")
    return "".join(out)


@dataclass(frozen=True)
class EntityMapping:
    """How one contract entity is read from the source folder."""

    entity: str
    files: tuple[str, ...]
    encoding: str = "utf-8"
    delimiter: str | None = None
    header: bool = True
    columns: dict[str, str] = field(default_factory=dict)
    """contract column → source column"""
    types: dict[str, str] = field(default_factory=dict)
    """source column → DuckDB type, for source columns that expressions or filters compute with"""
    checked_types: tuple[str, ...] = ()
    """the typed source columns whose bad values this entity quarantines: its own, not those it
    inherits from the entity it is built from (that entity's load reports them)"""
    date_formats: dict[str, str] = field(default_factory=dict)
    """contract column → strptime format"""
    expressions: dict[str, str] = field(default_factory=dict)
    """contract column → SQL expression over the source columns"""
    defaults: dict[str, object] = field(default_factory=dict)
    """contract column → constant where the source gives nothing"""
    filters: tuple[str, ...] = ()
    """SQL conditions over the source columns: only rows meeting all of them are read"""
    unique_by: tuple[str, ...] = ()
    """contract columns: one row per distinct value, the first in the source (a built entity)"""
    built_from: str | None = None

    @property
    def fingerprint(self) -> str:
        """Changes whenever the mapping of this entity changes, so its files load anew."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    def source_checks(self) -> list[tuple[str, str, str, str]]:
        """(column in the mapped query, source column, rule, expectation) for every typed source
        column: a value that does not fit its declared type is quarantined under its own name."""
        return [
            (f"_bad_{index}", source, _type_rule(self.types[source]),
             f"{source} must be a {self.types[source]} (mapping: types)")
            for index, source in enumerate(self.checked_types)
        ]

    def reader_sql(self, path: Path) -> str:
        """The file's rows as the export has them: text, with `_source_row`."""
        return read_file_sql(
            path, header=self.header, encoding=self.encoding, delimiter=self.delimiter
        )

    def typed_sql(self, path: Path) -> str:
        """The file's rows with the `types` applied and `_bad_<n>` for values that do not fit."""
        if not self.types:
            return f"SELECT * FROM ({self.reader_sql(path)})"
        def text(source: str) -> str:
            return f"trim(CAST({quote_identifier(source)} AS VARCHAR))"

        def cast(source: str) -> str:
            return f"TRY_CAST({text(source)} AS {self.types[source]})"

        def does_not_fit(source: str) -> str:
            unfit = f"{cast(source)} IS NULL"
            if self.types[source].upper().startswith(("DECIMAL", "NUMERIC")):
                unfit += f" OR {rounded_by_cast(text(source), cast(source))}"
            return f"{text(source)} <> '' AND ({unfit})"

        replaced = [f"{cast(source)} AS {quote_identifier(source)}" for source in self.types]
        bad = [
            f", CASE WHEN {does_not_fit(source)} THEN {text(source)} END AS _bad_{index}"
            for index, source in enumerate(self.checked_types)
        ]
        return (
            f"SELECT * REPLACE ({', '.join(replaced)}){''.join(bad)} "
            f"FROM ({self.reader_sql(path)})"
        )

    def column_sql(self, name: str) -> str | None:
        """The contract column as text computed from a typed source row, or None if unmapped."""
        if name in self.expressions:
            value = f"({self.expressions[name]})"
        elif name in self.columns:
            value = quote_identifier(self.columns[name])
        else:
            value = None
        if value is not None and name in self.date_formats:
            text = f"trim(CAST({value} AS VARCHAR))"
            # An unparseable date keeps its text, so the load rules quarantine it with its value.
            value = (
                f"coalesce(strftime(try_strptime({text}, {_literal(self.date_formats[name])}), "
                f"'%Y-%m-%d'), {text})"
            )
        if name in self.defaults:
            default = _literal(self.defaults[name])
            value = f"coalesce(nullif(trim(CAST({value} AS VARCHAR)), ''), {default})" if value else default
        return None if value is None else f"CAST({value} AS VARCHAR)"

    def relation_sql(self, path: Path) -> str:
        """The file's rows as the contract's columns (text), the source row numbers in
        `_source_row` and, for typed source columns, `_bad_<n>` holding values that do not fit."""
        entity = ENTITIES[self.entity]
        selected = [
            f"{sql} AS {column.name}"
            for column in entity.columns
            if (sql := self.column_sql(column.name)) is not None
        ]
        selected += [f"_bad_{index}" for index in range(len(self.checked_types))]
        where = " AND ".join(f"({condition})" for condition in self.filters) or "true"
        mapped = f"SELECT {', '.join(selected)}, _source_row FROM ({self.typed_sql(path)}) WHERE {where}"
        if not self.unique_by:
            return mapped
        keys = ", ".join(self.unique_by)
        return (
            f"SELECT * FROM ({mapped}) "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY _source_row) = 1"
        )

    def filtered_rows_sql(self, path: Path) -> str | None:
        """How many of the file's rows the filters leave out (None for a built entity, whose rows
        are distinct values rather than the file's rows)."""
        if self.unique_by:
            return None
        where = " AND ".join(f"({condition})" for condition in self.filters)
        if not where:
            return None
        return f"SELECT count(*) FROM ({self.typed_sql(path)}) WHERE NOT coalesce({where}, false)"


def _type_rule(duckdb_type: str) -> str:
    upper = duckdb_type.upper()
    if upper.startswith(("DATE", "TIMESTAMP")):
        return "unparseable_date"
    if upper in {"INTEGER", "BIGINT", "SMALLINT", "INT", "HUGEINT"}:
        return "not_an_integer"
    return "not_a_number"


@dataclass(frozen=True)
class SourceMapping:
    """A whole mapping file: the entities it feeds."""

    path: Path
    entities: dict[str, EntityMapping]
    currency: str | None = None
    """ISO code of the currency the export's amounts are in; overrides KAM_CURRENCY."""

    def files(self, source_dir: Path, entity: str) -> list[Path]:
        """Every path the globs feeding `entity` match, in name order (none when it is not
        mapped). Folders, hidden files and links are among them: discovery
        (`loading.ingest.discover_landing_files`) decides what loads."""
        mapping = self.entities.get(entity)
        if mapping is None:
            return []
        found: set[Path] = set()
        for pattern in mapping.files:
            found.update(source_dir.glob(pattern))
        return sorted(found)

    def check_against(self, conn: duckdb.DuckDBPyConnection, entity: str, path: Path) -> None:
        """Bind every piece of the entity's mapping against the file's header, so an unknown
        column or a bad expression is reported under its own key, not as a failed load."""
        mapping = self.entities[entity]
        if mapping.built_from:
            # Built entities load first (orders are checked against them), so a mistake in the
            # entity they are built from is reported under its own key, before theirs.
            self.check_against(conn, mapping.built_from, path)
        prefix = f"entities.{entity}"
        reader = mapping.reader_sql(path)
        try:
            found = [c[0] for c in conn.execute(f"SELECT * FROM ({reader}) LIMIT 0").description]
        except duckdb.Error as exc:
            raise MappingError(self.path, prefix, f"cannot read {path.name}: {_first_line(exc)}") from exc
        available = [name for name in found if name != "_source_row"]
        references = [("columns", c, source) for c, source in mapping.columns.items()]
        references += [("types", source, source) for source in mapping.types]
        for key, name, source in references:
            if source not in available:
                raise MappingError(
                    self.path, f"{prefix}.{key}.{name}",
                    f"no column '{source}' in {path.name} (its columns: {', '.join(available)})",
                )
        for source, duckdb_type in mapping.types.items():
            try:
                conn.execute(f"SELECT CAST(NULL AS {duckdb_type})").fetchall()
            except duckdb.Error as exc:
                raise MappingError(self.path, f"{prefix}.types.{source}", _first_line(exc)) from exc
        typed = mapping.typed_sql(path)
        for key, name, sql in [
            *(("expressions", c, f"({e})") for c, e in mapping.expressions.items()),
            *((f"filters[{i}]", None, f"({f})") for i, f in enumerate(mapping.filters)),
        ]:
            where = f"{prefix}.{key}" + (f".{name}" if name else "")
            try:
                conn.execute(f"SELECT {sql} FROM ({typed}) LIMIT 0").fetchall()
            except duckdb.Error as exc:
                raise MappingError(self.path, where, _first_line(exc)) from exc
        try:
            conn.execute(f"SELECT * FROM ({mapping.relation_sql(path)}) LIMIT 0").fetchall()
        except duckdb.Error as exc:
            raise MappingError(self.path, prefix, _first_line(exc)) from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _as_list(value, key: str, mapping_path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MappingError(mapping_path, key, "expected a text or a list of texts")


def _as_dict(value, key: str, mapping_path: Path) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MappingError(mapping_path, key, "expected a mapping of names to values")
    return {str(k): v for k, v in value.items()}


def _contract_columns(spec: dict, key: str, entity: Entity, mapping_path: Path) -> None:
    for name in spec:
        if name not in entity.column_names:
            raise MappingError(
                mapping_path, f"{key}.{name}",
                f"'{name}' is not a column of {entity.name} (its columns: "
                f"{', '.join(entity.column_names)})",
            )


def _parse_entity(name: str, spec, parsed: dict, mapping_path: Path) -> EntityMapping:
    key = f"entities.{name}"
    if name not in ENTITIES:
        raise MappingError(mapping_path, key, f"unknown entity (the contract's: {', '.join(ENTITIES)})")
    if not isinstance(spec, dict):
        raise MappingError(mapping_path, key, "expected a mapping with files and columns")
    unknown = sorted(set(spec) - ENTITY_KEYS)
    if unknown:
        raise MappingError(
            mapping_path, f"{key}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(ENTITY_KEYS))})"
        )
    entity = ENTITIES[name]
    parent = None
    if "from" in spec:
        parent_name = spec["from"]
        if parent_name not in parsed:
            raise MappingError(
                mapping_path, f"{key}.from",
                f"'{parent_name}' is not mapped above {name} in this file",
            )
        parent = parsed[parent_name]
        if "files" in spec:
            raise MappingError(mapping_path, f"{key}.files", "an entity built `from` another reads its files")
    elif "files" not in spec:
        raise MappingError(mapping_path, f"{key}.files", "which files feed this entity (a name or glob)")

    columns = {k: str(v) for k, v in _as_dict(spec.get("columns"), f"{key}.columns", mapping_path).items()}
    expressions = {k: str(v) for k, v in _as_dict(spec.get("expressions"), f"{key}.expressions", mapping_path).items()}
    defaults = _as_dict(spec.get("defaults"), f"{key}.defaults", mapping_path)
    date_formats = {}
    for column, pattern in _as_dict(spec.get("date_formats"), f"{key}.date_formats", mapping_path).items():
        try:
            date_formats[column] = strptime_format(str(pattern))
        except ValueError as exc:
            raise MappingError(mapping_path, f"{key}.date_formats.{column}", str(exc)) from None
    for part, values in (("columns", columns), ("expressions", expressions), ("defaults", defaults),
                         ("date_formats", date_formats)):
        _contract_columns(values, f"{key}.{part}", entity, mapping_path)
    for column in date_formats:
        if column not in columns and column not in expressions:
            raise MappingError(mapping_path, f"{key}.date_formats.{column}",
                               f"{column} is not mapped under columns or expressions")
    both = sorted(set(columns) & set(expressions))
    if both:
        raise MappingError(mapping_path, f"{key}.expressions.{both[0]}",
                           "mapped under columns too: give one of the two")
    missing = [c for c in entity.required_columns if c not in {*columns, *expressions, *defaults}]
    if missing:
        raise MappingError(
            mapping_path, f"{key}.columns",
            f"required column(s) {', '.join(missing)} of {name} not mapped "
            "(under columns, expressions or defaults)",
        )
    types = {str(k): str(v) for k, v in _as_dict(spec.get("types"), f"{key}.types", mapping_path).items()}
    filters = _as_list(spec.get("filters", []), f"{key}.filters", mapping_path) if spec.get("filters") else ()
    unique_by = _as_list(spec["unique_by"], f"{key}.unique_by", mapping_path) if "unique_by" in spec else ()
    if parent is not None and not unique_by:
        # A built entity is the distinct values of its key: customer_id, product_id, ...
        unique_by = (entity.required_columns[0],)
    _contract_columns(dict.fromkeys(unique_by), f"{key}.unique_by", entity, mapping_path)

    encoding = str(spec.get("encoding", parent.encoding if parent else "utf-8")).lower()
    if encoding not in ENCODINGS:
        raise MappingError(mapping_path, f"{key}.encoding",
                           f"'{encoding}' is not supported (use one of: {', '.join(sorted(ENCODINGS))})")
    delimiter = spec.get("delimiter", parent.delimiter if parent else None)
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise MappingError(mapping_path, f"{key}.delimiter", "expected one character, e.g. ';'")
    header = spec.get("header", parent.header if parent else True)
    if not isinstance(header, bool):
        raise MappingError(mapping_path, f"{key}.header", "expected true or false")
    return EntityMapping(
        entity=name,
        files=parent.files if parent else _as_list(spec["files"], f"{key}.files", mapping_path),
        encoding=ENCODINGS[encoding],
        delimiter=delimiter,
        header=header,
        columns=columns,
        types={**(parent.types if parent else {}), **types},
        checked_types=tuple(types),
        date_formats=date_formats,
        expressions=expressions,
        defaults=defaults,
        filters=(*(parent.filters if parent else ()), *filters),
        unique_by=unique_by,
        built_from=parent.entity if parent else None,
    )


@functools.cache
def _load_cached(path: Path, modified: float) -> SourceMapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(path, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("entities"), dict):
        raise MappingError(path, "entities", "the mapping needs an `entities:` section")
    unknown = sorted(set(document) - {"entities", "description", "currency"})
    if unknown:
        raise MappingError(path, unknown[0], "unknown key (known: currency, description, entities)")
    currency = document.get("currency")
    if currency is not None and not re.fullmatch(r"[A-Za-z]{3}", str(currency)):
        raise MappingError(path, "currency", f"'{currency}' is not a three-letter code such as EUR or USD")
    parsed: dict[str, EntityMapping] = {}
    for name, spec in document["entities"].items():
        parsed[str(name)] = _parse_entity(str(name), spec, parsed, path)
    return SourceMapping(path=path, entities=parsed, currency=str(currency).upper() if currency else None)


def load_mapping(path: Path) -> SourceMapping:
    """Read and check a mapping file (re-read when it changes)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise MappingError(path, "(file)", "no such mapping file")
    return _load_cached(path, path.stat().st_mtime)

