r"""Nonlinear regression, as in the course notes' first chapter, animated.

The left panel shows the fitted curve of a one-hidden-layer sigmoid network as
training goes on, the right panel the loss on a log scale. The run is computed
by :func:`atlas.examples.backprop_regression.train` and handed in: this module
only draws it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np


class RegressionFrames(Protocol):
    """What the animation draws (:class:`atlas.examples.backprop_regression.RegressionRun`)."""

    x: np.ndarray  # (8,) training inputs
    t: np.ndarray  # (8,) targets
    grid: np.ndarray  # (G,) where the fitted curve is drawn
    iterations: np.ndarray  # (F,) iteration of each snapshot
    curves: np.ndarray  # (F, G) fitted curve at each snapshot
    loss: np.ndarray  # (iterations + 1,) loss history


def draw_regression(path: Path | str, formats: tuple[str, ...], run: RegressionFrames,
                    hidden: int, lr: float, fps: int = 20, dpi: int = 100) -> None:
    """Write the animation of ``run`` (left: the fit over time; right: the loss, log scale);
    ``hidden`` and ``lr`` name the network and the learning rate in the titles."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    from atlas.viz.animation import render_animation
    from atlas.viz.function_plots import column_figure, finish
    from atlas.viz.readable import text_points
    from atlas.viz.style import style

    with style(text=text_points()):
        fig = column_figure(0.6, dpi)
        fit_ax, loss_ax = fig.subplots(1, 2)
        fit_ax.plot(run.grid, np.sin(run.grid), color="0.65", lw=1.2, ls=":", label=r"$\sin x$")
        fit_ax.plot(run.x, run.t, "o", color="0.15", ms=7, label="training points", zorder=3)
        (curve,) = fit_ax.plot(run.grid, run.curves[-1], lw=2.4, label="network", animated=True)
        fit_ax.set_ylim(-2.0, 2.0)
        fit_ax.set_xlim(run.grid[0], run.grid[-1])
        fit_ax.set_xlabel("$x$")
        fit_ax.legend(loc="lower left", handlelength=1.2, borderpad=0.3, labelspacing=0.2)
        fit_ax.set_title(f"$H = {hidden}$ sigmoid units")
        label = fit_ax.text(0.98, 0.95, "", transform=fit_ax.transAxes, ha="right", va="top",
                            animated=True)
        steps = np.arange(run.loss.size)
        loss_ax.plot(steps, run.loss, color="0.8", lw=1.2)
        (trace,) = loss_ax.plot(steps, run.loss, lw=2.2, animated=True)
        (head,) = loss_ax.plot([0], [run.loss[0]], "o", ms=7, animated=True)
        loss_ax.set_yscale("log")
        loss_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        loss_ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        loss_ax.yaxis.set_minor_formatter(NullFormatter())  # no "6 x 10^-1" on every minor tick
        loss_ax.set_xlim(0, max(steps[-1], 1))
        loss_ax.set_xlabel("iteration")
        loss_ax.set_ylabel("mean squared error")
        loss_ax.set_title(f"full-batch SGD, lr {lr:g}")
        loss_ax.grid(True, which="both", alpha=0.3)

        def update(frame: int) -> None:
            step = int(run.iterations[frame])
            curve.set_ydata(run.curves[frame])
            trace.set_data(steps[: step + 1], run.loss[: step + 1])
            head.set_data([step], [run.loss[step]])
            label.set_text(f"iteration {step}\nMSE {run.loss[step]:.4f}")

        finish(fig)
        render_animation(fig, [curve, label, trace, head], update, len(run.iterations), path,
                         fps=fps, formats=formats)
