"""Every activation, checked against independent formulas, finite differences and autograd.

The tests are driven by ``activations.names()``: a new entry is tested as soon
as it is registered, and fails until it has a reference formula in REFERENCE
(written a second time, in ``autograd.numpy``, independently of the package).
"""

from __future__ import annotations

import itertools
import math

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import make_vjp
from autograd.extend import defvjp, primitive
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from atlas import activations
from atlas.activations import PROPERTY_KEYS, special
from atlas.registry import UnknownNameError

NAMES = activations.names()
ELEMENTWISE = [n for n in NAMES if activations.get(n).elementwise]
VECTOR = [n for n in NAMES if not activations.get(n).elementwise]
REQUIRED = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus",
            "gelu", "gelu_tanh", "silu", "mish", "hardtanh", "hardsigmoid", "hardswish",
            "softsign", "softmax", "log_softmax"]
SETTINGS = settings(max_examples=50, deadline=None)


@primitive
def erf(x):
    """The C library's erf, elementwise: an independent reference for the package's own."""
    return np.vectorize(math.erf, otypes=[float])(x)


defvjp(erf, lambda ans, x: lambda g: g * 2.0 / math.sqrt(math.pi) * anp.exp(-x * x))

SELU_SCALE, SELU_ALPHA = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717


def _lse(x):
    m = anp.max(x, axis=-1, keepdims=True)
    return m + anp.log(anp.sum(anp.exp(x - m), axis=-1, keepdims=True))


def _log_softmax(x):
    # (x - m) first: x - lse(x) would add m back and lose up to ulp(m) (3e-14 at m = 128)
    shifted = x - anp.max(x, axis=-1, keepdims=True)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=-1, keepdims=True))


def _neg(x, a):  # ELU-style negative branch written with exp(x) - 1 (not expm1)
    return a * (anp.exp(anp.minimum(x, 0.0)) - 1.0)


# name -> f(x, act) in autograd.numpy: the second, independent implementation.
REFERENCE = {
    "identity": lambda x, a: x + 0.0,
    "sigmoid": lambda x, a: 0.5 * (anp.tanh(0.5 * x) + 1.0),
    "tanh": lambda x, a: anp.tanh(x),
    "relu": lambda x, a: anp.where(x > 0, x, 0.0 * x),
    "leaky_relu": lambda x, a: anp.where(x > 0, x, a.negative_slope * x),
    "elu": lambda x, a: anp.where(x > 0, x, _neg(x, a.alpha)),
    "selu": lambda x, a: SELU_SCALE * anp.where(x > 0, x, _neg(x, SELU_ALPHA)),
    "softplus": lambda x, a: anp.where(a.beta * x > a.threshold, x,
                                       anp.logaddexp(0.0, a.beta * x) / a.beta),
    "gelu": lambda x, a: 0.5 * x * (1.0 + erf(x / math.sqrt(2.0))),
    "gelu_tanh": lambda x, a: 0.5 * x * (
        1.0 + anp.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3))),
    "silu": lambda x, a: x * 0.5 * (1.0 + anp.tanh(0.5 * a.beta * x)),
    "mish": lambda x, a: x * anp.tanh(anp.logaddexp(0.0, x)),
    "hardtanh": lambda x, a: anp.clip(x, a.min_val, a.max_val),
    "hardsigmoid": lambda x, a: anp.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "hardswish": lambda x, a: x * anp.clip(x + 3.0, 0.0, 6.0) / 6.0,
    "softsign": lambda x, a: x / (1.0 + anp.abs(x)),
    "softmax": lambda x, a: anp.exp(x - _lse(x)),
    "log_softmax": lambda x, a: _log_softmax(x),
    "relu6": lambda x, a: anp.clip(x, 0.0, 6.0),
    "celu": lambda x, a: anp.where(x > 0, x, a.alpha * (anp.exp(anp.minimum(x, 0.0) / a.alpha)
                                                        - 1.0)),
    "logsigmoid": lambda x, a: -anp.logaddexp(0.0, -x),
}

# name -> points where f is not differentiable (or, for softplus, PyTorch's switch to x).
KINKS = {
    "relu": lambda a: (0.0,), "leaky_relu": lambda a: (0.0,), "elu": lambda a: (0.0,),
    "selu": lambda a: (0.0,), "celu": lambda a: (0.0,), "relu6": lambda a: (0.0, 6.0),
    "softplus": lambda a: (a.threshold / a.beta,),
    "hardtanh": lambda a: (a.min_val, a.max_val), "hardsigmoid": lambda a: (-3.0, 3.0),
    "hardswish": lambda a: (-3.0, 3.0),
}

