r"""Vanishing gradients: how much gradient reaches each layer of a deep network.

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
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from atlas.nn.layers import Linear
from atlas.nn.model import XAVIER_ACTIVATIONS, Sequential, mlp


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
    return GradientProfile(activation=activation, init=init, weight_grad_norms=norms, loss=loss)
