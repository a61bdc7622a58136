r"""Every optimizer's race on one surface, as one still: small multiples by group.

Thirteen or more paths in one axes cannot be told apart, so the summary of a
surface's races draws one row per group of :mod:`atlas.races.groups` (at
most six colours each, with the optimizers' markers as a second channel):
the contour map, each path clipped to the plot (:mod:`atlas.viz.clipping`),
a hollow circle at the start and the optimizer's marker where it ends (a
cross where it left the plot), and beside the map the race's legend
(:func:`atlas.viz.race.race_legend`: each optimizer's rate and what it did).
A run the protocol had to take from a failing rate is dashed.

:func:`group_rows_figure` lays out any such figure, one group per row, its
plot on the left and its legend on the right (the gap plots of
:mod:`atlas.viz.gap_plot` use it too). :func:`draw_race_summary` takes
``[(group, race), ...]`` as :func:`atlas.races.race.group_races` gives them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from atlas.viz.clipping import clip_polyline
from atlas.viz.png import save_figure
from atlas.viz.race import FONTSIZE, TITLE_FONTSIZE, WIDTH, race_legend, surface_title
from atlas.viz.style import DPI, new_figure, optimizer_color, optimizer_marker, style
from atlas.viz.surface_plots import plot_contours

if TYPE_CHECKING:
    from atlas.races.groups import Group
    from atlas.races.race import Race

#: Inches: the figure's title; above each plot (its group's title), below it (ticks and
#: label), left of it (ticks and label); between the plot and its legend; between rows.
TITLE, ABOVE, BELOW, LEFT, GAP, BETWEEN = 0.75, 0.4, 0.68, 0.8, 0.3, 0.1


def plot_race_paths(ax: Axes, race: Race) -> list[Artist]:
    """The race's paths on ``ax`` (contours first), clipped to the plot; returns the paths."""
    surface = race.surface
    plot_contours(ax, surface, levels=16, mark_critical=False)
    (x0, x1), (y0, y1) = surface.domain
    artists: list[Artist] = []
    with style():
        for run in race.runs:
            color, marker = optimizer_color(run.optimizer), optimizer_marker(run.optimizer)
            clipped = clip_polyline(run.xy, (x0, y0), (x1, y1))
            if len(clipped.rows):
                artists += ax.plot(clipped.rows[:, 0], clipped.rows[:, 1], color=color, lw=1.5,
                                   alpha=0.9, linestyle="--" if run.fallback else "-",
                                   zorder=6)  # fmt: skip
            ax.plot(*run.xy[0], marker="o", markersize=7, color="#222222", markerfacecolor="white",
                    markeredgecolor="#222222", markeredgewidth=1.0, zorder=7)  # fmt: skip
            if run.left_at is None:
                ax.plot(*run.xy[-1], marker=marker, markersize=8, color=color,
                        markeredgecolor="white", markeredgewidth=0.8, zorder=8)  # fmt: skip
            elif clipped.inside.any():  # the last point seen, before it left
                last = run.xy[run.left_at - 1]
                ax.plot(*last, marker="x", markersize=8, markeredgewidth=2.0, color=color,
                        zorder=8)  # fmt: skip
        ax.set_aspect("equal", adjustable="box", anchor="NW")  # the plot's true shape
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.yaxis.set_major_locator(MaxNLocator(5, prune="lower"))  # clear of x's first label
        ax.set_xlabel("$x$", labelpad=1)
        ax.set_ylabel("$y$", labelpad=1)
    return artists


def _legend_sizes(races: Sequence[tuple[Group, Race]], dpi: float) -> list[tuple[float, float]]:
    """Each race's legend as ``(width, height)`` in inches, measured on a scratch figure."""
    with style():
        scratch = new_figure((WIDTH, 4.0), dpi)
        renderer = scratch.canvas.get_renderer()
        sizes = []
        for _, race in races:
            box = race_legend(scratch, race.runs, race.escape,
                              frameon=False).get_window_extent(renderer)  # fmt: skip
            sizes.append((box.width / dpi, box.height / dpi))
    return sizes


def group_rows_figure(title: str, races: Sequence[tuple[Group, Race]],
                      draw: Callable[[Axes, Race], object], *, left: float = LEFT,
                      plot_height: float | None = None, dpi: float = DPI) -> Figure:  # fmt: skip
    """One row per ``(group, race)``: ``draw(ax, race)`` on the left, the race's legend right.

    The plots are as wide as the widest legend leaves room for, ``left``
    inches from the edge (their ticks and label), and at least ``plot_height``
    tall, as tall as their legend (None: as tall as wide, for maps). Each row
    is as tall as its plot or its legend, whichever is taller.
    """
    sizes = _legend_sizes(races, dpi)
    plot_width = WIDTH - left - GAP - max(w for w, _ in sizes) - 0.05
    heights = [plot_width if plot_height is None else max(plot_height, h - BELOW)
               for _, h in sizes]  # a plot as tall as its legend, where it may  # fmt: skip
    rows = [max(ABOVE + plot + BELOW, ABOVE + h) for plot, (_, h) in zip(heights, sizes,
                                                                         strict=True)]
    height = TITLE + sum(rows) + BETWEEN * (len(rows) - 1)
    with style():
        figure = new_figure((WIDTH, height), dpi)
        height = figure.get_figheight()  # rounded to whole pixels
        figure.suptitle(title, fontsize=TITLE_FONTSIZE, x=0.015, ha="left",
                        y=1 - 0.08 / height, va="top")  # fmt: skip
        top = TITLE
        for (group, race), row, plot in zip(races, rows, heights, strict=True):
            plot_top = 1 - (top + ABOVE) / height
            ax = figure.add_axes((left / WIDTH, plot_top - plot / height, plot_width / WIDTH,
                                  plot / height))  # fmt: skip
            draw(ax, race)
            ax.tick_params(labelsize=FONTSIZE)
            ax.xaxis.label.set_size(FONTSIZE)
            ax.yaxis.label.set_size(FONTSIZE)
            ax.set_title(group.title, fontsize=FONTSIZE, loc="left", pad=4,
                         fontweight="bold")  # fmt: skip
            race_legend(figure, race.runs, race.escape, loc="upper left",
                        anchor=((left + plot_width + GAP) / WIDTH, plot_top),
                        frameon=False)  # fmt: skip
            top += row + BETWEEN
    return figure


def race_summary_figure(races: Sequence[tuple[Group, Race]], dpi: float = DPI) -> Figure:
    """One row per ``(group, race)``: its contour map and paths, its legend beside it."""
    title = f"{surface_title(races[0][1].surface)}\nevery optimizer's race, by group"
    return group_rows_figure(title, races, plot_race_paths, dpi=dpi)


def draw_race_summary(path: str | os.PathLike, races: Sequence[tuple[Group, Race]], *,
                      dpi: float = DPI) -> Path:  # fmt: skip
    """The summary still of one surface's group races, as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(race_summary_figure(races, dpi), path)
