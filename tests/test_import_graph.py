"""Who imports whom in bench/, domains/ and encoders/: no cycles, and domains/ and encoders/ reach
into bench/ only for its dependency-free core.

Every ``import`` and ``from ... import`` statement counts, wherever it stands: at module level,
inside a function (a lazy import is still a dependency, only a later one), under ``if``/``try``.
``from package import name`` is an edge to ``package.name`` when that is a module, else to the
package. Running a package's ``__init__`` on the way to a submodule is not an edge of its own;
instead the core includes ``bench/__init__.py``, which must import nothing else.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bench", "domains", "encoders")
# What domains/ and encoders/ may import from bench/: errors, logging, random generators, atomic writes.
CORE = {"bench", "bench.errors", "bench.log", "bench.rng", "bench.atomic"}


def modules() -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package's __init__)."""
    found = {}
    for package in PACKAGES:
        for file in sorted((ROOT / package).rglob("*.py")):
            parts = list(file.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            found[".".join(parts[:-1] if is_package else parts)] = (file, is_package)
    return found


def _known(name: str, known: dict) -> str | None:
    while name and name not in known:  # bench.config.RunConfig -> bench.config
        name = name.rpartition(".")[0]
    return name or None


def import_edges() -> dict[str, dict[str, int]]:
    """Module -> {imported project module: line of the first such import}."""
    known = modules()
    edges: dict[str, dict[str, int]] = {}
    for name, (file, is_package) in known.items():
        out = edges.setdefault(name, {})
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), str(file))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = name.split(".") if is_package else name.split(".")[:-1]
                    parts = parts[:len(parts) - (node.level - 1)]
                    base = ".".join(parts + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            for target in targets:
                target = _known(target, known)
                if target and target != name:
                    out.setdefault(target, node.lineno)
    return edges


def find_cycle(edges: dict[str, dict[str, int]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (depth-first search, colouring nodes)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def _describe(cycle: list[str], edges: dict[str, dict[str, int]]) -> str:
    return "\n".join(f"  {a} -> {b} (line {edges[a][b]} of {a})" for a, b in zip(cycle, cycle[1:]))


def test_the_walk_sees_imports_inside_functions_and_relative_ones():
    edges = import_edges()
    assert "bench.probe_sgd" in edges["bench.probe"]  # `from .probe_sgd import ...` inside sgd_probe()
    assert "bench.errors" in edges["encoders"]  # absolute, in a package's __init__
    assert "domains.base" in edges["domains.registry"]  # relative
    assert "encoders" in edges["domains.checks"]  # inside a function, `from encoders import ENCODERS`


def test_find_cycle_reports_the_loop():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 2, "b": 3}}) is None


def test_no_import_cycles():
    edges = import_edges()
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle:\n" + _describe(cycle, edges)


def test_domains_and_encoders_use_only_the_core_of_bench():
    edges = import_edges()
    wrong = [f"  {source} -> {target} (line {line})" for source, out in sorted(edges.items())
             if not source.startswith("bench") for target, line in sorted(out.items())
             if target.split(".")[0] == "bench" and target not in CORE]
    assert not wrong, f"domains/ and encoders/ may import only {sorted(CORE)} from bench/:\n" + "\n".join(wrong)


def test_the_core_depends_on_nothing_else_in_the_project():
    edges = import_edges()
    assert CORE <= set(edges)
    wrong = [f"  {source} -> {target}" for source in sorted(CORE) for target in edges[source] if target not in CORE]
    assert not wrong, "the core (imported by domains/ and encoders/) must import only the core:\n" + "\n".join(wrong)
