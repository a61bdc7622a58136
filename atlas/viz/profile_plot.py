r"""The performance profile, drawn: one panel per group, the others in grey behind.

Each panel of :func:`profile_figure` shows the Dolan–Moré profiles
:math:`P_o(\rho)` (:mod:`atlas.races.profile`) of one group's optimizers in
their colours and markers, as steps (a profile is constant between the ratios
where it jumps), over a log axis of :math:`\rho`; every other optimizer's
profile is a thin grey line behind, for comparison. The legend gives each
optimizer's wins (:math:`P_o(1)`) and surfaces solved (the profile's end)
out of the surfaces raced. Text is :data:`atlas.viz.race.FONTSIZE` points at the
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

from atlas.viz.png import save_figure
from atlas.viz.race import FONTSIZE, TITLE_FONTSIZE, WIDTH
from atlas.viz.style import DPI, new_figure, optimizer_color, optimizer_marker, style

if TYPE_CHECKING:
    from atlas.races.groups import Group
    from atlas.races.profile import Profile

#: Inches: the title; per group, its title, the plot, the ticks and label below it;
#: left of the plot; the legend's column.
TITLE, ABOVE, PLOT, BELOW, LEFT, LEGEND = 0.75, 0.42, 1.9, 0.72, 0.95, 3.12
OTHERS_COLOR = "#c8c8c8"


def profile_steps(profile: Profile, i: int, right: float) -> tuple[np.ndarray, np.ndarray]:
    """Optimizer ``i``'s profile as a step curve from :math:`\\rho = 1` to ``right``."""
    rho = np.concatenate([profile.breakpoints(), [right]])
    return rho, profile.fraction(rho)[i]


def plot_profile(ax: Axes, profile: Profile, members: Sequence[str]) -> list[Line2D]:
    """The profiles of ``members`` in colour over everyone else's in grey; returns theirs."""
    finite = profile.ratios[np.isfinite(profile.ratios)]
    right = float(finite.max(initial=1.0)) * 1.6 if finite.size else 2.0
    lines: list[Line2D] = []
    for i, name in enumerate(profile.optimizers):
        rho, fraction = profile_steps(profile, i, right)
        if name in members:
            continue
        ax.step(rho, fraction, where="post", color=OTHERS_COLOR, lw=0.8, zorder=1)
    for name in members:
        i = profile.optimizers.index(name)
        rho, fraction = profile_steps(profile, i, right)
        lines += ax.step(rho, fraction, where="post", color=optimizer_color(name), lw=1.7,
                         marker=optimizer_marker(name), markevery=[0, len(rho) - 1],
                         markersize=5, markeredgecolor="white", markeredgewidth=0.5,
                         zorder=3)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(1.0, right)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel(r"within a factor $\rho$ of the best", fontsize=FONTSIZE, labelpad=1)
    ax.set_ylabel("share of surfaces", fontsize=FONTSIZE)
    ax.tick_params(labelsize=FONTSIZE)
    ax.grid(True, which="major")
    return lines


def profile_figure(profile: Profile, groups: Sequence[Group], dpi: float = DPI) -> Figure:
    """Small multiples of the profile: one row per group, the legend beside its panel."""
    panels = [g for g in groups if any(m in profile.optimizers for m in g.members)]
    row = ABOVE + PLOT + BELOW
    height = TITLE + len(panels) * row
    n = len(profile.surfaces)
    wins, solved = profile.wins(), profile.solved_count()
    width = WIDTH - LEFT - LEGEND - 0.3
    with style():
        figure = new_figure((WIDTH, height), dpi)
        height = figure.get_figheight()  # rounded to whole pixels
        figure.suptitle(f"Performance profiles over {n} surfaces (Dolan–Moré)\nsteps to target "
                        "relative to the best", fontsize=TITLE_FONTSIZE, x=0.015, ha="left",
                        y=1 - 0.08 / height, va="top")  # fmt: skip
        for k, group in enumerate(panels):
            top = TITLE + k * row + ABOVE
            ax = figure.add_axes((LEFT / WIDTH, 1 - (top + PLOT) / height, width / WIDTH,
                                  PLOT / height))  # fmt: skip
            members = [m for m in group.members if m in profile.optimizers]
            lines = plot_profile(ax, profile, members)
            ax.set_title(group.title, fontsize=FONTSIZE, loc="left", pad=4, fontweight="bold")
            labels = [f"{profile.titles[i]}  {wins[i]} / {solved[i]}"
                      for i in map(profile.optimizers.index, members)]  # fmt: skip
            figure.legend(lines, labels, loc="upper left", fontsize=FONTSIZE, frameon=False,
                          bbox_to_anchor=(1 - (LEGEND + 0.05) / WIDTH, 1 - top / height),
                          handlelength=1.6, borderaxespad=0.0, labelspacing=0.45,
                          title=f"wins / solves, of {n}", title_fontsize=FONTSIZE,
                          alignment="left")  # fmt: skip
    return figure


def draw_profile(path: str | os.PathLike, profile: Profile, groups: Sequence[Group], *,
                 dpi: float = DPI) -> Path:  # fmt: skip
    """The performance profile figure as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(profile_figure(profile, groups, dpi), path)
