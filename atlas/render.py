"""``atlas render``: build the catalog's entries, each only when its content key changed.

The catalog (:mod:`atlas.catalog`) declares artifacts and figures, each with the
names of the entries it needs. A render:

1. selects the entries asked for (names or globs; all by default) and adds
   everything they need, directly or through others (:func:`atlas.catalog.with_needs`);
2. computes every entry's key (:func:`atlas.keys.entry_key`: its parameters and
   files, the source of every atlas module its build function imports, the keys
   of its needs); an entry whose key and files match its manifest record is up
   to date (:mod:`atlas.manifest`), so a second run does no work;
3. builds the others over ``jobs`` spawned processes, each entry once every entry
   it needs is built, handing its build the needs' outputs
   (:meth:`~atlas.catalog.entry.Entry.product`). Of the entries that are ready,
   the one on the longest chain of work goes first (an entry's time is what it
   took last time, from the manifest, else its kind's estimate), so the long
   tasks and the artifacts that many figures wait for start early and the run
   ends on short tasks. A build in this process (``jobs=1``, or one entry) uses one
   BLAS thread, as a worker does (:mod:`atlas.blas`), so it gives the same bytes.

This module knows no entry by name and no kind of artifact: what an entry is
and how it is built is the catalog's business.

Nothing lost: every file is written under a temporary name and renamed into
place; the manifest is rewritten (atomically) after each finished entry, so an
interrupted run loses at most the entries in flight. A render holds the output
directory's lock (:mod:`atlas.outdir`) from before it reads the manifest until
it ends: a second render says whom it waits for, then finds the first one's
entries up to date. Under the lock it removes the temporary files that killed
renders left, and only those (:func:`atlas.manifest.clean_stale`). Workers die
with the render (:mod:`atlas.workers`), even when it is killed by SIGKILL.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from atlas import blas, catalog, keys, outdir, workers
from atlas.catalog import Entry
from atlas.manifest import (
    catalog_folders,
    check_writable,
    clean_stale,
    read_manifest,
    up_to_date,
    write_manifest,
)

#: ``progress(done, total, name, status)`` is called after each entry;
#: status is "rendered" or "skipped".
Progress = Callable[[int, int, str, str], None]


@dataclass(frozen=True)
class RenderReport:
    """What a render did: entries built and entries found up to date, in catalog order."""

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


def build_entry(name: str, out: str, formats: tuple[str, ...], quick: bool,
                inputs: Mapping[str, str]) -> tuple[str, float]:  # fmt: skip
    """Build one entry by name (a worker's entry point; picklable, spawn-safe).

    ``inputs`` maps each need to its product. Returns the name and the seconds taken.
    """
    start = time.perf_counter()
    entry = catalog.get(name, quick=quick)
    path = Path(out) / entry.name
    path.parent.mkdir(parents=True, exist_ok=True)
    entry.build(path, entry.formats_for(formats), {k: Path(v) for k, v in inputs.items()},
                **entry.params)  # fmt: skip
    missing = [f for f in entry.outputs(formats) if not (Path(out) / f).is_file()]
    if missing:
        raise RuntimeError(f"catalog entry {name!r} did not write {', '.join(missing)}")
    return name, time.perf_counter() - start


def entry_keys(entries: Sequence[Entry], formats: tuple[str, ...], graph: keys.ImportGraph,
               quick: bool = False) -> dict[str, str]:  # fmt: skip
    """The key of every entry of ``entries`` and of everything they need."""
    found: dict[str, str] = {}

    def key(entry: Entry, chain: tuple[str, ...] = ()) -> str:
        if entry.name not in found:
            if entry.name in chain:
                raise ValueError(f"the catalog's needs form a cycle: {' -> '.join(chain)}")
            needs = {n: key(catalog.get(n, quick), (*chain, entry.name)) for n in entry.needs}
            found[entry.name] = keys.entry_key(entry.record(formats), entry.module, graph, needs)
        return found[entry.name]

    for entry in entries:
        key(entry)
    return found


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
    """Build the selected entries (all by default) and what they need into ``out``.

    ``jobs`` > 1 builds in that many spawned processes; ``jobs=1`` in this
    process. ``force`` rebuilds the selected entries even if up to date (what
    they need only if it is not). ``progress`` is a callback, ``True`` for a
    bar (or plain lines) on standard error, or ``False`` for silence.
    ``quick`` uses the catalog's tiny settings.
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in catalog.ANIMATION_FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be among {catalog.ANIMATION_FORMATS}, got {formats}")
    jobs = (os.cpu_count() or 1) if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if isinstance(out, str) and not out.strip():
        raise ValueError(f"the output directory must be named, got {out!r}")
    chosen = catalog.select(names_or_globs, quick=quick)
    out = Path(default_out() if out is None else out)
    check_writable(out)
    with outdir.locked(out):
        return _render_locked(chosen, out, formats, jobs, force, progress, quick)


def _render_locked(chosen: Sequence[Entry], out: Path, formats: tuple[str, ...], jobs: int,
                   force: bool, progress: Progress | bool,
                   quick: bool) -> RenderReport:  # fmt: skip
    """:func:`render` once it holds the output directory's lock."""
    owned = catalog_folders(catalog.entries(quick))
    clean_stale(out, owned)
    report = _terminal_progress(sys.stderr) if progress is True else progress or None
    manifest = read_manifest(out)
    records = manifest["entries"]
    closure = catalog.with_needs(chosen, quick)
    graph = keys.ImportGraph(known=manifest["imports"])
    digests = entry_keys(closure, formats, graph, quick)
    imports = {**{m: r for m, r in manifest["imports"].items() if m in graph.modules},
               **graph.table()}  # fmt: skip
    forced = {e.name for e in chosen} if force else set()
    todo = [e for e in closure
            if e.name in forced or not up_to_date(records.get(e.name), digests[e.name], out)]
    skipped = tuple(e.name for e in closure if e not in todo)
    if imports != manifest["imports"]:
        manifest["imports"] = imports
        write_manifest(out, manifest)
    total, done = len(closure), len(skipped)
    if report and skipped:
        report(done, total, f"{len(skipped)} up to date", "skipped")

    def finished(name: str, seconds: float) -> None:
        nonlocal done
        entry = catalog.get(name, quick=quick)
        records[name] = {
            "key": digests[name],
            "params": dict(entry.params),
            "files": {f: (out / f).stat().st_size for f in entry.outputs(formats)},
            "seconds": round(seconds, 2),
        }
        write_manifest(out, manifest)
        done += 1
        if report:
            report(done, total, name, "rendered")

    estimate = {e.name: records.get(e.name, {}).get("seconds", e.estimate) for e in todo}
    try:
        built = _build_all(todo, out, formats, quick, jobs, estimate, finished)
    except BaseException:
        if jobs > 1:
            clean_stale(out, owned)  # the workers are gone: theirs are stale
        raise
    order = {e.name: i for i, e in enumerate(closure)}
    return RenderReport(tuple(sorted(built, key=order.__getitem__)), skipped, out)


def priorities(todo: Sequence[Entry], estimate: Mapping[str, float]) -> dict[str, float]:
    """Each entry's longest chain of work: its own time plus that of its slowest dependents."""
    names = {e.name for e in todo}
    dependents: dict[str, list[str]] = {e.name: [] for e in todo}
    for entry in todo:
        for need in entry.needs:
            if need in names:
                dependents[need].append(entry.name)
    rank: dict[str, float] = {}

    def chain(name: str) -> float:
        if name not in rank:
            rank[name] = float(estimate[name]) + max(map(chain, dependents[name]), default=0.0)
        return rank[name]

    for entry in todo:
        chain(entry.name)
    return rank


def _build_all(todo: Sequence[Entry], out: Path, formats: tuple[str, ...], quick: bool,
               jobs: int, estimate: Mapping[str, float],
               finished: Callable[[str, float], None]) -> list[str]:  # fmt: skip
    """Build ``todo``, each entry after those it needs; ``jobs`` processes, or this one."""
    names = {e.name for e in todo}
    waiting = {e.name: {n for n in e.needs if n in names} for e in todo}
    rank = priorities(todo, estimate)
    position = {e.name: i for i, e in enumerate(todo)}
    ready = [e.name for e in todo if not waiting[e.name]]
    built: list[str] = []

    def next_ready() -> str:
        ready.sort(key=lambda n: (-rank[n], position[n]))  # longest chain first, then catalog
        return ready.pop(0)

    def task(name: str) -> tuple[Any, ...]:
        entry = catalog.get(name, quick)
        inputs = {n: str(catalog.get(n, quick).product(out)) for n in entry.needs}
        return (name, str(out), formats, quick, inputs)

    def done(name: str, seconds: float) -> None:
        finished(name, seconds)
        built.append(name)
        for other, needs in waiting.items():
            if name in needs:
                needs.discard(name)
                if not needs:
                    ready.append(other)

    if (jobs == 1 or len(todo) <= 1) and blas.available():
        with blas.one_thread():  # as in a worker: the same numbers (atlas.blas)
            while ready:
                done(*build_entry(*task(next_ready())))
    else:
        with workers.pool(max(1, min(jobs, len(todo)))) as pool:
            in_flight: set[concurrent.futures.Future] = set()
            while ready or in_flight:
                while ready and len(in_flight) < jobs:
                    in_flight.add(pool.submit(build_entry, *task(next_ready())))
                complete, in_flight = concurrent.futures.wait(
                    in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
                for future in complete:
                    done(*future.result())
    return built
