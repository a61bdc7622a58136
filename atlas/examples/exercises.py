r"""Worked exercises of the course notes, solved by the package so the book never types a number.

The scalar exercises are a registry of small loss expressions built from
:mod:`atlas.graph` nodes. Each :class:`Exercise` carries the expression twice:
``build(**inputs)`` as a computation graph (differentiated by
:func:`atlas.graph.backward`), and ``formula(xp, **inputs)``, the same loss written
independently as one array expression in the namespace ``xp`` (``numpy``, or
``autograd.numpy`` so that tests can differentiate it a third way). :func:`solve`
returns the loss and every gradient, by backpropagation and by central differences.

The registry holds the XOR network of the notes' exercise 8.4
(:mod:`atlas.examples.exercises_xor`) with two losses, the logistic loss of one logit and
a squared error on the linear graph of :mod:`atlas.examples.graphs`. Besides the scalar
exercises: Adam's first step by hand (:func:`adam_first_step`) and a numerical Jacobian
(:func:`numerical_jacobian`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from atlas import graph, optimizers
from atlas.examples.exercises_xor import softplus, softplus_formula, xor_formula, xor_network
from atlas.examples.graphs import linear_example
from atlas.graph import Value
from atlas.registry import Registry

# ------------------------------------------------------------------------ the exercises' registry


def neg_log_sigmoid(z: float = 0.5) -> tuple[Value, dict[str, Value]]:
    """:math:`\\ell = -\\log\\sigma(z) = \\operatorname{softplus}(-z)`, the loss of a logit z
    on a positive example: two nodes, −z and softplus."""
    z_ = Value(z, "z")
    return softplus((-z_).named("−z")).named("ℓ"), {"z": z_}


def linear_squared(a: float = -2.0, b: float = 4.0, x: float = 3.0, *, t: float = 1.0
                   ) -> tuple[Value, dict[str, Value]]:
    """:math:`L = \\frac12(ax + b - t)^2` on the graph y = a·x + b of
    :func:`atlas.examples.graphs.linear_example`."""
    y, inputs = linear_example(a=a, b=b, x=x)
    return (0.5 * (y - t) ** 2).named("L"), inputs


@dataclass(frozen=True)
class Exercise:
    """A scalar exercise: its loss as a graph (``build``) and as a formula in ``xp``.

    ``params`` are the inputs a learner would update (the rest are data).
    """

    name: str
    description: str
    latex: str
    build: Callable[..., tuple[Value, dict[str, Value]]]
    formula: Callable[..., Any]
    params: tuple[str, ...]

    def point(self) -> dict[str, float]:
        """The exercise's default inputs, by name."""
        return {name: node.data for name, node in self.build()[1].items()}


registry: Registry[Exercise] = Registry("exercise")
get = registry.get


def names() -> list[str]:
    """The names of the scalar exercises."""
    return registry.names()


_XOR_PARAMS = ("w11", "w12", "w21", "w22", "b1", "b2", "q1", "q2", "c")
_XOR_LATEX = r"\hat y = \sigma(q \cdot \sigma(Wx + b) + c),\ x = (1, 1),\ t = 0,\ "
for _loss, _latex, _what in (
        ("bce", r"L = -t\log\hat y - (1 - t)\log(1 - \hat y)", "binary cross-entropy"),
        ("squared", r"L = \tfrac12(\hat y - t)^2", "half squared error")):
    registry.register(f"xor_{_loss}", Exercise(
        f"xor_{_loss}", f"Exercise 8.4: the 2-2-1 sigmoid XOR net's {_what} on ((1, 1), 0)",
        _XOR_LATEX + _latex,
        lambda _l=_loss, **kw: xor_network(**kw, t=0.0, loss=_l),
        lambda xp, _l=_loss, **kw: xor_formula(xp, **kw, t=0.0, loss=_l), _XOR_PARAMS))
registry.register("neg_log_sigmoid", Exercise(
    "neg_log_sigmoid", "The gradient of −log σ(z), the logistic loss of a positive example",
    r"\ell = -\log\sigma(z)", neg_log_sigmoid, lambda xp, z: softplus_formula(xp, -z), ("z",)))
registry.register("linear_squared", Exercise(
    "linear_squared", "One gradient step on ½(a·x + b − t)², the graph y = a·x + b",
    r"L = \tfrac12(a x + b - t)^2,\ t = 1", linear_squared,
    lambda xp, a, b, x: 0.5 * (a * x + b - 1.0) ** 2, ("a", "b")))


