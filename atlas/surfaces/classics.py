"""Classic optimizer benchmarks ("Test functions for optimization"), simple to complex."""

from __future__ import annotations

import numpy as np

from atlas.surfaces import elementary
from atlas.surfaces.base import PI, Array, Point, declare

# --- Classic benchmarks, from simple to complex ----------------------------------------------

declare(
    name="sphere", title="Sphere", latex=r"f(x, y) = x^2 + y^2",
    description="Perfectly round bowl: every method should go straight to the minimum",
    f=lambda x, y: x**2 + y**2, grad=lambda x, y: (2 * x, 2 * y),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(-4.0, 3.0),
    minima=(Point(0.0, 0.0, 0.0),), view=(35.0, -60.0),
)
declare(
    name="ellipse", title="Elongated bowl", latex=r"f(x, y) = 0.1 x^2 + 2 y^2",
    description="Ill-conditioned bowl (curvatures 0.2 and 4): GD zig-zags, momentum helps",
    f=lambda x, y: 0.1 * x**2 + 2 * y**2, grad=lambda x, y: (0.2 * x, 4 * y),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(-4.5, 2.5),
    minima=(Point(0.0, 0.0, 0.0),), view=(40.0, -70.0),
    tau=1e-3,
    target_note="flat along x: f - f* <= 1e-2 stretches over 3.1 % of the plot",
)
declare(
    name="monkey_saddle", title="Monkey saddle", latex=r"f(x, y) = x^3 - 3 x y^2",
    description="Degenerate saddle with three valleys (zero Hessian): gradients vanish near it",
    f=lambda x, y: x**3 - 3 * x * y**2, grad=lambda x, y: (3 * x**2 - 3 * y**2, -6 * x * y),
    domain=((-2.0, 2.0), (-2.0, 2.0)), start=(1.5, 0.2),
    critical=(Point(0.0, 0.0, 0.0, "saddle point"),), view=(30.0, -50.0),
    delta=4.0,
    target_note="escape: f <= 3.2 - 4 = -0.8 needs 0.93 down a valley, a quarter of the plot",
)
declare(
    name="booth", title="Booth", latex=r"f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
    description="Tilted quadratic bowl (condition number 9) with its minimum at (1, 3)",
    f=lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    grad=lambda x, y: (2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5),
                       4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)),
    domain=((-10.0, 10.0), (-10.0, 10.0)), start=(-8.0, 7.0),
    minima=(Point(1.0, 3.0, 0.0),), view=(30.0, -120.0),
    tau=1e-1,
    target_note="steep bowl: f - f* <= 0.1 is already within 1.6 % of the plot",
)
declare(
    name="matyas", title="Matyas", latex=r"f(x, y) = 0.26 (x^2 + y^2) - 0.48 x y",
    description="Flat diagonal trough (curvatures 0.04 and 1): slow progress along y = x",
    f=lambda x, y: 0.26 * (x**2 + y**2) - 0.48 * x * y,
    grad=lambda x, y: (0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x),
    domain=((-10.0, 10.0), (-10.0, 10.0)), start=(-8.0, -5.0),
    minima=(Point(0.0, 0.0, 0.0),), view=(35.0, -45.0),
    tau=1e-3,
    target_note="flat trough: f - f* <= 1e-2 stretches over 3.5 % of the plot",
)
declare(
    name="rosenbrock", title="Rosenbrock", latex=r"f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
    description="Curved banana valley: easy to reach, slow to follow to the minimum at (1, 1)",
    f=lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    grad=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
    domain=((-2.0, 2.0), (-1.0, 3.0)), start=(-1.2, 1.0),
    minima=(Point(1.0, 1.0, 0.0),), view=(50.0, -130.0),
    tau=1e-3,
    target_note="flat banana floor: f - f* <= 1e-2 stretches over 5.7 % of the plot",
)


def _cube(t: Array) -> Array:
    """t³ as (t t) t: two products, ten times faster than numpy's power (the basin maps'
    gradients on 40,000 starts), and the same bits in the explorer's JavaScript."""
    return t * t * t


