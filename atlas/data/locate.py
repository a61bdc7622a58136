"""Where data sets live on disk: the data directory, the search order, and verification.

The data directory is, in order of precedence:

1. the ``data_dir`` argument,
2. the ``ATLAS_DATA_DIR`` environment variable,
3. ``~/.cache/atlas``.

A data set called ``name`` is searched for in ``<data dir>/<name>/``, then in
the data directory itself (so a directory that directly holds the four files
works too), then in the spec's ``extra_dirs`` (for Fashion-MNIST:
``/usr/share/datasets/fashion-mnist``, where Debian's ``dataset-fashion-mnist``
installs it). The first directory whose four files all match their SHA-256 is used.
A corrupt copy met on the way (a file of the right name and the wrong checksum)
is never read; if a verified copy is found elsewhere, the corrupt one is reported
as a :class:`~atlas.data.errors.DataWarning` naming both files.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

from atlas.data.datasets import DatasetSpec, FileSpec
from atlas.data.errors import DataWarning

ENV_VAR = "ATLAS_DATA_DIR"
"""The environment variable naming the data directory."""

DEFAULT_DATA_DIR = Path("~/.cache/atlas")
"""The data directory when neither an argument nor :data:`ENV_VAR` names one."""


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: ``path`` if given, else ``$ATLAS_DATA_DIR``, else ``~/.cache/atlas``."""
    if path is None:
        path = os.environ.get(ENV_VAR) or DEFAULT_DATA_DIR
    return Path(path).expanduser()


def search_dirs(spec: DatasetSpec, path: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    """The directories searched for ``spec``'s files, in order, without repeats."""
    root = data_dir(path)
    ordered = [root / spec.name, root, *spec.extra_dirs]
    return tuple(dict.fromkeys(ordered))


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file at ``path``, as 64 lowercase hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def mismatch(path: Path, file: FileSpec) -> str | None:
    """Why the file at ``path`` is not ``file`` (a one-line reason), or None if it is."""
    try:
        actual = sha256_of(path)
    except OSError as error:
        return f"{path}: cannot read: {error.strerror or error}"
    if file.accepts(actual):
        return None
    return f"{path}: SHA-256 {actual} does not match the expected {file.sha256}"


def find(
    spec: DatasetSpec, path: str | os.PathLike[str] | None = None
) -> tuple[Path | None, list[str]]:
    """The first search directory whose four files all verify, and the problems met on the way.

    A directory holding none of the file names is skipped silently; a file
    with the right name and the wrong checksum is reported in the problems
    (as corrupt, or as another data set's file) and never used. If a directory
    of verified files is found after such a file, each one passed over is also a
    :class:`~atlas.data.errors.DataWarning` naming it and the copy used instead.
    """
    problems: list[str] = []
    passed_over: list[tuple[str, str]] = []  # (file name, why its copy was not used)
    for directory in search_dirs(spec, path):
        present = [f for f in spec.files if (directory / f.name).is_file()]
        if not present:
            continue
        bad = [(f.name, reason) for f in present if (reason := mismatch(directory / f.name, f))]
        problems += [reason for _, reason in bad]
        passed_over += bad
        if not bad and len(present) == len(spec.files):
            for name, reason in passed_over:
                warnings.warn(f"{spec.name}: passed over {reason}; using the verified "
                              f"{directory / name}", DataWarning, stacklevel=2)
            return directory, problems
    return None, problems
