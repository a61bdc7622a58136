"""Numerically stable building blocks: σ, softplus, erf, erfc, written out in numpy.

Every formula here is evaluated so that no finite input overflows and no digit
is lost to cancellation:

* :math:`\\sigma(x)` uses :math:`e^{-|x|} \\le 1` only, so ``exp`` never overflows;
* :math:`\\operatorname{softplus}(x) = \\max(x, 0) + \\log(1 + e^{-|x|})`;
* ``erf``/``erfc``: numpy has no error function and scipy is not a dependency,
  so they are computed here, to within 2 ulp (erf) and 1e-15 relative (erfc) of
  the C library, from two classical expansions (Abramowitz & Stegun 7.1.5 and
  7.1.14):

.. math::

    \\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi}
        \\sum_{n \\ge 0} \\frac{(-1)^n x^{2n+1}}{n!\\,(2n+1)}
    \\quad (|x| < 1,\\ \\text{22 terms, Horner's rule}),

.. math::

    \\operatorname{erfc}(x) = \\frac{e^{-x^2}}{\\sqrt\\pi}\\;
        \\cfrac{1}{x + \\cfrac{1/2}{x + \\cfrac{1}{x + \\cfrac{3/2}{x + \\cdots}}}}
    \\quad (x \\ge 1,\\ \\text{the continued fraction, evaluated from its tail}),

and the identities erf = 1 − erfc, erfc(−x) = 2 − erfc(x) for the other ranges.

The factor :math:`e^{-x^2}` is formed as :math:`e^{-x_h^2} e^{-(x - x_h)(x + x_h)}`
with :math:`x_h` the leading 26 bits of :math:`x` (so :math:`x_h^2` is exact):
a plain ``exp(-x*x)`` would carry the rounding error of ``x*x``, up to
:math:`x^2 \\cdot 2^{-53}` *relative*, which at :math:`x = 20` is some 250 ulp.
"""

from __future__ import annotations

import math

import numpy as np

SQRT_PI = math.sqrt(math.pi)
SERIES_BELOW = 1.0  # |x| < 1: the series; |x| >= 1: the continued fraction
SERIES_TERMS = 22  # for |x| < 1 the 22nd term is below 2^-70 of the sum
ERFC_UNDERFLOW = 27.3  # erfc(x) < 2^-1074 (rounds to 0) beyond this
SPLIT = 2.0**27 + 1.0  # Veltkamp's constant: splits a double into two 26-bit halves


def result_dtype(x: np.ndarray) -> np.dtype:
    """The dtype of a function's result: the input's if it is a float, else float64."""
    dtype = np.asarray(x).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float64)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """:math:`\\sigma(x) = 1/(1 + e^{-x}) = e^{\\min(x, 0)} / (1 + e^{-|x|})`.

    Both exponents are :math:`\\le 0`, so nothing overflows: for :math:`x \\ge 0` this
    is :math:`1/(1 + e^{-x})`, for :math:`x < 0` it is :math:`e^x/(1 + e^x)`, each exact
    to the last digit, in one formula (no ``np.where`` choosing between two).
    """
    return np.exp(np.minimum(x, 0.0)) / (1.0 + np.exp(-np.abs(x)))


def sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    """:math:`\\sigma'(x) = \\sigma(x)\\,\\sigma(-x) = e^{-|x|} / (1 + e^{-|x|})^2` (even in x).

    Never ``σ(1 − σ)`` from a rounded σ: ``1 − σ(x)`` is exactly 0 once σ(x) rounds
    to 1 (x > 37 in float64), while the true :math:`\\sigma'(40) \\approx 4.2 \\times 10^{-18}`.
    """
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


