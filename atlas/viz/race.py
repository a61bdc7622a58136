r"""Optimizer races: several optimizers from one start on one surface.

Every optimizer starts at the surface's start point with the learning rate
chosen for it by the protocol of :mod:`atlas.learning_rates`, and runs the
same step budget. A race is drawn three ways:

* :func:`animate_race_3d` — paths on the translucent surface, in 3D;
* :func:`animate_race_contour` — the same paths on the contour map;
* :func:`atlas.viz.gap_plot.plot_gap` — :math:`f(\theta_k) - f^*` against the
  step ``k``, log scale (:math:`f` itself on a symlog scale where there is no minimum).

Each path is a thin coloured line with a short bold tail and a dot at its
head (drawn by :mod:`atlas.viz.race_artists`). The axes show exactly the
surface's domain: a path that leaves it is clipped at the edge
(:mod:`atlas.viz.clipping`), and the legend says so ("left the plot at step
k"); a run that diverged stops where it last was finite and the legend says
that too ("diverged at step k"). Every optimizer keeps its colour of
:data:`atlas.viz.style.OPTIMIZER_COLORS`. Long races are subsampled to at most
``max_frames`` frames; the poster is the last frame, the whole race.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.lines import Line2D

from atlas import learning_rates, optimizers, surfaces
from atlas.surfaces import Surface
from atlas.trajectory import trajectory
from atlas.viz.animation import render_animation
from atlas.viz.clipping import ClippedPath, inside_box
from atlas.viz.race_artists import RaceOverlay, StepCounter, contour_pixels, surface_pixels
from atlas.viz.style import DPI, latex_title, new_figure, optimizer_color, style
from atlas.viz.surface_plots import plot_contours, plot_surface_3d

#: Race figures are wider than tall: the legend sits to the right of the plot.
FIGSIZE_RACE = (8.0, 4.5)
MAX_FRAMES = 144
FPS = 20.0
LEGEND_X = 0.6  # left edge of the legend, in figure coordinates
ZOOM_3D = 0.88  # the 3D box a little smaller than its axes, so no label is cut off


@dataclass(frozen=True)
class Run:
    """One optimizer's path in a race (the finite prefix if it diverged)."""

    optimizer: str  # registry name
    title: str  # "Adam"
    lr: float
    xy: np.ndarray  # (k + 1, 2), k <= steps
    z: np.ndarray  # (k + 1,)
    diverged_at: int | None
    left_at: int | None = None  # first step outside the surface's domain (the plot)

    @property
    def color(self) -> str:
        return optimizer_color(self.optimizer)

    @property
    def label(self) -> str:
        """``"Adam  lr=0.0316"``, and where it diverged, if it did."""
        text = f"{self.title}  lr={learning_rates.format_lr(self.lr)}"
        if self.diverged_at is not None:
            return f"{text}  diverged at step {self.diverged_at}"
        return text

    @property
    def path_label(self) -> str:
        """:attr:`label`, or where the path left the plot (the domain) if it did."""
        if self.diverged_at is None and self.left_at is not None:
            return f"{self.label}  left the plot at step {self.left_at}"
        return self.label

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
        runs.append(Run(name, optimizer.title, lr, path.xy, path.z, path.diverged_at,
                        first_step_outside(path.xy, surface.domain)))
    return Race(surface, steps, tuple(runs))


def first_step_outside(xy: np.ndarray, domain) -> int | None:
    """The first step whose point lies outside ``domain``, None if the path stays inside."""
    (x0, x1), (y0, y1) = domain
    outside = np.flatnonzero(~inside_box(xy, np.array([x0, y0]), np.array([x1, y1])))
    return int(outside[0]) if outside.size else None


#: A trail longer than this many diagonals of the domain is drawn faint (see :func:`wanders`).
WANDER_DIAGONALS = 12.0


def wanders(run: Run, domain) -> bool:
    """Whether the run's trail is drawn faint: it diverged, left the plot, or wandered.

    Wandering: its path, measured in units of the domain's sides, is longer than
    :data:`WANDER_DIAGONALS` diagonals (a too-large rate bouncing around for
    hundreds of steps would scribble over every other path).
    """
    if run.diverged_at is not None or run.left_at is not None:
        return True
    (x0, x1), (y0, y1) = domain
    unit = np.diff(run.xy, axis=0) / np.array([x1 - x0, y1 - y0])
    return float(np.hypot(unit[:, 0], unit[:, 1]).sum()) > WANDER_DIAGONALS * math.sqrt(2)


def frame_steps(steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The step shown in each frame: every step if they fit, else evenly subsampled.

    Always starts at 0 and ends at ``steps`` (the poster shows the whole race).
    """
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}")
    n_frames = min(steps + 1, max_frames)
    return np.unique(np.round(np.linspace(0, steps, n_frames)).astype(int))


def race_legend(figure, runs: Sequence[Run], x: float = LEGEND_X, paths: bool = True) -> Artist:
    handles = [
        Line2D([], [], color=run.color, lw=2.2, marker="o", markersize=5,
               linestyle="--" if run.diverged_at is not None else "-")
        for run in runs
    ]  # fmt: skip
    labels = [run.path_label if paths else run.label for run in runs]
    return figure.legend(handles, labels, loc="center left",
                         bbox_to_anchor=(x, 0.5), borderaxespad=0.3,
                         handlelength=1.6, title="optimizer, learning rate",
                         title_fontsize=8.5)  # fmt: skip


def race_title(figure, race: Race) -> None:
    surface = race.surface
    figure.suptitle(latex_title(surface.title, surface.latex), fontsize=11, x=0.02,
                    ha="left", y=0.975)  # fmt: skip


def _animate(race: Race, path: str | os.PathLike, three_d: bool, formats: Iterable[str],
             max_frames: int, dpi: float, fps: float,
             figsize: tuple[float, float]) -> dict[str, Path]:  # fmt: skip
    surface = race.surface
    with style():
        figure = new_figure(figsize, dpi)
        legend_x = 1 - (1 - LEGEND_X) * FIGSIZE_RACE[0] / figsize[0]  # legend: fixed width
        rect = (0.0, 0.05, legend_x - 0.01, 0.88) if three_d else (
            0.075, 0.1, legend_x - 0.095, 0.8)
        if three_d:
            ax = figure.add_axes(rect, projection="3d")
            plot_surface_3d(ax, surface)
            ax.set_box_aspect(None, zoom=ZOOM_3D)  # room for the tick and axis labels

            def to_pixels(i: int) -> ClippedPath:
                return surface_pixels(ax, race.runs[i].xy, race.runs[i].z)
        else:
            ax = figure.add_axes(rect)
            plot_contours(ax, surface)

            def to_pixels(i: int) -> ClippedPath:
                return contour_pixels(ax, race.runs[i].xy, surface.domain)
        race_title(figure, race)
        race_legend(figure, race.runs, legend_x)
        faded = [wanders(run, surface.domain) for run in race.runs]
        overlay = RaceOverlay(figure, [run.color for run in race.runs], to_pixels, faded=faded)
        counter = StepCounter(race.steps, (0.02 * figure.bbox.width, 0.02 * figure.bbox.height))
        figure.add_artist(counter)
        steps = frame_steps(race.steps, max_frames)

        def update(i: int) -> None:
            overlay.show(int(steps[i]))
            counter.step = int(steps[i])

        return render_animation(figure, [*overlay.artists(), counter], update, len(steps),
                                path, fps=fps, formats=formats)  # fmt: skip


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
