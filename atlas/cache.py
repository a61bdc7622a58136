"""Atomic files, the temporary names atlas gives them, and a digest of source code.

Whether ``atlas render`` can skip an entry is decided by its content key
(:mod:`atlas.keys`: the source of every module its build imports) and its
manifest record (:mod:`atlas.manifest`); every file it writes goes through
:func:`write_atomic`, so a reader sees the old version or the new one, never
half a file. :func:`source_digest` digests a whole package's source (the book
build uses it for ``atlas``: its notebooks' outputs are kept only while the
package is unchanged).

Every temporary file atlas writes is named by :func:`temporary_path`:
``.<name>.atlas-tmp-<pid>-<random><suffix>``, hidden, distinctive, and naming
the process that writes it, so ``atlas render`` can remove exactly the ones
that a killed process left behind and nothing else (:func:`temp_writer`).

Nothing here imports numpy or matplotlib: a warm ``atlas render`` that finds
everything up to date stays fast.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from atlas.workers import replace

PACKAGE_DIR = Path(__file__).resolve().parent
#: A temporary file's name: the final name, the writer's PID, a random token, the suffix.
TEMP_NAME = re.compile(r"\.(?P<name>.+)\.atlas-tmp-(?P<pid>[0-9]+)-[0-9a-f]+(\.\w+)?")


def module_files(module: str) -> tuple[Path, list[Path]]:
    """The source files of an atlas module (every ``.py`` file of a package), found by path.

    Found without importing anything, so hashing stays cheap.
    """
    parts = module.split(".")
    if parts[0] != "atlas":
        raise ValueError(f"dependencies must be atlas modules, got {module!r}")
    base = PACKAGE_DIR.joinpath(*parts[1:])
    if base.is_dir() and (base / "__init__.py").is_file():
        return base, sorted(base.rglob("*.py"))
    if base.with_suffix(".py").is_file():
        return base.parent, [base.with_suffix(".py")]
    raise ValueError(f"depends on module {module!r}, which does not exist")


def source_digest(module: str, _memo: dict[str, str] = {}) -> str:  # noqa: B006
    """SHA-256 of a module's source files (names and bytes); each is read once per process."""
    if module not in _memo:
        root, files = module_files(module)
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
        _memo[module] = digest.hexdigest()
    return _memo[module]


def temporary_path(path: str | os.PathLike) -> Path:
    """A fresh name next to ``path``: ``.<name>.atlas-tmp-<this pid>-<random><suffix>``.

    The suffix is kept for tools that choose a format by extension (ffmpeg).
    """
    path = Path(path)
    token = secrets.token_hex(6)
    return path.with_name(f".{path.name}.atlas-tmp-{os.getpid()}-{token}{path.suffix}")


def temp_writer(path: str | os.PathLike) -> int | None:
    """The PID that wrote ``path`` if it is named by :func:`temporary_path`, else ``None``."""
    match = TEMP_NAME.fullmatch(Path(path).name)
    return int(match["pid"]) if match else None


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` under a :func:`temporary_path`, then rename it into place.

    A reader sees the old file or the new one, never half of one; on any error
    (``KeyboardInterrupt`` included) the temporary file is removed. The rename
    is :func:`atlas.workers.replace`: a worker whose render died publishes nothing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
