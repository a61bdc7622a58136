"""The data of the in-browser explorer: what the page's JavaScript needs from atlas.

The explorer (``book/explorer.md``, scripts in ``book/_static/explorer/``)
runs the races itself, in the reader's browser. Its update rules and surface
formulas are written by hand in JavaScript and checked against atlas by
``tests/test_explorer.py``; everything else it reads from the files written
here, so nothing is typed twice:

* ``data.json``: every surface (title, formula, box, start, minima and
  critical points, the protocol's step budget, its background image and how
  data coordinates map to that image's pixels), every optimizer (title,
  description, defaults (its reference's), book colour) and, for each (surface,
  optimizer) pair, the race protocol's choice (:mod:`atlas.protocol`): the rate the
  optimizer's slider starts at, as in the book's races, with what that run does
  (steps to target, final gap, the step it leaves the plot) and whether it is a
  *fallback* (every grid rate leaves the plot; the page says so);
* ``<surface>.png``: the surface's contours in the book's style, filling the
  whole image: pixel column ``0`` is ``x0`` and column ``width`` is ``x1``,
  row ``0`` is ``y1`` (the top) and row ``height`` is ``y0``.

:func:`build` writes them, each atomically; ``atlas render explorer`` calls it
through the catalog (a *bundle* entry, :mod:`atlas.catalog.explorer`), handing it
the protocol's choices from every surface's learning-rate sweeps.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from atlas import learning_rates, optimizers, surfaces
from atlas.cache import write_atomic
from atlas.learning_rates import LearningRateChoice
from atlas.surfaces import Point, Surface

#: Longest side of a background image, in pixels.
IMAGE_SIZE = 480
#: Colours of a background's palette: few enough for small files, enough for smooth fills.
IMAGE_COLOURS = 48
DATA_FILE = "data.json"
VERSION = 2  # 2: rates hold the race protocol's outcome and fallback flag


def files() -> tuple[str, ...]:
    """The files :func:`build` writes, relative to its directory."""
    return (DATA_FILE, *(f"{name}.png" for name in surfaces.names()))


def image_size(surface: Surface, size: int = IMAGE_SIZE) -> tuple[int, int]:
    """``(width, height)`` of ``surface``'s background: its box's shape, longest side ``size``.

    Boxes whose sides differ by less than 2.5x are drawn to scale (as the book's
    contour plots are); others are drawn square.
    """
    (x0, x1), (y0, y1) = surface.domain
    ratio = (y1 - y0) / (x1 - x0)
    if not 0.4 < ratio < 2.5:
        ratio = 1.0
    if ratio <= 1:
        return size, max(1, round(size * ratio))
    return max(1, round(size / ratio)), size


def background_png(surface: Surface, size: int = IMAGE_SIZE,
                   colours: int = IMAGE_COLOURS) -> bytes:  # fmt: skip
    """``surface``'s contours in the book's style, edge to edge, as a small palette PNG.

    Drawn by :func:`atlas.viz.surface_plots.plot_contours` on axes that fill the
    figure (no ticks, no frame), so the data box maps linearly onto the pixels.
    Quantised to ``colours`` colours without dithering: deterministic bytes.
    """
    from PIL import Image

    from atlas.viz.png import figure_rgba, rgb_part
    from atlas.viz.style import new_figure
    from atlas.viz.surface_plots import plot_contours

    width, height = image_size(surface, size)
    figure = new_figure((width / 100, height / 100), dpi=100)
    ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    plot_contours(ax, surface, mark_minima=False, mark_critical=False)  # the page marks them
    (x0, x1), (y0, y1) = surface.domain
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="auto")
    ax.set_axis_off()
    rgb = rgb_part(figure_rgba(figure))
    if rgb.shape[:2] != (height, width):
        raise RuntimeError(f"background of {surface.name} is {rgb.shape[:2]}, "
                           f"expected {(height, width)}")  # fmt: skip
    image = Image.fromarray(rgb).quantize(colors=colours, method=Image.Quantize.MEDIANCUT,
                                          dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _point(p: Point) -> dict[str, Any]:
    return {"x": p.x, "y": p.y, "value": p.value, "kind": p.kind}


def surface_entry(surface: Surface, size: int = IMAGE_SIZE) -> dict[str, Any]:
    """One surface as JSON: what the explorer draws and how its image maps to data."""
    (x0, x1), (y0, y1) = surface.domain
    width, height = image_size(surface, size)
    return {
        "name": surface.name,
        "title": surface.title,
        "latex": surface.latex,
        "description": surface.description,
        "box": [[x0, x1], [y0, y1]],
        "start": list(surface.start),
        "f_min": surface.f_min,
        "minima": [_point(p) for p in surface.minima],
        "critical": [_point(p) for p in surface.critical],
        "steps": learning_rates.step_budget(surface),
        # pixel (0, 0) is the top-left corner (x0, y1); (width, height) is (x1, y0)
        "image": {"file": f"{surface.name}.png", "width": width, "height": height,
                  "extent": [x0, x1, y0, y1]},
    }


def _json_value(value: object) -> object:
    """A hyperparameter as JSON: pairs become lists, numbers, names and flags stay, and an
    infinite number (Prodigy's ``growth_rate``; JSON has none) is the string ``"Infinity"``
    or ``"-Infinity"``, as JavaScript's ``Number()`` reads it."""
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def optimizer_entry(name: str) -> dict[str, Any]:
    """One optimizer as JSON: title, description, defaults (see :func:`_json_value`) and
    book colour."""
    from atlas.viz.style import optimizer_color

    cls = optimizers.registry.get(name)
    defaults = optimizers.get(name).hyperparameters()
    return {
        "name": name,
        "title": cls.title,
        "description": cls.description,
        "color": optimizer_color(name),
        "defaults": {key: _json_value(value) for key, value in defaults.items()},
    }


def rate_entry(choice: LearningRateChoice) -> dict[str, Any]:
    """One pair's protocol choice as JSON: ``lr`` (the chosen grid rate), ``fallback``
    (every grid rate leaves the plot, so the chosen run does too), and that run's
    ``steps_to_target``, ``final_gap`` and ``left_at`` (None: never; a gap that is not
    finite is None)."""
    outcome = choice.outcome
    gap = outcome.final_gap if math.isfinite(outcome.final_gap) else None
    return {"lr": choice.lr, "fallback": choice.fallback,
            "steps_to_target": outcome.steps_to_target, "final_gap": gap,
            "left_at": outcome.left_at}


def rates(choices: Iterable[LearningRateChoice]) -> dict[str, dict[str, dict[str, Any]]]:
    """The protocol's ``choices`` as ``{surface: {optimizer: rate_entry(choice)}}``.

    ``atlas render`` hands in every surface's sweeps (the artifacts
    ``learning_rates/<surface>`` that the races read too, see
    :mod:`atlas.catalog.explorer`), so the explorer starts where the races ran.
    """
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for choice in choices:
        table.setdefault(choice.surface, {})[choice.optimizer] = rate_entry(choice)
    return table


def data(choices: Iterable[LearningRateChoice], size: int = IMAGE_SIZE) -> dict[str, Any]:
    """Everything of ``data.json`` (see the module docstring), with the protocol's ``choices``
    for every (surface, optimizer) pair."""
    return {
        "version": VERSION,
        "protocol": learning_rates.PROTOCOL,
        "surfaces": [surface_entry(surfaces.get(name), size) for name in surfaces.names()],
        "optimizers": [optimizer_entry(name) for name in optimizers.names()],
        "rates": rates(choices),
    }


def build(out: str | Path, choices: Iterable[LearningRateChoice], size: int = IMAGE_SIZE,
          colours: int = IMAGE_COLOURS) -> list[Path]:  # fmt: skip
    """Write ``data.json`` and every surface's background into the directory ``out``.

    Returns the paths written (see :func:`files`); each file is written atomically.
    """
    from atlas.viz.style import style

    out = Path(out)
    text = json.dumps(data(choices, size), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
    written = [write_atomic(out / DATA_FILE, (text + "\n").encode("utf-8"))]
    with style(), np.errstate(all="ignore"):
        for name in surfaces.names():
            png = background_png(surfaces.get(name), size, colours)
            written.append(write_atomic(out / f"{name}.png", png))
    return written
