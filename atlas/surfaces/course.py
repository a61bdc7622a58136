"""The four surfaces of the course notes, with their start points and cameras."""

from __future__ import annotations

import numpy as np

from atlas.surfaces import elementary
from atlas.surfaces.base import PI, Array, Point, declare


def _sinc_prime(x: Array) -> Array:
    r"""d/dx sinc x = (cos(πx) - sinc x) / x, by its Taylor series where x is small.

    Near 0 the quotient cancels catastrophically, so for |x| < 1e-2 we use
    :math:`-\pi^2 x/3 + \pi^4 x^3/30 - \pi^6 x^5/840` (next term < 1e-13 relative).
    The input of the quotient is guarded too, so no division by zero ever happens.
    Where no x is small (almost always), the quotient alone is computed, the same numbers
    with a third of the operations (a sweep's few points pay per operation, not per point).
    """
    small = np.abs(x) < 1e-2
    if not small.any():
        return (elementary.cos(PI * x) - elementary.sinc(x)) / x
    safe = np.where(small, 1.0, x)
    taylor = x * (-(PI**2) / 3 + x**2 * (PI**4 / 30 - x**2 * PI**6 / 840))
    quotient = (elementary.cos(PI * safe) - elementary.sinc(safe)) / safe
    return np.where(small, taylor, quotient)


def _tanh_sq_prime(x: Array) -> Array:
    """d/dx tanh² x = 2 tanh x (1 - tanh² x), written with the saved output t = tanh x."""
    t = elementary.tanh(x)
    return 2 * t * (1 - t * t)


# --- The four surfaces of the course notes --------------------------------------------------

declare(
    name="saddle", title="Saddle", latex=r"f(x, y) = y^2 - x^2",
    description="Saddle point at the origin, unbounded below: a start on the ridge stalls there",
    f=lambda x, y: y**2 - x**2, grad=lambda x, y: (-2 * x, 2 * y),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(1e-4, 4.0),
    critical=(Point(0.0, 0.0, 0.0, "saddle point"),), view=(35.0, -60.0),
    delta=20.0,
    target_note="escape: f <= 16 - 20 = -4 needs |x| >= 2, a fifth of the plot past the saddle",
)
declare(
    name="tanh_squared", title="Tanh bowl", latex=r"f(x, y) = \tanh^2 x + \tanh^2 y",
    description="Bowl with flat plateaus: far from the minimum the gradient vanishes",
    f=lambda x, y: elementary.tanh(x) ** 2 + elementary.tanh(y) ** 2,
    grad=lambda x, y: (_tanh_sq_prime(x), _tanh_sq_prime(y)),
    domain=((-3.0, 3.0), (-3.0, 3.0)), start=(-1.0, 2.0),
    minima=(Point(0.0, 0.0, 0.0),), view=(75.0, -60.0),
)
_SINC_MIN, _SINC_SADDLE = 2.1097249596211487, 1.6068218490344142  # roots of sinc'(t) = t/5
declare(
    name="sinc_well", title="Sinc well",
    latex=r"f(x, y) = -(\operatorname{sinc} x + \operatorname{sinc} y) + \frac{x^2 + y^2}{10},"
    r"\quad \operatorname{sinc} t = \frac{\sin \pi t}{\pi t}",
    description="Rippled well: a ring of local minima and saddles around the global minimum",
    f=lambda x, y: -(elementary.sinc(x) + elementary.sinc(y)) + (x**2 + y**2) / 10,
    grad=lambda x, y: (-_sinc_prime(x) + x / 5, -_sinc_prime(y) + y / 5),
    domain=((-5.0, 5.0), (-5.0, 5.0)), start=(-3.0, 4.0),
    minima=(Point(0.0, 0.0, -2.0),),
    critical=tuple(
        Point(s * a, s * b, value, kind)
        for r, value, kind in ((_SINC_MIN, -0.6058912876334215, "local minimum"),
                               (_SINC_SADDLE, -0.554764073444632, "saddle point"))
        for a, b in ((r, 0.0), (0.0, r)) for s in (1.0, -1.0)
    ),
    view=(55.0, -60.0),
)
declare(
    name="narrow_valley", title="Narrow valley",
    latex=r"f(x, y) = \frac{x^2 + y^2}{8} + \tanh^2(10 x)",
    description="Gentle bowl cut by a steep narrow trench along x = 0: plain GD zig-zags",
    f=lambda x, y: (x**2 + y**2) / 8 + elementary.tanh(10 * x) ** 2,
    grad=lambda x, y: (x / 4 + 10 * _tanh_sq_prime(10 * x), y / 4),
    domain=((-3.0, 3.0), (-3.0, 3.0)), start=(-2.0, 2.0),
    minima=(Point(0.0, 0.0, 0.0),), view=(45.0, -87.0),
    tau=1e-3,
    target_note="flat trench floor: f - f* <= 1e-2 stretches over 4.7 % of the plot",
)

