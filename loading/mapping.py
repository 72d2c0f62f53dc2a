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

import datetime
import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Annotated

import duckdb
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from loading.contract import ENTITIES, Entity
from loading.ingest import IngestError, read_file_sql
from loading.rules import SettingError, rounded_by_cast, settings_from_values

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
class Join:
    """Another file set joined to each row of an entity's files on keys: an order's header to
    its lines, a region table to the customers. Exactly one row of it must match each row."""

    files: tuple[str, ...]
    on: tuple[tuple[str, str], ...]
    """(column of the entity's file, column of the joined file) pairs"""
    prefix: str = ""
    """put before the joined file's column names, where they would clash with the entity's"""
    encoding: str = "utf-8"
    delimiter: str | None = None
    header: bool = True
    null_values: tuple[str, ...] = ()
    found: tuple[tuple[str, int, float], ...] = ()
    """(path relative to the source folder, size, modification time) of each file the globs
    match, once resolved against a source folder: a changed joined file changes the fingerprint,
    so the entity's files load anew"""
    columns: tuple[str, ...] = ()
    """the joined files' columns other than the keys, as the entity's rows see them (prefixed)"""
    source_dir: str = field(default="", compare=False)

    @property
    def key_columns(self) -> list[str]:
        """The joined files' key columns as `relation_sql` names them, in `on` order."""
        return [f"_join_key_{index}" for index in range(len(self.on))]

    def matched_sql(self) -> str:
        """The join condition between a row of the entity's file (`source`) and one of the joined
        files (`joined`, as `relation_sql` gives them)."""
        return " AND ".join(
            f"source.{quote_identifier(own)} = joined.{key}"
            for (own, _), key in zip(self.on, self.key_columns, strict=True)
        )

    def file_sql(self, path: Path) -> str:
        """One joined file's rows as the export has them, with `_source_row`."""
        return read_file_sql(
            path, header=self.header, encoding=self.encoding, delimiter=self.delimiter,
            null_values=self.null_values,
        )

    def relation_sql(self) -> str:
        """The joined files' rows: their keys as `key_columns`, their other columns prefixed."""
        if not self.found:
            raise RuntimeError("a join is read once resolved against a source folder")
        readers = " UNION ALL BY NAME ".join(
            f"SELECT * EXCLUDE (_source_row) FROM ({self.file_sql(Path(self.source_dir) / relative)})"
            for relative, _, _ in self.found
        )
        selected = [
            f"{quote_identifier(joined)} AS {key}"
            for (_, joined), key in zip(self.on, self.key_columns, strict=True)
        ]
        selected += [
            f"{quote_identifier(column[len(self.prefix):])} AS {quote_identifier(column)}"
            for column in self.columns
        ]
        return f"SELECT {', '.join(selected)} FROM ({readers})"


@dataclass(frozen=True)
class Unpivot:
    """Wide columns turned into rows: a plan's M01..M12 targets as one row per month."""

    columns: tuple[str, ...]
    """source column names, or patterns with * and ?"""
    name: str
    """the new source column holding the former column's name"""
    value: str
    """the new source column holding its value"""

    def columns_sql(self) -> str:
        patterns = "|".join(
            "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in column)
            for column in self.columns
        )
        return f"COLUMNS('^({patterns})$')"


