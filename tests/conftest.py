"""Shared fixtures: one small generated landing folder and one warehouse built from it, per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit import config as streamlit_config

from orchestration.generator import generate
from orchestration.runner import run_pipeline

# As `kam dashboard` runs the app (see orchestration/cli.py): without magic, so AppTest compiles
# the pages without ast.parse, which Python 3.11.7 can fail on while another thread parses.
streamlit_config.set_option("runner.magicEnabled", False)

DEMO_CUSTOMERS = 1000
DEMO_LINES = 100_000


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
