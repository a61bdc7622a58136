"""The one look of every atlas figure: palette, fonts, sizes.

Every plot function draws inside :func:`style`, so all figures share one set
of matplotlib ``rcParams``: an opaque white background (readable when the book
is shown in dark mode), fonts large enough to read at 100 % on a laptop
screen, and a colour-blind-safe palette.

Each optimizer has a FIXED colour, the same in every figure
(:data:`OPTIMIZER_COLORS`, keyed by registry name): the Okabe–Ito palette
for the optimizers a course meets first, then Paul Tol's *muted* scheme. A
name that is not in the table (a newly registered optimizer) gets a colour
from :data:`FALLBACK_COLORS` chosen by a hash of its name, so it too is the
same in every figure and on every machine.

Figures are built without pyplot (:func:`new_figure` makes a
:class:`matplotlib.figure.Figure` on an Agg canvas), so the library keeps no
global figure state and never opens a window.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

#: Background of every figure; opaque, so a dark-mode page never shows through.
BACKGROUND = "#ffffff"
#: Text, axes and tick colour (a soft black).
FOREGROUND = "#222222"
#: Colour of contour lines and of the marked minima.
CONTOUR_COLOR = "#5a6470"
MINIMUM_COLOR = "#111111"

#: Fixed colour of each registered optimizer. Okabe & Ito (2008) for the
#: first eight, Paul Tol's muted scheme for the rest; all colour-blind safe.
OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#D55E00",  # vermillion
    "momentum": "#E69F00",  # orange
    "nesterov": "#56B4E9",  # sky blue
    "adagrad": "#009E73",  # bluish green
    "rmsprop": "#CC79A7",  # reddish purple
    "adadelta": "#000000",  # black
    "adam": "#0072B2",  # blue
    "amsgrad": "#332288",  # indigo (Tol)
    "adamw": "#44AA99",  # teal (Tol)
    "adamax": "#882255",  # wine (Tol)
    "nadam": "#999933",  # olive (Tol)
    "radam": "#CC6677",  # rose (Tol)
    "rprop": "#AA4499",  # purple (Tol)
}

#: Colours for optimizers missing from :data:`OPTIMIZER_COLORS` (Tol muted
#: and bright remainders), picked by a stable hash of the name.
FALLBACK_COLORS: tuple[str, ...] = (
    "#117733",  # green
    "#88CCEE",  # cyan
    "#DDCC77",  # sand
    "#4477AA",  # Tol bright blue
    "#EE6677",  # Tol bright red
    "#228833",  # Tol bright green
    "#BBBBBB",  # grey
)

#: Colour map of surfaces and filled contours: pale blue-grey to pale sand,
#: so the coloured optimizer paths stay the most saturated thing in a figure.
SURFACE_CMAP = LinearSegmentedColormap.from_list(
    "atlas_surface", ["#2c4a6b", "#6f93b5", "#c9d8e4", "#efe6d0", "#d9b77e"]
)

#: Default figure sizes (inches) and resolution; 6 x 4.5 in at 100 dpi gives a
#: 600 x 450 frame, even in both dimensions as yuv420p video requires.
FIGSIZE_3D = (6.0, 4.5)
FIGSIZE_2D = (6.0, 4.5)
DPI = 100

RC_PARAMS: dict[str, Any] = {
    "figure.facecolor": BACKGROUND,
    "figure.edgecolor": BACKGROUND,
    "axes.facecolor": BACKGROUND,
    "savefig.facecolor": BACKGROUND,
    "savefig.transparent": False,
    "text.color": FOREGROUND,
    "axes.labelcolor": FOREGROUND,
    "axes.edgecolor": "#666666",
    "xtick.color": FOREGROUND,
    "ytick.color": FOREGROUND,
    "font.size": 10.0,
    "axes.titlesize": 11.0,
    "axes.labelsize": 10.0,
    "xtick.labelsize": 9.0,
    "ytick.labelsize": 9.0,
    "legend.fontsize": 8.5,
    "legend.framealpha": 0.92,
    "legend.facecolor": BACKGROUND,
    "legend.edgecolor": "#cccccc",
    "lines.linewidth": 1.8,
    "lines.solid_capstyle": "round",
    "axes.grid": False,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "mathtext.fontset": "dejavusans",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
    "path.simplify": False,  # draw every recorded step
}


def optimizer_color(name: str) -> str:
    """The fixed colour of optimizer ``name``; a stable hashed fallback for new names."""
    if name in OPTIMIZER_COLORS:
        return OPTIMIZER_COLORS[name]
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return FALLBACK_COLORS[int.from_bytes(digest[:4], "big") % len(FALLBACK_COLORS)]


@contextmanager
def style() -> Iterator[None]:
    """Apply the atlas ``rcParams`` inside a ``with`` block (and restore them after)."""
    with mpl.rc_context(RC_PARAMS):
        yield


def new_figure(figsize: tuple[float, float] = FIGSIZE_2D, dpi: float = DPI) -> Figure:
    """A pyplot-free figure on an Agg canvas, styled; its pixel size is even.

    The size is rounded so that ``figsize * dpi`` is an even number of pixels
    in both directions (yuv420p video needs that).
    """
    width_px = 2 * max(1, round(figsize[0] * dpi / 2))
    height_px = 2 * max(1, round(figsize[1] * dpi / 2))
    with style():
        figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor(BACKGROUND)
    figure.patch.set_alpha(1.0)
    return figure


def latex_title(title: str, latex: str) -> str:
    """``"Title:  $formula$"``, the formula as matplotlib mathtext."""
    return f"{title}:  ${latex}$" if latex else title
