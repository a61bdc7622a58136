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

Two paths, the same bits (tested): an array of at least ``SMALL`` elements is computed
with numpy, by chunks (:mod:`atlas.surfaces.elementary_arrays`: the kernels on every
element, the branch picked); a smaller one element by element on Python floats, as the
browser does (:mod:`atlas.surfaces.elementary_floats`: the same operations, each float
taking only its branch), ten times faster for the points of a learning-rate sweep or a
race. A small array's results are remembered by its bits (see :func:`_keep`). Inputs are
guarded first: no floating-point warning, ever.

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

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from atlas.surfaces import elementary_arrays as arrays
from atlas.surfaces import elementary_floats as floats
from atlas.surfaces.elementary_floats import EXP_LIMIT, EXP_RANGE, TANH_LIMIT, TRIG_LIMIT

__all__ = ["EXP_LIMIT", "EXP_RANGE", "SMALL", "TANH_LIMIT", "TRIG_LIMIT", "cos", "exp", "expm1",
           "hypot", "sin", "sin_cos", "sinc", "tanh"]  # fmt: skip

Array = NDArray[np.float64]
SMALL = 32  # arrays with fewer elements are computed element by element
MEMO = 16  # the small arrays each function remembers (see _keep)


def _floats(x: Array) -> list[float]:
    return x.tolist() if x.ndim == 1 else x.ravel().tolist()


def _shaped(values: Sequence[float], x: Array) -> Array:
    return np.array(values) if x.ndim == 1 else np.array(values).reshape(x.shape)


def _keep(memo: dict, key: bytes, values: Any) -> Any:
    """Remember ``values``, the results for the small array whose bits are ``key``. A
    trajectory asks for f at a point and then for the gradient at the same point, and both
    evaluate the same functions of the same arguments there (the tanh bowls' tanh,
    Ackley's hypot, exp and cos, Lévi's sines, the sinc well's sinc). The key is the
    arguments' bits, so a remembered result is the one computing would give; each memo
    keeps its last MEMO arrays' results, as Python floats (every caller gets its own new
    array)."""
    if len(memo) >= MEMO:
        del memo[next(iter(memo))]  # the oldest
    memo[key] = values
    return values


def _small(x: Array, one: Callable[[float], float], memo: dict) -> Array:
    key = x.tobytes()
    values = memo.get(key)
    if values is None:
        values = _keep(memo, key, list(map(one, _floats(x))))
    return _shaped(values, x)


def _trig_small(x: Array, which: int) -> list[float]:
    """sin (``which`` 0) or cos (1) of each element of a small ``x``, remembered in one
    entry for both: :func:`sin_cos` fills the two from one reduction."""
    key = x.tobytes()
    both = _TRIG.get(key) or _keep(_TRIG, key, [None, None])
    if both[which] is None:
        both[which] = list(map((floats.sin, floats.cos)[which], _floats(x)))
    return both[which]


_EXP: dict = {}
_EXPM1: dict = {}
_TANH: dict = {}
_SINC: dict = {}
_TRIG: dict = {}
_HYPOT: dict = {}


def exp(x: ArrayLike) -> Array:
    """e^x, elementwise (fdlibm's e_exp.c; < 1 ulp)."""
    x = np.asarray(x, dtype=np.float64)
    return _small(x, floats.exp, _EXP) if x.size < SMALL else arrays.exp(x)


def expm1(x: ArrayLike) -> Array:
    """e^x - 1, accurate near 0, elementwise (fdlibm's s_expm1.c; < 1 ulp)."""
    x = np.asarray(x, dtype=np.float64)
    return _small(x, floats.expm1, _EXPM1) if x.size < SMALL else arrays.expm1(x)


def tanh(x: ArrayLike) -> Array:
    """tanh x, elementwise (fdlibm's s_tanh.c on s_expm1.c, a polynomial below 0.55)."""
    x = np.asarray(x, dtype=np.float64)
    return _small(x, floats.tanh, _TANH) if x.size < SMALL else arrays.tanh(x)


def sin(x: ArrayLike) -> Array:
    """sin x, elementwise (fdlibm's k_sin.c, k_cos.c, e_rem_pio2.c; < 1 ulp for |x| < 2²⁰)."""
    x = np.asarray(x, dtype=np.float64)
    return _shaped(_trig_small(x, 0), x) if x.size < SMALL else arrays.sin(x)


def cos(x: ArrayLike) -> Array:
    """cos x, elementwise (fdlibm's k_sin.c, k_cos.c, e_rem_pio2.c; < 1 ulp for |x| < 2²⁰)."""
    x = np.asarray(x, dtype=np.float64)
    return _shaped(_trig_small(x, 1), x) if x.size < SMALL else arrays.cos(x)


def sin_cos(x: ArrayLike) -> tuple[Array, Array]:
    """(sin x, cos x): :func:`sin`'s and :func:`cos`'s bits, from one reduction and one
    evaluation of each kernel (on an array, either function computes both kernels on every
    element anyway), for a formula that takes both of one argument (Ackley's gradient)."""
    x = np.asarray(x, dtype=np.float64)
    if x.size >= SMALL:
        return arrays.sin_cos(x)
    key = x.tobytes()
    both = _TRIG.get(key)
    if both is None:
        pairs = map(floats.sin_cos, _floats(x))
        both = _keep(_TRIG, key, [list(v) for v in zip(*pairs, strict=True)] or [[], []])
    return _shaped(both[0] or _trig_small(x, 0), x), _shaped(both[1] or _trig_small(x, 1), x)


def sinc(x: ArrayLike) -> Array:
    """sin(πx)/(πx), 1 at x = 0, as numpy's ``np.sinc`` (which divides sin y by y = πx, a
    tiny y replacing 0), with :func:`sin`."""
    x = np.asarray(x, dtype=np.float64)
    return _small(x, floats.sinc, _SINC) if x.size < SMALL else arrays.sinc(x)


def hypot(x: ArrayLike, y: ArrayLike) -> Array:
    """√(x² + y²), correctly rounded but for near-ties (never overflowing or underflowing
    on the way), elementwise over the broadcast x and y; inf if either is infinite."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.shape != y.shape:
        x, y = np.broadcast_arrays(x, y)
    if x.size >= SMALL:
        return arrays.hypot(x, y)
    key = x.tobytes() + y.tobytes()
    values = _HYPOT.get(key)
    if values is None:
        values = _keep(_HYPOT, key, list(map(floats.hypot, _floats(x), _floats(y))))
    return _shaped(values, x)
