"""The dbt project's models, seeds and tests as Dagster assets and asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from pydantic import Field

from orchestration.assets.ingest import raw_asset_key
from orchestration.build_plan import plan_build, record_models_built_from
from orchestration.changes import build_fingerprint, record_build_inputs
from orchestration.resources import DbtBuildResource, WarehouseLayout, WorkingDatabase, dbt_project
from orchestration.warehouse import dbt_target_path


class KamDbtTranslator(DagsterDbtTranslator):
    """dbt sources are the ingest assets; models are keyed and grouped by their layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return raw_asset_key(dbt_resource_props["name"])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


DBT_ASSETS_NAME = "kam_dbt_models"


class DbtBuildConfig(dg.Config):
    full_refresh: bool = Field(
        default=False,
        description="Build the incremental models from every order line, whatever changed.",
    )


def build_dbt_assets() -> dg.AssetsDefinition:
    project = dbt_project()

    @dbt_assets(
        name=DBT_ASSETS_NAME,
        manifest=project.manifest_path,
        project=project,
        dagster_dbt_translator=KamDbtTranslator(),
    )
    def kam_dbt_models(
        context: dg.AssetExecutionContext,
        dbt: DbtBuildResource,
        layout: WarehouseLayout,
        working_database: WorkingDatabase,
        config: DbtBuildConfig,
    ):
        """`dbt build` against the working database: models, then their tests as asset checks.
        The order lines of new landing files are added to the models built before where nothing
        else changed (orchestration/build_plan.py); otherwise every model is built again."""
        fingerprint = build_fingerprint(layout.rule_settings, layout.mapping)
        with working_database.get_connection() as conn:
            record_build_inputs(conn, fingerprint)
            plan = plan_build(conn, fingerprint, full_refresh=config.full_refresh)
        context.log.info(plan.summary())
        dbt_vars = {
            "warehouse_path": str(layout.work_database),
            "currency": layout.rule_settings.currency,
        }
        # The run's log already holds dbt's lines; its own debug log would add 10 MB a run. Unit
        # tests check the models' SQL on fixed rows, not the data: they run with the test suite
        # (tests/test_dbt_unit_tests.py), as dbt advises, not in every production build.
        yield from dbt.cli(
            ["build", "--log-level-file", "none", "--exclude", "resource_type:unit_test",
             *(["--full-refresh"] if plan.full_refresh else []),
             "--vars", json.dumps(dbt_vars)],
            # The op's context, not the asset's: dagster-dbt reads the op's tags through
            # AssetExecutionContext.op, which Dagster deprecates; the events are the same.
            context=context.op_execution_context,
            target_path=dbt_target_path(layout.warehouse),
        ).stream()
        with working_database.get_connection() as conn:
            record_models_built_from(conn, fingerprint)

    return kam_dbt_models
