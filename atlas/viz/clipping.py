r"""Clip a polyline to a box, exactly, so a path that leaves a plot stops at its edge.

A race's path is a polyline :math:`p_0, p_1, \ldots, p_n` (2D on a contour map,
3D on a surface plot). Drawn as it is, a run that leaves the surface's domain
(the saddle's escape, a too-large learning rate) would run over the axes, the
legend and the title. Clipping in *data* space, before any projection, keeps
every figure readable: straight segments stay straight under the affine and
projective maps of a plot, so the clipped polyline, projected, is exactly the
visible part of the projected path.

Each segment :math:`p_i + t\,(p_{i+1} - p_i)`, :math:`t \in [0, 1]`, is cut to
the box :math:`\ell \le p \le h` by the Liang–Barsky parameters

.. math::

    t_{\text{in}} = \max\Big(0, \max_j \min(a_j, b_j)\Big), \qquad
    t_{\text{out}} = \min\Big(1, \min_j \max(a_j, b_j)\Big), \qquad
    a_j = \frac{\ell_j - p_{ij}}{d_j},\ b_j = \frac{h_j - p_{ij}}{d_j},

(a coordinate with :math:`d_j = 0` constrains nothing if it lies inside
:math:`[\ell_j, h_j]`, and hides the segment otherwise); the segment is
visible where :math:`t_{\text{in}} \le t_{\text{out}}`. A quotient is only
computed where it can matter, :math:`|a_j| \le 1`; beyond, it is
:math:`\pm\infty` of its sign, which gives the same :math:`t_{\text{in}}`,
:math:`t_{\text{out}}` and visibility, and cannot overflow when a converging
path takes steps of :math:`10^{-310}` (a step that small, divided into a
distance of order 1, is beyond the largest float). Where the path leaves
the box and later comes back, the rows hold a NaN row between the two pieces
(matplotlib starts a new piece after a NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClippedPath:
    """A polyline cut to a box, ready to be drawn step by step.

    ``rows`` are the vertices to draw (NaN rows separate pieces); the first
    ``ends[k]`` rows draw the path up to its point ``k``. ``inside[k]`` says
    whether point ``k`` itself lies in the box (where a head marker may be drawn).
    """

    rows: np.ndarray  # (m, d)
    ends: np.ndarray  # (n,) int
    inside: np.ndarray  # (n,) bool

    def upto(self, k: int) -> np.ndarray:
        """The rows that draw the path from point 0 to point ``k``."""
        return self.rows[: self.ends[k]]

    def between(self, j: int, k: int) -> np.ndarray:
        """The rows that draw the path from point ``j`` to point ``k`` (``j <= k``)."""
        return self.rows[max(self.ends[j] - 1, 0) : self.ends[k]]


def inside_box(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Whether each point of ``points`` (n, d) lies in the closed box ``[low, high]``."""
    return np.all((points >= low) & (points <= high), axis=-1)


def segment_windows(
    points: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Liang–Barsky ``(t_in, t_out)`` of each segment ``points[i] -> points[i + 1]``."""
    p, d = points[:-1], np.diff(points, axis=0)
    moving = d != 0
    a, b = _within_one(low - p, d), _within_one(high - p, d)
    # A coordinate that does not move constrains nothing if inside, everything if outside.
    still_inside = (p >= low) & (p <= high)
    enter = np.where(moving, np.minimum(a, b), np.where(still_inside, -np.inf, np.inf))
    leave = np.where(moving, np.maximum(a, b), np.where(still_inside, np.inf, -np.inf))
    t_in = np.maximum(0.0, enter.max(axis=-1, initial=-np.inf))
    t_out = np.minimum(1.0, leave.min(axis=-1, initial=np.inf))
    return t_in, t_out


def _within_one(distance: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``distance / d`` where it lies in [-1, 1], else ``+-inf`` of its sign (see the module doc).

    Entries where ``d == 0`` are left to the caller (``segment_windows`` replaces them).
    """
    near = (np.abs(distance) <= np.abs(d)) & (d != 0)
    beyond = np.where((distance > 0) == (d > 0), np.inf, -np.inf)
    return np.divide(distance, d, out=beyond, where=near)


def clip_polyline(points: np.ndarray, low, high) -> ClippedPath:
    """Clip the polyline ``points`` (n, d) to the box ``[low, high]`` (see the module doc)."""
    points = np.asarray(points, dtype=np.float64)
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    if points.ndim != 2 or len(points) == 0 or low.shape != (points.shape[1],):
        raise ValueError(f"need points (n, d) and a box of d bounds, got {points.shape}, {low}")
    if not np.all(low <= high):
        raise ValueError(f"box needs low <= high, got low={low}, high={high}")
    inside = inside_box(points, low, high)
    t_in, t_out = segment_windows(points, low, high)
    d = np.diff(points, axis=0)
    nan = np.full(points.shape[1], np.nan)
    rows: list[np.ndarray] = [points[0]] if inside[0] else []
    ends = [len(rows)]
    joined = bool(inside[0])  # the last row drawn is the current point
    for i in range(len(points) - 1):
        if t_in[i] <= t_out[i]:
            if not (joined and t_in[i] == 0.0):  # a new piece starts
                if rows:
                    rows.append(nan)
                rows.append(points[i] + t_in[i] * d[i])
            rows.append(points[i + 1] if t_out[i] == 1.0 else points[i] + t_out[i] * d[i])
            joined = t_out[i] == 1.0
        else:
            joined = False
        ends.append(len(rows))
    array = np.array(rows) if rows else np.empty((0, points.shape[1]))
    return ClippedPath(array, np.array(ends, dtype=np.int64), inside)
