r"""Worked examples of the chapter *Activation functions*: vanishing gradients, and two of
the notes' formulas that fail.

**Vanishing gradients: how much gradient reaches each layer of a deep network.**

Back-propagation multiplies the upstream gradient, layer after layer, by
:math:`W_l^\top` and by the activation's slope :math:`f'(a_l)`:

.. math::

    \frac{\partial L}{\partial h_{l-1}}
      = \Big(\frac{\partial L}{\partial h_l} \odot f'(a_l)\Big) W_l^\top,
    \qquad
    \frac{\partial L}{\partial W_l} = h_{l-1}^\top \Big(\frac{\partial L}{\partial h_l}
      \odot f'(a_l)\Big).

The sigmoid's slope is at most :math:`\sigma'(0) = 1/4`, so through a deep
sigmoid stack the gradient shrinks roughly geometrically towards the input;
ReLU's slope is exactly 1 on active units, and with He initialisation the
gradient keeps its size. :func:`gradient_profile` measures
:math:`\lVert\partial L/\partial W_l\rVert_F` for every layer of an
:func:`atlas.nn.mlp` at its standard initialisation, on random inputs and labels.

**The notes' formulas**, kept only to show (next to atlas's stable versions) where they
break; floating-point warnings are silenced inside each, their overflows are the point:

* :func:`notes_softmax_backward`: the notes' :math:`y(1-y)\bar y`, only the
  diagonal of softmax's Jacobian (right: :meth:`atlas.activations.Softmax.backward`).
* :func:`notes_mish_derivative`: the notes' :math:`e^x\omega/\delta^2`, which
  overflows (right: :meth:`atlas.activations.Mish.derivative`).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from atlas.nn.layers import Linear
from atlas.nn.model import XAVIER_ACTIVATIONS, Sequential, mlp

# ---------------------------------------------------------------------------- vanishing gradients


@dataclass(frozen=True)
class GradientProfile:
    """The weight-gradient norm of every ``Linear`` layer, input side first.

    ``weight_grad_norms[l]`` is :math:`\\lVert\\partial L/\\partial W_{l+1}\\rVert_F`;
    the last entry belongs to the output layer.
    """

    activation: str
    init: str  # "he" or "xavier": the initialisation of the hidden layers
    weight_grad_norms: np.ndarray
    loss: float
    width: int = 0  # units per hidden layer
    batch: int = 0  # random inputs in the batch

    def __post_init__(self) -> None:
        self.weight_grad_norms.flags.writeable = False

    @property
    def depth(self) -> int:
        """The number of hidden layers."""
        return len(self.weight_grad_norms) - 1

    @property
    def attenuation(self) -> float:
        """First hidden layer's gradient norm over the last hidden layer's (1 = none)."""
        return float(self.weight_grad_norms[0] / self.weight_grad_norms[-2])


def deep_stack(
    activation: str, *, depth: int, width: int, classes: int, rng: np.random.Generator,
    init: str = "auto",
) -> Sequential:
    """``depth`` hidden layers of ``width`` units, float64, softmax cross-entropy on top."""
    for name, n in (("depth", depth), ("width", width), ("classes", classes)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    widths = [width] * (depth + 1) + [classes]
    return mlp(widths, activation, rng=rng, init=init, dtype=np.float64)


def gradient_profile(
    activation: str = "sigmoid",
    *,
    rng: np.random.Generator,
    depth: int = 15,
    width: int = 64,
    batch: int = 256,
    classes: int = 10,
    init: str = "auto",
) -> GradientProfile:
    """Weight-gradient norms per layer of a fresh ``depth``-hidden-layer network.

    Inputs are standard normal rows, labels uniform over ``classes``; both and
    the weights are drawn from ``rng``. ``init="auto"`` is the standard choice
    (Xavier for sigmoid-like units, He for rectifiers), as in :func:`atlas.nn.mlp`.
    """
    if isinstance(batch, bool) or not isinstance(batch, numbers.Integral) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    model = deep_stack(activation, depth=depth, width=width, classes=classes, rng=rng, init=init)
    x = rng.standard_normal((batch, width))
    t = rng.integers(0, classes, size=batch)
    loss, _ = model.loss_and_grads(x, t, train=False)
    norms = np.array([np.linalg.norm(layer.grads()["W"])
                      for layer in model.layers if isinstance(layer, Linear)])
    if init == "auto":
        init = "xavier" if activation in XAVIER_ACTIVATIONS else "he"
    return GradientProfile(activation=activation, init=init, weight_grad_norms=norms, loss=loss,
                           width=width, batch=batch)


# ---------------------------------------------------------------------------- the notes' formulas


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
