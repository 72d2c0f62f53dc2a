"""The marts are the dashboard's only door: no page or helper under dashboard/ names a relation of
another layer of the warehouse (staging, intermediate, raw, config, snapshots, meta, main). A page
reads a mart, whose contract says what it holds; a model behind it can then change without a page
breaking or, worse, showing something else. A page that needs more asks for a mart."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "dashboard"
# A schema-qualified name in any layer but marts. A file path such as `.streamlit/config.toml` or a
# module attribute such as `streamlit.config` is no relation: a slash, a dot or a letter before the
# schema rules it out.
OTHER_LAYER = re.compile(r"(?<![\w/.])(?:staging|intermediate|raw|config|snapshots|meta|main)\.\w+")


def relations_past_the_marts(path: Path, root: Path = ROOT) -> list[str]:
    """Every relation of another layer that `path` names, as 'file:line: name'."""
    return [
        f"{path.relative_to(root)}:{number}: {match.group(0)}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in OTHER_LAYER.finditer(line)
    ]


def test_every_dashboard_module_reads_only_marts():
    modules = sorted(DASHBOARD.rglob("*.py"))
    assert len(modules) >= 10, "the scan should see the pages and their helpers"
    found = [hit for module in modules for hit in relations_past_the_marts(module)]
    assert not found, "The dashboard reads past the marts:\n" + "\n".join(found)


def test_the_scan_names_the_file_and_line_of_each_relation_past_the_marts(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        '"""Settings live in dashboard/.streamlit/config.toml; streamlit.config sets them."""\n'
        'query("select * from marts.account_managers")\n'
        'query("select m.* from staging.stg_account_managers m join intermediate.int_customer_economics e")\n'
        "PRESETS = 'from config.scorecard_definitions'\n",
        encoding="utf-8",
    )

    assert relations_past_the_marts(page, tmp_path) == [
        "page.py:3: staging.stg_account_managers",
        "page.py:3: intermediate.int_customer_economics",
        "page.py:4: config.scorecard_definitions",
    ]
