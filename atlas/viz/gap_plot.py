r"""How far from the minimum each optimizer of a race is, step by step.

:func:`plot_gap` draws :math:`f(\theta_k) - f^*` against the step :math:`k` on a log
scale, one line per optimizer in its colour and with its marker; on a surface without a
minimum (the saddle) it draws :math:`f(\theta_k)` itself on a symlog scale, with sparse
decade ticks (:func:`symlog_ticks`). A dashed line marks the race's target (the
protocol's :math:`\tau`, or the escape level: :attr:`atlas.races.race.Race.target`).
:func:`draw_gap` draws one race with the race's title and legend (:mod:`atlas.viz.race`);
:func:`draw_gap_groups` every group's race on a surface, one row each
(:func:`atlas.viz.race_summary.group_rows_figure`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from atlas.viz.png import save_figure
from atlas.viz.race import FIGSIZE_RACE, FONTSIZE, plot_area, surface_title
from atlas.viz.race_summary import group_rows_figure
from atlas.viz.style import DPI, FOREGROUND, new_figure, optimizer_color, optimizer_marker, style

if TYPE_CHECKING:
    from atlas.races.groups import Group
    from atlas.races.race import Race, Run

#: Room (inches) left of a gap plot for its decades and label, and below it.
MARGIN_LEFT, MARGIN_BOTTOM = 1.05, 0.68
#: The least height (inches) of each group's gap plot in :func:`draw_gap_groups`.
PANEL_HEIGHT = 2.2

#: Smallest gap shown on the log scale (a run that reaches f* exactly sits here).
GAP_FLOOR = 1e-16


def symlog_ticks(values: np.ndarray, linthresh: float, per_side: int = 4) -> list[float]:
    """0 and at most ``per_side`` decades on each side that ``values`` reach, the extreme included.

    A symlog axis's own ticks crowd around 0 (and overlap) when the values span
    hundreds of decades, as on the saddle.
    """
    low = math.ceil(math.log10(linthresh))
    ticks = [0.0]
    for sign, extreme in ((1.0, float(np.max(values))), (-1.0, -float(np.min(values)))):
        if extreme >= 10.0**low:
            top = math.floor(math.log10(extreme))
            step = max(1, math.ceil((top - low + 1) / per_side))
            ticks += [sign * 10.0**e for e in range(top, low - 1, -step)]
    return sorted(ticks)


def _signed_decade(value: float, _position: int) -> str:
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    return f"${sign}10^{{{round(math.log10(abs(value)))}}}$"


def plot_gap(ax: Axes, runs: Sequence[Run], f_star: float | None,
             target: float | None = None) -> list[Artist]:  # fmt: skip
    r""":math:`f - f^*` against step on a log scale (``f`` on symlog if ``f_star`` is None).

    Gaps below :data:`GAP_FLOOR` (e.g. exactly 0) are drawn at the floor. A run
    that leaves the plot (or diverges) stops at its last step inside, marked with a
    cross: beyond it the reader sees nothing. ``target``
    (the gap :math:`\tau`, or the escape level of ``f``) is drawn as a dashed line.
    """
    with style():
        artists: list[Artist] = []
        for run in runs:
            seen = len(run.z) if run.left_at is None else run.left_at  # what the plot shows
            steps = np.arange(seen)
            values = run.z[:seen] if f_star is None else np.maximum(run.z[:seen] - f_star,
                                                                     GAP_FLOOR)  # fmt: skip
            color = optimizer_color(run.optimizer)
            artists += ax.plot(steps, values, color=color, lw=1.6, label=run.label,
                               marker=optimizer_marker(run.optimizer), markersize=5,
                               markevery=max(1, len(run.z) // 8), markeredgecolor="white",
                               markeredgewidth=0.5)  # fmt: skip
            if run.left_at is not None:  # it left the plot (or diverged) after this step
                artists += ax.plot(steps[-1:], values[-1:], marker="x", markersize=8,
                                   markeredgewidth=2, color=color,
                                   linestyle="none")  # fmt: skip
        if target is not None:
            artists.append(ax.axhline(target, color=FOREGROUND, lw=1.0, ls="--", zorder=1.8))
        if f_star is None:
            finite = np.concatenate([run.z[: run.left_at] for run in runs])
            scale = max(1.0, float(np.median(np.abs(finite))) * 1e-3)
            ax.set_yscale("symlog", linthresh=scale)
            ax.yaxis.set_major_locator(FixedLocator(symlog_ticks(finite, scale)))
            ax.yaxis.set_major_formatter(FuncFormatter(_signed_decade))
            ax.yaxis.set_minor_locator(NullLocator())
            ax.set_ylabel(r"$f(\theta_k)$")
        else:
            ax.set_yscale("log")
            ax.set_ylabel(r"$f(\theta_k) - f^*$")
        ax.set_xlabel("step $k$")
        ax.grid(True, which="major")
    return artists


def _path(path: str | os.PathLike) -> Path:
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def plot_race_gap(ax: Axes, race: Race) -> list[Artist]:
    """:func:`plot_gap` of ``race``, its target marked, over its whole step budget."""
    artists = plot_gap(ax, race.runs, race.surface.f_min, race.target)
    ax.set_xlim(0, race.steps)
    ax.xaxis.set_major_locator(MaxNLocator(4))  # room for labels this large
    return artists


def gap_figure(race: Race, dpi: float = DPI, subtitle: str | None = None) -> Figure:
    """The gap plot of ``race``, with the race's title and legend and the target marked."""
    with style():
        figure = new_figure(FIGSIZE_RACE, dpi)
        ax = figure.add_axes(plot_area(figure, race, subtitle, (MARGIN_LEFT, MARGIN_BOTTOM)))
        plot_race_gap(ax, race)
        ax.tick_params(labelsize=FONTSIZE)
        ax.xaxis.label.set_size(FONTSIZE)
        ax.yaxis.label.set_size(FONTSIZE)
    return figure


def draw_gap(race: Race, path: str | os.PathLike, *, dpi: float = DPI,
             subtitle: str | None = None) -> Path:  # fmt: skip
    """:func:`gap_figure` as a static PNG (``path`` + ``.png``)."""
    return save_figure(gap_figure(race, dpi, subtitle), _path(path))


def gap_groups_figure(races: Sequence[tuple[Group, Race]], dpi: float = DPI) -> Figure:
    """Every group's race on one surface: one gap plot per group, its legend beside it."""
    race = races[0][1]
    what = "$f(\\theta_k)$" if race.escape else "$f(\\theta_k) - f^*$"
    title = f"{surface_title(race.surface)}\n{what} against the step, every optimizer by group"
    return group_rows_figure(title, races, plot_race_gap, left=MARGIN_LEFT,
                             plot_height=PANEL_HEIGHT, dpi=dpi)  # fmt: skip


def draw_gap_groups(path: str | os.PathLike, races: Sequence[tuple[Group, Race]], *,
                    dpi: float = DPI) -> Path:  # fmt: skip
    """:func:`gap_groups_figure` as a PNG (``path`` + ``.png``)."""
    return save_figure(gap_groups_figure(races, dpi), _path(path))
