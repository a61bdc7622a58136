r"""One optimizer at a time: its paths, and what its internal state does.

* :func:`draw_optimizer_paths` — the optimizer alone on three contrasting
  surfaces side by side (the catalog's ``optimizer/<name>``), each path at the
  learning rate the protocol chose for it there;
* :func:`draw_optimizer_state` — its state along one path: the momentum buffer
  as arrows on the path (where it has one), and the per-coordinate step size
  (:meth:`atlas.optimizers.Optimizer.effective_step`) against the step on a log
  scale; one line when every coordinate gets the same constant step.

Everything drawn is handed in (:mod:`atlas.catalog.optimizers` computes it):
this module runs no optimizer and reads no state.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from atlas.surfaces import Surface
from atlas.viz.png import save_figure
from atlas.viz.readable import COLUMN_INCHES, text_points
from atlas.viz.style import DPI, new_figure, optimizer_color, style, tick_text
from atlas.viz.surface_plots import plot_contours

N_ARROWS = 14
#: Contour lines of a surface (its fill has four times as many bands): 12 keep the PNGs
#: light (the optimizer pages carry 16 of them) and still show the valleys.
LEVELS = 12


def format_lr(lr: float) -> str:
    """A learning rate as the book prints it, three significant digits (``0.0316``, ``1``)."""
    return f"{lr:.3g}"


@dataclass(frozen=True)
class OptimizerPath:
    """One optimizer's run on one surface, as the figures draw it."""

    surface: Surface
    optimizer: str  # registry name: its colour
    lr: float
    steps: int  # the step budget
    xy: np.ndarray  # (k + 1, 2), the finite prefix if it diverged
    diverged_at: int | None

    @property
    def color(self) -> str:
        return optimizer_color(self.optimizer)


def plot_path(ax: Axes, run: OptimizerPath) -> list[Artist]:
    """One run on a 2D ``ax``: its path, start (circle) and end (dot); returns the artists."""
    with style():
        artists = ax.plot(run.xy[:, 0], run.xy[:, 1], color=run.color, lw=1.8, zorder=6)
        artists += ax.plot(*run.xy[0], marker="o", markersize=7, markerfacecolor="white",
                           markeredgecolor=run.color, markeredgewidth=1.5, zorder=7)  # fmt: skip
        end_marker = "x" if run.diverged_at is not None else "o"
        artists += ax.plot(*run.xy[-1], marker=end_marker, markersize=7, color=run.color,
                           markeredgecolor="white" if end_marker == "o" else run.color,
                           markeredgewidth=1.2 if end_marker == "o" else 2.2, zorder=8)  # fmt: skip
    return artists


def draw_optimizer_paths(path: str | os.PathLike, title: str,
                         runs: Sequence[OptimizerPath], *, dpi: float = DPI) -> Path:  # fmt: skip
    """The optimizer called ``title`` on three surfaces (``runs``), side by side, as a PNG
    the width of the book's column: each panel titled with its surface and learning rate
    (the race protocol's), its step budget or the step it diverged at written below."""
    size = text_points()
    with style(text=size):
        figure = new_figure((COLUMN_INCHES, 3.0), dpi)
        figure.set_layout_engine("constrained", w_pad=0.02, wspace=0.03)
        figure.suptitle(f"{title} on three surfaces")
        for ax, run in zip(figure.subplots(1, len(runs)), runs, strict=True):
            plot_contours(ax, run.surface, levels=LEVELS)
            plot_path(ax, run)
            status = (f"diverged at step {run.diverged_at}" if run.diverged_at is not None
                      else f"{run.steps} steps")  # fmt: skip
            ax.set(xticks=[], yticks=[], xlabel=status, ylabel="")
            ax.set_title(f"{run.surface.title}\nlr {format_lr(run.lr)}")
        tick_text(figure, size)
    return save_figure(figure, _png(path))


