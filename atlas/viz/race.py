r"""Optimizer races: several optimizers from one start on one surface.

Every optimizer starts at the surface's start point with the learning rate
chosen for it by the protocol of :mod:`atlas.learning_rates`, and runs the
same step budget. A race is drawn three ways:

* :func:`animate_race_3d` — paths on the translucent surface, in 3D;
* :func:`animate_race_contour` — the same paths on the contour map;
* :func:`plot_gap` — :math:`f(\theta_k) - f^*` against the step ``k``, log scale
  (:math:`f` itself on a symlog scale where there is no minimum).

Each path is a thin coloured line with a short bold tail and a dot at its
head; the legend gives each learning rate, and a run that diverged stops
where it last was finite and says so in the legend ("diverged at step k").
Long races are subsampled to at most ``max_frames`` frames; the poster is
the last frame, the whole race.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from atlas import learning_rates, optimizers, surfaces
from atlas.surfaces import Surface
from atlas.trajectory import trajectory
from atlas.viz.animation import render_animation, save_figure
from atlas.viz.style import (
    DPI,
    latex_title,
    new_figure,
    optimizer_color,
    style,
)
from atlas.viz.surface_plots import plot_contours, plot_surface_3d

#: Race figures are wider than tall: the legend sits to the right of the plot.
FIGSIZE_RACE = (8.0, 4.5)
MAX_FRAMES = 144
FPS = 20.0
TAIL = 6  # steps in the bold tail behind each head
LEGEND_X = 0.655  # left edge of the legend, in figure coordinates


@dataclass(frozen=True)
class Run:
    """One optimizer's path in a race (the finite prefix if it diverged)."""

    optimizer: str  # registry name
    title: str  # "Adam"
    lr: float
    xy: np.ndarray  # (k + 1, 2), k <= steps
    z: np.ndarray  # (k + 1,)
    diverged_at: int | None

    @property
    def color(self) -> str:
        return optimizer_color(self.optimizer)

    @property
    def label(self) -> str:
        """``"Adam  lr=0.0316"``, plus ``"  diverged at step k"`` for a diverged run."""
        text = f"{self.title}  lr={learning_rates.format_lr(self.lr)}"
        return text + (
            f"  diverged at step {self.diverged_at}" if self.diverged_at is not None else ""
        )

    def upto(self, step: int) -> slice:
        """The rows of the path at steps ``0 .. step`` (fewer if it diverged earlier)."""
        return slice(0, min(step, len(self.xy) - 1) + 1)


@dataclass(frozen=True)
class Race:
    """A surface, a step budget and one :class:`Run` per optimizer."""

    surface: Surface
    steps: int
    runs: tuple[Run, ...]


