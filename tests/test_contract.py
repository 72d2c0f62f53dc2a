"""The input contract is stated once in code; the dbt sources and the docs must say the same."""

from __future__ import annotations

from pathlib import Path

import yaml

from loading.contract import ENTITIES, REQUIRED_ENTITIES
from loading.ingest import RAW_ENTITIES

ROOT = Path(__file__).resolve().parents[1]


def test_required_entities_are_orders_and_customers():
    assert REQUIRED_ENTITIES == ["orders", "customers"]


def test_dbt_sources_declare_every_contract_column_with_its_type():
    sources = yaml.safe_load((ROOT / "dbt_project/models/staging/_sources.yml").read_text())
    tables = {table["name"]: table for table in sources["sources"][0]["tables"]}

    # The landing entities and the review decisions (loading/decisions.py).
    assert set(tables) == set(RAW_ENTITIES)
    for name, entity in RAW_ENTITIES.items():
        declared = {
            column["name"]: column["data_type"]
            for column in tables[name]["columns"]
            if not column["name"].startswith("_")
        }
        assert declared == {c.name: c.duckdb_type.lower() for c in entity.columns}, name


def test_the_contract_document_lists_every_column_and_marks_the_required_ones():
    text = (ROOT / "docs/input-contract.md").read_text()
    for entity in ENTITIES.values():
        assert f"## `{entity.name}`" in text
        for column in entity.columns:
            cell = f"**{column.name}**" if column.required else column.name
            assert f"| {cell} | `{column.duckdb_type}` |" in text, (entity.name, column.name)
