r"""Basin maps, drawn: small multiples, one panel per optimizer, at one scale.

Each panel shows one :class:`~atlas.races.basins.BasinMap` as an image over the
surface's box (equal scale on both axes, the same box and size in every panel):
every start coloured by the class of minimum it reaches, light grey where it
reaches none within the budget, black where it fails (leaves the plot). The
minima are marked (a star for a global one, a dot for a local one) and the
race's start is a hollow circle. The class colours are
:data:`atlas.viz.style.BASIN_COLORS` in the order of the maps' labels (global
minima first, then the local ones by depth), so one surface's panels agree;
one legend below the panels names them.

Only data is handed in: the maps (their ``classes`` and ``labels``, whose last
two are "no minimum" and "failed") and what :func:`atlas.races.basins.figure_data`
gives (the box, the minima, the start, each panel's title). The text is the
book's size for a full-column figure (:mod:`atlas.viz.readable`): readable on a phone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_PX, inches, text_points
from atlas.viz.style import (
    BASIN_COLORS,
    DPI,
    FAILURE_COLOR,
    NO_MINIMUM_COLOR,
    new_figure,
    style,
)

if TYPE_CHECKING:
    from atlas.races.basins import BasinMap

WIDTH = inches(COLUMN_PX)  # a full-column figure
TEXT = text_points(COLUMN_PX)  # points: 11 CSS px in the column, 9 px on a phone
MARKER_EDGE = "#222222"

Extent = tuple[float, float, float, float]


def class_colours(labels: Sequence[str]) -> list[str]:
    """One colour per label: the basin palette in order, then "no minimum" and "failed"
    (a map's last two labels)."""
    minima = len(labels) - 2
    if minima > len(BASIN_COLORS):
        raise ValueError(f"{minima} classes of minima, but only {len(BASIN_COLORS)} colours")
    return [*BASIN_COLORS[:minima], NO_MINIMUM_COLOR, FAILURE_COLOR]


def plot_basin_map(ax: Axes, basin: BasinMap, extent: Extent,
                   minima: Sequence[tuple[float, float, bool]],
                   start: tuple[float, float]) -> None:  # fmt: skip
    """One map on ``ax``: the classes as an image over the box, the minima and start marked."""
    colours = class_colours(basin.labels)
    ax.imshow(basin.classes, origin="lower", extent=extent, interpolation="nearest",
              cmap=ListedColormap(colours), vmin=-0.5, vmax=len(colours) - 0.5)  # fmt: skip
    for x, y, best in minima:
        ax.plot(x, y, marker="*" if best else "o", markersize=10 if best else 5, color="white",
                markeredgecolor=MARKER_EDGE, markeredgewidth=0.8)  # fmt: skip
    for size, colour, width in ((8, MARKER_EDGE, 3.2), (8, "white", 1.6)):  # a ring on any class
        ax.plot(*start, marker="o", markersize=size, markerfacecolor="none",
                markeredgecolor=colour, markeredgewidth=width)  # fmt: skip
    ax.set(xlim=extent[:2], ylim=extent[2:])
    ax.set_aspect("equal")
    for axis, (low, high) in ((ax.xaxis, extent[:2]), (ax.yaxis, extent[2:])):
        margin = 0.03 * (high - low)  # none at the box's edges: neighbours' labels would touch
        ticks = MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]).tick_values(low + margin, high - margin)
        axis.set_ticks([t for t in ticks if low + margin < t < high - margin])
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}".replace("-", "−")))


def _legend_handles(labels: Sequence[str], local: bool) -> tuple[list, list[str]]:
    colours = class_colours(labels)
    handles: list = [Patch(facecolor=c, edgecolor="#888888", linewidth=0.5) for c in colours]
    names = [*labels[:-2], "no minimum reached", "failed (left the plot)"]
    marks = [("*", 10, "white", "global minimum"), ("o", 5, "white", "local minimum"),
             ("o", 7, "none", "the race's start")]  # fmt: skip
    for marker, size, face, name in marks if local else marks[::2]:
        handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=size,
                              markerfacecolor=face, markeredgecolor=MARKER_EDGE,
                              markeredgewidth=1.6 if face == "none" else 0.8))  # fmt: skip
        names.append(name)
    return handles, names


def basin_figure(maps: Sequence[BasinMap], *, extent: Extent,
                 minima: Sequence[tuple[float, float, bool]], start: tuple[float, float],
                 panel_titles: Sequence[str], title: str = "Where each start ends",
                 dpi: float = DPI) -> Figure:  # fmt: skip
    """Small multiples of ``maps`` (one surface's), all the same size, and one legend.

    Three panels to a row (two for a box twice as wide as tall); tick labels on
    the outer panels only, since every panel shows the same box.
    """
    x0, x1, y0, y1 = extent
    aspect = (y1 - y0) / (x1 - x0)
    columns = min(len(maps), 3 if aspect > 0.75 else 2)
    rows = -(-len(maps) // columns)
    line = TEXT / 72 * 1.25  # inches per line of text
    left, right, gap = 0.6, 0.1, 0.12
    panel = (WIDTH - left - right - gap * (columns - 1)) / columns
    panel_h = panel * aspect
    title_h = 2 * line + 0.1  # inches above each panel for its title (two lines)
    bottom_ticks = 0.45
    handles, names = _legend_handles(maps[0].labels, any(not best for *_, best in minima))
    legend_h = -(-len(names) // 2) * TEXT / 72 * 1.6 + 0.15  # rows of a legend: 1.6 lines
    top = 0.12 + line * (title.count("\n") + 1)
    height = top + rows * (title_h + panel_h) + bottom_ticks + legend_h
    with style(text=TEXT):
        figure = new_figure((WIDTH, height), dpi)
        figure.suptitle(title, x=left / WIDTH, y=1 - 0.08 / height, ha="left", va="top",
                        fontsize=TEXT + 0.5)  # fmt: skip
        for i, (basin, name) in enumerate(zip(maps, panel_titles, strict=True)):
            row, column = divmod(i, columns)
            x = left + column * (panel + gap)
            y = height - top - (row + 1) * (title_h + panel_h)
            ax = figure.add_axes((x / WIDTH, y / height, panel / WIDTH, panel_h / height))
            plot_basin_map(ax, basin, extent, minima, start)
            ax.set_title(name.replace(", ", "\n", 1), fontsize=TEXT, pad=3, linespacing=1.1)
            last_row = row == rows - 1 or i + columns >= len(maps)
            ax.tick_params(labelleft=column == 0, labelbottom=last_row, labelsize=TEXT)
        figure.legend(handles, names, loc="lower left", ncols=2, fontsize=TEXT,
                      bbox_to_anchor=(0.0, 0.04 / height), frameon=False, handlelength=1.1,
                      handletextpad=0.4, columnspacing=0.8, borderaxespad=0.2)  # fmt: skip
    return figure


def draw_basins(path: str | os.PathLike, maps: Sequence[BasinMap], *, extent: Extent,
                minima: Sequence[tuple[float, float, bool]], start: tuple[float, float],
                panel_titles: Sequence[str], title: str = "Where each start ends",
                dpi: float = DPI) -> Path:  # fmt: skip
    """The basin maps as one PNG (``path`` + ``.png``); the arguments of :func:`basin_figure`."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure = basin_figure(maps, extent=extent, minima=minima, start=start,
                          panel_titles=panel_titles, title=title, dpi=dpi)  # fmt: skip
    return save_figure(figure, path)
