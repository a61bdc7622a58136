"""The output directory's bookkeeping for ``atlas render``: the manifest, and leftovers.

``manifest.json`` in the output directory records, per catalog entry, its
content key (:func:`atlas.keys.entry_key`), its parameters, the size of every
file it wrote and how long it took; an entry whose record has its current key
and whose files are all there, at their sizes, is up to date. The manifest
also keeps the import graph's table (:meth:`atlas.keys.ImportGraph.table`), so
a warm render parses no source that has not changed. It is the only cache of
the render: the learning-rate sweeps and the trained runs are catalog
artifacts, recorded here like every figure.

Leftovers: a killed render leaves temporary files behind. :func:`clean_stale`
removes them and nothing else: only names that atlas gives its temporary files
and staged directories (``.<name>.atlas-tmp-<pid>-<random><suffix>``, see
:func:`atlas.cache.temporary_path` and :mod:`atlas.nn.rundir`), only in the
folders that the catalog writes into (:func:`catalog_folders`), and only those
whose writing process no longer exists. A user's ``notes.tmp.txt``, anything
outside those folders (an ``atlas train`` run, say) and a file that a live
process is still writing are never touched.
"""

from __future__ import annotations

import json
import os
import posixpath
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from atlas.cache import temp_writer, temporary_path, write_atomic
from atlas.catalog.entry import Entry

MANIFEST = "manifest.json"
MANIFEST_VERSION = 2


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest: ``{"entries": {name: record}, "imports": table}`` (empty if there is
    none, it is unreadable or of another version)."""
    empty: dict[str, Any] = {"entries": {}, "imports": {}}
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return empty
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return empty
    return {"entries": dict(data.get("entries") or {}), "imports": dict(data.get("imports") or {})}


def write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    """Replace the manifest atomically: sorted keys (stable bytes), one entry a line.

    A render writes it after every entry, so that a killed render loses none; compact
    lines keep that to json's C encoder (``indent=`` takes its Python one, 5x slower).
    """
    def compact(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"))

    entries = ",\n".join(f"{compact(name)}:{compact(record)}"
                         for name, record in sorted(manifest["entries"].items()))  # fmt: skip
    entries = f"\n{entries}\n" if entries else ""
    text = (f'{{"entries":{{{entries}}},\n"imports":{compact(manifest["imports"])},\n'
            f'"version":{MANIFEST_VERSION}}}\n')  # fmt: skip
    write_atomic(out / MANIFEST, text.encode("utf-8"))


def up_to_date(record: dict[str, Any] | None, key: str, out: Path) -> bool:
    """Whether a manifest ``record`` has the key ``key`` and all its files, at their sizes."""
    if not record or record.get("key") != key:
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


def catalog_folders(entries: Iterable[Entry]) -> set[str]:
    """The folders (relative to the output directory) that ``entries`` write into.

    The folder of each output file (``race/sphere`` for ``race/sphere/3d.mp4``,
    ``mnist/runs/main`` for a run's ``results.json``) and the folder an entry's
    name lies in (where a run directory is staged beside its final name).
    """
    return {posixpath.dirname(path) for e in entries for path in (e.name, *e.outputs())}


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
