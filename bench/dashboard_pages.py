"""Dashboard pages: how long every page of the dashboard takes to render, cold and warm, on a
published warehouse, against a bar (default 2 s for the cold median).

    .venv/bin/python bench/dashboard_pages.py --warehouse /tmp/w100k/warehouse.duckdb
    .venv/bin/python bench/dashboard_pages.py --warehouse data/warehouse.duckdb --repetitions 5 \
        --query account:customer=C000382 --query review:quarter=2026-06-30 --bar 2.0
    .venv/bin/python bench/dashboard_pages.py --warehouse W --pages account review --top-queries 10

The pages are the `st.Page("views/<name>.py", title=...)` entries of dashboard/app.py, read from
that file (a page added there is timed without touching this script). Each page is rendered with
Streamlit's `AppTest.from_file(<page>, default_timeout=120)`, KAM_WAREHOUSE set to the warehouse,
exactly as `kam dashboard` serves it (`runner.magicEnabled` off).

What the figures mean:

- Every page runs in a child process of its own. The child first renders the page once, untimed
  (reported as "first render in the process"): that imports every module the page needs (Streamlit's
  runtime, plotly, altair, the page's own modules) and loads plotly's figure classes, which a
  dashboard server pays once after start-up, not per visit.
- **cold**: a render by a new AppTest (a new session) right after `st.cache_data.clear()`,
  `st.cache_resource.clear()` and dashboard/warehouse.py's `close_published_files()`: every query
  goes to DuckDB, and the first one attaches the published file anew (as after a publish, which
  changes the file's version; nothing is kept but the operating system's file cache). Python
  modules are already imported. This is what the first visitor after a publish waits for.
- **warm**: a render by another new AppTest right after the cold one, the query cache full: what
  every later visitor of the same view waits for (the cache is per process, shared by sessions).
- Each repetition is one cold render and one warm render; the table gives min / median / max over
  `--repetitions` (default 3). The run fails (exit 1) when a page's cold median is above `--bar`
  seconds, and (exit 2) when a page raises an exception (`AppTest.exception`), naming it.

`--query [page:]key=value` (repeatable) sets a URL query parameter before each render: on one
page (`account:customer=C000382`, `review:quarter=2026-06-30`; page = the view's file name) or,
without a page, on every page (`definition=the_big_ones`).

Measurement details: every new AppTest builds Streamlit's custom-component registry on its first
run (reading the metadata of every installed package, 1-2 s), which a server does once at start-up:
the timed renders reuse the registry the warm-up render built. Other processes on the machine slow
the renders down: the header gives the 1-minute load average seen during the renders.

To find what is slow the bench wraps, in the child and without changing them,
dashboard/warehouse.py's `query()` (the pages' single way to the warehouse) and `_read()` (the
DuckDB part of a cache miss), the dashboard's table, chart and export helpers (TIMED_HELPERS) and
the Streamlit calls that send data to the browser (TIMED_ELEMENTS). The timed renders only pass
through the wrappers; recording costs time (about 0.3 ms a query() call, seconds on a page that
makes thousands), so after them the child makes one more cold render with recording on, and the
report prints, for that render of each page: the time in queries and outside them; the queries
grouped by SQL and calling line (calls, seconds, DuckDB seconds, rows, the dashboard file and line,
the SQL's start); the slowest helpers and Streamlit calls (seconds, the part spent in queries
inside them); and the largest elements sent to the browser (protobuf bytes; rows for tables).
`--profile` adds a cProfile of yet another cold render (the script's thread); `--no-query-log`
wraps nothing (and so reports no diagnosis). Raw figures go to
bench/results/dashboard-pages-<time>.json.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard"
APP = DASHBOARD / "app.py"
RESULTS = ROOT / "bench" / "results"


# --- the pages --------------------------------------------------------------------------------


def registered_pages(app: Path = APP) -> list[tuple[str, Path]]:
    """(title, script) of every `st.Page("<path>", title=...)` in app.py, in the app's order."""
    pages = []
    for node in ast.walk(ast.parse(app.read_text(), filename=str(app))):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "Page"
        ):
            continue
        if not (
            node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            raise SystemExit(
                f"{app}:{node.lineno}: st.Page without a literal script path; cannot time it"
            )
        script = (app.parent / node.args[0].value).resolve()
        titles = [
            kw.value.value
            for kw in node.keywords
            if kw.arg == "title" and isinstance(kw.value, ast.Constant)
        ]
        pages.append((node.lineno, node.col_offset, titles[0] if titles else script.stem, script))
    return [(title, script) for _, _, title, script in sorted(pages)]  # ast.walk is breadth-first


def parse_queries(values: list[str]) -> list[tuple[str | None, str, str]]:
    """`[page:]key=value` -> (page or None, key, value)."""
    parsed = []
    for value in values:
        name, equals, setting = value.partition("=")
        target, _, key = name.rpartition(":")
        if not equals or not key:
            raise SystemExit(f"--query {value!r}: expected key=value or page:key=value")
        parsed.append((target or None, key, setting))
    return parsed


# --- the child: one page, its renders ---------------------------------------------------------


# Work timed besides the queries: the dashboard's table, chart and export helpers (module:function;
# one a dashboard does not have is skipped) and the Streamlit calls that serialise data for the
# browser. A download's data is made before st.download_button is called, so its helpers are here.
TIMED_HELPERS = (
    "dashboard.ui:show_table",
    "dashboard.ui:show_chart",
    "dashboard.export:download_button",
    "dashboard.export:to_csv_bytes",
    "dashboard.scoring:what_if_scores",
    "dashboard.review_pack:load_review_pack",
    "dashboard.review_pack:render_review_pack",
)
TIMED_ELEMENTS = (
    "dataframe",
    "plotly_chart",
    "altair_chart",
    "vega_lite_chart",
    "download_button",
    "selectbox",
)


class QueryLog:
    """Wraps dashboard.warehouse.query and _read (one record per call while recording), and the
    table and chart calls in TIMED_HELPERS and TIMED_ELEMENTS (one record per call: its time, and
    the part of it spent in queries made inside it)."""

    def __init__(self) -> None:
        self.records: list[dict] | None = None
        self.elements: list[dict] = []
        self.reads: list[float] = []  # every cache miss's DuckDB time, recording or not
        self._query_seconds = 0.0  # running total, to split an element's time

    def install(self) -> None:
        from dashboard import warehouse

        original_query, original_read = warehouse.query, warehouse._read
        log = self

        def _read(path, version, sql, params):
            started = time.perf_counter()
            try:
                return original_read(path, version, sql, params)
            finally:
                log.reads.append(time.perf_counter() - started)

        def query(sql, params=()):
            if log.records is None:
                return original_query(sql, params)
            reads_before = len(log.reads)
            started = time.perf_counter()
            frame = original_query(sql, params)
            seconds = time.perf_counter() - started
            log._query_seconds += seconds
            reads = log.reads[reads_before:]
            log.records.append(
                {
                    "seconds": seconds,
                    "duckdb_seconds": sum(reads),  # 0 on a cache hit
                    "cache_miss": bool(reads),
                    "rows": len(frame),
                    "columns": len(frame.columns),
                    "source": _caller(),
                    "sql": " ".join(sql.split()),
                    "params": [repr(p)[:60] for p in params],
                }
            )
            return frame

        warehouse._read = _read
        warehouse.query = query  # before any dashboard module imports it by name

        import importlib

        import streamlit
        from streamlit.delta_generator import DeltaGenerator

        for helper in TIMED_HELPERS:
            module_name, name = helper.split(":")
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            original = getattr(module, name, None)
            if original is None:
                continue
            timed = self._timed(f"{module_name.removeprefix('dashboard.')}.{name}", original)
            # Also where a dashboard module imported it by name already (ui imports export's).
            for loaded in list(sys.modules.values()):
                if (
                    getattr(loaded, "__name__", "").startswith("dashboard")
                    and getattr(loaded, name, None) is original
                ):
                    setattr(loaded, name, timed)
        for name in TIMED_ELEMENTS:
            setattr(DeltaGenerator, name, self._timed(f"st.{name}", getattr(DeltaGenerator, name)))
            setattr(streamlit, name, self._timed(f"st.{name}", getattr(streamlit, name)))

    def _timed(self, kind: str, function):
        log = self

        def timed(*args, **kwargs):
            if log.records is None:
                return function(*args, **kwargs)
            started, queries_before = time.perf_counter(), log._query_seconds
            try:
                return function(*args, **kwargs)
            finally:
                seconds = time.perf_counter() - started
                log.elements.append(
                    {
                        "kind": kind,
                        "seconds": seconds,
                        "query_seconds": log._query_seconds - queries_before,
                        "source": _caller(),
                    }
                )

        # The dashboard tells widgets apart by name (ui.url_widget): keep the wrapped one's.
        return functools.wraps(function)(timed)

    def start(self) -> None:
        self.records, self.elements = [], []

    def stop(self) -> tuple[list[dict], list[dict]]:
        records, self.records = self.records or [], None
        return records, self.elements


def _caller() -> str:
    """The dashboard line that ran the query, and the page line it was reached from when that is
    another file (a helper in dashboard/ui.py, a section module). Frames are walked by hand:
    inspect.stack() would cost milliseconds per query and show up in the page's time."""
    dashboard, frames = str(DASHBOARD), []
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(dashboard) and not name.endswith("warehouse.py"):
            frames.append((name, frame.f_lineno))
        frame = frame.f_back
    if not frames:
        return "?"

    def where(frame: tuple[str, int]) -> str:
        return f"{Path(frame[0]).relative_to(ROOT).as_posix()}:{frame[1]}"

    innermost, outermost = frames[0], frames[-1]
    return (
        where(innermost)
        if innermost[0] == outermost[0]
        else f"{where(innermost)} (from {where(outermost)})"
    )


def _elements(node) -> list:
    """Every element of an AppTest tree (blocks walked, elements returned)."""
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        return [element for child in children.values() for element in _elements(child)]
    return [node]


def _payload(app) -> list[dict]:
    """Size of every element the render sent (protobuf bytes), largest first."""
    sizes = []
    for element in _elements(app._tree):
        proto = getattr(element, "proto", None)
        if proto is None or not hasattr(proto, "ByteSize"):
            continue
        entry = {"type": element.type, "bytes": proto.ByteSize()}
        if element.type in ("dataframe", "table"):
            with contextlib.suppress(Exception):  # a size is a hint, not a result
                entry["rows"] = len(element.value)
        label = getattr(element, "label", None) or getattr(proto, "label", None)
        if label:
            entry["label"] = str(label)[:60]
        sizes.append(entry)
    return sorted(sizes, key=lambda entry: -entry["bytes"])


# Streamlit's custom-component registry: a server builds it once at start-up, but every new
# AppTest builds its own on its first run, reading the metadata of every installed package (about
# 700 here, 1-2 s). The renders share the one the warm-up render built.
_COMPONENTS: list = []


def _render(script: Path, params: dict[str, str], log: QueryLog, record: bool = False) -> dict:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(script), default_timeout=120)
    app.query_params.update(params)
    if _COMPONENTS and hasattr(app, "_bidi_component_manager"):
        app._bidi_component_manager = _COMPONENTS[0]
    if record:
        log.start()
    reads_before = len(log.reads)
    started, cpu_started = time.perf_counter(), time.process_time()
    try:
        app.run()
    finally:
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        queries, elements = log.stop() if record else ([], [])
    if not _COMPONENTS and getattr(app, "_bidi_component_manager", None) is not None:
        _COMPONENTS.append(app._bidi_component_manager)
    if app.exception:
        first = app.exception[0]
        stack = "\n".join(first.stack_trace) if first.stack_trace else ""
        raise RuntimeError(f"{script.name} raised: {first.message}\n{stack}")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # every thread of the process, DuckDB's included
        "duckdb_reads": len(log.reads) - reads_before,  # cache misses
        "queries": queries,
        "elements": elements,
        "app": app,
        "notices": [
            f"{kind}: {element.value}"[:200]
            for kind in ("warning", "error", "info")
            for element in getattr(app, kind)
        ],
    }


