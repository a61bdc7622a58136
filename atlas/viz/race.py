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

The figures are :data:`WIDTH` inches wide and every text is :data:`FONTSIZE`
points: the book shows them 672 px wide in its column and 358 px wide on a
phone, where that is the smallest text it allows (:mod:`atlas.viz.readable`).
The drawings take what the domain computed (:mod:`atlas.races.race`: the runs,
their outcomes, the rate as the tables write it, the target); they run nothing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from atlas.viz.animation import render_animation
from atlas.viz.clipping import ClippedPath, inside_box
from atlas.viz.race_artists import RaceOverlay, StepCounter, contour_pixels, surface_pixels
from atlas.viz.readable import min_points
from atlas.viz.style import DPI, latex_title, new_figure, optimizer_color, optimizer_marker, style
from atlas.viz.surface_plots import plot_contours, plot_surface_3d

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from atlas.races.race import Race, Run
    from atlas.surfaces import Surface

__all__ = [
    "FIGSIZE_RACE", "FONTSIZE", "WIDTH", "animate_race_3d", "animate_race_contour",
    "first_step_outside", "frame_steps", "legend_label", "outcome_text", "plot_area",
    "race_figure", "race_handle", "race_legend", "race_title", "surface_title", "wanders",
]  # fmt: skip

#: Every race figure's width (inches) and text size (points): the smallest size the
#: book's readers can read at that width (:func:`atlas.viz.readable.min_points`).
WIDTH = 6.8
FONTSIZE = math.ceil(10 * min_points(WIDTH)) / 10
TITLE_FONTSIZE = FONTSIZE + 0.5
#: Race figures: the book's column width; the legend sits to the right of the plot.
FIGSIZE_RACE = (WIDTH, 4.6)
MAX_FRAMES = 144
FPS = 20.0
ZOOM_3D = 0.84  # the 3D box a little smaller than its axes, so no label is cut off
#: A formula longer than this many characters is left out of a figure's title.
MAX_TITLE_LATEX = 64
#: Room for the tick labels and axis label left of and below a 2D plot (inches).
MARGIN_LEFT, MARGIN_BOTTOM = 0.8, 0.68


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


def outcome_text(run: Run, escape: bool) -> str:
    """What the reader sees the run do: ``"target at step 51"``, ``"misses the target"``...

    ``escape``: the race's target is an escape (:attr:`atlas.races.race.Race.escape`).
    """
    if run.steps_to_target is not None:
        return f"{'escapes' if escape else 'target'} at step {run.steps_to_target}"
    if run.diverged_at is not None:
        return f"diverges at step {run.diverged_at}"
    if run.left_at is not None:
        return f"leaves the plot at step {run.left_at}"
    return "stays stuck" if escape else "misses the target"


def legend_label(run: Run, escape: bool) -> str:
    """``"Adam  0.0316"`` (its learning rate), :func:`outcome_text`, whether every rate fails."""
    lines = [f"{run.title}  {run.lr_text}", outcome_text(run, escape)]
    return "\n".join(lines + (["every rate fails"] if run.fallback else []))


def race_handle(run: Run) -> Line2D:
    """The legend key of a run: its colour, line and marker (dashed if it fails)."""
    failing = run.fallback or run.diverged_at is not None
    return Line2D([], [], color=optimizer_color(run.optimizer), lw=2.0,
                  marker=optimizer_marker(run.optimizer), markersize=7,
                  markeredgecolor="white", markeredgewidth=0.6,
                  linestyle="--" if failing else "-")  # fmt: skip


def race_legend(figure: Figure, runs: Sequence[Run], escape: bool, *,
                loc: str = "center right", anchor: tuple[float, float] = (0.995, 0.5),
                title: str | None = "optimizer, learning rate",
                frameon: bool = True) -> Legend:  # fmt: skip
    """The legend of a race: one entry per run (:func:`legend_label`), on ``figure``.

    The races' figures and the summary's panels (:mod:`atlas.viz.race_summary`) share it.
    """
    return figure.legend([race_handle(run) for run in runs],
                         [legend_label(run, escape) for run in runs], loc=loc,
                         bbox_to_anchor=anchor, borderaxespad=0.2, handlelength=1.6,
                         handletextpad=0.6, fontsize=FONTSIZE, labelspacing=0.45, title=title,
                         title_fontsize=FONTSIZE, alignment="left",
                         frameon=frameon)  # fmt: skip


def surface_title(surface: Surface) -> str:
    """The surface's title and its formula as mathtext, if the formula is short enough."""
    if len(surface.latex) <= MAX_TITLE_LATEX:
        return latex_title(surface.title, surface.latex)
    return surface.title


