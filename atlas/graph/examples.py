"""The named example graphs of the book, each built from plain numbers.

``build(**inputs)`` returns the output node and the named input nodes, so the
same builder serves :func:`~atlas.graph.trace` and
:func:`~atlas.graph.numerical_gradient`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from atlas.graph.value import Value, neg_log, sigmoid
from atlas.registry import Registry


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
