"""The house plan of docs/architecture.md, checked on the source: layers, no import circles, data configs.

Every import of a ``pointcept`` module counts, also one inside a function (a lazy import is no way around
a circle or a layer). ``from package import name`` counts as an import of the package's ``__init__``.
"""

from __future__ import annotations

import ast
import os
from collections import defaultdict

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "pointcept")

#: layer of each top-level subpackage; a module may import its own layer's package and lower layers only,
#: and the three middle packages none of each other (``datasets.meta``, the class tables, excepted)
LAYERS = {"utils": 0, "datasets": 1, "models": 1, "evaluation": 1, "visualization": 2, "engines": 3,
          "benchmark": 4}


def module_name(path: str) -> str:
    rel = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
    return rel[: -len(".__init__")] if rel.endswith(".__init__") else rel


def all_modules() -> dict[str, str]:
    modules = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                modules[module_name(path)] = path
    return modules


def imports_of(name: str, path: str, modules: dict[str, str]) -> set[str]:
    is_package = path.endswith("__init__.py")
    package = name if is_package else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(open(path).read(), path)):
        targets = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            targets = [base]
            for alias in node.names:  # `from pkg import submodule`
                if f"{base}.{alias.name}" in modules:
                    targets.append(f"{base}.{alias.name}")
        for target in targets:
            while target and target not in modules:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            if target and target != name:
                found.add(target)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def layer(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in LAYERS:
        return None
    return parts[1], LAYERS[parts[1]]


def test_imports_follow_the_layers(graph):
    wrong = []
    for source, targets in graph.items():
        src = layer(source)
        for target in targets:
            dst = layer(target)
            if src is None or dst is None or src[0] == dst[0] or target.startswith("pointcept.datasets.meta"):
                continue
            if dst[1] >= src[1]:
                wrong.append(f"{source} -> {target}")
    assert not wrong, "imports against the layer plan (docs/architecture.md):\n" + "\n".join(sorted(wrong))


def test_no_import_circles(graph):
    """Strongly connected components of the module graph, package ``__init__`` re-exports left out (a
    package importing its own submodules, which import each other's siblings, is not a circle)."""
    edges = {m: {t for t in ts if not (t != m and m.startswith(t + "."))} for m, ts in graph.items()}
    index, low, stack, on_stack, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:  # Tarjan
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_pytest_lookalike_modules_in_the_package():
    names = [os.path.relpath(os.path.join(f, n), ROOT) for f, _, files in os.walk(PACKAGE) for n in files
             if n.startswith("test_") and n.endswith(".py")]
    assert not names, f"package modules named like pytest files: {names}"
