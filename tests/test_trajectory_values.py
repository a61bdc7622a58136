"""trajectory() computes the values after the loop: the same bits as checking each step's value.

The reference below is the loop as it was before (the value of every step computed in
the loop and checked there), so every output must equal it bit for bit: positions,
values, ``diverged_at``, lengths, padding and states, including where a value overflows
at a finite position.
"""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.protocol import GRID, box
from atlas.surfaces import Point, Surface
from atlas.trajectory import _as_points, _hold, _outside, _start_points, trajectory

STEPS = 40
RATES = (GRID[0], GRID[8], GRID[14], GRID[18], GRID[20])  # 1e-4 .. 10: calm to divergent
STATE_SURFACES = ("rosenbrock", "goldstein_price", "ackley", "monkey_saddle")


def reference(optimizer, surface, start, steps, *, record_state=False, until_outside=None):
    """The former loop: ``(xy, z, diverged_at, states, value_only)``; ``value_only`` counts
    the starts that diverged by their value at a finite position."""
    p = _start_points(surface.start if start is None else start)
    single = p.ndim == 1
    inner = p.shape if optimizer.elementwise else (*p.shape[:-1], 1, 2)
    value_only = 0
    with np.errstate(all="ignore"):
        z = np.asarray(surface.value_xy(p), dtype=np.float64)
        state = optimizer.init(p.reshape(inner))
        xy_rows, z_rows, state_rows = [p], [z], [state]
        alive = np.ones(p.shape[:-1], dtype=bool)
        diverged_at = np.full(p.shape[:-1], -1, dtype=np.int64)
        left = np.zeros(p.shape[:-1], dtype=bool)
        for k in range(1, steps + 1):
            g = np.reshape(surface.gradient_xy(p), inner)
            p_new, state_new = optimizer.update(g, state, p.reshape(inner))
            p_new = p_new.reshape(p.shape)
            z_new = np.asarray(surface.value_xy(p_new), dtype=np.float64)
            place = np.isfinite(p_new).all(axis=-1)
            finite = place & np.isfinite(z_new)
            value_only += int(np.sum(alive & place & ~finite))
            diverged_at[alive & ~finite] = k
            alive &= finite
            if not alive.any():
                break
            p = np.where(alive[..., None], p_new, p)
            z = np.where(alive, z_new, z)
            state = _hold(state_new, state, alive)
            xy_rows.append(p)
            z_rows.append(z)
            state_rows.append(state)
            if until_outside is not None:
                left |= _outside(p, *until_outside)
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
    states = tuple(_as_points(s, inner, p.shape) for s in state_rows) if record_state else None
    return np.stack(xy_rows), np.stack(z_rows), at, states, value_only


def same(a, b) -> bool:
    """Equal to the bit: arrays by dtype, shape and bytes, floats by their bits, states
    field by field (those that take part in equality), tuples item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
                and a.shape == b.shape and a.tobytes() == b.tobytes())  # fmt: skip
    if isinstance(a, tuple | list):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if hasattr(a, "__dataclass_fields__"):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in fields(a) if f.compare)  # fmt: skip
    if isinstance(a, float):
        return isinstance(b, float) and np.float64(a).tobytes() == np.float64(b).tobytes()
    return type(a) is type(b) and a == b


def check(optimizer, surface, start, steps=STEPS, **options) -> int:
    """Assert trajectory() equals the reference; return the reference's value_only count."""
    run = trajectory(optimizer, surface, start, steps, **options)
    xy, z, at, states, value_only = reference(optimizer, surface, start, steps, **options)
    what = f"{optimizer.name} on {getattr(surface, 'name', surface)} {options}"
    assert same(run.xy, xy), f"xy: {what}"
    assert same(run.z, z), f"z: {what}"
    assert same(run.diverged_at, at), f"diverged_at {run.diverged_at} != {at}: {what}"
    assert same(run.states, states), f"states: {what}"
    return value_only


def _batch(name: str, surface, rates) -> tuple:
    """A batch of starts: one rate each where the optimizer takes that, else spread starts."""
    if optimizers.registry.get(name).rates_per_start:
        return optimizers.get(name, lr=tuple(rates)), np.tile(surface.start, (len(rates), 1))
    (x0, x1), (y0, y1) = surface.domain
    offsets = np.linspace(-0.2, 0.2, len(rates))[:, None] * [x1 - x0, y1 - y0]
    return optimizers.get(name, lr=rates[-1]), np.asarray(surface.start) + offsets


@pytest.mark.parametrize("surface_name", surfaces.names())
def test_every_optimizer_equals_the_step_by_step_values(surface_name):
    surface = surfaces.get(surface_name)
    states = surface_name in STATE_SURFACES
    value_only = 0
    for name in optimizers.names():
        for until_outside in (None, box(surface)):
            opt, starts = _batch(name, surface, RATES)
            value_only += check(opt, surface, starts, until_outside=until_outside,
                                record_state=states)  # fmt: skip
            for lr in (RATES[1], RATES[-1]):
                value_only += check(optimizers.get(name, lr=lr), surface, None,
                                    until_outside=until_outside, record_state=states)  # fmt: skip
    if surface_name in ("rosenbrock", "goldstein_price", "beale"):
        # The hard case occurs here: a value overflows at a finite position.
        assert value_only > 0


