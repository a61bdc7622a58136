"""Every loss, checked against hand-computed values, independent formulas, finite
differences, autograd and (optionally) torch.nn.functional, for every reduction.

Driven by ``losses.names()``: a new loss is tested once registered, and fails
until it has a REFERENCE formula, a HAND value and an INPUTS generator.
"""

from __future__ import annotations

import math
import warnings

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import make_vjp
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import losses
from atlas.registry import UnknownNameError

NAMES = losses.names()
SETTINGS = settings(max_examples=40, deadline=None)
ln = math.log


def reductions(name: str) -> tuple[str, ...]:
    return losses.registry.get(name).reductions


def _lse(z):
    m = anp.max(z, axis=-1, keepdims=True)
    return m + anp.log(anp.sum(anp.exp(z - m), axis=-1, keepdims=True))


def _xlogx(t):
    return anp.where(t > 0, t * anp.log(anp.where(t > 0, t, 1.0)), 0.0)


# name -> unreduced loss l(y, t) in autograd.numpy (row losses take probability rows t).
REFERENCE = {
    "mse": lambda y, t, a: (y - t) ** 2,
    "half_squared_error": lambda y, t, a: 0.5 * (y - t) ** 2,
    "mae": lambda y, t, a: anp.abs(y - t),
    "huber": lambda y, t, a: anp.where(anp.abs(y - t) <= a.delta, 0.5 * (y - t) ** 2,
                                       a.delta * anp.abs(y - t) - 0.5 * a.delta**2),
    "bce": lambda y, t, a: -(t * anp.log(y) + (1 - t) * anp.log(1 - y)),
    "bce_with_logits": lambda y, t, a: t * anp.logaddexp(0, -y) + (1 - t) * anp.logaddexp(0, y),
    "cross_entropy": lambda y, t, a: -anp.sum(t * anp.log(y), axis=-1),
    "softmax_cross_entropy": lambda y, t, a: -anp.sum(t * (y - _lse(y)), axis=-1),
    "nll": lambda y, t, a: -anp.sum(t * y, axis=-1),
    "hinge": lambda y, t, a: anp.maximum(0.0, 1.0 - t * y),
    "kl_div": lambda y, t, a: _xlogx(t) - t * y,
}


def reduce(values, reduction: str, y):
    if reduction == "none":
        return values
    if reduction == "sum":
        return anp.sum(values)
    if reduction == "batchmean":
        return anp.sum(values) / y.shape[0]
    return anp.mean(values)


def _softmax_rows(rng, n, c, scale=2.0):
    z = rng.normal(0.0, scale, (n, c))
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _away(v, kink, gap=1e-3):
    return np.where(np.abs(v - kink) < gap, v + 10 * gap, v)


# name -> (rng, n, c) -> (y, t): valid inputs away from kinks and clamps.
INPUTS = {
    "mse": lambda r, n, c: (r.normal(0, 3, (n, c)), r.normal(0, 3, (n, c))),
    "half_squared_error": lambda r, n, c: (r.normal(0, 3, (n, c)), r.normal(0, 3, (n, c))),
    "mae": lambda r, n, c: (lambda t: (_away(r.normal(0, 3, (n, c)) - t, 0.0) + t, t))(
        r.normal(0, 3, (n, c))),
    "huber": lambda r, n, c: (lambda t: (
        _away(_away(r.normal(0, 2, (n, c)), 1.0), -1.0) + t, t))(r.normal(0, 3, (n, c))),
    "bce": lambda r, n, c: (r.uniform(1e-3, 1 - 1e-3, (n, c)), r.uniform(0, 1, (n, c))),
    "bce_with_logits": lambda r, n, c: (r.normal(0, 5, (n, c)), r.uniform(0, 1, (n, c))),
    "cross_entropy": lambda r, n, c: (_softmax_rows(r, n, c), _softmax_rows(r, n, c)),
    "softmax_cross_entropy": lambda r, n, c: (r.normal(0, 5, (n, c)), _softmax_rows(r, n, c)),
    "nll": lambda r, n, c: (np.log(_softmax_rows(r, n, c)), np.eye(c)[r.integers(0, c, n)]),
    "hinge": lambda r, n, c: (lambda t: (_away(r.normal(0, 2, (n, c)) * t, 1.0) * t, t))(
        r.choice([-1.0, 1.0], (n, c))),
    "kl_div": lambda r, n, c: (np.log(_softmax_rows(r, n, c)),
                               _softmax_rows(r, n, c) * (r.uniform(0, 1, (n, c)) > 0.2)),
}

