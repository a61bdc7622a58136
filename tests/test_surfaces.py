"""Tests of atlas.surfaces, table-driven over every registered surface.

Each gradient is checked twice, against central differences and against
``autograd`` applied to a second, independent transcription of the formula
(``AUTOGRAD_F`` below). Stated minima are checked to the last digits with a
Newton step, and against a dense grid over the plotting domain.
"""

from __future__ import annotations

import math
import pickle

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from atlas import surfaces
from atlas.registry import UnknownNameError
from atlas.surfaces import Point, Surface

NAMES = surfaces.names()
PI = math.pi
FLOATING_POINT_ERRORS = {"over": "raise", "divide": "raise", "invalid": "raise", "under": "ignore"}


def _ag_sinc(t):
    """sin(πt)/(πt) for autograd: its Taylor series (17 terms, exact to eps) near 0."""
    small = anp.abs(t) < 0.5
    safe = anp.where(small, 1.0, t)
    series = sum((-1) ** k * (PI * t) ** (2 * k) / math.factorial(2 * k + 1) for k in range(17))
    return anp.where(small, series, anp.sin(PI * safe) / (PI * safe))


def _ag_goldstein_price(x, y):
    first = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x**2 - 14 * y + 6 * x * y + 3 * y**2)
    second = 30 + (2 * x - 3 * y) ** 2 * (
        18 - 32 * x + 12 * x**2 + 48 * y - 36 * x * y + 27 * y**2
    )
    return first * second


