"""Content keys that cannot go stale: the import graph of atlas, read from its source.

A catalog entry's *key* (:func:`entry_key`) is the SHA-256 of everything that
determines what its build function writes: its name, kind, parameters and
files, the source bytes of every atlas module that the build function's module
imports, directly or transitively, the keys of the entries it needs, and the
versions of the libraries that shape the bytes. Nobody types the module list:
:class:`ImportGraph` reads it from the code.

The rules of the graph:

* every ``import`` and ``from ... import`` statement counts, at any depth of a
  module (function-local imports included), relative ones resolved;
* ``import atlas.a.b`` and ``from atlas.a import b`` (``b`` a submodule) depend
  on ``atlas.a.b``; ``from atlas.a import name`` (a name defined in
  ``atlas/a/__init__.py``) on the package ``atlas.a``, that is its ``__init__``;
* importing a submodule does not make its *parent packages* dependencies (they
  run, but they only re-export and fill their registries from their own
  submodules, which reach every user through the package import, e.g.
  ``from atlas import surfaces``).

Parsing all of atlas costs about a second, too much for a warm ``atlas render``
that finds everything up to date; so each module's imports are remembered by
the SHA-256 of its source (:meth:`ImportGraph.table`, which ``atlas render``
keeps in its manifest), and only a changed file is parsed again. Nothing here
imports numpy or matplotlib.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = "atlas"
PACKAGE_DIR = Path(__file__).resolve().parent
#: The libraries whose versions are part of every key (they shape the bytes written).
LIBRARIES = ("numpy", "matplotlib", "imageio-ffmpeg", "pillow")


def find_modules(root: Path = PACKAGE_DIR, package: str = PACKAGE) -> dict[str, Path]:
    """Every module of the package under ``root``: dotted name -> source file."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((package, *parts))] = path
    return found


def _statements(body: list[ast.stmt], depth: int) -> Iterable[tuple[ast.stmt, int]]:
    """Every statement of ``body`` with its nesting depth (0: the module's own level)."""
    for statement in body:
        yield statement, depth
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(statement, name, None)
            if isinstance(inner, list):
                yield from _statements(inner, depth + 1)
        for handler in getattr(statement, "handlers", ()):
            yield from _statements(handler.body, depth + 1)
        for case in getattr(statement, "cases", ()):
            yield from _statements(case.body, depth + 1)


def parse_imports(source: bytes, module: str, is_package: bool,
                  modules: Mapping[str, Any]) -> tuple[list[str], list[str]]:  # fmt: skip
    """The atlas modules that ``source`` imports: ``(at any depth, at module level)``.

    ``module`` is the dotted name of the source (``is_package`` if it is an
    ``__init__``), ``modules`` every module of the package, so that
    ``from atlas.a import b`` can tell a submodule from a name.
    """
    anywhere: set[str] = set()
    top: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for statement, depth in _statements(ast.parse(source).body, 0):
        found = _resolve(statement, package, modules)
        anywhere |= found
        if depth == 0:
            top |= found
    anywhere.discard(module)
    top.discard(module)
    return sorted(anywhere), sorted(top)


def _resolve(statement: ast.stmt, package: str, modules: Mapping[str, Any]) -> set[str]:
    if isinstance(statement, ast.Import):
        return {m for alias in statement.names if (m := _existing(alias.name, modules))}
    if not isinstance(statement, ast.ImportFrom):
        return set()
    base = statement.module or ""
    if statement.level:
        parts = package.split(".")
        parts = parts[: len(parts) - (statement.level - 1)]
        base = ".".join([*parts, *([base] if base else [])])
    if base != PACKAGE and not base.startswith(PACKAGE + "."):
        return set()
    found = set()
    for alias in statement.names:
        submodule = f"{base}.{alias.name}"
        if submodule in modules:
            found.add(submodule)
        elif (m := _existing(base, modules)) is not None:
            found.add(m)
    return found


def _existing(name: str, modules: Mapping[str, Any]) -> str | None:
    """``name`` if it is an atlas module, else its longest prefix that is one (or None)."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    while name not in modules and "." in name:
        name = name.rpartition(".")[0]
    return name if name in modules else None


class ImportGraph:
    """The import graph of the atlas package on disk, each module parsed at most once.

    ``known`` is a table from an earlier run (:meth:`table`): a module whose
    source has the digest recorded there is not parsed again.
    """

    def __init__(self, root: Path = PACKAGE_DIR, known: Mapping[str, Any] | None = None) -> None:
        self.root = root
        self.modules = find_modules(root)
        self.known = dict(known or {})
        self._digests: dict[str, str] = {}
        self._imports: dict[str, tuple[list[str], list[str]]] = {}
        self._closures: dict[str, frozenset[str]] = {}

    def digest(self, module: str) -> str:
        """SHA-256 of the module's source file."""
        if module not in self._digests:
            self._digests[module] = hashlib.sha256(self.modules[module].read_bytes()).hexdigest()
        return self._digests[module]

    def _parsed(self, module: str) -> tuple[list[str], list[str]]:
        if module not in self._imports:
            if module not in self.modules:
                raise ValueError(f"{module!r} is not a module of {self.root}")
            record = self.known.get(module)
            if isinstance(record, dict) and record.get("digest") == self.digest(module):
                self._imports[module] = (list(record["imports"]), list(record["top"]))
            else:
                path = self.modules[module]
                self._imports[module] = parse_imports(path.read_bytes(), module,
                                                      path.name == "__init__.py", self.modules)
        return self._imports[module]

    def imports(self, module: str) -> list[str]:
        """The atlas modules ``module`` imports anywhere in its source."""
        return self._parsed(module)[0]

    def top_level_imports(self, module: str) -> list[str]:
        """The atlas modules ``module`` imports at its own level (run when it is imported)."""
        return self._parsed(module)[1]

    def closure(self, module: str) -> frozenset[str]:
        """``module`` and every atlas module it imports, directly or transitively."""
        if module not in self._closures:
            seen, todo = {module}, [module]
            while todo:
                for child in self.imports(todo.pop()):
                    if child not in seen:
                        seen.add(child)
                        todo.append(child)
            self._closures[module] = frozenset(seen)
        return self._closures[module]

    def sources(self, module: str) -> dict[str, str]:
        """``{module: source digest}`` for the closure of ``module``."""
        return {m: self.digest(m) for m in sorted(self.closure(module))}

    def table(self) -> dict[str, Any]:
        """What was learnt, to pass back as ``known``: digest and imports of each parsed module."""
        return {m: {"digest": self.digest(m), "imports": i, "top": t}
                for m, (i, t) in sorted(self._imports.items())}  # fmt: skip


@cache
def library_versions() -> dict[str, str]:
    """The installed versions of :data:`LIBRARIES` (``"none"`` for one that is missing)."""
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "none"
    return versions


def entry_key(record: Mapping[str, Any], module: str, graph: ImportGraph,
              needs: Mapping[str, str]) -> str:  # fmt: skip
    """SHA-256 of an entry: its ``record`` (name, kind, params, files), the sources of
    ``module`` (its build function's) and everything it imports, and the keys of its ``needs``."""
    content = {
        "entry": dict(record),
        "sources": graph.sources(module),
        "needs": dict(sorted(needs.items())),
        "libraries": library_versions(),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
