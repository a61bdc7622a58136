"""Many starts as one array, the failed and settled ones dropped (the basin maps' run).

A basin map (:mod:`atlas.races.basins`) runs tens of thousands of starts for
the surface's whole step budget, one optimizer update per step for all of them
(:func:`endpoints`). A start that has left the box, or become non-finite, is
*failed* whatever it does next, yet the plain loop computes it to the last
step; at the chosen rates that is up to a fifth of the rows and more, most of
them failed within the first 25 steps. A start the optimizer reports *settled*
(:meth:`atlas.optimizers.Optimizer.settled`: at a fixed point, where every
later step leaves it) ends where it is: with L-BFGS, most starts of Himmelblau
and Goldstein-Price within a hundred steps. So every :data:`CHECK_EVERY` steps
the failed and settled rows are counted, and once they are at least
:data:`DROP_SHARE` of the live ones they are dropped from the points, the
running box and the optimizer's state (:func:`take_rows`); the rows keep their
order and an index array maps them back to the starts. Every start is
independent of the others (:mod:`atlas.trajectory`: ``N`` starts give the
numbers of ``N`` separate runs), so a start that never fails ends at exactly
the point the plain loop gives it (``np.array_equal``; as between a batch and
single runs, L-BFGS's empty slots of other rows may flip the sign of an exact zero).
"""

from __future__ import annotations

import numbers
from dataclasses import fields, replace
from typing import Any

import numpy as np

from atlas.optimizers import Optimizer, State
from atlas.trajectory import SurfaceLike

#: Count the failed starts every this many steps (measured with ``benchmarks/basins.py``).
CHECK_EVERY = 8
#: Drop the failed starts once they are at least this share of the live ones.
DROP_SHARE = 0.01


def take_rows(state: State, keep: np.ndarray) -> State:
    """``state`` for the rows of the batch where ``keep`` (a boolean ``(N,)``) is true.

    Every array field whose leading axis is the batch's ``N`` (per coordinate, or
    per tensor for a per-tensor optimizer's ``(N, 1, 2)`` stack: the rule of
    :func:`atlas.trajectory._hold`) is subset, also inside tuples of tuples
    (L-BFGS's stored pairs ``(y, s, rho)``); a number or None (the step count,
    a shared scalar) stays; a field declared derived (``metadata={"derived": True}``:
    what the optimizer counts again from the others when it is None, as L-BFGS's
    ``users``) becomes None. Anything else (an array of another length, a list,
    a tuple of numbers) raises ``TypeError``: a field that holds the batch in a
    way not foreseen must not keep the dropped rows silently. Returns a new state
    of new arrays (a state's arrays are read-only), in the layout of the old ones.
    """
    keep = np.asarray(keep, dtype=bool)
    if keep.ndim != 1:
        raise ValueError(f"keep must be a boolean mask of the batch (N,), got shape {keep.shape}")
    subset = {}
    for f in fields(state):
        value = getattr(state, f.name)
        if f.metadata.get("derived"):
            subset[f.name] = None
            continue
        if value is None or isinstance(value, numbers.Number):
            continue
        subset[f.name] = _take(value, keep, f"{type(state).__name__}.{f.name}")
    return replace(state, **subset)


def _take(value: Any, keep: np.ndarray, where: str) -> Any:
    """The kept rows of a batch-leading array, or of every array in a (nested) tuple."""
    if isinstance(value, tuple):
        return tuple(_take(v, keep, f"{where}[{i}]") for i, v in enumerate(value))
    if not isinstance(value, np.ndarray):
        raise TypeError(f"take_rows: {where} is a {type(value).__name__}, neither a number, "
                        "None, an array of the batch nor a tuple of them")
    if value.shape[:1] != keep.shape:
        raise TypeError(f"take_rows: {where} has shape {value.shape}, whose leading axis is "
                        f"not the batch ({len(keep)} rows)")
    fortran = value.flags.f_contiguous and not value.flags.c_contiguous  # L-BFGS's columns
    out = np.empty((np.count_nonzero(keep), *value.shape[1:]), dtype=value.dtype,
                   order="F" if fortran else "C")  # fmt: skip
    return np.compress(keep, value, axis=0, out=out)


