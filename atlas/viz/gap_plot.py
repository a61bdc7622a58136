r"""How far from the minimum each optimizer of a race is, step by step.

:func:`plot_gap` draws :math:`f(\theta_k) - f^*` against the step :math:`k` on a log
scale, one line per optimizer in its colour and with its marker; on a surface without a
minimum (the saddle) it draws :math:`f(\theta_k)` itself on a symlog scale, with sparse
decade ticks (:func:`symlog_ticks`). A dashed line marks the race's target (the
protocol's :math:`\tau`, or the escape level). The figure shares the race's title and
legend (:mod:`atlas.viz.race`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from atlas import protocol
from atlas.surfaces import Surface
from atlas.viz.png import save_figure
from atlas.viz.race import (
    FIGSIZE_RACE,
    LEGEND_X,
    Race,
    Run,
    race_legend,
    race_title,
    run_race,
)
from atlas.viz.style import DPI, FOREGROUND, new_figure, optimizer_color, optimizer_marker, style

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
            artists.append(ax.axhline(target, color=FOREGROUND, lw=1.0, ls="--", zorder=0))
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


def race_target(surface: Surface) -> float:
    """Where :func:`plot_gap` draws the target: :math:`\tau`, or the escape level of ``f``."""
    return protocol.threshold(surface) + (0.0 if surface.f_min is not None
                                          else protocol.reference(surface))  # fmt: skip


def draw_gap(race: Race, path: str | os.PathLike, *, dpi: float = DPI,
             subtitle: str | None = None) -> Path:  # fmt: skip
    """The gap plot of ``race`` as a static PNG, with legend, title and the target."""
    path = Path(path)
    if path.suffix != ".png":
        path = path.with_name(path.name + ".png")
    with style():
        figure = new_figure(FIGSIZE_RACE, dpi)
        top = 0.84 if subtitle else 0.88
        ax = figure.add_axes((0.13, 0.12, LEGEND_X - 0.16, top - 0.14))
        plot_gap(ax, race.runs, race.surface.f_min, race_target(race.surface))
        race_title(figure, race, subtitle)
        race_legend(figure, race.runs, race.surface)
        ax.set_xlim(0, race.steps)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(figure, path)


def draw_race_gap(path: str | os.PathLike, surface: Surface | str,
                  optimizer_names: Iterable[str] | None = None, *,
                  dpi: float = DPI) -> Path:  # fmt: skip
    """Run the race on ``surface`` (protocol learning rates) and plot f - f* per step."""
    return draw_gap(run_race(surface, optimizer_names), path, dpi=dpi)
