"""Run an optimizer on a 2D surface: the path every race and figure is drawn from.

A run is the fold :math:`\\theta_k = \\mathrm{update}(\\nabla f(\\theta_{k-1}), s_{k-1},
\\theta_{k-1})` for :math:`k = 1, \\ldots, \\text{steps}`, recorded with the value
:math:`f(\\theta_k)` at each point.

Several starts run as one array, which gives exactly the numbers of ``N``
separate runs. An elementwise optimizer receives the ``(N, 2)`` points as they
are. A per-tensor optimizer (``elementwise = False``, see
:mod:`atlas.optimizers.base`) receives them as a stack ``(N, 1, 2)`` of ``N``
independent ``1 x 2`` matrices, and a single start ``(2,)`` as one ``1 x 2``
matrix, so that one start is the same problem alone or in a batch; its steps are
reshaped back to points. (On a 2-D surface Muon therefore orthogonalises a
``1 x 2`` matrix, which is normalising it.)

Divergence. A step whose position or value is not finite (NaN, or an overflow
to infinity) ends that run, cleanly and silently (floating-point warnings are
suppressed inside the run, never raised):

* one start: the arrays are *truncated* to the finite prefix, and
  ``diverged_at`` is the first step that was not finite (so ``len(xy) ==
  diverged_at``); ``None`` if the run never diverged;
* ``N`` starts: ``diverged_at[i]`` is that step for start ``i`` (``-1`` if
  never), and its later rows are *held* at its last finite position, value and
  optimizer state, so the arrays keep their full length and contain no NaN.

Leaving a box. A run given ``until_outside=(low, high)`` also stops once every
start has had a point outside that box (or diverged): what a race scores ends at
a run's first point outside (:func:`atlas.protocol.outcome_of`), so the rest
need not be computed. One start stops after that point (it is kept); ``N``
starts step on together until the last has left, and are then held like
diverged ones.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace
from typing import Protocol

import numpy as np

from atlas import optimizers, surfaces
from atlas.optimizers import Optimizer, State


class SurfaceLike(Protocol):
    """What a run needs from a surface (``atlas.surfaces.Surface`` has both)."""

    def value_xy(self, p: np.ndarray) -> np.ndarray: ...

    def gradient_xy(self, p: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Trajectory:
    """The path of one optimizer from one start ``(2,)`` or ``N`` starts ``(N, 2)``.

    ``xy`` has shape ``(steps + 1, 2)`` or ``(steps + 1, N, 2)`` (row 0 is the
    start), ``z`` the matching ``(steps + 1,)`` or ``(steps + 1, N)`` values.
    ``states[k]`` is the optimizer state after step ``k`` (``states[0]`` the
    initial one) when the run was made with ``record_state=True``, else None;
    a per-tensor optimizer's state arrays shaped like its ``1 x 2`` matrices
    are reshaped to points like ``xy``'s rows, its other arrays (e.g. a history
    or a factored moment) keep the start's index first.
    See the module docstring for ``diverged_at``.
    """

    xy: np.ndarray
    z: np.ndarray
    diverged_at: int | np.ndarray | None
    states: tuple[State, ...] | None
    optimizer: Optimizer
    surface: SurfaceLike
    steps: int

    @property
    def diverged(self) -> bool | np.ndarray:
        """Whether the run (or each start's run) turned non-finite."""
        if isinstance(self.diverged_at, np.ndarray):
            return self.diverged_at >= 0
        return self.diverged_at is not None


def trajectory(
    optimizer: Optimizer | str,
    surface: SurfaceLike | str,
    start: np.ndarray | tuple[float, float] | None,
    steps: int,
    *,
    record_state: bool = False,
    until_outside: tuple[np.ndarray, np.ndarray] | None = None,
) -> Trajectory:
    """Run ``optimizer`` for ``steps`` steps on ``surface`` from ``start``.

    ``optimizer`` is an optimizer or a registry name (default hyperparameters),
    ``surface`` a surface or a registry name; ``start`` is one point ``(x, y)``, an
    ``(N, 2)`` array of points, or None for ``surface.start``. An unknown name raises
    :class:`~atlas.registry.UnknownNameError` with suggestions; anything else that is
    not an optimizer or a surface, or a bad ``steps`` or ``start``, ``ValueError``.
    ``until_outside`` ends the run once every start has had a point outside the box
    ``(low, high)`` (see the module docstring); one start's arrays are then shorter
    than ``steps + 1``.
    """
    if isinstance(optimizer, str):
        optimizer = optimizers.get(optimizer)
    elif not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be an Optimizer or one of {optimizers.names()}, "
                         f"got {optimizer!r}")
    if isinstance(surface, str):
        surface = surfaces.get(surface)
    elif not (hasattr(surface, "value_xy") and hasattr(surface, "gradient_xy")):
        raise ValueError(f"surface must be a Surface or one of {surfaces.names()}, "
                         f"got {surface!r}")
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    steps = int(steps)
    p = _start_points(surface.start if start is None else start)
    single = p.ndim == 1
    # The shape the optimizer sees: the points, or 1 x 2 matrices (see the module docstring).
    inner = p.shape if optimizer.elementwise else (*p.shape[:-1], 1, 2)

    with np.errstate(all="ignore"):
        z = np.asarray(surface.value_xy(p), dtype=np.float64)
        if not np.isfinite(z).all():
            raise ValueError(f"the surface value at the start is not finite: {z}")
        state = optimizer.init(p.reshape(inner))
        xy_rows, z_rows, state_rows = [p], [z], [state]
        alive = np.ones(p.shape[:-1], dtype=bool)
        diverged_at = np.full(p.shape[:-1], -1, dtype=np.int64)
        left = np.zeros(p.shape[:-1], dtype=bool)  # had a point outside until_outside
        everyone = True  # alive.all()
        for k in range(1, steps + 1):
            g = np.reshape(surface.gradient_xy(p), inner)
            p_new, state_new = optimizer.update(g, state, p.reshape(inner))
            p_new = p_new.reshape(p.shape)
            z_new = np.asarray(surface.value_xy(p_new), dtype=np.float64)
            # The common case, nothing to hold back: a finite sum has no NaN or inf in it
            # (a sum that overflows only sends a finite step the long way, to the same end).
            if everyone and math.isfinite(float(p_new.sum()) + float(z_new.sum())):
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
                state = _hold(state_new, state, alive)
            xy_rows.append(p)
            z_rows.append(z)
            state_rows.append(state)
            if until_outside is not None:
                left |= _outside(p, *until_outside)
                if np.all(left | ~alive):
                    break

    if single:  # truncated to the finite prefix
        at: int | np.ndarray | None = int(diverged_at) if diverged_at >= 0 else None
    else:  # every start held at its last finite row up to the full length
        at = diverged_at
        missing = steps + 1 - len(xy_rows)
        xy_rows += [xy_rows[-1]] * missing
        z_rows += [z_rows[-1]] * missing
        state_rows += [state_rows[-1]] * missing
    return Trajectory(
        xy=np.stack(xy_rows),
        z=np.stack(z_rows),
        diverged_at=at,
        states=tuple(_as_points(s, inner, p.shape) for s in state_rows) if record_state else None,
        optimizer=optimizer,
        surface=surface,
        steps=steps,
    )