def child(
    script: Path, params: dict[str, str], repetitions: int, log_queries: bool, profile: bool
) -> dict:
    import plotly.subplots  # noqa: F401  (a server imports these once, not per visit)
    import streamlit as st
    from streamlit import config

    log = QueryLog()
    if log_queries:
        log.install()
    config.set_option("runner.magicEnabled", False)  # as `kam dashboard` serves the pages

    # Untimed warm-up: imports, Streamlit's runtime, plotly's figure classes, the page's modules.
    first = _render(script, params, log)
    result = {
        "first_in_process_seconds": first["seconds"],
        "query_log": log_queries,
        "cold": [],
        "warm": [],
    }
    from dashboard.warehouse import close_published_files

    def as_after_a_publish() -> None:
        """What a publish leaves a running dashboard: no cached query, no file attached."""
        st.cache_data.clear()
        st.cache_resource.clear()
        close_published_files()

    for _ in range(repetitions):
        as_after_a_publish()
        cold = _render(script, params, log)
        warm = _render(script, params, log)
        if log_queries and not cold["duckdb_reads"]:
            raise RuntimeError(
                "the cold render read nothing from DuckDB: the cache was not cleared"
            )
        if warm["duckdb_reads"]:
            print(
                f"note: the warm render missed the cache {warm['duckdb_reads']} times",
                file=sys.stderr,
            )
        for kind, render in (("cold", cold), ("warm", warm)):
            result[kind].append(
                {
                    "seconds": render["seconds"],
                    "cpu_seconds": render["cpu_seconds"],
                    "duckdb_reads": render["duckdb_reads"],
                    "load_average": os.getloadavg()[0],
                    "notices": render["notices"],
                }
            )
    if log_queries:
        # The diagnosis: one more cold render, every query, helper and Streamlit call recorded.
        # Recording costs time (about 0.3 ms a query call), so this render is not in the table.
        as_after_a_publish()
        render = _render(script, params, log, record=True)
        distinct = {(q["sql"], tuple(q["params"])) for q in render["queries"]}
        misses = sum(q["cache_miss"] for q in render["queries"])
        if misses < len(distinct):  # each distinct query reads DuckDB once, cold
            raise RuntimeError(f"cold render: {len(distinct)} distinct queries, {misses} misses")
        payload = _payload(render["app"])
        result["diagnosis"] = {
            "seconds": render["seconds"],
            "queries": render["queries"],
            "elements": render["elements"],
            "notices": render["notices"],
            "payload": payload[:8],
            "payload_bytes": sum(e["bytes"] for e in payload),
        }
    if profile:  # one more cold render, under cProfile, after the timed ones
        import cProfile
        import io
        import pstats

        from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

        # The page runs in the script runner's own thread: profile that thread, not the caller.
        profiler = cProfile.Profile()
        run_script = ScriptRunner._run_script

        def profiled(self, *args, **kwargs):
            profiler.enable()
            try:
                return run_script(self, *args, **kwargs)
            finally:
                profiler.disable()

        ScriptRunner._run_script = profiled
        as_after_a_publish()
        _render(script, params, log)
        ScriptRunner._run_script = run_script
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        result["profile"] = text.getvalue()
    return result


