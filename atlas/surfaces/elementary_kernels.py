"""The kernels of :mod:`atlas.surfaces.elementary`: one text for numpy arrays and Python
floats. The array path runs them (:mod:`atlas.surfaces.elementary_arrays`); the float path
(:mod:`atlas.surfaces.elementary_floats`) and ``book/_static/explorer/elementary.js`` write
each out for one float, by the same operations (``tests/test_elementary_paths.py`` checks
the float path against these kernels run on floats).

Each kernel takes ``ops``: its selection ``pick(condition, a, b)`` (``np.where``, or ``a if
condition else b``), ``scale(y, k)`` = y · 2^k rounded once and ``sqrt``, each correctly
rounded on both paths. Every branch is computed and the right one picked, so a kernel
assumes its caller has guarded its inputs (ranges stated in each docstring): then no
floating-point exception happens on any element. Ports of fdlibm 5.3 (its notice: see
:mod:`atlas.surfaces.elementary`), but for :func:`hypot` (the explorer's, correctly rounded)
and tanh below 0.55 (a fitted polynomial: fdlibm errs there by up to 2 ulp).
"""

from __future__ import annotations

import math
from typing import NamedTuple

SHIFTER = 6755399441055744.0  # 1.5·2⁵²: (v + SHIFTER) - SHIFTER rounds v to an integer
# e_exp.c, s_expm1.c: ln 2 = LN2_HI + LN2_LO (LN2_HI has 32 bits: k · LN2_HI is exact)
LN2_HI = 6.93147180369123816490e-01  # 0x3fe62e42 fee00000
LN2_LO = 1.90821492927058770002e-10  # 0x3dea39ef 35793c76
INVLN2 = 1.44269504088896338700e+00  # 0x3ff71547 652b82fe
P1, P2, P3, P4, P5 = (1.66666666666666019037e-01, -2.77777777770155933842e-03,
                      6.61375632143793436117e-05, -1.65339022054652515390e-06,
                      4.13813679705723846039e-08)
Q1, Q2, Q3, Q4, Q5 = (-3.33333333333331316428e-02, 1.58730158725481460165e-03,
                      -7.93650757867487942473e-05, 4.00821782732936239552e-06,
                      -2.01099218183624371326e-07)
# e_rem_pio2.c: π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_3T, three 33-bit parts and a tail
INVPIO2 = 6.36619772367581382433e-01  # 0x3fe45f30 6dc9c883
PIO2_1 = 1.57079632673412561417e+00  # 0x3ff921fb 54400000
PIO2_2 = 6.07710050630396597660e-11  # 0x3dd0b461 1a600000
PIO2_3 = 2.02226624871116645580e-21  # 0x3ba3198a 2e000000
PIO2_3T = 8.47842766036889956997e-32  # 0x397b839a 252049c1
# k_sin.c, k_cos.c
S1, S2, S3, S4, S5, S6 = (-1.66666666666666324348e-01, 8.33333333332248946124e-03,
                          -1.98412698298579493134e-04, 2.75573137070700676789e-06,
                          -2.50507602534068634195e-08, 1.58969099521155010221e-10)
C1, C2, C3, C4, C5, C6 = (4.16666666666666019037e-02, -1.38888888888741095749e-03,
                          2.48015872894767294178e-05, -2.75573143513906633035e-07,
                          2.08757232129817482790e-09, -1.13596475577881948265e-11)
QX_SHIFTER = 402653184.0  # 1.5·2²⁸: rounds to a multiple of 2⁻²⁴ (k_cos.c's qx)
# tanh a = a + a s T(s), s = a² < 0.3025: T is the degree-10 Chebyshev interpolant of
# (tanh a - a)/(a s) on [0, 0.3025] (mpmath.chebyfit, 50 digits; error 8e-18, a hundredth of
# an ulp of tanh a), its coefficients rounded to doubles, constant term first
TANH_T = (-0.3333333333333333, 0.13333333333332714, -0.053968253967434016,
          0.021869488493666944, -0.008863234397814355, 0.003592110378689024,
          -0.001455661830100716, 0.0005889360520074057, -0.0002346347410887237,
          8.511313685577672e-05, -2.060276537636634e-05)