# name -> (y, t, params, mean loss computed by hand)
HAND = {
    "mse": ([1.0, 2.0, 3.0], [1.0, 0.0, 5.0], {}, 8 / 3),
    "half_squared_error": ([1.0, 2.0, 3.0], [1.0, 0.0, 5.0], {}, 4 / 3),
    "mae": ([1.0, 2.0, 3.0], [1.0, 0.0, 5.0], {}, 4 / 3),
    "huber": ([1.0, 2.0, 3.0, 0.5], [1.0, 0.0, 5.0, 0.0], {}, (0 + 1.5 + 1.5 + 0.125) / 4),
    "bce": ([0.5, 0.25], [1.0, 0.0], {}, (ln(2) + ln(4 / 3)) / 2),
    "bce_with_logits": ([0.0, ln(3)], [1.0, 0.0], {}, (ln(2) + ln(4)) / 2),
    "cross_entropy": ([[0.5, 0.25, 0.25], [0.1, 0.6, 0.3]], [0, 2], {}, (ln(2) - ln(0.3)) / 2),
    "softmax_cross_entropy": ([[0.0, 0.0], [ln(3), 0.0]], [1, 0], {}, (ln(2) + ln(4 / 3)) / 2),
    "nll": ([[-1.0, -2.0], [-0.5, -3.0]], [1, 0], {}, (2.0 + 0.5) / 2),
    "hinge": ([2.0, 0.5, -1.0], [1.0, -1.0, -1.0], {}, (0 + 1.5 + 0) / 3),
    "kl_div": ([[ln(0.5), ln(0.5)]], [[1.0, 0.0]], {"reduction": "batchmean"}, ln(2)),
}

cases = st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 5), st.integers(2, 4))


def _make(name: str, seed: int, n: int, c: int):
    y, t = INPUTS[name](np.random.default_rng(seed), n, c)
    return np.asarray(y, dtype=float), np.asarray(t, dtype=float)


def _dl(loss, y, seed):
    if loss.reduction != "none":
        return 0.7
    shape = y.shape[:-1] if loss.per_row else y.shape
    return np.random.default_rng(seed + 1).standard_normal(shape)


# ------------------------------------------------------------------------ registry


def test_names_and_tables_are_complete():
    assert len(NAMES) >= 10
    for name in ("mse", "half_squared_error", "mae", "huber", "bce", "bce_with_logits",
                 "cross_entropy", "softmax_cross_entropy", "nll", "hinge", "kl_div"):
        assert name in NAMES
    for table in (REFERENCE, INPUTS, HAND):
        assert set(NAMES) <= set(table), set(NAMES) - set(table)


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_complete(name):
    loss = losses.get(name)
    assert loss.name == name and loss.reduction == "mean"
    for text in (loss.title, loss.description, loss.latex, loss.derivative_latex, loss.range):
        assert isinstance(text, str) and text.strip()
    assert "\n" not in loss.description
    for items in (loss.pros, loss.cons):
        assert isinstance(items, tuple) and items and all(isinstance(s, str) and s for s in items)
    assert loss.kind in ("regression", "classification")
    assert loss.input in ("value", "probability", "logit", "log_probability")
    assert {"mean", "sum", "none"} <= set(loss.reductions)


