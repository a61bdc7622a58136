"""``atlas render``: draw the catalog's figures, redrawing only what changed.

Each figure has a *content hash*: the SHA-256 of its name, parameters and
output files, the source bytes of the atlas modules it depends on, and the
versions of numpy, matplotlib and imageio-ffmpeg. ``manifest.json`` in the
output directory records, per figure, that hash, its parameters and the size
of every file it wrote. A figure whose hash matches the manifest and whose
files are all present is skipped, so a second run does no work.

Robustness: every file is written under a temporary name and renamed into
place; the manifest is rewritten (atomically) after each finished figure, so
an interrupted run loses at most the figures in flight, and stale ``*.tmp*``
files of a killed run are removed when the next run starts.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from atlas import catalog
from atlas.catalog import Figure

MANIFEST = "manifest.json"
PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST_VERSION = 1
LIBRARIES = ("numpy", "matplotlib", "imageio-ffmpeg")

#: ``progress(done, total, name, status)`` is called after each figure;
#: status is "rendered" or "skipped".
Progress = Callable[[int, int, str, str], None]


@dataclass(frozen=True)
class RenderReport:
    """What a render did: figures drawn and figures found up to date."""

    rendered: tuple[str, ...]
    skipped: tuple[str, ...]
    out: Path


def default_out() -> Path:
    """``book/_generated`` under the repository root, else under the current directory.

    The repository root is the directory above the ``atlas`` package that
    holds ``_toc.yml`` (the Jupyter Book's table of contents).
    """
    root = Path(__file__).resolve().parent.parent
    base = root if (root / "_toc.yml").is_file() else Path.cwd()
    return base / "book" / "_generated"


# ----------------------------------------------------------------------------- hashing


def _module_files(module: str) -> tuple[Path, list[Path]]:
    """The source files of an atlas module (every ``.py`` file of a package), found by path.

    Found without importing anything, so hashing the catalog stays cheap.
    """
    parts = module.split(".")
    if parts[0] != "atlas":
        raise ValueError(f"figure dependencies must be atlas modules, got {module!r}")
    base = PACKAGE_DIR.joinpath(*parts[1:])
    if base.is_dir() and (base / "__init__.py").is_file():
        return base, sorted(base.rglob("*.py"))
    if base.with_suffix(".py").is_file():
        return base.parent, [base.with_suffix(".py")]
    raise ValueError(f"figure depends on module {module!r}, which does not exist")


def _module_source_digest(module: str, _cache: dict[str, str] = {}) -> str:  # noqa: B006
    """SHA-256 of a module's source files; each module is read once per process."""
    if module not in _cache:
        root, files = _module_files(module)
        digest = hashlib.sha256()
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
        _cache[module] = digest.hexdigest()
    return _cache[module]


def _library_versions() -> dict[str, str]:
    return {name: importlib.metadata.version(name) for name in LIBRARIES}


def content_hash(figure: Figure, formats: Sequence[str]) -> str:
    """The figure's content hash for the requested ``formats`` (see the module docstring)."""
    record = {
        "name": figure.name,
        "params": figure.params,
        "outputs": figure.outputs(formats),
        "modules": {m: _module_source_digest(m) for m in sorted(set(figure.modules))},
        "libraries": _library_versions(),
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------------------- manifest


def _write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_manifest(out: Path) -> dict[str, Any]:
    """The manifest's ``figures`` table (empty if there is none or it is unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return {}
    return dict(data.get("figures", {}))


def _write_manifest(out: Path, figures: dict[str, Any]) -> None:
    text = json.dumps({"version": MANIFEST_VERSION, "figures": figures}, sort_keys=True, indent=1)
    _write_text_atomic(out / MANIFEST, text + "\n")


def _up_to_date(record: dict[str, Any] | None, digest: str, out: Path) -> bool:
    if not record or record.get("hash") != digest:
        return False
    for file, size in record.get("files", {}).items():
        path = out / file
        if not path.is_file() or path.stat().st_size != size:
            return False
    return True


# --------------------------------------------------------------------------- rendering


def _check_writable(out: Path) -> None:
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


def draw_figure(name: str, out: str, formats: tuple[str, ...], quick: bool) -> str:
    """Draw one figure by name (a worker's entry point; picklable, spawn-safe)."""
    figure = catalog.get(name, quick=quick)
    path = Path(out) / figure.name
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.draw(path, figure.formats_for(formats), **figure.params)
    missing = [f for f in figure.outputs(formats) if not (Path(out) / f).is_file()]
    if missing:
        raise RuntimeError(f"figure {name!r} did not write {', '.join(missing)}")
    return name


def _terminal_progress(stream: TextIO) -> Progress:
    """A progress bar with ``\\r`` updates on a terminal, plain lines otherwise."""
    start = time.perf_counter()
    tty = stream.isatty()

    def report(done: int, total: int, name: str, status: str) -> None:
        seconds = time.perf_counter() - start
        if tty:
            width = 28
            filled = round(width * done / max(total, 1))
            bar = "#" * filled + "-" * (width - filled)
            end = "\n" if done == total else ""
            stream.write(f"\r[{bar}] {done}/{total} {seconds:5.1f}s {name[:40]:<40}{end}")
        else:
            stream.write(f"{done}/{total} {status} {name} ({seconds:.1f}s)\n")
        stream.flush()

    return report


def render(
    names_or_globs: Iterable[str] | None = None,
    out: Path | str | None = None,
    formats: Sequence[str] = ("mp4", "png"),
    jobs: int | None = None,
    force: bool = False,
    progress: Progress | bool = True,
    quick: bool = False,
) -> RenderReport:
    """Render the selected figures (all by default) into ``out``.

    ``jobs`` > 1 draws in that many spawned processes; ``jobs=1`` draws in this
    process. ``force`` redraws even up-to-date figures. ``progress`` is a
    callback, ``True`` for a bar (or plain lines) on standard error, or
    ``False`` for silence. ``quick`` uses the catalog's tiny settings.
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in catalog.ANIMATION_FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {catalog.ANIMATION_FORMATS}, got {formats}")
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    chosen = catalog.select(names_or_globs, quick=quick)
    out = Path(default_out() if out is None else out)
    _check_writable(out)
    clean_stale(out)
    report = _terminal_progress(sys.stderr) if progress is True else progress or None

    manifest = read_manifest(out)
    digests = {f.name: content_hash(f, formats) for f in chosen}
    todo = [
        f for f in chosen if force or not _up_to_date(manifest.get(f.name), digests[f.name], out)
    ]
    skipped = tuple(f.name for f in chosen if f not in todo)
    total, done = len(chosen), len(skipped)
    if report and skipped:
        report(done, total, f"{len(skipped)} up to date", "skipped")

    def finished(name: str) -> None:
        nonlocal done
        figure = catalog.get(name, quick=quick)
        manifest[name] = {
            "hash": digests[name],
            "params": figure.params,
            "files": {f: (out / f).stat().st_size for f in figure.outputs(formats)},
        }
        _write_manifest(out, manifest)
        done += 1
        if report:
            report(done, total, name, "rendered")

    rendered: list[str] = []
    if jobs == 1 or len(todo) <= 1:
        for figure in todo:
            finished(draw_figure(figure.name, str(out), formats, quick))
            rendered.append(figure.name)
    else:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(min(jobs, len(todo)), context) as pool:
            futures = [pool.submit(draw_figure, f.name, str(out), formats, quick) for f in todo]
            try:
                for future in concurrent.futures.as_completed(futures):
                    finished(future.result())
                    rendered.append(future.result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                clean_stale(out)
                raise
    order = {f.name: i for i, f in enumerate(chosen)}
    return RenderReport(tuple(sorted(rendered, key=order.get)), skipped, out)
