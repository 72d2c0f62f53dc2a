"""`kam`: generate demo data, run the pipeline in-process, serve the dashboard."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
import traceback
from datetime import date
from pathlib import Path

from loading.contract import ENTITIES
from loading.ingest import IngestError
from orchestration.warehouse import (
    DEFAULT_LANDING_DIR,
    PROJECT_ROOT,
    configured_lock_wait_seconds,
    resolve_mapping,
    resolve_paths,
)


def _generate(args: argparse.Namespace) -> int:
    from demo.export_shapes import SAMPLE_CUSTOMERS, generate_export
    from demo.generator import generate

    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    world = {
        "years": args.years, "lines": args.lines, "seed": args.seed, "end_date": args.end_date,
        "truth_path": args.truth, "progress": progress, "without": args.without,
        "long_tail_factor": args.long_tail_factor, "order_rhythm": args.order_rhythm,
    }
    if args.export_shape:
        if args.format:
            args.parser.error(f"--format is for the landing layout; the {args.export_shape} "
                              "export has its own file formats")
        out = args.out or PROJECT_ROOT / "data" / args.export_shape
        try:
            export = generate_export(args.export_shape, out,
                                     customers=SAMPLE_CUSTOMERS if args.customers is None
                                     else args.customers, **world)
        except ValueError as error:
            args.parser.error(str(error))
        for name, rows in export.files.items():
            print(f"{name:40} {rows:>12,} rows")
        print(f"{args.export_shape} export in {export.out} ({export.seconds:.1f} s); "
              f"ground truth in {export.truth_path}")
        print(f"Load it with: kam run --mapping mappings/{args.export_shape}.yml "
              f"--source {export.out} --warehouse {export.out.with_suffix('.duckdb')}")
        return 0
    try:
        summary = generate(
            args.out or PROJECT_ROOT / DEFAULT_LANDING_DIR,
            customers=2000 if args.customers is None else args.customers,
            file_format=args.format or "csv",
            **world,
        )
    except ValueError as error:
        args.parser.error(str(error))
    for entity, rows in summary.rows.items():
        print(f"{entity:20} {rows:>12,} rows")
    print(f"Landing files in {summary.landing_dir} ({summary.seconds:.1f} s); "
          f"ground truth in {summary.truth_path}")
    return 0


def _landing_and_mapping(args: argparse.Namespace) -> tuple[Path, Path | None]:
    """`--landing DIR`, or an export folder `--source DIR` read through `--mapping FILE`."""
    mapping = resolve_mapping(args.mapping)
    if (args.source and not mapping) or (args.mapping and not args.source):
        args.parser.error("--mapping and --source go together: the mapping says how to read the "
                          "export files in the source folder")
    landing, _ = resolve_paths(args.source or args.landing, None)
    return landing, mapping


def _run(args: argparse.Namespace) -> int:
    landing, mapping = _landing_and_mapping(args)
    _, warehouse = resolve_paths(None, args.warehouse)
    if problem := _run_preflight(landing, warehouse):
        print(f"kam run: {problem}", file=sys.stderr)
        return 1
    if changes := _changes_since_publish(landing, warehouse, mapping):
        if changes.nothing_new and not args.full_refresh:
            print(f"kam run: {changes.summary()}; {warehouse} stays as it is "
                  "(--full-refresh builds anyway).")
            return 0
        _say(("full refresh; " if args.full_refresh else "") + changes.summary())
    # Imported only now: Dagster and dbt take seconds to import, which a run with nothing to do
    # need not spend.
    from orchestration.run_lock import RunLockUnavailable, hold_run_lock
    from orchestration.runner import run_pipeline

    # A stop request (kill, a scheduler's timeout, a service manager) stops the run as Ctrl+C does:
    # Dagster interrupts the step, which asks dbt to stop and waits for it, so nothing the run
    # started goes on writing the working database after it. By default the signal would end
    # this process alone.
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    try:
        lock_wait_seconds = configured_lock_wait_seconds()
    except ValueError as error:
        print(f"kam run: {error}", file=sys.stderr)
        return 1
    try:
        with hold_run_lock(warehouse, lock_wait_seconds, say=_say):
            # The terminal gets one progress line per step; the log file beside the warehouse gets
            # them too, with dbt's own log (a line per model and test) and how the run ended, so
            # it tells the whole story even of a run that stopped before dbt.
            log_path = warehouse.parent / "logs" / f"kam-run-{time.strftime('%Y%m%dT%H%M%S')}.log"
            with log_path.open("w", encoding="utf-8") as log:
                print(f"kam run: landing {landing}" + (f", mapping {mapping}" if mapping else "")
                      + f", warehouse {warehouse}", file=log, flush=True)
                try:
                    with contextlib.redirect_stdout(log):
                        outcome = run_pipeline(
                            landing, warehouse, mapping=mapping, full_refresh=args.full_refresh,
                            stream=_Tee(sys.stderr, log),
                        )
                except BaseException:
                    log.write(traceback.format_exc())
                    raise
                print(f"kam run failed: {outcome.error}" if not outcome.success
                      else f"kam run succeeded ({outcome.seconds:.1f} s)", file=log)
    except RunLockUnavailable as error:
        print(f"kam run: {error}", file=sys.stderr)
        return 1
    if not outcome.success:
        print(f"kam run failed: {outcome.error}", file=sys.stderr)
        print(f"The published warehouse {warehouse} was left as it was. Full log: {log_path}",
              file=sys.stderr)
        return 1
    print(f"Warehouse published: {warehouse} ({outcome.seconds:.1f} s; log: {log_path})")
    return 0


class _Tee:
    """A text stream writing to each of `streams`: the run's progress lines go to the terminal and
    to the run's log."""

    def __init__(self, *streams) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


