"""The learning rate the race protocol chose, every optimizer on every surface, as a heatmap.

One row per optimizer, one column per surface: 26 columns of numbers do not fit the
book's column at a readable size, and neither do 26 columns of colour with their
labels, so the optimizers are the rows. Each cell's colour is the chosen rate's
:math:`\\log_{10}`, one colour per rate of the protocol's grid
(:data:`atlas.protocol.GRID`, four rates per decade), read on the colour bar below;
a cross marks a *fallback*, a cell whose every grid rate fails (the race then uses
the failing run that stays in the plot longest). The exact numbers are in the table
``table/learning_rates`` (CSV).

:func:`heatmap_figure` draws what it is handed (:class:`RateMap`): titles, rates and
fallbacks; the catalog reads them from the protocol's sweeps. Every text is
:func:`atlas.viz.readable.text_points` for the width the book shows the figure at.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from atlas.viz import readable
from atlas.viz.png import save_figure
from atlas.viz.style import BACKGROUND, FOREGROUND, new_figure, style

#: Inches: a cell's side; the gaps around the grid, the colour bar's height and the room
#: below it for its ticks and label; the gap between the grid and its labels.
CELL, MARGIN, BAR, BAR_TEXT, PAD = 0.205, 0.08, 0.16, 0.72, 0.06
#: The marker of a fallback cell, drawn as a line, not as text.
FALLBACK_MARKER = "x"
FALLBACK_SIGN = "\N{MULTIPLICATION SIGN}"  # the marker, named in the colour bar's label


@dataclass(frozen=True)
class RateMap:
    """What the heatmap shows: ``lr[i, j]`` is the rate chosen for ``rows[i]`` (an
    optimizer's title) on ``columns[j]`` (a surface's title), ``fallback[i, j]`` whether
    every rate of ``grid`` failed there."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    lr: np.ndarray
    fallback: np.ndarray
    grid: tuple[float, ...]

    def __post_init__(self) -> None:
        shape = (len(self.rows), len(self.columns))
        if np.shape(self.lr) != shape or np.shape(self.fallback) != shape:
            raise ValueError(f"lr and fallback must be {shape} (rows x columns), got "
                             f"{np.shape(self.lr)} and {np.shape(self.fallback)}")
        off = [lr for lr in np.ravel(self.lr) if not np.isclose(self.grid, lr).any()]
        if off:
            raise ValueError(f"every rate must be a grid rate, got {off[:3]}")

    def index(self) -> np.ndarray:
        """Each cell's position in the grid (0 = the smallest rate)."""
        grid = np.log10(np.asarray(self.grid))
        return np.abs(np.log10(self.lr)[..., None] - grid).argmin(axis=-1)


def _text_inches(texts: Sequence[str], points: float, dpi: float) -> float:
    """The width (inches) of the widest of ``texts`` set at ``points``."""
    figure = new_figure((1.0, 1.0), dpi)
    renderer = figure.canvas.get_renderer()
    font = FontProperties(size=points)
    return max(renderer.get_text_width_height_descent(t, font, ismath=False)[0]
               for t in texts) / dpi  # fmt: skip


def _rate_label(lr: float) -> str:
    return f"{lr:g}"


def heatmap_figure(rates: RateMap, display_px: float = readable.COLUMN_PX,
                   dpi: float = readable.DPI) -> Figure:  # fmt: skip
    """The heatmap of ``rates`` (see the module docstring), drawn to be shown
    ``display_px`` CSS px wide."""
    points = readable.text_points(display_px)
    width = readable.inches(display_px)
    left = _text_inches(rates.rows, points, dpi) + PAD + MARGIN
    top = _text_inches(rates.columns, points, dpi) + PAD + MARGIN
    cell = min(CELL, (width - left - MARGIN) / len(rates.columns))
    grid_w, grid_h = cell * len(rates.columns), cell * len(rates.rows)
    height = top + grid_h + 2 * PAD + BAR + BAR_TEXT
    n = len(rates.grid)
    colours = ListedColormap(colormaps["viridis"](np.linspace(0.0, 1.0, n)))
    norm = BoundaryNorm(np.arange(n + 1) - 0.5, n)
    with style(points):
        figure = new_figure((width, height), dpi)
        ax = figure.add_axes((left / width, (height - top - grid_h) / height,
                              grid_w / width, grid_h / height))  # fmt: skip
        index = rates.index()
        ax.imshow(index, cmap=colours, norm=norm, aspect="auto", interpolation="nearest")
        ax.set_xticks(range(len(rates.columns)), rates.columns, rotation=90)
        ax.set_yticks(range(len(rates.rows)), rates.rows)
        ax.xaxis.tick_top()
        ax.tick_params(length=0, pad=PAD * 72)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(len(rates.columns) + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(len(rates.rows) + 1) - 0.5, minor=True)
        ax.grid(which="minor", color=BACKGROUND, linewidth=0.8)
        ax.tick_params(which="minor", length=0)
        rows, cols = np.nonzero(np.asarray(rates.fallback))
        for r, c in zip(rows, cols, strict=True):
            red, green, blue, _ = colours(index[r, c])
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.plot(c, r, FALLBACK_MARKER, color=BACKGROUND if dark else FOREGROUND,
                    markersize=cell * 72 * 0.55, markeredgewidth=1.6)  # fmt: skip
        bar = figure.add_axes((left / width, (BAR_TEXT + PAD) / height, grid_w / width,
                               BAR / height))  # fmt: skip
        decades = [k for k, lr in enumerate(rates.grid) if math.log10(lr) % 1 == 0]
        bar.imshow(np.arange(n)[None, :], cmap=colours, norm=norm, aspect="auto")
        bar.set_yticks([])
        bar.set_xticks(decades, [_rate_label(rates.grid[k]) for k in decades])
        bar.tick_params(length=3, pad=2)
        for spine in bar.spines.values():
            spine.set_visible(False)
        bar.set_xlabel(f"learning rate ({n} grid rates);   {FALLBACK_SIGN} every rate fails")
    return figure


def draw_lr_heatmap(path: str | os.PathLike, rates: RateMap,
                    display_px: float = readable.COLUMN_PX,
                    dpi: float = readable.DPI) -> Path:  # fmt: skip
    """Draw the heatmap of ``rates`` and write it to ``<path>.png``, atomically."""
    path = Path(path)
    return save_figure(heatmap_figure(rates, display_px, dpi),
                       path.with_name(path.name + ".png"))  # fmt: skip
