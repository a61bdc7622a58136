"""Check back-propagation against the numerical gradient, and time both.

The course notes compute gradients first by central differences,

.. math::

    \\frac{\\partial L}{\\partial \\theta_i} \\approx
    \\frac{L(\\theta + h e_i) - L(\\theta - h e_i)}{2h},

which needs two loss evaluations per parameter, then by back-propagation,
which costs about one forward and one backward pass for all of them. The check
compares the two and reports the times, which shows why back-propagation is
used (the ratio grows with the number of parameters).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from atlas.nn.model import Sequential


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of ``f()`` with respect to every entry of the array ``x``.

    As in the notes, ``x`` is changed in place one entry at a time (``f`` reads
    it) and each entry is restored to its exact original value afterwards.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f()
        x[index] = original - h
        f_minus = f()
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """:math:`\\max_i |a_i - n_i| / \\max(\\max_i |a_i|, \\max_i |n_i|)` (0 if both are 0).

    Scaled by the array's largest entry rather than entry by entry, so that
    entries that are zero up to rounding (dead ReLU units) do not dominate.
    """
    scale = max(
        float(np.max(np.abs(analytic), initial=0.0)), float(np.max(np.abs(numeric), initial=0.0))
    )
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(analytic - numeric))) / scale


@dataclass(frozen=True)
class GradientCheck:
    """Result of :func:`gradient_check`."""

    max_relative_error: float
    errors: dict[str, float]  # parameter key -> relative error
    backprop_seconds: float
    numerical_seconds: float

    @property
    def speedup(self) -> float:
        """How many times faster back-propagation was than central differences."""
        return self.numerical_seconds / max(self.backprop_seconds, 1e-12)


def gradient_check(
    model: Sequential, x: np.ndarray, t: np.ndarray, *, h: float = 1e-5
) -> GradientCheck:
    """Compare back-propagated and numerical gradients of ``model``'s loss on ``(x, t)``.

    Evaluation mode (no dropout). Use a float64 model: in float32 the rounding
    error of a central difference, about :math:`10^{-7}/h`, hides the answer.
    """
    params = model.params()
    dtypes = {v.dtype for v in params.values()}
    if dtypes != {np.dtype(np.float64)}:
        found = ", ".join(sorted(map(str, dtypes)))
        raise ValueError(f"gradient_check needs a float64 model, got dtypes {found}")
    x = np.asarray(x, dtype=np.float64)

    start = time.perf_counter()
    model.loss_and_grads(x, t, train=False)
    analytic = {k: v.copy() for k, v in model.grads().items()}
    backprop_seconds = time.perf_counter() - start

    start = time.perf_counter()
    numeric = {k: numerical_gradient(lambda: model.loss(x, t), p, h) for k, p in params.items()}
    numerical_seconds = time.perf_counter() - start

    errors = {k: relative_error(analytic[k], numeric[k]) for k in params}
    return GradientCheck(
        max_relative_error=max(errors.values(), default=0.0),
        errors=errors,
        backprop_seconds=backprop_seconds,
        numerical_seconds=numerical_seconds,
    )
