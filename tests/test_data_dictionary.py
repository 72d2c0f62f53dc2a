"""The analysts' door: the warehouse describes its own tables and columns (DuckDB comments from
the dbt YAML), the published file its marts and run records and the working database beside it
its raw tables, and `kam docs` serves the same descriptions as a browsable data dictionary,
offline, until a signal stops it (docs/data-dictionary.md)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import duckdb
import pytest
import yaml

from kam.cli import main
from loading.contract import ENTITIES
from loading.ingest import RAW_ENTITIES
from orchestration.warehouse import work_path
from tests.support import free_port, processes_marked

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "dbt_project" / "models"
META_TABLES = {
    "load_ledger", "load_ledger_history", "quarantine", "rejected_batches", "build_inputs",
    "models_built_from", "review_decisions_loaded",
}
# The schemas an analyst is pointed at: the marts and the loader's run records, published, and
# the raw tables, in the working database (`catalog` attaches both).
IN_PUBLIC_SCHEMAS = (
    "((database_name = 'published' AND schema_name IN ('marts', 'meta')) "
    "OR (database_name = 'working' AND schema_name = 'raw'))"
)


def _yaml_description(path: Path, kind: str, name: str) -> str:
    [entry] = [e for e in yaml.safe_load(path.read_text())[kind] if e["name"] == name]
    return entry["description"].strip()


def _source_tables(path: Path) -> dict[str, dict]:
    [source] = yaml.safe_load(path.read_text())["sources"]
    return {table["name"]: table for table in source["tables"]}


@pytest.fixture
def catalog(demo_warehouse):
    """The demo's published file and its working database, attached side by side."""
    with duckdb.connect() as conn:
        conn.execute(f"ATTACH '{demo_warehouse}' AS published (READ_ONLY)")
        conn.execute(f"ATTACH '{work_path(demo_warehouse)}' AS working (READ_ONLY)")
        yield conn


def test_every_public_table_of_the_warehouse_carries_its_description(catalog):
    tables = catalog.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() "
        f"WHERE {IN_PUBLIC_SCHEMAS} ORDER BY ALL"
    ).fetchall()
    missing = [f"{schema}.{table}" for schema, table, comment in tables if not (comment or "").strip()]

    assert {table for schema, table, _ in tables if schema == "meta"} == META_TABLES
    assert {table for schema, table, _ in tables if schema == "raw"} == set(RAW_ENTITIES)
    assert sum(schema == "marts" for schema, _, _ in tables) >= 20
    assert missing == [], f"{len(missing)} public table(s) without a comment: {missing}"


def test_every_column_of_the_public_tables_carries_its_description(catalog):
    columns = catalog.execute(
        "SELECT schema_name, table_name, column_name, comment FROM duckdb_columns() "
        f"WHERE {IN_PUBLIC_SCHEMAS} ORDER BY ALL"
    ).fetchall()
    missing = [
        f"{schema}.{table}.{column}"
        for schema, table, column, comment in columns
        if not (comment or "").strip()
    ]

    assert sum(schema == "marts" for schema, *_ in columns) >= 300
    assert missing == [], f"{len(missing)} public column(s) without a comment: {missing}"


