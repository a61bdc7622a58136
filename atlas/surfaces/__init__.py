r"""Test surfaces: two-variable functions on which optimizers race.

Each surface is declared once, with everything the rest of the atlas needs:
its formula :math:`f(x, y)` in LaTeX, the function and its analytic gradient
(vectorised numpy), a plotting domain, a start point for races, every global
minimum, notable critical points and a 3D camera. The course surfaces come
first, then the classic benchmarks of "Test functions for optimization".

Minima known only numerically were refined once with Newton's method in
40-digit arithmetic; the tests check gradient ~ 0, the stated value and that
no point of a dense grid beats it.
"""

# Registration order is reading order: the course's surfaces first, then the classics.
from atlas.surfaces import course  # noqa: F401  # isort: skip
from atlas.surfaces import classics  # noqa: F401  # isort: skip
from atlas.surfaces.base import KINDS, TAU, Point, Surface, get, names, registry

__all__ = ["KINDS", "TAU", "Point", "Surface", "get", "names", "registry"]
