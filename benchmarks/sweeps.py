"""Benchmark: a learning-rate sweep's 21 grid rates as one batch, against one run per rate.

The protocol sweeps every optimizer over the 21 grid rates on every surface
(:func:`atlas.protocol.grid_outcomes`). Each optimizer takes one learning rate per
start (``rates_per_start``), so the 21 runs move as one array of 21 starts; the
plain way runs :func:`atlas.protocol.run_outcome` once per rate. Both give the same
outcomes (checked here, and bit for bit in ``tests/test_rates_per_start.py``).

Every registered optimizer on ``--surfaces`` (default: three surfaces, one of them the
sinc well's 1024-step budget), the two ways in turns (``_setup.in_turns``), best of
``--repeat`` rounds; printed: CPU seconds of each way per surface, and the ratio.

Run ``python benchmarks/sweeps.py [--repeat 3] [--surfaces rosenbrock,himmelblau,sinc_well]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core

from _setup import in_turns  # benchmarks/_setup.py

from atlas import optimizers, surfaces
from atlas.protocol import GRID, grid_outcomes, run_outcome, step_budget


def cpu_timed(run):
    """``(CPU seconds, result)`` of one call of ``run()`` (the machine is shared)."""
    start = time.process_time()
    result = run()
    return time.process_time() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--surfaces", default="rosenbrock,himmelblau,sinc_well")
    args = parser.parse_args(argv)
    names = optimizers.names()
    total = [0.0, 0.0]
    for name in args.surfaces.split(","):
        surface = surfaces.get(name)
        steps = step_budget(surface)

        def batched(surface=surface, steps=steps):
            return [grid_outcomes(o, surface, GRID, steps) for o in names]

        def one_by_one(surface=surface, steps=steps):
            return [tuple(run_outcome(o, surface, lr, steps) for lr in GRID) for o in names]

        (fast, got), (slow, want) = in_turns(args.repeat, lambda: cpu_timed(batched),
                                             lambda: cpu_timed(one_by_one))
        assert got == want, f"{name}: the batch and the single runs disagree"
        total[0] += fast
        total[1] += slow
        print(f"{name:>12} ({steps} steps, {len(names)} optimizers x {len(GRID)} rates): "
              f"one batch {fast:6.2f} s, one run per rate {slow:6.2f} s: {slow / fast:5.1f}x")
    print(f"{'all':>12}: one batch {total[0]:6.2f} s, one run per rate {total[1]:6.2f} s: "
          f"{total[1] / total[0]:5.1f}x (CPU seconds, best of {args.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
