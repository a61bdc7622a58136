"""Benchmark: L-BFGS's six basin maps, one version of atlas against another, in turns.

Each basin surface's L-BFGS map (``atlas.races.basins.BASIN_SURFACES``, ``--size`` x
``--size`` starts, the surface's step budget, the protocol rate
``learning_rates.best_learning_rate``, worked out once before the timing) is computed
by the two versions: ``--before`` (a git revision, extracted with ``git archive`` into a
temporary directory, or a directory holding an ``atlas`` package; default ``HEAD``) and
``--after`` (likewise, or this checkout as it is, the default). To time one change alone
while others land, give a directory: a checkout of the new revision with the changed
files put back as they were. Each run is a child process with that version first
on the path (the surfaces' code comes with it), timing what ``basin_map`` computes:
the final points (``atlas.races.rows.endpoints``) and their classes. The two versions
take turns map by map (``_setup.in_turns``), best of ``--repeat`` rounds by the
child's CPU time (imports and set-up not counted), one BLAS thread.

The two versions must give the same map: the same classes and failed starts, and
the same final points of the other starts (``np.array_equal``), else the benchmark
fails. Printed: each map's rate, share of failed starts, CPU seconds of each version
and their ratio, and the totals.

Run ``python benchmarks/lbfgs_maps.py [--before REV] [--after REV] [--repeat 2]
[--size 200] [--surfaces himmelblau,rastrigin]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as stated

import numpy as np
from _setup import ROOT, in_turns  # benchmarks/_setup.py

from atlas import learning_rates
from atlas.races.basins import BASIN_SURFACES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD",
                        help="git revision or directory with an atlas package, timed first")
    parser.add_argument("--after", default=None,
                        help="git revision or directory (default: this checkout)")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; the best of each is kept")
    parser.add_argument("--size", type=int, default=200, help="starts per side of each map")
    parser.add_argument("--surfaces", default=",".join(BASIN_SURFACES))
    parser.add_argument("--child", nargs=4, metavar=("SURFACE", "LR", "SIZE", "OUT"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.child:
        return child(*args.child)
    with tempfile.TemporaryDirectory(prefix="lbfgs-maps-") as scratch:
        before = checkout(args.before, Path(scratch) / "before")
        after = ROOT if args.after is None else checkout(args.after, Path(scratch) / "after")
        compare(args, before, after, Path(scratch))
    return 0


def checkout(revision: str, where: Path) -> Path:
    """The directory holding the ``atlas`` package of ``revision``: itself if it is one,
    else the revision's, extracted into ``where``."""
    if (Path(revision) / "atlas" / "__init__.py").is_file():
        return Path(revision).resolve()
    where.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "atlas"],
                             check=True, capture_output=True).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return where


def child(surface_name: str, lr: str, size: str, out: str) -> int:
    """One map with the atlas first on the path; its CPU seconds on stdout, its arrays
    in ``out``."""
    import atlas
    from atlas import optimizers, surfaces
    from atlas.protocol import box, step_budget
    from atlas.races import basins
    from atlas.races.rows import endpoints

    surface = surfaces.get(surface_name)
    x, y = basins.start_grid(surface, int(size))
    gx, gy = np.meshgrid(x, y)
    starts, (low, high) = np.column_stack([gx.ravel(), gy.ravel()]), box(surface)
    optimizer = optimizers.get("lbfgs", lr=float.fromhex(lr))
    minima = basins.minima_classes(surface)
    cpu = time.process_time()
    final, failed = endpoints(optimizer, surface, starts, step_budget(surface), low, high)
    classes, _ = basins.classify(surface, final, failed, minima)
    seconds = time.process_time() - cpu
    np.savez(out, final=final, failed=failed, classes=classes)
    print(seconds, Path(atlas.__file__).parent)
    return 0


def run_map(tree: Path, surface: str, lr: float, size: int, out: Path) -> tuple[float, dict]:
    """``(CPU seconds, arrays)`` of one map in a child process with ``tree`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, __file__, "--child", surface, lr.hex(), str(size), str(out)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    seconds, package = done.stdout.split()
    if Path(package) != tree / "atlas":
        raise RuntimeError(f"the child imported atlas from {package}, not from {tree}")
    with np.load(out) as data:
        return float(seconds), {k: data[k] for k in data.files}


def compare(args: argparse.Namespace, before: Path, after: Path, scratch: Path) -> None:
    """Each map by both versions, in turns; the same numbers checked, the times printed."""
    names = args.surfaces.split(",")
    rates = {name: learning_rates.best_learning_rate("lbfgs", name).lr for name in names}
    print(f"L-BFGS basin maps, {args.size} x {args.size} starts, CPU seconds, best of "
          f"{args.repeat}, one thread:\n  before: {args.before}\n  after:  "
          f"{args.after or 'this checkout'}")
    print(f"  {'surface':18} {'lr':>8} {'failed':>7} {'before':>8} {'after':>8} {'ratio':>6}")
    total = [0.0, 0.0]
    for name in names:
        old, new = (partial(run_map, tree, name, rates[name], args.size,
                            scratch / f"{name}-{which}.npz")
                    for tree, which in ((before, "before"), (after, "after")))  # fmt: skip
        (slow, a), (fast, b) = in_turns(args.repeat, old, new)
        live = ~a["failed"]
        same = (np.array_equal(a["classes"], b["classes"])
                and np.array_equal(a["failed"], b["failed"])
                and np.array_equal(a["final"][live], b["final"][live]))  # fmt: skip
        if not same:
            raise AssertionError(f"{name}: the two versions' maps differ")
        total[0] += slow
        total[1] += fast
        print(f"  {name:18} {rates[name]:8.3g} {a['failed'].mean():7.1%} {slow:8.2f} "
              f"{fast:8.2f} {fast / slow:6.2f}")
    print(f"  {'all':18} {'':8} {'':7} {total[0]:8.2f} {total[1]:8.2f} "
          f"{total[1] / total[0]:6.2f}")
    print("  every map the same in both: classes, failed starts, final points of the others")


if __name__ == "__main__":
    raise SystemExit(main())
