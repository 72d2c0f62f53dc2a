"""Generated worlds that differ from the demo data, for judging the scorecard on data it was not
tuned to: shorter and longer histories, missing inputs, a longer tail, quarterly buyers. Each is
`kam generate` with options; the seed differs from the demo's (7) and the test data's (11).

A world's warehouse holds what the scorecard needs (the models behind the scorecard and the
customer metrics), built by dbt on the loaded landing files; the checks and the rest of the
pipeline are tested on the demo warehouse and need not run once per world."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from demo.generator import generate
from loading.contract import ENTITIES
from loading.ingest import load_entity
from orchestration.resources import DBT_PROJECT_DIR

WORLD_SEED = 23
WORLD_CUSTOMERS = 1000
WORLD_LINES = 60_000

WORLDS: dict[str, dict] = {
    "history_1_year": {"years": 1},
    "history_2_years": {"years": 2},
    "history_5_years": {"years": 5},
    "no_service_costs": {"without": ("service_costs",)},
    "no_assessments": {"without": ("account_assessments",)},
    "no_wallet_estimates": {"without": ("wallet_estimates",)},
    "long_tail_5x": {"long_tail_factor": 5, "lines": 3 * WORLD_LINES},
    "quarterly_buyers": {"order_rhythm": "quarterly"},
}


# The worlds whose quarter-end history is built and checked: the history's length is what decides
# how many quarter-ends there are (eight passes over the orders each, so not on every world).
HISTORY_WORLDS = ("history_1_year", "history_2_years", "history_5_years")


def build_world(name: str, root: Path) -> tuple[Path, Path]:
    """Generate world `name` under `root` and build its scorecard; returns (warehouse, truth)."""
    options = {"customers": WORLD_CUSTOMERS, "lines": WORLD_LINES, "seed": WORLD_SEED,
               **WORLDS[name]}
    summary = generate(root / "landing", **options)
    # Worlds built side by side (tests of one pytest worker share `root.parent`) are built at one
    # path with one target folder: dbt then parses the project once and reuses it (partial
    # parsing), where a new path in --vars would make it parse everything again (5 s a build).
    build_folder = root.parent / "world-build"
    build_folder.mkdir(exist_ok=True)
    building = build_folder / "world.duckdb"
    building.unlink(missing_ok=True)
    with duckdb.connect(str(building)) as conn:
        for entity in ENTITIES:
            load_entity(conn, summary.landing_dir, entity)
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [
            str(dbt), "build", "--quiet",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target-path", str(build_folder / "target"), "--log-path", str(root / "logs"),
            "--select", "+key_account_scorecard", "+customer_metrics", "+definition_backtest",
            *(["+portfolio_quarterly", "+portfolio_matrix", "+portfolio_matrix_forecast"]
              if name in HISTORY_WORLDS else []),
            "--exclude", "resource_type:test", "resource_type:unit_test",
            "--vars", json.dumps({"warehouse_path": str(building)}),
        ],
        check=True,
    )
    warehouse = root / "warehouse.duckdb"
    shutil.move(building, warehouse)
    return warehouse, summary.truth_path
