r"""Basin maps, drawn: small multiples, one panel per optimizer, at one scale.

Each panel shows a :class:`~atlas.races.basins.BasinMap` as an image over the
surface's box (equal scale on both axes, the same box in every panel): every
start coloured by the class of minimum it reaches, light grey where it reaches
none, black where it fails (leaves the plot). The minima are marked (only the
global ones where the local minima are too many to mark), and the race's
start point is a hollow circle. The class colours are
:data:`atlas.viz.style.BASIN_COLORS` in the order of the map's labels (global
minima first, then local ones by depth), so one surface's panels agree; one
legend below the panels names them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from atlas import optimizers
from atlas.learning_rates import format_lr
from atlas.protocol import as_surface
from atlas.races.basins import FAILED, NO_MINIMUM, BasinMap, minima_classes
from atlas.viz.png import save_figure
from atlas.viz.style import (
    BASIN_COLORS,
    DPI,
    FAILURE_COLOR,
    NO_MINIMUM_COLOR,
    new_figure,
    style,
)

WIDTH = 6.8
FONTSIZE = 8.0
COLUMNS = 3


def class_colours(labels: Sequence[str]) -> list[str]:
    """One colour per label: the basin palette in order, then "no minimum" and "failed"."""
    minima = [label for label in labels if label not in (NO_MINIMUM, FAILED)]
    if len(minima) > len(BASIN_COLORS):
        raise ValueError(f"{len(minima)} classes of minima, but only {len(BASIN_COLORS)} colours")
    fixed = {NO_MINIMUM: NO_MINIMUM_COLOR, FAILED: FAILURE_COLOR}
    colours = iter(BASIN_COLORS)
    return [fixed[label] if label in fixed else next(colours) for label in labels]


def plot_basin_map(ax: Axes, basin: BasinMap) -> None:
    """One map on ``ax``: the classes as an image over the box, the minima and start marked."""
    surface = as_surface(basin.surface)
    (x0, x1), (y0, y1) = surface.domain
    colours = class_colours(basin.labels)
    ax.imshow(basin.classes, origin="lower", extent=(x0, x1, y0, y1), interpolation="nearest",
              cmap=ListedColormap(colours), vmin=-0.5, vmax=len(colours) - 0.5)  # fmt: skip
    classes = minima_classes(surface)
    every_one = len({m.label for m in classes}) == len(classes)  # else (Rastrigin) global only
    for m in classes:
        if every_one or m.label.startswith("global"):
            star = m.label.startswith("global")
            ax.plot(m.x, m.y, marker="*" if star else "o", markersize=9 if star else 5,
                    color="white", markeredgecolor="#222222", markeredgewidth=0.7)  # fmt: skip
    ax.plot(*surface.start, marker="o", markersize=6, markerfacecolor="none",
            markeredgecolor="white", markeredgewidth=1.5)  # fmt: skip
    ax.set(xlim=(x0, x1), ylim=(y0, y1))
    ax.set_aspect("equal")
    ax.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
    ax.tick_params(labelsize=FONTSIZE)


def basin_figure(maps: Sequence[BasinMap], title: str | None = None,
                 dpi: float = DPI) -> Figure:  # fmt: skip
    """Small multiples of ``maps`` (one surface's), :data:`COLUMNS` per row (one fewer for
    a wide box), one legend."""
    surface = as_surface(maps[0].surface)
    (x0, x1), (y0, y1) = surface.domain
    columns = COLUMNS if (y1 - y0) / (x1 - x0) > 0.75 else COLUMNS - 1  # wide boxes: fewer
    rows = -(-len(maps) // columns)
    panel = (WIDTH - 0.5) / columns  # inches per panel, width
    panel_h = min(panel * (y1 - y0) / (x1 - x0), panel) + 0.45
    labels = maps[0].labels
    legend_rows = -(-len(labels) // 2)
    height = 0.3 + rows * panel_h + 0.2 + 0.2 * legend_rows
    with style():
        figure = new_figure((WIDTH, height), dpi)
        figure.suptitle(title or f"{surface.title}: which minimum each start reaches",
                        fontsize=10, x=0.02, ha="left", y=1 - 0.1 / height,
                        va="top")  # fmt: skip
        for i, basin in enumerate(maps):
            row, column = divmod(i, columns)
            left = (0.45 + column * panel) / WIDTH
            bottom = 1 - (0.3 + (row + 1) * panel_h) / height
            ax = figure.add_axes((left, bottom + 0.05 / height, (panel - 0.45) / WIDTH,
                                  (panel_h - 0.45) / height))  # fmt: skip
            plot_basin_map(ax, basin)
            name = optimizers.registry.get(basin.optimizer).title
            ax.set_title(f"{name}  lr {format_lr(basin.lr)}", fontsize=FONTSIZE + 0.5, pad=3)
        patches = [Patch(facecolor=c, edgecolor="#888888", linewidth=0.5)
                   for c in class_colours(labels)]  # fmt: skip
        figure.legend(patches, list(labels), loc="lower left", ncols=2, fontsize=FONTSIZE,
                      bbox_to_anchor=(0.05, 0.1 / height), frameon=False,
                      handlelength=1.2, columnspacing=1.5)  # fmt: skip
    return figure


def draw_basins(path: str | os.PathLike, maps: Sequence[BasinMap], *, title: str | None = None,
                dpi: float = DPI) -> Path:  # fmt: skip
    """The basin maps as one PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(basin_figure(maps, title, dpi), path)

