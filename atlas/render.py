"""``atlas render``: draw the catalog's figures, redrawing only what changed.

A figure whose content hash matches its record in ``manifest.json`` and whose
files are all present is skipped (:mod:`atlas.manifest`), so a second run does
no work.

The learning-rate protocol (:mod:`atlas.learning_rates`) is the costly part
of the races, and a surface's three races, the optimizer figures and the
table all read it. So it is computed once per surface, before any figure
that needs it, and cached on disk under ``<out>/.cache/learning_rates/``
(keyed by the source of the modules that determine its numbers). With
``jobs > 1`` the search of each (surface, optimizer) pair is a task of its
own; a figure is handed to the pool only when the searches it depends on are
finished and cached, so no two processes ever compute the same search. Tasks
go in order: searches first, then the figures, longest kinds first (an
animation before an image before a table), so the run ends on short tasks.

Nothing lost: every file is written under a temporary name and renamed into
place; the manifest is rewritten (atomically) after each finished figure, so
an interrupted run loses at most the figures in flight. A render holds the
output directory's lock (:mod:`atlas.outdir`) from before it reads the
manifest until it ends: a second render says whom it waits for, then finds
the first one's figures up to date. Under the lock it removes the temporary
files that killed renders left, and only those (:func:`atlas.manifest.clean_stale`:
never a user's ``*.tmp*`` file nor a live process's). Workers die with the
render (:mod:`atlas.workers`), even when it is killed by SIGKILL.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from atlas import catalog, outdir, workers
from atlas.catalog import Figure
from atlas.manifest import (
    catalog_folders,
    check_writable,
    clean_stale,
    content_hash,
    read_manifest,
    up_to_date,
    write_manifest,
)

#: Where the learning-rate protocol's results are cached, under the output directory.
CACHE_DIR = ".cache"

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


def draw_figure(name: str, out: str, formats: tuple[str, ...], quick: bool) -> str:
    """Draw one figure by name (a worker's entry point; picklable, spawn-safe).

    The learning-rate protocol's results are read from ``<out>/.cache``.
    """
    from atlas import learning_rates

    figure = catalog.get(name, quick=quick)
    path = Path(out) / figure.name
    path.parent.mkdir(parents=True, exist_ok=True)
    with learning_rates.disk_cache(Path(out) / CACHE_DIR):
        figure.draw(path, figure.formats_for(formats), **figure.params)
    missing = [f for f in figure.outputs(formats) if not (Path(out) / f).is_file()]
    if missing:
        raise RuntimeError(f"figure {name!r} did not write {', '.join(missing)}")
    return name


def search_learning_rate(optimizer: str, surface: str, grid: tuple[float, ...],
                         steps: int) -> Any:  # fmt: skip
    """One (optimizer, surface) search of the protocol (a worker's entry point)."""
    from atlas import learning_rates

    return learning_rates.best_learning_rate(optimizer, surface, grid, steps)


def missing_searches(figures: Iterable[Figure], out: Path) -> list[str]:
    """The surfaces that ``figures`` read whose protocol results are not cached in ``out``.

    Imports the protocol (numpy, the optimizers) only if some figure needs it.
    """
    needed = list(dict.fromkeys(s for figure in figures for s in figure.learning_rates))
    if not needed:
        return []
    from atlas import learning_rates

    return [s for s in needed if learning_rates.read_cached(s, out / CACHE_DIR) is None]


#: Order in which ready figures are handed out: long kinds first, short ones last.
KIND_ORDER = {"animation": 0, "image": 1, "table": 2}


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
    if isinstance(out, str) and not out.strip():
        raise ValueError(f"the output directory must be named, got {out!r}")
    chosen = catalog.select(names_or_globs, quick=quick)
    out = Path(default_out() if out is None else out)
    check_writable(out)
    with outdir.locked(out):
        return _render_locked(chosen, out, formats, jobs, force, progress, quick)


def _render_locked(chosen: Sequence[Figure], out: Path, formats: tuple[str, ...], jobs: int,
                   force: bool, progress: Progress | bool,
                   quick: bool) -> RenderReport:  # fmt: skip
    """:func:`render` once it holds the output directory's lock."""
    owned = [*catalog_folders(catalog.select(None, quick=quick)), CACHE_DIR,
             f"{CACHE_DIR}/learning_rates"]  # fmt: skip
    clean_stale(out, owned)
    report = _terminal_progress(sys.stderr) if progress is True else progress or None
    manifest = read_manifest(out)
    digests = {f.name: content_hash(f, formats) for f in chosen}
    todo = [
        f for f in chosen if force or not up_to_date(manifest.get(f.name), digests[f.name], out)
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
        write_manifest(out, manifest)
        done += 1
        if report:
            report(done, total, name, "rendered")

    def searched(surface: str) -> None:
        if report:
            report(done, total, f"learning rates on {surface}", "searched")

    searches = missing_searches(todo, out)
    tasks = len(todo) + len(searches)
    if jobs == 1 or tasks <= 1:
        rendered = _render_serial(todo, searches, out, formats, quick, finished, searched)
    else:
        try:
            rendered = _render_parallel(todo, searches, out, formats, quick, min(jobs, tasks),
                                        finished, searched)  # fmt: skip
        except BaseException:
            clean_stale(out, owned)  # the workers are gone: theirs are stale
            raise
    order = {f.name: i for i, f in enumerate(chosen)}
    return RenderReport(tuple(sorted(rendered, key=order.get)), skipped, out)


def _render_serial(todo: Sequence[Figure], searches: Sequence[str], out: Path,
                   formats: tuple[str, ...], quick: bool, finished: Callable[[str], None],
                   searched: Callable[[str], None]) -> list[str]:  # fmt: skip
    """Search (and cache) every missing surface, then draw the figures, in this process."""
    if searches:
        from atlas import learning_rates

        for surface in searches:
            learning_rates.surface_choices(surface, out / CACHE_DIR)
            searched(surface)
    for figure in todo:
        finished(draw_figure(figure.name, str(out), formats, quick))
    return [figure.name for figure in todo]


def _render_parallel(todo: Sequence[Figure], searches: Sequence[str], out: Path,
                     formats: tuple[str, ...], quick: bool, jobs: int,
                     finished: Callable[[str], None],
                     searched: Callable[[str], None]) -> list[str]:  # fmt: skip
    """Searches and figures in ``jobs`` spawned processes, each figure after its searches.

    At most ``jobs`` tasks are in flight, so the next task is chosen when a
    process is free: a search if one is left, else the longest ready figure.
    """
    from atlas import learning_rates, optimizers

    optimizer_names = optimizers.names()
    grid = learning_rates.GRID  # this process's protocol, handed to every worker
    queue = [(surface, name) for surface in searches for name in optimizer_names]
    found: dict[str, dict[str, Any]] = {surface: {} for surface in searches}
    waiting = {f.name: set(f.learning_rates) & set(searches) for f in todo}
    kinds = {f.name: KIND_ORDER.get(f.kind, 1) for f in todo}
    ready = [name for name, needs in waiting.items() if not needs]
    rendered: list[str] = []
    with workers.pool(jobs) as pool:
        in_flight: dict[concurrent.futures.Future, tuple[str, ...]] = {}
        while queue or ready or in_flight:
            while len(in_flight) < jobs and (queue or ready):
                if queue:
                    surface, name = queue.pop(0)
                    future = pool.submit(search_learning_rate, name, surface, grid,
                                         learning_rates.step_budget(surface))
                    in_flight[future] = ("search", surface, name)
                else:
                    ready.sort(key=kinds.get)  # stable: catalog order within a kind
                    figure = ready.pop(0)
                    future = pool.submit(draw_figure, figure, str(out), formats, quick)
                    in_flight[future] = ("figure", figure)
            complete, _ = concurrent.futures.wait(
                in_flight, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in complete:
                task = in_flight.pop(future)
                result = future.result()
                if task[0] == "figure":
                    finished(result)
                    rendered.append(result)
                    continue
                surface = task[1]
                found[surface][task[2]] = result
                if len(found[surface]) == len(optimizer_names):
                    choices = [found[surface][name] for name in optimizer_names]
                    learning_rates.write_cached(choices, out / CACHE_DIR, grid)
                    searched(surface)
                    for name, needs in waiting.items():
                        if surface in needs:
                            needs.discard(surface)
                            if not needs:
                                ready.append(name)
    return rendered
