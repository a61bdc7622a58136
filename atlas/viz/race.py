r"""Optimizer races, drawn: the paths of a :class:`~atlas.races.race.Race` it is handed.

A race (:mod:`atlas.races.race`: the paths, at the protocol's rates) is drawn
three ways:

* :func:`animate_race_3d` — paths on the translucent surface, in 3D;
* :func:`animate_race_contour` — the same paths on the contour map;
* :func:`atlas.viz.gap_plot.plot_gap` — :math:`f(\theta_k) - f^*` against the
  step ``k``, with the target marked.

Each path is a thin line in its optimizer's colour with a short bold tail and
its optimizer's marker at its head (:mod:`atlas.viz.race_artists`; colours and
markers from :mod:`atlas.viz.style`, at most six per race: a group of
:mod:`atlas.races.groups`). ``trail`` caps the thin line at the last ``trail``
steps, for long races that circle. The axes show exactly the surface's plotted
box: a path that leaves it is clipped at the edge (:mod:`atlas.viz.clipping`).
The legend says, per optimizer, its rate and what the reader sees happen: the
step at which it reaches its target, or that it misses it, leaves the plot or
diverges, and flags a rate the protocol had to take although it fails. Long
races are subsampled to at most ``max_frames`` frames; the poster is the last
frame, the whole race.

Figures are 6.8 in wide at 100 dpi: the book's column width, shown 1:1, so
9-point text is 12.5 px.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from matplotlib.artist import Artist
from matplotlib.lines import Line2D

from atlas import learning_rates
from atlas.races.race import Race, Run, run_race
from atlas.surfaces import Surface
from atlas.viz.animation import render_animation
from atlas.viz.clipping import ClippedPath, inside_box
from atlas.viz.race_artists import RaceOverlay, StepCounter, contour_pixels, surface_pixels
from atlas.viz.style import (
    DPI,
    latex_title,
    new_figure,
    optimizer_color,
    optimizer_marker,
    style,
)
from atlas.viz.surface_plots import plot_contours, plot_surface_3d

__all__ = [
    "FIGSIZE_RACE", "Race", "Run", "animate_race_3d", "animate_race_contour", "draw_race_3d",
    "draw_race_contour", "first_step_outside", "frame_steps", "outcome_text", "race_legend",
    "race_title", "run_race", "wanders",
]  # fmt: skip

#: Race figures: the book's column width; the legend sits to the right of the plot.
FIGSIZE_RACE = (6.8, 4.2)
MAX_FRAMES = 144
FPS = 20.0
LEGEND_X = 0.655  # left edge of the legend, in figure coordinates
LEGEND_FONTSIZE = 9.0
ZOOM_3D = 0.86  # the 3D box a little smaller than its axes, so no label is cut off
#: A formula longer than this many characters is left out of a figure's title.
MAX_TITLE_LATEX = 64


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


def outcome_text(run: Run, surface: Surface) -> str:
    """What the reader sees the run do: ``"target at step 51"``, ``"misses the target"``...."""
    escape = surface.f_min is None
    if run.steps_to_target is not None:
        text = f"{'escapes' if escape else 'target'} at step {run.steps_to_target}"
    elif run.diverged_at is not None:
        text = f"diverges at step {run.diverged_at}"
    elif run.left_at is not None:
        text = f"leaves the plot at step {run.left_at}"
    else:
        text = "stays stuck" if escape else "misses the target"
    return text + ("; every rate fails" if run.fallback else "")


def legend_label(run: Run, surface: Surface) -> str:
    """Two lines: ``"Adam  lr 0.0316"`` and :func:`outcome_text`."""
    return f"{run.title}  lr {learning_rates.format_lr(run.lr)}\n{outcome_text(run, surface)}"


def race_handle(run: Run) -> Line2D:
    """The legend key of a run: its colour, line and marker (dashed if it fails)."""
    failing = run.fallback or run.diverged_at is not None
    return Line2D([], [], color=optimizer_color(run.optimizer), lw=2.0,
                  marker=optimizer_marker(run.optimizer), markersize=6,
                  markeredgecolor="white", markeredgewidth=0.6,
                  linestyle="--" if failing else "-")  # fmt: skip


def race_legend(figure, runs: Sequence[Run], surface: Surface, x: float = LEGEND_X,
                fontsize: float = LEGEND_FONTSIZE) -> Artist:  # fmt: skip
    """The legend of a race, right of the plot: one two-line entry per run."""
    many = len(runs) > 6  # an old all-optimizer race: one line each, smaller
    labels = [legend_label(run, surface).replace("\n", ", ") if many
              else legend_label(run, surface) for run in runs]  # fmt: skip
    size = fontsize if not many else max(5.0, fontsize * 8 / len(runs))
    return figure.legend([race_handle(run) for run in runs], labels, loc="center left",
                         bbox_to_anchor=(x, 0.5), borderaxespad=0.3, handlelength=1.8,
                         fontsize=size, labelspacing=0.8 if not many else 0.3,
                         title="optimizer, learning rate", title_fontsize=size)  # fmt: skip


def race_title(figure, race: Race, subtitle: str | None = None) -> None:
    """The surface's title and formula (if short), and an optional second line."""
    surface = race.surface
    text = (latex_title(surface.title, surface.latex) if len(surface.latex) <= MAX_TITLE_LATEX
            else surface.title)  # fmt: skip
    figure.suptitle(text + (f"\n{subtitle}" if subtitle else ""), fontsize=10.5, x=0.02,
                    ha="left", y=0.985, va="top")  # fmt: skip


