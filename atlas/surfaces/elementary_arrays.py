"""The array path of :mod:`atlas.surfaces.elementary`: numpy, by chunks of ``CHUNK`` elements.

numpy cannot branch per element, so each kernel of :mod:`atlas.surfaces.elementary_kernels`
runs on every element of a chunk and ``np.where`` picks the branch each element needs
(tanh skips a branch no element of the chunk needs); sin and cos take both reduced
kernels, which is all :func:`sin_cos` needs for both. Every operation is correctly
rounded (the kernels' module says which), so the bits are those of
:mod:`atlas.surfaces.elementary_floats` (tested).

A chunk's temporaries stay small: 40,000 points at once would allocate arrays of 320 kB,
which glibc maps and unmaps on every operation (page faults); below 128 kB it keeps them
on its heap. ``CHUNK`` = 8192 (64 kB) made the six surfaces' gradients on 40,000 points
9 to 19 % faster than 4096 (``benchmarks/surfaces.py``, in turns), and a Rastrigin basin
map in a fresh process 1.07-1.25 s of CPU against 1.12-1.53 s; 10,240 and 16,384 were
slower than both. One caveat, measured: glibc gives freed heap back to the system once
more than its trim threshold is free at the top (128 kB, raised to twice the largest
mapped block freed), so where nothing larger than 320 kB was freed a chunk's temporaries
may go back and be faulted in again on every call (sin of 40,000 points alone in a
process: 2.8 ms and 700 page faults a call, against 1.3 ms with 4096); a basin map frees
its 640 kB arrays of points first. No chunk's result is stacked into a 128 kB array.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from atlas.surfaces import elementary_kernels as kernels
from atlas.surfaces.elementary_floats import EXP_LIMIT, EXP_RANGE, TANH_LIMIT, TRIG_LIMIT

Array = NDArray[np.float64]
CHUNK = 8192


def _ldexp(y, k):
    return np.ldexp(y, k.astype(np.int64))  # one rounding, as the floats' scale


OPS = kernels.Ops(np.where, _ldexp, np.sqrt)


def _chunked(kernel: Callable[..., Array], x: Array, *more: Array) -> Array:
    """``kernel`` on the flattened ``x`` (and ``more``, of x's shape) chunk by chunk, in an
    array of x's shape."""
    flat = [a.ravel() for a in (x, *more)]
    if x.size <= CHUNK:
        return kernel(*flat).reshape(x.shape)
    out = np.empty(x.size)
    for start in range(0, x.size, CHUNK):
        out[start:start + CHUNK] = kernel(*(a[start:start + CHUNK] for a in flat))
    return out.reshape(x.shape)


def _exp_like(kernel: Callable) -> Callable[[Array], Array]:
    def array(x: Array) -> Array:
        if np.abs(x).max() < EXP_LIMIT:
            return kernel(x, OPS)
        nan = np.isnan(x)
        with np.errstate(over="ignore", under="ignore"):
            y = kernel(np.clip(np.where(nan, 0.0, x), *EXP_RANGE), OPS)
        return np.where(nan, x, y)
    return array


_EXP, _EXPM1 = _exp_like(kernels.exp), _exp_like(kernels.expm1)


def _tanh(x: Array) -> Array:
    """The quotient where |x| >= 0.55, the polynomial below: both on every element of a
    chunk that has both (selecting each branch's elements and scattering them back cost
    more than the polynomial, measured), one where the chunk needs only one."""
    a = np.fmin(np.abs(x), TANH_LIMIT)  # NaN -> 22
    far = a >= 0.55
    if far.all():
        z = kernels.tanh_quotient(a, OPS)
    elif not far.any():
        z = kernels.tanh_polynomial(a)
    else:
        z = np.where(far, kernels.tanh_quotient(a, OPS), kernels.tanh_polynomial(a))
    z = np.copysign(z, x)
    nan = np.isnan(x)
    return np.where(nan, x, z) if nan.any() else z


def _quadrant_kernels(x: Array) -> tuple[Array, Array, Array]:
    """For |x| < 2²⁰: n as an int64 (n integral, |n| < 2²⁰, so n mod 4 is its two lowest
    bits, for negative n too) and both reduced kernels, sin's and cos's."""
    n, y0, y1 = kernels.reduce(x)
    return n.astype(np.int64), kernels.sin_reduced(y0, y1), kernels.cos_reduced(y0, y1, np.where)


def _signed(q: Array, s: Array, c: Array) -> Array:
    """sin in quadrant q: the sin kernel s where q is even, the cos kernel c where it is
    odd, times -1 where q mod 4 >= 2 (exact: a negation). cos x is quadrant n + 1's."""
    y = np.where(q & 1, c, s)
    y *= 1.0 - (q & 2)
    return y


def _trig(shift: int, library: Callable) -> Callable[[Array], Array]:
    """sin (shift 0) or cos (shift 1: cos x = sin(x + π/2), a quadrant on); beyond 2²⁰
    the library's, NaN for inf and NaN."""
    def kernel(x: Array) -> Array:
        n, s, c = _quadrant_kernels(x)
        return _signed(n + shift, s, c)

    def array(x: Array) -> Array:
        near = np.abs(x) < TRIG_LIMIT
        if near.all():
            return kernel(x)
        finite = np.isfinite(x)
        y = kernel(np.where(near, x, 0.0))
        return np.where(near, y, np.where(finite, library(np.where(finite, x, 0.0)), np.nan))
    return array


_SIN, _COS = _trig(0, np.sin), _trig(1, np.cos)


def _sin_cos(x: Array) -> tuple[Array, Array]:
    if not (np.abs(x) < TRIG_LIMIT).all():
        return _SIN(x), _COS(x)
    n, s, c = _quadrant_kernels(x)
    return _signed(n, s, c), _signed(n + 1, s, c)


def _sinc(x: Array) -> Array:
    with np.errstate(over="ignore"):
        y = np.pi * x
    y = np.where(y == 0.0, 1e-20, y)
    return _SIN(y) / y


def _hypot(x: Array, y: Array) -> Array:
    ax, ay = np.abs(x), np.abs(y)
    x, y = np.maximum(ax, ay), np.minimum(ax, ay)
    far = y <= x * 2.0**-30
    with np.errstate(over="ignore"):  # a root beyond 1.8e308 is inf (numpy's too), silently
        z = np.where(far, x, kernels.hypot(np.where(far, 1.0, x), np.where(far, 1.0, y), OPS))
    if x.max() < np.inf:  # no inf, no NaN
        return z
    return np.where(np.isfinite(x) & (y == y), z, np.hypot(ax, ay))


def exp(x: Array) -> Array:
    return _chunked(_EXP, x)


def expm1(x: Array) -> Array:
    return _chunked(_EXPM1, x)


def tanh(x: Array) -> Array:
    return _chunked(_tanh, x)


def sin(x: Array) -> Array:
    return _chunked(_SIN, x)


def cos(x: Array) -> Array:
    return _chunked(_COS, x)


def sin_cos(x: Array) -> tuple[Array, Array]:
    """sin x and cos x from one reduction and one evaluation of each kernel."""
    flat = x.ravel()
    if x.size <= CHUNK:
        s, c = _sin_cos(flat)
        return s.reshape(x.shape), c.reshape(x.shape)
    s, c = np.empty(x.size), np.empty(x.size)
    for start in range(0, x.size, CHUNK):
        s[start:start + CHUNK], c[start:start + CHUNK] = _sin_cos(flat[start:start + CHUNK])
    return s.reshape(x.shape), c.reshape(x.shape)


def sinc(x: Array) -> Array:
    return _chunked(_sinc, x)


def hypot(x: Array, y: Array) -> Array:
    return _chunked(_hypot, x, y)
