"""Benchmark: basin maps, every start moving as one array; and the failed starts dropped.

The map: Adam on Himmelblau at lr 0.1, a 200 x 200 grid of starts, 500 steps
(``atlas.races.basins.endpoints``: one optimizer update per step for all 40,000
starts, no path kept). The plain way: a Python loop over starts, each run by
``atlas.trajectory`` alone (the same numbers, start by start); it is timed on the
first ``--loop-starts`` starts of the same grid (200 by default) and extrapolated
to 40,000, as the output says. Both are timed in turns (``_setup.in_turns``), best
of ``--repeat`` rounds (the round with the least wall time), on one BLAS thread;
the output gives wall and CPU time (on a shared machine the CPU time is what one
core spent). Target: the map in at most 1 s.

Then the failed starts dropped from the array (``atlas.races.rows``) against every
start computed to the last step (``check_every=0``): every basin surface's map
(200 x 200 starts, its step budget) with each of ``--optimizers`` (default L-BFGS,
SGD, Adam and Rprop) at its chosen rate (``atlas.learning_rates.best_learning_rate``,
worked out before the timing), the two in turns, best of ``--repeat`` by CPU time;
the same failed mask and, bit for bit, the same final points of the other starts
are checked. Printed: each map's share of failed starts, the CPU seconds of each way,
their ratio, and the totals per optimizer and over all.

Run ``python benchmarks/basins.py [--repeat 3] [--loop-starts 200] [--size 200]
[--optimizers lbfgs,sgd,adam,rprop] [--check-every 4] [--drop-share 0.01]``.
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as stated

import numpy as np
from _setup import in_turns, timed  # benchmarks/_setup.py

from atlas import learning_rates, optimizers, surfaces
from atlas.protocol import box, step_budget
from atlas.races import rows
from atlas.races.basins import BASIN_SURFACES, endpoints, start_grid
from atlas.trajectory import trajectory

SURFACE, OPTIMIZER, LR, SIZE, STEPS = "himmelblau", "adam", 0.1, 200, 500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is kept")
    parser.add_argument("--loop-starts", type=int, default=200,
                        help="starts the plain loop runs (then extrapolated)")
    parser.add_argument("--size", type=int, default=SIZE, help="starts per side of each map")
    parser.add_argument("--optimizers", default="lbfgs,sgd,adam,rprop",
                        help="comma-separated optimizers whose maps compare dropping")
    parser.add_argument("--check-every", type=int, default=rows.CHECK_EVERY)
    parser.add_argument("--drop-share", type=float, default=rows.DROP_SHARE)
    args = parser.parse_args(argv)
    one_map(args)
    dropping(args)
    return 0


def _starts(surface: surfaces.Surface, size: int) -> np.ndarray:
    """The map's grid of starts as ``(size * size, 2)`` points."""
    x, y = start_grid(surface, size)
    gx, gy = np.meshgrid(x, y)
    return np.column_stack([gx.ravel(), gy.ravel()])


def with_cpu(run) -> tuple[float, tuple[float, object]]:
    """``(wall seconds, (CPU seconds of this process, result))`` of one call."""
    cpu = time.process_time()
    wall, result = timed(run)
    return wall, (time.process_time() - cpu, result)


