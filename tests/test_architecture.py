"""The rooms of the code and the one direction data and imports flow between them
(docs/architecture.md): loading ← expectations ← orchestration ← kam, with the demo generator and
the dashboard beside them. A test walks every import, including those inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Each package and the packages it may import; nothing may import a package that imports it back.
ALLOWED = {
    "loading": set(),
    "expectations": {"loading"},
    "orchestration": {"loading", "expectations"},
    "demo": {"loading"},
    # The dashboard reads the published warehouse (orchestration) and writes one input, the review
    # decisions, in the store format that loading reads back (loading/decisions.py).
    "dashboard": {"orchestration", "loading"},
    "kam": {"loading", "expectations", "orchestration", "demo"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, module: str) -> set[str]:
    """Every module this one imports at run time (not under `if TYPE_CHECKING:`)."""
    found: set[str] = set()
    pending = [tree]
    while pending:
        node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.rsplit(".", child.level)[0]
                    found.add(f"{base}.{child.module}" if child.module else base)
                elif child.module:
                    found.add(child.module)
                    found.update(f"{child.module}.{alias.name}" for alias in child.names)
            pending.append(child)
    return found


def _project_graph() -> dict[str, set[str]]:
    modules = {
        _module_name(path): path
        for package in ALLOWED
        for path in (ROOT / package).rglob("*.py")
    }
    graph = {}
    for name, path in modules.items():
        imported = _imports(ast.parse(path.read_text(), str(path)), name)
        graph[name] = {target for target in imported if target in modules and target != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that returns to its start, or None."""
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        trail.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        state[node] = "done"
        trail.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_module_imports_one_that_imports_it_back():
    assert _cycle(_project_graph()) is None


def test_each_package_imports_only_the_rooms_it_builds_on():
    def package(module: str) -> str:
        return module.split(".")[0]

    crossings = sorted(
        f"{source} imports {target}"
        for source, targets in _project_graph().items()
        for target in targets
        if package(target) != package(source) and package(target) not in ALLOWED[package(source)]
    )
    assert crossings == []


def test_a_cycle_is_found_and_shown_as_its_path():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_walk_sees_imports_inside_functions_and_not_type_checking_ones():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from loading.mapping import SourceMapping\n"
        "def run():\n    from orchestration.runner import run_pipeline\n"
    )
    assert _imports(tree, "kam.cli") >= {"orchestration.runner"}
    assert "loading.mapping" not in _imports(tree, "kam.cli")