def _beale_grad(x: Array, y: Array) -> tuple[Array, Array]:
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
    return (2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1),
            2 * a * x + 4 * b * x * y + 6 * c * x * y**2)


declare(
    name="beale", title="Beale",
    latex=r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
    description="Flat plateau with steep walls at the corners: gradients span many scales",
    f=lambda x, y: ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
                    + (2.625 - x + x * y**3) ** 2),
    grad=_beale_grad,
    domain=((-4.5, 4.5), (-4.5, 4.5)), start=(1.0, 1.5),
    minima=(Point(3.0, 0.5, 0.0),), view=(50.0, -50.0),
    tau=1e-3,
    target_note="flat plateau: f - f* <= 1e-2 stretches over 3.2 % of the plot",
)
declare(
    name="himmelblau", title="Himmelblau", latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    description="Four equal global minima: which one is reached depends on the optimizer",
    f=lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
    grad=lambda x, y: (4 * x * (x**2 + y - 11) + 2 * (x + y**2 - 7),
                       2 * (x**2 + y - 11) + 4 * y * (x + y**2 - 7)),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(-0.5, -1.5),
    minima=(Point(3.0, 2.0, 0.0), Point(-2.805118086952745, 3.131312518250573, 0.0),
            Point(-3.779310253377747, -3.283185991286169, 0.0),
            Point(3.584428340330492, -1.848126526964404, 0.0)),
    critical=(Point(-0.2708445906673476, -0.9230385564799815, 181.6165215225827, "local maximum"),
              Point(0.08667750455539635, 2.884254701174776, 67.71915008752614, "saddle point"),
              Point(-3.073025750764390, -0.08135304428796751, 104.0151629175581, "saddle point"),
              Point(3.385154183607021, 0.07385187983774929, 13.31192627040559, "saddle point"),
              Point(-0.1279613467306801, -1.953714980244576, 178.3372392019275, "saddle point")),
    view=(50.0, -60.0),
    tau=1e-1,
    target_note="steep walls: f - f* <= 0.1 is already within 0.9 % of the plot",
)
declare(
    name="three_hump_camel", title="Three-hump camel",
    latex=r"f(x, y) = 2x^2 - 1.05 x^4 + \frac{x^6}{6} + xy + y^2",
    description="Global minimum between two shallower local minima that trap plain descent",
    f=lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    grad=lambda x, y: (4 * x - 4.2 * _cube(x) + _cube(x) * (x * x) + y, x + 2 * y),
    domain=((-2.0, 2.0), (-2.0, 2.0)), start=(-1.9, 1.9),
    minima=(Point(0.0, 0.0, 0.0),),
    critical=tuple(Point(s * a, -s * a / 2, value, kind) for s in (1.0, -1.0)
                   for a, value, kind in ((1.747552345830289, 0.2986384422368598, "local minimum"),
                                          (1.070542291823660, 0.8773615577631402, "saddle point"))),
    view=(40.0, -50.0),
    tau=1e-3,
    target_note="flat centre: f - f* <= 1e-2 stretches over 2.8 % of the plot",
)
declare(
    name="six_hump_camel", title="Six-hump camel",
    latex=r"f(x, y) = \left(4 - 2.1 x^2 + \frac{x^4}{3}\right) x^2 + xy + (4y^2 - 4) y^2",
    description="Two symmetric global minima among four local ones: a test of basin choice",
    f=lambda x, y: (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (4 * y**2 - 4) * y**2,
    grad=lambda x, y: (8 * x - 8.4 * _cube(x) + 2 * (_cube(x) * (x * x)) + y,
                       x - 8 * y + 16 * _cube(y)),
    domain=((-2.0, 2.0), (-1.0, 1.0)), start=(-1.5, 0.75),
    minima=(Point(0.08984201310031806, -0.7126564030207396, -1.031628453489877),
            Point(-0.08984201310031806, 0.7126564030207396, -1.031628453489877)),
    critical=tuple(
        Point(s * x, s * y, value, "local minimum") for s in (1.0, -1.0)
        for x, y, value in ((1.703606714969981, -0.7960835686726251, -0.2154638243837176),
                            (-1.607104752920197, -0.5686514548841314, 2.104250310311258))
    ),
    view=(40.0, -55.0),
)
_ST_GLOBAL, _ST_LOCAL = -2.903534027771177, 2.746802770990837  # roots of 2t^3 - 16t + 2.5
declare(
    name="styblinski_tang", title="Styblinski-Tang",
    latex=r"f(x, y) = \frac{1}{2} \sum_{t \in \{x, y\}} \left(t^4 - 16 t^2 + 5 t\right)",
    description="Four basins of different depths: the deepest is not the nearest from the start",
    f=lambda x, y: (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y) / 2,
    grad=lambda x, y: (2 * _cube(x) - 16 * x + 2.5, 2 * _cube(y) - 16 * y + 2.5),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(0.5, 4.5),
    minima=(Point(_ST_GLOBAL, _ST_GLOBAL, -78.33233140754283),),
    critical=(Point(_ST_LOCAL, _ST_LOCAL, -50.05889331056789, "local minimum"),
              Point(_ST_GLOBAL, _ST_LOCAL, -64.19561235905536, "local minimum"),
              Point(_ST_LOCAL, _ST_GLOBAL, -64.19561235905536, "local minimum")),
    view=(35.0, -125.0),
    tau=1e-1,
    target_note="steep walls: f - f* <= 0.1 is already within 0.8 % of the plot",
)


def _goldstein_price(x: Array, y: Array) -> Array:
    a, p = x + y + 1, 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    b, q = 2 * x - 3 * y, 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    return (1 + a**2 * p) * (30 + b**2 * q)


def _goldstein_price_grad(x: Array, y: Array) -> tuple[Array, Array]:
    """Product rule on A B, with A = 1 + a² p and B = 30 + b² q (dp/dx = dp/dy)."""
    a, p = x + y + 1, 19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2
    b, q = 2 * x - 3 * y, 18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    A, B = 1 + a**2 * p, 30 + b**2 * q
    dA = 2 * a * p + a**2 * (-14 + 6 * x + 6 * y)  # the same for x and y
    dB_dx = 4 * b * q + b**2 * (-32 + 24 * x - 36 * y)
    dB_dy = -6 * b * q + b**2 * (48 - 36 * x + 54 * y)
    return dA * B + A * dB_dx, dA * B + A * dB_dy


declare(
    name="goldstein_price", title="Goldstein-Price",
    latex=r"f(x, y) = \left[1 + (x + y + 1)^2 P\right] \left[30 + (2x - 3y)^2 Q\right],"
    r"\quad P = 19 - 14x + 3x^2 - 14y + 6xy + 3y^2,\quad Q = 18 - 32x + 12x^2 + 48y - 36xy + 27y^2",
    description="Values spanning six orders of magnitude with local minima at 30, 84 and 840",
    f=_goldstein_price, grad=_goldstein_price_grad,
    domain=((-2.0, 2.0), (-2.0, 2.0)), start=(1.0, 1.0),
    minima=(Point(0.0, -1.0, 3.0),),
    critical=(Point(-0.6, -0.4, 30.0, "local minimum"), Point(1.8, 0.2, 84.0, "local minimum"),
              Point(1.2, 0.8, 840.0, "local minimum")),
    view=(40.0, -50.0),
    tau=1.0,
    target_note="six decades of values: f - f* <= 1 is within 1.8 % of the plot",
)


def _rastrigin(x: Array, y: Array) -> Array:
    """The cosines by ``sin_cos``: on a few points (a sweep, a race) the sines are then
    remembered, and the gradient that a trajectory asks for next at the same points finds
    them (on many points, the sines cost little more: both kernels run anyway)."""
    return 20 + x**2 + y**2 - 10 * (elementary.sin_cos(2 * PI * x)[1]
                                    + elementary.sin_cos(2 * PI * y)[1])


declare(
    name="rastrigin", title="Rastrigin",
    latex=r"f(x, y) = 20 + x^2 + y^2 - 10 (\cos 2\pi x + \cos 2\pi y)",
    description="Bowl covered in a regular grid of local minima that trap gradient methods",
    f=_rastrigin,
    grad=lambda x, y: (2 * x + 20 * PI * elementary.sin(2 * PI * x),
                       2 * y + 20 * PI * elementary.sin(2 * PI * y)),
    domain=((-5.12, 5.12), (-5.12, 5.12)), start=(-3.3, 4.1),
    minima=(Point(0.0, 0.0, 0.0),), view=(55.0, -60.0),
    tau=1e-1,
    target_note="f - f* <= 1 would count the four nearest local minima (f = 0.99)",
)


def _ackley(x: Array, y: Array) -> Array:
    r = np.sqrt(0.5) * elementary.hypot(x, y)  # hypot: no underflow of x² + y²
    return (-20 * elementary.exp(-0.2 * r)
            - elementary.exp(0.5 * (elementary.cos(2 * PI * x) + elementary.cos(2 * PI * y)))
            + np.e + 20)


def _ackley_grad(x: Array, y: Array) -> tuple[Array, Array]:
    """The cone -20 exp(-0.2 r) has gradient 2 exp(-0.2 r) (x, y) / r.

    At the origin (its tip) the gradient does not exist; we return 0, a
    subgradient. The unit vector (x, y)/r is formed first so tiny r cannot overflow.
    The sine and cosine of each 2π coordinate come from one reduction (``sin_cos``).
    """
    r = np.sqrt(0.5) * elementary.hypot(x, y)
    safe_r = np.where(r > 0, r, 1.0)
    cone = 2 * elementary.exp(-0.2 * r)
    (sin_x, cos_x), (sin_y, cos_y) = elementary.sin_cos(2 * PI * x), elementary.sin_cos(2 * PI * y)
    ripples = PI * elementary.exp(0.5 * (cos_x + cos_y))
    return cone * (x / safe_r) + ripples * sin_x, cone * (y / safe_r) + ripples * sin_y


declare(
    name="ackley", title="Ackley",
    latex=r"f(x, y) = -20 e^{-0.2 \sqrt{(x^2 + y^2)/2}}"
    r" - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20",
    description="Nearly flat egg-crate with a sharp funnel at the origin (gradient 0 at the tip)",
    f=_ackley, grad=_ackley_grad,
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(-3.2, 2.7),
    minima=(Point(0.0, 0.0, 0.0),), view=(35.0, -45.0),
    tau=1.0,
    target_note="sharp funnel: f - f* <= 1 is within 1.6 % of the plot",
)


def _levi_grad(x: Array, y: Array) -> tuple[Array, Array]:
    wx, wy = 1 + elementary.sin(3 * PI * y) ** 2, 1 + elementary.sin(2 * PI * y) ** 2
    return (3 * PI * elementary.sin(6 * PI * x) + 2 * (x - 1) * wx,
            3 * PI * (x - 1) ** 2 * elementary.sin(6 * PI * y) + 2 * (y - 1) * wy
            + 2 * PI * (y - 1) ** 2 * elementary.sin(4 * PI * y))


declare(
    name="levi", title="Lévi N.13",
    latex=r"f(x, y) = \sin^2 3\pi x + (x - 1)^2 (1 + \sin^2 3\pi y)"
    r" + (y - 1)^2 (1 + \sin^2 2\pi y)",
    description="Quadratic bowl with dense ripples of different frequencies along x and y",
    f=lambda x, y: (elementary.sin(3 * PI * x) ** 2
                    + (x - 1) ** 2 * (1 + elementary.sin(3 * PI * y) ** 2)
                    + (y - 1) ** 2 * (1 + elementary.sin(2 * PI * y) ** 2)),
    grad=_levi_grad,
    domain=((-10.0, 10.0), (-10.0, 10.0)), start=(-4.0, 6.0),
    minima=(Point(1.0, 1.0, 0.0),), view=(50.0, -60.0),
    tau=1e-1,
    target_note="f - f* <= 1 stretches over 5 % of the plot; 0.1 over 1.1 %",
)
