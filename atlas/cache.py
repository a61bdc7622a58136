"""What atlas's caches are built from: source digests and atomic files.

Two caches decide whether work can be skipped: ``atlas render``'s manifest
(one content hash per figure) and the learning-rate protocol's results on
disk (one file per surface). Both key their entries by the *source code* of
the atlas modules that determine the result, so editing a formula, an
optimizer or the protocol invalidates exactly what it should, and both write
their files atomically, so a reader sees the old version or the new one,
never half a file.

Nothing here imports numpy or matplotlib: a warm ``atlas render`` that finds
everything up to date stays fast.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


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


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` under a temporary name (``*.tmp<pid>``), then rename it.

    ``atlas render`` removes ``*.tmp*`` files that a killed run left behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