@dataclass(frozen=True)
class EntityMapping:
    """How one contract entity is read from the source folder."""

    entity: str
    files: tuple[str, ...]
    encoding: str = "utf-8"
    delimiter: str | None = None
    header: bool = True
    null_values: tuple[str, ...] = ()
    """texts that mean "no value" in this export's files (e.g. NULL, N/A), besides an empty field"""
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
    joins: tuple[Join, ...] = ()
    unpivot: Unpivot | None = None

    @property
    def fingerprint(self) -> str:
        """Changes whenever the mapping of this entity changes, or a file it joins, so its files
        load anew (not where the source folder is: loaded files are known by relative path)."""
        described = asdict(self)
        for join in described["joins"]:
            join.pop("source_dir")
        return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()

    def source_checks(self) -> list[tuple[str, str, str, str]]:
        """(column in the mapped query, source column, rule, expectation) for every typed source
        column: a value that does not fit its declared type is quarantined under its own name."""
        return [
            (f"_bad_{index}", source, _type_rule(self.types[source]),
             f"{source} must be a {self.types[source]} (mapping: types)")
            for index, source in enumerate(self.checked_types)
        ]

    def file_sql(self, path: Path) -> str:
        """The file's own rows as the export has them: text, with `_source_row`."""
        return read_file_sql(
            path, header=self.header, encoding=self.encoding, delimiter=self.delimiter,
            null_values=self.null_values,
        )

    def reader_sql(self, path: Path) -> str:
        """The file's rows with each joined file's columns beside them and wide columns turned
        into rows (`unpivot`), `_source_row` still the file's own row."""
        sql = self.file_sql(path)
        for join in self.joins:
            sql = (
                f"SELECT source.*, joined.* EXCLUDE ({', '.join(join.key_columns)}) "
                f"FROM ({sql}) AS source LEFT JOIN ({join.relation_sql()}) AS joined "
                f"ON {join.matched_sql()}"
            )
        if self.unpivot:
            sql = (
                f"UNPIVOT ({sql}) ON {self.unpivot.columns_sql()} "
                f"INTO NAME {quote_identifier(self.unpivot.name)} VALUE {quote_identifier(self.unpivot.value)}"
            )
        return sql

    def join_problems_sql(self, path: Path, index: int) -> str:
        """One row about join `index` for this file: its rows before the join, after it, how many
        key values the joined files hold twice or more, and how many of the file's key values
        match none (up to five of each, as text)."""
        join = self.joins[index]
        keys = ", ".join(join.key_columns)
        as_text = " || ' / ' || ".join(f"CAST({key} AS VARCHAR)" for key in join.key_columns)
        own_as_text = " || ' / ' || ".join(f"CAST({quote_identifier(column)} AS VARCHAR)" for column, _ in join.on)
        matched = join.matched_sql()
        return f"""
            WITH source AS ({self.file_sql(path)}),
            joined AS ({join.relation_sql()}),
            repeated AS (SELECT {as_text} AS key FROM joined GROUP BY {keys} HAVING count(*) > 1),
            unmatched AS (
                SELECT DISTINCT {own_as_text} AS key FROM source
                WHERE {" AND ".join(f"{quote_identifier(column)} IS NOT NULL" for column, _ in join.on)}
                  AND NOT EXISTS (SELECT 1 FROM joined WHERE {matched})
            )
            SELECT
                (SELECT count(*) FROM source),
                (SELECT count(*) FROM source LEFT JOIN joined ON {matched}),
                (SELECT count(*) FROM repeated),
                (SELECT list(key ORDER BY key)[:5] FROM repeated),
                (SELECT count(*) FROM unmatched),
                (SELECT list(key ORDER BY key)[:5] FROM unmatched)
        """

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
    settings: dict[str, object] = field(default_factory=dict)
    """The rule settings this export needs (KAM_EARLIEST_ORDER_DATE, ...): they override the
    environment's, as `currency` does."""

    def for_source(self, source_dir: Path) -> SourceMapping:
        """This mapping with its joins resolved against an export folder: the files each join's
        globs match (a changed one changes the fingerprint) and the columns they bring."""
        if not any(entity.joins for entity in self.entities.values()):
            return self
        resolved: dict[str, EntityMapping] = {}
        for name, entity in self.entities.items():
            parent = resolved.get(entity.built_from) if entity.built_from else None
            joins = parent.joins if parent else tuple(
                self._resolved_join(source_dir, f"entities.{name}.join[{index}]", join)
                for index, join in enumerate(entity.joins)
            )
            resolved[name] = replace(entity, joins=joins)
        return replace(self, entities=resolved)

    def _resolved_join(self, source_dir: Path, key: str, join: Join) -> Join:
        paths = sorted({
            path for pattern in join.files for path in source_dir.glob(pattern)
            if path.is_file() and not path.name.startswith(".")
        })
        if not paths:
            raise MappingError(self.path, f"{key}.files",
                               f"no file in {source_dir} matches {', '.join(join.files)}")
        try:
            with duckdb.connect() as conn:
                found = [
                    c[0] for c in
                    conn.execute(f"SELECT * FROM ({join.file_sql(paths[0])}) LIMIT 0").description
                ]
        except duckdb.Error as exc:
            raise MappingError(self.path, key, f"cannot read {paths[0].name}: {_first_line(exc)}") from exc
        found.remove("_source_row")
        for own, joined in join.on:
            if joined not in found:
                raise MappingError(self.path, f"{key}.on.{own}",
                                   f"no column '{joined}' in {paths[0].name} (its columns: {', '.join(found)})")
        keys = {joined for _, joined in join.on}
        return replace(
            join,
            found=tuple(
                (path.relative_to(source_dir).as_posix(), stat.st_size, stat.st_mtime)
                for path, stat in ((path, path.stat()) for path in paths)
            ),
            columns=tuple(join.prefix + column for column in found if column not in keys),
            source_dir=str(source_dir),
        )

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
        try:
            own = [c[0] for c in conn.execute(f"SELECT * FROM ({mapping.file_sql(path)}) LIMIT 0").description]
        except duckdb.Error as exc:
            raise MappingError(self.path, prefix, f"cannot read {path.name}: {_first_line(exc)}") from exc
        for index, join in enumerate(mapping.joins):
            key = f"{prefix}.join[{index}]"
            for column, _ in join.on:
                if column not in own:
                    raise MappingError(self.path, f"{key}.on.{column}",
                                       f"no column '{column}' in {path.name} (its columns: "
                                       f"{', '.join(c for c in own if c != '_source_row')})")
            clashes = [column for column in join.columns if column in own]
            if clashes:
                raise MappingError(
                    self.path, f"{key}.prefix",
                    f"{', '.join(clashes)} in both {path.name} and {join.found[0][0]}: give the "
                    "joined file's columns a prefix (e.g. prefix: 'header ')",
                )
        reader = mapping.reader_sql(path)
        try:
            found = [c[0] for c in conn.execute(f"SELECT * FROM ({reader}) LIMIT 0").description]
        except duckdb.Error as exc:
            key = f"{prefix}.unpivot" if mapping.unpivot else prefix
            raise MappingError(self.path, key, f"cannot read {path.name}: {_first_line(exc)}") from exc
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


