"""Running the refresh job in-process: the CLI's `kam run` and the tests use the very job that
Dagster schedules, with a compact progress log instead of Dagster's debug stream."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from loading.ingest import RAW_SCHEMA
from orchestration.assets.dbt import DBT_ASSETS_NAME
from orchestration.assets.publish import PUBLISHED_WAREHOUSE_KEY
from orchestration.automation import REFRESH_JOB_NAME
from orchestration.build_plan import PLAN_LINE_PREFIX
from orchestration.changes import dbt_inputs
from orchestration.definitions import build_definitions
from orchestration.resources import WORKING_DATABASE, dbt_project

# Event type → the line it prints; None: worked out from the event (a failed check; a model that
# the dbt step built, so its minute-long run shows progress).
_PROGRESS_EVENTS = {
    "STEP_START": "started",
    "STEP_SUCCESS": "done",
    "STEP_FAILURE": "FAILED",
    "ASSET_CHECK_EVALUATION": None,
    "ASSET_MATERIALIZATION": None,
}


@dataclass
class RunOutcome:
    success: bool
    seconds: float
    error: str | None = None
    failed_steps: list[str] = field(default_factory=list)
    result: dg.ExecuteInProcessResult | None = None


class _ProgressHandler(logging.Handler):
    def __init__(self, started: float, stream) -> None:
        super().__init__()
        self.started = started
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_event", None)
        if event is None:
            self._emit_message(record)
            return
        if event.event_type_value not in _PROGRESS_EVENTS:
            return
        label = _PROGRESS_EVENTS[event.event_type_value]
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.asset_check_evaluation_data
            if evaluation.passed:
                return
            label = f"check {evaluation.check_name} failed"
            failed_rules = evaluation.metadata.get("failed_rules")
            if failed_rules is not None and failed_rules.value:
                label += f": {', '.join(failed_rules.value)}"
        elif event.event_type_value == "ASSET_MATERIALIZATION":
            key = event.asset_key
            if key is None or key.path[0] == RAW_SCHEMA or key == PUBLISHED_WAREHOUSE_KEY:
                return  # one asset per step: its "done" line says it
            label = f"built {key.to_user_string()}"
        self._print(f"{event.step_key}: {label}")

    def _emit_message(self, record: logging.LogRecord) -> None:
        """The working database's warning that a step waits for another process's lock (without
        it the terminal would say nothing for as long as the wait lasts), and the dbt step's build
        plan (whether it adds the new order lines or builds everything, and why)."""
        meta = getattr(record, "dagster_meta", {})
        message = meta.get("orig_message", "")
        if record.levelno >= logging.WARNING and meta.get("resource_name") == WORKING_DATABASE:
            self._print(message)
        elif message.startswith(PLAN_LINE_PREFIX):
            self._print(f"{meta.get('step_key', DBT_ASSETS_NAME)}: {message}")

    def _print(self, line: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{elapsed:6.1f}s] {line}", file=self.stream, flush=True)


def _progress_logger(started: float, stream) -> dg.LoggerDefinition:
    @dg.logger(description="One line per step start, success or failure, and per wait for a lock.")
    def progress(_init_context) -> logging.Logger:
        log = logging.getLogger(f"kam.progress.{id(stream)}")
        log.setLevel(logging.DEBUG)
        log.propagate = False
        log.handlers = [_ProgressHandler(started, stream)]
        return log

    return progress


def manifest_is_stale(manifest: Path, project_dir: Path) -> bool:
    """True when a dbt file was edited, added or removed after the manifest was parsed, so an edit
    is what runs. `dg dev` (`kam dagster`) re-parses at every load (`prepare_if_dev`); a `kam run`
    parses only when this says so, as a parse costs seconds a daily run need not spend."""
    if not manifest.exists():
        return True
    parsed_at = manifest.stat().st_mtime
    return any(path.stat().st_mtime > parsed_at for path in dbt_inputs(project_dir))


_CHILD_STOP_SECONDS = 30.0


def _children() -> list[int]:
    """This process's child processes, from Linux's /proc (none found elsewhere)."""
    own = str(os.getpid())
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # After the command name in parentheses: state, then the parent's PID.
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
        except (OSError, IndexError):
            continue
        if parent == own:
            children.append(int(stat.parent.name))
    return children


def _stop_children_left_running(started_before: set[int]) -> None:
    """Stop what the run started and left running: dagster-dbt stops its dbt build on a stop
    request only while it reads dbt's output, so a request in the moment between starting dbt
    and reading would leave dbt writing the working database after the run ended. Asked like
    Ctrl+C first, as dagster-dbt would, then killed. Children this process had before the run
    (a test's dashboard server, say) are not the run's."""
    children = [pid for pid in _children() if pid not in started_before]
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + _CHILD_STOP_SECONDS
    while children and time.monotonic() < deadline:
        children = [pid for pid in children if not _reaped(pid)]
        time.sleep(0.1)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _reaped(pid)


def _reaped(pid: int) -> bool:
    """True once the child `pid` has ended (its exit collected) or is not ours to wait for."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def _unwrapped(error):
    """The user's exception, not Dagster's wrapper around it."""
    while error.cause is not None and error.cls_name == "DagsterExecutionStepExecutionError":
        error = error.cause
    return error


def _root_cause(error) -> str:
    """The user's exception message, as a user reads it."""
    error = _unwrapped(error)
    if error.cls_name == "DagsterExecutionInterruptedError":
        return "stopped by a stop request (Ctrl+C or a kill signal); dbt was stopped with it"
    message = error.message.strip()
    # Our own errors are written for the user; the module path of their class is noise to them.
    return re.sub(rf"^(loading|orchestration)(\.\w+)+\.{re.escape(error.cls_name)}: ", "", message)


def failure_summary(failures: list[tuple[str, str]]) -> str | None:
    """`(step, message)` pairs as one line per distinct message, naming the steps that share it:
    one missing landing folder fails every ingest step the same way and is said once."""
    steps_by_message: dict[str, list[str]] = {}
    for step, message in failures:
        steps_by_message.setdefault(message, []).append(step)
    return "; ".join(
        f"{steps[0]}: {message}" if len(steps) == 1
        else f"{message} ({len(steps)} steps: {', '.join(steps)})"
        for message, steps in steps_by_message.items()
    ) or None


def run_pipeline(
    landing_dir: Path,
    warehouse: Path,
    *,
    mapping: Path | None = None,
    stream=None,
    full_refresh: bool = False,
) -> RunOutcome:
    """Materialise every asset for this landing folder (read through `mapping`, if given) into
    this warehouse and publish it; progress lines go to `stream` (default: standard error).
    `full_refresh` builds the incremental models from every order line, whatever changed."""
    started = time.perf_counter()
    stream = stream or sys.stderr
    project = dbt_project()
    if manifest_is_stale(project.manifest_path, project.project_dir):
        project.preparer.prepare(project)
    defs = build_definitions(
        landing_dir,
        warehouse,
        loggers={"progress": _progress_logger(started, stream)},
        mapping=mapping,
    )
    job = defs.resolve_job_def(REFRESH_JOB_NAME)
    started_before = set(_children())
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        # Naming a logger in run config replaces Dagster's default debug-level console logger.
        run_config={
            "loggers": {"progress": {}},
            "ops": {DBT_ASSETS_NAME: {"config": {"full_refresh": full_refresh}}},
        },
    )
    _stop_children_left_running(started_before)
    failures = [event for event in result.all_events if event.is_step_failure]
    # A failed blocking check explains itself (rule, figure, files, report, what to do); the step
    # it stopped only says that "1 blocking asset check failed".
    failed_checks = [
        evaluation.description
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
        and evaluation.description
    ]
    step_failures = failure_summary([
        (event.step_key, _root_cause(event.step_failure_data.error))
        for event in failures
        if not (failed_checks
                and _unwrapped(event.step_failure_data.error).cls_name == "DagsterAssetCheckFailedError")
    ])
    error = "\n".join([*failed_checks, *([step_failures] if step_failures else [])]) or None
    return RunOutcome(
        success=result.success,
        seconds=time.perf_counter() - started,
        error=error,
        failed_steps=[event.step_key for event in failures],
        result=result,
    )
