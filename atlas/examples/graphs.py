r"""Worked examples of the chapter *Computation graphs and automatic differentiation*.

**The named example graphs**, each built from plain numbers: ``build(**inputs)``
returns the output node and the named input nodes, so the same builder serves
:func:`atlas.graph.trace` and :func:`atlas.graph.numerical_gradient`;
:func:`recording` is the trace of one of them, as the book and its animations show it.

**What a gradient costs: central differences against back-propagation, measured.**

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

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from atlas import nn
from atlas.graph.recording import Trace, trace
from atlas.graph.value import Value, neg_log, sigmoid
from atlas.registry import Registry

# ----------------------------------------------------------------------- the named example graphs


@dataclass(frozen=True)
class Example:
    """A small named expression; ``build(**inputs)`` returns ``(root, named inputs)``."""

    name: str
    latex: str
    description: str
    build: Callable[..., tuple[Value, dict[str, Value]]]


registry: Registry[Example] = Registry("graph example")
get = registry.get


def names() -> list[str]:
    """The names of the example graphs."""
    return registry.names()


def linear_example(a: float = -2.0, b: float = 4.0, x: float = 3.0
                   ) -> tuple[Value, dict[str, Value]]:
    """y = a·x + b: a product, then a sum."""
    a_, b_, x_ = Value(a, "a"), Value(b, "b"), Value(x, "x")
    y = ((a_ * x_).named("u") + b_).named("y")
    return y, {"a": a_, "b": b_, "x": x_}


def logistic_example(x1: float = 1.0, x2: float = -1.0, w1: float = 1.0, w2: float = 0.5
                     ) -> tuple[Value, dict[str, Value]]:
    """l = −log σ(w1·x1 + w2·x2): the loss of a logistic neuron on a positive example."""
    x1_, x2_, w1_, w2_ = Value(x1, "x1"), Value(x2, "x2"), Value(w1, "w1"), Value(w2, "w2")
    z = ((w1_ * x1_).named("u1") + (w2_ * x2_).named("u2")).named("z")
    loss = neg_log(sigmoid(z).named("p")).named("l")
    return loss, {"x1": x1_, "x2": x2_, "w1": w1_, "w2": w2_}


registry.register("linear", Example("linear", r"y = a x + b", "y = a·x + b: a product, "
                                    "then a sum", linear_example))
registry.register("logistic", Example("logistic", r"l = -\log \sigma(w_1 x_1 + w_2 x_2)",
                                      "l = −log σ(w1·x1 + w2·x2): a logistic neuron's loss",
                                      logistic_example))


def recording(name: str) -> Trace:
    """The recorded trace of the example graph ``name`` at its default inputs."""
    root, _inputs = get(name).build()
    return trace(root)


# -------------------------------------------------------------------------- what a gradient costs


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
