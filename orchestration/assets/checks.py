"""Great Expectations checks on every raw table (the review decisions' too): a failed blocking rule
stops everything downstream (the dbt models, so the published warehouse stays as it was); warnings
are reported and the run goes on."""

from pathlib import Path

import dagster as dg

from loading.decisions import REVIEW_DECISIONS, decisions_path
from loading.ingest import RAW_ENTITIES
from orchestration.assets.ingest import raw_asset_key
from orchestration.build_plan import INCREMENTAL_ENTITY, plan_build
from orchestration.changes import build_fingerprint
from orchestration.resources import WarehouseLayout, WorkingDatabase

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
        context: dg.AssetCheckExecutionContext,
        working_database: WorkingDatabase,
        layout: WarehouseLayout,
    ) -> dg.AssetCheckResult:
        # Great Expectations takes seconds to import: pay that when checks run, not whenever the
        # code location loads.
        from expectations.report import add_to_run_report
        from expectations.settings import QualitySettings
        from expectations.validate import validate_entity

        run_id = context.run.run_id
        with working_database.get_connection() as conn:
            validation = validate_entity(
                conn, entity, QualitySettings(rules=layout.rule_settings),
                source_files=files_not_validated(conn, entity, layout),
            )
        report = add_to_run_report(
            validation, report_folder(layout, run_id), f"Data quality, run {run_id}"
        )
        context.log.info(f"Validation report: {report}")
        store = decisions_path(layout.warehouse) if entity == REVIEW_DECISIONS.name else None
        return check_result(validation, report, layout.landing, store)

    return expectations_check


def files_not_validated(conn, entity: str, layout: WarehouseLayout) -> list[str] | None:
    """The landing files of orders whose rows the row rules must check: those the models were not
    built from yet. Files a successful build was made from passed these very rules (a failed
    blocking check stops the build, and the rules are part of the build's fingerprint), and the
    row rules of orders look no further than a row's own file. None, for every row: another
    entity, or a build plan that rebuilds everything."""
    if entity != INCREMENTAL_ENTITY:
        return None
    plan = plan_build(
        conn, build_fingerprint(layout.rule_settings, layout.mapping), full_refresh=False
    )
    return None if plan.full_refresh else plan.order_batch_files


def build_raw_checks() -> list[dg.AssetChecksDefinition]:
    """One blocking check per raw table."""
    return [build_raw_check(name) for name in RAW_ENTITIES]


def check_result(
    validation, report: Path, landing: Path | None = None, store: Path | None = None
) -> dg.AssetCheckResult:
    """Failed when any rule failed: with ERROR severity (which blocks) if a blocking rule did.

    The description is the failure explained for a person (`failure_text`); a runner prints it
    from the check evaluation (`AssetCheckEvaluation.description`)."""
    from expectations.validate import rule_label

    failed = validation.blocking_failures + validation.warnings
    return dg.AssetCheckResult(
        passed=not failed,
        severity=dg.AssetCheckSeverity.ERROR
        if validation.blocking_failures
        else dg.AssetCheckSeverity.WARN,
        description=failure_text(validation, report, landing, store),
        metadata={
            "report": dg.MetadataValue.path(str(report)),
            "failed_rules": dg.MetadataValue.json(
                {
                    rule_label(o, validation): {
                        "column": o.column,
                        "severity": o.severity,
                        "observed": o.observed,
                        "expected": o.expected,
                        "unexpected_count": o.unexpected_count,
                        "files": o.files,
                        "sample": o.samples,
                    }
                    for o in failed
                }
            ),
            "rules_checked": len(validation.outcomes),
            "rows": validation.rows,
            "row_rules_on": (
                "every row" if validation.source_files is None
                else f"the rows of {len(validation.source_files):,} new landing file(s)"
            ),
            "seconds": round(validation.seconds, 2),
        },
    )


def failure_text(
    validation, report: Path, landing: Path | None = None, store: Path | None = None
) -> str | None:
    """What failed, in words a data engineer can act on: per failed rule the entity, the rule, the
    observed figure against its threshold and the landing files behind it (for the review
    decisions, the decisions `store`); then what to do and where the full report is. None when
    every rule passed."""
    from expectations.validate import offending_files_text, rule_label

    failed = validation.blocking_failures + validation.warnings
    if not failed:
        return None
    entity = validation.entity
    blocking, warnings = len(validation.blocking_failures), len(validation.warnings)
    counts = [
        f"{n} {kind} rule{'s' if n > 1 else ''}"
        for n, kind in ((blocking, "blocking"), (warnings, "warning"))
        if n
    ]
    lines = [f"raw/{entity}: {' and '.join(counts)} of the {entity} expectations failed."]
    culprits: list[str] = []
    for outcome in failed:
        lines.append(
            f"- {rule_label(outcome, validation)} ({outcome.severity}) on {entity}: observed "
            f"{outcome.observed}; "
            f"expected {outcome.expected or outcome.description}."
        )
        if outcome.description:
            lines.append(f"  Rule: {outcome.description}")
        if outcome.files:
            lines.append(f"  {offending_files_text(outcome)}")
            if outcome.severity == "blocking" and outcome.files[0]["file"] not in culprits:
                culprits.append(outcome.files[0]["file"])
    folder = f"the landing folder {landing}" if landing else "the landing folder"
    if not blocking:
        lines.append("Warnings only: reported, the run goes on.")
    elif entity == REVIEW_DECISIONS.name:
        lines.append(
            f"Nothing downstream of raw/{entity} runs; the published warehouse stays as it "
            f"was. To do: the decisions named above (_source_row is their decision_id) were "
            f"written to the decisions store {store or 'beside the warehouse'} other than by "
            "the dashboard, which refuses such values; correct or delete them there with "
            f"sqlite3 (drop the triggers {entity}_no_update and {entity}_no_delete first, which "
            "keep the store append-only; the next decision recorded restores them), then run "
            "again."
        )
    elif culprits:
        likeliest = " and ".join(culprits)
        lines.append(
            f"Nothing downstream of raw/{entity} runs; the published warehouse stays as it "
            f"was. To do: fix the file(s) named above in {folder}, or remove the one that does "
            f"not belong (likeliest: {likeliest}, with the largest share of offending rows), "
            "then run again."
        )
    else:
        lines.append(
            f"Nothing downstream of raw/{entity} runs; the published warehouse stays as it "
            f"was. To do: fix the {entity} files in {folder} (the report lists the offending "
            "rows), then run again."
        )
    lines.append(f"Full report: {report}")
    return "\n".join(lines)
