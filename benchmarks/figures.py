"""Benchmark: drawing the book's stills with atlas's canvas and title setting, against
matplotlib's own.

Two ways to draw the same figures, in turns (``_setup.in_turns``), best of ``--repeat``
rounds by CPU time, in this process (one BLAS thread, as a render's worker):

* matplotlib's: every figure on a plain ``FigureCanvasAgg`` (a mathtext parser per
  figure, whose cache dies with it) and ``axes.titley`` automatic (each draw measures
  the axes' tick labels again to place the title above any on top);
* atlas's: :class:`atlas.viz.canvas.Canvas` (one mathtext parser for the process,
  cached across figures) and ``axes.titley`` fixed at 1.0, where the automatic one
  puts a title when no tick labels are on top (none in atlas).

The figures are the catalog entries named by ``--entries`` (globs; by default the race
summaries and gap plots and the sensitivity curves, the stills with the most text),
each built from its needs in ``--generated`` (default ``book/_generated``: a finished
render, only read) into a temporary directory. Both ways must write the same bytes,
else the benchmark fails. Printed: the figures, the CPU seconds of each way and their
ratio, and how many mathtext strings each way parsed.

Run ``python benchmarks/figures.py [--repeat 3] [--generated book/_generated]
[--entries 'race/*/summary,sensitivity/*']``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as a worker

from _setup import ROOT, in_turns  # benchmarks/_setup.py
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.mathtext import MathTextParser

from atlas import catalog
from atlas.viz import style

ENTRIES = "race/*/summary,race/*/gap,sensitivity/*"


def build(entries: list, generated: Path) -> dict[str, bytes]:
    """Build every still of ``entries`` from its needs in ``generated``; their files' bytes."""
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as out:
        for entry in entries:
            inputs = {n: catalog.get(n).product(generated) for n in entry.needs}
            path = Path(out) / entry.name
            path.parent.mkdir(parents=True, exist_ok=True)
            entry.build(path, entry.formats_for(("png",)), inputs, **entry.params)
        for file in sorted(Path(out).rglob("*.png")):
            files[str(file.relative_to(out))] = file.read_bytes()
    return files


def way(canvas: type, titley: float | None, entries: list, generated: Path, parses: list):
    """One contestant: ``(CPU seconds, files)`` of :func:`build` with this canvas and
    ``axes.titley``; the count of mathtext parses is appended to ``parses``."""

    def run() -> tuple[float, dict[str, bytes]]:
        saved = style.Canvas, style.RC_PARAMS["axes.titley"]
        counted = MathTextParser._parse_cached.cache_info().misses
        style.Canvas, style.RC_PARAMS["axes.titley"] = canvas, titley
        try:
            start = time.process_time()
            files = build(entries, generated)
            cpu = time.process_time() - start
        finally:
            style.Canvas, style.RC_PARAMS["axes.titley"] = saved
        parses.append(MathTextParser._parse_cached.cache_info().misses - counted)
        return cpu, files

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is kept")
    parser.add_argument("--generated", type=Path, default=ROOT / "book" / "_generated",
                        help="a finished render holding the figures' needs (only read)")
    parser.add_argument("--entries", default=ENTRIES, help="comma-separated names or globs")
    args = parser.parse_args(argv)
    entries = [e for e in catalog.select(args.entries.split(",")) if not e.artifact]
    build(entries[:1], args.generated)  # imports, fonts and the first parser, for neither
    theirs, ours = [], []
    (plain_cpu, plain), (atlas_cpu, drawn) = in_turns(
        args.repeat, way(FigureCanvasAgg, None, entries, args.generated, theirs),
        way(style.Canvas, 1.0, entries, args.generated, ours))
    if plain != drawn:
        changed = sorted(k for k in plain if plain[k] != drawn.get(k))
        raise SystemExit(f"the two ways wrote different files: {', '.join(changed[:5])}")
    print(f"{len(entries)} figures ({len(drawn)} PNGs, the same bytes both ways), "
          f"best of {args.repeat} rounds in turns:")
    print(f"  matplotlib's canvas, automatic title height: {plain_cpu:6.2f} s of CPU, "
          f"{max(theirs)} mathtext parses a round")
    print(f"  atlas's canvas, title height 1.0:            {atlas_cpu:6.2f} s of CPU, "
          f"{max(ours)} mathtext parses a round (at most; later rounds find them cached)")
    print(f"  ratio {plain_cpu / atlas_cpu:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