# --- the parent ---------------------------------------------------------------------------------


def measure_page(
    script: Path,
    warehouse: Path,
    params: dict[str, str],
    repetitions: int,
    log_queries: bool = True,
    profile: bool = False,
) -> dict:
    env = dict(os.environ, KAM_WAREHOUSE=str(warehouse))
    completed = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            str(script),
            "--repetitions",
            str(repetitions),
            "--params",
            json.dumps(params),
        ]
        + ([] if log_queries else ["--no-query-log"])
        + (["--profile"] if profile else []),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip() or f"exit code {completed.returncode}"}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _stats(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def _fmt(values: list[float]) -> str:
    low, mid, high = _stats(values)
    return f"{low:.2f} / **{mid:.2f}** / {high:.2f}"


def table(results: list[dict], bar: float) -> str:
    header = (
        "| page | cold min / median / max (s) | warm min / median / max (s) | cold median under"
    )
    lines = [f"{header} {bar:g} s |", "| --- | ---: | ---: | :---: |"]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['title']} | raised an exception | – | **no** |")
            continue
        cold = [x["seconds"] for x in r["cold"]]
        warm = [x["seconds"] for x in r["warm"]]
        ok = statistics.median(cold) <= bar
        lines.append(
            f"| {r['title']} | {_fmt(cold)} | {_fmt(warm)} | {'yes' if ok else '**no**'} |"
        )
    return "\n".join(lines)


