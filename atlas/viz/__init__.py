"""Drawing: the one style, the blitting animation writer, and the figures.

* :mod:`atlas.viz.style` — palette (a fixed colour per optimizer), fonts, ``style()``.
* :mod:`atlas.viz.animation` — blitted frames straight into MP4 / PNG / GIF, atomically.
* :mod:`atlas.viz.surface_plots` — a surface in 3D and as contours.
* :mod:`atlas.viz.race` — optimizer races on a surface (3D, contours, f - f* per step).
* :mod:`atlas.viz.optimizer_plots` — one optimizer's paths and its internal state.

Nothing here uses pyplot: figures are :class:`matplotlib.figure.Figure`
objects on an Agg canvas, and plot functions take an ``ax`` and return the
artists they drew. (The ``style()`` context manager lives in
:mod:`atlas.viz.style`; it is not re-exported here, so that ``atlas.viz.style``
stays the module.)
"""

from atlas.viz.animation import render_animation
from atlas.viz.png import save_figure, write_png
from atlas.viz.style import OPTIMIZER_COLORS, new_figure, optimizer_color

__all__ = [
    "OPTIMIZER_COLORS",
    "new_figure",
    "optimizer_color",
    "render_animation",
    "save_figure",
    "write_png",
]
