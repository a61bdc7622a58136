"""Keys that cannot go stale: the import graph read from atlas's source, and what it forbids.

* the graph's rules (imports at any depth, relative ones, submodules against names);
* a deep edit in a copy of the package redraws exactly the entries that depend on it;
* the package's shape: no import cycle at module level, no module over 300 lines, and
  ``atlas/viz`` runs no trajectory, learning-rate, race or training code.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atlas import keys

PACKAGE = Path(keys.__file__).resolve().parent
MODULES = {"atlas": None, "atlas.a": None, "atlas.a.b": None, "atlas.a.c": None, "atlas.d": None}


def _imports(source: str, module: str = "atlas.a.b", package: bool = False):
    return keys.parse_imports(source.encode(), module, package, MODULES)


def test_imports_at_any_depth_count_once_and_module_level_ones_are_told_apart():
    source = """
import numpy as np
from atlas.a import c
def f():
    from atlas import d
    if True:
        import atlas.a
class C:
    def g(self):
        try:
            from atlas.a.c import name
        except ImportError:
            pass
"""
    anywhere, top = _imports(source)
    assert anywhere == ["atlas.a", "atlas.a.c", "atlas.d"] and top == ["atlas.a.c"]


def test_a_name_from_a_package_is_its_init_a_submodule_is_itself():
    assert _imports("from atlas.a import name, c")[0] == ["atlas.a", "atlas.a.c"]
    assert _imports("from atlas import something")[0] == ["atlas"]
    assert _imports("import atlas.a.b.name")[0] == []  # itself: not a dependency
    assert _imports("import atlas.a.c.name")[0] == ["atlas.a.c"]  # a name inside a module


def test_relative_imports_resolve_against_the_package():
    assert _imports("from . import c")[0] == ["atlas.a.c"]
    assert _imports("from .c import x")[0] == ["atlas.a.c"]
    assert _imports("from .. import d")[0] == ["atlas.d"]
    assert _imports("from . import c", module="atlas.a", package=True)[0] == ["atlas.a.c"]


def test_closure_and_the_remembered_table(tmp_path):
    root = tmp_path / "atlas"
    (root / "a").mkdir(parents=True)
    (root / "__init__.py").write_text("from atlas import d\n")
    (root / "a" / "__init__.py").write_text("")
    (root / "a" / "b.py").write_text("def f():\n    from atlas.a import c\n")
    (root / "a" / "c.py").write_text("import math\n")
    (root / "d.py").write_text("from .a import b\n")
    graph = keys.ImportGraph(root)
    assert graph.closure("atlas.d") == {"atlas.d", "atlas.a.b", "atlas.a.c"}
    assert graph.closure("atlas.a.c") == {"atlas.a.c"}  # its parents are not its dependencies
    table = graph.table()
    remembered = keys.ImportGraph(root, known={**table, "atlas.a.c": {
        "digest": table["atlas.a.c"]["digest"], "imports": ["atlas.d"], "top": []}})
    assert "atlas.d" in remembered.closure("atlas.a.c")  # a known digest is not parsed again
    (root / "a" / "c.py").write_text("import math  # edited\n")
    fresh = keys.ImportGraph(root, known=remembered.table())
    assert fresh.closure("atlas.a.c") == {"atlas.a.c"}  # an edited file is parsed again
    assert fresh.sources("atlas.a.b")["atlas.a.c"] != remembered.sources("atlas.a.b")["atlas.a.c"]


def test_keys_import_no_numpy():
    """A warm render computes keys for every entry: that must not need numpy or matplotlib."""
    code = ("import sys, importlib.util\n"
            "spec = importlib.util.spec_from_file_location('keys', sys.argv[1])\n"
            "keys = importlib.util.module_from_spec(spec); spec.loader.exec_module(keys)\n"
            "keys.ImportGraph(keys.PACKAGE_DIR.__class__(sys.argv[2])).closure('atlas.render')\n"
            "print(sorted(m for m in ('numpy', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code, keys.__file__, str(PACKAGE)],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------- a deep edit, in a copy


def test_a_deep_edit_redraws_exactly_the_entries_that_depend_on_it(tmp_path):
    """Booth's start point (a constant of atlas/surfaces/classics.py, three imports below the
    race's build function) is edited in a copy of the package: its sweep, its runs and its
    race are redrawn; the activation, loss and graph figures are up to date."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "atlas", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    selection = ["race/booth/gap", "activation/relu", "loss/mse", "graph/linear"]
    environment = {**os.environ, "PYTHONPATH": str(copy)}

    def render() -> str:
        result = subprocess.run(
            [sys.executable, "-m", "atlas", "render", *selection, "--quick", "--jobs", "1",
             "--out", str(out)], capture_output=True, text=True, env=environment, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        return result.stderr

    first = render()
    assert "6/6 rendered" in first and "learning_rates/booth" in first
    assert "race_runs/booth" in first
    classics = copy / "atlas" / "surfaces" / "classics.py"
    text = classics.read_text()
    assert text.count("start=(-8.0, 7.0)") == 1
    classics.write_text(text.replace("start=(-8.0, 7.0)", "start=(-8.0, 6.0)"))
    second = render()
    redrawn = sorted(line.split()[2] for line in second.splitlines() if " rendered " in line)
    assert redrawn == ["learning_rates/booth", "race/booth/gap", "race_runs/booth"]
    assert "3 up to date" in second
    third = render()
    assert "6 up to date" in third and " rendered " not in third


# ---------------------------------------------------------------------- the package's shape


def _graph() -> keys.ImportGraph:
    return keys.ImportGraph()


def test_no_import_cycle_among_atlas_modules_at_module_level():
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for child in graph.top_level_imports(module):
            if state.get(child) == 1:
                cycle = [*path[path.index(child):], child]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if child not in state:
                visit(child)
        path.pop()
        state[module] = 2

    for module in sorted(graph.modules):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(_graph().modules))