def _changes_since_publish(landing: Path, warehouse: Path, mapping_path: Path | None):
    """What changed since the last publish, or None when the landing folder or the mapping cannot
    be read (the run then says what is wrong, in full)."""
    from loading.ingest import settings_for
    from loading.mapping import load_mapping
    from orchestration.changes import changes_since_publish

    try:
        mapping = load_mapping(mapping_path, landing) if mapping_path else None
        return changes_since_publish(landing, warehouse, mapping, settings_for(mapping))
    except (IngestError, ValueError):
        return None


def _say(line: str) -> None:
    """A line about the run lock for the terminal, flushed at once: the run may wait long after."""
    print(f"kam run: {line}", file=sys.stderr, flush=True)


def _run_preflight(landing: Path, warehouse: Path) -> str | None:
    """What stops a run before it starts, as one line that says what to do; None when it can go.

    Checked up front, so a missing folder is said once in a second, not once per step after the
    run has set everything up."""
    if not landing.is_dir():
        return (f"landing folder {landing} does not exist or is not a folder: pass --landing (or "
                "--source with --mapping), or run `kam generate` for demo data.")
    try:
        (warehouse.parent / "logs").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return (f"cannot create {warehouse.parent / 'logs'} for the warehouse and its logs "
                f"({error.strerror}): choose a folder you can write with --warehouse.")
    if not os.access(warehouse.parent, os.W_OK):
        return (f"cannot write to {warehouse.parent}, where the warehouse is published: choose a "
                "folder you can write with --warehouse.")
    return None