def details(results: list[dict], top: int) -> str:
    out = []
    for r in results:
        if "error" in r:
            out.append(
                f"\n### {r['title']} ({r['script']}): RAISED\n\n```\n{r['error'][-4000:]}\n```"
            )
            continue
        head = f"\n### {r['title']} ({r['script']}{', ' + str(r['params']) if r['params'] else ''})\n\n"
        render = r.get("diagnosis")
        if render is None:  # --no-query-log
            out.append(f"{head}first render in the process {r['first_in_process_seconds']:.2f} s")
            continue
        queries = render["queries"]
        in_queries = sum(q["seconds"] for q in queries)
        duckdb = sum(q["duckdb_seconds"] for q in queries)
        distinct = len({(q["sql"], tuple(q["params"])) for q in queries})
        out.append(
            f"{head}One more cold render, recorded ({render['seconds']:.2f} s with the recording; "
            f"first render in the process {r['first_in_process_seconds']:.2f} s): "
            f"{len(queries):,} calls of query() ({distinct} distinct) {in_queries:.2f} s, of it DuckDB "
            f"{duckdb:.2f} s (the rest is the query cache: hashing the call, reading the file's "
            f"version, storing and unpickling results); outside queries "
            f"{render['seconds'] - in_queries:.2f} s; sent to the browser "
            f"{render['payload_bytes'] / 1e6:.2f} MB.\n"
        )
        if top and queries:
            # Calls of the same SQL from the same line are one row: a helper run once per table
            # cell shows as thousands of calls, each a cache lookup.
            groups: dict[tuple[str, str], dict] = {}
            for q in queries:
                group = groups.setdefault(
                    (q["source"].split(" (from ")[0], q["sql"]),
                    {"calls": 0, "seconds": 0.0, "duckdb": 0.0, "rows": 0, "pages": set()},
                )
                group["calls"] += 1
                group["seconds"] += q["seconds"]
                group["duckdb"] += q["duckdb_seconds"]
                group["rows"] = max(group["rows"], q["rows"])
                if " (from " in q["source"]:
                    group["pages"].add(q["source"].split(" (from ")[1].rstrip(")"))
            out.append(
                "| calls | s in all | DuckDB s | rows | where | SQL |\n| ---: | ---: | ---: | ---: | --- | --- |"
            )
            for (source, sql), g in sorted(groups.items(), key=lambda item: -item[1]["seconds"])[
                :top
            ]:
                via = (
                    f" (from {', '.join(sorted(g['pages'])[:3])}{', …' if len(g['pages']) > 3 else ''})"
                    if g["pages"]
                    else ""
                )
                sql = sql[:100].replace("|", "\\|")
                out.append(
                    f"| {g['calls']:,} | {g['seconds']:.3f} | {g['duckdb']:.3f} | {g['rows']:,} | {source}{via} | `{sql}` |"
                )
        if top and render.get("elements"):
            out.append(
                "\nTimed helpers and Streamlit calls (a helper's time includes the calls inside it):\n\n"
                "| element | s in all | of it in queries | where |\n| --- | ---: | ---: | --- |"
            )
            for e in sorted(render["elements"], key=lambda e: -e["seconds"])[:top]:
                out.append(
                    f"| {e['kind']} | {e['seconds']:.3f} | {e['query_seconds']:.3f} | {e['source']} |"
                )
        big = [e for e in render["payload"] if e["bytes"] > 100_000]
        if big:
            out.append(
                "\nlargest elements: "
                + "; ".join(
                    f"{e['type']}{' ' + repr(e['label']) if 'label' in e else ''} {e['bytes'] / 1e6:.2f} MB"
                    + (f" ({e['rows']:,} rows)" if "rows" in e else "")
                    for e in big
                )
            )
        if render["notices"]:
            out.append("\nnotices on the page: " + " | ".join(render["notices"][:5]))
        if r.get("profile"):
            out.append(f"\n```\n{r['profile'].strip()}\n```")
    return "\n".join(out)


