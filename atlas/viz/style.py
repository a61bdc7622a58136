"""The one look of every atlas figure: palette, fonts, sizes.

Every plot function draws inside :func:`style`, so all figures share one set
of matplotlib ``rcParams``: an opaque white background (readable when the book
is shown in dark mode), fonts large enough to read at 100 % on a laptop
screen, and a colour-blind-safe palette.

Each optimizer has a FIXED colour and marker, the same in every figure
(:data:`OPTIMIZER_COLORS`, :data:`OPTIMIZER_MARKERS`, keyed by registry name),
chosen for distinguishability by ``tools/palette.py``: the colours shown
together in one axes (a group of :mod:`atlas.races.groups`, the opening four,
a basin map's classes, the plain colour cycle) differ clearly in normal vision
and under simulated colour blindness, and stand out on white. A name that is
not in the table (a newly registered optimizer) gets a colour from
:data:`FALLBACK_COLORS` chosen by a hash of its name, so it too is the same in
every figure and on every machine, until the palette is chosen again.

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
from cycler import cycler
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from atlas.viz.canvas import Canvas

#: Background of every figure; opaque, so a dark-mode page never shows through.
BACKGROUND = "#ffffff"
#: Text, axes and tick colour (a soft black).
FOREGROUND = "#222222"
#: Colour of contour lines and of the marked minima.
CONTOUR_COLOR = "#5a6470"
MINIMUM_COLOR = "#111111"

#: Fixed colour of each registered optimizer, the same in every figure of the book.
#: Chosen by ``tools/palette.py`` (a seeded search over the sRGB cube): inside each
#: group of :mod:`atlas.races.groups` and inside the opening four, every pair differs
#: by at least 12 CIEDE2000 in normal vision and in simulated deuteranopia, protanopia
#: and tritanopia (22 in normal vision), any two optimizers by at least 8, and each
#: colour by at least 30 from the white background (``tests/test_palette.py``).
OPTIMIZER_COLORS: dict[str, str] = {
    "sgd": "#0033FF",
    "momentum": "#AA5555",
    "nesterov": "#778800",
    "asgd": "#118888",
    "schedule_free_sgd": "#EE55EE",
    "adagrad": "#BB77DD",
    "rmsprop": "#007711",
    "adadelta": "#3355BB",
    "adam": "#BB9900",
    "amsgrad": "#773322",
    "adamw": "#448866",
    "adamax": "#3399DD",
    "nadam": "#EE2255",
    "radam": "#774477",
    "adabelief": "#AA7799",
    "yogi": "#CC6622",
    "adan": "#AA33EE",
    "ademamix": "#AA0011",
    "schedule_free_adamw": "#115544",
    "rprop": "#6622AA",
    "lion": "#CC3377",
    "lamb": "#774411",
    "adafactor": "#EE8855",
    "prodigy": "#554477",
    "muon": "#11BB00",
    "lbfgs": "#9977EE",
}

#: The second channel: each optimizer's marker, different inside its group and among
#: the opening race's four (SGD, Adagrad, RMSprop, Adam), the figures that show
#: optimizers together (``tests/test_figure_colours.py``).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")
OPTIMIZER_MARKERS: dict[str, str] = {
    "sgd": "o", "momentum": "s", "nesterov": "^", "asgd": "D", "schedule_free_sgd": "v",
    "adagrad": "^", "rmsprop": "s", "adadelta": "o", "adafactor": "D",
    "adam": "D", "amsgrad": "s", "adamw": "^", "adamax": "o", "nadam": "v", "radam": "P",
    "adabelief": "o", "yogi": "s", "adan": "^", "ademamix": "D", "schedule_free_adamw": "v",
    "prodigy": "P",
    "rprop": "o", "lion": "s", "lamb": "^", "muon": "D", "lbfgs": "v",
}  # fmt: skip

#: Colours for optimizers missing from :data:`OPTIMIZER_COLORS` (one registered
#: since ``tools/palette.py`` last ran; the palette test fails until it is added),
#: picked by a stable hash of the name.
FALLBACK_COLORS: tuple[str, ...] = ("#117733", "#4477AA", "#EE6677", "#228833", "#777777")

#: Basin maps (:mod:`atlas.viz.basin_plot`): one colour per class of minimum, then
#: the starts that reached no minimum and those that failed (left the plot). Every
#: pair differs by at least 15 CIEDE2000 in all four visions (``tools/palette.py``).
BASIN_COLORS: tuple[str, ...] = (
    "#336611", "#BB1166", "#6655BB", "#889900", "#5599EE", "#EE7788", "#11DDFF", "#FFDD55",
)
NO_MINIMUM_COLOR = "#CCCCCC"
FAILURE_COLOR = "#000000"

#: The colour cycle of plain plots: a function and its derivative (Okabe & Ito's blue
#: and vermillion) first; every pair at least 14 CIEDE2000 apart in all four visions.
CYCLE: tuple[str, ...] = ("#0077BB", "#DD6600", "#4400DD", "#990000", "#AA4477", "#006644")
FUNCTION_COLOR, DERIVATIVE_COLOR = CYCLE[0], CYCLE[1]

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
    # A fixed title height: where matplotlib's automatic one puts it when no axes has tick
    # labels on top, which the automatic one finds out by measuring every tick label of
    # the axes again at each draw (a tenth of the drawing time of the book's races).
    "axes.titley": 1.0,
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
    "axes.prop_cycle": cycler(color=CYCLE),
    "path.simplify": False,  # draw every recorded step
}


def _hashed(name: str, choices: tuple[str, ...]) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return choices[int.from_bytes(digest[:4], "big") % len(choices)]


def optimizer_color(name: str) -> str:
    """The fixed colour of optimizer ``name``; a stable hashed fallback for new names."""
    return OPTIMIZER_COLORS.get(name) or _hashed(name, FALLBACK_COLORS)


def optimizer_marker(name: str) -> str:
    """The fixed marker of optimizer ``name`` (the second channel after its colour)."""
    return OPTIMIZER_MARKERS.get(name) or _hashed(name, MARKERS)


#: The rcParams of text sizes (see :func:`text_sizes`).
TEXT_KEYS = ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
             "ytick.labelsize", "legend.fontsize", "legend.title_fontsize", "figure.titlesize")
#: Text size (points) of a figure shown in the full column, :data:`atlas.viz.readable.
#: COLUMN_INCHES` wide: every text at least 9 CSS px on a phone, 16 px in the column.
COLUMN_TEXT = 11.5
_text: list[dict[str, float]] = []  # the text sizes of the enclosing style() blocks


def text_sizes(size: float) -> dict[str, float]:
    """rcParams that make every text ``size`` points: labels, ticks, legends; titles +0.5."""
    sizes = dict.fromkeys(TEXT_KEYS, size)
    sizes["axes.titlesize"] = sizes["figure.titlesize"] = size + 0.5
    return sizes


@contextmanager
def style(text: float | None = None) -> Iterator[None]:
    """Apply the atlas ``rcParams`` inside a ``with`` block (and restore them after).

    ``text`` sets every text size (:func:`text_sizes`); without it, a block inside another
    keeps the outer block's sizes, so a helper that draws in ``style()`` (contours, paths)
    keeps the text size its figure chose.
    """
    params = dict(RC_PARAMS)
    if text is not None:
        params.update(text_sizes(text))
    elif _text:
        params.update(_text[-1])
    with mpl.rc_context(params):
        _text.append({key: mpl.rcParams[key] for key in TEXT_KEYS})
        try:
            yield
        finally:
            _text.pop()


def new_figure(figsize: tuple[float, float] = FIGSIZE_2D, dpi: float = DPI) -> Figure:
    """A pyplot-free figure on an Agg canvas, styled; its pixel size is even.

    The size is rounded so that ``figsize * dpi`` is an even number of pixels
    in both directions (yuv420p video needs that).
    """
    width_px = 2 * max(1, round(figsize[0] * dpi / 2))
    height_px = 2 * max(1, round(figsize[1] * dpi / 2))
    with style():
        figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    Canvas(figure)
    figure.patch.set_facecolor(BACKGROUND)
    figure.patch.set_alpha(1.0)
    return figure


def latex_title(title: str, latex: str) -> str:
    """``"Title:  $formula$"``, the formula as matplotlib mathtext."""
    return f"{title}:  ${latex}$" if latex else title


def tick_text(figure: Figure, size: float) -> None:
    """Every axes' tick labels ``size`` points, major and minor, those made later too."""
    for ax in figure.axes:
        ax.tick_params(which="both", labelsize=size)
        if hasattr(ax, "zaxis"):
            ax.tick_params(axis="z", which="both", labelsize=size)
