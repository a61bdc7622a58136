"""The book's article column: how wide a figure is shown, on a laptop and on a phone.

Measured in Chromium on the built site: at a 1280 x 900 window the article's content is
688 CSS px wide and a figure pads its picture by 8 px on each side, so a full-width figure
is shown 672 px wide; on a 390 x 844 phone the content is 358 px and the picture 342 px.
In dark mode the figure's light card pads the picture by another 8 px on each side (656 and
326 px). Catalog figures declare the width they are shown at (:class:`atlas.catalog.Entry`
``width``) and :mod:`atlas.viz.readable` sizes their text for it; this module holds only the
numbers, so the catalog reads them without importing matplotlib.
"""

from __future__ import annotations

#: The width of a full-column figure at a 1280 px window: no figure is shown wider.
COLUMN_PX = 672
#: The width of a full-column figure on a 390 px phone.
PHONE_PX = 342
#: Figures are rendered with this many device pixels per CSS px: sharp text on a
#: high-density screen.
PIXEL_DENSITY = 2
#: A full-column figure's width in inches, and so the scale of every figure: an inch of
#: figure is shown :data:`PX_PER_INCH` CSS px wide and rendered at :data:`DPI`.
COLUMN_INCHES = 6.0
PX_PER_INCH = COLUMN_PX / COLUMN_INCHES
DPI = PIXEL_DENSITY * PX_PER_INCH