def _validate(args: argparse.Namespace) -> int:
    from expectations.validate import check_loaded_tables
    from loading.ingest import validate_landing
    from loading.mapping import load_mapping

    landing, mapping_path = _landing_and_mapping(args)
    try:
        mapping = load_mapping(mapping_path, landing) if mapping_path else None
    except IngestError as error:
        print(f"REJECTED {error}", file=sys.stderr)
        return 1
    # The load rules, then the checks a run makes on the loaded tables before it builds anything
    # (a share of all order lines, say), on the rows that would load, in memory.
    validation = validate_landing(landing, mapping=mapping, checks=check_loaded_tables)
    for result in validation.results:
        for ignored in result.files_ignored:
            print(f"IGNORED {ignored}", file=sys.stderr)
        if not result.files_seen:
            continue
        quarantined = ", ".join(f"{rule}: {n:,}" for rule, n in result.quarantined_by_rule.items())
        print(f"{result.entity:20} {result.files_seen} file(s), {result.rows_loaded:>12,} rows ok"
              + (f", {result.rows_filtered:,} left out by the mapping's filters"
                 if result.rows_filtered else "")
              + (f", {result.rows_quarantined:,} to quarantine ({quarantined})" if quarantined else ""))
    if validation.quarantine_sample:
        print("\nFirst rows that would be quarantined (entity, file, row, column, rule, value):")
        for row in validation.quarantine_sample:
            print("  " + " | ".join("" if value is None else str(value) for value in row))
    for problem in [*validation.rejections, *validation.errors]:
        print(f"REJECTED {problem}", file=sys.stderr)
    for failure in validation.check_failures:
        if failure.blocking:
            print(f"REJECTED {failure.message}\n  A run's blocking check on raw/{failure.entity} "
                  "would fail: nothing would be built or published.", file=sys.stderr)
        else:
            print(f"WARNING {failure.message}\n  A warning: a run reports it and goes on.",
                  file=sys.stderr)
    print("\nLanding folder is ready to load." if validation.ok
          else "\nLanding folder would be rejected: fix the files above.")
    return 0 if validation.ok else 1


def _dashboard(args: argparse.Namespace) -> int:
    _, warehouse = resolve_paths(None, args.warehouse)
    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `kam run` first.", file=sys.stderr)
        return 1
    app = PROJECT_ROOT / "dashboard" / "app.py"
    print(f"Dashboard: {_local_url(args)}  (warehouse {warehouse}; Ctrl+C to stop)",
          flush=True)
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", args.host,
        "--server.port", str(args.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        # No page relies on "magic" (bare expressions drawn as st.write); without it Streamlit
        # compiles page scripts directly instead of through ast.parse, which Python 3.11.7 can
        # fail on when another thread parses at the same time ("AST constructor recursion depth
        # mismatch").
        "--runner.magicEnabled", "false",
    ]
    env = {**os.environ, "KAM_WAREHOUSE": str(warehouse)}
    # Streamlit takes this process's place rather than running as its child: a stop signal sent to
    # `kam dashboard` (Ctrl+C, kill, a service manager) then reaches the server itself, which a
    # child would survive.
    os.execve(sys.executable, command, env)


def _spark(args: argparse.Namespace) -> int:
    from orchestration.spark import build_on_spark, compare_marts, default_spark_dir

    _, warehouse = resolve_paths(None, args.warehouse)
    spark_dir = (args.spark_dir or default_spark_dir(warehouse)).resolve()
    try:
        exit_code = build_on_spark(
            warehouse, spark_dir, say=lambda line: print(f"kam spark: {line}", file=sys.stderr, flush=True)
        )
    except FileNotFoundError as error:
        print(f"kam spark: {error}", file=sys.stderr)
        return 1
    if exit_code:
        return exit_code
    if args.compare:
        differences = compare_marts(spark_dir, warehouse)
        for difference in differences:
            print(f"  {difference}")
        print(f"kam spark: {len(differences)} difference(s) between Spark's marts and {warehouse}"
              if differences else f"kam spark: Spark's marts agree with {warehouse}")
        return 1 if differences else 0
    return 0


