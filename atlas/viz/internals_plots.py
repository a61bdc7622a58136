r"""What the optimizers since Adam do inside: a path on its surface beside one quantity per step.

Every figure is 6.8 in wide (the book's column), its smallest text 8.5 pt,
so at the column's width every letter is at least 11 CSS pixels. Each draws
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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm

from atlas.surfaces import Surface
from atlas.viz.png import save_figure
from atlas.viz.style import DPI, FOREGROUND, new_figure, style
from atlas.viz.surface_plots import plot_contours

WIDTH = 6.8  # inches: the book's column
SMALL = 8.5  # points: ticks, legends


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
    ax.tick_params(labelsize=SMALL)
    ax.set_title(surface.title, fontsize=9.5)
    ax.legend(fontsize=SMALL, loc="best")


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
    ax.set_xlabel("step", fontsize=9.5)
    ax.set_ylabel(ylabel, fontsize=9.5)
    ax.tick_params(labelsize=SMALL)
    ax.grid(True, which="major")
    ax.legend(fontsize=SMALL, loc="best")


def _two_panels(path: str | os.PathLike, title: str, surface: Surface, paths: Sequence[Line],
                series: Sequence[Line], ylabel: str, first_step: int,
                ylim: tuple[float, float] | None, dpi: float, log_x: bool = False,
                ) -> Path:  # fmt: skip
    with style():
        figure = new_figure((WIDTH, 3.5), dpi)
        figure.suptitle(title, fontsize=10)
        left = figure.add_axes((0.08, 0.13, 0.40, 0.72))
        right = figure.add_axes((0.60, 0.15, 0.38, 0.70))
        _surface_panel(left, surface, paths)
        _series_panel(right, series, ylabel, first_step, ylim, log_x)
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
    colour scale, and every entry of one against the other; ``labels`` names them (keys
    ``full``, ``factored``, ``rows``, ``columns``; ``scatter``, ``scatter_x``, ``scatter_y``)."""
    positive = np.concatenate([full[full > 0], factored[factored > 0]])
    norm = LogNorm(vmin=float(np.percentile(positive, 0.5)), vmax=float(positive.max()))
    with style():
        figure = new_figure((WIDTH, 3.1), dpi)
        figure.suptitle(title, fontsize=10)
        for i, key in enumerate(("full", "factored")):
            ax = figure.add_axes((0.075 + 0.255 * i, 0.17, 0.23, 0.66))
            image = ax.imshow(np.maximum((full, factored)[i], norm.vmin), cmap="viridis",
                              norm=norm, interpolation="nearest")  # fmt: skip
            ax.set_title(labels[key], fontsize=9)
            ax.set_xlabel(labels["columns"], fontsize=SMALL)
            if i == 0:
                ax.set_ylabel(labels["rows"], fontsize=SMALL)
            else:
                ax.tick_params(labelleft=False)
            ax.tick_params(labelsize=SMALL)
        bar = figure.colorbar(image, cax=figure.add_axes((0.575, 0.22, 0.014, 0.56)))
        bar.ax.tick_params(labelsize=SMALL)
        ax = figure.add_axes((0.755, 0.17, 0.225, 0.66))
        ax.loglog(full.ravel(), factored.ravel(), ",", color=FOREGROUND, alpha=0.5,
                  rasterized=True)  # fmt: skip
        ax.plot([norm.vmin, norm.vmax], [norm.vmin, norm.vmax], color="#DD6600", lw=1.2)
        ax.set(xlim=(norm.vmin, norm.vmax), ylim=(norm.vmin, norm.vmax))
        ax.set_title(labels["scatter"], fontsize=9)
        ax.set_xlabel(labels["scatter_x"], fontsize=SMALL)
        ax.set_ylabel(labels["scatter_y"], fontsize=SMALL)
        ax.tick_params(labelsize=SMALL)
        return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path if path.suffix == ".png" else path.with_name(path.name + ".png")
