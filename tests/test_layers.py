"""actlib's modules form layers: no import cycle.

No function-level imports between them, lazy submodules.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import actlib

PKG = Path(actlib.__file__).resolve().parent
MODULES = sorted(p.stem for p in PKG.glob("*.py") if p.stem != "__init__")
LEAVES = {"_version", "functions", "numerics", "validate", "stats"}


def actlib_imports(name):
    """Return [(imported module, line, at module level?)] for name.py.

    One entry for every import of an actlib module in name.py.
    """
    tree = ast.parse((PKG / f"{name}.py").read_text())
    top = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:  # from .x import y
                targets = [node.module.split(".")[0]]
            elif node.level == 1:  # from . import x, y
                targets = [a.name for a in node.names]
            elif (node.module or "").split(".")[0] == "actlib":
                rest = (node.module or "").split(".")[1:]
                targets = rest[:1] or [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [
                a.name.split(".")[1] for a in node.names if a.name.startswith("actlib.")
            ]
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) == "__import__"
        ):
            targets = [
                "actlib"
            ]  # __import__('actlib') hides a dependency on the package itself
        for t in targets:
            found.append((t, node.lineno, id(node) in top))
    return found


def graph():
    return {m: sorted({t for t, _, _ in actlib_imports(m)}) for m in MODULES}


def find_cycle(edges):
    """Return one cycle as a list of modules, or None.

    The search is depth-first, with colours.
    """
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in edges.get(m, ()):
            if state.get(n) == "open":
                return stack[stack.index(n) :] + [n]
            if n not in state:
                cycle = visit(n)
                if cycle:
                    return cycle
        stack.pop()
        state[m] = "done"
        return None

    for m in edges:
        if m not in state:
            cycle = visit(m)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None


def test_no_import_cycle_between_actlib_modules():
    edges = graph()
    unknown = {t for ts in edges.values() for t in ts} - set(MODULES)
    assert not unknown, f"imports of names that are not actlib modules: {unknown}"
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_function_level_imports_between_actlib_modules():
    late = [
        f"{m}.py:{line} imports {t}"
        for m in MODULES
        for t, line, top in actlib_imports(m)
        if not top
    ]
    assert not late, (
        "function-level imports hide the real layering; import at the top: "
        + "; ".join(late)
    )


def test_leaf_modules_import_no_other_actlib_module_except_validate_and_version():
    for m in LEAVES:
        allowed = (
            {"validate", "_version"} if m not in ("validate", "_version") else set()
        )
        assert set(graph()[m]) <= allowed, f"{m} is a leaf but imports {graph()[m]}"
    assert set(graph()["env"]) <= LEAVES, graph()["env"]
    assert set(graph()["registry"]) <= LEAVES, graph()["registry"]


def test_every_submodule_is_reachable_and_listed():
    assert set(actlib.SUBMODULES) == {m for m in MODULES if not m.startswith("_")}
    for m in actlib.SUBMODULES:
        assert getattr(actlib, m).__name__ == f"actlib.{m}"
    with pytest.raises(AttributeError, match="submodules are"):
        actlib.nonexistent_module  # noqa: B018


def test_import_actlib_stays_light_even_after_touching_submodules():
    code = (
        "import actlib, sys; before = ('matplotlib.pyplot' in sys.modules, "
        "'ipywidgets' in sys.modules); [getattr(actlib, m) for m in "
        "actlib.SUBMODULES]; print(*before, 'matplotlib.pyplot' in sys.modules, "
        "'ipywidgets' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False"] * 4, out


def test_python_m_bench_does_not_warn_about_a_double_import():
    out = subprocess.run(
        [sys.executable, "-W", "error::RuntimeWarning", "-m", "actlib.bench", "--help"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