def _customers(warehouse: Path) -> str:
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            count = conn.execute("select count(*) from marts.customer_metrics").fetchone()[0]
    except duckdb.Error as problem:
        return f"? ({problem})"[:80]
    return f"{count:,}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        help="published warehouse (default: $KAM_WAREHOUSE or data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--repetitions", type=int, default=3, help="cold + warm renders per page (default 3)"
    )
    parser.add_argument(
        "--bar", type=float, default=2.0, help="seconds a page's cold median may take (default 2.0)"
    )
    parser.add_argument(
        "--query",
        action="append",
        default=[],
        metavar="[PAGE:]KEY=VALUE",
        help="URL query parameter for one page (its file name) or all; repeatable",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        metavar="NAME",
        help="only these pages (file names, e.g. account review)",
    )
    parser.add_argument(
        "--top-queries", type=int, default=5, help="slowest queries listed per page (default 5)"
    )
    parser.add_argument(
        "--no-query-log",
        action="store_true",
        help="time the pages without wrapping query() (to check the wrapper costs nothing)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="one more cold render per page under cProfile; its top functions are printed",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        try:
            result = child(
                args.child,
                json.loads(args.params),
                args.repetitions,
                not args.no_query_log,
                args.profile,
            )
        except Exception:  # noqa: BLE001 - the parent shows it, loudly
            traceback.print_exc()
            sys.exit(2)
        print(json.dumps(result, default=str))
        return

    warehouse = (
        args.warehouse or Path(os.environ.get("KAM_WAREHOUSE", ROOT / "data" / "warehouse.duckdb"))
    ).resolve()
    if not warehouse.is_file():
        raise SystemExit(f"no warehouse at {warehouse}")
    queries = parse_queries(args.query)
    pages = registered_pages()
    if args.pages:
        unknown = set(args.pages) - {script.stem for _, script in pages}
        if unknown:
            raise SystemExit(f"not a page of {APP.relative_to(ROOT)}: {', '.join(sorted(unknown))}")
        pages = [page for page in pages if page[1].stem in args.pages]
    unknown_targets = {target for target, _, _ in queries if target} - {
        script.stem for _, script in pages
    }
    if unknown_targets:
        raise SystemExit(f"--query for a page not timed: {', '.join(sorted(unknown_targets))}")

    results = []
    for title, script in pages:
        params = {key: value for target, key, value in queries if target in (None, script.stem)}
        print(f"{title} ({script.relative_to(ROOT)}) ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        result = measure_page(
            script, warehouse, params, args.repetitions, not args.no_query_log, args.profile
        )
        print(f"  {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        results.append(
            {
                "title": title,
                "script": script.relative_to(ROOT).as_posix(),
                "params": params,
                **result,
            }
        )

    loads = [x["load_average"] for r in results for x in r.get("cold", []) + r.get("warm", [])]
    print(
        f"warehouse {warehouse} ({warehouse.stat().st_size / 1e6:,.0f} MB, "
        f"{_customers(warehouse)} customers), {args.repetitions} repetitions, "
        f"{os.cpu_count()} CPUs"
        + (f", load average {min(loads):.1f}-{max(loads):.1f} during the renders" if loads else "")
        + "\n"
    )
    print(table(results, args.bar))
    print(details(results, args.top_queries))

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    payload = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "system": platform.platform(),
        },
        "warehouse": str(warehouse),
        "bar_seconds": args.bar,
        "repetitions": args.repetitions,
        "pages": results,
    }
    path = RESULTS / f"dashboard-pages-{stamp}.json"
    path.write_text(json.dumps(payload, indent=1, default=str))
    print(f"\nraw figures: {path.relative_to(ROOT)}", file=sys.stderr)

    failed = [r["title"] for r in results if "error" in r]
    if failed:
        print(f"\nFAILED: {', '.join(failed)} raised an exception (above)", file=sys.stderr)
        sys.exit(2)
    slow = [
        r["title"] for r in results if statistics.median(x["seconds"] for x in r["cold"]) > args.bar
    ]
    if slow:
        print(f"\nOVER THE BAR ({args.bar:g} s cold median): {', '.join(slow)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
