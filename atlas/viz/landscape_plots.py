r"""Loss landscapes of a trained network, in the look of the toy surfaces.

Each ``plot_*`` function draws on one ``ax`` and returns its artists; each
``draw_*`` function builds a whole figure and writes ``<path>.png``:

* :func:`draw_landscape_3d` — the loss on the plane through the trained
  weights along two filter-normalised random directions
  (:func:`atlas.nn.landscape.random_plane`, Li et al. 2018), in 3D and as contours;
* :func:`draw_landscape_paths` — training paths projected on the plane of
  their first two principal components (:func:`atlas.nn.landscape.path_pca`),
  over the loss on that plane.

The slices and projections are computed by :mod:`atlas.nn.landscape` (the
catalog's ``mnist/landscape/*`` entries call it) and handed in: this module
only draws. The colours and levels are those of :mod:`atlas.viz.surface_plots`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.ticker import FormatStrFormatter, MaxNLocator

from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_INCHES, text_points
from atlas.viz.style import (
    CONTOUR_COLOR,
    DPI,
    MINIMUM_COLOR,
    SURFACE_CMAP,
    new_figure,
    optimizer_color,
    style,
    tick_text,
)
from atlas.viz.surface_plots import SurfaceGrid, uses_log_levels

SIZE = text_points()  # points: every text of a column-wide figure


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".png")


def landscape_grid(alphas: np.ndarray, betas: np.ndarray, loss: np.ndarray) -> SurfaceGrid:
    """A :class:`SurfaceGrid` of a loss slice (non-finite values shown at the largest finite).

    A cross-entropy spans decades between the bottom of a valley and the edge
    of a slice, so a positive loss is coloured on a log scale.
    """
    z = np.asarray(loss, np.float64)
    finite = np.isfinite(z)
    z = np.where(finite, z, np.max(z[finite]) if finite.any() else 0.0)
    x, y = np.meshgrid(alphas, betas)
    if z.min() > 0:  # a positive loss: colours and levels on a log scale of the loss itself
        return SurfaceGrid(x, y, z, True, 0.0)
    floor = float(z.min())
    return SurfaceGrid(x, y, z, uses_log_levels(z, floor), floor)


def nice_log_ticks(low: float, high: float) -> np.ndarray:
    """The values 1, 2, 5 times a power of ten between ``low`` and ``high``."""
    decades = np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    values = np.outer(10.0**decades, [1.0, 2.0, 5.0]).ravel()
    return values[(values >= low) & (values <= high)]


def plot_landscape_3d(ax: Axes, grid: SurfaceGrid, labels: tuple[str, str]) -> list[Artist]:
    """The slice as a translucent surface with floor contours, the origin starred."""
    artists: list[Artist] = [ax.plot_surface(
        grid.x, grid.y, grid.z, cmap=SURFACE_CMAP, norm=grid.height_norm(), alpha=0.85,
        rstride=1, cstride=1, linewidth=0.2, edgecolor="#ffffff40", shade=False)]
    low, high = float(grid.z.min()), float(grid.z.max())
    bottom = low - 0.08 * (high - low)
    artists.append(ax.contour(grid.x, grid.y, grid.z, levels=grid.levels(12), zdir="z",
                              offset=bottom, colors=CONTOUR_COLOR, linewidths=0.6, alpha=0.7))
    origin = np.unravel_index(np.argmin(np.abs(grid.x) + np.abs(grid.y)), grid.x.shape)
    artists.append(ax.scatter([0.0], [0.0], [grid.z[origin]], marker="*", s=140,
                              color=MINIMUM_COLOR, depthshade=False, zorder=5))  # fmt: skip
    ax.set(zlim=(bottom, high), xlabel=labels[0], ylabel=labels[1])
    ax.set_zlabel("loss")
    ax.view_init(elev=32, azim=-58)
    for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
        axis.set_pane_color((0.97, 0.97, 0.97, 1.0))
        axis.set_major_locator(MaxNLocator(4))
    ax.tick_params(pad=0)
    return artists


def plot_landscape_contour(ax: Axes, grid: SurfaceGrid, labels: tuple[str, str]) -> list[Artist]:
    """Filled contours of the slice, contour lines, and a colour bar of the loss."""
    fill = ax.contourf(grid.x, grid.y, grid.colour_values(), levels=grid.levels(64,
                       of_colour_values=True), cmap=SURFACE_CMAP, norm=grid.norm())  # fmt: skip
    lines = ax.contour(grid.x, grid.y, grid.z, levels=grid.levels(14), colors=CONTOUR_COLOR,
                       linewidths=0.6, alpha=0.9)  # fmt: skip
    bar = ax.figure.colorbar(fill, ax=ax, fraction=0.05, pad=0.03)
    bar.set_label("loss")
    if grid.log and grid.floor == 0:
        low, high = float(grid.colour_values().min()), float(grid.z.max())
        bar.set_ticks(nice_log_ticks(low, high), labels=None)
        bar.ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        bar.ax.minorticks_off()
    ax.set(xlabel=labels[0], ylabel=labels[1])
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    return [fill, lines, bar]


def plot_projected_path(ax: Axes, xy: np.ndarray, color: str, label: str) -> list[Artist]:
    """A path in plane coordinates: a line with dots at the snapshots, start ○ and end ●."""
    artists = ax.plot(xy[:, 0], xy[:, 1], color=color, lw=1.8, marker=".", markersize=5,
                      label=label, zorder=6)  # fmt: skip
    artists += ax.plot(*xy[0], marker="o", markersize=8, markerfacecolor="white",
                       markeredgecolor=color, markeredgewidth=1.6, zorder=7)  # fmt: skip
    artists += ax.plot(*xy[-1], marker="o", markersize=8, color=color,
                       markeredgecolor="white", zorder=8)  # fmt: skip
    return artists


def draw_landscape_3d(path: str | os.PathLike, steps: np.ndarray, loss: np.ndarray,
                      n_images: int, *, dpi: float = DPI) -> Path:  # fmt: skip
    r"""The loss ``loss[i, j]`` at :math:`\theta^* + \alpha_j u + \beta_i v` (both on ``steps``),
    :math:`u, v` filter-normalised random directions, on ``n_images`` training images."""
    grid = landscape_grid(steps, steps, loss)
    labels = (r"$\alpha$ (direction $u$)", r"$\beta$ (direction $v$)")
    with style(text=SIZE):
        figure = new_figure((COLUMN_INCHES, 9.4), dpi)
        figure.set_layout_engine("constrained", h_pad=0.08)
        figure.suptitle("Loss around the trained weights $\\theta^*$ on the plane\n"
                        "$\\theta^* + \\alpha u + \\beta v$, $u, v$ filter-normalised random "
                        f"directions\n({n_images} training images)")  # fmt: skip
        ax3d = figure.add_subplot(2, 1, 1, projection="3d")
        plot_landscape_3d(ax3d, grid, labels)
        ax = figure.add_subplot(2, 1, 2)
        plot_landscape_contour(ax, grid, labels)
        ax.plot([0], [0], marker="*", markersize=12, color=MINIMUM_COLOR, zorder=5)
        ax.set_aspect("equal")
        tick_text(figure, SIZE)
        return save_figure(figure, _png(path))


def draw_landscape_paths(path: str | os.PathLike, paths: Sequence[tuple[np.ndarray, str, str]],
                         explained: np.ndarray, alphas: np.ndarray, betas: np.ndarray,
                         loss: np.ndarray, n_images: int, *,
                         dpi: float = DPI) -> Path:  # fmt: skip
    r"""Training paths projected on the plane of their first two principal components
    (``explained``: the fraction of the variance along each), over the loss on that plane.

    ``paths`` holds ``(xy, optimizer, label)`` per run: its plane coordinates ``(T, 2)``,
    the optimizer whose colour it gets, its legend label.
    """
    grid = landscape_grid(alphas, betas, loss)
    e1, e2 = 100 * np.asarray(explained)
    with style(text=SIZE):
        figure = new_figure((COLUMN_INCHES, 5.6), dpi)
        figure.set_layout_engine("constrained")
        ax = figure.add_subplot()
        plot_landscape_contour(ax, grid, (f"PC 1 ({e1:.1f} % of the variance)",
                                          f"PC 2 ({e2:.1f} % of the variance)"))
        for xy, optimizer, label in paths:
            plot_projected_path(ax, xy, optimizer_color(optimizer), label)
        ax.legend(loc="best")
        ax.set_title("Training paths from a shared start (○) to their end (●)\non the plane "
                     "of their first two principal components,\nover the loss there "
                     f"({n_images} training images)")  # fmt: skip
        tick_text(figure, SIZE)
        return save_figure(figure, _png(path))
