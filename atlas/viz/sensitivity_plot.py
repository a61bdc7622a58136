r"""Learning-rate sensitivity, drawn: each optimizer's race against its learning rate.

One figure per surface, one pair of panels per group of :mod:`atlas.races.groups`
(at most six colours in one axes), sharing the learning-rate axis (log scale,
the protocol's grid):

* above, **steps to target** (log scale) of every rate whose run reaches it
  without failing; a rate whose run fails is a cross on the "fails" row at the
  top; the chosen rate is ringed;
* below, the **final gap** (log scale; symlog where it can be negative, on a
  surface unbounded below) of every rate whose run misses the target without
  failing, with the target :math:`\tau` dashed.

The figure draws a :class:`atlas.races.sensitivity.SurfaceSensitivity`: its
curves (:class:`~atlas.races.sensitivity.Curve`), the target, and each
optimizer's good window in decades (:class:`~atlas.races.sensitivity.Window`),
which the legend gives. Text is :data:`atlas.viz.race.FONTSIZE` points at the
races' width, as in every race figure.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullFormatter

from atlas.viz.png import save_figure
from atlas.viz.race import FONTSIZE, TITLE_FONTSIZE, WIDTH, surface_title
from atlas.viz.style import DPI, FOREGROUND, new_figure, optimizer_color, optimizer_marker, style

if TYPE_CHECKING:
    from atlas.races.groups import Group
    from atlas.races.sensitivity import Curve, SurfaceSensitivity

#: Inches: the title; per group, its title, the steps panel, the gap between the panels,
#: the misses panel, the ticks and label below; left of the panels; legend's column.
TITLE, ABOVE, UPPER, SPACE, LOWER, BELOW = 0.75, 0.42, 1.35, 0.2, 1.05, 0.68
LEFT, LEGEND = 1.1, 2.95


def plot_steps(ax: Axes, curves: Sequence[Curve], budget: int) -> list[Line2D]:
    """Steps to target against lr; failures as crosses on the top row; chosen rates ringed.

    Returns each curve's line (the legend's handles).
    """
    fails_row = budget * 5.0  # the "fails" band: one row per optimizer, stacked
    rows = fails_row * 1.35 ** (np.arange(len(curves)) - (len(curves) - 1) / 2)
    lines = []
    for c, row in zip(curves, rows, strict=True):
        color, marker = optimizer_color(c.optimizer), optimizer_marker(c.optimizer)
        lrs = np.array(c.lrs)
        steps = np.array([np.nan if s is None or f else s
                          for s, f in zip(c.steps_to_target, c.failed, strict=True)], float)
        lines += ax.plot(lrs, steps, color=color, marker=marker, markersize=5.5, lw=1.5,
                         markeredgecolor="white", markeredgewidth=0.5)  # fmt: skip
        failed = np.array(c.failed)
        ax.plot(lrs[failed], np.full(failed.sum(), row), linestyle="none", marker="x",
                markersize=6, color=color, markeredgewidth=1.4)  # fmt: skip
        chosen = c.steps_to_target[c.chosen]
        if chosen is not None and not c.failed[c.chosen]:
            ax.plot(lrs[c.chosen], chosen, marker="o", markersize=10, color=color,
                    markerfacecolor="none", markeredgewidth=1.6)  # fmt: skip
    ax.set_yscale("log")
    ax.set_ylim(0.5, rows.max() * 1.5)
    ticks = [t for t in (1, 10, 100, 1000) if t <= budget]
    ax.set_yticks([*ticks, fails_row], [*map(str, ticks), "fails"])
    ax.minorticks_off()
    ax.axhline(budget, color="#bbbbbb", lw=0.8, zorder=0)  # the budget
    ax.set_ylabel("steps to\ntarget", fontsize=FONTSIZE)
    return lines


def plot_misses(ax: Axes, curves: Sequence[Curve], target: float, bounded: bool) -> None:
    """Final gap of every rate that misses the target without failing; the target dashed.

    ``target``: the protocol's gap :math:`\tau`; ``bounded``: False for an escape,
    where the gap is measured from the escape level and may be negative.
    """
    values = []
    for c in curves:
        color, marker = optimizer_color(c.optimizer), optimizer_marker(c.optimizer)
        gaps = np.array([g if s is None and not f else np.nan for s, g, f in
                         zip(c.steps_to_target, c.final_gap, c.failed, strict=True)], float)
        values += list(gaps[np.isfinite(gaps)])
        ax.plot(c.lrs, gaps, color=color, marker=marker, markersize=5.5, lw=1.5,
                markeredgecolor="white", markeredgewidth=0.5)  # fmt: skip
        if c.steps_to_target[c.chosen] is None and not c.failed[c.chosen]:
            ax.plot(c.lrs[c.chosen], c.final_gap[c.chosen], marker="o", markersize=11,
                    color=color, markerfacecolor="none", markeredgewidth=1.6)
    if bounded and all(v > 0 for v in values):
        ax.set_yscale("log")
        ax.axhline(target, color=FOREGROUND, lw=0.9, ls="--", zorder=0)
    else:
        ax.set_yscale("symlog", linthresh=1.0)
        ax.axhline(0.0, color=FOREGROUND, lw=0.9, ls="--", zorder=0)
    ax.set_ylabel("final gap\n(misses)" if bounded else "final f − escape\n(misses)",
                  fontsize=FONTSIZE)  # fmt: skip


def sensitivity_figure(data: SurfaceSensitivity, groups: Sequence[Group],
                       dpi: float = DPI) -> Figure:  # fmt: skip
    """One surface's sensitivity: a pair of panels per group (see the module docstring)."""
    by_name = {c.optimizer: (c, w) for c, w in zip(data.curves, data.windows, strict=True)}
    panels = [(g, [by_name[m] for m in g.members if m in by_name]) for g in groups]
    panels = [(g, found) for g, found in panels if found]
    row = ABOVE + UPPER + SPACE + LOWER + BELOW
    height = TITLE + row * len(panels)
    lrs = data.curves[0].lrs
    width = WIDTH - LEFT - LEGEND - 0.3
    with style():
        figure = new_figure((WIDTH, height), dpi)
        height = figure.get_figheight()  # rounded to whole pixels
        figure.suptitle(f"{surface_title(data.surface)}\nsteps to target against the learning rate",
                        fontsize=TITLE_FONTSIZE, x=0.015, ha="left", y=1 - 0.08 / height,
                        va="top")  # fmt: skip
        for i, (group, found) in enumerate(panels):
            top = TITLE + i * row + ABOVE
            upper = figure.add_axes((LEFT / WIDTH, 1 - (top + UPPER) / height, width / WIDTH,
                                     UPPER / height))  # fmt: skip
            lower = figure.add_axes((LEFT / WIDTH, 1 - (top + UPPER + SPACE + LOWER) / height,
                                     width / WIDTH, LOWER / height), sharex=upper)  # fmt: skip
            group_curves = [c for c, _ in found]
            handles = plot_steps(upper, group_curves, data.steps)
            plot_misses(lower, group_curves, data.target, data.bounded)
            upper.set_xscale("log")
            upper.set_xlim(lrs[0] / 1.6, lrs[-1] * 1.6)
            upper.xaxis.set_major_locator(LogLocator(base=100.0))  # room for large labels
            upper.xaxis.set_minor_locator(LogLocator(base=10.0, subs=(1.0,)))
            upper.xaxis.set_minor_formatter(NullFormatter())
            upper.tick_params(labelbottom=False, labelsize=FONTSIZE)
            lower.tick_params(labelsize=FONTSIZE)
            lower.set_ymargin(0.12)  # its lowest label clear of the first rate's, in the corner
            lower.set_xlabel("learning rate", fontsize=FONTSIZE, labelpad=1)
            upper.set_title(group.title, fontsize=FONTSIZE, loc="left", pad=4, fontweight="bold")
            labels = [f"{c.title}  {w.good_decades:g}" for c, w in found]
            figure.legend(handles, labels, loc="upper left", fontsize=FONTSIZE, frameon=False,
                          bbox_to_anchor=(1 - (LEGEND + 0.05) / WIDTH, 1 - top / height),
                          handlelength=1.6, labelspacing=0.45, borderaxespad=0.0,
                          title="good window, decades", title_fontsize=FONTSIZE,
                          alignment="left")  # fmt: skip
    return figure


def draw_sensitivity(path: str | os.PathLike, data: SurfaceSensitivity,
                     groups: Sequence[Group], *, dpi: float = DPI) -> Path:  # fmt: skip
    """The sensitivity figure of one surface as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(sensitivity_figure(data, groups, dpi), path)