SPECIAL = [0.0, 1e-8, -1e-8, 1.0, -1.0, 30.0, -30.0, 1000.0, -1000.0, 2.5, -0.75]
value = st.one_of(st.floats(-1000.0, 1000.0), st.sampled_from(SPECIAL),
                  st.floats(-40.0, 40.0))
vectors = arrays(np.float64, st.integers(1, 6), elements=value)


def away_from_kinks(name: str, act, x: np.ndarray) -> np.ndarray:
    """``x`` without the points within 1e-4 of a kink (finite differences need smoothness)."""
    keep = np.ones(x.shape, dtype=bool)
    for kink in KINKS.get(name, lambda a: ())(act):
        keep &= np.abs(x - kink) > 1e-4
    return x[keep]


def reference(name: str, act):
    return lambda x: REFERENCE[name](x, act)


def random_dy(x: np.ndarray) -> np.ndarray:
    return np.random.default_rng(x.size).standard_normal(x.shape)


def fd_atol(y: np.ndarray) -> float:
    """Rounding in f(x ± h) limits central differences to ~ 1e-10 max|f| per entry."""
    return 1e-8 * max(1.0, float(np.max(np.abs(y))))


def central_differences(f, x: np.ndarray) -> np.ndarray:
    """J[i, j] = ∂f_i/∂x_j by central differences, step 1e-6 max(1, |x_j|)."""
    jac = np.empty((x.size, x.size))
    for j in range(x.size):
        h = 1e-6 * max(1.0, abs(x[j]))
        e = np.zeros_like(x)
        e[j] = h
        jac[:, j] = (f(x + e) - f(x - e)) / (2.0 * h)
    return jac


# ----------------------------------------------------------------------- the registry


def test_required_names_come_first_in_order():
    assert NAMES[: len(REQUIRED)] == REQUIRED
    assert len(NAMES) >= 17
    assert VECTOR == ["softmax", "log_softmax"]


def test_every_activation_has_a_reference_formula():
    assert set(NAMES) <= set(REFERENCE), set(NAMES) - set(REFERENCE)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_complete(name):
    act = activations.get(name)
    assert act.name == name
    for text in (act.title, act.description, act.latex, act.derivative_latex, act.range):
        assert isinstance(text, str) and text.strip()
    assert "\n" not in act.description
    for items in (act.pros, act.cons):
        assert isinstance(items, tuple) and items and all(isinstance(s, str) and s for s in items)
    assert set(act.properties) == set(PROPERTY_KEYS)
    assert all(isinstance(v, bool) for v in act.properties.values())


def test_get_rejects_unknown_names_and_bad_parameters():
    with pytest.raises(UnknownNameError, match="Did you mean 'relu'"):
        activations.get("rellu")
    with pytest.raises(ValueError, match=r"-1\.0"):
        activations.get("elu", alpha=-1.0)
    with pytest.raises(ValueError, match="nan"):
        activations.get("leaky_relu", negative_slope=float("nan"))
    with pytest.raises(ValueError, match="'a'"):
        activations.get("silu", beta="a")
    with pytest.raises(ValueError, match=r"min_val=2\.0"):
        activations.get("hardtanh", min_val=2.0, max_val=1.0)
    with pytest.raises(ValueError, match="valid parameters: negative_slope"):
        activations.get("leaky_relu", slope=0.1)
    with pytest.raises(ValueError, match="integer"):
        activations.get("softmax", axis=0.5)
    assert activations.get("leaky_relu", negative_slope=1).negative_slope == 1.0