def race_title(figure: Figure, race: Race, subtitle: str | None = None) -> Text:
    """The surface's title and formula (if short), and an optional second line."""
    text = surface_title(race.surface) + (f"\n{subtitle}" if subtitle else "")
    return figure.suptitle(text, fontsize=TITLE_FONTSIZE, x=0.015, ha="left", y=0.99, va="top")


def _fraction(figure: Figure, extent) -> tuple[float, float, float, float]:
    """A window extent (pixels) as ``(x0, y0, x1, y1)`` in figure coordinates."""
    width, height = figure.bbox.width, figure.bbox.height
    return extent.x0 / width, extent.y0 / height, extent.x1 / width, extent.y1 / height


def plot_area(figure: Figure, race: Race, subtitle: str | None,
              margins: tuple[float, float] | None) -> tuple[float, ...]:
    """Draw the title and the legend (right); the rectangle left for the plot, as axes rect.

    ``margins``: room (inches) left of and below the plot for its ticks and
    labels; None for a 3D plot, which draws its own inside its axes.
    """
    renderer = figure.canvas.get_renderer()
    title = race_title(figure, race, subtitle)
    top = _fraction(figure, title.get_window_extent(renderer))[1]
    top -= 0.1 / figure.get_figheight()
    legend = race_legend(figure, race.runs, race.escape, anchor=(0.995, top / 2))
    right = _fraction(figure, legend.get_window_extent(renderer))[0] - 0.02
    if margins is None:
        return 0.0, 0.0, right, top
    right -= 0.25 / figure.get_figwidth()  # the last tick label sticks out by half its width
    left, bottom = margins[0] / figure.get_figwidth(), margins[1] / figure.get_figheight()
    return left, bottom, right - left, top - bottom - 0.03


def race_figure(race: Race, three_d: bool, *, dpi: float = DPI,
                figsize: tuple[float, float] = FIGSIZE_RACE, trail: int | None = None,
                subtitle: str | None = None
                ) -> tuple[Figure, RaceOverlay, StepCounter]:  # fmt: skip
    """The race's figure (3D surface or contours, title, legend), its paths and step counter.

    The paths and the counter are animated artists: :func:`animate_race_3d` and
    :func:`animate_race_contour` show them step by step.
    """
    surface = race.surface
    with style():
        figure = new_figure(figsize, dpi)
        rect = plot_area(figure, race, subtitle,
                         None if three_d else (MARGIN_LEFT, MARGIN_BOTTOM))  # fmt: skip
        if three_d:
            ax = figure.add_axes(rect, projection="3d")
            plot_surface_3d(ax, surface)
            ax.set_box_aspect(None, zoom=ZOOM_3D)  # room for the tick and axis labels
            ax.set_zlabel("$f$")  # short: a long one runs into the legend
            for axis, n in ((ax.xaxis, 3), (ax.yaxis, 3), (ax.zaxis, 2)):  # labels this large
                axis.set_major_locator(MaxNLocator(n))  # touch unless few (z: seen from above)
                axis.label.set_size(FONTSIZE)

            def to_pixels(i: int) -> ClippedPath:
                return surface_pixels(ax, race.runs[i].xy, race.runs[i].z)
        else:
            ax = figure.add_axes(rect)
            plot_contours(ax, surface)
            ax.locator_params(nbins=5)
            ax.xaxis.label.set_size(FONTSIZE)
            ax.yaxis.label.set_size(FONTSIZE)

            def to_pixels(i: int) -> ClippedPath:
                return contour_pixels(ax, race.runs[i].xy, surface.domain)
        ax.tick_params(labelsize=FONTSIZE)
        overlay = RaceOverlay(figure, [optimizer_color(run.optimizer) for run in race.runs],
                              to_pixels, faded=[wanders(run, surface.domain) for run in race.runs],
                              markers=[optimizer_marker(run.optimizer) for run in race.runs],
                              trail=trail)  # fmt: skip
        counter = StepCounter(race.steps, (0.015 * figure.bbox.width, 0.025 * figure.bbox.height),
                              fontsize=FONTSIZE)  # fmt: skip
        figure.add_artist(counter)
    return figure, overlay, counter


def _animate(race: Race, path: str | os.PathLike, three_d: bool, formats: Iterable[str],
             max_frames: int, dpi: float, fps: float, figsize: tuple[float, float],
             trail: int | None, subtitle: str | None) -> dict[str, Path]:  # fmt: skip
    with style():
        figure, overlay, counter = race_figure(race, three_d, dpi=dpi, figsize=figsize,
                                               trail=trail, subtitle=subtitle)  # fmt: skip
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