def test_every_module_is_at_most_300_lines(module):
    lines = len(_graph().modules[module].read_text(encoding="utf-8").splitlines())
    assert lines <= 300, f"{module} has {lines} lines"


#: What viz must not run: computations, searches, races and training.
COMPUTING = ("atlas.trajectory", "atlas.learning_rates", "atlas.protocol",
             "atlas.races", "atlas.nn", "atlas.examples", "atlas.explorer", "atlas.catalog")


def _runtime_imports(path: Path) -> list[str]:
    """The atlas modules ``path`` imports when it runs (``if TYPE_CHECKING:`` blocks aside:
    annotations only)."""
    tree = ast.parse(path.read_bytes())

    class Collect(ast.NodeVisitor):
        def __init__(self) -> None:
            self.found: list[str] = []

        def visit_If(self, node: ast.If) -> None:
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name != "TYPE_CHECKING":
                self.generic_visit(node)
            else:
                for child in node.orelse:
                    self.visit(child)

        def visit_Import(self, node: ast.Import) -> None:
            self.found += [alias.name for alias in node.names]

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            base = node.module or ""
            self.found += [base] + [f"{base}.{alias.name}" for alias in node.names]

    collect = Collect()
    collect.visit(tree)
    return collect.found


#: Race drawings that still import the races' domain modules (their types, format_lr, the
#: protocol's targets, run_race for the old entry points): the races' own work, reported in
#: issue 10. Strict: a module that no longer does must leave this list.
PENDING: set[str] = set()


def _viz_modules() -> list:
    return [pytest.param(path, id=path.stem, marks=pytest.mark.xfail(
                strict=True, reason="imports the races' domain modules (issue 10, pending)"))
            if path.stem in PENDING else pytest.param(path, id=path.stem)
            for path in sorted((PACKAGE / "viz").glob("*.py"))]  # fmt: skip


@pytest.mark.parametrize("path", _viz_modules())
def test_viz_runs_no_trajectory_race_or_training_code(path):
    bad = sorted({name for name in _runtime_imports(path)
                  for forbidden in COMPUTING
                  if name == forbidden or name.startswith(forbidden + ".")})  # fmt: skip
    assert bad == [], f"atlas/viz/{path.name} imports {bad}: viz only draws what it is handed"


def test_the_viz_check_sees_imports_in_functions_and_skips_type_checking_blocks(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from atlas.nn import SavedRun\n"
                      "def f():\n    from atlas.trajectory import trajectory\n")
    found = _runtime_imports(source)
    assert "atlas.trajectory" in found and "atlas.nn" not in found


#: The one artifact that draws: the explorer's data holds the surfaces' background images.
DRAWING_ARTIFACTS = {"explorer"}


def test_no_artifact_key_covers_a_drawing():
    """Restyling a figure (anything in atlas.viz) never reruns a sweep, a basin map or a
    training run: every artifact's build lives in a module whose imports reach no viz."""
    from atlas import catalog

    graph = keys.ImportGraph()
    drawn = {e.name: sorted(m for m in graph.closure(e.module) if m.startswith("atlas.viz"))
             for e in catalog.entries() if e.artifact}
    assert drawn and {name for name, viz in drawn.items() if viz} == DRAWING_ARTIFACTS
    assert not drawn["learning_rates/rosenbrock"] and not drawn["mnist/runs/main"]