def _text(value):
    """A YAML scalar as the text the user wrote: `2017` and `2017-01-01` are read by YAML as a
    number and a date, but a column name or an expression is text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, datetime.date)):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return value


def _one_or_many(value):
    return [value] if isinstance(value, str) else value


def _texts_by_name(value):
    return {str(k): _text(v) for k, v in value.items()} if isinstance(value, dict) else value


Text = Annotated[str, BeforeValidator(_text)]
Texts = Annotated[list[Text], BeforeValidator(_one_or_many)]
TextsByName = Annotated[dict[str, Text], BeforeValidator(_texts_by_name)]
# A constant default or a setting: YAML reads `2017-01-01` as a date, which is kept as its ISO text.
Constant = Annotated[str | bool | int | float, BeforeValidator(_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, populate_by_name=True)


def _join_keys(value):
    """`on: Order ID` or `on: [Order ID, Line]`: the same name in both files; a mapping names the
    entity file's column then the joined file's."""
    if isinstance(value, (str, int)):
        value = [value]
    if isinstance(value, list):
        return {str(_text(name)): str(_text(name)) for name in value}
    return _texts_by_name(value)


class JoinSpec(_Strict):
    files: Texts

    @model_validator(mode="before")
    @classmethod
    def _on_read_as_yes(cls, value):
        # YAML 1.1, which PyYAML reads, takes an unquoted `on:` key for the boolean true.
        if isinstance(value, dict) and True in value:
            value = {("on" if k is True else k): v for k, v in value.items()}
        return value

    on: Annotated[dict[str, Text], BeforeValidator(_join_keys)]
    prefix: Text = ""
    encoding: Text | None = None
    delimiter: Text | None = None
    header: bool | None = None
    null_values: Texts = []


class UnpivotSpec(_Strict):
    columns: Texts
    name: Text
    value: Text


class EntitySpec(_Strict):
    """One entity of a mapping file, as written (docs/bring-your-own-data.md)."""

    files: Texts | None = None
    built_from: Text | None = Field(default=None, alias="from")
    encoding: Text | None = None
    delimiter: Text | None = None
    header: bool | None = None
    null_values: Texts = []
    columns: TextsByName = {}
    types: TextsByName = {}
    date_formats: TextsByName = {}
    expressions: TextsByName = {}
    defaults: Annotated[dict[str, Constant], BeforeValidator(_texts_by_name)] = {}
    filters: Texts = []
    unique_by: Texts = []
    join: Annotated[list[JoinSpec], BeforeValidator(lambda v: [v] if isinstance(v, dict) else v)] = []
    unpivot: UnpivotSpec | None = None


class MappingDocument(_Strict):
    """A whole mapping file, as written."""

    description: Text | None = None
    currency: Text | None = None
    settings: Annotated[dict[str, Constant], BeforeValidator(_texts_by_name)] = {}
    entities: dict[str, EntitySpec]


def _key_of(location: tuple) -> str:
    key = ""
    for part in location:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += ("." if key else "") + ("from" if part == "built_from" else str(part))
    return key


def _schema_error(path: Path, error: ValidationError) -> MappingError:
    """The first mistake pydantic found, under the key it is at, in the mapping's words."""
    first = error.errors()[0]
    location = tuple(part for part in first["loc"] if part not in {"function-before", "str", "bool", "int", "float"})
    key = _key_of(location) or "(file)"
    if first["type"] == "extra_forbidden":
        model = {1: MappingDocument, 3: EntitySpec}.get(len(location))
        if model is None:
            model = JoinSpec if "join" in location else UnpivotSpec
        known = sorted("from" if name == "built_from" else name for name in model.model_fields)
        return MappingError(path, key, f"unknown key (known: {', '.join(known)})")
    if first["type"] == "missing":
        return MappingError(path, key, "this key is required")
    given = first.get("input")
    if given is None and location[-2:-1] == ("null_values",):
        return MappingError(path, key, "YAML reads NULL, null and ~ unquoted as no text: quote it, 'NULL'")
    shown = f" (found {given!r})" if not isinstance(given, (dict, list)) else ""
    expected = _EXPECTED_BY_ERROR.get(first["type"].split("_")[0], first["msg"])
    return MappingError(path, key, f"{expected}{shown}")


