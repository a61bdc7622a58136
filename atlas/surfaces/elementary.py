r"""exp, expm1, tanh, sin, cos, sinc and hypot that give the same bits in numpy and in the browser.

The explorer (``book/_static/explorer/``) replays atlas's runs in JavaScript. numpy's and
the browsers' library functions differ by an ulp here and there (numpy's even depend on
the CPU: SIMD dispatch, FMA), and a chaotic run (Ackley, the tanh bowls at large rates)
amplifies an ulp past 1e-9 within 20 steps. So the surfaces compute these functions
here, and ``book/_static/explorer/elementary.js`` computes them by the same operations:
ports of Sun's fdlibm 5.3 (``e_exp.c``, ``s_expm1.c``, ``s_tanh.c``, ``k_sin.c``,
``k_cos.c``, ``s_sin.c``, ``s_cos.c`` and the medium-size Cody-Waite reduction of
``e_rem_pio2.c``; the kernels are :mod:`atlas.surfaces.elementary_kernels`), built only
from IEEE-754 operations that are correctly rounded everywhere (+, -, *, /, sqrt,
comparisons, selections, exact scaling by powers of two), so any machine gives the same
bits. Their error is below one ulp but for tanh's, below 1.5 (fdlibm's tanh errs by up to
2, so below 0.55 tanh is a fitted polynomial); ``tests/test_elementary.py`` measures it
with mpmath. hypot is correctly rounded (but for near-ties), as the explorer's was.

Two paths, one text: an array of at least ``SMALL`` elements is computed with numpy, by
chunks of ``CHUNK`` (small temporaries: no page faults), every branch on every element and
the right one selected by ``np.where``; a smaller one element by element on Python floats,
as the browser does, ten times faster for the single points of a learning-rate sweep.
Both run the same kernels, so they give the same bits (tested). Inputs are guarded first:
no floating-point warning, ever.

Special values are numpy's: exp(1000) = inf, exp(-1000) = 0, tanh(±inf) = ±1, a NaN gives
NaN, sin(±inf) = NaN, hypot(inf, NaN) = inf. Beyond the medium range, |x| >= 2²⁰, sin and
cos are the library's (numpy's here, ``Math.sin`` in the browser), which may differ by an
ulp: such a point is more than 10⁵ plot widths outside every surface's box, so only a run
that has long left its plot reaches it.

fdlibm's notice, which its licence asks to keep (``e_exp.c``, ``s_expm1.c``: 2004; the
others: 1993)::

    Copyright (C) 1993, 2004 by Sun Microsystems, Inc. All rights reserved.

    Developed at SunSoft, a Sun Microsystems, Inc. business.
    Permission to use, copy, modify, and distribute this
    software is freely granted, provided that this notice
    is preserved.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.surfaces import elementary_kernels as kernels

Array = NDArray[np.float64]
SMALL = 32  # arrays with fewer elements are computed element by element
CHUNK = 4096  # larger ones by chunks of this many elements
EXP_LIMIT = 708.0  # |x| below: exp's and expm1's scaling needs no guard
EXP_RANGE = (-746.0, 710.0)  # beyond: exp's results are 0 and inf, expm1's -1 and inf
TRIG_LIMIT = 1048576.0  # 2²⁰: the medium-size reduction (n < 2²⁰, n · PIO2_1 exact)
TANH_LIMIT = 22.0  # tanh 22 = 1, to the last bit


def _pick(condition, a, b):
    return a if condition else b


def _scale(y, k):
    """y · 2^k as the browser computes it: two exact powers of two, so that 2^k itself never
    overflows or underflows (one rounding: the product's, where it is subnormal)."""
    k = int(k)
    half = k >> 1
    return y * math.ldexp(1.0, half) * math.ldexp(1.0, k - half)


def _ldexp(y, k):
    return np.ldexp(y, k.astype(np.int64))  # one rounding, as _scale's


FLOATS = kernels.Ops(_pick, _scale, math.sqrt)
ARRAYS = kernels.Ops(np.where, _ldexp, np.sqrt)


# --- element by element (the browser's path): Python floats --------------------------------


def _exp_like(kernel: Callable) -> Callable[[float], float]:
    def one(v: float) -> float:
        if not abs(v) < EXP_LIMIT:
            if v != v:
                return v
            v = min(max(v, EXP_RANGE[0]), EXP_RANGE[1])
        return kernel(v, FLOATS)
    return one


def _tanh1(v: float) -> float:
    if v != v:
        return v
    a = min(abs(v), TANH_LIMIT)
    z = kernels.tanh_quotient(a, FLOATS) if a >= 0.55 else kernels.tanh_polynomial(a)
    return math.copysign(z, v)


def _trig1(shift: float, library: Callable) -> Callable[[float], float]:
    """sin (shift 0) or cos (shift 1: cos x = sin(x + π/2), a quadrant on) of a float: the
    one kernel its quadrant needs."""
    def one(v: float) -> float:
        if not abs(v) < TRIG_LIMIT:
            return float(library(v)) if math.isfinite(v) else math.nan
        n, y0, y1 = kernels.reduce(v)
        q = (n + shift) % 4.0
        odd = q == 1.0 or q == 3.0
        value = kernels.cos_reduced(y0, y1, _pick) if odd else kernels.sin_reduced(y0, y1)
        return -value if q >= 2.0 else value
    return one


def _sinc1(v: float) -> float:
    y = math.pi * v  # inf beyond 5.7e307, and sinc NaN
    y = 1e-20 if y == 0.0 else y
    return _SIN[0](y) / y


def _hypot1(x: float, y: float) -> float:
    x, y = abs(x), abs(y)
    if x < y:
        x, y = y, x
    if not (math.isfinite(x) and y == y):
        return float(np.hypot(x, y))  # inf, or NaN
    if y <= x * 2.0**-30:
        return x  # also hypot(0, 0)
    return kernels.hypot(x, y, FLOATS)


# --- the array path: numpy, every branch on every element ----------------------------------


def _exp_like_array(kernel: Callable) -> Callable[[Array], Array]:
    def array(x: Array) -> Array:
        if np.abs(x).max() < EXP_LIMIT:
            return kernel(x, ARRAYS)
        nan = np.isnan(x)
        with np.errstate(over="ignore", under="ignore"):
            y = kernel(np.clip(np.where(nan, 0.0, x), *EXP_RANGE), ARRAYS)
        return np.where(nan, x, y)
    return array


def _tanh_array(x: Array) -> Array:
    z = np.copysign(kernels.tanh(np.fmin(np.abs(x), TANH_LIMIT), ARRAYS), x)  # NaN -> 22
    nan = np.isnan(x)
    return np.where(nan, x, z) if nan.any() else z


def _trig_kernel(x: Array, shift: int) -> Array:
    """sin (shift 0) or cos (shift 1) for |x| < 2²⁰, as :func:`_trig1`: both kernels on every
    element, the one the quadrant's parity asks for picked, then multiplied by -1 where
    (n + shift) mod 4 >= 2 (exact: a negation). n is an integer below 2²⁰, so n mod 4 is
    the int64's two lowest bits, for negative n too; np.mod and a chain of picks took
    twice as long."""
    n, y0, y1 = kernels.reduce(x)
    q = n.astype(np.int64) + shift
    y = np.where(q & 1, kernels.cos_reduced(y0, y1, np.where), kernels.sin_reduced(y0, y1))
    y *= 1.0 - (q & 2)
    return y


def _trig_array(shift: int, library: Callable) -> Callable[[Array], Array]:
    def array(x: Array) -> Array:
        near = np.abs(x) < TRIG_LIMIT
        if near.all():
            return _trig_kernel(x, shift)
        finite = np.isfinite(x)
        y = _trig_kernel(np.where(near, x, 0.0), shift)
        return np.where(near, y, np.where(finite, library(np.where(finite, x, 0.0)), np.nan))
    return array


def _hypot_array(xy: Array) -> Array:
    ax, ay = np.abs(xy[0]), np.abs(xy[1])
    x, y = np.maximum(ax, ay), np.minimum(ax, ay)
    far = y <= x * 2.0**-30
    z = np.where(far, x, kernels.hypot(np.where(far, 1.0, x), np.where(far, 1.0, y), ARRAYS))
    if x.max() < np.inf:  # no inf, no NaN
        return z
    return np.where(np.isfinite(x) & (y == y), z, np.hypot(ax, ay))


def _sinc_array(x: Array) -> Array:
    with np.errstate(over="ignore"):
        y = np.pi * x
    y = np.where(y == 0.0, 1e-20, y)
    return _SIN[1](y) / y


def _apply(x: ArrayLike, one: Callable, array: Callable[[Array], Array]) -> Array:
    x = np.asarray(x, dtype=np.float64)
    if x.size < SMALL:
        return np.array(list(map(one, x.ravel().tolist()))).reshape(x.shape)
    if x.size <= CHUNK:
        return array(x)
    flat, out = x.ravel(), np.empty(x.size)
    for start in range(0, x.size, CHUNK):
        out[start:start + CHUNK] = array(flat[start:start + CHUNK])
    return out.reshape(x.shape)


# --- the functions ---------------------------------------------------------------------------

_EXP = (_exp_like(kernels.exp), _exp_like_array(kernels.exp))
_EXPM1 = (_exp_like(kernels.expm1), _exp_like_array(kernels.expm1))
_SIN = (_trig1(0.0, np.sin), _trig_array(0, np.sin))
_COS = (_trig1(1.0, np.cos), _trig_array(1, np.cos))


def exp(x: ArrayLike) -> Array:
    """e^x, elementwise (fdlibm's e_exp.c; < 1 ulp)."""
    return _apply(x, *_EXP)


def expm1(x: ArrayLike) -> Array:
    """e^x - 1, accurate near 0, elementwise (fdlibm's s_expm1.c; < 1 ulp)."""
    return _apply(x, *_EXPM1)


def tanh(x: ArrayLike) -> Array:
    """tanh x, elementwise (fdlibm's s_tanh.c on s_expm1.c, a polynomial below 0.55)."""
    return _apply(x, _tanh1, _tanh_array)


def sin(x: ArrayLike) -> Array:
    """sin x, elementwise (fdlibm's k_sin.c, k_cos.c, e_rem_pio2.c; < 1 ulp for |x| < 2²⁰)."""
    return _apply(x, *_SIN)


def cos(x: ArrayLike) -> Array:
    """cos x, elementwise (fdlibm's k_sin.c, k_cos.c, e_rem_pio2.c; < 1 ulp for |x| < 2²⁰)."""
    return _apply(x, *_COS)


def sinc(x: ArrayLike) -> Array:
    """sin(πx)/(πx), 1 at x = 0, as numpy's ``np.sinc`` (which divides sin y by y = πx, a
    tiny y replacing 0), with :func:`sin`."""
    return _apply(x, _sinc1, _sinc_array)


def hypot(x: ArrayLike, y: ArrayLike) -> Array:
    """√(x² + y²), correctly rounded but for near-ties (never overflowing or underflowing
    on the way), elementwise over the broadcast x and y; inf if either is infinite."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.shape != y.shape:
        x, y = np.broadcast_arrays(x, y)
    if x.size < SMALL:
        pairs = zip(x.ravel().tolist(), y.ravel().tolist(), strict=True)
        return np.array([_hypot1(a, b) for a, b in pairs]).reshape(x.shape)
    flat, out = np.stack([x.ravel(), y.ravel()]), np.empty(x.size)
    for start in range(0, x.size, CHUNK):
        out[start:start + CHUNK] = _hypot_array(flat[:, start:start + CHUNK])
    return out.reshape(x.shape)
