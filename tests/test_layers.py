"""The layers DESIGN.md draws: what each folder may import, and no import circle in the core.

Every import counts, at the top of a module or inside a function: a lazy import is the same
dependency, taken later. Read from the source with `ast`, nothing imported.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from salnameh.settings import PROJECT_ROOT

pytestmark = pytest.mark.unit

# DESIGN.md, "Components and layout": each folder and the project's folders it may import.
# `app/` (the CLI and the demo) may import everything, so it has no entry.
MAY_IMPORT = {
    "salnameh": set(),
    "ingestion": {"salnameh"},
    "publishing": {"salnameh"},
    "orchestration": {"salnameh", "ingestion", "publishing"},
    "dashboards": {"salnameh", "ingestion", "publishing"},
}
PROJECT_PACKAGES = {*MAY_IMPORT, "app", "tests", "benchmarks"}
CORE = "salnameh"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module name a file imports, with its line: `import a.b` gives a.b, `from a
    import b` gives a and a.b (b may be a module), relative imports resolved; a literal
    name given to importlib.import_module or __import__ counts too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[: len(package) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("import_module", "__import__")


def layer_breaches(root: Path) -> list[str]:
    """`file:line: imports X` for every import of a project folder its layer may not use."""
    breaches = {}
    for layer, allowed in MAY_IMPORT.items():
        for path in sorted((root / layer).rglob("*.py")):
            where = path.relative_to(root).as_posix()
            for line, name in imports(path, root):
                top = name.split(".")[0]
                if top in PROJECT_PACKAGES and top != layer and top not in allowed:
                    message = f"{where}:{line}: imports {name} ({layer} may not)"
                    breaches.setdefault((where, line), message)
    return [breaches[key] for key in sorted(breaches)]


def core_graph(root: Path) -> dict[str, dict[str, int]]:
    """Core module -> the core modules it imports, each with the line of its first import."""
    paths = {module_name(p, root): p for p in (root / CORE).rglob("*.py")}
    graph: dict[str, dict[str, int]] = {}
    for name, path in paths.items():
        edges = graph.setdefault(name, {})
        for line, imported in imports(path, root):
            if imported in paths and imported != name:
                edges[imported] = min(line, edges.get(imported, line))
    return graph


def import_circles(root: Path) -> list[str]:
    """Circles among the core's modules, as `a -> b (a.py:12) -> a (b.py:7)`: at least one
    whenever any exists (one per loop the depth-first walk closes)."""
    graph = core_graph(root)
    circles, state = [], {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                loop = [*trail[trail.index(imported) :], imported]
                steps = [
                    f"{b} ({a.replace('.', '/')}.py:{graph[a][b]})"
                    for a, b in itertools.pairwise(loop)
                ]
                circles.append(" -> ".join([loop[0], *steps]))
            elif imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return circles


def test_each_folder_imports_only_what_its_layer_may():
    breaches = layer_breaches(PROJECT_ROOT)
    assert not breaches, "an import against DESIGN.md's layers:\n" + "\n".join(breaches)


def test_the_core_has_no_import_circle():
    circles = import_circles(PROJECT_ROOT)
    assert not circles, "modules of salnameh/ that import each other:\n" + "\n".join(circles)


def test_the_scans_find_a_planted_breach_and_circle(tmp_path: Path):
    core = tmp_path / "salnameh"
    (core / "inner").mkdir(parents=True)
    (core / "__init__.py").write_text("")
    (core / "a.py").write_text("import json\nfrom salnameh.b import thing\n")
    (core / "b.py").write_text(
        '"""Lazy imports count."""\n\n\ndef thing():\n    from salnameh import a\n'
        "    from ingestion.ingest import Ingestor\n"
    )
    (core / "inner" / "__init__.py").write_text("")
    (core / "inner" / "c.py").write_text(
        "import importlib\nfrom .. import d\nimportlib.import_module('app.cli')\n"
    )
    (core / "d.py").write_text("from salnameh.inner import c\n")
    (tmp_path / "ingestion").mkdir()
    (tmp_path / "ingestion" / "x.py").write_text("import dashboards.app\nimport salnameh\n")
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "y.py").write_text("from orchestration import definitions\n")

    assert layer_breaches(tmp_path) == [
        "dashboards/y.py:1: imports orchestration (dashboards may not)",
        "ingestion/x.py:1: imports dashboards.app (ingestion may not)",
        "salnameh/b.py:6: imports ingestion.ingest (salnameh may not)",
        "salnameh/inner/c.py:3: imports app.cli (salnameh may not)",
    ]
    assert import_circles(tmp_path) == [
        "salnameh.a -> salnameh.b (salnameh/a.py:2) -> salnameh.a (salnameh/b.py:5)",
        "salnameh.d -> salnameh.inner.c (salnameh/d.py:1) -> salnameh.d (salnameh/inner/c.py:2)",
    ]