def test_a_comment_is_the_description_written_in_the_yaml(catalog):
    def table_comment(schema: str, table: str) -> str:
        [(comment,)] = catalog.execute(
            f"SELECT comment FROM duckdb_tables() WHERE {IN_PUBLIC_SCHEMAS} "
            "AND schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
        return comment

    def column_comment(schema: str, table: str, column: str) -> str:
        [(comment,)] = catalog.execute(
            f"SELECT comment FROM duckdb_columns() WHERE {IN_PUBLIC_SCHEMAS} "
            "AND schema_name = ? AND table_name = ? AND column_name = ?",
            [schema, table, column],
        ).fetchall()
        return comment

    # A folded YAML description (`>`) ends in a newline; the comment does not.
    assert table_comment("marts", "customer_metrics") == _yaml_description(
        MODELS / "marts" / "customer_metrics.yml", "models", "customer_metrics"
    )
    assert table_comment("marts", "customer_metrics").startswith(
        "One row per customer, as of the reporting date:"
    )
    assert column_comment("marts", "customer_metrics", "customer_id") == "The customer."
    assert table_comment("meta", "quarantine") == (
        _source_tables(MODELS / "staging" / "_meta_sources.yml")["quarantine"]["description"].strip()
    )
    assert column_comment("meta", "quarantine", "rule").startswith("Name of the rule broken")
    assert table_comment("raw", "orders") == ENTITIES["orders"].description
    assert column_comment("raw", "orders", "_source_row") == "1-based data row in that file."


def test_the_raw_tables_are_described_as_the_input_contract_describes_them():
    """The contract's description of an entity (its Dagster asset, docs/input-contract.md) and the
    raw source's (its table comment, the data dictionary) are the same text."""
    tables = _source_tables(MODELS / "staging" / "_sources.yml")
    assert {name: table["description"] for name, table in tables.items()} == {
        name: entity.description for name, entity in RAW_ENTITIES.items()
    }
    undescribed = [
        f"{name}.{column['name']}"
        for name, table in tables.items()
        for column in table["columns"]
        if not column.get("description")
    ]
    assert undescribed == []


def test_docs_has_help_and_refuses_a_missing_warehouse(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["docs", "--help"])
    assert exit_info.value.code == 0
    assert "--port" in capsys.readouterr().out

    assert main(["docs", "--warehouse", str(tmp_path / "none.duckdb")]) == 1
    assert "run `kam run` first" in capsys.readouterr().err


def _kam_docs(warehouse: Path, port: int, mark: str) -> subprocess.Popen:
    name, value = mark.split("=")
    return subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "docs", "--warehouse", str(warehouse), "--port", str(port)],
        env={**os.environ, name: value},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return response.read()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_kam_docs_serves_the_dictionary_and_stops_on_a_signal(demo_warehouse):
    published = demo_warehouse.stat()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    mark = f"KAM_DOCS_UNDER_TEST={uuid.uuid4()}"
    server = _kam_docs(demo_warehouse, port, mark)
    try:
        # dbt generates the pages first (about half a minute); the port answers after.
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, f"kam docs exited: {server.communicate()}"
            try:
                index = _get(f"{url}/")
                break
            except OSError:
                assert time.monotonic() < deadline, "kam docs never served its pages"
                time.sleep(1)
        manifest = json.loads(_get(f"{url}/manifest.json"))
        catalog = json.loads(_get(f"{url}/catalog.json"))
        printed = server.stdout.readline()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            _, errors = server.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()
            pytest.fail("kam docs did not stop within 10 s of SIGTERM")

    assert b"dbt" in index
    assert f"http://localhost:{port}" in printed and "Ctrl+C to stop" in printed
    # Every public table is listed: the marts, the loader's records and the raw tables.
    assert manifest["nodes"]["model.kam.customer_metrics"]["description"].startswith("One row per customer")
    for table in META_TABLES:
        assert manifest["sources"][f"source.kam.meta.{table}"]["description"].strip()
    assert "source.kam.meta.quarantine" in catalog["sources"]
    assert "model.kam.customer_metrics" in catalog["nodes"]
    assert catalog["nodes"]["model.kam.customer_metrics"]["metadata"]["schema"] == "marts"
    assert catalog["sources"]["source.kam.raw.orders"]["columns"]["_source_row"]["comment"]
    # The pages load dbt's tracking script from a CDN only when the manifest says so.
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
    assert server.returncode == 0
    assert "Traceback" not in errors
    assert processes_marked(mark) == []
    # dbt worked on a copy: the published file is as it was.
    assert (demo_warehouse.stat().st_mtime_ns, demo_warehouse.stat().st_size) == (
        published.st_mtime_ns, published.st_size)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_a_signal_while_the_dictionary_is_generated_stops_dbt_too(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    mark = f"KAM_DOCS_UNDER_TEST={uuid.uuid4()}"
    server = _kam_docs(warehouse, free_port(), mark)
    deadline = time.monotonic() + 120
    while not any("docs generate" in process.command for process in processes_marked(mark)):
        assert server.poll() is None and time.monotonic() < deadline, "dbt never started"
        time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    _, errors = server.communicate(timeout=10)

    assert server.returncode == 0
    assert "Traceback" not in errors
    assert processes_marked(mark) == []


def test_a_port_in_use_is_said_at_once(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "kam.cli", "docs", "--warehouse", str(warehouse),
             "--port", str(port)],
            capture_output=True, text=True, timeout=60, check=False,
        )
    assert completed.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in completed.stderr
    assert "Traceback" not in completed.stderr