def _dagster(args: argparse.Namespace) -> int:
    home = Path(os.environ.get("DAGSTER_HOME", PROJECT_ROOT / ".dagster_home"))
    home.mkdir(parents=True, exist_ok=True)
    print(f"Dagster: {_local_url(args)}  (run history in {home}; Ctrl+C to stop)",
          flush=True)
    # The project's code location comes from its pyproject.toml ([tool.dg]).
    command = [
        str(Path(sys.executable).parent / "dg"), "dev", "--target-path", str(PROJECT_ROOT),
        "--host", args.host, "--port", str(args.port),
    ]
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    if sys.prefix != sys.base_prefix:
        # The virtualenv this runs in counts as activated, as it would in a shell that had
        # activated it: `dg` checks that the project's .venv is the active one.
        env["VIRTUAL_ENV"] = sys.prefix
    # `dg dev` stops on SIGTERM by mapping it to its SIGINT handler; a shell starts a
    # background job with SIGINT ignored, and an ignored signal stays ignored across exec, so
    # `make dagster &` would ignore both. With SIGINT back at its default before the exec,
    # Python installs its handler again and a kill stops Dagster and everything it started.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.execve(command[0], command, env)


class _StopServing(Exception):
    """A stop signal (kill, a service manager) ending `kam docs` as Ctrl+C does."""


def _stop_serving(signum: int, frame: object) -> None:
    raise _StopServing