# An independent transcription of every surface, differentiated by autograd.
AUTOGRAD_F = {
    "saddle": lambda x, y: y * y - x * x,
    "tanh_squared": lambda x, y: anp.tanh(x) ** 2 + anp.tanh(y) ** 2,
    "sinc_well": lambda x, y: (x * x + y * y) / 10 - _ag_sinc(x) - _ag_sinc(y),
    "narrow_valley": lambda x, y: 0.125 * (x * x + y * y) + anp.tanh(10 * x) ** 2,
    "sphere": lambda x, y: x * x + y * y,
    "ellipse": lambda x, y: x * x / 10 + 2 * y * y,
    "monkey_saddle": lambda x, y: x * (x * x - 3 * y * y),
    "booth": lambda x, y: (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
    "matyas": lambda x, y: 0.26 * (x * x + y * y) - 0.48 * x * y,
    "rosenbrock": lambda x, y: (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    "beale": lambda x, y: sum((c - x * (1 - y**k)) ** 2
                              for k, c in ((1, 1.5), (2, 2.25), (3, 2.625))),
    "himmelblau": lambda x, y: (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
    "three_hump_camel": lambda x, y: 2 * x**2 - 1.05 * x**4 + x**6 / 6 + x * y + y**2,
    "six_hump_camel": lambda x, y: (4 * x**2 - 2.1 * x**4 + x**6 / 3 + x * y
                                    - 4 * y**2 + 4 * y**4),
    "styblinski_tang": lambda x, y: sum(0.5 * t**4 - 8 * t**2 + 2.5 * t for t in (x, y)),
    "goldstein_price": _ag_goldstein_price,
    "rastrigin": lambda x, y: sum(10 + t * t - 10 * anp.cos(2 * PI * t) for t in (x, y)),
    "ackley": lambda x, y: (20 + anp.exp(1) - 20 * anp.exp(-0.2 * anp.sqrt(0.5 * (x * x + y * y)))
                            - anp.exp(0.5 * (anp.cos(2 * PI * x) + anp.cos(2 * PI * y)))),
    "levi": lambda x, y: (anp.sin(3 * PI * x) ** 2
                          + (x - 1) ** 2 * (1 + anp.sin(3 * PI * y) ** 2)
                          + (y - 1) ** 2 * (1 + anp.sin(2 * PI * y) ** 2)),
}

# Points where a surface is not differentiable: derivative checks keep away from them.
KINKS = {"ackley": ((0.0, 0.0),)}

# The course notes fix the start points and 3D cameras of their four surfaces.
COURSE = {
    "saddle": ((1e-4, 4.0), (35.0, -60.0)),
    "tanh_squared": ((-1.0, 2.0), (75.0, -60.0)),
    "sinc_well": ((-3.0, 4.0), (55.0, -60.0)),
    "narrow_valley": ((-2.0, 2.0), (45.0, -87.0)),
}


def autograd_gradient(name: str, x: float, y: float) -> tuple[float, float]:
    f = AUTOGRAD_F[name]
    with np.errstate(over="ignore"):  # autograd's tanh rule computes 1/cosh² x; inf there is fine
        return float(autograd.grad(f, 0)(x, y)), float(autograd.grad(f, 1)(x, y))


def hessian(surface: Surface, x: float, y: float, h: float = 1e-5) -> np.ndarray:
    """Central differences of the analytic gradient, symmetrised."""
    columns = [(np.array(surface.gradient_xy((x + dx, y + dy)))
                - np.array(surface.gradient_xy((x - dx, y - dy)))) / (2 * h)
               for dx, dy in ((h, 0.0), (0.0, h))]
    H = np.stack(columns, axis=1)
    return (H + H.T) / 2


def near_kink(name: str, x: float, y: float, radius: float) -> bool:
    return any(math.hypot(x - kx, y - ky) < radius for kx, ky in KINKS.get(name, ()))


@st.composite
def domain_points(draw, surface: Surface) -> tuple[float, float]:
    (x0, x1), (y0, y1) = surface.domain
    return draw(st.floats(x0, x1)), draw(st.floats(y0, y1))


extreme = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


# --- The registry and the declared fields ---------------------------------------------------

def test_registry_lists_at_least_18_surfaces_course_ones_first():
    assert len(surfaces.registry) >= 18
    assert NAMES[:4] == list(COURSE)
    assert list(surfaces.registry) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_field_is_declared(name):
    s = surfaces.get(name)
    assert isinstance(s, Surface) and s.name == name
    assert name == name.lower() and name.replace("_", "").isalnum()
    assert s.title.strip() and s.latex.strip() and not s.latex.startswith("$")
    assert s.latex.startswith("f(x, y) =")
    assert s.description.strip() and "\n" not in s.description and len(s.description) <= 100
    (x0, x1), (y0, y1) = s.domain
    assert x0 < x1 and y0 < y1
    for p in (Point(*s.start, 0.0), *s.minima, *s.critical):
        assert x0 <= p.x <= x1 and y0 <= p.y <= y1
    assert all(isinstance(p, Point) for p in (*s.minima, *s.critical))
    assert -90 <= s.view[0] <= 90 and -360 <= s.view[1] <= 360
    assert s.f_min == (s.minima[0].value if s.minima else None)
    assert all(p.value == s.f_min and p.kind == "global minimum" for p in s.minima)
    assert all(p.kind in {"local minimum", "local maximum", "saddle point"} for p in s.critical)


@pytest.mark.parametrize("name", NAMES)
def test_start_is_not_a_critical_point(name):
    s = surfaces.get(name)
    assert np.linalg.norm(s.gradient_xy(s.start)) > 1e-3


@pytest.mark.parametrize("name", list(COURSE))
def test_course_surfaces_keep_the_notes_start_and_camera(name):
    start, view = COURSE[name]
    assert surfaces.get(name).start == start and surfaces.get(name).view == view


def test_every_surface_has_an_independent_autograd_formula():
    assert sorted(AUTOGRAD_F) == sorted(NAMES)


# --- Gradients ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_gradient_matches_central_differences(name, data):
    s = surfaces.get(name)
    x, y = data.draw(domain_points(s))
    hx, hy = 1e-6 * max(1.0, abs(x)), 1e-6 * max(1.0, abs(y))
    # Near a kink the truncation error (h/r)² grows; autograd covers those points.
    assume(not near_kink(name, x, y, 1000 * max(hx, hy)))
    with np.errstate(**FLOATING_POINT_ERRORS):
        gx, gy = s.gradient(x, y)
        fd_x = (s.value(x + hx, y) - s.value(x - hx, y)) / (2 * hx)
        fd_y = (s.value(x, y + hy) - s.value(x, y - hy)) / (2 * hy)
    atol = 1e-7 * (1 + abs(float(s.value(x, y))))  # rounding of f, amplified by 1/h
    np.testing.assert_allclose([gx, gy], [fd_x, fd_y], rtol=1e-6, atol=atol)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_gradient_matches_autograd_on_the_domain(name, data):
    s = surfaces.get(name)
    x, y = data.draw(domain_points(s))
    assume(not near_kink(name, x, y, 1e-6))
    with np.errstate(**FLOATING_POINT_ERRORS):
        gradient = s.gradient(x, y)
    np.testing.assert_allclose(gradient, autograd_gradient(name, x, y), rtol=1e-9,
                               atol=1e-12 * (1 + abs(float(s.value(x, y)))))


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, deadline=None)
@given(x=extreme, y=extreme)
def test_extreme_inputs_give_finite_correct_values_without_warnings(name, x, y):
    s = surfaces.get(name)
    with np.errstate(**FLOATING_POINT_ERRORS):
        z, (gx, gy) = s.value(x, y), s.gradient(x, y)
    assert np.isfinite([z, gx, gy]).all()
    assert z == pytest.approx(float(AUTOGRAD_F[name](x, y)), rel=1e-9, abs=1e-9)
    if not near_kink(name, x, y, 1e-6):
        # Rounding of the largest terms (about |f|) bounds the absolute error.
        np.testing.assert_allclose([gx, gy], autograd_gradient(name, x, y), rtol=1e-9,
                                   atol=1e-9 * (1 + abs(float(z))))


def test_sinc_well_gradient_is_finite_and_right_at_and_near_zero():
    s = surfaces.get("sinc_well")
    for t in (0.0, -0.0, 1e-300, 1e-8, -1e-8, 1e-4, 0.009999999, 0.01, 0.010000001, 0.3):
        with np.errstate(**FLOATING_POINT_ERRORS):
            gx, gy = s.gradient(t, 0.0)
            gx2, gy2 = s.gradient(0.0, t)
        expected, _ = autograd_gradient("sinc_well", t, 0.0)
        assert np.isfinite([gx, gy, gx2, gy2]).all()
        assert gy == 0.0 and gx2 == 0.0
        assert gx == pytest.approx(expected, rel=1e-12, abs=1e-300)
        assert gy2 == pytest.approx(expected, rel=1e-12, abs=1e-300)
    assert s.gradient(0.0, 0.0) == (0.0, 0.0)
    # Near 0, -sinc t = -1 + π²t²/6 - ..., so the slope is π²t/3 + t/5 to first order.
    assert s.gradient(1e-8, 0.0)[0] == pytest.approx((PI**2 / 3 + 0.2) * 1e-8, rel=1e-12)


def test_ackley_gradient_is_the_zero_subgradient_at_the_tip_and_finite_nearby():
    s = surfaces.get("ackley")
    with np.errstate(**FLOATING_POINT_ERRORS):
        assert s.gradient(0.0, 0.0) == (0.0, 0.0)
        for t in (5e-324, 1e-300, 1e-20, 1e-8):
            gx, gy = s.gradient(t, t)
            assert np.isfinite([gx, gy]).all() and gx == pytest.approx(2.0, rel=1e-6)


# --- Vectorisation --------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_vectorised_over_any_shape(name, shape):
    s = surfaces.get(name)
    rng = np.random.default_rng([NAMES.index(name), len(shape)])
    (x0, x1), (y0, y1) = s.domain
    x, y = rng.uniform(x0, x1, shape), rng.uniform(y0, y1, shape)
    z, (gx, gy) = s.value(x, y), s.gradient(x, y)
    assert z.shape == gx.shape == gy.shape == shape
    assert z.dtype == gx.dtype == gy.dtype == np.float64
    for index in np.ndindex(shape):
        assert z[index] == s.value(float(x[index]), float(y[index]))
        assert (gx[index], gy[index]) == s.gradient(float(x[index]), float(y[index]))
    p = np.stack([x, y], axis=-1)
    np.testing.assert_array_equal(s.value_xy(p), z)
    np.testing.assert_array_equal(s.gradient_xy(p), np.stack([gx, gy], axis=-1))


@pytest.mark.parametrize("name", NAMES)
def test_a_point_has_the_same_numbers_alone_or_in_a_batch(name):
    """One point's value and gradient equal its entries of a batch, to the last bit, so a
    one-start run equals its row of a many-start run (as atlas.trajectory promises). On
    0-d arrays numpy computes with scalars, whose t**2 is not always the exact square."""
    s = surfaces.get(name)
    rng = np.random.default_rng([NAMES.index(name), 7])
    (x0, x1), (y0, y1) = s.domain
    p = np.column_stack([rng.uniform(x0, x1, 2000), rng.uniform(y0, y1, 2000)])
    z, g = s.value_xy(p), s.gradient_xy(p)
    alone = [(s.value_xy(q), s.gradient_xy(q), s.value(*q), s.gradient(*q)) for q in p]
    np.testing.assert_array_equal([a[0] for a in alone], z)
    np.testing.assert_array_equal([a[1] for a in alone], g)
    np.testing.assert_array_equal([a[2] for a in alone], z)
    np.testing.assert_array_equal([a[3] for a in alone], g)
    assert all(np.shape(a[0]) == () and np.shape(a[1]) == (2,) for a in alone)


@pytest.mark.parametrize("name", NAMES)
def test_broadcasting_and_plain_numbers(name):
    s = surfaces.get(name)
    (x0, x1), (y0, y1) = s.domain
    x, y = np.linspace(x0, x1, 4)[:, None], np.linspace(y0, y1, 3)[None, :]
    X, Y = np.broadcast_arrays(x, y)
    np.testing.assert_array_equal(s.value(x, y), s.value(X, Y))
    for g, G in zip(s.gradient(x, y), s.gradient(X, Y), strict=True):
        assert g.shape == (4, 3)
        np.testing.assert_array_equal(g, G)
    assert s.value(1, 0).dtype == np.float64 and s.value(1, 0) == s.value(1.0, 0.0)
    with pytest.raises(ValueError, match=r"\(\.\.\., 2\)"):
        s.value_xy(np.zeros((4, 3)))


# --- Minima and critical points -------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_stated_points_are_critical_to_the_last_digits(name):
    s = surfaces.get(name)
    for p in (*s.minima, *s.critical):
        with np.errstate(**FLOATING_POINT_ERRORS):
            z, g = s.value(p.x, p.y), s.gradient_xy((p.x, p.y))
        assert z == pytest.approx(p.value, rel=1e-12, abs=1e-12), p
        assert np.abs(g).max() <= 1e-7 * (1 + abs(p.value)), p
        H = hessian(s, p.x, p.y)
        eigenvalues = np.linalg.eigvalsh(H)
        if np.abs(eigenvalues).min() > 1e-3:  # a Newton step: how far the true point is
            step = np.linalg.solve(H, g)
            assert np.abs(step).max() <= 1e-13 * (1 + abs(p.x) + abs(p.y)), p
        tol = 1e-6 * (1 + np.abs(eigenvalues).max())
        if p.kind in {"global minimum", "local minimum"}:
            assert eigenvalues.min() > tol, (p, eigenvalues)
        elif p.kind == "local maximum":
            assert eigenvalues.max() < -tol, (p, eigenvalues)
        else:  # a saddle: neither a minimum nor a maximum (possibly degenerate)
            assert eigenvalues.min() <= tol and eigenvalues.max() >= -tol, (p, eigenvalues)


@pytest.mark.parametrize("name", [n for n in NAMES if surfaces.get(n).minima])
def test_no_grid_point_beats_the_global_minimum(name):
    s = surfaces.get(name)
    (x0, x1), (y0, y1) = s.domain
    X, Y = np.meshgrid(np.linspace(x0, x1, 601), np.linspace(y0, y1, 601))
    with np.errstate(**FLOATING_POINT_ERRORS):
        Z = s.value(X, Y)
    assert Z.min() >= s.f_min - 1e-12 * (1 + abs(s.f_min))
    # The best grid point sits next to one of the stated global minima.
    i = np.unravel_index(np.argmin(Z), Z.shape)
    distance = min(math.hypot(X[i] - p.x, Y[i] - p.y) for p in s.minima)
    assert distance <= 0.02 * math.hypot(x1 - x0, y1 - y0)


@pytest.mark.parametrize("name", [n for n in NAMES if not surfaces.get(n).minima])
def test_surfaces_without_minima_are_unbounded_below(name):
    s = surfaces.get(name)
    (x0, x1), (y0, y1) = s.domain
    t = np.linspace(0, 2 * PI, 16, endpoint=False)
    radius = 1e3 * max(x1 - x0, y1 - y0)
    assert s.value(radius * np.cos(t), radius * np.sin(t)).min() < -1e6
    assert s.f_min is None


# --- Look-up, validation, pickling ----------------------------------------------------------

def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match="rosenbrock"):
        surfaces.get("rosenbrok")
    with pytest.raises(KeyError, match="six_hump_camel"):
        surfaces.get("nope")  # the message lists every valid name


@pytest.mark.parametrize(
    ("change", "message"),
    [({"start": (9.0, 0.0)}, "9.0"), ({"description": "two\nlines"}, "one line"),
     ({"domain": ((1.0, -1.0), (-1.0, 1.0))}, "domain"), ({"view": (120.0, 0.0)}, "120"),
     ({"minima": (Point(0.0, 0.0, 0.0, "saddle point"),)}, "global"),
     ({"critical": (Point(0.0, 0.0, 0.0, "peak"),)}, "peak")],
)
def test_bad_declarations_are_rejected_with_the_bad_value(change, message):
    fields = {"name": "bowl", "title": "Bowl", "latex": "f(x, y) = x^2 + y^2",
              "description": "A bowl", "f": lambda x, y: x**2 + y**2,
              "grad": lambda x, y: (2 * x, 2 * y), "domain": ((-1.0, 1.0), (-1.0, 1.0)),
              "start": (0.5, 0.5), "minima": (Point(0.0, 0.0, 0.0),)}
    Surface(**fields)  # valid as it stands
    with pytest.raises(ValueError, match=message):
        Surface(**(fields | change))


@pytest.mark.parametrize("name", NAMES)
def test_surfaces_pickle_by_name(name):
    assert pickle.loads(pickle.dumps(surfaces.get(name))) is surfaces.get(name)
