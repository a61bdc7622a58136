"""The element-by-element path of :mod:`atlas.surfaces.elementary`: one Python float at a time.

The kernels of :mod:`atlas.surfaces.elementary_kernels` compute every branch and pick one,
as numpy must; on one float that wastes most of the time (a sweep's 21 points and a race's
single point go this way: millions of calls in a render). Here each kernel is written out
for one float and takes only the branch its argument needs, by the same operations in the
same order as the kernel's branch, which is what ``book/_static/explorer/elementary.js``
does too, so the bits are the kernels' (``tests/test_elementary.py`` compares this path
with the kernels run on floats and with the array path).

One identity replaces two products: the kernels scale y by 2^k as y · 2^⌊k/2⌋ · 2^(k-⌊k/2⌋)
(2^k itself may overflow). For the y the kernels scale (0.5 <= y <= 2.2) the first
product is exact, so both roundings are the one of y · 2^k, which one product by an exact
2^k (``_TWO``: every k from -1074 to 1023) gives as well; other k take the two products.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from atlas.surfaces.elementary_kernels import (
    BIG,
    C1,
    C2,
    C3,
    C4,
    C5,
    C6,
    DOWN,
    INVLN2,
    INVPIO2,
    LN2_HI,
    LN2_LO,
    P1,
    P2,
    P3,
    P4,
    P5,
    PIO2_1,
    PIO2_2,
    PIO2_3,
    PIO2_3T,
    Q1,
    Q2,
    Q3,
    Q4,
    Q5,
    QX_SHIFTER,
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    SHIFTER,
    SMALL,
    SPLIT,
    TANH_T,
    UP,
)

EXP_LIMIT = 708.0  # |x| below: exp's and expm1's scaling needs no guard
EXP_RANGE = (-746.0, 710.0)  # beyond: exp's results are 0 and inf, expm1's -1 and inf
TRIG_LIMIT = 1048576.0  # 2²⁰: the medium-size reduction (n < 2²⁰, n · PIO2_1 exact)
TANH_LIMIT = 22.0  # tanh 22 = 1, to the last bit
_TWO = {float(k): math.ldexp(1.0, k) for k in range(-1074, 1024)}  # 2^k, exact
T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10 = TANH_T


def scale(y: float, k: float) -> float:
    """y · 2^k rounded once, as the kernels' ``scale`` (see the module docstring)."""
    two = _TWO.get(k)
    if two is not None:
        return y * two
    k = int(k)
    half = k >> 1
    return y * math.ldexp(1.0, half) * math.ldexp(1.0, k - half)


def _exp(x: float) -> float:
    """kernels.exp for -746 <= x <= 710."""
    k = (x * INVLN2 + SHIFTER) - SHIFTER
    hi = x - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    return scale(1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k)


def _expm1(x: float) -> float:
    """kernels.expm1 for -746 <= x <= 710, only k's own recombination. The kernel's last
    step subtracts 0 where 2^k (1 + expm1 r) - 1 is not taken, an exact no-op, and
    1 - 2^-k with 2^-k = 0 is 1."""
    k = (x * INVLN2 + SHIFTER) - SHIFTER
    hi = x - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    c = (hi - r) - lo
    hfx = 0.5 * r
    hxs = r * hfx
    r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))))
    t = 3.0 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - r * t))
    e = (r * (e - c) - c) - hxs
    if k == 0.0:
        return r - e
    if k == -1.0:
        return 0.5 * (r - e) - 0.5
    if k == 1.0:
        return -2.0 * (e - (r + 0.5)) if r < -0.25 else 1.0 + 2.0 * (r - e)
    if k < -1.0 or k > 56.0:
        return scale(1.0 - (e - r), k) - 1.0
    two_k = _TWO[-k]
    if k >= 20.0:
        return scale((r - (e + two_k)) + 1.0, k)
    return scale((1.0 - two_k) - (e - r), k)


def _in_range(kernel: Callable[[float], float], v: float) -> float:
    """``kernel(v)`` with numpy's special values (see :mod:`atlas.surfaces.elementary`): NaN
    stays NaN, and an argument beyond EXP_RANGE is clamped to it (inf, 0 or -1 follow)."""
    if not abs(v) < EXP_LIMIT:
        if v != v:
            return v
        v = min(max(v, EXP_RANGE[0]), EXP_RANGE[1])
    return kernel(v)


def exp(v: float) -> float:
    """e^v."""
    return _in_range(_exp, v)


def expm1(v: float) -> float:
    """e^v - 1."""
    return _in_range(_expm1, v)