def _docs(args: argparse.Namespace) -> int:
    import functools
    import http.server
    import socket
    import tempfile

    _, warehouse = resolve_paths(None, args.warehouse)
    if not warehouse.exists():
        print(f"No warehouse at {warehouse}: run `kam run` first.", file=sys.stderr)
        return 1

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    class DictionaryServer(http.server.ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in args.host else socket.AF_INET

        def handle_error(self, request: object, client_address: object) -> None:
            # A browser that closes a page mid-download is no error worth a traceback.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    # Stopped by Ctrl+C or a kill alike, whenever it comes: while dbt generates (its process is
    # killed with it) or while serving. A shell starts a background job with SIGINT ignored, so
    # Python's Ctrl+C handler is put back explicitly, as for `kam dagster`.
    signal.signal(signal.SIGTERM, _stop_serving)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with tempfile.TemporaryDirectory(prefix="kam-docs-") as scratch:
            site = Path(scratch) / "site"
            site.mkdir()
            # Listen first, so a port in use is said at once rather than after generating.
            try:
                server = DictionaryServer(
                    (args.host, args.port), functools.partial(QuietHandler, directory=str(site))
                )
            except (OSError, OverflowError) as error:
                print(f"kam docs: cannot listen on {args.host}:{args.port} "
                      f"({getattr(error, 'strerror', None) or error}): choose another --port.",
                      file=sys.stderr)
                return 1
            with server:
                print(f"Generating the data dictionary of {warehouse} ...", file=sys.stderr,
                      flush=True)
                if problem := _generate_dictionary(warehouse, Path(scratch), site):
                    print(f"kam docs: {problem}", file=sys.stderr)
                    return 1
                print(f"Data dictionary: {_local_url(args)}  "
                      f"(warehouse {warehouse}; Ctrl+C to stop)", flush=True)
                server.serve_forever()
    except (KeyboardInterrupt, _StopServing):
        return 0
    return 0


def _generate_dictionary(warehouse: Path, scratch: Path, site: Path) -> str | None:
    """`dbt docs generate` over a private database holding what the dictionary reads of the
    warehouse, its pages put in `site`; what went wrong, or None.

    dbt opens its database for writing, so it never gets the published file, which readers hold
    open, nor the working database a run may be writing. Its database holds every definition,
    with the line-level layers' from the working database, and the rows of the published schemas
    (orchestration/warehouse.py), named as the published file so the dictionary names the tables
    as an analyst sees them."""
    import json
    import shutil
    import subprocess

    import duckdb

    from orchestration.warehouse import write_dictionary_database

    database = scratch / "database" / warehouse.name
    database.parent.mkdir()
    try:
        write_dictionary_database(warehouse, database)
    except (duckdb.Error, OSError) as error:
        return (f"cannot read {warehouse} and its working database for the dictionary ({error}): "
                "while a run writes the working database, try again after it; when the temporary "
                "folder is full, set TMPDIR to a folder with room.")
    project = PROJECT_ROOT / "dbt_project"
    dbt = Path(sys.executable).parent / "dbt"
    target = scratch / "target"
    command = [
        str(dbt if dbt.exists() else "dbt"),
        # Nothing leaves this machine: no usage statistics from dbt, and the pages read the same
        # setting from the manifest, so they load no tracking script from the internet either.
        "--no-send-anonymous-usage-stats",
        "docs", "generate",
        "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(target), "--log-path", str(scratch / "logs"),
        "--vars", json.dumps({"warehouse_path": str(database)}),
    ]
    completed = subprocess.run(
        command, cwd=project, capture_output=True, text=True, check=False,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip().splitlines()
        return "dbt docs generate failed:\n" + "\n".join(output[-20:])
    # The pages and the two files they read, and nothing else of dbt's target folder.
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copyfile(target / name, site / name)
    return None


def _local_url(args: argparse.Namespace) -> str:
    """The address a server started with `--host` and `--port` is opened at."""
    host = "localhost" if args.host == "127.0.0.1" else args.host
    return f"http://{host}:{args.port}"


def _add_warehouse_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("--warehouse", type=Path, default=None,
                         help="published DuckDB file (default $KAM_WAREHOUSE or "
                         "data/warehouse.duckdb)")


def _add_landing_arguments(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group()
    where.add_argument("--landing", type=Path, default=None,
                       help="landing folder in the contract's layout "
                       "(default $KAM_LANDING_DIR or data/landing)")
    where.add_argument("--source", type=Path, default=None,
                       help="folder of an export to read through --mapping")
    command.add_argument("--mapping", type=Path, default=None,
                         help="column mapping (YAML) for the export in --source, "
                         "e.g. mappings/superstore.yml (default $KAM_MAPPING)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kam",
        description="Key-account management: which customers truly deserve key-account treatment.",
    )
    parser.add_argument("--version", action="version", version=f"kam {_installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    gen = commands.add_parser(
        "generate", help="write realistic demo landing files",
        description="Write every input entity of the contract as demo landing files, drawn from "
        "customer archetypes; the archetypes go to a separate ground-truth file.",
    )
    gen.add_argument("--customers", type=int, default=None,
                     help="customers (default 2000; with --export-shape 300)")
    gen.add_argument("--years", type=int, default=4, help="years of order history (default 4)")
    gen.add_argument("--lines", type=int, default=None,
                     help="order lines, exactly (default 100 per customer)")
    gen.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    gen.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 10, 31),
                     help="last day of order history, YYYY-MM-DD (default 2026-10-31)")
    gen.add_argument("--format", choices=["csv", "parquet"], default=None,
                     help="landing file format (default csv)")
    gen.add_argument("--out", type=Path, default=None,
                     help="landing folder (default data/landing; with --export-shape "
                     "data/<shape>)")
    gen.add_argument("--export-shape", choices=["erp", "crm", "marketplace"], default=None,
                     help="write the data as an ERP, CRM or marketplace export instead of the "
                     "landing layout, for kam run --mapping mappings/<shape>.yml (default: the "
                     "landing layout; see docs/bring-your-own-data.md)")
    gen.add_argument("--truth", type=Path, default=None,
                     help="ground-truth file (default "
                     "<out>/../ground_truth/customer_archetypes.csv; with --export-shape "
                     "<out>/../ground_truth/<shape>_archetypes.csv)")
    worlds = gen.add_argument_group(
        "other worlds", "change one aspect of the demo, to test the scorecard on data it was not "
        "tuned to; everything else stays as in the demo")
    worlds.add_argument("--without", action="append", default=[], metavar="ENTITY",
                        help="leave out an optional entity's landing files (repeatable): "
                        + ", ".join(name for name, entity in ENTITIES.items()
                                    if not entity.required_file))
    worlds.add_argument("--long-tail-factor", type=float, default=1.0, metavar="FACTOR",
                        help="multiply the number of long-tail customers; the other archetypes "
                        "keep their counts for --customers, which is then the demo-mix portfolio "
                        "the tail is added to (default 1)")
    worlds.add_argument("--order-rhythm", choices=["monthly", "quarterly"], default="monthly",
                        help="quarterly: regular accounts order in one month per quarter, for "
                        "the whole quarter (default monthly)")
    gen.set_defaults(handler=_generate, parser=gen)

    run = commands.add_parser(
        "run", help="load landing files, build the warehouse and publish it",
        description="Materialise every asset in-process (the same assets Dagster runs): ingest "
        "the landing folder, build the dbt models (adding a day's new order lines to the models "
        "built before when nothing else changed), and publish the warehouse atomically. When no "
        "landing file, model or setting changed since the last publish, it says so and stops.",
    )
    _add_landing_arguments(run)
    _add_warehouse_argument(run)
    run.add_argument(
        "--full-refresh", action="store_true",
        help="build every model from all order lines, instead of adding a day's new lines to "
        "the models built before; builds and publishes even when nothing changed",
    )
    run.set_defaults(handler=_run, parser=run)

    check = commands.add_parser(
        "validate", help="check landing files without loading them",
        description="Apply every load rule to a landing folder without touching the warehouse, "
        "then the checks a run makes on the loaded tables before it builds (the blocking "
        "expectations, such as the share of order lines sold below cost), on the rows that would "
        "load: which rows would be quarantined, which files rejected, which checks would stop "
        "the run, and why.",
    )
    _add_landing_arguments(check)
    check.set_defaults(handler=_validate, parser=check)

    spark = commands.add_parser(
        "spark", help="build the same models on Spark from the last run's accepted rows",
        description="Write the raw tables the last `kam run` accepted as Parquet and build every "
        "dbt model, seed and test on Spark (in this process's machine, through dbt-spark's session "
        "method; `make setup-spark` installs it, Java 17 is needed). --compare then checks the key "
        "marts against the published DuckDB warehouse. See docs/spark.md.",
    )
    _add_warehouse_argument(spark)
    spark.add_argument("--spark-dir", type=Path, default=None,
                       help="where Spark's inputs, tables and catalog go (default: spark/ beside "
                       "the warehouse)")
    spark.add_argument("--compare", action="store_true",
                       help="compare the key marts with the published DuckDB warehouse afterwards")
    spark.set_defaults(handler=_spark, parser=spark)

    dash = commands.add_parser(
        "dashboard", help="serve the key-account dashboard",
        description="Serve the Streamlit dashboard over a published warehouse, read-only.",
    )
    _add_warehouse_argument(dash)
    dash.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    dash.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1: this machine only; the "
                      "dashboard has no login, so serve it to others only behind one, e.g. "
                      "--host 0.0.0.0 behind an authenticating proxy)")
    dash.set_defaults(handler=_dashboard)

    dagster = commands.add_parser(
        "dagster", help="serve Dagster: its UI, the daily schedule and the new-file sensor",
        description="Run `dg dev` over this project's code location `kam`, with the run history "
        "in $DAGSTER_HOME (default .dagster_home/). A kill signal stops it and its services.",
    )
    dagster.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    dagster.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default 127.0.0.1: this machine only)")
    dagster.set_defaults(handler=_dagster)

    docs = commands.add_parser(
        "docs", help="serve the data dictionary: every table and column of the warehouse, described",
        description="Generate dbt's documentation site over the warehouse's definitions (every "
        "model, the raw and meta tables, their columns, descriptions and lineage) and serve "
        "it on this machine, with nothing fetched from the internet. A kill signal stops it. See "
        "docs/data-dictionary.md.",
    )
    _add_warehouse_argument(docs)
    docs.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    docs.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1: this machine only)")
    docs.set_defaults(handler=_docs)
    return parser


def _installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kam")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