def _start_points(start: object) -> np.ndarray:
    """The start as a float64 array of shape (2,) or (N, 2), all finite."""
    try:
        p = np.array(start, dtype=np.float64)
    except (TypeError, ValueError):
        message = f"start must be a point (x, y) or an (N, 2) array, got {start!r}"
        raise ValueError(message) from None
    if p.ndim not in (1, 2) or p.shape[-1] != 2 or p.size == 0:
        raise ValueError(f"start must have shape (2,) or (N, 2), got shape {p.shape}")
    if not np.isfinite(p).all():
        raise ValueError(f"start must be finite, got {start!r}")
    return p


def _outside(p: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether each point of ``p`` (shape (..., 2)) lies outside the box [low, high]."""
    return ~np.all((p >= low) & (p <= high), axis=-1)


def _hold(new: State, old: State, alive: np.ndarray) -> State:
    """``new``, except that the arrays keep ``old``'s rows where not alive.

    Every state array whose leading axes are the starts' (a per-coordinate array,
    or a per-tensor optimizer's) is held; the step count and shared scalars move on.
    """
    if alive.all():
        return new
    held = {}
    for f in fields(new):
        value = getattr(new, f.name)
        if isinstance(value, np.ndarray) and value.shape[: alive.ndim] == alive.shape:
            keep = alive.reshape(alive.shape + (1,) * (value.ndim - alive.ndim))
            held[f.name] = np.where(keep, value, getattr(old, f.name))
    return replace(new, **held)


def _as_points(state: State, inner: tuple[int, ...], outer: tuple[int, ...]) -> State:
    """``state`` with its arrays of the optimizer's shape ``inner`` reshaped to ``outer``."""
    if inner == outer:
        return state
    arrays = {k: v.reshape(outer) for k, v in state.arrays().items() if v.shape == inner}
    return replace(state, **arrays)
