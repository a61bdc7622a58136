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

The curves are :class:`atlas.races.sensitivity.Curve`; the legend gives each
optimizer's good window in decades (:class:`~atlas.races.sensitivity.Window`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from atlas import optimizers
from atlas.protocol import threshold
from atlas.races.groups import Group
from atlas.races.sensitivity import Curve, window
from atlas.surfaces import Surface
from atlas.viz.png import save_figure
from atlas.viz.race import MAX_TITLE_LATEX
from atlas.viz.style import (
    DPI,
    FOREGROUND,
    latex_title,
    new_figure,
    optimizer_color,
    optimizer_marker,
    style,
)

WIDTH = 6.8
FONTSIZE = 8.0
PANEL_HEIGHT = 2.9  # inches per group: the two axes and their labels


def plot_steps(ax: Axes, curves: Sequence[Curve], budget: int) -> list[Line2D]:
    """Steps to target against lr; failures as crosses on the top row; chosen rates ringed.

    Returns each curve's line (the legend's handles).
    """
    fails_row = budget * 3.0  # the "fails" band: one row per optimizer, stacked
    rows = fails_row * 1.35 ** (np.arange(len(curves)) - (len(curves) - 1) / 2)
    lines = []
    for c, row in zip(curves, rows, strict=True):
        color, marker = optimizer_color(c.optimizer), optimizer_marker(c.optimizer)
        lrs = np.array(c.lrs)
        steps = np.array([np.nan if s is None or f else s
                          for s, f in zip(c.steps_to_target, c.failed, strict=True)], float)
        lines += ax.plot(lrs, steps, color=color, marker=marker, markersize=4.5, lw=1.4,
                         markeredgecolor="white", markeredgewidth=0.5)  # fmt: skip
        failed = np.array(c.failed)
        ax.plot(lrs[failed], np.full(failed.sum(), row), linestyle="none", marker="x",
                markersize=4.5, color=color, markeredgewidth=1.2)  # fmt: skip
        chosen = c.steps_to_target[c.chosen]
        if chosen is not None and not c.failed[c.chosen]:
            ax.plot(lrs[c.chosen], chosen, marker="o", markersize=10, color=color,
                    markerfacecolor="none", markeredgewidth=1.6)  # fmt: skip
    ax.set_yscale("log")
    ax.set_ylim(0.7, rows.max() * 1.5)
    ticks = [t for t in (1, 10, 100, 1000) if t <= budget]
    ax.set_yticks([*ticks, fails_row], [*map(str, ticks), "fails"])
    ax.minorticks_off()
    ax.axhline(budget, color="#bbbbbb", lw=0.8, zorder=0)  # the budget
    ax.set_ylabel("steps to target", fontsize=FONTSIZE)
    return lines


def plot_misses(ax: Axes, curves: Sequence[Curve], surface: Surface) -> None:
    """Final gap of every rate that misses the target without failing; the target dashed."""
    values = []
    for c in curves:
        color, marker = optimizer_color(c.optimizer), optimizer_marker(c.optimizer)
        gaps = np.array([g if s is None and not f else np.nan for s, g, f in
                         zip(c.steps_to_target, c.final_gap, c.failed, strict=True)], float)
        values += list(gaps[np.isfinite(gaps)])
        ax.plot(c.lrs, gaps, color=color, marker=marker, markersize=4.5, lw=1.4,
                markeredgecolor="white", markeredgewidth=0.5)  # fmt: skip
        if c.steps_to_target[c.chosen] is None and not c.failed[c.chosen]:
            ax.plot(c.lrs[c.chosen], c.final_gap[c.chosen], marker="o", markersize=10,
                    color=color, markerfacecolor="none", markeredgewidth=1.6)
    bounded = surface.f_min is not None
    if bounded and all(v > 0 for v in values):
        ax.set_yscale("log")
        ax.axhline(threshold(surface), color=FOREGROUND, lw=0.9, ls="--", zorder=0)
    else:
        ax.set_yscale("symlog", linthresh=1.0)
        ax.axhline(0.0, color=FOREGROUND, lw=0.9, ls="--", zorder=0)
    ax.set_ylabel("final gap\n(misses)" if bounded else "final f − escape\n(misses)",
                  fontsize=FONTSIZE)  # fmt: skip


def sensitivity_figure(surface: Surface, steps: int, groups: Sequence[Group],
                       curves: Sequence[Curve], dpi: float = DPI) -> Figure:  # fmt: skip
    """One surface's sensitivity: a pair of panels per group (see the module docstring)."""
    by_name = {c.optimizer: c for c in curves}
    panels = [(g, [by_name[m] for m in g.members if m in by_name]) for g in groups]
    panels = [(g, cs) for g, cs in panels if cs]
    height = 0.45 + PANEL_HEIGHT * len(panels)
    lrs = curves[0].lrs
    with style():
        figure = new_figure((WIDTH, height), dpi)
        title = (latex_title(surface.title, surface.latex)
                 if len(surface.latex) <= MAX_TITLE_LATEX else surface.title)  # fmt: skip
        figure.suptitle(f"{title}: steps to target against the learning rate", fontsize=10,
                        x=0.02, ha="left", y=1 - 0.1 / height, va="top")  # fmt: skip
        for i, (group, group_curves) in enumerate(panels):
            top = 1 - (0.45 + i * PANEL_HEIGHT) / height
            upper = figure.add_axes((0.12, top - 1.45 / height, 0.5, 1.2 / height))
            lower = figure.add_axes((0.12, top - 2.45 / height, 0.5, 0.9 / height),
                                    sharex=upper)  # fmt: skip
            handles = plot_steps(upper, group_curves, steps)
            plot_misses(lower, group_curves, surface)
            upper.set_xscale("log")
            upper.set_xlim(lrs[0] / 1.6, lrs[-1] * 1.6)
            upper.tick_params(labelbottom=False, labelsize=FONTSIZE)
            lower.tick_params(labelsize=FONTSIZE)
            lower.set_xlabel("learning rate", fontsize=FONTSIZE, labelpad=1)
            upper.set_title(group.title, fontsize=9, loc="left", pad=3)
            labels = []
            for c in group_curves:
                w = window(surface.name, c)
                labels.append(f"{optimizers.registry.get(c.optimizer).title}\n"
                              f"good window {w.good_decades:g} decades")  # fmt: skip
            figure.legend(handles, labels, loc="upper left", fontsize=FONTSIZE, frameon=False,
                          bbox_to_anchor=(0.65, top - 0.2 / height), handlelength=1.6,
                          labelspacing=0.45, borderaxespad=0.0)  # fmt: skip
    return figure


def draw_sensitivity(path: str | os.PathLike, surface: Surface, steps: int,
                     groups: Sequence[Group], curves: Sequence[Curve], *,
                     dpi: float = DPI) -> Path:  # fmt: skip
    """The sensitivity figure of one surface as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(sensitivity_figure(surface, steps, groups, curves, dpi), path)
