"""The package is layered without loops: every import of every module (late, function-level ones
included, read from the source with `ast`) points one way, core imports nothing from the front ends
(gui, tasks, processing, toolbelt, cli, worker) and nothing from QGIS or Qt."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = "digisat_plugin"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
FRONT_ENDS = ("gui", "tasks", "processing", "toolbelt", "cli", "worker")
NOT_IN_CORE = ("qgis", "PyQt5", "PyQt6", "sip")
# The layers of core, lowest first: each may import only from the layers below it (definitions,
# errors, progress and runtime are below all). train and quality share a rank: neither imports the other.
# The pipelines (sr.engine, catalog.pipeline, batch, series, indices) sit above all of them.
CORE_RANK = {"io": 1, "catalog": 1.5, "sr": 2, "wald": 3, "train": 4, "quality": 4}
BASE = ("definitions", "errors", "progress", "runtime")
PIPELINES = ("core.sr.engine", "core.catalog.pipeline")  # in sr and catalog by place, pipelines by role


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py")) if "__pycache__" not in p.parts}


def imports_of(name: str, path: Path, known: dict) -> set:
    """Every module of the package (and every outside top-level name) that `name` imports anywhere."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from . import x` / `from .pkg import mod`: the submodule when it is one, else the module
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in known else target)
    return {resolve(t, known) for t in out if t}


def resolve(target: str, known: dict) -> str:
    """The package module an import names (x.y.z -> the longest known prefix), or the outside name."""
    if not target.startswith(PACKAGE):
        return target
    parts = target.split(".")
    while parts and ".".join(parts) not in known:
        parts.pop()
    return ".".join(parts)


def graph() -> dict:
    known = modules()
    edges = {}
    for name, path in known.items():
        targets = imports_of(name, path, known)
        # a module importing its own package's __init__ (e.g. `from . import x` resolved to the package)
        # is not a dependency on the package's other modules; importing a parent package is skipped too
        edges[name] = {t for t in targets if t in known and t != name}
        edges[name + " (outside)"] = {t.split(".")[0] for t in targets if not t.startswith(PACKAGE)}
    return edges


def find_cycles(edges: dict) -> list:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in [k for k in edges if not k.endswith(" (outside)")]:
        if v not in index:
            visit(v)
    return out


def test_the_walk_sees_late_imports():
    edges = graph()
    # processing/evaluate imports core.quality.evaluate inside a function only
    assert f"{PACKAGE}.core.quality.evaluate" in edges[f"{PACKAGE}.processing.evaluate"]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert [core_layer(f"{PACKAGE}.core.{m}") for m in ("sr.engine", "sr.predict", "wald", "io.raster")] == [
        "pipeline", "sr", "wald", "io"]


def test_no_import_cycle():
    edges = {k: v for k, v in graph().items() if not k.endswith(" (outside)")}
    assert find_cycles(edges) == []


def core_layer(module: str) -> str:
    """'io', 'sr', 'wald', 'train', 'quality', ... for a core module; 'pipeline' for PIPELINES."""
    rest = module.removeprefix(f"{PACKAGE}.")
    if rest.startswith(PIPELINES):
        return "pipeline"
    return rest.split(".")[1] if rest.startswith("core.") and rest.count(".") >= 1 else rest


def test_core_layers_point_one_way():
    edges = {k: v for k, v in graph().items() if not k.endswith(" (outside)")}
    packages, wrong = {}, []
    for name, targets in edges.items():
        if not name.startswith(f"{PACKAGE}.core."):
            continue
        a = core_layer(name)
        for target in targets:
            b = core_layer(target)
            if a == b or not target.startswith(f"{PACKAGE}.core."):
                continue
            packages.setdefault(a, set()).add(b)
            if a in CORE_RANK and b not in BASE and CORE_RANK.get(b, 99) >= CORE_RANK[a]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []
    assert find_cycles(packages) == []


def test_the_package_imports_no_study():
    """research/ (outside the plugin) may import the package, never the other way round."""
    assert [n for n, t in graph().items() if n.endswith(" (outside)") and "research" in t] == []


def test_core_imports_no_front_end_and_no_qt():
    edges = graph()
    bad = []
    for name, targets in edges.items():
        if not name.startswith(f"{PACKAGE}.core"):
            continue
        if name.endswith(" (outside)"):
            bad += [f"{name[:-10]} -> {t}" for t in targets if t in NOT_IN_CORE]
        else:
            bad += [f"{name} -> {t}" for t in targets
                    if any(t == f"{PACKAGE}.{f}" or t.startswith(f"{PACKAGE}.{f}.") for f in FRONT_ENDS)]
    assert bad == []
