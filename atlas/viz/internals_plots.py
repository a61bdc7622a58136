r"""What the optimizers since Adam do inside: a path on its surface beside one quantity per step.

Every figure is the book's column wide (:data:`atlas.viz.readable.COLUMN_INCHES`), its
text :func:`atlas.viz.readable.text_points` (11.5 pt): at least 9 CSS px on a phone. Each draws
exactly what it is handed (computed by :mod:`atlas.examples.optimizers_modern`):

* :func:`draw_averaged` — a path and its averaged iterate as a second, thin
  path (schedule-free's :math:`y` and :math:`x`, ASGD's parameters and
  :math:`\bar a`), beside :math:`f - f^*` of both;
* :func:`draw_series` — a path beside quantities against the step on a log
  scale (Lion's moves and gradients per coordinate, Prodigy's :math:`d_t`);
* :func:`draw_factored` — a weight matrix's full second moment, Adafactor's
  rank-1 estimate of it and their ratio, as images;
* :func:`draw_paths` — several paths on one surface (Muon against normalised
  momentum and SGD with momentum).
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from atlas.surfaces import Surface
from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_INCHES, text_points
from atlas.viz.style import DPI, FOREGROUND, new_figure, style, tick_text
from atlas.viz.surface_plots import plot_contours

WIDTH = COLUMN_INCHES  # inches: the book's column
SIZE = text_points()  # points: every text (titles half a point more)
TITLE_CHARS = 52  # a title longer than this is wrapped


@dataclass(frozen=True)
class Line:
    """A path (``xy``, one row per point) or a series (``y`` against its index) to draw."""

    label: str
    values: np.ndarray
    color: str
    width: float = 1.8
    dashes: tuple[float, float] | None = None


def _path(ax: Axes, line: Line) -> None:
    xy = np.asarray(line.values)
    kw = {"dashes": line.dashes} if line.dashes else {}
    ax.plot(xy[:, 0], xy[:, 1], color=line.color, lw=line.width, label=line.label, zorder=6, **kw)
    ax.plot(*xy[-1], marker="o", markersize=5, color=line.color, markeredgecolor="white",
            zorder=7)  # fmt: skip


def _surface_panel(ax: Axes, surface: Surface, paths: Sequence[Line]) -> None:
    plot_contours(ax, surface, levels=16)
    ax.plot(*np.asarray(paths[0].values)[0], marker="o", markersize=6, markerfacecolor="white",
            markeredgecolor=FOREGROUND, zorder=8)  # fmt: skip
    for line in paths:
        _path(ax, line)
    ax.set(xticks=[], yticks=[], xlabel="", ylabel="")
    ax.set_title(surface.title)


def _series_panel(ax: Axes, series: Sequence[Line], ylabel: str, first_step: int,
                  ylim: tuple[float, float] | None, log_x: bool = False) -> None:  # fmt: skip
    for line in series:
        values = np.asarray(line.values, dtype=float)
        kw = {"dashes": line.dashes} if line.dashes else {}
        ax.plot(np.arange(first_step, first_step + len(values)), values, color=line.color,
                lw=line.width, label=line.label, **kw)  # fmt: skip
    ax.set_yscale("log")
    if log_x:
        ax.set_xscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major")


def _figure(title: str, height: float, dpi: float) -> Figure:
    """A column-wide figure with constrained layout and ``title`` wrapped to fit."""
    figure = new_figure((WIDTH, height), dpi)
    figure.set_layout_engine("constrained", w_pad=0.03)
    figure.suptitle(textwrap.fill(title, TITLE_CHARS))
    return figure


def _two_panels(path: str | os.PathLike, title: str, surface: Surface, paths: Sequence[Line],
                series: Sequence[Line], ylabel: str, first_step: int,
                ylim: tuple[float, float] | None, dpi: float, log_x: bool = False,
                ) -> Path:  # fmt: skip
    """The paths on the surface beside the series; one legend below both (the paths' labels
    are the series' own where they are the same runs)."""
    with style(text=SIZE):
        figure = _figure(title, 4.1, dpi)
        left, right = figure.subplots(1, 2, width_ratios=(1.0, 1.25))
        _surface_panel(left, surface, paths)
        _series_panel(right, series, ylabel, first_step, ylim, log_x)
        handles, labels = right.get_legend_handles_labels()
        if len(series) > 1:
            figure.legend(handles, labels, loc="outside lower center", ncols=2,
                          handlelength=1.8, columnspacing=1.2)  # fmt: skip
        tick_text(figure, SIZE)
        return save_figure(figure, _png(path))


def draw_averaged(path: str | os.PathLike, title: str, surface: Surface, labels: tuple[str, str],
                  xy: np.ndarray, averaged: np.ndarray, gaps: tuple[np.ndarray, np.ndarray],
                  color: str, *, dpi: float = DPI) -> Path:  # fmt: skip
    """The path (thick, ``color``) and its averaged iterate (thin, dark) on the surface; their
    :math:`f - f^*` against the step (``gaps``: path's, average's)."""
    lines = [Line(labels[0], xy, color), Line(labels[1], averaged, FOREGROUND, 1.0)]
    series = [Line(labels[0], np.maximum(gaps[0], 1e-300), color),
              Line(labels[1], np.maximum(gaps[1], 1e-300), FOREGROUND, 1.2, (4.0, 2.0))]
    return _two_panels(path, title, surface, lines, series, "$f - f^*$", 0, None, dpi)


def draw_series(path: str | os.PathLike, title: str, surface: Surface, paths: Sequence[Line],
                series: Sequence[Line], ylabel: str, *, first_step: int = 1,
                ylim: tuple[float, float] | None = None, log_x: bool = False,
                dpi: float = DPI) -> Path:  # fmt: skip
    """``paths`` on the surface (from one start) beside ``series`` against the step, on a log
    scale (limits ``ylim``; the steps too if ``log_x``), the first value at ``first_step``."""
    return _two_panels(path, title, surface, paths, series, ylabel, first_step, ylim, dpi, log_x)


def draw_factored(path: str | os.PathLike, title: str, full: np.ndarray, factored: np.ndarray,
                  labels: Mapping[str, str], *, dpi: float = DPI) -> Path:  # fmt: skip
    """One matrix's full second moment and its factored estimate as two images on one log
    colour scale, and below them every entry of one against the other; ``labels`` names them
    (keys ``full``, ``factored``, ``rows``, ``columns``; ``scatter``, ``scatter_x``,
    ``scatter_y``)."""
    positive = np.concatenate([full[full > 0], factored[factored > 0]])
    norm = LogNorm(vmin=float(np.percentile(positive, 0.5)), vmax=float(positive.max()))
    with style(text=SIZE):
        figure = _figure(title, 6.6, dpi)
        axes = figure.subplot_mosaic([["full", "factored"], ["scatter", "scatter"]],
                                     height_ratios=(1.0, 1.0))  # fmt: skip
        for key in ("full", "factored"):
            ax = axes[key]
            image = ax.imshow(np.maximum(full if key == "full" else factored, norm.vmin),
                              cmap="viridis", norm=norm, interpolation="nearest")  # fmt: skip
            ax.set_title(labels[key])
            ax.set_xlabel(labels["columns"])
            if key == "full":
                ax.set_ylabel(labels["rows"])
            else:
                ax.tick_params(labelleft=False)
        figure.colorbar(image, ax=[axes["full"], axes["factored"]], shrink=0.9)
        ax = axes["scatter"]
        ax.loglog(full.ravel(), factored.ravel(), ",", color=FOREGROUND, alpha=0.5,
                  rasterized=True)  # fmt: skip
        ax.plot([norm.vmin, norm.vmax], [norm.vmin, norm.vmax], color="#DD6600", lw=1.2)
        ax.set(xlim=(norm.vmin, norm.vmax), ylim=(norm.vmin, norm.vmax))
        ax.set_box_aspect(1.0)
        ax.set_title(labels["scatter"])
        ax.set_xlabel(labels["scatter_x"])
        ax.set_ylabel(labels["scatter_y"])
        tick_text(figure, SIZE)
        return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path if path.suffix == ".png" else path.with_name(path.name + ".png")
