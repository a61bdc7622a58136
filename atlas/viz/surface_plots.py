r"""A test surface drawn in 3D and as contours, the backdrop of every race.

Both plots evaluate :math:`f` on a modest square grid (120 x 120 by default:
smooth at 600 px, and fast, unlike the 1000 x 1000 grids of the course
notes) and colour it with :data:`atlas.viz.style.SURFACE_CMAP`.

Surfaces whose values span several decades above their minimum (Rosenbrock,
Beale, Goldstein–Price, ...) get *log-spaced* contour levels and a log colour
scale on :math:`f - f^*`, so the valley floor is visible and not one flat
colour; the others get evenly spaced levels. :func:`uses_log_levels` makes
that call from the grid values alone, so a new surface needs no setting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import FuncNorm, LogNorm, Normalize

from atlas.surfaces import Surface
from atlas.viz.style import CONTOUR_COLOR, MINIMUM_COLOR, SURFACE_CMAP, style

#: Grid points per side for plots (plot_surface and contours).
GRID = 120
#: The 3D surface's mesh: 80 x 80 quads read as smooth at figure size and draw in half
#: the time of 120 x 120 (the static background of every 3D race).
GRID_3D = 80
#: Log levels are used when the 99th percentile of f - f* exceeds its median by this factor.
LOG_SPREAD = 10.0

_MARKERS = {  # kind -> (marker, size, filled)
    "global minimum": ("*", 150, True),
    "local minimum": ("o", 36, False),
    "local maximum": ("^", 36, False),
    "saddle point": ("X", 50, True),
}


@dataclass(frozen=True)
class SurfaceGrid:
    """f on a regular grid over the surface's domain, and how to colour it.

    On a log scale the colour is applied to the height above the floor,
    :math:`f - f^*`, clipped below at ``lowest`` (a small positive height).
    """

    x: np.ndarray  # (n, n)
    y: np.ndarray  # (n, n)
    z: np.ndarray  # (n, n)
    log: bool  # colour and contour on a log scale of z - floor
    floor: float  # f* (or the grid's min z): the reference of the log scale

    @property
    def lowest(self) -> float:
        """The smallest height shown on a log scale: the 0.5th percentile of the heights."""
        gap = self.z - self.floor
        return float(max(np.percentile(gap[gap > 0], 0.5), np.median(gap) * 1e-4))

    def colour_values(self) -> np.ndarray:
        """What the colour map is applied to: ``z - floor`` (clipped) on a log scale, else ``z``."""
        return np.maximum(self.z - self.floor, self.lowest) if self.log else self.z

    def norm(self) -> Normalize:
        """Colour normalisation of :meth:`colour_values`."""
        values = self.colour_values()
        kind = LogNorm if self.log else Normalize
        return kind(vmin=float(values.min()), vmax=float(values.max()))

    def height_norm(self) -> Normalize:
        """Colour normalisation of ``z`` itself (3D faces are coloured by their height)."""
        low, high = float(self.z.min()), float(self.z.max())
        if not self.log:
            return Normalize(vmin=low, vmax=high)
        floor, lowest = self.floor, self.lowest

        def forward(z: np.ndarray) -> np.ndarray:
            return np.log(np.maximum(np.asarray(z) - floor, lowest))

        def inverse(u: np.ndarray) -> np.ndarray:
            return np.exp(u) + floor

        return FuncNorm((forward, inverse), vmin=low, vmax=high)

    def levels(self, n: int, *, of_colour_values: bool = False) -> np.ndarray:
        """``n`` levels of ``z`` (or of :meth:`colour_values`): log-spaced or even."""
        values = self.colour_values()
        if self.log:
            heights = np.geomspace(float(values.min()), float(values.max()), n)
            return heights if of_colour_values else self.floor + heights
        return np.linspace(float(values.min()), float(values.max()), n + 2)[1:-1]


def uses_log_levels(z: np.ndarray, floor: float) -> bool:
    """True when heights above ``floor`` span decades (99th percentile >> median)."""
    gap = np.asarray(z) - floor
    median = float(np.median(gap))
    return median > 0 and float(np.percentile(gap, 99)) > LOG_SPREAD * median


def surface_grid(surface: Surface, n: int = GRID) -> SurfaceGrid:
    """Evaluate ``surface`` on an ``n`` x ``n`` grid over its domain."""
    if n < 2:
        raise ValueError(f"grid needs at least 2 points per side, got {n}")
    (x0, x1), (y0, y1) = surface.domain
    x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = surface.value(x, y)
    bounded = surface.f_min is not None
    floor = min(float(surface.f_min), float(z.min())) if bounded else float(z.min())
    return SurfaceGrid(x, y, z, bounded and uses_log_levels(z, floor), floor)


def plot_surface_3d(
    ax: Axes,
    surface: Surface,
    *,
    n: int = GRID_3D,
    alpha: float = 0.55,
    floor_contours: bool = True,
    mark_minima: bool = True,
) -> list[Artist]:
    """Draw ``surface`` translucent on a 3D ``ax`` with its camera; returns the artists.

    The course-notes look: a translucent coloured surface, its contours
    projected on the floor of the box, global minima marked by a star.
    """
    with style():
        grid = surface_grid(surface, n)
        mesh = ax.plot_surface(grid.x, grid.y, grid.z, cmap=SURFACE_CMAP, norm=grid.height_norm(),
                               alpha=alpha, rstride=1, cstride=1, linewidth=0,
                               antialiased=False, shade=False)  # fmt: skip
        artists: list[Artist] = [mesh]
        z_low = float(grid.z.min())
        z_high = float(grid.z.max())
        bottom = z_low - 0.05 * (z_high - z_low)
        if floor_contours:
            artists.append(ax.contour(grid.x, grid.y, grid.z, levels=grid.levels(12),
                                      zdir="z", offset=bottom, colors=CONTOUR_COLOR,
                                      linewidths=0.6, alpha=0.7))  # fmt: skip
        if mark_minima:
            for point in surface.minima:
                artists.append(ax.scatter([point.x], [point.y], [point.value], marker="*",
                                          s=120, color=MINIMUM_COLOR, depthshade=False,
                                          zorder=5))  # fmt: skip
        (x0, x1), (y0, y1) = surface.domain
        ax.set(xlim=(x0, x1), ylim=(y0, y1), zlim=(bottom, z_high), xlabel="$x$", ylabel="$y$")
        ax.set_zlabel("$f(x, y)$")
        ax.view_init(elev=surface.view[0], azim=surface.view[1])
        for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
            axis.set_pane_color((0.97, 0.97, 0.97, 1.0))
            axis._axinfo["grid"].update(color="#e2e2e2", linewidth=0.5)
        ax.tick_params(labelsize=8, pad=0)
    return artists


def plot_contours(
    ax: Axes,
    surface: Surface,
    *,
    n: int = GRID,
    levels: int = 24,
    filled: bool = True,
    mark_minima: bool = True,
    mark_critical: bool = True,
) -> list[Artist]:
    """Draw ``surface`` as contours on a 2D ``ax``, minima marked; returns the artists.

    Levels are log-spaced above :math:`f^*` where the surface's range calls
    for it (see :func:`uses_log_levels`), otherwise evenly spaced.
    """
    with style():
        grid = surface_grid(surface, n)
        artists: list[Artist] = []
        if filled:
            fill_levels = grid.levels(4 * levels, of_colour_values=True)
            if not grid.log:  # close the range so the extremes are coloured too
                fill_levels = np.linspace(grid.z.min(), grid.z.max(), 4 * levels)
            artists.append(ax.contourf(grid.x, grid.y, grid.colour_values(), levels=fill_levels,
                                       cmap=SURFACE_CMAP, norm=grid.norm(), alpha=0.8))  # fmt: skip
        artists.append(ax.contour(grid.x, grid.y, grid.z, levels=grid.levels(levels),
                                  colors=CONTOUR_COLOR, linewidths=0.6, alpha=0.8))  # fmt: skip
        points = list(surface.minima if mark_minima else ())
        points += list(surface.critical if mark_critical else ())
        for point in points:
            marker, size, filled_marker = _MARKERS.get(point.kind, ("o", 36, False))
            artists.append(ax.scatter([point.x], [point.y], marker=marker, s=size, zorder=4,
                                      facecolors=MINIMUM_COLOR if filled_marker else "none",
                                      edgecolors=MINIMUM_COLOR, linewidths=1.0))  # fmt: skip
        (x0, x1), (y0, y1) = surface.domain
        ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
        ax.set_aspect("equal" if 0.4 < (y1 - y0) / (x1 - x0) < 2.5 else "auto")
    return artists
