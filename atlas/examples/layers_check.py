r"""Worked examples of the chapter *Layers from scratch*: what flows through the layer stack,
and a gradient check of its backward rules.

**The stack.** Logistic regression (:class:`atlas.examples.layers.LogisticRegression`) is
three pieces: :math:`z = xW + b`, :math:`p = \sigma(z)`, :math:`L = \mathrm{BCE}(p, t)`.
:func:`stack` runs a batch through them and records, piece by piece, the array that goes
forward and the gradient that comes back, with their shapes: the picture the chapter
draws (``layers/stack``). Every gradient has the shape of what it is the gradient of.

**The gradient check.** The backward rules are checked against central differences,

.. math:: \frac{\partial L}{\partial \theta_i} \approx
          \frac{L(\theta + h e_i) - L(\theta - h e_i)}{2h},

whose error is the sum of a truncation error, of order :math:`h^2`, and a rounding error,
of order :math:`\epsilon_{\text{mach}} / h`. :func:`gradient_check` measures the largest
relative difference for a range of steps :math:`h`: a V on a log-log plot, lowest near
:math:`h \approx \epsilon_{\text{mach}}^{1/3} \approx 10^{-5}` (``layers/gradient_check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atlas.examples.layers import LogisticRegression


@dataclass(frozen=True)
class Piece:
    """One piece of the stack: its name, its rule, what it takes in and puts out (shapes),
    its parameters' shapes, and the shapes of the gradients that flow back through it."""

    name: str
    rule: str  # LaTeX
    input: tuple[int, ...]
    output: tuple[int, ...]
    params: dict[str, tuple[int, ...]]
    grad_input: tuple[int, ...] | None  # ∂L/∂input; None where nothing flows back
    grad_output: tuple[int, ...]  # ∂L/∂output, handed in from above


def stack(model: LogisticRegression, x: np.ndarray, t: np.ndarray) -> list[Piece]:
    """Run ``x`` (targets ``t``) through ``model``'s three pieces and back, recording shapes."""
    target = np.asarray(t, dtype=np.float64)[:, None]
    z = model.linear.forward(x)
    p = model.sigmoid.forward(z)
    loss = np.asarray(model.bce.forward(p, target))
    dp = model.bce.backward(p, target)
    dz = model.sigmoid.backward(dp)
    dx = model.linear.backward(dz, input_grad=True)
    return [
        Piece("Linear", r"z = xW + b", x.shape, z.shape,
              {"W": model.linear.W.shape, "b": model.linear.b.shape}, dx.shape, dz.shape),
        Piece("Sigmoid", r"p = \sigma(z)", z.shape, p.shape, {}, dz.shape, dp.shape),
        Piece("BCE", r"L = \mathrm{BCE}(p, t)", p.shape, loss.shape, {}, dp.shape, ()),
    ]


@dataclass(frozen=True)
class GradientCheck:
    """The largest relative difference between back-propagated and central-difference
    gradients (of every parameter), for each step ``h``."""

    h: np.ndarray
    error: np.ndarray

    @property
    def best(self) -> tuple[float, float]:
        """The step with the smallest error, and that error."""
        k = int(np.argmin(self.error))
        return float(self.h[k]), float(self.error[k])


def gradient_check(model: LogisticRegression, x: np.ndarray, t: np.ndarray,
                   steps: Sequence[float]) -> GradientCheck:
    """Compare ``model.loss_and_grads`` with central differences of its loss, for every
    parameter entry and each step in ``steps``; the model's parameters are left as they
    were."""
    h_values = np.asarray(steps, dtype=np.float64)
    if h_values.ndim != 1 or h_values.size == 0 or not np.all(h_values > 0):
        raise ValueError(f"steps must be positive numbers, got {steps!r}")
    _, grads = model.loss_and_grads(x, t)
    exact = np.concatenate([grads[k].ravel() for k in ("W", "b")])
    errors = []
    for h in h_values:
        numeric = []
        for key in ("W", "b"):
            theta = model.linear.params()[key]
            for i in range(theta.size):
                values = []
                for sign in (1.0, -1.0):
                    moved = theta.copy()
                    moved.flat[i] += sign * h
                    model.linear.set_param(key, moved)
                    values.append(model.loss_and_grads(x, t)[0])
                model.linear.set_param(key, theta)
                numeric.append((values[0] - values[1]) / (2 * h))
        errors.append(float(np.max(np.abs(np.array(numeric) - exact)) / np.max(np.abs(exact))))
    model.loss_and_grads(x, t)  # leave the layer's saved gradients as they were
    return GradientCheck(h=h_values, error=np.array(errors))
