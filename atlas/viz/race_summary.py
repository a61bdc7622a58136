r"""Every optimizer's race on one surface, as one still: small multiples by group.

Thirteen or more paths in one axes cannot be told apart, so the summary of a
surface's races draws one panel per group of :mod:`atlas.races.groups` (at
most six colours each, with the optimizers' markers as a second channel):
the contour map, each path clipped to the plot (:mod:`atlas.viz.clipping`),
a hollow circle at the start and the optimizer's marker where it ends (a
cross where it left the plot), and beside the map each optimizer's rate and
what it did (:func:`short_outcome`). A run the protocol had to take from a
failing rate is dashed.

:func:`draw_race_summary` takes ``[(group, race), ...]`` as
:func:`atlas.races.race.group_races` gives them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from atlas.learning_rates import format_lr
from atlas.races.groups import Group
from atlas.races.race import Race, Run
from atlas.viz.clipping import clip_polyline
from atlas.viz.png import save_figure
from atlas.viz.race import MAX_TITLE_LATEX, race_handle
from atlas.viz.style import DPI, latex_title, new_figure, optimizer_color, optimizer_marker, style
from atlas.viz.surface_plots import plot_contours

#: The summary's width: the book's column, shown 1:1 (8-point text is 11 px).
WIDTH = 6.8
ROW_HEIGHT = 2.35
FONTSIZE = 8.0


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
                artists += ax.plot(clipped.rows[:, 0], clipped.rows[:, 1], color=color, lw=1.3,
                                   alpha=0.9, linestyle="--" if run.fallback else "-",
                                   zorder=6)  # fmt: skip
            ax.plot(*run.xy[0], marker="o", markersize=6, color="#222222", markerfacecolor="white",
                    markeredgecolor="#222222", markeredgewidth=1.0, zorder=7)  # fmt: skip
            if run.left_at is None:
                ax.plot(*run.xy[-1], marker=marker, markersize=7, color=color,
                        markeredgecolor="white", markeredgewidth=0.8, zorder=8)  # fmt: skip
            elif clipped.inside.any():  # the last point seen, before it left
                last = run.xy[run.left_at - 1]
                ax.plot(*last, marker="x", markersize=7, markeredgewidth=2.0, color=color,
                        zorder=8)  # fmt: skip
        ax.tick_params(labelsize=FONTSIZE)
        ax.set_xlabel("$x$", fontsize=FONTSIZE, labelpad=1)
        ax.set_ylabel("$y$", fontsize=FONTSIZE, labelpad=1)
    return artists


def short_outcome(run: Run, race: Race) -> str:
    """:func:`atlas.viz.race.outcome_text`, shortened: ``"target at 51"``, ``"misses"``..."""
    escape = race.surface.f_min is None
    if run.steps_to_target is not None:
        text = f"{'escapes' if escape else 'target'} at {run.steps_to_target}"
    elif run.diverged_at is not None:
        text = f"diverges at {run.diverged_at}"
    elif run.left_at is not None:
        text = f"leaves at {run.left_at}"
    else:
        text = "stuck" if escape else "misses"
    return text + (" (all rates fail)" if run.fallback else "")


def summary_label(run: Run, race: Race) -> str:
    """Two lines: ``"Adam"`` and ``"lr 0.316: target at 51"``."""
    return f"{run.title}\nlr {format_lr(run.lr)}: {short_outcome(run, race)}"


def race_summary_figure(races: Sequence[tuple[Group, Race]], dpi: float = DPI) -> Figure:
    """One panel per ``(group, race)``, two per row, each with its outcome lines beside it."""
    surface = races[0][1].surface
    rows = -(-len(races) // 2)
    height = 0.55 + rows * ROW_HEIGHT
    with style():
        figure = new_figure((WIDTH, height), dpi)
        title = (latex_title(surface.title, surface.latex)
                 if len(surface.latex) <= MAX_TITLE_LATEX else surface.title)  # fmt: skip
        figure.suptitle(f"{title}: every optimizer, by group", fontsize=10, x=0.02, ha="left",
                        y=1 - 0.12 / height, va="top")  # fmt: skip
        for i, (group, race) in enumerate(races):
            row, column = divmod(i, 2)
            bottom = 1 - (0.55 + (row + 1) * ROW_HEIGHT) / height
            left = 0.06 + 0.5 * column
            ax = figure.add_axes((left, bottom + 0.3 / height, 0.2,
                                  (ROW_HEIGHT - 0.62) / height))  # fmt: skip
            plot_race_paths(ax, race)
            ax.set_aspect("equal", adjustable="box", anchor="NW")  # the plot's true shape
            ax.set_title(group.title, fontsize=9, loc="left", pad=3)
            handles = [race_handle(run) for run in race.runs]
            labels = [summary_label(run, race) for run in race.runs]
            figure.legend(handles, labels, loc="upper left", fontsize=FONTSIZE,
                          bbox_to_anchor=(left + 0.2, bottom + (ROW_HEIGHT - 0.3) / height),
                          frameon=False, handlelength=1.4, borderaxespad=0.0,
                          labelspacing=0.45)  # fmt: skip
    return figure


def draw_race_summary(path: str | os.PathLike, races: Sequence[tuple[Group, Race]], *,
                      dpi: float = DPI) -> Path:  # fmt: skip
    """The summary still of one surface's group races, as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(race_summary_figure(races, dpi), path)

