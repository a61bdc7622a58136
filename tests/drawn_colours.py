"""The categorical colours a drawn figure shows (a helper of the tests): greys and black
are context (contours, grids, the minimum's star), not categories a reader tells apart."""

from __future__ import annotations

import matplotlib.colors as mcolors


def chromatic(colour) -> bool:
    """Whether ``colour`` has a hue (its RGB channels differ by more than 2 %)."""
    rgb = mcolors.to_rgb(colour)
    return max(rgb) - min(rgb) > 0.02


def categorical_colours(ax) -> list[str]:
    """The distinct chromatic line colours of ``ax``, as hex, in drawing order."""
    found: list[str] = []
    for line in ax.get_lines():
        if chromatic(line.get_color()) and mcolors.to_hex(line.get_color()) not in found:
            found.append(mcolors.to_hex(line.get_color()))
    return found
