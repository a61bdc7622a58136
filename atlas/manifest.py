"""The output directory's bookkeeping for ``atlas render``: content hashes, manifest, leftovers.

A figure's *content hash* is the SHA-256 of its name, parameters and output
files, the source bytes of the atlas modules it depends on, and the versions
of numpy, matplotlib and imageio-ffmpeg. ``manifest.json`` in the output
directory records, per figure, that hash, its parameters and the size of every
file it wrote; a figure whose record matches is up to date.

Leftovers: a killed render leaves temporary files behind. :func:`clean_stale`
removes them and nothing else: only names that atlas gives its temporary files
and staged training runs (``.<name>.atlas-tmp-<pid>-<random><suffix>``, see
:func:`atlas.cache.temporary_path` and :mod:`atlas.nn.rundir`), only in the
folders that the catalog writes into (:func:`catalog_folders`), and only those
whose writing process no longer exists. A user's ``notes.tmp.txt``, anything
outside those folders (an ``atlas train`` run, say) and a file that a live
process is still writing are never touched.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import posixpath
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from atlas.cache import source_digest, temp_writer, temporary_path, write_atomic
from atlas.catalog import Figure

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
LIBRARIES = ("numpy", "matplotlib", "imageio-ffmpeg")


def _library_versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in LIBRARIES}


def content_hash(figure: Figure, formats: Sequence[str]) -> str:
    """The figure's content hash for the requested ``formats`` (see the module docstring)."""
    record = {
        "name": figure.name,
        "params": figure.params,
        "outputs": figure.outputs(formats),
        "modules": {m: source_digest(m) for m in sorted(set(figure.modules))},
        "libraries": _library_versions(),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest's ``figures`` table (empty if there is none or it is unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    return dict(data.get("figures", {}))


def write_manifest(out: Path, figures: dict[str, Any]) -> None:
    """Replace the manifest atomically with ``figures`` (sorted keys: stable bytes)."""
    text = json.dumps({"version": MANIFEST_VERSION, "figures": figures}, sort_keys=True, indent=1)
    write_atomic(out / MANIFEST, (text + "\n").encode("utf-8"))


def up_to_date(record: dict[str, Any] | None, digest: str, out: Path) -> bool:
    """Whether a manifest ``record`` has hash ``digest`` and all its files, at their sizes."""
    if not record or record.get("hash") != digest:
        return False
    for file, size in record.get("files", {}).items():
        path = out / file
        if not path.is_file() or path.stat().st_size != size:
            return False
    return True


def check_writable(out: Path) -> None:
    """Create ``out`` and write a probe file there, or raise one clear PermissionError."""
    probe = temporary_path(out / "atlas-probe")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise PermissionError(f"cannot write to output directory {out} ({reason})") from None


def catalog_folders(figures: Iterable[Figure]) -> set[str]:
    """The folders (relative to the output directory) that ``figures`` write into.

    The folder of each output file (``race/sphere`` for ``race/sphere/3d.mp4``)
    and the folder named like the figure (where an MNIST run entry keeps its run).
    """
    return {folder for f in figures
            for folder in (f.name, *(posixpath.dirname(o) for o in f.outputs()))}  # fmt: skip


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (signal 0 sends nothing, it only checks)."""
    if pid <= 0:  # such a kill() would address a process group, not a writer
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        pass
    return True


def clean_stale(out: Path, folders: Iterable[str]) -> list[Path]:
    """Delete the temporary files of dead atlas processes in ``out`` and ``folders``; return them.

    ``folders`` are relative to ``out``; their subfolders are not searched,
    but a temporary *directory* (a training run being staged) goes as a whole.
    Call it while holding the output directory's lock (:func:`atlas.outdir.locked`).
    """
    stale = []
    for folder in sorted({out, *(out / f for f in folders)}):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            pid = temp_writer(path)
            if pid is None or _alive(pid):
                continue
            if path.is_dir() and not path.is_symlink():  # a run staged by atlas.nn.rundir
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            stale.append(path)
    return stale
