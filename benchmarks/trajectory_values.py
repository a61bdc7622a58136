"""Benchmark: a run's values after its loop, in one call, against a value at every step.

:func:`atlas.trajectory.trajectory` computes only gradients and updates in its step loop
and the values of all recorded rows afterwards (see its module docstring). The former
way, kept here as ``per_step`` (the loop as it was), computed ``surface.value_xy`` of
every new point inside the loop, on an array of 21 points (a sweep's rates) or one.

Every registered optimizer's learning-rate sweep (:func:`atlas.protocol.grid_outcomes`,
the 21 grid rates at the step budget) on ``--surfaces`` (default: all 19), the two ways
in turns (``_setup.in_turns``), best of ``--repeat`` rounds; the outcomes must be equal.
Printed: CPU seconds of each way per surface and the ratio, for all optimizers and for
all but L-BFGS (whose batch, its pairs shared by the starts, still checks each step's
value: the same work both ways).

Run ``python benchmarks/trajectory_values.py [--repeat 2] [--surfaces rosenbrock,ackley]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: one core

import numpy as np
from _setup import in_turns  # benchmarks/_setup.py

from atlas import optimizers, protocol, surfaces
from atlas.protocol import GRID, grid_outcomes, step_budget

MODULE = importlib.import_module("atlas.trajectory")  # atlas.trajectory is the function
NEW = MODULE.trajectory


def per_step(optimizer, surface, start, steps, *, record_state=False, until_outside=None):
    """The former trajectory(): each step's value computed and checked in the loop."""
    p = MODULE._start_points(surface.start if start is None else start)
    single = p.ndim == 1
    inner = p.shape if optimizer.elementwise else (*p.shape[:-1], 1, 2)
    with np.errstate(all="ignore"):
        z = np.asarray(surface.value_xy(p), dtype=np.float64)
        state = optimizer.init(p.reshape(inner))
        xy_rows, z_rows, state_rows = [p], [z], [state]
        alive = np.ones(p.shape[:-1], dtype=bool)
        diverged_at = np.full(p.shape[:-1], -1, dtype=np.int64)
        left = np.zeros(p.shape[:-1], dtype=bool)
        everyone = True
        for k in range(1, steps + 1):
            g = np.reshape(surface.gradient_xy(p), inner)
            p_new, state_new = optimizer.update(g, state, p.reshape(inner))
            p_new = p_new.reshape(p.shape)
            z_new = np.asarray(surface.value_xy(p_new), dtype=np.float64)
            if everyone and np.isfinite(float(p_new.sum()) + float(z_new.sum())):
                p, z, state = p_new, z_new, state_new
            else:
                finite = np.isfinite(p_new).all(axis=-1) & np.isfinite(z_new)
                diverged_at[alive & ~finite] = k
                alive &= finite
                everyone = bool(alive.all())
                if not alive.any():
                    break
                p = np.where(alive[..., None], p_new, p)
                z = np.where(alive, z_new, z)
                state = MODULE._hold(state_new, state, alive)
            xy_rows.append(p)
            z_rows.append(z)
            state_rows.append(state)
            if until_outside is not None:
                left |= MODULE._outside(p, *until_outside)
                if np.all(left | ~alive):
                    break
    if single:
        at = int(diverged_at) if diverged_at >= 0 else None
    else:
        at = diverged_at
        missing = steps + 1 - len(xy_rows)
        xy_rows += [xy_rows[-1]] * missing
        z_rows += [z_rows[-1]] * missing
        state_rows += [state_rows[-1]] * missing
    states = tuple(MODULE._as_points(s, inner, p.shape) for s in state_rows) \
        if record_state else None  # fmt: skip
    return MODULE.Trajectory(np.stack(xy_rows), np.stack(z_rows), at, states, optimizer,
                             surface, steps)  # fmt: skip


def cpu_timed(way, surface, steps, names):
    """``(CPU seconds, [(seconds, outcomes) per optimizer])`` of every optimizer's sweep
    with ``way`` as trajectory()."""
    protocol.trajectory = way  # what grid_outcomes and run_outcome call
    try:
        each = []
        for o in names:
            start = time.process_time()
            outcomes = grid_outcomes(o, surface, GRID, steps)
            each.append((time.process_time() - start, outcomes))
        return sum(t for t, _ in each), each
    finally:
        protocol.trajectory = NEW


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--surfaces", default=",".join(surfaces.names()))
    args = parser.parse_args(argv)
    names = optimizers.names()
    total = np.zeros((2, 2))  # [all, all but L-BFGS] x [after, each step]
    for name in args.surfaces.split(","):
        surface = surfaces.get(name)
        steps = step_budget(surface)
        (new, got), (old, want) = in_turns(
            args.repeat, lambda s=surface, n=steps: cpu_timed(NEW, s, n, names),
            lambda s=surface, n=steps: cpu_timed(per_step, s, n, names))  # fmt: skip
        assert [o for _, o in got] == [o for _, o in want], f"{name}: the two ways disagree"
        for row, keep in enumerate((names, [o for o in names if o != "lbfgs"])):
            total[row] += [sum(t for o, (t, _) in zip(names, got, strict=True) if o in keep),
                           sum(t for o, (t, _) in zip(names, want, strict=True) if o in keep)]
        print(f"{name:>17} ({steps:4d} steps): values after {new:6.2f} s, "
              f"each step {old:6.2f} s: {old / new:4.2f}x")
    for row, label in enumerate(("all", "all but lbfgs")):
        after, each = total[row]
        print(f"{label:>17}: values after {after:6.2f} s, each step {each:6.2f} s: "
              f"{each / after:4.2f}x")
    print(f"(CPU seconds, {len(names)} optimizers x {len(GRID)} rates per surface, "
          f"best of {args.repeat} rounds per surface)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
