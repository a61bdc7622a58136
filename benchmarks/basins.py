"""Benchmark: one basin map, every start moving as one array, against a loop over starts.

The map: Adam on Himmelblau at lr 0.1, a 200 x 200 grid of starts, 500 steps
(``atlas.races.basins.endpoints``: one optimizer update per step for all 40,000
starts, no path kept). The plain way: a Python loop over starts, each run by
``atlas.trajectory`` alone (the same numbers, start by start); it is timed on the
first ``--loop-starts`` starts of the same grid (200 by default) and extrapolated
to 40,000, as the output says. Both are timed in turns (``_setup.in_turns``), best
of ``--repeat`` rounds (the round with the least wall time), on one BLAS thread;
the output gives wall and CPU time (on a shared machine the CPU time is what one
core spent). Target: the map in at most 1 s.

Run ``python benchmarks/basins.py [--repeat 3] [--loop-starts 200]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core, as stated

import numpy as np
from _setup import in_turns, timed  # benchmarks/_setup.py

from atlas import optimizers, surfaces
from atlas.protocol import box
from atlas.races.basins import endpoints, start_grid
from atlas.trajectory import trajectory

SURFACE, OPTIMIZER, LR, SIZE, STEPS = "himmelblau", "adam", 0.1, 200, 500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the best of each is kept")
    parser.add_argument("--loop-starts", type=int, default=200,
                        help="starts the plain loop runs (then extrapolated)")
    args = parser.parse_args(argv)
    surface = surfaces.get(SURFACE)
    optimizer = optimizers.get(OPTIMIZER, lr=LR)
    x, y = start_grid(surface, SIZE)
    gx, gy = np.meshgrid(x, y)
    starts = np.column_stack([gx.ravel(), gy.ravel()])
    low, high = box(surface)
    few = starts[: args.loop_starts]

    def with_cpu(run) -> tuple[float, tuple[float, object]]:
        """``(wall seconds, (CPU seconds of this process, result))`` of one call."""
        cpu = time.process_time()
        wall, result = timed(run)
        return wall, (time.process_time() - cpu, result)

    def vectorised() -> tuple[float, object]:
        return with_cpu(lambda: endpoints(optimizer, surface, starts, STEPS, low, high))

    def loop() -> tuple[float, object]:
        return with_cpu(lambda: [trajectory(optimizer, surface, p, STEPS).xy[-1] for p in few])

    (fast, (fast_cpu, (final, _))), (slow, (slow_cpu, looped)) = in_turns(args.repeat,
                                                                          vectorised, loop)
    # Same numbers: the loop's final points are the array's, start by start.
    assert np.array_equal(np.array(looped), final[: args.loop_starts])
    print(f"{OPTIMIZER} on {SURFACE}, lr {LR}, {SIZE} x {SIZE} starts, {STEPS} steps, "
          f"one thread, best of {args.repeat}:")
    print(f"  one array (atlas.races.basins.endpoints): {fast:.3f} s wall, {fast_cpu:.3f} s "
          "CPU (target <= 1 s)")
    scale = len(starts) / len(few)
    print(f"  loop over starts (atlas.trajectory): {slow:.3f} s wall, {slow_cpu:.3f} s CPU "
          f"for {len(few)} starts -> {slow * scale:.0f} s wall, {slow_cpu * scale:.0f} s CPU "
          f"for all {len(starts)} (extrapolated)")
    print(f"  speed-up: {slow * scale / fast:.0f}x wall, {slow_cpu * scale / fast_cpu:.0f}x CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
