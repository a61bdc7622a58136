"""The output directory's bookkeeping for ``atlas render``: content hashes and the manifest.

A figure's *content hash* is the SHA-256 of its name, parameters and output
files, the source bytes of the atlas modules it depends on, and the versions
of numpy, matplotlib and imageio-ffmpeg. ``manifest.json`` in the output
directory records, per figure, that hash, its parameters and the size of every
file it wrote; a figure whose record matches is up to date.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas.cache import source_digest, write_atomic
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
    probe = out / f".atlas-probe.tmp{os.getpid()}"
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        reason = error.strerror or str(error)
        raise PermissionError(f"cannot write to output directory {out} ({reason})") from None


def clean_stale(out: Path) -> list[Path]:
    """Delete temporary files (``*.tmp*``) left behind by a killed run; return them."""
    stale = [p for p in out.rglob("*.tmp*") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale
