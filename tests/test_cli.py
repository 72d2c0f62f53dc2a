"""The `kam` command line: help on every command, clear failures, the published warehouse."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import duckdb
import pytest

from demo.generator import generate
from kam.cli import main
from orchestration.warehouse import PROJECT_ROOT, dbt_target_path, work_path
from tests.support import processes_marked


@pytest.mark.parametrize(
    "command", [[], ["generate"], ["run"], ["validate"], ["dashboard"], ["dagster"], ["docs"]]
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: kam" in capsys.readouterr().out


def _tables(database: Path) -> set[str]:
    with duckdb.connect(str(database), read_only=True) as conn:
        return {row[0] for row in conn.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}


def test_run_publishes_a_warehouse_readers_can_open(demo_warehouse):
    assert {"meta.load_ledger", "marts.customer_metrics"} <= _tables(demo_warehouse)
    assert work_path(demo_warehouse).exists()
    # The order lines stay in the working database beside it.
    assert "raw.orders" in _tables(work_path(demo_warehouse))
    # dbt's parse of the project, kept beside the warehouse for the next day's build to reuse.
    assert (dbt_target_path(demo_warehouse) / "partial_parse.msgpack").exists()


def test_run_on_a_missing_landing_folder_fails_clearly_and_publishes_nothing(tmp_path):
    landing = tmp_path / "no_such_folder"
    warehouse = tmp_path / "warehouse.duckdb"

    completed = subprocess.run(
        [sys.executable, "-m", "kam.cli", "run", "--landing", str(landing), "--warehouse", str(warehouse)],
        check=False,
        capture_output=True,
        text=True,
    )

    # Said once, before the run sets anything up, with what to do.
    assert completed.returncode == 1
    assert completed.stderr.count("does not exist") == 1
    assert f"landing folder {landing} does not exist" in completed.stderr
    assert "kam generate" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not warehouse.exists()


@pytest.mark.pipeline
def test_a_rejected_batch_fails_the_run_and_leaves_the_published_warehouse_as_it_was(
    landing_copy, demo_warehouse, tmp_path
):
    from orchestration.runner import run_pipeline

    warehouse = tmp_path / "warehouse.duckdb"
    for source, target in ((demo_warehouse, warehouse),
                           (work_path(demo_warehouse), work_path(warehouse))):
        target.write_bytes(source.read_bytes())
    published_before = warehouse.read_bytes()
    orders = next((landing_copy / "orders").glob("*.csv"))
    orders.write_text(orders.read_text().replace("net_revenue", "revenue", 1))

    outcome = run_pipeline(landing_copy, warehouse)

    assert not outcome.success
    assert f"{orders}: rejected (missing_required_column): required column(s) net_revenue" in outcome.error
    assert outcome.failed_steps == ["raw__orders"]
    materialized = {
        event.asset_key.to_user_string()
        for event in outcome.result.get_asset_materialization_events()
    }
    # Downstream of the rejected batch nothing is built or published.
    assert not {key for key in materialized if key.startswith(("staging/", "marts/"))}
    assert "published_warehouse" not in materialized
    assert warehouse.read_bytes() == published_before


def test_validate_reports_without_loading(landing_copy, capsys):
    (landing_copy / "account_plans" / "extra.csv").write_text(
        "customer_id,period_start,period_end,target_revenue,target_gross_margin\n"
    )

    assert main(["validate", "--landing", str(landing_copy)]) == 1

    captured = capsys.readouterr()
    assert "account_plans/extra.csv: rejected (no_data_rows)" in captured.err
    assert "orders" in captured.out and "would be rejected" in captured.out


BAD_FILES = Path(__file__).parent / "bad_files"
# Ten of its 30 sold lines cost more than they earned: 33.3%, above the 20% limit of the blocking
# check `cost_above_revenue_share`. Every row passes the load rules.
COST_ABOVE_REVENUE_FAILURE = "orders: cost_above_revenue_share — 33.3% against the limit at most 20.0%"


def _landing_with_costs_above_revenue(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    for entity, name in (("customers", "customers.csv"), ("products", "products.csv"),
                         ("orders", "cost_above_revenue.csv")):
        (landing / entity).mkdir(parents=True)
        shutil.copyfile(BAD_FILES / name, landing / entity / name)
    return landing


def test_validate_rejects_a_folder_a_blocking_check_of_the_run_would_stop(tmp_path, capsys):
    landing = _landing_with_costs_above_revenue(tmp_path)

    assert main(["validate", "--landing", str(landing)]) == 1

    out, err = capsys.readouterr()
    assert "orders               1 file(s),           30 rows ok" in out
    assert f"REJECTED {COST_ABOVE_REVENUE_FAILURE}\n" in err
    assert "Offending rows by landing file: orders/cost_above_revenue.csv 10 of 30 rows (33.3%)" in err
    assert "blocking check on raw/orders would fail" in err
    assert "would be rejected" in out and "ready to load" not in out
    # Nothing written beside the landing folder.
    assert sorted(path.name for path in tmp_path.iterdir()) == ["landing"]


@pytest.mark.pipeline
def test_a_run_a_blocking_check_stops_names_rule_figure_and_limit_and_logs_it(tmp_path, capfd):
    landing = _landing_with_costs_above_revenue(tmp_path)
    warehouse = tmp_path / "published" / "warehouse.duckdb"

    assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse)]) == 1

    _, err = capfd.readouterr()
    assert ("- cost_above_revenue_share (blocking) on orders: observed cost_above_revenue_share: "
            "33.3%; expected cost_above_revenue_share at most 20.0%") in err
    assert "raw__orders_expectations: check expectations failed: cost_above_revenue_share" in err
    assert not warehouse.exists()
    [log] = (warehouse.parent / "logs").glob("kam-run-*.log")
    assert f"Full log: {log}" in err
    logged = log.read_text()
    # The progress lines and the failure, though the run stopped before dbt wrote anything.
    assert "raw__orders: done" in logged
    assert "check expectations failed: cost_above_revenue_share" in logged
    assert "kam run failed: raw/orders: 1 blocking rule" in logged
    assert "observed cost_above_revenue_share: 33.3%" in logged


def test_dashboard_refuses_a_warehouse_that_does_not_exist(tmp_path, capsys):
    assert main(["dashboard", "--warehouse", str(tmp_path / "none.duckdb")]) == 1
    assert "run `kam run` first" in capsys.readouterr().err


@pytest.mark.pipeline
def test_a_run_quarantines_a_bad_row_publishes_the_rest_and_shows_progress_per_step_and_model(
    demo_warehouse, landing_copy, tmp_path, capfd
):
    # One run for both: a bad row does not stop it, and what it prints while it goes. The demo
    # warehouse, then a day's new orders file of 40 lines with a bad date in its fifth (under the
    # share of bad rows that rejects a file): the run adds the file's lines to what was built (a
    # whole rebuild would add a minute and test nothing more).
    warehouse = tmp_path / "published" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(demo_warehouse, warehouse)
    shutil.copyfile(work_path(demo_warehouse), work_path(warehouse))
    header, *rows = next((landing_copy / "orders").glob("*.csv")).read_text().splitlines()[:41]
    lines = [header, *(f"{row.split(',', 1)[0]}-new,{row.split(',', 1)[1]}" for row in rows)]
    bad_date = lines[5].split(",")[1]
    lines[5] = lines[5].replace(bad_date, "2026-02-30")
    (landing_copy / "orders" / "orders_new_day.csv").write_text("\n".join(lines) + "\n")

    assert main(["run", "--landing", str(landing_copy), "--warehouse", str(warehouse)]) == 0

    with duckdb.connect(str(warehouse), read_only=True) as conn:
        assert conn.execute(
            "SELECT regexp_extract(source_file, '[^/]+$'), source_row, column_name, rule, value FROM meta.quarantine"
        ).fetchall() == [("orders_new_day.csv", 5, "order_date", "unparseable_date", "2026-02-30")]
    with duckdb.connect(str(work_path(warehouse)), read_only=True) as conn:
        assert conn.execute("SELECT count(*) FROM raw.orders WHERE order_id LIKE '%-new'").fetchone() == (39,)
    out, err = capfd.readouterr()
    assert out.startswith(f"Warehouse published: {warehouse} (")
    assert "raw__orders: done" in err
    assert "build plan: the order lines of 1 new landing file(s) added" in err
    assert "kam_dbt_models: built marts/customer_metrics" in err
    # dbt's line per model and test is in the log, not on the terminal.
    assert " START " not in out + err
    [log] = (warehouse.parent / "logs").glob("kam-run-*.log")
    assert f"log: {log})" in out
    assert "Completed successfully" in log.read_text()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
@pytest.mark.pipeline
def test_a_stopped_run_stops_its_dbt_build_with_it(tmp_path):
    """`kill` on `kam run` while dbt builds: dbt stops too, nothing is published, one clear line."""
    # Small data: dbt's parse and build take far longer than the moment the kill needs.
    generate(tmp_path / "landing", customers=50, lines=2_000)
    mark = f"KAM_RUN_UNDER_TEST={uuid.uuid4()}"
    run = subprocess.Popen(
        [sys.executable, "-m", "kam.cli", "run", "--landing", str(tmp_path / "landing"),
         "--warehouse", str(tmp_path / "warehouse.duckdb")],
        env={**os.environ, mark.split("=")[0]: mark.split("=")[1]},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.monotonic() + 180
    while not any(" build " in process.command for process in processes_marked(mark)):
        if run.poll() is not None:
            pytest.fail(f"the run ended before dbt started: {run.communicate()[1][-2000:]}")
        assert time.monotonic() < deadline, "dbt build never started"
        time.sleep(0.2)
    run.terminate()
    _, errors = run.communicate(timeout=120)

    assert run.returncode == 1
    assert "stopped by a stop request" in errors
    assert not (tmp_path / "warehouse.duckdb").exists()
    assert processes_marked(mark) == []


def test_a_run_that_cannot_write_its_warehouse_folder_says_which_and_what_to_do(tmp_path, capsys):
    generate(tmp_path / "landing", customers=20, lines=200)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse folder should be")
    assert main(["run", "--landing", str(tmp_path / "landing"),
                 "--warehouse", str(blocker / "warehouse.duckdb")]) == 1
    errors = capsys.readouterr().err
    assert f"cannot create {blocker / 'logs'}" in errors
    assert "--warehouse" in errors
    assert "Traceback" not in errors


def test_failures_with_one_cause_are_said_once_naming_their_steps():
    from orchestration.runner import failure_summary

    assert failure_summary([]) is None
    assert failure_summary([("raw__orders", "rows rejected")]) == "raw__orders: rows rejected"
    assert failure_summary([
        ("raw__customers", "Landing folder /x does not exist."),
        ("raw__orders", "Landing folder /x does not exist."),
        ("kam_dbt_models", "dbt failed"),
    ]) == ("Landing folder /x does not exist. (2 steps: raw__customers, raw__orders); "
           "kam_dbt_models: dbt failed")


def test_kam_dagster_hands_dagster_a_stop_signal_a_background_shell_had_ignored(
    monkeypatch, tmp_path
):
    # A shell starts a background job (`make dagster &`) with SIGINT ignored; `dg dev` maps
    # SIGTERM onto its SIGINT handler, so inherited as ignored a kill would not stop it.
    execs = []
    monkeypatch.setattr("os.execve", lambda path, argv, env: execs.append((path, argv, env)))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        main(["dagster", "--port", "3999"])
        handler_handed_on = signal.getsignal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)

    assert handler_handed_on == signal.SIG_DFL
    [(path, argv, env)] = execs
    assert argv[1:] == ["dev", "--target-path", str(PROJECT_ROOT), "--host", "127.0.0.1",
                        "--port", "3999"]
    assert path.endswith("/dg") and env["DAGSTER_HOME"] == str(tmp_path / "dagster_home")
    assert (tmp_path / "dagster_home").is_dir()
    # dg finds the project's .venv active, as in a shell that activated it (no warning that it is not).
    assert env["VIRTUAL_ENV"] == sys.prefix


@pytest.mark.pipeline
def test_a_run_with_nothing_new_says_so_at_once_and_leaves_the_warehouse_as_it_was(
    landing_copy, demo_warehouse, tmp_path, capsys
):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(demo_warehouse.read_bytes())
    published = warehouse.read_bytes()

    assert main(["run", "--landing", str(landing_copy), "--warehouse", str(warehouse)]) == 0

    out = capsys.readouterr().out
    assert out == (
        "kam run: nothing new since the last publish: its 10 landing files, models and settings are "
        f"unchanged; {warehouse} stays as it is (--full-refresh builds anyway).\n"
    )
    assert warehouse.read_bytes() == published
    assert not work_path(warehouse).exists()
    assert list((warehouse.parent / "logs").glob("kam-run-*.log")) == []


def test_kam_says_its_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    declared = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert capsys.readouterr().out == f"kam {declared}\n"


def test_what_a_run_started_and_left_running_is_stopped_and_nothing_else():
    """The moment between dagster-dbt starting dbt and reading its output: a stop request there
    would leave dbt running after the run; the runner stops it, and only what the run started."""
    from orchestration.runner import _children, _stop_children_left_running

    before_the_run = subprocess.Popen(["sleep", "60"])
    started_before = set(_children())
    left_running = subprocess.Popen(["sleep", "60"])
    try:
        _stop_children_left_running(started_before)
        assert not Path(f"/proc/{left_running.pid}").exists()
        assert before_the_run.poll() is None
    finally:
        before_the_run.kill()
        before_the_run.wait()