def tanh(v: float) -> float:
    """tanh v: kernels.tanh_polynomial below 0.55, kernels.tanh_quotient from there (its
    2a >= 1.1 gives expm1's k >= 2)."""
    if v != v:
        return v
    a = min(abs(v), TANH_LIMIT)
    if a < 0.55:
        s = a * a
        t = T9 + s * T10
        t = T0 + s * (T1 + s * (T2 + s * (T3 + s * (T4 + s * (T5 + s * (T6 + s * (
            T7 + s * (T8 + s * t))))))))
        return math.copysign(a + a * (s * t), v)
    u = _expm1(2.0 * a)
    return math.copysign(1.0 - 2.0 / (u + 2.0) if a >= 1.0 else u / (u + 2.0), v)


def _reduced(v: float) -> tuple[int, float, float]:
    """kernels.reduce for |v| < 2²⁰, n as an int."""
    n = (v * INVPIO2 + SHIFTER) - SHIFTER
    r1 = v - n * PIO2_1
    w2 = n * PIO2_2
    r2 = r1 - w2
    d2 = (r1 - r2) - w2
    w3 = n * PIO2_3
    r3 = r2 - w3
    d3 = (r2 - r3) - w3
    w = n * PIO2_3T - (d2 + d3)
    y0 = r3 - w
    return int(n), y0, (r3 - y0) - w


def _sin_reduced(y0: float, y1: float) -> float:
    z = y0 * y0
    v = z * y0
    r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))
    return y0 - ((z * (0.5 * y1 - v * r) - y1) - v * S1)


def _cos_reduced(y0: float, y1: float) -> float:
    z = y0 * y0
    r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))))
    a = abs(y0)
    qx = 0.0 if a < 0.3 else 0.28125 if a > 0.78125 else (0.25 * a + QX_SHIFTER) - QX_SHIFTER
    return (1.0 - qx) - ((0.5 * z - qx) - (z * r - y0 * y1))


def sin(v: float) -> float:
    """sin v: quadrant n mod 4 = 0, 1, 2, 3 gives s, c, -s, -c (s, c: the reduced kernels)."""
    if not abs(v) < TRIG_LIMIT:
        return float(np.sin(v)) if math.isfinite(v) else math.nan
    n, y0, y1 = _reduced(v)
    value = _cos_reduced(y0, y1) if n & 1 else _sin_reduced(y0, y1)
    return -value if n & 2 else value


def cos(v: float) -> float:
    """cos v = sin(v + π/2): quadrant n mod 4 = 0, 1, 2, 3 gives c, -s, -c, s."""
    if not abs(v) < TRIG_LIMIT:
        return float(np.cos(v)) if math.isfinite(v) else math.nan
    n, y0, y1 = _reduced(v)
    n += 1
    value = _cos_reduced(y0, y1) if n & 1 else _sin_reduced(y0, y1)
    return -value if n & 2 else value


def sin_cos(v: float) -> tuple[float, float]:
    """(sin v, cos v) from one reduction: :func:`sin`'s and :func:`cos`'s bits."""
    if not abs(v) < TRIG_LIMIT:
        return sin(v), cos(v)
    n, y0, y1 = _reduced(v)
    s, c = _sin_reduced(y0, y1), _cos_reduced(y0, y1)
    if n & 1:
        s, c = c, -s
    return (-s, -c) if n & 2 else (s, c)


def sinc(v: float) -> float:
    """sin(πv)/(πv), a tiny πv replacing 0 (numpy's sinc)."""
    y = math.pi * v  # inf beyond 5.7e307, and sinc NaN
    y = 1e-20 if y == 0.0 else y
    return sin(y) / y


def _product_error(a: float, b: float, p: float) -> float:
    c = SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    d = SPLIT * b
    b_hi = d - (d - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def hypot(x: float, y: float) -> float:
    """√(x² + y²): kernels.hypot, its scaling by 2^∓600 only where x needs it (elsewhere
    the kernel multiplies by 1, an exact no-op)."""
    x, y = abs(x), abs(y)
    if x < y:
        x, y = y, x
    if not (math.isfinite(x) and y == y):
        return float(np.hypot(x, y))  # inf, or NaN
    if y <= x * 2.0**-30:
        return x  # also hypot(0, 0)
    factor = DOWN if x > BIG else UP if x < SMALL else 1.0
    if factor != 1.0:
        x, y = x * factor, y * factor
    xx, yy = x * x, y * y
    s = math.sqrt(xx + yy)
    ss = s * s
    a = xx - ss
    b = a + yy
    bb = b - a
    sum_error = (a - (b - bb)) + (yy - bb)
    residual = b + (sum_error + ((_product_error(x, x, xx) + _product_error(y, y, yy))
                                 - _product_error(s, s, ss)))
    z = s + residual / (2.0 * s)
    return z if factor == 1.0 else (UP if factor == DOWN else DOWN) * z
