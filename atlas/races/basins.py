r"""Basin maps: which minimum an optimizer reaches from every start of a grid.

A race starts from one point; a basin map starts from all of them. The
surface's box is covered by an ``n x n`` grid of starts; each runs the
surface's step budget at the optimizer's protocol rate (:mod:`atlas.protocol`),
and is coloured by where it ends:

* the **minimum** whose neighbourhood it ends in: within :data:`RADIUS` of the
  plot's width (the marker's width of the race target), each global minimum its
  own class, the local minima by *depth rank*: all local minima of the lowest
  value one class ("local minima, f = 0.995"), the next value the next, up to
  :data:`MAX_LOCAL` ranks, then "other local minima" (Rastrigin's grid of them);
* **no minimum**: it stayed in the plot but ended near none of them (still
  travelling, or stalled on a plateau or at a saddle);
* **failed**: it left the plot, or became non-finite, at some step.

The local minima are found, not declared: Newton's method on the gradient
(its Jacobian by central differences of the analytic gradient) from a grid of
starts, keeping the points inside the box where the gradient vanishes and the
Hessian is positive definite (:func:`local_minima`).

All starts move as one array (:func:`atlas.races.rows.endpoints`): one
optimizer update per step for the whole grid, no path kept, the box checked by
a running minimum and maximum of every coordinate; the starts that have failed
are dropped from the array as they fail (every few steps, once they are a
share worth the copy), so the later steps compute only the live ones, to the
same bits; a failed start's final point is then wherever it was dropped, which
:func:`classify` ignores. ``benchmarks/basins.py`` measures it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from atlas import learning_rates, optimizers
from atlas.cache import write_atomic
from atlas.npz import npz_bytes, read_npz
from atlas.protocol import LearningRateChoice, as_surface, box, step_budget
from atlas.races.rows import endpoints
from atlas.surfaces import Surface

#: A start has reached a minimum when it ends within this fraction of the plot's width of it.
RADIUS = 0.02
#: Local minima get one class per depth rank up to this one; shallower ones share one class.
MAX_LOCAL = 6
#: Starts per side of the default map.
SIZE = 200
NO_MINIMUM, FAILED = "no minimum", "failed"


@dataclass(frozen=True)
class Minimum:
    """A minimum a start can reach: where, its value, and the class it counts for."""

    x: float
    y: float
    value: float
    label: str  # "global minimum (3, 2)", "local minimum, f = 84", "other local minima"


@dataclass(frozen=True)
class BasinMap:
    """Every start's outcome: ``classes[i, j]`` indexes ``labels`` for the start ``(x[j], y[i])``.

    ``labels`` lists the minima classes (global first, then local ones by value),
    then :data:`NO_MINIMUM` and :data:`FAILED`.
    """

    surface: str
    optimizer: str
    lr: float
    steps: int
    x: np.ndarray  # (n,)
    y: np.ndarray  # (n,)
    classes: np.ndarray  # (n, n) int8
    labels: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        """How many starts end in each class."""
        counts = np.bincount(self.classes.ravel(), minlength=len(self.labels))
        return dict(zip(self.labels, (int(c) for c in counts), strict=True))


def _jacobian(surface: Surface, p: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray]:
    """The gradient's derivatives along x and along y at ``p`` (N, 2), by central differences."""
    ex, ey = np.array([h, 0.0]), np.array([0.0, h])
    along_x = (surface.gradient_xy(p + ex) - surface.gradient_xy(p - ex)) / (2 * h)
    along_y = (surface.gradient_xy(p + ey) - surface.gradient_xy(p - ey)) / (2 * h)
    return along_x, along_y