# hypot: 2^±600 brings x into [2⁻¹⁰⁰, 2⁵⁰⁰] where x² neither overflows nor underflows
BIG, SMALL, UP, DOWN = (math.ldexp(1.0, k) for k in (500, -500, 600, -600))
SPLIT = 134217729.0  # 2²⁷ + 1: Veltkamp's split of a double into two 26-bit halves


class Ops(NamedTuple):
    """What a kernel computes with: numpy's operations or Python's (see the module doc)."""

    pick: object
    scale: object
    sqrt: object


def nearest(v, shifter=SHIFTER):
    """v rounded to the nearest multiple of ulp(shifter), ties to even (|v| < shifter/3)."""
    return (v + shifter) - shifter


def exp(x, ops: Ops):
    """e_exp.c for -746 <= x <= 710: x = k ln2 + r, |r| <= ln2/2, and exp r from a rational
    approximation (error < 2⁻⁵⁹), times 2^k. k is the integer nearest x/ln2 everywhere:
    fdlibm's separate cases k = 0 (|x| <= ln2/2, and 1 + x for |x| < 2⁻²⁸) and |k| = 1 are
    this formula with k = 0 or ±1."""
    k = nearest(x * INVLN2)
    hi = x - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    t = r * r
    c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))))
    return ops.scale(1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k)


def _expm1_parts(x, ops: Ops):
    """s_expm1.c for -746 <= x <= 710 up to its last step: x = k ln2 + r + c (c: the
    rounding error of r), expm1 r = r - e, and the result for |k| >= 2."""
    k = nearest(x * INVLN2)
    hi = x - k * LN2_HI
    lo = k * LN2_LO
    r = hi - lo
    c = (hi - r) - lo
    hfx = 0.5 * r
    hxs = r * hfx
    r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))))
    t = 3.0 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - r * t))
    e = (r * (e - c) - c) - hxs  # with k = 0, c = 0: fdlibm's x e - hxs
    outer = (k < -1.0) | (k > 56.0)  # 2^k (1 + expm1 r) - 1
    middle = (k >= 20.0) & (k <= 56.0)  # 2^k ((r - (e + 2^-k)) + 1)
    two_k = ops.pick(outer, 0.0, ops.scale(1.0, -k))  # 2^-k; 0 turns 1 - 2^-k into 1
    far = ops.scale(ops.pick(middle, (r - (e + two_k)) + 1.0, (1.0 - two_k) - (e - r)), k)
    return k, r, e, far - ops.pick(outer, 1.0, 0.0)


def expm1(x, ops: Ops):
    """s_expm1.c for -746 <= x <= 710: :func:`_expm1_parts`, then k = 0, -1 and 1's own
    exact recombinations."""
    k, r, e, far = _expm1_parts(x, ops)
    pick = ops.pick
    one = pick(r < -0.25, -2.0 * (e - (r + 0.5)), 1.0 + 2.0 * (r - e))
    return pick(k == 0.0, r - e, pick(k == -1.0, 0.5 * (r - e) - 0.5, pick(k == 1.0, one, far)))


def tanh_polynomial(a):
    """tanh a for 0 <= a < 0.55: a + a s T(s), s = a² (TANH_T). fdlibm's -t/(t + 2), t =
    expm1(-2a), errs here by up to 2 ulp, as u/(u + 2) does."""
    s = a * a
    t = TANH_T[-1]
    for coefficient in TANH_T[-2::-1]:
        t = coefficient + s * t
    return a + a * (s * t)


