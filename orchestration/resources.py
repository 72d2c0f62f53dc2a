"""Every resource the code location uses, built in one place from two settings: where landing
files arrive and where the published warehouse lives."""

from __future__ import annotations

import contextlib
import functools
import importlib.metadata
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version
from pydantic import Field, PrivateAttr

from loading.ingest import settings_for
from loading.mapping import SourceMapping, load_mapping
from loading.rules import RuleSettings
from orchestration.warehouse import (
    DBT_PROJECT_DIR,
    DEFAULT_LOCK_WAIT_SECONDS,
    configured_lock_wait_seconds,
    work_path,
)
from orchestration.working_database import LockWait, open_working_database


class WarehouseLayout(dg.ConfigurableResource):
    """The landing folder and the published warehouse file; the writer's working copy sits beside it.

    With `mapping_path`, the landing folder is an export's folder read through that column
    mapping (docs/bring-your-own-data.md)."""

    landing_dir: str
    warehouse_path: str
    mapping_path: str | None = None

    @property
    def landing(self) -> Path:
        return Path(self.landing_dir)

    @property
    def warehouse(self) -> Path:
        return Path(self.warehouse_path)

    @property
    def work_database(self) -> Path:
        return work_path(self.warehouse)

    # Read once per resource instance (once per run): every step of a run then reads the landing
    # folder through the same mapping and checks it against the same bounds, even if the mapping
    # file or the environment changes while the run goes.
    _mapping: SourceMapping | None = PrivateAttr(default=None)
    _rule_settings: RuleSettings | None = PrivateAttr(default=None)

    @property
    def mapping(self) -> SourceMapping | None:
        if self._mapping is None and self.mapping_path:
            self._mapping = load_mapping(Path(self.mapping_path), self.landing)
        return self._mapping

    @property
    def rule_settings(self) -> RuleSettings:
        """The bounds every rule of this run checks against (KAM_* variables, the mapping's
        currency)."""
        if self._rule_settings is None:
            self._rule_settings = settings_for(self.mapping)
        return self._rule_settings


# The resource key the assets name the working database by; a run's progress log shows what this
# resource says (orchestration/runner.py).
WORKING_DATABASE = "working_database"


class WorkingDatabase(dg.ConfigurableResource):
    """The writer's working database: connections that wait while another process holds its lock
    and fail at once, in one line, when it cannot be opened (orchestration/working_database.py)."""

    path: str
    lock_wait_seconds: float = Field(
        default=DEFAULT_LOCK_WAIT_SECONDS,
        description="How long a run waits, in all, for other processes to release its lock.",
    )

    _lock_wait: LockWait = PrivateAttr()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Once per run: every step runs in one process (the in-process executor, definitions.py),
        # so the steps share this allowance.
        self._lock_wait = LockWait(self.lock_wait_seconds)

    @contextlib.contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        conn = open_working_database(
            Path(self.path), self._lock_wait, self.get_resource_context().log.warning
        )
        try:
            yield conn
        finally:
            conn.close()


class DbtBuildResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without the 7 s it spends before each dbt command starts.

    Before every command, `DbtCliResource.cli` runs `dbt --version` in a subprocess (to tell dbt
    Core from the Fusion engine) and builds a dbt adapter in this process (a profile, project and
    macro load), which only `fetch_column_metadata` and `fetch_row_counts` use. On a 2-core
    machine that is 3 s and 4 s of a demo run's dbt step, before dbt itself starts. The dbt that
    runs here is the installed dbt-core, so its version is the package's; the runs fetch neither
    column metadata nor row counts, so no adapter is needed (dagster-dbt accepts none).
    tests/test_orchestration.py fails if dagster-dbt stops calling these two."""

    @property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def _put_dbt_on_path() -> None:
    """dagster-dbt calls `dbt` by name; find it beside this interpreter when no virtualenv is
    activated (`.venv/bin/kam run` or `.venv/bin/kam dagster` straight from a shell)."""
    interpreter_bin = str(Path(sys.executable).parent)
    if shutil.which("dbt") is None and (Path(interpreter_bin) / "dbt").exists():
        os.environ["PATH"] = os.pathsep.join([interpreter_bin, os.environ.get("PATH", "")])


@functools.cache
def dbt_project() -> DbtProject:
    """The dbt project, its manifest parsed on first use (never committed).

    Under `dg dev` (`kam dagster`) the manifest is re-parsed at every load so model edits show
    at once.
    """
    _put_dbt_on_path()
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()
    if not project.manifest_path.exists():
        project.preparer.prepare(project)
    return project


def build_resources(
    landing_dir: Path, warehouse: Path, mapping: Path | None = None
) -> dict[str, object]:
    layout = WarehouseLayout(
        landing_dir=str(landing_dir),
        warehouse_path=str(warehouse),
        mapping_path=str(mapping) if mapping else None,
    )
    return {
        "layout": layout,
        WORKING_DATABASE: WorkingDatabase(
            path=str(layout.work_database), lock_wait_seconds=configured_lock_wait_seconds()
        ),
        "dbt": DbtBuildResource(
            project_dir=dbt_project(),
            profiles_dir=str(DBT_PROJECT_DIR),
        ),
    }
