"""Shared fixtures: one small generated landing folder and one warehouse built from it, per session."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from streamlit import config as streamlit_config

from demo.generator import generate
from orchestration.runner import run_pipeline
from tests.support import processes_marked

# As `kam dashboard` runs the app (see kam/cli.py): without magic, so AppTest compiles
# the pages without ast.parse, which Python 3.11.7 can fail on while another thread parses.
streamlit_config.set_option("runner.magicEnabled", False)

DEMO_CUSTOMERS = 1000
DEMO_LINES = 100_000

# Every process the suite starts inherits this mark, so one left running is found by its
# environment even after it lost its parent (an orphaned server belongs to init, not to pytest).
SUITE_MARK = "KAM_TEST_SUITE"


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the main process; xdist workers inherit the mark
        os.environ[SUITE_MARK] = str(os.getpid())


def processes_left_by_the_suite() -> list[str]:
    """`pid: command line` of every live process carrying this suite's mark, but this one."""
    return [
        str(process)
        for process in processes_marked(f"{SUITE_MARK}={os.environ[SUITE_MARK]}")
        if process.pid != os.getpid()
        # Python's own helper of this process (Dagster starts it): it ends with pytest.
        and not (process.parent == os.getpid() and "multiprocessing.resource_tracker" in process.command)
    ]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After the whole suite (the main process, once the workers are gone), no process it started
    may still run: a server or a run left behind keeps ports, files and CPU."""
    if hasattr(session.config, "workerinput") or not Path("/proc").is_dir():
        return
    deadline = time.monotonic() + 20
    while (left := processes_left_by_the_suite()) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line("Processes the test suite started are still running:", red=True)
        for process in left:
            reporter.write_line(f"  {process}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated landing folder (read-only for tests: copy it before changing files)."""
    root = tmp_path_factory.mktemp("demo")
    generate(root / "landing", customers=DEMO_CUSTOMERS, lines=DEMO_LINES, seed=11)
    return root / "landing"


@pytest.fixture(scope="session")
def demo_truth(demo_landing: Path) -> Path:
    """The generator's ground truth for `demo_landing`: customer_id, archetype."""
    return demo_landing.parent / "ground_truth" / "customer_archetypes.csv"


@pytest.fixture(scope="session")
def demo_warehouse(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published warehouse built from `demo_landing` by the refresh job."""
    warehouse = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    outcome = run_pipeline(demo_landing, warehouse)
    assert outcome.success, outcome.error
    return warehouse


@pytest.fixture
def landing_copy(demo_landing: Path, tmp_path: Path) -> Path:
    """A private copy of the demo landing folder that a test may change."""
    target = tmp_path / "landing"
    shutil.copytree(demo_landing, target)
    return target
