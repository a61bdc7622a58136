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

The values come last. The step loop computes gradients and updates and checks the
positions; the values of all recorded rows come after it, in one call (a surface gives
a point the same bits alone or among many). :mod:`atlas.trajectory_hold` then holds a
start whose value alone was not finite (an overflow at a finite point) from that step,
and finds the run's end again, as if each step's value had been checked: valid since
the starts never mix, unless the state holds something they share (L-BFGS's pairs,
which make the states and may set a zero's sign): such a batch checks each step's
value in the loop (measured: running it again from such a step cost more), as does a
run on any object but an :class:`atlas.surfaces.Surface` (whose value for a stack of
points is not known to be each point's alone): ``checked`` in :func:`trajectory`.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields, replace
from typing import Protocol

import numpy as np

from atlas import optimizers, surfaces
from atlas import trajectory_hold as hold
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
        batch, state = p.shape[:-1], optimizer.init(p.reshape(inner))
        checked = not isinstance(surface, surfaces.Surface) or _shared(state, batch)  # see above
        run = _Run([p], [state], [z] if checked else None, np.full(batch, -1, np.int64))
        _steps(run, surface, optimizer, inner, steps, until_outside)
        if checked:  # the run as recorded, every start held at its last row to the end
            at, state_rows, missing = run.diverged_at, run.states, steps + 1 - len(run.xy)
            missing = 0 if single else missing
            xy = np.stack(run.xy + [run.xy[-1]] * missing)
            values = np.stack(run.z + [run.z[-1]] * missing)
            state_rows += [state_rows[-1]] * missing
        else:
            xy, values, at, state_rows = _values_after(run, z, surface, steps, until_outside,
                                                       single, record_state)  # fmt: skip

    return Trajectory(
        xy=xy,
        z=values,
        diverged_at=(int(at) if at >= 0 else None) if single else at,
        states=tuple(_as_points(s, inner, p.shape) for s in state_rows) if record_state else None,
        optimizer=optimizer,
        surface=surface,
        steps=steps,
    )


@dataclass
class _Run:
    """A run so far: its rows, states and (when checked at each step) values, and per
    start the step at which it turned non-finite (-1: not yet)."""

    xy: list[np.ndarray]
    states: list[State]
    z: list[np.ndarray] | None
    diverged_at: np.ndarray


def _steps(run: _Run, surface: SurfaceLike, optimizer: Optimizer, inner: tuple[int, ...],
           steps: int, until_outside: tuple[np.ndarray, np.ndarray] | None) -> None:  # fmt: skip
    """Take ``run`` (its start only) on to ``steps`` (see the module docstring): a start
    whose position (or, with ``run.z``, value) turns non-finite is held, and the run stops
    when every start has, or (``until_outside``) has either that or had a point outside."""
    p, state, z = run.xy[-1], run.states[-1], None if run.z is None else run.z[-1]
    alive = run.diverged_at < 0
    left = np.zeros(alive.shape, dtype=bool)  # had a point outside until_outside
    everyone = bool(alive.all())
    for k in range(len(run.xy), steps + 1):
        g = np.reshape(surface.gradient_xy(p), inner)
        p_new, state_new = optimizer.update(g, state, p.reshape(inner))
        p_new = p_new.reshape(p.shape)
        total = float(p_new.sum())
        if z is not None:
            z_new = np.asarray(surface.value_xy(p_new), dtype=np.float64)
            total += float(z_new.sum())
        # The common case, nothing to hold back: a finite sum has no NaN or inf in it
        # (a sum that overflows only sends a finite step the long way, to the same end).
        if everyone and math.isfinite(total):
            p, state = p_new, state_new
            z = z_new if z is not None else None
        else:
            finite = np.isfinite(p_new).all(axis=-1)
            if z is not None:
                finite &= np.isfinite(z_new)
            run.diverged_at[alive & ~finite] = k
            alive &= finite
            everyone = bool(alive.all())
            if not alive.any():
                break
            p = np.where(alive[..., None], p_new, p)
            z = np.where(alive, z_new, z) if z is not None else None
            state = _hold(state_new, state, alive)
        run.xy.append(p)
        run.states.append(state)
        if z is not None:
            run.z.append(z)
        if until_outside is not None:
            left |= _outside(p, *until_outside)
            if np.all(left | ~alive):
                break


def _values_after(run: _Run, z: np.ndarray, surface: SurfaceLike, steps: int,
                  until_outside: tuple[np.ndarray, np.ndarray] | None, single: bool,
                  record_state: bool) -> tuple:  # fmt: skip
    """``(xy, z, diverged_at, states)`` of a run whose loop checked positions only: the
    values of all rows in one call, each start's own rows up to its end (a value that
    is not finite ends it too, :mod:`atlas.trajectory_hold`), then its last one."""
    xy = np.stack(run.xy)
    values = np.empty(xy.shape[:-1])
    values[0] = z
    if len(xy) > 1:
        values[1:] = surface.value_xy(xy[1:])  # every later row in one call
    n = values[0].size
    outside = None if until_outside is None else _outside(xy[1:], *until_outside).reshape(-1, n)
    end = hold.ending(values.reshape(-1, n), run.diverged_at.reshape(n), steps, outside)
    length = end.rows if single else steps + 1
    at = end.diverged_at.reshape(z.shape)
    states = _held_states(run.states, at, end.rows, length) if record_state else []
    return end.take(xy, length), end.take(values, length), at, states


def _shared(state: State, batch: tuple[int, ...]) -> bool:
    """Whether the starts (not one alone) share something of ``state`` other than numbers:
    anything but arrays led by their axes (L-BFGS's pairs, one tuple for the whole batch)."""
    return bool(batch) and not all(
        v is None or isinstance(v, numbers.Number)
        or (isinstance(v, np.ndarray) and v.shape[: len(batch)] == batch)
        for v in (getattr(state, f.name) for f in fields(state)))  # fmt: skip


def _held_states(states: list[State], diverged_at: np.ndarray, rows: int,
                 length: int) -> list[State]:  # fmt: skip
    """The states of the first ``rows`` rows with each start held from its divergence on
    (as :func:`_steps` holds them), padded with the last to ``length``."""
    held = [states[0]]
    for k in range(1, rows):
        held.append(_hold(states[k], held[-1], (diverged_at < 0) | (diverged_at > k)))
    return held + [held[-1]] * (length - rows)


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