# What a key of the wrong kind should hold, by pydantic's error type (its first word).
_EXPECTED_BY_ERROR = {
    "bool": "expected true or false",
    "dict": "expected a mapping of names to values",
    "list": "expected a text or a list of texts",
    "string": "expected a text",
    "model": "expected a mapping of keys to values",
}


def _contract_columns(spec: dict, key: str, entity: Entity, mapping_path: Path) -> None:
    for name in spec:
        if name not in entity.column_names:
            raise MappingError(
                mapping_path, f"{key}.{name}",
                f"'{name}' is not a column of {entity.name} (its columns: "
                f"{', '.join(entity.column_names)})",
            )


def _parse_entity(name: str, spec: EntitySpec, parsed: dict, mapping_path: Path) -> EntityMapping:
    key = f"entities.{name}"
    if name not in ENTITIES:
        raise MappingError(mapping_path, key, f"unknown entity (the contract's: {', '.join(ENTITIES)})")
    entity = ENTITIES[name]
    parent = None
    if spec.built_from is not None:
        if spec.built_from not in parsed:
            raise MappingError(
                mapping_path, f"{key}.from",
                f"'{spec.built_from}' is not mapped above {name} in this file",
            )
        parent = parsed[spec.built_from]
        if spec.files is not None:
            raise MappingError(mapping_path, f"{key}.files", "an entity built `from` another reads its files")
    elif not spec.files:
        raise MappingError(mapping_path, f"{key}.files", "which files feed this entity (a name or glob)")

    date_formats = {}
    for column, pattern in spec.date_formats.items():
        try:
            date_formats[column] = strptime_format(pattern)
        except ValueError as exc:
            raise MappingError(mapping_path, f"{key}.date_formats.{column}", str(exc)) from None
    for part, values in (("columns", spec.columns), ("expressions", spec.expressions),
                         ("defaults", spec.defaults), ("date_formats", date_formats)):
        _contract_columns(values, f"{key}.{part}", entity, mapping_path)
    for column in date_formats:
        if column not in spec.columns and column not in spec.expressions:
            raise MappingError(mapping_path, f"{key}.date_formats.{column}",
                               f"{column} is not mapped under columns or expressions")
    both = sorted(set(spec.columns) & set(spec.expressions))
    if both:
        raise MappingError(mapping_path, f"{key}.expressions.{both[0]}",
                           "mapped under columns too: give one of the two")
    mapped = {*spec.columns, *spec.expressions, *spec.defaults}
    missing = [c for c in entity.required_columns if c not in mapped]
    if missing:
        raise MappingError(
            mapping_path, f"{key}.columns",
            f"required column(s) {', '.join(missing)} of {name} not mapped "
            "(under columns, expressions or defaults)",
        )
    unique_by = tuple(spec.unique_by)
    if parent is not None and not unique_by:
        # A built entity is the distinct values of its key: customer_id, product_id, ...
        unique_by = (entity.required_columns[0],)
    _contract_columns(dict.fromkeys(unique_by), f"{key}.unique_by", entity, mapping_path)

    encoding = _encoding(spec.encoding or (parent.encoding if parent else "utf-8"), f"{key}.encoding", mapping_path)
    delimiter = _delimiter(
        spec.delimiter if spec.delimiter is not None else (parent.delimiter if parent else None),
        f"{key}.delimiter", mapping_path,
    )
    header = spec.header if spec.header is not None else (parent.header if parent else True)
    if parent is not None and (spec.join or spec.unpivot):
        raise MappingError(mapping_path, f"{key}.{'join' if spec.join else 'unpivot'}",
                           f"an entity built `from` another reads its files as {parent.entity} does")
    joins = parent.joins if parent else tuple(
        Join(
            files=tuple(join.files),
            on=tuple(join.on.items()),
            prefix=join.prefix,
            encoding=_encoding(join.encoding or encoding, f"{key}.join[{index}].encoding", mapping_path),
            delimiter=_delimiter(
                delimiter if join.delimiter is None else join.delimiter,
                f"{key}.join[{index}].delimiter", mapping_path,
            ),
            header=header if join.header is None else join.header,
            null_values=tuple(join.null_values) or tuple(spec.null_values),
        )
        for index, join in enumerate(spec.join)
    )
    unpivot = parent.unpivot if parent else (
        Unpivot(tuple(spec.unpivot.columns), spec.unpivot.name, spec.unpivot.value)
        if spec.unpivot else None
    )
    return EntityMapping(
        entity=name,
        files=parent.files if parent else tuple(spec.files),
        encoding=encoding,
        delimiter=delimiter,
        header=header,
        null_values=parent.null_values if parent else tuple(spec.null_values),
        columns=dict(spec.columns),
        types={**(parent.types if parent else {}), **spec.types},
        checked_types=tuple(spec.types),
        date_formats=date_formats,
        expressions=dict(spec.expressions),
        defaults=dict(spec.defaults),
        filters=(*(parent.filters if parent else ()), *spec.filters),
        unique_by=unique_by,
        built_from=parent.entity if parent else None,
        joins=joins,
        unpivot=unpivot,
    )