def plot_momentum_arrows(ax: Axes, run: OptimizerPath, momentum: np.ndarray | None,
                         color: str) -> list[Artist]:  # fmt: skip
    """Arrows of :math:`-b_t` (the direction the buffer pushes) at points along the path.

    ``momentum[k]`` is the buffer after step ``k`` (None: the optimizer has none);
    a step whose buffer is zero gets no arrow.
    """
    if momentum is None:
        return []
    steps = np.unique(np.linspace(1, len(run.xy) - 1, N_ARROWS).astype(int))
    rows = [(k, momentum[k]) for k in steps if np.any(momentum[k] != 0)]
    if not rows:
        return []
    xy = np.array([run.xy[k] for k, _ in rows])
    push = -np.array([b for _, b in rows])
    (x0, x1), _ = run.surface.domain
    # Lengths grow like the square root of |b| (so late, small buffers stay visible),
    # the longest arrow being 15 % of the domain's width.
    norm = np.hypot(push[:, 0], push[:, 1])
    relative = np.sqrt(norm / norm.max()) if norm.max() > 0 else norm
    length = 0.15 * (x1 - x0) * np.maximum(relative, 0.15)
    safe = np.where(norm > 0, norm, 1.0)
    push = push / safe[:, None] * length[:, None]
    with style():
        arrows = ax.quiver(xy[:, 0], xy[:, 1], push[:, 0], push[:, 1],
                           angles="xy", scale_units="xy", scale=1, color=color, width=0.006,
                           zorder=9, alpha=0.9)  # fmt: skip
    return [arrows]


def plot_effective_steps(ax: Axes, sizes: np.ndarray, color: str) -> list[Artist]:
    r"""Per-coordinate step size against step, log scale: ``sizes[t - 1]`` is step ``t``'s.

    One flat line when every coordinate gets the same step at every step (plain
    SGD's :math:`\gamma`), one line when the coordinates share a changing step (a
    schedule), else one line per coordinate.
    """
    sizes = np.asarray(sizes, dtype=float)
    with style():
        if sizes.size and np.all(sizes == sizes.flat[0]):
            lr = float(sizes.flat[0])
            lines = ax.plot([1, max(len(sizes), 1)], [lr, lr], color=color, lw=1.8,
                            label=r"$\gamma$, every coordinate")  # fmt: skip
        elif sizes.size and np.all(sizes == sizes[:, :1]):
            lines = ax.plot(np.arange(1, len(sizes) + 1), sizes[:, 0], color=color, lw=1.8,
                            label="every coordinate")  # fmt: skip
        else:
            steps = np.arange(1, len(sizes) + 1)
            lines = ax.plot(steps, sizes[:, 0], color=color, lw=1.8, label="$x$")
            lines += ax.plot(steps, sizes[:, 1], color=color, lw=1.8, linestyle="--",
                             label="$y$")  # fmt: skip
        ax.set_yscale("log")
        ax.set(xlabel="step $t$", ylabel="per unit gradient")
        ax.grid(True, which="major")
        ax.legend(loc="best", handlelength=1.5, borderpad=0.3)
    return lines


def draw_optimizer_state(path: str | os.PathLike, title: str, run: OptimizerPath,
                         momentum: np.ndarray | None, sizes: np.ndarray, *,
                         dpi: float = DPI) -> Path:  # fmt: skip
    """Momentum arrows on ``run``'s path and per-coordinate step ``sizes``, as a PNG the
    width of the book's column."""
    size = text_points()
    with style(text=size):
        figure = new_figure((COLUMN_INCHES, 3.4), dpi)
        figure.set_layout_engine("constrained", w_pad=0.03, wspace=0.06)
        figure.suptitle(f"{title} on {run.surface.title}, lr {format_lr(run.lr)}")
        left, right = figure.subplots(1, 2, width_ratios=(1.0, 1.15))
        plot_contours(left, run.surface, levels=LEVELS)
        plot_path(left, run)
        left.set(xticks=[], yticks=[], xlabel="", ylabel="")
        if plot_momentum_arrows(left, run, momentum, run.color):
            left.set_title(r"path; arrows: $-b_t$")
        else:
            left.set_title("path (no momentum)")
        plot_effective_steps(right, sizes, run.color)
        right.set_title("step size per coordinate")
        tick_text(figure, size)
    return save_figure(figure, _png(path))


def _png(path: str | os.PathLike) -> Path:
    path = Path(path)
    path = path if path.suffix == ".png" else path.with_name(path.name + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
