"""atlas.surfaces.elementary's two paths and its memo give the kernels' bits, whatever the route.

The element-by-element path (``elementary_floats``) writes each kernel out for one float
and takes only the branch the float needs; here it is checked against the kernels
themselves run on Python floats (every branch computed and picked, 2^k applied as two
exact powers of two, as the browser does), on the arguments of ``test_elementary``. The
array path (``elementary_arrays``) is checked against the floats at the chunk boundaries,
with tanh's branches mixed in every proportion. ``sin_cos`` is sin and cos, and a
remembered small result is the computed one, in whatever order the functions are asked.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_elementary import UNARY, _arguments, _bits, _pairs

from atlas.surfaces import elementary, elementary_arrays, elementary_floats
from atlas.surfaces import elementary_kernels as kernels


def _two_powers(y: float, k: float) -> float:
    """y · 2^k as elementary.js computes it: two exact powers of two."""
    k = int(k)
    half = k >> 1
    return y * math.ldexp(1.0, half) * math.ldexp(1.0, k - half)


KERNEL_FLOATS = kernels.Ops(lambda condition, a, b: a if condition else b, _two_powers, math.sqrt)


def _guarded(kernel):
    def one(v: float) -> float:
        if not abs(v) < 708.0:
            if v != v:
                return v
            v = min(max(v, -746.0), 710.0)
        return kernel(v, KERNEL_FLOATS)
    return one


def _tanh(v: float) -> float:
    if v != v:
        return v
    a = min(abs(v), 22.0)
    z = kernels.tanh_quotient(a, KERNEL_FLOATS) if a >= 0.55 else kernels.tanh_polynomial(a)
    return math.copysign(z, v)


def _trig(shift: float, library):
    def one(v: float) -> float:
        if not abs(v) < elementary.TRIG_LIMIT:
            return float(library(v)) if math.isfinite(v) else math.nan
        n, y0, y1 = kernels.reduce(v)
        q = (n + shift) % 4.0
        odd = q in (1.0, 3.0)
        pick = KERNEL_FLOATS.pick
        value = kernels.cos_reduced(y0, y1, pick) if odd else kernels.sin_reduced(y0, y1)
        return -value if q >= 2.0 else value
    return one


def _sinc(v: float) -> float:
    y = math.pi * v
    y = 1e-20 if y == 0.0 else y
    return _trig(0.0, np.sin)(y) / y


def _hypot(x: float, y: float) -> float:
    x, y = abs(x), abs(y)
    if x < y:  # not max and min: a NaN stays where it is
        x, y = y, x
    if not (math.isfinite(x) and y == y):
        return float(np.hypot(x, y))
    return x if y <= x * 2.0**-30 else kernels.hypot(x, y, KERNEL_FLOATS)


REFERENCE = {"exp": _guarded(kernels.exp), "expm1": _guarded(kernels.expm1), "tanh": _tanh,
             "sin": _trig(0.0, np.sin), "cos": _trig(1.0, np.cos), "sinc": _sinc}


@pytest.mark.parametrize("name", [*UNARY, "hypot"])
def test_the_floats_path_is_the_kernels_on_floats(name):
    if name == "hypot":
        x, y = _pairs(20000, seed=3)
        got = [elementary_floats.hypot(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)]
        want = [_hypot(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)]
    else:
        x = _arguments(40000, seed=4)
        got = list(map(getattr(elementary_floats, name), x.tolist()))
        want = list(map(REFERENCE[name], x.tolist()))
    np.testing.assert_array_equal(_bits(np.array(got)), _bits(np.array(want)))


def test_scaling_by_one_power_of_two_is_the_two_products():
    """The floats' scale multiplies once by an exact 2^k where the kernels multiply by two
    powers: the same bits for the y the kernels scale, for every k, subnormal results too."""
    rng = np.random.default_rng(5)
    y = np.concatenate([rng.uniform(0.5, 2.2, 2000), [0.5, 1.0, 2.0, 2.2, np.nextafter(1.0, 0)]])
    for k in range(-1076, 1025):
        for v in y[rng.integers(0, len(y), 40)].tolist():
            assert _bits(np.array(elementary_floats.scale(v, float(k)))) == _bits(
                np.array(_two_powers(v, k))), (v, k)


@pytest.mark.parametrize("size", [elementary.SMALL, elementary_arrays.CHUNK - 1,
                                  elementary_arrays.CHUNK, elementary_arrays.CHUNK + 1,
                                  2 * elementary_arrays.CHUNK + 37])  # fmt: skip
def test_the_array_path_is_the_floats_path_at_the_chunk_boundaries(size):
    x = np.random.default_rng(size).permutation(_arguments(3 * size))[:size]
    for name in UNARY:
        want = np.array(list(map(getattr(elementary_floats, name), x.tolist())))
        np.testing.assert_array_equal(_bits(getattr(elementary, name)(x)), _bits(want), name)
    y = np.random.default_rng(size + 1).permutation(x)
    want = np.array(list(map(elementary_floats.hypot, x.tolist(), y.tolist())))
    np.testing.assert_array_equal(_bits(elementary.hypot(x, y)), _bits(want))


@pytest.mark.parametrize("near_share", [0.0, 0.001, 0.5, 0.999, 1.0])
def test_tanh_picks_its_branch_in_every_mix(near_share):
    """Chunks all below 0.55 (the polynomial only), all above (the quotient only), and
    mixed (both, picked; NaN, ±inf, ±0 among them)."""
    rng = np.random.default_rng(int(near_share * 1000))
    n = 3 * elementary_arrays.CHUNK
    near = rng.uniform(-0.55, 0.55, n)
    far = rng.choice([-1.0, 1.0], n) * rng.uniform(0.55, 30.0, n)
    x = np.where(rng.uniform(size=n) < near_share, near, far)
    if 0 < near_share < 1:
        x[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, 0.55]
    want = np.array(list(map(elementary_floats.tanh, x.tolist())))
    np.testing.assert_array_equal(_bits(elementary.tanh(x)), _bits(want))


@pytest.mark.parametrize("size", [0, 1, 21, 31, 32, 5000, 2 * elementary_arrays.CHUNK + 1])
def test_sin_cos_is_sin_and_cos(size):
    x = _arguments(max(3 * size, 100), seed=size)[:size]
    for order in ("sin_cos first", "sin first", "cos first"):
        _forget()
        if order == "sin first":
            elementary.sin(x)
        elif order == "cos first":
            elementary.cos(x)
        s, c = elementary.sin_cos(x)
        assert s.shape == c.shape == x.shape
        np.testing.assert_array_equal(_bits(s), _bits(elementary.sin(x)), order)
        np.testing.assert_array_equal(_bits(c), _bits(elementary.cos(x)), order)
        want = np.array([elementary_floats.sin_cos(v) for v in x.tolist()]).reshape(-1, 2)
        np.testing.assert_array_equal(_bits(s), _bits(want[:, 0]), order)
        np.testing.assert_array_equal(_bits(c), _bits(want[:, 1]), order)
    if size >= 16:
        square = elementary.sin_cos(x[:16].reshape(4, 4))
        np.testing.assert_array_equal(_bits(square[0].ravel()), _bits(elementary.sin(x[:16])))
        np.testing.assert_array_equal(_bits(square[1].ravel()), _bits(elementary.cos(x[:16])))


def _forget() -> None:
    for memo in (elementary._EXP, elementary._EXPM1, elementary._TANH, elementary._SINC,
                 elementary._TRIG, elementary._HYPOT):  # fmt: skip
        memo.clear()


def test_a_remembered_result_is_the_computed_one():
    """A small array asked for again (right after, as a trajectory's gradient after its
    value, and after more arrays than the memo keeps; in another shape with the same bits;
    -0.0 beside 0.0) gives what a fresh computation gives, and a caller changing its result
    changes nothing remembered."""
    rng = np.random.default_rng(9)
    values = _arguments(2000, seed=9)
    arrays = [rng.choice(values, size) for size in rng.integers(1, elementary.SMALL, 40)]
    arrays += [np.array([0.0]), np.array([-0.0]), np.array([0.0, -0.0]), np.array([-0.0, 0.0])]

    def results(x):
        out = [getattr(elementary, name)(x) for name in UNARY]
        return [*out, *elementary.sin_cos(x), elementary.hypot(x, x[::-1])]

    _forget()
    fresh = [[got.copy() for got in results(x)] for x in arrays]
    for rounds in range(3):
        for x, want in zip(arrays, fresh, strict=True):
            for _ in range(2):
                got = results(x)
                for a, b in zip(got, want, strict=True):
                    assert a.shape == b.shape
                    np.testing.assert_array_equal(_bits(a), _bits(b))
                    a *= 3.0  # the caller's arrays are its own
            if rounds == 2 and len(x) % 2 == 0:
                np.testing.assert_array_equal(_bits(elementary.tanh(x.reshape(2, -1)).ravel()),
                                              _bits(want[2]))
    assert all(len(memo) <= elementary.MEMO for memo in (elementary._TANH, elementary._TRIG))


def test_a_root_beyond_the_largest_double_is_inf_without_a_warning():
    """hypot's array path overflowed in its last product where the root exceeds 1.8e308,
    with a RuntimeWarning (a test's error); the float path never warned."""
    x = np.full(2 * elementary.SMALL, 1.5e308)
    y = np.concatenate([x[: elementary.SMALL], np.full(elementary.SMALL, 3.0)])
    got = elementary.hypot(x, y)
    assert np.isinf(got[: elementary.SMALL]).all()
    np.testing.assert_array_equal(got[elementary.SMALL:], x[elementary.SMALL:])
    np.testing.assert_array_equal(_bits(got), _bits(np.array(
        list(map(elementary_floats.hypot, x.tolist(), y.tolist())))))
