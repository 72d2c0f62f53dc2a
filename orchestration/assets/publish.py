"""Publishing the finished working database to the readers."""

import dagster as dg

from orchestration.resources import WarehouseLayout
from orchestration.warehouse import publish

PUBLISHED_WAREHOUSE_KEY = dg.AssetKey("published_warehouse")


def build_publish_asset(upstream: list[dg.AssetsDefinition]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_WAREHOUSE_KEY,
        deps=upstream,
        group_name="publish",
        kinds={"duckdb"},
    )
    def published_warehouse(layout: WarehouseLayout) -> dg.MaterializeResult:
        """The warehouse that the dashboard and analysts read, replaced atomically only after every
        upstream asset and blocking check succeeded."""
        path = publish(layout.warehouse)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "size_bytes": path.stat().st_size,
            }
        )

    return published_warehouse
