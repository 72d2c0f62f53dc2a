"""A definition is configuration: editing its weights in the seed changes the selection and the
recorded version, with no code change."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from orchestration.resources import DBT_PROJECT_DIR
from orchestration.warehouse import work_path


def scorecard(database: Path, definition: str) -> tuple[set[str], set[str]]:
    with duckdb.connect(str(database), read_only=True) as conn:
        rows = conn.execute(
            "select customer_id, definition_version from marts.key_account_scorecard "
            "where definition_name = ? and is_key_account_computed",
            [definition],
        ).fetchall()
    return {customer for customer, _ in rows}, {version for _, version in rows}


def reweight(seed: Path, definition: str, weights: dict[str, str]) -> None:
    with seed.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    fieldnames = list(rows[0])
    for row in rows:
        if row["definition_name"] == definition:
            row.update(weights)
    with seed.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)


def test_new_weights_in_the_seed_change_selection_and_version(demo_warehouse, tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    database = tmp_path / "work.duckdb"
    shutil.copyfile(work_path(demo_warehouse), database)
    selected_before, versions_before = scorecard(database, "balanced")
    big_ones_before = scorecard(database, "the_big_ones")

    # A sales director decides profit is all that matters under the default definition.
    reweight(
        project / "seeds" / "scorecard_definitions.csv",
        "balanced",
        {f"{name}_weight": "0" for name in (
            "revenue_size", "margin_quality", "loyalty", "growth", "wallet_headroom",
            "strategic_fit", "relationship_access",
        )} | {"profitability_weight": "1"},
    )
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [
            str(dbt), "build", "--quiet", "--select", "scorecard_definitions+",
            "--project-dir", str(project), "--profiles-dir", str(project),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--vars", json.dumps({"warehouse_path": str(database)}),
        ],
        check=True,
    )

    selected_after, versions_after = scorecard(database, "balanced")
    assert len(versions_before) == len(versions_after) == 1
    assert versions_after != versions_before
    assert selected_after != selected_before
    assert len(selected_after) == len(selected_before)
    with duckdb.connect(str(database), read_only=True) as conn:
        most_profitable = {
            row[0]
            for row in conn.execute(
                "select customer_id from marts.customer_metrics "
                "join marts.key_account_scorecard using (customer_id) "
                "where definition_name = 'balanced' and excluded_by_gate is null "
                "order by contribution_t12m desc, customer_id limit ?",
                [len(selected_after)],
            ).fetchall()
        }
    # Profit alone now decides among the customers balanced's gates let through: nearly the
    # whole list is the top earners among them.
    assert len(selected_after & most_profitable) >= 0.9 * len(selected_after)
    assert scorecard(database, "the_big_ones") == big_ones_before
