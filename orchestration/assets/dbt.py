"""The dbt project's models, seeds and tests as Dagster assets and asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.assets.ingest import raw_asset_key
from orchestration.changes import build_fingerprint, record_build_inputs
from orchestration.resources import WarehouseLayout, WorkingDatabase, dbt_project
from orchestration.warehouse import dbt_target_path


class KamDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the ingest assets; models are keyed and grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["name"])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=KamDbtTranslator(),
    )
    def kam_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        layout: WarehouseLayout,
        working_database: WorkingDatabase,
    ):
        """`dbt build` against the working database: models, then their tests as asset checks."""
        with working_database.get_connection() as conn:
            record_build_inputs(conn, build_fingerprint(layout.rule_settings, layout.mapping))
        dbt_vars = {
            "warehouse_path": str(layout.work_database),
            "currency": layout.rule_settings.currency,
        }
        # The run's log already holds dbt's lines; its own debug log would add 10 MB a run. Unit
        # tests check the models' SQL on fixed rows, not the data: they run with the test suite
        # (tests/test_dbt_unit_tests.py), as dbt advises, not in every production build.
        yield from dbt.cli(
            ["build", "--log-level-file", "none", "--exclude", "resource_type:unit_test",
             "--vars", json.dumps(dbt_vars)],
            context=context,
            target_path=dbt_target_path(layout.warehouse),
        ).stream()

    return kam_dbt_models
