"""The dbt models' unit tests (the `unit_tests` beside each model): the runs leave them out, as
dbt advises for production builds, so the suite runs them, on a copy of the demo's working
database where every model they read exists."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from orchestration.warehouse import DBT_PROJECT_DIR, work_path


def test_every_unit_test_of_the_models_passes(demo_warehouse, tmp_path):
    database = tmp_path / "unit.duckdb"
    shutil.copyfile(work_path(demo_warehouse), database)

    completed = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"), "test", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
            "--select", "resource_type:unit_test",
            "--vars", json.dumps({"warehouse_path": str(database)}),
        ],
        capture_output=True, text=True, check=False,
    )

    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())["results"]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    declared = json.loads((tmp_path / "target" / "manifest.json").read_text())["unit_tests"]
    assert len(unit_tests) == len(declared) >= 20
    assert {r["status"] for r in unit_tests} == {"pass"}