def walled(radius: float, nan: bool = False, steep: bool = False, calls: list | None = None):
    """A Surface: f = x² + y², infinite (or NaN) beyond ``radius``, with the gradient
    2(x, y), finite everywhere (``steep``: infinite above y = 50). ``calls`` collects the
    points f is evaluated at, one list per call."""

    def f(x, y):
        if calls is not None:
            calls.append(x)
        far = np.hypot(x, y) > radius
        return np.where(far, math.nan if nan else math.inf, x * x + y * y)

    def grad(x, y):
        wall = np.where(y > 50, math.inf, 2.0) if steep else 2.0
        return wall * x, wall * y

    return Surface(name="walled", title="Walled bowl", latex="x^2 + y^2",
                   description="A bowl whose value overflows beyond a radius.", f=f, grad=grad,
                   domain=((-2.0, 2.0), (-2.0, 2.0)), start=(1.0, 0.5),
                   minima=(Point(0.0, 0.0, 0.0),))  # fmt: skip


STARTS = np.array([[1.0, 0.5], [0.3, -0.2], [2.0, 1.0], [-0.5, 0.1], [0.01, 0.02]])


@pytest.mark.parametrize("nan", [False, True])
@pytest.mark.parametrize("name", optimizers.names())
def test_a_value_overflowing_at_a_finite_point_is_divergence(name, nan):
    """Rates that grow the point geometrically (SGD at lr 1.5: p -> -2p; L-BFGS's Newton
    steps at lr 3: p -> -2p) pass the wall at different steps, the last ones near the
    end; calm rates stay inside."""
    surface = walled(1e3, nan)
    rates = (1.5, 0.01, 3.0, 2.5, 0.1)
    opt = optimizers.get(name, lr=rates if optimizers.registry.get(name).rates_per_start
                         else 1.5)  # fmt: skip
    inside = (np.array([-30.0, -30.0]), np.array([30.0, 30.0]))
    value_only = 0
    for steps in (0, 1, 7, STEPS):
        for until_outside in (None, inside, (np.array([-1e4, -1e4]), np.array([1e4, 1e4]))):
            for record_state in (False, True):
                options = {"until_outside": until_outside, "record_state": record_state}
                value_only += check(opt, surface, STARTS, steps, **options)
                value_only += check(optimizers.get(name, lr=1.5), surface, STARTS[0], steps,
                                    **options)  # fmt: skip
                value_only += check(optimizers.get(name, lr=3.0), surface, STARTS[2], steps,
                                    **options)  # fmt: skip
    if name in ("sgd", "momentum", "lbfgs"):
        assert value_only > 0
    calls = []
    trajectory(opt, walled(1e3, nan, calls=calls), STARTS, STEPS)
    # Two calls, the start's and all the rest; one per step for L-BFGS's batch (shared pairs).
    assert (len(calls) > 2) == (name == "lbfgs")


def test_every_start_dead_by_value_or_position():
    """Some starts die by their value (past the wall), the others by their position (the
    gradient is infinite above y = 50): the batch ends when the last one does, its rows
    padded, or, with a box, once each has left it or died."""
    surface = walled(1e3, steep=True)
    starts = np.array([[1.0, 1e-6], [1.0, 0.5], [2.0, 1.0], [-1.0, 1e-7], [0.01, 0.02]])
    for name in optimizers.names():
        rates = (1.5, 3.0, 2.5, 5.0, 1.5)
        opt = optimizers.get(name, lr=rates if optimizers.registry.get(name).rates_per_start
                             else 3.0)  # fmt: skip
        for until_outside in (None, (np.array([-10.0, -10.0]), np.array([10.0, 10.0]))):
            check(opt, surface, starts, 80, until_outside=until_outside, record_state=True)


class Bowl:
    """Not an atlas Surface, only value_xy and gradient_xy, of one point at a time (as the
    explorer's tests' nudged surface): its values are checked at each step, as before."""

    def __init__(self):
        self.surface, self.start = walled(1e3), (1.0, 0.5)

    def value_xy(self, p):
        assert np.shape(p)[:-1] in ((), (len(STARTS),)), np.shape(p)
        return self.surface.value_xy(p)

    def gradient_xy(self, p):
        return self.surface.gradient_xy(p)


@pytest.mark.parametrize("name", ["sgd", "adam", "muon", "lbfgs"])
def test_any_other_surface_has_its_values_checked_at_each_step(name):
    opt = optimizers.get(name, lr=(1.5, 0.01, 3.0, 2.5, 0.1))
    for until_outside in (None, (np.array([-30.0, -30.0]), np.array([30.0, 30.0]))):
        value_only = check(opt, Bowl(), STARTS, until_outside=until_outside, record_state=True)
        assert value_only > 0 or name in ("adam", "muon")  # whose steps stay short
        check(optimizers.get(name, lr=3.0), Bowl(), None, until_outside=until_outside)