# ------------------------------------------------------------ values and gradients


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(x=vectors)
def test_forward_matches_the_reference_formula(name, x):
    act = activations.get(name)
    with np.errstate(over="ignore", under="ignore"):
        expected = reference(name, act)(x)
    # atol: some reference formulas (e^x - 1, log of a sum) lose digits near 0
    np.testing.assert_allclose(act.forward(x), expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(x=vectors)
def test_backward_matches_autograd(name, x):
    act = activations.get(name)
    x = away_from_kinks(name, act, x)
    if x.size == 0:
        return
    dy = random_dy(x)
    with np.errstate(over="ignore", under="ignore"):
        vjp, _ = make_vjp(reference(name, act))(x)
        expected = vjp(dy)
    np.testing.assert_allclose(act.vjp(x, act.forward(x), dy), expected,
                               rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(x=vectors)
def test_backward_matches_central_differences(name, x):
    act = activations.get(name)
    x = away_from_kinks(name, act, x)
    if x.size == 0:
        return
    dy = random_dy(x)
    y = act.forward(x)
    jac = central_differences(act.forward, x)
    np.testing.assert_allclose(act.vjp(x, y, dy), jac.T @ dy,
                               rtol=1e-6, atol=fd_atol(y))


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "softplus", "silu", "hardtanh", "celu"])
@pytest.mark.parametrize("params", [0, 1])
def test_non_default_parameters_match_the_reference(name, params):
    chosen = {"leaky_relu": [{"negative_slope": 0.2}, {"negative_slope": -0.5}],
              "elu": [{"alpha": 0.5}, {"alpha": 2.0}],
              "softplus": [{"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}],
              "silu": [{"beta": 1.702}, {"beta": 0.3}],
              "hardtanh": [{"min_val": -2.0, "max_val": 0.5}, {"min_val": 0.0, "max_val": 6.0}],
              "celu": [{"alpha": 0.5}, {"alpha": 3.0}]}[name][params]
    act = activations.get(name, **chosen)
    x = away_from_kinks(name, act, np.linspace(-12.0, 12.0, 97))
    dy = random_dy(x)
    vjp, expected = make_vjp(reference(name, act))(x)
    np.testing.assert_allclose(act.forward(x), expected, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(act.vjp(x, act.forward(x), dy), vjp(dy), rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_allclose(act.vjp(x, act.forward(x), dy),
                               central_differences(act.forward, x).T @ dy, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_is_backward_with_unit_upstream(name):
    act = activations.get(name)
    x = np.linspace(-8.0, 8.0, 321)
    np.testing.assert_array_equal(act.derivative(x),
                                  act.vjp(x, act.forward(x), np.ones_like(x)))


@pytest.mark.parametrize("name", VECTOR)
def test_vector_activations_have_no_elementwise_derivative(name):
    with pytest.raises(TypeError, match="vjp"):
        activations.get(name).derivative(np.zeros(3))


@pytest.mark.parametrize("name", NAMES)
def test_backward_never_modifies_its_inputs(name):
    act = activations.get(name)
    x = np.linspace(-4.0, 4.0, 12).reshape(3, 4)
    y, dy = act.forward(x), random_dy(x)
    copies = [a.copy() for a in (x, y, dy)]
    for a in (x, y, dy):
        a.setflags(write=False)
    act.vjp(x, y, dy)
    act.forward(x)
    for a, c in zip((x, y, dy), copies, strict=True):
        np.testing.assert_array_equal(a, c)


# -------------------------------------------------------------------------- stability


@pytest.mark.parametrize("name", NAMES)
def test_finite_everywhere_without_warnings(name):
    act = activations.get(name)
    x = np.concatenate([np.linspace(-1000.0, 1000.0, 4001), SPECIAL, [-1e300, 1e300]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = act.forward(x)
        dx = act.vjp(x, y, np.ones_like(x))
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(dx))
        if act.elementwise:
            assert np.all(np.isfinite(act.derivative(x)))


def test_exact_values_at_the_extremes():
    sigmoid, softplus = activations.get("sigmoid"), activations.get("softplus")
    assert sigmoid.forward(np.array(-1000.0)) == 0.0
    assert sigmoid.forward(np.array(1000.0)) == 1.0
    assert softplus.forward(np.array(1000.0)) == 1000.0
    assert softplus.forward(np.array(-1000.0)) == 0.0
    assert activations.get("mish").derivative(np.array(1000.0)) == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_array_equal(activations.get("log_softmax").forward(np.array([1000.0, 0.0])),
                                  [0.0, -1000.0])
    np.testing.assert_array_equal(activations.get("softmax").forward(np.array([1000.0, 0.0])),
                                  [1.0, 0.0])
    # log(1 + 2e^-20) to the last digit (log of the rounded sum keeps only 8 of them)
    assert activations.get("log_softmax").forward(np.array([20.0, 0.0, 0.0]))[0] == (
        pytest.approx(-math.log1p(2.0 * math.exp(-20.0)), rel=2e-16))


def test_tails_keep_their_relative_precision():
    """Where 1 - y or 1 - y**2 would be 0, the derivatives keep every digit."""
    e = math.exp(-40.0)
    assert activations.get("sigmoid").derivative(np.array(40.0)) == pytest.approx(
        e / (1 + e) ** 2, rel=1e-14)
    assert activations.get("tanh").derivative(np.array(20.0)) == pytest.approx(
        4 * e / (1 + e) ** 2, rel=1e-14)
    assert activations.get("elu").derivative(np.array(-40.0)) == pytest.approx(e, rel=1e-14)
    assert activations.get("logsigmoid").forward(np.array(-1000.0)) == -1000.0
    # GELU in the far left tail: x Φ(x) with Φ(-10) = erfc(10/√2)/2 = 7.619853024160527e-24
    assert activations.get("gelu").forward(np.array(-10.0)) == pytest.approx(
        -10.0 * 7.619853024160527e-24, rel=1e-14)


def test_mish_derivative_where_the_notes_formula_overflows():
    """The notes' e^{3x} form overflows for x > 236.6; the stable form is ≈ 1 there."""
    mish = activations.get("mish")
    x = np.array([236.0, 300.0, 700.0, 1000.0])
    np.testing.assert_allclose(mish.derivative(x), 1.0, rtol=1e-15)
    with np.errstate(over="ignore", invalid="ignore"):
        ex = np.exp(x)
        omega = 4 * (x + 1) + 4 * ex**2 + ex**3 + ex * (4 * x + 6)
        delta = 2 * ex + ex**2 + 2
        assert not np.all(np.isfinite(ex * omega / delta**2))


# ----------------------------------------------------------------- softmax's Jacobian


@pytest.mark.parametrize("name", VECTOR)
@SETTINGS
@given(x=arrays(np.float64, st.integers(2, 6), elements=st.floats(-50.0, 50.0)))
def test_backward_is_the_jacobian_transpose_times_dy(name, x):
    act = activations.get(name)
    dy = random_dy(x)
    np.testing.assert_allclose(act.vjp(x, act.forward(x), dy), act.jacobian(x).T @ dy,
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(act.jacobian(x), central_differences(act.forward, x),
                               rtol=1e-6, atol=fd_atol(act.forward(x)))


def test_softmax_backward_is_not_the_notes_elementwise_formula():
    softmax = activations.get("softmax")
    x, dy = np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5])
    y = softmax.forward(x)
    right = softmax.vjp(x, y, dy)
    notes = y * (1.0 - y) * dy  # the course notes' (wrong) elementwise rule
    assert np.max(np.abs(right - notes)) > 0.05
    assert abs(right.sum()) < 1e-15  # softmax outputs sum to 1, so their changes sum to 0
    assert abs(notes.sum()) > 0.05
    np.testing.assert_allclose(right, (np.diag(y) - np.outer(y, y)) @ dy, rtol=1e-14)


@pytest.mark.parametrize("name", VECTOR)
def test_axis_parameter(name):
    x = np.random.default_rng(0).standard_normal((3, 4))
    dy = random_dy(x)
    along_0 = activations.get(name, axis=0)
    last = activations.get(name)
    np.testing.assert_allclose(along_0.forward(x), last.forward(x.T).T, rtol=1e-15)
    np.testing.assert_allclose(along_0.vjp(x, along_0.forward(x), dy),
                               last.vjp(x.T, last.forward(x.T), dy.T).T, rtol=1e-15)
    with pytest.raises(ValueError, match="1-D"):
        last.jacobian(x)


# ---------------------------------------------------------------------- erf and erfc


def test_erf_and_erfc_match_the_c_library():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.uniform(-6, 6, 4000), rng.uniform(-27, 27, 1000),
                        np.linspace(0.9, 1.1, 201), [0.0, -0.0, 1e-300, 5e-324, 26.0, -26.0]])
    erf_ref = np.array([math.erf(v) for v in x])
    erfc_ref = np.array([math.erfc(v) for v in x])
    ulps = np.abs(special.erf(x) - erf_ref) / np.spacing(np.abs(erf_ref))
    assert ulps.max() <= 2
    np.testing.assert_allclose(special.erfc(x), erfc_ref, rtol=2e-15, atol=0)
    assert special.erf(np.array([np.inf, -np.inf, 40.0])).tolist() == [1.0, -1.0, 1.0]
    assert special.erfc(np.array([np.inf, -np.inf, 40.0])).tolist() == [0.0, 2.0, 0.0]


# ------------------------------------------------------------- PyTorch (optional check)


def _torch_table(torch):
    F = torch.nn.functional
    return {
        "identity": lambda x, a: x * 1.0, "sigmoid": lambda x, a: torch.sigmoid(x),
        "tanh": lambda x, a: torch.tanh(x), "relu": lambda x, a: F.relu(x),
        "leaky_relu": lambda x, a: F.leaky_relu(x, a.negative_slope),
        "elu": lambda x, a: F.elu(x, a.alpha), "selu": lambda x, a: F.selu(x),
        "softplus": lambda x, a: F.softplus(x, a.beta, a.threshold),
        "gelu": lambda x, a: F.gelu(x), "gelu_tanh": lambda x, a: F.gelu(x, approximate="tanh"),
        "silu": lambda x, a: x * torch.sigmoid(a.beta * x), "mish": lambda x, a: F.mish(x),
        "hardtanh": lambda x, a: F.hardtanh(x, a.min_val, a.max_val),
        "hardsigmoid": lambda x, a: F.hardsigmoid(x), "hardswish": lambda x, a: F.hardswish(x),
        "softsign": lambda x, a: F.softsign(x), "softmax": lambda x, a: F.softmax(x, a.axis),
        "log_softmax": lambda x, a: F.log_softmax(x, a.axis), "relu6": lambda x, a: F.relu6(x),
        "celu": lambda x, a: F.celu(x, a.alpha), "logsigmoid": lambda x, a: F.logsigmoid(x),
    }


@pytest.mark.parametrize("name", NAMES)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    act = activations.get(name)
    x = np.random.default_rng(2).uniform(-8.0, 8.0, (4, 5))
    x = np.where(np.abs(x) < 1e-3, 0.5, x)  # away from kinks at 0, ±3, 6
    dy = random_dy(x)
    xt = torch.tensor(x, requires_grad=True)
    yt = _torch_table(torch)[name](xt, act)
    yt.backward(torch.tensor(dy))
    np.testing.assert_allclose(act.forward(x), yt.detach().numpy(), rtol=1e-12, atol=1e-15)
    # torch's hardsigmoid backward multiplies by a float32 1/6 (relative error 3e-8)
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10
    np.testing.assert_allclose(act.vjp(x, act.forward(x), dy), xt.grad.numpy(),
                               rtol=rtol, atol=1e-14)


# ------------------------------------------------------------------------------- saturation

SATURATES = {"identity": "none", "sigmoid": "both", "tanh": "both", "softsign": "both",
             "relu": "left", "leaky_relu": "none", "relu6": "both", "elu": "left",
             "softplus": "left", "gelu": "left", "silu": "left", "mish": "left",
             "hardtanh": "both", "hardswish": "left", "logsigmoid": "right",
             "softmax": "both", "log_softmax": "none"}


@pytest.mark.parametrize("name", sorted(SATURATES))
def test_saturation_is_read_from_the_derivative(name):
    assert activations.saturation(activations.get(name)).sides == SATURATES[name]


@pytest.mark.parametrize("name", NAMES)
def test_a_saturating_side_vanishes_all_the_way_out_and_the_others_do_not(name):
    from atlas.activations.saturation import slope

    act = activations.get(name)
    found = activations.saturation(act)
    for sign, vanishes in ((-1.0, found.left), (1.0, found.right)):
        slopes = [slope(act, sign * 10.0**k) for k in range(2, 7)]
        if vanishes:  # already small at 100, and shrinking (or zero) further out
            assert slopes[0] < 1e-3 and all(b <= a for a, b in itertools.pairwise(slopes))
        else:  # the slope stays away from 0 all the way out
            assert min(slopes) > 1e-3, (name, sign, slopes)


def test_a_leaky_slope_moves_the_verdict():
    assert activations.saturation(activations.get("leaky_relu", negative_slope=1e-12)).left
    assert activations.saturation(activations.get("leaky_relu")).sides == "none"
    assert activations.saturation(activations.get("relu")).any
