r"""The performance profile, drawn: one panel per group, the others in grey behind.

Each panel of :func:`profile_figure` shows the Dolan–Moré profiles
:math:`P_o(\rho)` (:mod:`atlas.races.profile`) of one group's optimizers in
their colours and markers, as steps (a profile is constant between the ratios
where it jumps), over a log axis of :math:`\rho`; every other optimizer's
profile is a thin grey line behind, for comparison. The legend gives each
optimizer's wins (:math:`P_o(1)`) and surfaces solved (the profile's end)
out of the surfaces raced.
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
from atlas.races.groups import Group
from atlas.races.profile import Profile
from atlas.viz.png import save_figure
from atlas.viz.style import DPI, new_figure, optimizer_color, optimizer_marker, style

WIDTH = 6.8
FONTSIZE = 8.0
ROW_HEIGHT = 1.95
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
    ax.set_xlabel(r"within a factor $\rho$ of the best steps", fontsize=FONTSIZE, labelpad=1)
    ax.set_ylabel("fraction of surfaces", fontsize=FONTSIZE)
    ax.tick_params(labelsize=FONTSIZE)
    ax.grid(True, which="major")
    return lines


def profile_figure(profile: Profile, groups: Sequence[Group], dpi: float = DPI) -> Figure:
    """Small multiples of the profile: one row per group, the legend beside its panel."""
    panels = [g for g in groups if any(m in profile.optimizers for m in g.members)]
    height = 0.45 + len(panels) * ROW_HEIGHT
    n = len(profile.surfaces)
    wins = profile.fraction(1.0)[:, 0] * n
    solved = profile.solved() * n
    with style():
        figure = new_figure((WIDTH, height), dpi)
        figure.suptitle(f"Performance profiles over {n} surfaces (Dolan–Moré): steps to "
                        "target relative to the best", fontsize=10, x=0.02, ha="left",
                        y=1 - 0.1 / height, va="top")  # fmt: skip
        for k, group in enumerate(panels):
            bottom = 1 - (0.45 + (k + 1) * ROW_HEIGHT) / height
            ax = figure.add_axes((0.1, bottom + 0.45 / height, 0.47,
                                  (ROW_HEIGHT - 0.72) / height))  # fmt: skip
            members = [m for m in group.members if m in profile.optimizers]
            lines = plot_profile(ax, profile, members)
            ax.set_title(group.title, fontsize=9, loc="left", pad=3)
            labels = [f"{optimizers.registry.get(m).title}: wins {round(wins[i])}, "
                      f"solves {round(solved[i])}"
                      for m in members for i in [profile.optimizers.index(m)]]  # fmt: skip
            figure.legend(lines, labels, loc="upper left", fontsize=FONTSIZE, frameon=False,
                          bbox_to_anchor=(0.6, bottom + (ROW_HEIGHT - 0.25) / height),
                          handlelength=1.6, borderaxespad=0.0, labelspacing=0.45,
                          title=f"of {n} surfaces", title_fontsize=FONTSIZE,
                          alignment="left")  # fmt: skip
    return figure


def draw_profile(path: str | os.PathLike, profile: Profile, groups: Sequence[Group], *,
                 dpi: float = DPI) -> Path:  # fmt: skip
    """The performance profile figure as a PNG (``path`` + ``.png``)."""
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(profile_figure(profile, groups, dpi), path)
