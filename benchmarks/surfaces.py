"""Benchmark: the surfaces' values and gradients at a race's, a sweep's and a basin map's sizes.

A render evaluates the surfaces in two regimes: a few points at a time (a race's single
start, a learning-rate sweep's 21 rates as 21 points), where atlas.surfaces.elementary
goes element by element on Python floats, and 40,000 points at a time (a 200 x 200 basin
map), where it goes by numpy in chunks. Timed per call, in CPU time, for each surface:

* ``step``: ``value_xy`` then ``gradient_xy`` at the same points, as
  :func:`atlas.trajectory` does every step (1 and 21 points);
* ``gradient``: ``gradient_xy`` alone (1, 21 and 40,000 points: a basin map's step).

Every call gets new points (uniform in the surface's box; 64 arrays taken in turn, more
than the elementary functions remember), so nothing is timed on a remembered result. At
40,000 points a call's time also depends on the process's history: glibc hands freed
heap back to the system above a threshold that rises only when a large block is freed,
so the first surfaces timed here (tanh bowl) may pay page faults that a basin map, which
frees its 640 kB point arrays every step, does not (see atlas.surfaces.elementary_arrays);
the basin maps below are the render's case.
Then two whole computations: every optimizer's learning-rate sweep on ``--sweeps``
surfaces (:func:`atlas.protocol.grid_outcomes`, the step budget's run of 21 rates), and
the basin maps of ``--basins`` optimizers on Rastrigin (:func:`atlas.races.basins.basin_map`).

With ``--before DIR``, an earlier atlas tree (``git archive <commit> atlas | tar -x -C
DIR``), every timing is also run with DIR's atlas, in turns with this one
(``_setup.in_turns``, best of ``--repeat``), its results checked bit for bit against
this one's, and the ratio before/after printed. Without it, this atlas alone.

Run ``python benchmarks/surfaces.py [--before DIR] [--repeat 3] [--surfaces ackley levi]
[--sizes 1 21 40000] [--sweeps rastrigin,levi,ackley,sinc_well,tanh_squared]
[--basins adam,sgd]`` (``--sweeps ''`` and ``--basins ''`` skip those).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from collections.abc import Callable
from types import ModuleType

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core

import numpy as np
from _setup import in_turns  # benchmarks/_setup.py

ELEMENTARY = ("tanh_squared", "sinc_well", "narrow_valley", "rastrigin", "ackley", "levi")
SIZES = (1, 21, 40000)
CALLS = {1: 4000, 21: 2000, 40000: 20}  # calls per timing
POOL = 64  # distinct point arrays, taken in turn
MODULES = ("atlas.surfaces", "atlas.protocol", "atlas.races.basins")


def atlas_from(root: str) -> dict[str, ModuleType]:
    """MODULES of the atlas package under ``root``, imported beside this one: this one's
    modules leave ``sys.modules`` while root's are imported, then come back (the objects
    of each keep their own modules)."""
    def ours() -> dict[str, ModuleType]:
        return {k: m for k, m in sys.modules.items() if k == "atlas" or k.startswith("atlas.")}

    mine = ours()
    for name in mine:
        del sys.modules[name]
    sys.path.insert(0, root)
    try:
        return {name: importlib.import_module(name) for name in MODULES}
    finally:
        sys.path.remove(root)
        for name in ours():
            del sys.modules[name]
        sys.modules.update(mine)


def cpu(run: Callable[[], object], calls: int = 1) -> Callable[[], tuple[float, object]]:
    """A contestant for ``in_turns``: CPU seconds per call of ``run`` over ``calls`` calls,
    and the last result."""
    def timed() -> tuple[float, object]:
        start = time.process_time()
        for _ in range(calls):
            result = run()
        return (time.process_time() - start) / calls, result
    return timed


def point_pool(surface, size: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.domain
    return [np.stack([rng.uniform(x0, x1, size), rng.uniform(y0, y1, size)], -1)
            for _ in range(POOL)]  # fmt: skip


def calls_of(surface, kind: str, pool: list[np.ndarray]) -> Callable[[], object]:
    """One call: the next points of ``pool``, ``kind`` ``step`` or ``gradient``; returns
    every result since the last round began (for the bit-for-bit check)."""
    turn = iter(range(1 << 62))
    seen: list[np.ndarray] = []

    def call() -> list[np.ndarray]:
        k = next(turn)
        p = pool[k % POOL]
        if k % POOL == 0:
            seen.clear()
        if kind == "step":
            seen.append(surface.value_xy(p))
        seen.append(surface.gradient_xy(p))
        return seen
    return call


def same_bits(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_bits(x, y) for x, y in zip(a, b, strict=True))
    return repr(a) == repr(b)  # the two trees' outcomes are instances of two classes


def race(label: str, now: Callable[[], object], before: Callable[[], object] | None,
         repeat: int, unit: str) -> tuple[float, float | None]:  # fmt: skip
    """Time ``now`` (and ``before``) in turns; print and return their CPU seconds."""
    scale, digits = (1e6, 1) if unit == "us" else (1.0, 2)
    if before is None:
        ((mine, _),) = in_turns(repeat, now)
        print(f"{label:44s} {mine * scale:10.{digits}f} {unit}")
        return mine, None
    (mine, got), (theirs, want) = in_turns(repeat, now, before)
    assert same_bits(got, want), f"{label}: the results differ from before"
    print(f"{label:44s} before {theirs * scale:10.{digits}f} {unit}  "
          f"now {mine * scale:10.{digits}f} {unit}  x{theirs / mine:5.2f}")
    return mine, theirs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an earlier atlas tree (the directory holding atlas/)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--surfaces", nargs="*", default=ELEMENTARY)
    parser.add_argument("--sizes", nargs="*", type=int, default=SIZES)
    parser.add_argument("--sweeps", default="rastrigin,levi,ackley,sinc_well,tanh_squared")
    parser.add_argument("--basins", default="adam,sgd")
    args = parser.parse_args(argv)
    old = atlas_from(args.before) if args.before else None
    now = {name: importlib.import_module(name) for name in MODULES}
    print("Per call (CPU time, best of each round):")
    for name in args.surfaces:
        surface = now["atlas.surfaces"].get(name)
        earlier = old["atlas.surfaces"].get(name) if old else None
        for size in args.sizes:
            for kind in ("step", "gradient") if size < 1000 else ("gradient",):
                pool = point_pool(surface, size, seed=size)
                mine = cpu(calls_of(surface, kind, pool), CALLS.get(size, 20))
                theirs = (cpu(calls_of(earlier, kind, pool), CALLS.get(size, 20))
                          if earlier else None)  # fmt: skip
                race(f"  {name} {kind}, {size} points", mine, theirs, args.repeat, "us")
    totals = [0.0, 0.0]
    for name in filter(None, args.sweeps.split(",")):
        def sweeps(modules: dict[str, ModuleType], name: str = name) -> Callable[[], object]:
            protocol = modules["atlas.protocol"]
            surface = modules["atlas.surfaces"].get(name)
            steps = protocol.step_budget(surface)
            names = protocol.optimizers.names()
            return lambda: [protocol.grid_outcomes(o, surface, protocol.GRID, steps)
                            for o in names]  # fmt: skip
        mine, theirs = race(f"sweeps of every optimizer, {name}", cpu(sweeps(now)),
                            cpu(sweeps(old)) if old else None, args.repeat, "s")
        totals[0] += mine
        totals[1] += theirs or 0.0
    for optimizer in filter(None, args.basins.split(",")):
        rate = now["atlas.protocol"].sweep(optimizer, now["atlas.surfaces"].get("rastrigin")).lr

        def basin(modules: dict[str, ModuleType], optimizer: str = optimizer,
                  rate: float = rate) -> Callable[[], object]:  # fmt: skip
            return lambda: modules["atlas.races.basins"].basin_map("rastrigin", optimizer,
                                                                   rate).classes
        mine, theirs = race(f"basin map, rastrigin, {optimizer}", cpu(basin(now)),
                            cpu(basin(old)) if old else None, args.repeat, "s")
        totals[0] += mine
        totals[1] += theirs or 0.0
    if old and any(totals):
        print(f"{'sweeps and basin maps, all':44s} before {totals[1]:10.2f} s  now "
              f"{totals[0]:10.2f} s  x{totals[1] / totals[0]:5.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