def _encoding(value: str, key: str, mapping_path: Path) -> str:
    if value.lower() not in ENCODINGS:
        raise MappingError(mapping_path, key,
                           f"'{value}' is not supported (use one of: {', '.join(sorted(ENCODINGS))})")
    return ENCODINGS[value.lower()]


def _delimiter(value: str | None, key: str, mapping_path: Path) -> str | None:
    if value is not None and len(value) != 1:
        raise MappingError(mapping_path, key, "expected one character, e.g. ';'")
    return value


@functools.cache
def _load_cached(path: Path, modified: float) -> SourceMapping:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise MappingError(path, "(file)", f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("entities"), dict):
        raise MappingError(path, "entities", "the mapping needs an `entities:` section")
    try:
        spec = MappingDocument.model_validate(document)
    except ValidationError as exc:
        raise _schema_error(path, exc) from None
    currency = None
    if spec.currency is not None:
        # The same rule as the KAM_CURRENCY setting's, reported under this file's key.
        try:
            currency = settings_from_values({"KAM_CURRENCY": spec.currency}, "the mapping")["currency"]
        except SettingError as exc:
            raise MappingError(path, "currency", exc.detail) from None
    try:
        settings_from_values(spec.settings, source="the mapping's settings")
    except SettingError as exc:
        raise MappingError(path, f"settings.{exc.name}", exc.detail) from None
    if currency is not None and "KAM_CURRENCY" in spec.settings:
        raise MappingError(path, "settings.KAM_CURRENCY", "the currency is given by `currency:` already")
    parsed: dict[str, EntityMapping] = {}
    for name, entity_spec in spec.entities.items():
        parsed[name] = _parse_entity(name, entity_spec, parsed, path)
    return SourceMapping(
        path=path, entities=parsed, currency=currency, settings=dict(spec.settings),
    )


def load_mapping(path: Path, source_dir: Path | None = None) -> SourceMapping:
    """Read and check a mapping file (re-read when it changes); with `source_dir`, its joins
    resolved against that export folder (SourceMapping.for_source)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise MappingError(path, "(file)", "no such mapping file")
    mapping = _load_cached(path, path.stat().st_mtime)
    return mapping.for_source(Path(source_dir)) if source_dir is not None else mapping

