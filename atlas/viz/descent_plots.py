r"""Gradient descent on one parameter, drawn: the chapter *Learning as minimising a loss*.

* :func:`draw_descent` animates a run on the loss curve :math:`L(b)`: the current
  iterate, the tangent whose slope :math:`L'(b_t)` the rule follows, and the step it
  takes, :math:`-\eta L'(b_t)`, to the next iterate.
* :func:`step_size_figure` puts runs with different learning rates side by side
  (too small, about right, too large), each as its zigzag of iterates on the curve.

Both draw a :class:`atlas.examples.learning.DescentPicture` they are handed; nothing
here computes. Sizes are chosen for the book's column (:mod:`atlas.viz.readable`): a
figure 6 in wide is shown 672 CSS px wide (1 pt is 1.56 px) and 342 on a phone (0.79 px),
so no text is below 11.5 pt.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from atlas.viz import readable
from atlas.viz.style import CYCLE, DERIVATIVE_COLOR, FUNCTION_COLOR, new_figure, style, tick_text

#: The width of the book's column in inches at the book's scale: figures are drawn at it.
COLUMN_INCHES = readable.COLUMN_INCHES
#: The smallest font (points) that stays at least 9 CSS px on a phone (11 in the column).
SMALL = readable.text_points()
STEP_COLOR = CYCLE[3]


def plot_curve(ax: Axes, picture: Any) -> list[Artist]:
    """The loss curve of ``picture``, its minimum marked; returns the artists."""
    problem_min = picture.grid[int(np.argmin(picture.curve))]
    artists = ax.plot(picture.grid, picture.curve, color=FUNCTION_COLOR, lw=2.0,
                      label=r"$L(b)$")
    artists += ax.plot([problem_min], [0.0], marker="*", ms=11, color="0.15", ls="none",
                       label=r"minimum $b^*$")
    ax.set_xlabel(r"$b$", fontsize=SMALL + 0.5)
    ax.set_ylabel(r"$L(b)$", fontsize=SMALL + 0.5)
    ax.tick_params(labelsize=SMALL)
    return artists


def plot_iterates(ax: Axes, picture: Any, upto: int | None = None) -> list[Artist]:
    """The iterates :math:`b_0, \\dots, b_{upto}` on the curve, joined in order (a zigzag
    when the steps overshoot)."""
    run = picture.descent
    k = len(run.b) if upto is None else upto + 1
    artists = ax.plot(run.b[:k], run.loss[:k], color=STEP_COLOR, lw=1.2, alpha=0.8)
    artists += ax.plot(run.b[:k], run.loss[:k], "o", color=STEP_COLOR, ms=5)
    artists += ax.plot(run.b[:1], run.loss[:1], "o", ms=8, mfc="white", mec=STEP_COLOR,
                       mew=1.6, label=r"start $b_0$")
    return artists


def draw_descent(path: str | os.PathLike, formats: tuple[str, ...], picture: Any, *,
                 fps: float = 1.5, dpi: float = 200) -> dict[str, Path]:
    """Animate ``picture``: at frame ``t`` the iterate :math:`b_t`, its tangent and the step
    to :math:`b_{t+1}`; the trail of earlier iterates stays. Writes ``path.<format>``."""
    from atlas.viz.animation import render_animation

    run = picture.descent
    with style(text=SMALL):
        figure = new_figure((COLUMN_INCHES, 4.2), dpi)
        figure.set_layout_engine("constrained")
        ax = figure.add_subplot()
        plot_curve(ax, picture)
        ax.set_ylim(-0.08 * picture.curve.max(), picture.curve.max() * 1.05)
        ax.set_xlim(picture.grid[0], picture.grid[-1])
        figure.suptitle(rf"Gradient descent, $\eta = {picture.lr:g}$: follow the tangent "
                        "downhill", fontsize=SMALL + 0.5)  # fmt: skip
        (trail,) = ax.plot([], [], "o-", color=STEP_COLOR, ms=5, lw=1.0, alpha=0.55)
        (tangent,) = ax.plot([], [], color=DERIVATIVE_COLOR, lw=2.2,
                             label=r"tangent, slope $L'(b_t)$")
        (point,) = ax.plot([], [], "o", color=STEP_COLOR, ms=9, label=r"iterate $b_t$")
        (step,) = ax.plot([], [], color=STEP_COLOR, lw=2.0, ls="--",
                          label=r"step $-\eta L'(b_t)$")
        label = ax.set_title(_step_text(run, 0), fontsize=SMALL)  # each frame's own (animated)
        ax.legend(loc="upper center", fontsize=SMALL, framealpha=0.9, ncols=2,
                  handlelength=1.5, columnspacing=1.0)
        last = len(run.b) - 1

        def update(t: int) -> None:
            trail.set_data(run.b[: t + 1], run.loss[: t + 1])
            tangent.set_data(picture.tangents[t, :, 0], picture.tangents[t, :, 1])
            point.set_data([run.b[t]], [run.loss[t]])
            nxt = min(t + 1, last)
            step.set_data([run.b[t], run.b[nxt]], [0.0, 0.0] if t < last else [np.nan] * 2)
            label.set_text(_step_text(run, t))

        tick_text(figure, SMALL)
        return render_animation(figure, [trail, tangent, point, step, label], update,
                                len(run.b), path, fps=fps, formats=formats)


def _step_text(run: Any, t: int) -> str:
    return f"$t = {t}$:  $b_t = {run.b[t]:.3f}$,  $L'(b_t) = {run.grad[t]:.3f}$"


def step_size_figure(pictures: Sequence[Any], titles: Sequence[str], *,
                     dpi: float = 200) -> Figure:
    """One panel per run (``titles`` above each): the curve and the run's iterates."""
    with style(text=SMALL):
        figure = new_figure((COLUMN_INCHES, 3.2), dpi)
        figure.set_layout_engine("constrained", w_pad=0.02, wspace=0.02)
        axes = figure.subplots(1, len(pictures))
        for i, (ax, picture, title) in enumerate(zip(axes, pictures, titles, strict=True)):
            plot_curve(ax, picture)
            plot_iterates(ax, picture)
            ax.set_xlim(picture.grid[0], picture.grid[-1])
            top = picture.curve.max()
            ax.set_ylim(-0.06 * top, top * 1.08)
            ax.set_title(f"{title}\n$\\eta = {picture.lr:g}$", fontsize=SMALL + 0.5)
            ax.text(0.97, 0.95, picture.regime, transform=ax.transAxes, ha="right", va="top",
                    fontsize=SMALL, color=STEP_COLOR)
            ax.xaxis.set_major_locator(MaxNLocator(4))
            if i:
                ax.set_ylabel("")
        tick_text(figure, SMALL)
        return figure