def tanh_quotient(a, ops: Ops):
    """tanh a for 0.55 <= a <= 22 (tanh 22 is 1 to the last bit, as every larger a's), with
    u = expm1(2a): s_tanh.c's 1 - 2/(u + 2) from a = 1, u/(u + 2) below (fdlibm: -t/(t + 2),
    t = expm1(-2a), less accurate). 2a >= 1.1, so k >= 2: u is expm1's result for |k| >= 2."""
    u = _expm1_parts(2.0 * a, ops)[3]
    return ops.pick(a >= 1.0, 1.0 - 2.0 / (u + 2.0), u / (u + 2.0))


def tanh(a, ops: Ops):
    """tanh a for 0 <= a <= 22: :func:`tanh_quotient` from 0.55, :func:`tanh_polynomial`
    below."""
    return ops.pick(a >= 0.55, tanh_quotient(a, ops), tanh_polynomial(a))


def reduce(x):
    """x = n π/2 + y0 + y1 for |x| < 2²⁰, |y0 + y1| <~ π/4: n, y0 and its tail y1.

    e_rem_pio2.c's medium-size reduction by π/2 in three 33-bit parts: every n · PIO2_i
    is exact. fdlibm subtracts the second and third parts only where the first cancels
    too many bits; here every element gets all three (151 bits of π/2), and the rounding
    errors d2, d3 of the two subtractions are kept, which fdlibm's third step drops (they
    are zero where fdlibm takes it).
    """
    n = nearest(x * INVPIO2)
    r1 = x - n * PIO2_1  # exact
    w2 = n * PIO2_2
    r2 = r1 - w2
    d2 = (r1 - r2) - w2
    w3 = n * PIO2_3
    r3 = r2 - w3
    d3 = (r2 - r3) - w3
    w = n * PIO2_3T - (d2 + d3)
    y0 = r3 - w
    return n, y0, (r3 - y0) - w


def sin_reduced(y0, y1):
    """k_sin.c: sin(y0 + y1) for |y0| <~ π/4 (the tail y1 always given: fdlibm's
    |y0| < 2⁻²⁷ shortcut is this formula's own result but for y1)."""
    z = y0 * y0
    v = z * y0
    r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))
    return y0 - ((z * (0.5 * y1 - v * r) - y1) - v * S1)


def cos_reduced(y0, y1, pick):
    """k_cos.c: cos(y0 + y1) for |y0| <~ π/4. Its qx, |y0|/4 with the low bits cleared,
    is |y0|/4 rounded to a multiple of 2⁻²⁴: it too makes 1 - qx and z/2 - qx exact."""
    z = y0 * y0
    r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))))
    a = abs(y0)
    qx = pick(a < 0.3, 0.0, pick(a > 0.78125, 0.28125, nearest(0.25 * a, QX_SHIFTER)))
    return (1.0 - qx) - ((0.5 * z - qx) - (z * r - y0 * y1))


def _product_error(a, b, p):
    """a b - p exactly, for p = a b rounded (Dekker: Veltkamp's halves, no overflow)."""
    c = SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    d = SPLIT * b
    b_hi = d - (d - b)
    b_lo = b - b_hi
    return ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def hypot(x, y, ops: Ops):
    """√(x² + y²) correctly rounded (but for near-ties), for finite x >= y > 2⁻³⁰ x
    (below, the result is x): s = √(x² + y²) rounded, corrected by the residual
    x² + y² - s², computed from exact products and sums, scaled by 2^∓600 where x² would
    overflow or underflow. numpy's hypot (the C library's) is not always correctly rounded,
    nor are the browsers'."""
    pick = ops.pick
    down, up = x > BIG, x < SMALL
    factor = pick(down, DOWN, pick(up, UP, 1.0))
    x, y = x * factor, y * factor
    xx, yy = x * x, y * y
    s = ops.sqrt(xx + yy)
    ss = s * s
    a = xx - ss
    b = a + yy
    bb = b - a
    sum_error = (a - (b - bb)) + (yy - bb)  # a + yy = b + sum_error, exactly
    residual = b + (sum_error + ((_product_error(x, x, xx) + _product_error(y, y, yy))
                                 - _product_error(s, s, ss)))
    return pick(down, UP, pick(up, DOWN, 1.0)) * (s + residual / (2.0 * s))