def _animate(race: Race, path: str | os.PathLike, three_d: bool, formats: Iterable[str],
             max_frames: int, dpi: float, fps: float, figsize: tuple[float, float],
             trail: int | None, subtitle: str | None) -> dict[str, Path]:  # fmt: skip
    surface = race.surface
    with style():
        figure = new_figure(figsize, dpi)
        legend_x = 1 - (1 - LEGEND_X) * FIGSIZE_RACE[0] / figsize[0]  # legend: fixed width
        top = 0.86 if subtitle else 0.9
        rect = (0.0, 0.03, legend_x - 0.01, top - 0.02) if three_d else (
            0.085, 0.11, legend_x - 0.11, top - 0.14)
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
        race_title(figure, race, subtitle)
        race_legend(figure, race.runs, surface, legend_x)
        overlay = RaceOverlay(figure, [optimizer_color(run.optimizer) for run in race.runs],
                              to_pixels, faded=[wanders(run, surface.domain) for run in race.runs],
                              markers=[optimizer_marker(run.optimizer) for run in race.runs],
                              trail=trail)  # fmt: skip
        counter = StepCounter(race.steps, (0.02 * figure.bbox.width, 0.02 * figure.bbox.height))
        figure.add_artist(counter)
        steps = frame_steps(race.steps, max_frames)

        def update(i: int) -> None:
            overlay.show(int(steps[i]))
            counter.step = int(steps[i])

        return render_animation(figure, [*overlay.artists(), counter], update, len(steps),
                                path, fps=fps, formats=formats)  # fmt: skip


def animate_race_3d(race: Race, path: str | os.PathLike,
                    formats: Iterable[str] = ("mp4", "png"), *, max_frames: int = MAX_FRAMES,
                    dpi: float = DPI, fps: float = FPS,
                    figsize: tuple[float, float] = FIGSIZE_RACE, trail: int | None = None,
                    subtitle: str | None = None) -> dict[str, Path]:  # fmt: skip
    """The race on the translucent surface in 3D: writes ``path.mp4``, ``path.png`` (poster)."""
    return _animate(race, path, True, formats, max_frames, dpi, fps, figsize, trail, subtitle)


def animate_race_contour(race: Race, path: str | os.PathLike,
                         formats: Iterable[str] = ("mp4", "png"), *,
                         max_frames: int = MAX_FRAMES, dpi: float = DPI, fps: float = FPS,
                         figsize: tuple[float, float] = FIGSIZE_RACE, trail: int | None = None,
                         subtitle: str | None = None) -> dict[str, Path]:  # fmt: skip
    """The race on the contour map: writes ``path.mp4``, ``path.png`` (poster)."""
    return _animate(race, path, False, formats, max_frames, dpi, fps, figsize, trail, subtitle)


# ----------------------------------------- the old catalog's calls (they compute the race)


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
