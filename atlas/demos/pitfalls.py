r"""Formulas as the course notes or a naive textbook write them, to show where they fail.

Nothing here is used for learning: each function is the *wrong* (or fragile)
version of something atlas computes properly elsewhere, kept so the book can
put the two side by side. Floating-point warnings are silenced inside each
one: their overflows are the point of the demonstration.

* :func:`notes_softmax_backward`: the notes' :math:`y(1-y)\bar y`, only the
  diagonal of softmax's Jacobian (right: :meth:`atlas.activations.Softmax.backward`).
* :func:`notes_mish_derivative`: the notes' :math:`e^x\omega/\delta^2`, which
  overflows (right: :meth:`atlas.activations.Mish.derivative`).
* :func:`naive_logsumexp`: :math:`\log\sum e^{x}` as written (right:
  :func:`atlas.activations.logsumexp`).
* :func:`naive_bce_of_logit`: BCE of :math:`\sigma(z)` without clamps (right:
  the ``bce_with_logits`` loss).
"""

from __future__ import annotations

import numpy as np


def notes_softmax_backward(y: np.ndarray, dy: np.ndarray) -> np.ndarray:
    r"""The notes' softmax backward :math:`\bar x = y(1 - y)\,\bar y`: WRONG for softmax.

    It keeps only the diagonal :math:`J_{ii} = y_i(1 - y_i)` of the Jacobian;
    the true product is :math:`y \odot (\bar y - \sum_j \bar y_j y_j)`.
    """
    y, dy = np.asarray(y, dtype=np.float64), np.asarray(dy, dtype=np.float64)
    return y * (1.0 - y) * dy


def notes_mish_derivative(x: np.ndarray) -> np.ndarray:
    r"""The notes' Mish derivative, evaluated literally:

    .. math::

        f'(x) = \frac{e^x \omega}{\delta^2}, \quad
        \omega = 4(x+1) + 4e^{2x} + e^{3x} + e^x(4x+6), \quad
        \delta = 2e^x + e^{2x} + 2.

    Correct in exact arithmetic, but :math:`e^x\omega` and :math:`\delta^2` grow
    like :math:`e^{4x}` and overflow beyond :math:`x \approx 177.4` (and
    :math:`e^{3x}` alone beyond 236.6), where the result is ``inf/inf = nan``.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        e = np.exp(x)
        omega = 4.0 * (x + 1.0) + 4.0 * np.exp(2.0 * x) + np.exp(3.0 * x) + e * (4.0 * x + 6.0)
        delta = 2.0 * e + np.exp(2.0 * x) + 2.0
        return e * omega / delta**2


def naive_logsumexp(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r""":math:`\log\sum_j e^{x_j}` as written: ``inf`` once some :math:`x_j > 709.78`
    (:math:`e^{x_j}` overflows), ``-inf`` once every :math:`x_j < -745` (all underflow)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        return np.log(np.sum(np.exp(x), axis=axis))


def naive_bce_of_logit(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    r"""Binary cross-entropy of :math:`y = 1/(1 + e^{-z})` with unclamped logarithms,
    :math:`-(t\log y + (1 - t)\log(1 - y))`.

    Once :math:`y` rounds to 1 (:math:`z \gtrsim 37`) a wrong label costs
    :math:`-\log 0 = \infty`, and :math:`0 \cdot \log 0` gives ``nan`` for the right one.
    """
    z, t = np.asarray(z, dtype=np.float64), np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        y = 1.0 / (1.0 + np.exp(-z))
        return -(t * np.log(y) + (1.0 - t) * np.log(1.0 - y))
