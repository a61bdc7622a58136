"""dtype hygiene: float32 in gives float32 out, float64 in gives float64 out.

For every activation (forward and backward) and every loss (forward with
``reduction="none"`` and backward, with class-index targets too), over every
registry entry, so a new entry is checked without a new test. A silent upcast
would double the memory traffic of a float32 network and make it slower.
The float32 results must also agree with the float64 ones to float32
precision, so the cast is not merely cosmetic.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_losses import INPUTS  # valid (y, t) for every loss, away from kinks and clamps

from atlas import activations, losses

FLOATS = (np.float32, np.float64)
# Moderate and extreme inputs, all representable in float32.
GRID = np.concatenate([np.linspace(-8.0, 8.0, 41), [-1e30, -1e4, -100.0, 0.0, 1e-30, 100.0,
                                                     1e4, 1e30]]).reshape(7, 7)


def _close_to_float32(a32: np.ndarray, a64: np.ndarray) -> None:
    """``a32`` equals ``a64`` to within a few float32 ulps (absolutely near 0)."""
    tiny = np.finfo(np.float32).tiny
    np.testing.assert_allclose(a32.astype(np.float64), a64, rtol=1e-5,
                               atol=max(tiny, 1e-6 * float(np.max(np.abs(a64), initial=0.0))))


@pytest.mark.parametrize("name", activations.names())
@pytest.mark.parametrize("dtype", FLOATS)
def test_activation_keeps_the_float_dtype(name, dtype):
    act = activations.get(name)
    rows = GRID[:, :5] if name in ("softmax", "log_softmax") else GRID  # rows of class scores
    x = rows.astype(dtype)
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is fine
        y = act.forward(x)
        dy = np.random.default_rng(0).standard_normal(x.shape).astype(dtype)
        dx = act.vjp(x, y, dy)
    assert y.dtype == dtype, f"{name}.forward: {dtype.__name__} in, {y.dtype} out"
    assert dx.dtype == dtype, f"{name}.backward: {dtype.__name__} in, {dx.dtype} out"


@pytest.mark.parametrize("name", activations.names())
def test_float32_activation_agrees_with_float64(name):
    act = activations.get(name)
    x64 = np.random.default_rng(1).normal(0.0, 3.0, (6, 5)).astype(np.float32).astype(np.float64)
    dy64 = np.random.default_rng(2).normal(0.0, 1.0, x64.shape).astype(np.float32).astype(
        np.float64)
    x32, dy32 = x64.astype(np.float32), dy64.astype(np.float32)
    y32, y64 = act.forward(x32), act.forward(x64)
    _close_to_float32(y32, y64)
    _close_to_float32(act.vjp(x32, y32, dy32), act.vjp(x64, y64, dy64))


def _loss_inputs(name: str, dtype) -> tuple[np.ndarray, np.ndarray]:
    y, t = INPUTS[name](np.random.default_rng(3), 6, 4)
    return np.asarray(y).astype(dtype), np.asarray(t).astype(dtype)


@pytest.mark.parametrize("name", losses.names())
@pytest.mark.parametrize("dtype", FLOATS)
def test_loss_keeps_the_float_dtype(name, dtype):
    y, t = _loss_inputs(name, dtype)
    loss = losses.get(name, reduction="none")
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # underflow is fine
        values = loss.forward(y, t)
        dl = np.ones(values.shape, dtype=dtype)
        grad = loss.backward(y, t, dl)
        mean_grad = losses.get(name).backward(y, t)
    for what, array in (("forward", values), ("backward", grad), ("mean backward", mean_grad)):
        assert array.dtype == dtype, f"{name}.{what}: {dtype.__name__} in, {array.dtype} out"


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.get(n).per_row])
@pytest.mark.parametrize("dtype", FLOATS)
def test_class_index_targets_keep_the_prediction_dtype(name, dtype):
    y, _ = _loss_inputs(name, dtype)
    t = np.random.default_rng(4).integers(0, y.shape[-1], y.shape[0])
    loss = losses.get(name, reduction="none")
    values, grad = loss.forward(y, t), loss.backward(y, t, np.ones(y.shape[0], dtype=dtype))
    assert values.dtype == dtype and grad.dtype == dtype, (values.dtype, grad.dtype)
    one_hot = np.eye(y.shape[-1], dtype=np.float64)[t]
    _close_to_float32(grad, loss.backward(y.astype(np.float64), one_hot, np.ones(y.shape[0])))


@pytest.mark.parametrize("name", losses.names())
def test_float32_loss_agrees_with_float64(name):
    y64, t64 = _loss_inputs(name, np.float32)
    y64, t64 = y64.astype(np.float64), t64.astype(np.float64)  # the same numbers in float64
    loss = losses.get(name, reduction="none")
    y32, t32 = y64.astype(np.float32), t64.astype(np.float32)
    _close_to_float32(loss.forward(y32, t32), loss.forward(y64, t64))
    dl = np.ones(loss.forward(y64, t64).shape)
    _close_to_float32(loss.backward(y32, t32, dl.astype(np.float32)),
                      loss.backward(y64, t64, dl))