def _inside(lowest: np.ndarray, highest: np.ndarray, low: np.ndarray,
            high: np.ndarray) -> np.ndarray:  # fmt: skip
    """Which rows have stayed in ``[low, high]``: a NaN in the running extremes fails it.

    Column by column against numbers: a quarter of the time of comparing the ``(N, 2)``
    arrays with the ``(2,)`` bounds (an inner loop of two) and ``np.all(axis=-1)``, so
    a check every few steps costs little next to a step of the cheapest optimizers.
    """
    inside = np.ones(len(lowest), dtype=bool)
    for j in range(lowest.shape[-1]):
        inside &= lowest[:, j] >= low[j]
        inside &= highest[:, j] <= high[j]
    return inside


def endpoints(optimizer: Optimizer, surface: SurfaceLike, starts: np.ndarray, steps: int,
              low: np.ndarray, high: np.ndarray, *, check_every: int = CHECK_EVERY,
              drop_share: float = DROP_SHARE) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Final points ``(N, 2)`` of ``N`` starts after ``steps`` steps, and which ones failed.

    A start fails if any of its points leaves ``[low, high]`` or is not finite
    (a running minimum and maximum of every coordinate: NaN propagates into them,
    and fails the comparison). A start that never fails ends at the point
    :func:`atlas.trajectory.trajectory` gives it, alone or with the others, to the
    bit. A failed start is dropped at a check after it failed (see the module
    docstring), and the run ends once none is left; its final point is where it was
    then, a point of its path at or after its failure (outside the box, non-finite,
    or back inside): meaningless, as :func:`atlas.races.basins.classify` marks it
    failed whatever it is. A settled start is dropped at a check whose step settled it,
    at the point where every later step would leave it. An optimizer with a rate per
    start (a tuple ``lr``) loses the dropped starts' rates with them. ``check_every=0``
    never drops a start: the plain loop, every start computed to the last step (the
    reference of the tests and benchmark).
    """
    p = np.array(starts, dtype=np.float64)
    low, high = np.broadcast_to(low, p.shape[-1:]), np.broadcast_to(high, p.shape[-1:])
    final, failed = p.copy(), np.zeros(len(p), dtype=bool)
    rows = np.arange(len(p))  # the start each live row is
    lowest, highest = p.copy(), p.copy()

    def shape() -> tuple[int, ...]:  # the points, or a stack of 1 x 2 matrices (trajectory)
        return p.shape if optimizer.elementwise else (*p.shape[:-1], 1, 2)

    with np.errstate(all="ignore"):
        state = optimizer.init(p.reshape(shape()))
        for k in range(1, steps + 1):
            inner, before = shape(), state
            g = surface.gradient_xy(p).reshape(inner)
            new, state = optimizer.update(g, before, p.reshape(inner))
            check = check_every and k % check_every == 0 and k < steps
            settled = optimizer.settled(before, state, p.reshape(inner), new) if check else None
            p = new.reshape(p.shape)
            np.minimum(lowest, p, out=lowest)
            np.maximum(highest, p, out=highest)
            if check:
                inside = _inside(lowest, highest, low, high)
                keep = inside if settled is None else inside & ~np.reshape(settled, len(rows))
                dropped = len(rows) - np.count_nonzero(keep)
                if dropped and dropped >= drop_share * len(rows):
                    out = rows[~keep]
                    failed[out], final[out] = ~inside[~keep], p[~keep]
                    rows, p = rows[keep], p[keep]
                    lowest, highest = lowest[keep], highest[keep]
                    if not len(rows):
                        break
                    state = take_rows(state, keep)
                    if isinstance(getattr(optimizer, "lr", None), tuple):  # a rate per start
                        rates = tuple(r for r, k in zip(optimizer.lr, keep, strict=True) if k)
                        optimizer = replace(optimizer, lr=rates)
        failed[rows], final[rows] = ~_inside(lowest, highest, low, high), p
    return final, failed
