"""How tall a figure's text is on the reader's screen, and whether it can be read.

A figure drawn :math:`W` inches wide and shown :math:`D` CSS pixels wide scales
every length by :math:`D / (72 W)` CSS px per point, whatever its dpi (the dpi
only sets how sharp the pixels are). A font of :math:`s` points is therefore

.. math:: h = s \\cdot \\frac{D}{72\\,W} \\ \\text{CSS px}

tall on screen. The book asks for at least 11 CSS px where the figure is shown in
the article column, and at least 9 px on a 390 px phone, where it is shown at the
phone's column width (or its own, if that is narrower).

Every figure is drawn at one scale, :data:`PX_PER_INCH` CSS px per inch of figure
(a full-column figure is :data:`COLUMN_INCHES` wide), and rendered at :data:`DPI`,
:data:`PIXEL_DENSITY` device pixels per CSS px: sharp on a high-density screen.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.text import Text

from atlas.column import (  # noqa: F401 - the book's numbers, re-exported with the rule
    COLUMN_INCHES,
    COLUMN_PX,
    DPI,
    PHONE_PX,
    PIXEL_DENSITY,
    PX_PER_INCH,
)

#: The smallest text the book allows, in CSS px, in the column and on the phone.
MIN_COLUMN_PX = 11.0
MIN_PHONE_PX = 9.0


def inches(display_px: float) -> float:
    """The width in inches of a figure shown ``display_px`` CSS px wide, at the book's scale."""
    return display_px / PX_PER_INCH


def css_px(points: float, figure_width_in: float, display_px: float) -> float:
    """The height in CSS px of ``points`` of text in a figure shown ``display_px`` wide."""
    return points * display_px / (72.0 * figure_width_in)


def min_points(figure_width_in: float, display_px: float = COLUMN_PX) -> float:
    """The smallest font size (points) readable in both the column and on a phone."""
    phone_px = min(display_px, PHONE_PX)
    return max(MIN_COLUMN_PX * 72.0 * figure_width_in / display_px,
               MIN_PHONE_PX * 72.0 * figure_width_in / phone_px)


def texts(figure: Figure) -> list[Text]:
    """Every visible, non-empty text artist of ``figure`` (titles, ticks, legends, labels)."""
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def too_small(figure: Figure, display_px: float = COLUMN_PX) -> list[tuple[str, float]]:
    """``(text, CSS px in the column)`` for every text of ``figure`` below the book's minimum."""
    floor = min_points(figure.get_figwidth(), display_px)
    return [(t.get_text(), css_px(t.get_fontsize(), figure.get_figwidth(), display_px))
            for t in texts(figure) if t.get_fontsize() < floor - 1e-9]


def text_points(display_px: float = COLUMN_PX) -> float:
    """The text size (points, to the half point above the floor) of a figure drawn at the
    book's scale (:func:`inches`) and shown ``display_px`` wide: 11.5 pt in the column."""
    return math.ceil(2.0 * min_points(inches(display_px), display_px) + 1e-9) / 2.0
