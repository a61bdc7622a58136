r"""What a gradient costs: central differences against back-propagation, measured.

Central differences need two loss evaluations *per parameter*,

.. math:: \frac{\partial L}{\partial \theta_i} \approx
          \frac{L(\theta + h e_i) - L(\theta - h e_i)}{2h},

so :math:`2P` forward passes for a network of :math:`P` parameters, each costing
about :math:`P` multiply-adds: :math:`O(P^2)` in all. Back-propagation gets all
:math:`P` partial derivatives from one forward and one backward pass,
:math:`O(P)`. :func:`measure` times both on a small MLP of :mod:`atlas.nn` via
:func:`atlas.nn.gradient_check`, which also confirms that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import nn


@dataclass(frozen=True)
class GradientCost:
    """One measurement: the network, its size and both times (seconds, wall clock)."""

    spec: str
    n_params: int
    forward_passes: int  # 2P: what central differences need
    backprop_seconds: float
    numerical_seconds: float
    max_relative_error: float

    @property
    def speedup(self) -> float:
        """How many times faster back-propagation was."""
        return self.numerical_seconds / max(self.backprop_seconds, 1e-12)


def measure(spec: str, rng: np.random.Generator, *, batch: int = 16,
            activation: str = "sigmoid") -> GradientCost:
    """Time both gradients of a float64 MLP ``spec`` (e.g. ``"4-8-3"``) on a random batch.

    Weights, inputs and class labels are drawn from ``rng``; the loss is the
    softmax cross-entropy of :class:`atlas.nn.Sequential`.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive integer, got {batch!r}")
    widths = nn.parse_spec(spec)
    model = nn.mlp(widths, activation, rng=rng, dtype=np.float64)
    x = rng.standard_normal((batch, widths[0]))
    t = rng.integers(0, widths[-1], size=batch)
    check = nn.gradient_check(model, x, t)
    n_params = model.n_params()
    return GradientCost(spec=nn.spec_string(widths), n_params=n_params,
                        forward_passes=2 * n_params,
                        backprop_seconds=check.backprop_seconds,
                        numerical_seconds=check.numerical_seconds,
                        max_relative_error=check.max_relative_error)