def _newton(surface: Surface, p: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Newton's method on the gradient from every row of ``p`` (central-difference Jacobian)."""
    for _ in range(iterations):
        g = surface.gradient_xy(p)
        dx, dy = _jacobian(surface, p, 1e-6)
        det = dx[:, 0] * dy[:, 1] - dx[:, 1] * dy[:, 0]
        safe = np.where(np.abs(det) > 1e-300, det, np.nan)[:, None]
        p = p - np.column_stack([dy[:, 1] * g[:, 0] - dy[:, 0] * g[:, 1],
                                 dx[:, 0] * g[:, 1] - dx[:, 1] * g[:, 0]]) / safe  # fmt: skip
    return p


@cache
def local_minima(surface: Surface | str, n: int = 81) -> tuple[tuple[float, float, float], ...]:
    """Every local minimum ``(x, y, f)`` inside the box that is not a global minimum, by value.

    Found by Newton's method from an ``n x n`` grid of starts; kept where the
    gradient vanishes and the Hessian is positive definite; merged within 1e-6
    of the box's width.
    """
    surface = as_surface(surface)
    (x0, x1), (y0, y1) = surface.domain
    scale = max(x1 - x0, y1 - y0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        p = _newton(surface, np.column_stack([gx.ravel(), gy.ravel()]))
        p = p[np.isfinite(p).all(axis=1)]
        p = p[(p[:, 0] >= x0) & (p[:, 0] <= x1) & (p[:, 1] >= y0) & (p[:, 1] <= y1)]
        g = surface.gradient_xy(p)
        dx, dy = _jacobian(surface, p, 1e-5 * scale)
        values = surface.value_xy(p)
    flat = np.hypot(g[:, 0], g[:, 1]) < 1e-8 * max(1.0, float(np.abs(values).max(initial=1.0)))
    minimum = flat & (dx[:, 0] > 0) & (dx[:, 0] * dy[:, 1] > dx[:, 1] * dy[:, 0])
    found: list[tuple[float, float, float]] = []
    for x, y in p[minimum]:
        near_global = any(np.hypot(x - m.x, y - m.y) < 1e-6 * scale for m in surface.minima)
        if not near_global and all(np.hypot(x - a, y - b) > 1e-6 * scale for a, b, _ in found):
            found.append((float(x), float(y), float(surface.value_xy(np.array([x, y])))))
    return tuple(sorted(found, key=lambda m: (m[2], m[0], m[1])))


def _short(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


def minima_classes(surface: Surface | str) -> list[Minimum]:
    """The minima a basin map colours by, each with its class label (see the module doc)."""
    surface = as_surface(surface)
    classes = [Minimum(m.x, m.y, m.value, f"global minimum ({_short(m.x)}, {_short(m.y)})")
               for m in surface.minima]  # fmt: skip
    found = local_minima(surface)
    depths = [round(v, 6) for _, _, v in found]  # equal minima (mirror images) share a class
    ranks = sorted(set(depths))
    for (x, y, v), depth in zip(found, depths, strict=True):
        several = "minima" if depths.count(depth) > 1 else "minimum"
        label = (f"local {several}, f = {_short(v)}" if ranks.index(depth) < MAX_LOCAL
                 else "other local minima")  # fmt: skip
        classes.append(Minimum(x, y, v, label))
    return classes


def figure_data(maps: Sequence[BasinMap]) -> dict[str, Any]:
    """What :func:`atlas.viz.basin_plot.draw_basins` draws besides the maps, as plain data:
    the box ``extent``, the ``minima`` to mark ``(x, y, global?)`` (only the global ones
    where the local minima are too many to mark, Rastrigin's), the race's ``start``, and
    each map's panel title (the optimizer and its rate)."""
    surface = as_surface(maps[0].surface)
    (x0, x1), (y0, y1) = surface.domain
    every = len(local_minima(surface)) <= MAX_LOCAL
    marks = tuple((m.x, m.y, m.label.startswith("global")) for m in minima_classes(surface)
                  if every or m.label.startswith("global"))  # fmt: skip
    titles = tuple(f"{optimizers.registry.get(m.optimizer).title}, "
                   f"lr {learning_rates.format_lr(m.lr)}" for m in maps)  # fmt: skip
    return {"extent": (x0, x1, y0, y1), "minima": marks,
            "start": (float(surface.start[0]), float(surface.start[1])), "panel_titles": titles}


def classify(surface: Surface, final: np.ndarray, failed: np.ndarray,
             minima: list[Minimum]) -> tuple[np.ndarray, tuple[str, ...]]:  # fmt: skip
    """Class indices of the final points and the labels they index (see the module doc)."""
    labels = (*dict.fromkeys(m.label for m in minima), NO_MINIMUM, FAILED)
    (x0, x1), (y0, y1) = surface.domain
    scale = max(x1 - x0, y1 - y0)
    points = np.array([(m.x, m.y) for m in minima])
    index = np.array([labels.index(m.label) for m in minima])
    with np.errstate(invalid="ignore"):
        distance = np.hypot(final[:, None, 0] - points[None, :, 0],
                            final[:, None, 1] - points[None, :, 1])  # fmt: skip
    nearest = np.argmin(np.where(np.isfinite(distance), distance, np.inf), axis=1)
    close = distance[np.arange(len(final)), nearest] <= RADIUS * scale
    classes = np.where(close, index[nearest], labels.index(NO_MINIMUM))
    classes = np.where(failed, labels.index(FAILED), classes)
    return classes.astype(np.int8), labels


def start_grid(surface: Surface, n: int = SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` x and ``n`` y coordinates of the starts: cell centres covering the box."""
    (x0, x1), (y0, y1) = surface.domain
    cells = (np.arange(n) + 0.5) / n
    return x0 + cells * (x1 - x0), y0 + cells * (y1 - y0)


def basin_map(surface: Surface | str, optimizer_name: str, lr: float | None = None,
              n: int = SIZE, steps: int | None = None) -> BasinMap:  # fmt: skip
    """The basin map of ``optimizer_name`` on ``surface`` (``lr``: the protocol's by default)."""
    surface = as_surface(surface)
    if lr is None:
        lr = learning_rates.best_learning_rate(optimizer_name, surface).lr
    steps = step_budget(surface) if steps is None else int(steps)
    x, y = start_grid(surface, n)
    gx, gy = np.meshgrid(x, y)
    low, high = box(surface)
    final, failed = endpoints(optimizers.get(optimizer_name, lr=lr), surface,
                              np.column_stack([gx.ravel(), gy.ravel()]), steps, low, high)
    classes, labels = classify(surface, final, failed, minima_classes(surface))
    return BasinMap(surface.name, optimizer_name, float(lr), steps, x, y,
                    classes.reshape(n, n), labels)  # fmt: skip


def write_basin_maps(maps: list[BasinMap], path: str | os.PathLike) -> Path:
    """Write ``maps`` (one surface's, say) to ``path`` as one ``.npz`` file, atomically."""
    arrays: dict[str, np.ndarray] = {}
    meta = []
    for i, m in enumerate(maps):
        arrays[f"classes_{i}"], arrays[f"x_{i}"], arrays[f"y_{i}"] = m.classes, m.x, m.y
        meta.append({"surface": m.surface, "optimizer": m.optimizer, "lr": m.lr,
                     "steps": m.steps, "labels": list(m.labels)})  # fmt: skip
    return write_atomic(path, npz_bytes(arrays, meta, compressed=True))


def read_basin_maps(path: str | os.PathLike) -> list[BasinMap]:
    """The maps :func:`write_basin_maps` wrote; a ``ValueError`` naming a file that is not one."""
    try:
        data, meta = read_npz(path)
        return [BasinMap(m["surface"], m["optimizer"], float(m["lr"]), int(m["steps"]),
                         data[f"x_{i}"], data[f"y_{i}"], data[f"classes_{i}"],
                         tuple(m["labels"])) for i, m in enumerate(meta)]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{path} does not hold basin maps ({error})") from None


#: The surfaces with several minima, whose basin maps the book shows.
BASIN_SURFACES = ("himmelblau", "six_hump_camel", "three_hump_camel", "styblinski_tang",
                  "goldstein_price", "rastrigin")  # fmt: skip


def basin_maps(surface: Surface | str, optimizer_names: Sequence[str] | None = None,
               sweeps: Mapping[str, LearningRateChoice] | None = None,
               n: int = SIZE) -> list[BasinMap]:  # fmt: skip
    """Each optimizer's map on ``surface`` at its protocol rate (from ``sweeps``, else computed)."""
    names = optimizers.names() if optimizer_names is None else list(optimizer_names)
    rates = {name: (sweeps[name] if sweeps and name in sweeps
                    else learning_rates.best_learning_rate(name, surface)).lr for name in names}
    return [basin_map(surface, name, rates[name], n) for name in names]
