"""Shared fixtures: one small generated landing folder and one warehouse built from it, per session."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit import config as streamlit_config
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.media_file_storage import MediaFileKind
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from demo.generator import generate
from orchestration.runner import run_pipeline
from tests.support import CHROMIUM, MATERIALIZED_FILE, processes_marked

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


def _reads_the_demo_warehouse(item: pytest.Item) -> bool:
    return "demo_warehouse" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test reading the demo warehouse needs the pipeline run that builds it.

    Files run in this order (xdist hands them out so, with --no-loadscope-reorder): one file that
    reads the demo warehouse, so the first worker starts building it at once; then every file that
    does not, so the other workers have work while it builds instead of waiting for it; then the
    rest of the files that read it."""
    for item in items:
        if _reads_the_demo_warehouse(item):
            item.add_marker(pytest.mark.pipeline)
    files = list(dict.fromkeys(item.path for item in items))
    readers = {item.path for item in items if _reads_the_demo_warehouse(item)}
    first_reader = [path for path in files if path in readers][:1]
    order = [*first_reader, *(path for path in files if path not in readers),
             *(path for path in files if path in readers and path not in first_reader)]
    position = {path: index for index, path in enumerate(order)}
    items.sort(key=lambda item: position[item.path])


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


@contextlib.contextmanager
def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[Path, bool]]:
    """A folder shared by every xdist worker of this session, held under an exclusive lock, and
    whether it still needs building: the first worker builds it, the others wait and reuse it."""
    # Under xdist each worker's base folder sits in the session's; without it, the base folder is
    # the session's own (its parent holds earlier sessions).
    session_folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        session_folder = session_folder.parent
    shared = session_folder / name
    shared.mkdir(exist_ok=True)
    with (shared.parent / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / ".built"
        yield shared, not done.exists()
        done.touch()


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated landing folder (read-only for tests: copy it before changing files), generated
    once per session and shared by the workers."""
    with _built_once(tmp_path_factory, "demo") as (root, to_build):
        if to_build:
            generate(root / "landing", customers=DEMO_CUSTOMERS, lines=DEMO_LINES, seed=11)
    return root / "landing"


@pytest.fixture(scope="session")
def demo_truth(demo_landing: Path) -> Path:
    """The generator's ground truth for `demo_landing`: customer_id, archetype."""
    return demo_landing.parent / "ground_truth" / "customer_archetypes.csv"


@pytest.fixture(scope="session")
def demo_warehouse(demo_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published warehouse built from `demo_landing` by the refresh job, once per session:
    the whole pipeline is the suite's most expensive step."""
    with _built_once(tmp_path_factory, "warehouse") as (root, to_build):
        warehouse = root / "warehouse.duckdb"
        if to_build:
            outcome = run_pipeline(demo_landing, warehouse)
            assert outcome.success, outcome.error
            materialized = sorted(
                {e.asset_key.to_user_string() for e in outcome.result.get_asset_materialization_events()}
            )
            (root / MATERIALIZED_FILE).write_text(json.dumps(materialized))
    return warehouse


@pytest.fixture
def landing_copy(demo_landing: Path, tmp_path: Path) -> Path:
    """A private copy of the demo landing folder that a test may change."""
    target = tmp_path / "landing"
    shutil.copytree(demo_landing, target)
    return target


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def warehouse(demo_warehouse, monkeypatch):
    """The dashboard tests' warehouse: pages read the session's demo warehouse (KAM_WAREHOUSE), and
    the test queries it with `warehouse(sql, params)` to compare. Modules with a warehouse of their
    own (a path) define a `warehouse` fixture that replaces this one."""
    monkeypatch.setenv("KAM_WAREHOUSE", str(demo_warehouse))
    with duckdb.connect(str(demo_warehouse), read_only=True) as conn:
        yield lambda sql, params=(): conn.execute(sql, list(params)).df()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """Each file a download button offers in the AppTest runs that follow, by file name: a file
    given to the button as it is, and one the button writes on the click (a callable), written
    here as the click would."""
    offered: dict[str, bytes] = {}
    store = MemoryMediaFileStorage.load_and_get_id
    defer = MediaFileManager.add_deferred

    def record(self, path_or_data, mimetype, kind, filename=None):
        # Only what a download button offers: the page icon is a media file too.
        if kind == MediaFileKind.DOWNLOADABLE:
            offered[filename] = path_or_data
        return store(self, path_or_data, mimetype, kind, filename)

    def record_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        data = data_callable()
        offered[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return defer(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    return offered
