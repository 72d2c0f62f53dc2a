"""One asset per input entity: landing files → `raw.<entity>` in the working database; and one
for the review decisions: the decisions store beside the published warehouse →
`raw.review_decisions`."""

import dagster as dg

from loading.contract import ENTITIES, Entity
from loading.decisions import REVIEW_DECISIONS, decisions_path
from loading.ingest import LOADED_BEFORE, load_entity, load_review_decisions
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


def build_review_decisions_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(REVIEW_DECISIONS.name),
        group_name="ingest",
        kinds={"duckdb", "sqlite"},
        description="Every decision of the key-account reviews, copied whole from the decisions "
        "store the dashboard writes beside the published warehouse "
        "(`<warehouse>.decisions.sqlite`, loading/decisions.py) into raw.review_decisions; "
        "empty until the first decision is recorded.",
    )
    def review_decisions(
        context: dg.AssetExecutionContext,
        working_database: WorkingDatabase,
        layout: WarehouseLayout,
    ):
        store = decisions_path(layout.warehouse)
        with working_database.get_connection() as conn:
            result = load_review_decisions(conn, store)
        if not result.store_found:
            context.log.info(f"No review decisions recorded yet ({store} does not exist).")
        return dg.MaterializeResult(
            metadata={
                "store": dg.MetadataValue.path(str(store)),
                "store_found": result.store_found,
                "decisions": result.rows_loaded,
                "digest": result.digest,
                "dagster/row_count": result.rows_loaded,
            }
        )

    return review_decisions


def build_ingest_assets() -> list[dg.AssetsDefinition]:
    """One asset per landing entity, then the review decisions'."""
    return [
        *(build_ingest_asset(entity) for entity in ENTITIES.values()),
        build_review_decisions_asset(),
    ]
