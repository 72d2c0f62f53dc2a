"""One self-contained HTML page per run with every rule's verdict, linked from the Dagster checks.

Rendered here rather than as GX Data Docs: GX judges one row of figures DuckDB computed, and Data
Docs would show those figures rather than the rows and files behind a failure.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import os
from collections.abc import Iterable
from pathlib import Path

from expectations.validate import EntityValidation, RuleOutcome
from loading.ingest import RAW_ENTITIES

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.fail-blocking { background: #fde2e1; }
.fail-warning { background: #fff4d6; }
.samples { font-family: monospace; font-size: 0.85em; white-space: pre-wrap; }
"""


def add_to_run_report(validation: EntityValidation, folder: Path, title: str) -> Path:
    """Keep one entity's verdicts in the run's folder and re-render the run's page with every
    entity validated so far; return the page's path.

    Each check runs in its own step, so the verdicts go to `<entity>.json` beside the page.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{validation.entity}.json").write_text(
        json.dumps(dataclasses.asdict(validation)), encoding="utf-8"
    )
    order = list(RAW_ENTITIES)
    validations = sorted(
        (_load(path) for path in folder.glob("*.json")), key=lambda v: order.index(v.entity)
    )
    return write_report(validations, folder, title)


def _load(path: Path) -> EntityValidation:
    fields = json.loads(path.read_text(encoding="utf-8"))
    fields["outcomes"] = [RuleOutcome(**outcome) for outcome in fields["outcomes"]]
    return EntityValidation(**fields)


def write_report(
    validations: Iterable[EntityValidation], folder: Path, title: str = "Data quality"
) -> Path:
    """Write `<folder>/index.html` for the given validations and return its path."""
    validations = list(validations)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "index.html"
    # Written beside and renamed, so a reader never opens half a page.
    staging = folder / ".index.html.writing"
    generated = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    body = [
        f"<h1>{html.escape(title)}</h1>",
        (
            f"<p>Generated {generated}. Blocking failures stop the downstream models; warnings "
            "are only reported.</p>"
        ),
        _summary(validations),
        *(_entity_section(v) for v in validations),
    ]
    staging.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "\n".join(body)
        + "</body></html>",
        encoding="utf-8",
    )
    os.replace(staging, path)
    return path


def _summary(validations: list[EntityValidation]) -> str:
    rows = []
    for v in validations:
        status = "blocked" if v.blocking_failures else ("warnings" if v.warnings else "passed")
        css = {"blocked": "fail-blocking", "warnings": "fail-warning"}.get(status, "")
        rows.append(
            f"<tr class='{css}'><td><a href='#{v.entity}'>{v.entity}</a></td><td>{v.rows:,}"
            f"{'' if v.source_files is None else f' (of {len(v.source_files):,} new files)'}</td>"
            f"<td>{len(v.blocking_failures)}</td><td>{len(v.warnings)}</td><td>{status}</td>"
            f"<td>{v.seconds:.2f}</td></tr>"
        )
    return (
        "<table><tr><th>entity</th><th>rows checked by the row rules</th><th>blocking failures</th><th>warnings</th>"
        "<th>status</th><th>seconds</th></tr>" + "".join(rows) + "</table>"
    )


def _entity_section(validation: EntityValidation) -> str:
    rows = "".join(_outcome_row(o) for o in validation.outcomes)
    return (
        f"<h2 id='{validation.entity}'>{validation.entity}</h2>"
        "<table><tr><th>rule</th><th>column</th><th>severity</th><th>what it checks</th><th>result</th>"
        "<th>observed</th><th>offending rows</th><th>sample</th></tr>" + rows + "</table>"
    )


def _outcome_row(outcome: RuleOutcome) -> str:
    css = "" if outcome.success else f"fail-{outcome.severity}"
    count = "–" if outcome.unexpected_count is None else f"{outcome.unexpected_count:,}"
    samples = "\n".join(
        ", ".join(f"{key}={value}" for key, value in row.items()) for row in outcome.samples
    )
    cells = [
        outcome.rule,
        outcome.column or "",
        outcome.severity,
        outcome.description,
        "pass" if outcome.success else "FAIL",
        outcome.observed,
        count,
    ]
    return (
        f"<tr class='{css}'>"
        + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in cells)
        + f"<td class='samples'>{html.escape(samples)}</td></tr>"
    )