def test_get_validates():
    with pytest.raises(UnknownNameError, match="Did you mean 'mse'"):
        losses.get("mse_")
    with pytest.raises(ValueError, match="'avg'"):
        losses.get("mse", reduction="avg")
    with pytest.raises(ValueError, match="'batchmean'"):
        losses.get("mse", reduction="batchmean")
    with pytest.raises(ValueError, match=r"-2\.0"):
        losses.get("huber", delta=-2.0)
    with pytest.raises(ValueError, match="valid parameters: reduction, delta"):
        losses.get("huber", beta=1.0)
    assert losses.get("kl_div", reduction="batchmean").reduction == "batchmean"


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="-1 or"):
        losses.get("hinge").forward(np.array([0.5]), np.array([0.0]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.get("bce").forward(np.array([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="shape"):
        losses.get("mse").forward(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        losses.get("softmax_cross_entropy").forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="shape"):
        losses.get("nll", reduction="none").backward(np.zeros((2, 3)), [0, 1], np.ones(3))
    with pytest.raises(ValueError, match="number"):
        losses.get("mse").backward(np.zeros(3), np.zeros(3), np.ones(3))


# --------------------------------------------------------------- values and gradients


@pytest.mark.parametrize("name", NAMES)
def test_hand_computed_value(name):
    y, t, params, expected = HAND[name]
    assert losses.get(name, **params).forward(np.array(y), np.array(t)) == pytest.approx(
        expected, rel=1e-14)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(case=cases)
def test_forward_and_backward_match_autograd(name, case):
    y, t = _make(name, *case)
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        dl = _dl(loss, y, case[0])

        def f(y_, loss=loss):
            return reduce(REFERENCE[name](y_, t, loss), loss.reduction, y)

        vjp, expected = make_vjp(f)(y)
        np.testing.assert_allclose(loss.forward(y, t), expected, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(loss.backward(y, t, dl), vjp(dl), rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(case=cases)
def test_forward_backward_is_forward_then_backward(name, case):
    """The fused training step gives the same loss and gradient as the two calls, bit for bit."""
    y, t = _make(name, *case)
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        value, grad = loss.forward_backward(y, t)
        np.testing.assert_array_equal(value, loss.forward(y, t))
        np.testing.assert_array_equal(grad, loss.backward(y, t))
        assert grad.shape == y.shape and grad.dtype == y.dtype


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(case=cases)
def test_backward_matches_central_differences(name, case):
    y, t = _make(name, *case)
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        dl = _dl(loss, y, case[0])
        fd = np.empty_like(y)
        for i in np.ndindex(y.shape):
            h = 1e-6 * max(1.0, abs(y[i]))
            if loss.input == "probability":  # stay inside (0, 1), with a step relative to
                h = 1e-5 * min(y[i], 1 - y[i])  # the nearer edge where log y curves fast
            up, down = y.copy(), y.copy()
            up[i] += h
            down[i] -= h
            fd[i] = np.sum(dl * (np.asarray(loss.forward(up, t)) -
                                 np.asarray(loss.forward(down, t)))) / (2 * h)
        scale = max(1.0, float(np.max(np.abs(np.asarray(loss.forward(y, t))))))
        np.testing.assert_allclose(loss.backward(y, t, dl), fd, rtol=1e-6, atol=1e-7 * scale)


@pytest.mark.parametrize("name", NAMES)
def test_backward_never_modifies_its_inputs(name):
    y, t = _make(name, 3, 4, 3)
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        dl = np.asarray(_dl(loss, y, 3))
        copies = [a.copy() for a in (y, t, dl)]
        for a in (y, t, dl):
            a.setflags(write=False)
        loss.forward(y, t)
        loss.backward(y, t, dl)
        loss.forward_backward(y, t)
        for a, c in zip((y, t, dl), copies, strict=True):
            np.testing.assert_array_equal(a, c)
        y, t = y.copy(), t.copy()


@pytest.mark.parametrize("name", [n for n in NAMES if losses.get(n).per_row])
def test_integer_and_one_hot_targets_agree(name):
    y, _ = _make(name, 5, 6, 4)
    classes = np.array([0, 3, 1, 1, 2, 0])
    one_hot = np.eye(4)[classes]
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        dl = _dl(loss, y, 5)
        np.testing.assert_array_equal(loss.forward(y, classes), loss.forward(y, one_hot))
        np.testing.assert_array_equal(loss.backward(y, classes, dl),
                                      loss.backward(y, one_hot, dl))
        for by_index, by_row in zip(loss.forward_backward(y, classes),
                                    loss.forward_backward(y, one_hot), strict=True):
            np.testing.assert_array_equal(by_index, by_row)


def test_softmax_cross_entropy_gradient_is_softmax_minus_target_over_batch():
    z = np.random.default_rng(0).normal(0, 3, (5, 4))
    t = np.eye(4)[[0, 1, 2, 3, 0]]
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    loss = losses.get("softmax_cross_entropy")
    np.testing.assert_allclose(loss.backward(z, t), (p - t) / 5, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(losses.get("softmax_cross_entropy", reduction="sum").backward(z, t),
                               p - t, rtol=1e-13, atol=1e-16)


def test_half_squared_error_is_half_of_mse():
    y, t = np.array([1.0, -2.0, 0.5]), np.array([0.0, 1.0, 0.5])
    assert losses.get("half_squared_error").forward(y, t) == losses.get("mse").forward(y, t) / 2
    np.testing.assert_array_equal(losses.get("half_squared_error", reduction="sum").backward(y, t),
                                  y - t)


# -------------------------------------------------------------------------- stability


def test_bce_is_finite_at_zero_and_one():
    bce = losses.get("bce", reduction="none")
    y, t = np.array([0.0, 1.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0, 1.0])
    with np.errstate(all="raise"):
        value, grad = bce.forward(y, t), bce.backward(y, t, np.ones(4))
    np.testing.assert_array_equal(value, [100.0, 100.0, 0.0, 0.0])  # PyTorch's clamp at -100
    np.testing.assert_array_equal(grad, [-1e12, 1e12, 0.0, 0.0])  # denominator floored at 1e-12


def test_cross_entropy_with_a_zero_probability_is_finite():
    ce = losses.get("cross_entropy", reduction="none")
    y, t = np.array([[0.0, 1.0], [0.5, 0.5]]), np.array([0, 0])
    with np.errstate(all="raise"):
        value, grad = ce.forward(y, t), ce.backward(y, t, np.ones(2))
    np.testing.assert_allclose(value, [100.0, ln(2)], rtol=1e-15)
    assert np.all(np.isfinite(grad)) and grad[0, 0] < 0


@pytest.mark.parametrize("name", ["bce_with_logits", "softmax_cross_entropy", "nll", "kl_div",
                                  "mse", "huber", "hinge"])
def test_logit_losses_are_exact_at_the_extremes(name):
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0], [0.0, 0.0]])
    t = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    if name == "hinge":
        t = 2 * t - 1
    loss = losses.get(name, reduction="none")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = loss.forward(z, t)
        grad = loss.backward(z, t, np.ones(np.shape(value)))
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    if name == "bce_with_logits":
        np.testing.assert_array_equal(value[:2], [[0.0, 0.0], [1000.0, 1000.0]])
    if name == "softmax_cross_entropy":
        np.testing.assert_array_equal(value, [0.0, 2000.0, ln(2)])
        np.testing.assert_array_equal(grad[:2], [[0.0, 0.0], [-1.0, 1.0]])


# ------------------------------------------------------------- PyTorch (optional check)


def _torch_value(torch, name, y, t, loss, reduction):
    F = torch.nn.functional
    r = reduction

    def rowwise(values):
        return {"mean": values.mean, "sum": values.sum}.get(r, lambda: values)()

    table = {
        "mse": lambda: F.mse_loss(y, t, reduction=r),
        "half_squared_error": lambda: 0.5 * F.mse_loss(y, t, reduction=r),
        "mae": lambda: F.l1_loss(y, t, reduction=r),
        "huber": lambda: F.huber_loss(y, t, reduction=r, delta=loss.delta),
        "bce": lambda: F.binary_cross_entropy(y, t, reduction=r),
        "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(y, t, reduction=r),
        # torch has no cross-entropy on probabilities; its F.cross_entropy(log p) agrees in
        # value but renormalises p (another gradient off the simplex), so the composite:
        "cross_entropy": lambda: rowwise(-(t * torch.log(y).clamp(min=-100)).sum(-1)),
        "softmax_cross_entropy": lambda: F.cross_entropy(y, t, reduction=r),
        "nll": lambda: F.nll_loss(y, t.argmax(-1), reduction=r),
        "hinge": lambda: rowwise(torch.clamp(1 - t * y, min=0)),
        "kl_div": lambda: F.kl_div(y, t, reduction=r),
    }
    with warnings.catch_warnings():  # torch warns that kl_div's "mean" is not the KL
        warnings.simplefilter("ignore", UserWarning)
        return table[name]()


@pytest.mark.parametrize("name", NAMES)
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    y, t = _make(name, 11, 5, 3)
    for reduction in reductions(name):
        loss = losses.get(name, reduction=reduction)
        dl = _dl(loss, y, 11)
        yt = torch.tensor(y, requires_grad=True)
        value = _torch_value(torch, name, yt, torch.tensor(t), loss, reduction)
        value.backward(torch.as_tensor(dl, dtype=torch.float64))
        np.testing.assert_allclose(loss.forward(y, t), value.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(loss.backward(y, t, dl), yt.grad.numpy(), rtol=1e-10,
                                   atol=1e-15)