def run_race(
    surface: Surface | str,
    optimizer_names: Iterable[str] | None = None,
    *,
    steps: int | None = None,
    lrs: Mapping[str, float] | None = None,
) -> Race:
    """Race ``optimizer_names`` (all by default) on ``surface`` from its start.

    ``steps`` defaults to :func:`atlas.learning_rates.step_budget`, each
    learning rate to the protocol's choice (or ``lrs[name]`` when given).
    """
    surface = surfaces.get(surface) if isinstance(surface, str) else surface
    names = list(optimizers.names() if optimizer_names is None else optimizer_names)
    steps = learning_rates.step_budget(surface) if steps is None else steps
    runs = []
    for name in names:
        if lrs is not None and name in lrs:
            lr = float(lrs[name])
        else:
            lr = learning_rates.best_learning_rate(name, surface, steps=steps).lr
        optimizer = optimizers.get(name, lr=lr)
        path = trajectory(optimizer, surface, surface.start, steps)
        runs.append(Run(name, optimizer.title, lr, path.xy, path.z, path.diverged_at))
    return Race(surface, steps, tuple(runs))


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The step shown in each frame: every step if they fit, else evenly subsampled.

    Always starts at 0 and ends at ``steps`` (the poster shows the whole race).
    """
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}")
    n_frames = min(steps + 1, max_frames)
    return np.unique(np.round(np.linspace(0, steps, n_frames)).astype(int))


def _legend(figure, runs: Sequence[Run], x: float = LEGEND_X) -> Artist:
    handles = [
        Line2D([], [], color=run.color, lw=2.2, marker="o", markersize=5,
               linestyle="--" if run.diverged_at is not None else "-")
        for run in runs
    ]  # fmt: skip
    return figure.legend(handles, [run.label for run in runs], loc="center left",
                         bbox_to_anchor=(x, 0.5), borderaxespad=0.3,
                         handlelength=1.6, title="optimizer, learning rate",
                         title_fontsize=8.5)  # fmt: skip


def _title(figure, race: Race) -> None:
    surface = race.surface
    figure.suptitle(latex_title(surface.title, surface.latex), fontsize=11, x=0.02,
                    ha="left", y=0.975)  # fmt: skip


class _RaceArtists:
    """Per run: the path so far (thin), its recent tail (bold) and its head (a dot)."""

    def __init__(self, ax: Axes, race: Race, three_d: bool) -> None:
        self.race, self.three_d = race, three_d
        self.paths, self.tails, self.heads = [], [], []
        extra = {"axlim_clip": True} if three_d else {}
        for run in race.runs:
            empty = ([], [], []) if three_d else ([], [])
            kw = {"color": run.color, "animated": True, "solid_capstyle": "round", **extra}
            self.paths += ax.plot(*empty, lw=1.3, alpha=0.85, zorder=6, **kw)
            self.tails += ax.plot(*empty, lw=2.8, zorder=7, **kw)
            self.heads += ax.plot(*empty, marker="o", markersize=5.5, markeredgecolor="white",
                                  markeredgewidth=0.8, zorder=8, linestyle="none",
                                  **kw)  # fmt: skip
        self.counter = ax.figure.text(0.02, 0.02, "", fontsize=9, animated=True)

    def artists(self) -> list[Artist]:
        return [*self.paths, *self.tails, *self.heads, self.counter]

    def show(self, step: int) -> None:
        for run, path, tail, head in zip(self.race.runs, self.paths, self.tails, self.heads,
                                         strict=True):  # fmt: skip
            rows = run.upto(step)
            tail_rows = slice(max(0, rows.stop - 1 - TAIL), rows.stop)
            last = slice(rows.stop - 1, rows.stop)
            for line, part in ((path, rows), (tail, tail_rows), (head, last)):
                x, y = run.xy[part, 0], run.xy[part, 1]
                if self.three_d:
                    line.set_data_3d(x, y, run.z[part])
                else:
                    line.set_data(x, y)
        self.counter.set_text(f"step {step} / {self.race.steps}")


def _animate(race: Race, path: str | os.PathLike, three_d: bool, formats: Iterable[str],
             max_frames: int, dpi: float, fps: float,
             figsize: tuple[float, float]) -> dict[str, Path]:  # fmt: skip
    with style():
        figure = new_figure(figsize, dpi)
        legend_x = 1 - (1 - LEGEND_X) * FIGSIZE_RACE[0] / figsize[0]  # legend: fixed width
        rect = (-0.03, 0.0, legend_x + 0.045, 0.93) if three_d else (
            0.075, 0.1, legend_x - 0.095, 0.8)
        if three_d:
            ax = figure.add_axes(rect, projection="3d")
            plot_surface_3d(ax, race.surface)
        else:
            ax = figure.add_axes(rect)
            plot_contours(ax, race.surface)
        _title(figure, race)
        _legend(figure, race.runs, legend_x)
        drawn = _RaceArtists(ax, race, three_d)
        steps = frame_steps(race.steps, max_frames)
        return render_animation(figure, drawn.artists(), lambda i: drawn.show(int(steps[i])),
                                len(steps), path, fps=fps, formats=formats)  # fmt: skip


def animate_race_3d(
    race: Race,
    path: str | os.PathLike,
    formats: Iterable[str] = ("mp4", "png"),
    *,
    max_frames: int = MAX_FRAMES,
    dpi: float = DPI,
    fps: float = FPS,
    figsize: tuple[float, float] = FIGSIZE_RACE,
) -> dict[str, Path]:
    """The race on the translucent surface in 3D: writes ``path.mp4``, ``path.png`` (poster)."""
    return _animate(race, path, True, formats, max_frames, dpi, fps, figsize)


def animate_race_contour(
    race: Race,
    path: str | os.PathLike,
    formats: Iterable[str] = ("mp4", "png"),
    *,
    max_frames: int = MAX_FRAMES,
    dpi: float = DPI,
    fps: float = FPS,
    figsize: tuple[float, float] = FIGSIZE_RACE,
) -> dict[str, Path]:
    """The race on the contour map: writes ``path.mp4``, ``path.png`` (poster)."""
    return _animate(race, path, False, formats, max_frames, dpi, fps, figsize)


#: Smallest gap shown on the log scale (a run that reaches f* exactly sits here).
GAP_FLOOR = 1e-16


def plot_gap(ax: Axes, runs: Sequence[Run], f_star: float | None) -> list[Artist]:
    r""":math:`f - f^*` against step on a log scale (``f`` on symlog if ``f_star`` is None).

    Gaps below :data:`GAP_FLOOR` (e.g. exactly 0) are drawn at the floor. A
    diverged run stops at its last finite step, marked with a cross.
    """
    with style():
        artists: list[Artist] = []
        for run in runs:
            steps = np.arange(len(run.z))
            values = run.z if f_star is None else np.maximum(run.z - f_star, GAP_FLOOR)
            artists += ax.plot(steps, values, color=run.color, lw=1.6, label=run.label)
            if run.diverged_at is not None:
                artists += ax.plot(steps[-1:], values[-1:], marker="x", markersize=8,
                                   markeredgewidth=2, color=run.color,
                                   linestyle="none")  # fmt: skip
        if f_star is None:
            finite = np.concatenate([run.z for run in runs])
            scale = max(1.0, float(np.median(np.abs(finite))) * 1e-3)
            ax.set_yscale("symlog", linthresh=scale)
            ax.set_ylabel(r"$f(\theta_k)$")
        else:
            ax.set_yscale("log")
            ax.set_ylabel(r"$f(\theta_k) - f^*$")
        ax.set_xlabel("step $k$")
        ax.grid(True, which="major")
    return artists


def draw_gap(race: Race, path: str | os.PathLike, *, dpi: float = DPI) -> Path:
    """The gap plot of ``race`` as a static PNG, with legend and title."""
    path = Path(path)
    if path.suffix != ".png":
        path = path.with_name(path.name + ".png")
    with style():
        figure = new_figure(FIGSIZE_RACE, dpi)
        ax = figure.add_axes((0.09, 0.12, 0.54, 0.76))
        plot_gap(ax, race.runs, race.surface.f_min)
        _title(figure, race)
        _legend(figure, race.runs)
        ax.set_xlim(0, race.steps)
    path.parent.mkdir(parents=True, exist_ok=True)
    return save_figure(figure, path)


# ------------------------------------------------- one call per catalog figure


def draw_race_3d(path: str | os.PathLike, formats: Iterable[str], surface: Surface | str,
                 optimizer_names: Iterable[str] | None = None, *, max_frames: int = MAX_FRAMES,
                 dpi: float = DPI, fps: float = FPS) -> dict[str, Path]:  # fmt: skip
    """Run the race on ``surface`` (protocol learning rates) and animate it in 3D."""
    race = run_race(surface, optimizer_names)
    return animate_race_3d(race, path, formats, max_frames=max_frames, dpi=dpi, fps=fps)


def draw_race_contour(path: str | os.PathLike, formats: Iterable[str], surface: Surface | str,
                      optimizer_names: Iterable[str] | None = None, *,
                      max_frames: int = MAX_FRAMES, dpi: float = DPI,
                      fps: float = FPS) -> dict[str, Path]:  # fmt: skip
    """Run the race on ``surface`` (protocol learning rates) and animate it on contours."""
    race = run_race(surface, optimizer_names)
    return animate_race_contour(race, path, formats, max_frames=max_frames, dpi=dpi, fps=fps)


def draw_race_gap(path: str | os.PathLike, surface: Surface | str,
                  optimizer_names: Iterable[str] | None = None, *,
                  dpi: float = DPI) -> Path:  # fmt: skip
    """Run the race on ``surface`` (protocol learning rates) and plot f - f* per step."""
    return draw_gap(run_race(surface, optimizer_names), path, dpi=dpi)