@dataclass(frozen=True)
class Solution:
    """An exercise solved at one point: the loss, backprop's and numerical gradients."""

    point: dict[str, float]
    loss: float
    grads: dict[str, float]  # by backpropagation through the graph
    numerical: dict[str, float]  # by central differences

    def max_relative_error(self) -> float:
        """:math:`\\max_i |g_i - n_i| / \\max(\\max_i |g_i|, \\max_i |n_i|)` (0 if all are 0)."""
        scale = max(max(map(abs, self.grads.values())), max(map(abs, self.numerical.values())))
        worst = max(abs(self.grads[k] - self.numerical[k]) for k in self.grads)
        return 0.0 if scale == 0 else worst / scale


def solve(name: str, h: float = 1e-6, **inputs: float) -> Solution:
    """Solve exercise ``name`` at its default inputs, some replaced by ``inputs``."""
    exercise = get(name)
    point = exercise.point()
    unknown = sorted(set(inputs) - set(point))
    if unknown:
        raise ValueError(f"{name} has no input {', '.join(unknown)}; inputs: {', '.join(point)}")
    point.update({k: float(v) for k, v in inputs.items()})
    root, nodes = exercise.build(**point)
    graph.backward(root)
    return Solution(point=point, loss=root.data, grads={k: n.grad for k, n in nodes.items()},
                    numerical=graph.numerical_gradient(exercise.build, point, h=h))


@dataclass(frozen=True)
class DescentStep:
    """One gradient-descent step on an exercise's parameters: before and after."""

    before: Solution
    lr: float
    point: dict[str, float]  # the inputs after the step
    loss: float  # the loss after the step


def descend(name: str, lr: float, **inputs: float) -> DescentStep:
    """One step :math:`\\theta \\leftarrow \\theta - \\eta\\,\\partial L/\\partial\\theta` on the
    exercise's ``params`` (the data stay put), with the gradient from backpropagation."""
    if not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"learning rate must be a positive finite number, got {lr!r}")
    exercise, before = get(name), solve(name, **inputs)
    after = {k: v - lr * before.grads[k] if k in exercise.params else v
             for k, v in before.point.items()}
    return DescentStep(before=before, lr=lr, point=after, loss=exercise.build(**after)[0].data)


# ------------------------------------------------------------------------------- vector exercises


@dataclass(frozen=True)
class AdamFirstStep:
    """Adam's first step written out: moments, bias-corrected moments, step, new θ."""

    g: np.ndarray
    m: np.ndarray
    v: np.ndarray
    m_hat: np.ndarray
    v_hat: np.ndarray
    step: np.ndarray
    theta: np.ndarray


def adam_first_step(theta: np.ndarray, g: np.ndarray, lr: float = 1e-3,
                    betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
                    ) -> AdamFirstStep:
    r"""Adam at :math:`t = 1` from :math:`m_0 = v_0 = 0`, one line of the rule at a time.

    :math:`\hat m_1 = g` and :math:`\hat v_1 = g^2`, so the step is
    :math:`\gamma\, g / (|g| + \epsilon) \approx \gamma \operatorname{sign}(g)`:
    whatever the gradient's size, every coordinate moves by about ``lr``.
    """
    optimizers.get("adam", lr=lr, betas=betas, eps=eps)  # the same checks (ValueError) as Adam
    beta1, beta2 = betas
    theta, g = np.asarray(theta, dtype=np.float64), np.asarray(g, dtype=np.float64)
    m = (1 - beta1) * g  # m_1 = β1·m_0 + (1 − β1)·g with m_0 = 0
    v = (1 - beta2) * g**2  # v_1 = β2·v_0 + (1 − β2)·g² with v_0 = 0
    m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)  # bias correction at t = 1
    step = lr * m_hat / (np.sqrt(v_hat) + eps)
    return AdamFirstStep(g=g, m=m, v=v, m_hat=m_hat, v_hat=v_hat, step=step, theta=theta - step)


def numerical_jacobian(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                       h: float = 1e-6) -> np.ndarray:
    """:math:`J_{ij} \\approx (f_i(x + h e_j) - f_i(x - h e_j)) / 2h`; ``x`` is not modified."""
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"step h must be a positive finite number, got {h!r}")
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"x must be a vector, got shape {x.shape}")
    columns = [(np.asarray(f(x + h * e)) - np.asarray(f(x - h * e))) / (2 * h)
               for e in np.eye(x.size)]
    return np.stack(columns, axis=-1)
