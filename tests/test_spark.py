"""The same dbt project on Spark (dbt-spark's session method, Java 17, local cores), built from the
demo warehouse's accepted rows and checked against DuckDB's answers: every model, seed and test
DuckDB builds is built and passes on Spark (but the run-by-run snapshot, which needs a table
format), and the key marts agree row for row: the same keys, text, dates and flags, amounts within a
cent, other figures within 1e-9."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orchestration.spark import SPARK_ENVIRONMENT, build_on_spark, compare_marts
from orchestration.warehouse import dbt_target_path

pytestmark = [
    pytest.mark.spark,
    pytest.mark.pipeline,
    pytest.mark.skipif(shutil.which("java") is None, reason="Java 17 is needed for Spark "
                       "(apt-get install -y openjdk-17-jre-headless)"),
    pytest.mark.skipif(not (SPARK_ENVIRONMENT / "bin" / "dbt").exists(),
                       reason="the Spark environment is not installed: make setup-spark"),
]
# Built on DuckDB only: a snapshot updates rows in place, which Spark does on a table format only.
DUCKDB_ONLY = {"key_account_scorecard_snapshot", "key_account_status_history"}


@pytest.fixture(scope="module")
def spark_build(demo_warehouse, tmp_path_factory) -> tuple[Path, int]:
    """The demo built on Spark with the demo warehouse's own settings, so the warehouse holds
    DuckDB's answers to compare with."""
    spark_dir = tmp_path_factory.mktemp("spark")
    return spark_dir, build_on_spark(demo_warehouse, spark_dir)


def built_nodes(target: Path) -> dict[str, str]:
    """Each model, seed, test and unit test a dbt build ran, by name, with its status."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    return {
        result["unique_id"]: result["status"] for result in results
        if result["unique_id"].split(".")[0] in ("model", "seed", "test", "unit_test", "snapshot")
    }


def depends_on_duckdb_only(unique_id: str, manifest: dict) -> bool:
    node = manifest["nodes"].get(unique_id) or manifest.get("unit_tests", {}).get(unique_id) or {}
    names = [unique_id.split(".")[2], *(parent.split(".")[-1] for parent in node.get("depends_on", {}).get("nodes", []))]
    return any(name in DUCKDB_ONLY for name in names) or any(name in unique_id for name in DUCKDB_ONLY)


def test_spark_builds_every_model_seed_and_test_that_duckdb_builds(spark_build, demo_warehouse):
    spark_dir, exit_code = spark_build
    assert exit_code == 0, (spark_dir / "dbt-logs" / "dbt.log").read_text()[-4000:]

    on_spark = built_nodes(spark_dir / "dbt-target")
    duckdb_target = dbt_target_path(demo_warehouse)
    manifest = json.loads((duckdb_target / "manifest.json").read_text())
    on_duckdb = {
        unique_id for unique_id, node in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items()
        if node["resource_type"] in ("model", "seed", "test", "unit_test", "snapshot")
        and node.get("config", {}).get("enabled", True)
    }
    assert {status for status in on_spark.values()} <= {"success", "pass"}
    left_out = on_duckdb - set(on_spark)
    assert left_out and all(depends_on_duckdb_only(unique_id, manifest) for unique_id in left_out), sorted(left_out)
    assert set(on_spark) <= on_duckdb
    assert len(on_spark) > 200


def test_spark_marts_agree_with_duckdb(spark_build, demo_warehouse):
    spark_dir, exit_code = spark_build
    assert exit_code == 0
    assert compare_marts(spark_dir, demo_warehouse) == []
