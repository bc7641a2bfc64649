"""Who imports whom in bench/, domains/ and encoders/: no cycles, and folders stacked in layers.

Every ``import`` and ``from ... import`` statement counts, wherever it stands: at module level,
inside a function (a lazy import is still a dependency, only a later one), under ``if``/``try``.
``from package import name`` is an edge to ``package.name`` when that is a module, else to the
package. Running a package's ``__init__`` on the way to a submodule is not an edge of its own;
instead the core includes ``bench/__init__.py``, which must import nothing else.

The folders, top to bottom (docs/architecture.md): a module may import from its own folder and
from folders below it, never from one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bench", "domains", "encoders")
# Top to bottom. "bench" is the command line, API and suite (the files directly in bench/).
LAYERS = ("bench", "bench.results", "bench.evaluation", "bench.training", "domains", "encoders", "bench.core")


def folder_of(module: str) -> str:
    """The layer a module belongs to: its bench sub-package, its top-level package, or the core."""
    if module == "bench":  # bench/__init__.py holds only the version: part of the leaf core
        return "bench.core"
    for layer in sorted(LAYERS, key=len, reverse=True):
        if module == layer or module.startswith(layer + "."):
            return layer
    raise AssertionError(f"{module} lies in no layer of {LAYERS}")


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
    while name and name not in known:  # bench.core.config.RunConfig -> bench.core.config
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
    assert "bench.evaluation.probe_sgd" in edges["bench.evaluation.probe"]  # `from .probe_sgd import ...` inside sgd_probe()
    assert "bench.core.errors" in edges["encoders"]  # absolute, in a package's __init__
    assert "domains.base" in edges["domains.registry"]  # relative
    assert "encoders" in edges["domains.checks"]  # inside a function, `from encoders import ENCODERS`


def test_find_cycle_reports_the_loop():
    assert find_cycle({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": 1}, "b": {}, "c": {"a": 2, "b": 3}}) is None


def test_no_import_cycles():
    edges = import_edges()
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle:\n" + _describe(cycle, edges)


def folder_edges(edges: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
    """Folder -> {imported folder: one module-level import that makes the arrow, for the message}."""
    out: dict[str, dict[str, str]] = {}
    for source, targets in sorted(edges.items()):
        for target, line in sorted(targets.items()):
            a, b = folder_of(source), folder_of(target)
            if a != b:
                out.setdefault(a, {}).setdefault(b, f"{source} -> {target} (line {line})")
    return out


def back_arrows(folders: dict[str, dict[str, str]]) -> list[str]:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    return [f"  {a} -> {b}: {why}" for a, out in sorted(folders.items()) for b, why in sorted(out.items())
            if rank[b] < rank[a]]


def test_back_arrows_are_found():
    folders = {"bench.core": {"bench.training": "bench.core.x -> bench.training.y (line 3)"},
               "bench": {"bench.core": "bench.cli -> bench.core.errors (line 1)"}}
    assert back_arrows(folders) == ["  bench.core -> bench.training: bench.core.x -> bench.training.y (line 3)"]
    assert folder_of("bench") == "bench.core" and folder_of("bench.results.tables") == "bench.results"
    assert folder_of("bench.cli") == "bench" and folder_of("domains.kit.split") == "domains"


def test_folders_import_only_downwards():
    folders = folder_edges(import_edges())
    wrong = back_arrows(folders)
    assert not wrong, f"an import runs back up the layers {LAYERS}:\n" + "\n".join(wrong)
    assert find_cycle({a: dict.fromkeys(out, 0) for a, out in folders.items()}) is None


def test_every_module_lies_in_a_layer_and_the_core_imports_only_itself():
    edges = import_edges()
    core = [m for m in edges if folder_of(m) == "bench.core"]
    assert "bench.core.errors" in core and "bench" in core
    wrong = [f"  {m} -> {t}" for m in core for t in edges[m] if folder_of(t) != "bench.core"]
    assert not wrong, "the core (imported by domains/ and encoders/) must import only the core:\n" + "\n".join(wrong)
