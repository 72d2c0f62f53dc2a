"""Great Expectations checks on every raw table: a failed blocking rule stops everything downstream
(the dbt models, so the published warehouse stays as it was); warnings are reported and the run
goes on."""

from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from orchestration.assets.ingest import raw_asset_key
from orchestration.contract import ENTITIES
from orchestration.resources import WarehouseLayout

CHECK_NAME = "expectations"


def report_folder(layout: WarehouseLayout, run_id: str) -> Path:
    """Where a run's validation report goes: `<warehouse dir>/validation/<run id>/`."""
    return layout.warehouse.parent / "validation" / run_id


def build_raw_check(entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_asset_key(entity),
        name=CHECK_NAME,
        blocking=True,
        description=f"The `{entity}` expectation suites (docs/data-quality.md) on raw.{entity}.",
    )
    def expectations_check(
        context: dg.AssetCheckExecutionContext, duckdb: DuckDBResource, layout: WarehouseLayout
    ) -> dg.AssetCheckResult:
        # Great Expectations takes seconds to import: pay that when checks run, not whenever the
        # code location loads.
        from expectations.report import add_to_run_report
        from expectations.settings import QualitySettings
        from expectations.validate import validate_entity

        run_id = context.run.run_id
        with duckdb.get_connection() as conn:
            validation = validate_entity(conn, entity, QualitySettings(rules=layout.rule_settings))
        report = add_to_run_report(
            validation, report_folder(layout, run_id), f"Data quality, run {run_id}"
        )
        context.log.info(f"Validation report: {report}")
        return check_result(validation, report)

    return expectations_check


def build_raw_checks() -> list[dg.AssetChecksDefinition]:
    """One blocking check per raw entity."""
    return [build_raw_check(name) for name in ENTITIES]


def check_result(validation, report: Path) -> dg.AssetCheckResult:
    """Failed when any rule failed: with ERROR severity (which blocks) if a blocking rule did."""
    failed = validation.blocking_failures + validation.warnings
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR
        if validation.blocking_failures
        else dg.AssetCheckSeverity.WARN,
        description="; ".join(f"{o.rule} ({o.severity}): {o.observed}" for o in failed) or None,
        metadata={
            "report": dg.MetadataValue.path(str(report)),
            "failed_rules": dg.MetadataValue.json(
                {
                    o.rule: {
                        "severity": o.severity,
                        "observed": o.observed,
                        "unexpected_count": o.unexpected_count,
                        "sample": o.samples,
                    }
                    for o in failed
                }
            ),
            "rules_checked": len(validation.outcomes),
            "rows": validation.rows,
            "seconds": round(validation.seconds, 2),
        },
    )