def softplus(x: np.ndarray) -> np.ndarray:
    """:math:`\\log(1 + e^x) = \\max(x, 0) + \\log1p(e^{-|x|})`: exact for every finite x."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def sech2(x: np.ndarray) -> np.ndarray:
    """:math:`1 - \\tanh^2 x = 4e^{-2|x|} / (1 + e^{-2|x|})^2`, with full relative precision.

    ``1 - np.tanh(x)**2`` is exactly 0 once :math:`\\tanh x` rounds to 1
    (:math:`|x| > 19`), although the true value is still about :math:`4e^{-2|x|}`.
    """
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2


def exp_minus_square(x: np.ndarray) -> np.ndarray:
    """:math:`e^{-x^2}` without the rounding error of the product ``x*x``."""
    c = x * SPLIT
    x_hi = c - (c - x)  # the leading 26 bits of x: x_hi**2 is exact
    return np.exp(-x_hi * x_hi) * np.exp(-(x - x_hi) * (x + x_hi))


# Maclaurin coefficients of erf(x)/x in powers of x^2: 2/sqrt(pi) (-1)^n / (n! (2n + 1)).
ERF_TAYLOR = tuple(2.0 / SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1))
                   for n in range(SERIES_TERMS))


def _erf_series(x: np.ndarray) -> np.ndarray:
    """A&S 7.1.5 (the Maclaurin series), for |x| < 1 only, summed by Horner's rule."""
    x2 = x * x
    total = np.zeros_like(x)
    for coefficient in reversed(ERF_TAYLOR):
        total = total * x2 + coefficient
    return x * total


def _erfc_fraction(x: np.ndarray) -> np.ndarray:
    """A&S 7.1.14, for 1 <= x <= 27.3 only, evaluated from the tail up.

    The fraction converges slowly near x = 1 (320 levels for full precision)
    and fast further out (80 levels from x = 2), so the depth follows the
    smallest x in the batch.
    """
    if x.size == 0:
        return x.copy()
    smallest = float(x.min())
    depth = 320 if smallest < 1.25 else 160 if smallest < 1.5 else 80
    tail = x.copy()
    for k in range(depth, 0, -1):
        tail = x + (k / 2.0) / tail
    return exp_minus_square(x) / (SQRT_PI * tail)


def _erfc_positive(a: np.ndarray) -> np.ndarray:
    """erfc(a) for a >= 1 (possibly inf): the fraction, or 0 where it underflows."""
    out = np.zeros_like(a)
    finite = a <= ERFC_UNDERFLOW
    out[finite] = _erfc_fraction(a[finite])
    return out


def erfc(x: np.ndarray) -> np.ndarray:
    """:math:`\\operatorname{erfc}(x) = 1 - \\operatorname{erf}(x)`, accurate even when tiny.

    ``1 - erf(x)`` for |x| < 1 (where erfc > 0.15, so at most a few ulp are
    lost), the continued fraction for x >= 1 (so erfc(26) ≈ 5.7e-296 keeps its
    digits) and ``2 - erfc(-x)`` for x <= -1. ±inf give 0 and 2.
    Computed in float64; the result has the input's float dtype (float32 stays float32).
    """
    dtype = result_dtype(x)
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < SERIES_BELOW
    out[small] = 1.0 - _erf_series(x[small])
    upper = x >= SERIES_BELOW
    out[upper] = _erfc_positive(x[upper])
    lower = x <= -SERIES_BELOW
    out[lower] = 2.0 - _erfc_positive(-x[lower])
    return out.astype(dtype, copy=False)


def erf(x: np.ndarray) -> np.ndarray:
    """:math:`\\operatorname{erf}(x) = \\frac{2}{\\sqrt\\pi}\\int_0^x e^{-s^2}\\,ds`.

    The series for |x| < 1, ``±(1 - erfc(|x|))`` beyond (where erfc < 0.16, so
    no digits are lost in the subtraction). Computed in float64, returned in the
    input's float dtype.
    """
    dtype = result_dtype(x)
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    small = np.abs(x) < SERIES_BELOW
    out[small] = _erf_series(x[small])
    far = ~small & ~np.isnan(x)
    out[far] = np.copysign(1.0 - _erfc_positive(np.abs(x[far])), x[far])
    out[np.isnan(x)] = np.nan
    return out.astype(dtype, copy=False)
