"""atlas.surfaces.elementary: accurate, numpy's special values, and the same bits in the browser.

The accuracy is measured against mpmath (200 bits): every result is within one ulp of
the correctly rounded value, on dense samples of the surfaces' arguments, huge and tiny
arguments, subnormals, the overflow and underflow thresholds, the kernels' branch points
and the doubles nearest multiples of π/2. The browser test loads
``book/_static/explorer/elementary.js`` into a blank page and requires the bits of its
results to be atlas's on about 100,000 arguments per function (sent and returned as the
bytes of float64 arrays: nothing is rounded in transit).
"""

from __future__ import annotations

import base64
import math
from pathlib import Path

import mpmath
import numpy as np
import pytest

from atlas.surfaces import elementary
from atlas.surfaces import elementary_kernels as kernels

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "book" / "_static" / "explorer" / "elementary.js"
UNARY = ("exp", "expm1", "tanh", "sin", "cos", "sinc")
TINY = 5e-324  # the smallest subnormal
TRIG_LIMIT = elementary.TRIG_LIMIT


def _arguments(n: int, seed: int = 0) -> np.ndarray:
    """Arguments for every unary function: the surfaces' (2πx, 6πx over the plot boxes, 10x,
    -0.2 r, ...), wider and huge ones, tiny ones and subnormals, special values, the
    thresholds and branch points of the kernels, and doubles nearest k π/2."""
    rng = np.random.default_rng(seed)
    k = np.concatenate([np.arange(-64, 65), rng.integers(-(2**20), 2**20, 2000)]) * 1.0
    near_pi2 = k * (np.pi / 2)
    branch = np.array([0.5 * math.log(2), 1.5 * math.log(2), 20 * math.log(2), 56 * math.log(2),
                       0.275, 0.3, 0.55, 0.78125, 1.0, 22.0, np.pi / 4, 708.0, 709.782712893384,
                       -745.1332191019411, 746.0, 710.0])
    exact = np.concatenate([near_pi2, branch, -branch])
    neighbours = np.concatenate([np.nextafter(exact, np.inf), np.nextafter(exact, -np.inf)])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 2.2250738585072014e-308,
                        1e-300, 1e300, -1e300, 1.7976931348623157e308, TRIG_LIMIT, -TRIG_LIMIT])
    parts = [rng.uniform(-1, 1, n // 5), rng.uniform(-35, 35, n // 5),
             rng.uniform(-64, 64, n // 10), rng.uniform(-800, 800, n // 10),
             rng.uniform(-(2**21), 2**21, n // 20),
             rng.choice([-1.0, 1.0], n // 5) * 10.0 ** rng.uniform(-323, 8, n // 5),
             exact, neighbours, special]
    return np.concatenate(parts)


def _pairs(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """hypot's arguments: Ackley's box and beyond, every ratio of sizes (2⁻³⁰ among them),
    huge, tiny and subnormal sides, infinities and NaN."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-5, 5, n // 2), rng.choice([-1.0, 1.0], n // 2)
                        * 10.0 ** rng.uniform(-320, 305, n // 2)])
    far = 2.0**-30 * (1 + rng.uniform(-1e-6, 1e-6, n // 4))  # where hypot(x, y) becomes x
    ratio = np.concatenate([rng.uniform(-1, 1, n // 4), 10.0 ** rng.uniform(-20, 0, n // 4),
                            np.full(n // 4, 2.0**-30), far])
    y = x * rng.permutation(ratio)[: len(x)]
    special = [(0.0, 0.0), (-0.0, 0.0), (np.inf, np.nan), (np.nan, -np.inf), (np.nan, 1.0),
               (3.0, 4.0), (1e308, 1e308), (TINY, TINY), (1e-310, 3e-310), (-np.inf, 0.0)]
    sx, sy = np.array(special).T
    return np.concatenate([x, sx, sy]), np.concatenate([y, sy, sx])


def _call(name: str, x: np.ndarray, y: np.ndarray | None = None) -> np.ndarray:
    return elementary.hypot(x, y) if name == "hypot" else getattr(elementary, name)(x)


def _bits(a: np.ndarray) -> np.ndarray:
    """Each float's bit pattern; every NaN the same."""
    return np.where(np.isnan(a), np.nan, a).view(np.uint64)


# ------------------------------------------------------------------------------- accuracy

PRECISION = 200  # bits
EXACT = {"exp": mpmath.exp, "expm1": mpmath.expm1, "tanh": mpmath.tanh, "sin": mpmath.sin,
         "cos": mpmath.cos}


def _exact(name: str, x: float, y: float | None):
    if name == "hypot":
        return mpmath.sqrt(mpmath.mpf(x) ** 2 + mpmath.mpf(y) ** 2)
    if name == "sinc":  # numpy's definition: sin y / y of the double y = πx (y = 0 gives 1)
        t = mpmath.mpf(float(np.pi * x))
        return mpmath.sin(t) / t if t else mpmath.mpf(1)
    return EXACT[name](mpmath.mpf(x))


def _rounded(exact) -> float:
    """The double nearest ``exact``, ties to even (mpmath's float() rounds twice below
    2⁻¹⁰²²: to 53 bits, then to the subnormal's fewer)."""
    if abs(exact) >= 2.2250738585072014e-308:
        return float(exact)
    return float(mpmath.nint(exact * mpmath.mpf(2) ** 1074)) * TINY


@pytest.mark.parametrize("name", [*UNARY, "hypot"])
def test_within_one_ulp_of_the_correctly_rounded_value(name):
    if name == "hypot":
        x, y = _pairs(4000)
    else:
        x, y = _arguments(10000), None
    keep = np.isfinite(x) & (np.abs(x) < 1e300) & ((y is None) or np.isfinite(y))
    x, y = x[keep], (y[keep] if y is not None else None)
    got = _call(name, x, y)
    worst, bad = 0.0, []
    with mpmath.workprec(PRECISION):
        for i, (value, result) in enumerate(zip(x.tolist(), got.tolist(), strict=True)):
            exact = _exact(name, value, None if y is None else float(y[i]))
            rounded = _rounded(exact)
            if not math.isfinite(rounded):
                assert result == rounded, (name, value, result)
                continue
            ulp = math.ulp(rounded) if rounded else TINY
            worst = max(worst, float(abs(mpmath.mpf(result) - exact) / ulp))
            if abs(result - rounded) > ulp:
                bad.append((value, result, rounded))
    print(f"\n{name}: {len(x)} arguments, largest error {worst:.3f} ulp")
    assert not bad, bad[:5]


def test_special_values_are_numpys():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, TINY, -TINY, 1e-300, 1000.0, -1000.0,
                  709.79, -745.14, 30.0, -30.0, 1e300, -1e300])
    for name in ("exp", "expm1", "tanh", "sin", "cos"):
        got = getattr(elementary, name)(x)  # no floating-point warning (they fail the test)
        with np.errstate(all="ignore"):
            want = getattr(np, name)(x)
        special = ~np.isfinite(want) | (want == 0) | (np.abs(want) == 1) | (np.abs(x) < 1e-200)
        if name in ("sin", "cos"):
            special &= np.abs(x) < 1e200  # sin 1e300 is the library's, on both sides
        np.testing.assert_array_equal(_bits(got[special]), _bits(want[special]), err_msg=name)
    assert elementary.sinc(np.array([0.0, -0.0])).tolist() == [1.0, 1.0]
    assert np.isnan(elementary.sinc(np.array([np.nan, np.inf]))).all()
    pairs = np.array([(0.0, 0.0), (-0.0, -0.0), (np.inf, np.nan), (np.nan, -np.inf), (3.0, 4.0),
                      (1e308, 1e308), (TINY, TINY), (np.nan, 1.0)])
    np.testing.assert_array_equal(_bits(elementary.hypot(*pairs.T)), _bits(np.hypot(*pairs.T)))


@pytest.mark.parametrize("name", [*UNARY, "hypot"])
def test_one_element_at_a_time_equals_the_array_path(name):
    """The browser's path (Python floats, for small arrays) and numpy's (in chunks) give the
    same bits, whatever the shape."""
    if name == "hypot":
        x, y = _pairs(5000)
        one = [elementary.hypot(a, b)[()] for a, b in zip(x, y, strict=True)]
    else:
        x, y = _arguments(3000), None
        one = [getattr(elementary, name)(np.array([a]))[0] for a in x]
    whole = _call(name, x, y)
    np.testing.assert_array_equal(_bits(np.array(one)), _bits(whole))
    assert whole.shape == x.shape
    square = x[: 64 * 64].reshape(64, 64)
    shaped = _call(name, square, None if y is None else y[: 64 * 64].reshape(64, 64))
    np.testing.assert_array_equal(_bits(shaped.ravel()), _bits(whole[: 64 * 64]))
    assert _call(name, np.float64(0.5), None if y is None else np.float64(2.0)).shape == ()


def test_constants_are_fdlibms():
    """The decimal constants are the doubles fdlibm's hexadecimal values give."""
    fdlibm = {"LN2_HI": "3fe62e42fee00000", "LN2_LO": "3dea39ef35793c76",
              "INVLN2": "3ff71547652b82fe", "INVPIO2": "3fe45f306dc9c883",
              "PIO2_1": "3ff921fb54400000", "PIO2_2": "3dd0b4611a600000",
              "PIO2_3": "3ba3198a2e000000", "PIO2_3T": "397b839a252049c1",
              "P1": "3fc555555555553e", "P5": "3e66376972bea4d0", "Q1": "bfa11111111110f4",
              "Q5": "be8afdb76e09c32d", "S1": "bfc5555555555549", "S6": "3de5d93a5acfd57c",
              "C1": "3fa555555555554c", "C6": "bda8fae9be8838d4"}
    for name, bits in fdlibm.items():
        assert np.float64(getattr(kernels, name)).view(np.uint64) == int(bits, 16), name


def test_tanh_polynomial_is_the_stated_fit():
    """TANH_T is what its comment says: mpmath's Chebyshev interpolant of degree 10 of
    (tanh a - a)/a³ over a² in [0, 0.3025], at 50 digits, rounded to doubles."""
    with mpmath.workdps(50):
        def quotient(s):
            a = mpmath.sqrt(s)
            return (mpmath.tanh(a) - a) / (a * s)
        fitted = mpmath.chebyfit(quotient, [mpmath.mpf(10) ** -30, mpmath.mpf("0.55") ** 2], 11)
    assert tuple(float(c) for c in fitted[::-1]) == kernels.TANH_T


# ------------------------------------------------------------------------------- browser


def _encode(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode()


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8")


def test_javascript_gives_the_same_bits(browser):
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto("about:blank")
    tab.add_script_tag(path=str(SCRIPT))
    x = _arguments(110_000, seed=7)
    hx, hy = _pairs(100_000, seed=8)
    sent = {"x": _encode(x), "hx": _encode(hx), "hy": _encode(hy)}
    returned = tab.evaluate("""sent => {
        const E = atlasExplorer.elementary;
        const decode = t => new Float64Array(Uint8Array.from(atob(t), c => c.charCodeAt(0))
                                              .buffer);
        const encode = a => btoa(Array.from(new Uint8Array(a.buffer), b => String.fromCharCode(b))
                                 .join(""));
        const x = decode(sent.x), hx = decode(sent.hx), hy = decode(sent.hy);
        const out = {};
        for (const name of ["exp", "expm1", "tanh", "sin", "cos", "sinc"]) {
            out[name] = encode(x.map(v => E[name](v)));
        }
        out.hypot = encode(hx.map((v, i) => E.hypot(v, hy[i])));
        return out;
    }""", sent)
    tab.close()
    assert not errors
    for name in (*UNARY, "hypot"):
        got = _decode(returned[name])
        want = _call(name, hx, hy) if name == "hypot" else _call(name, x)
        portable = np.ones(len(got), dtype=bool)  # beyond 2²⁰, sin and cos are the library's
        if name in ("sin", "cos"):
            portable = np.abs(x) < TRIG_LIMIT
        elif name == "sinc":
            with np.errstate(over="ignore"):
                portable = np.abs(np.pi * x) < TRIG_LIMIT  # sinc x = sin(πx)/(πx)
        differ = np.flatnonzero(portable & (_bits(got) != _bits(want)))
        print(f"\n{name}: {portable.sum()} arguments, {len(differ)} differ from atlas's bits")
        assert not len(differ), [(x if name != "hypot" else hx)[i] for i in differ[:5]]
