"""One asset per input entity: landing files → `raw.<entity>` in the working database."""

import dagster as dg

from loading.contract import ENTITIES, Entity
from loading.ingest import LOADED_BEFORE, load_entity
from orchestration.resources import WarehouseLayout, WorkingDatabase


def raw_asset_key(entity_name: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", entity_name])


def build_ingest_asset(entity: Entity) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(entity.name),
        deps=[raw_asset_key(name) for name in LOADED_BEFORE.get(entity.name, ())],
        group_name="ingest",
        kinds={"duckdb"},
        description=f"Landing files of `{entity.name}` loaded into raw.{entity.name}. "
        f"{entity.description}",
    )
    def ingest(
        context: dg.AssetExecutionContext,
        working_database: WorkingDatabase,
        layout: WarehouseLayout,
    ):
        with working_database.get_connection() as conn:
            result = load_entity(
                conn, layout.landing, entity.name, layout.rule_settings, layout.mapping
            )
        if result.rows_quarantined:
            context.log.warning(
                f"{result.rows_quarantined:,} row(s) of '{entity.name}' quarantined "
                f"({', '.join(f'{rule}: {n:,}' for rule, n in result.quarantined_by_rule.items())}); "
                "see meta.quarantine."
            )
        if result.files_removed:
            context.log.warning(
                f"{len(result.files_removed)} file(s) of '{entity.name}' no longer among its "
                f"landing files, their {result.rows_removed:,} row(s) taken out of "
                f"raw.{entity.name}: "
                f"{', '.join(result.files_removed)} (see meta.load_ledger_history)."
            )
        for ignored in result.files_ignored:
            context.log.warning(f"Landing entry ignored: {ignored}")
        if result.files_seen == 0:
            context.log.warning(
                f"No landing files for optional input '{entity.name}': metrics that need it "
                "will be null with a reason."
            )
        return dg.MaterializeResult(
            metadata={
                "files_seen": result.files_seen,
                "files_loaded": dg.MetadataValue.json(result.files_loaded),
                "files_replaced": dg.MetadataValue.json(result.files_replaced),
                "files_unchanged": dg.MetadataValue.json(result.files_unchanged),
                "files_removed": dg.MetadataValue.json(result.files_removed),
                "files_ignored": dg.MetadataValue.json(result.files_ignored),
                "rows_loaded": result.rows_loaded,
                "rows_removed": result.rows_removed,
                "rows_filtered": result.rows_filtered,
                "rows_quarantined": result.rows_quarantined,
                "quarantined_by_rule": dg.MetadataValue.json(result.quarantined_by_rule),
                "dagster/row_count": result.rows_in_table,
            }
        )

    return ingest


def build_ingest_assets() -> list[dg.AssetsDefinition]:
    return [build_ingest_asset(entity) for entity in ENTITIES.values()]