def one_map(args: argparse.Namespace) -> None:
    """One map as one array against a Python loop over its starts (the first benchmark)."""
    surface = surfaces.get(SURFACE)
    optimizer = optimizers.get(OPTIMIZER, lr=LR)
    starts = _starts(surface, SIZE)
    low, high = box(surface)
    few = starts[: args.loop_starts]

    def vectorised() -> tuple[float, object]:
        return with_cpu(lambda: endpoints(optimizer, surface, starts, STEPS, low, high))

    def loop() -> tuple[float, object]:
        return with_cpu(lambda: [trajectory(optimizer, surface, p, STEPS).xy[-1] for p in few])

    (fast, (fast_cpu, (final, failed))), (slow, (slow_cpu, looped)) = in_turns(args.repeat,
                                                                               vectorised, loop)
    # Same numbers: the loop's final points are the array's, start by start (but for a
    # failed start, whose point the array stops computing once it has dropped it).
    kept = ~failed[: args.loop_starts]
    assert np.array_equal(np.array(looped)[kept], final[: args.loop_starts][kept])
    print(f"{OPTIMIZER} on {SURFACE}, lr {LR}, {SIZE} x {SIZE} starts, {STEPS} steps, "
          f"one thread, best of {args.repeat}:")
    print(f"  one array (atlas.races.basins.endpoints): {fast:.3f} s wall, {fast_cpu:.3f} s "
          "CPU (target <= 1 s)")
    scale = len(starts) / len(few)
    print(f"  loop over starts (atlas.trajectory): {slow:.3f} s wall, {slow_cpu:.3f} s CPU "
          f"for {len(few)} starts -> {slow * scale:.0f} s wall, {slow_cpu * scale:.0f} s CPU "
          f"for all {len(starts)} (extrapolated)")
    print(f"  speed-up: {slow * scale / fast:.0f}x wall, {slow_cpu * scale / fast_cpu:.0f}x CPU")


def _cpu_of_map(optimizer: optimizers.Optimizer, surface: surfaces.Surface, starts: np.ndarray,
                check_every: int, drop_share: float) -> tuple[float, object]:  # fmt: skip
    """``(CPU seconds, (final, failed))`` of one map's ``endpoints``."""
    low, high = box(surface)
    cpu = time.process_time()
    result = endpoints(optimizer, surface, starts, step_budget(surface), low, high,
                       check_every=check_every, drop_share=drop_share)  # fmt: skip
    return time.process_time() - cpu, result


def dropping(args: argparse.Namespace) -> None:
    """Every basin surface's map with each optimizer: failed starts dropped, or not."""
    names = args.optimizers.split(",")
    cases = []
    for surface_name in BASIN_SURFACES:
        surface = surfaces.get(surface_name)
        for name in names:
            lr = learning_rates.best_learning_rate(name, surface).lr
            cases.append((surface, name, lr, _starts(surface, args.size)))
    print(f"\nFailed starts dropped (every {args.check_every} steps, once >= "
          f"{args.drop_share:.0%} of the live ones) or not: {args.size} x {args.size} starts, "
          f"each surface's step budget, CPU seconds, best of {args.repeat}:")
    print(f"  {'surface':18} {'optimizer':9} {'lr':>8} {'failed':>7} {'not':>8} "
          f"{'dropped':>8} {'ratio':>6}")
    totals: dict[str, list[float]] = {name: [0.0, 0.0] for name in names}
    for surface, name, lr, starts in cases:
        run = partial(_cpu_of_map, optimizers.get(name, lr=lr), surface, starts)
        (plain, (final, failed)), (dropped, (final2, failed2)) = in_turns(
            args.repeat, partial(run, 0, 0.0), partial(run, args.check_every, args.drop_share))
        assert np.array_equal(failed, failed2) and np.array_equal(final[~failed], final2[~failed])
        totals[name][0] += plain
        totals[name][1] += dropped
        print(f"  {surface.name:18} {name:9} {lr:8.3g} {failed.mean():7.1%} {plain:8.2f} "
              f"{dropped:8.2f} {dropped / plain:6.2f}")
    for name, (plain, dropped) in totals.items():
        print(f"  {'all six':18} {name:9} {'':8} {'':7} {plain:8.2f} {dropped:8.2f} "
              f"{dropped / plain:6.2f}")
    plain, dropped = (sum(t[i] for t in totals.values()) for i in (0, 1))
    print(f"  {'all':18} {'':9} {'':8} {'':7} {plain:8.2f} {dropped:8.2f} {dropped / plain:6.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
