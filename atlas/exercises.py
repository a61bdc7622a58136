r"""Worked exercises of the course notes, solved by the package so the book never types a number.

The scalar exercises are a registry of small loss expressions built from
:mod:`atlas.graph` nodes. Each :class:`Exercise` carries the expression twice:
``build(**inputs)`` as a computation graph (differentiated by
:func:`atlas.graph.backward`), and ``formula(xp, **inputs)``, the same loss written
independently as one array expression in the namespace ``xp`` (``numpy``, or
``autograd.numpy`` so that tests can differentiate it a third way). :func:`solve`
returns the loss and every gradient, by backpropagation and by central differences.

The exercise of the notes (8.4) is the 2-2-1 network

.. math::

    h = g(W x + b), \qquad \hat y = g(q \cdot h + c), \qquad
    W = \begin{pmatrix} 1 & 1 \\ -1 & -1 \end{pmatrix},\ b = (-\tfrac12, \tfrac32),\
    q = (1, 1),\ c = -\tfrac32,

which with the threshold :math:`g(z) = [z > 0]` computes XOR: :math:`h_1` is OR,
:math:`h_2` is NAND and the output their AND. We read :math:`g` as the sigmoid
:math:`\sigma` for training (a threshold has no useful gradient): :func:`xor_forward`
evaluates either reading. Besides the scalar exercises: Adam's first step by hand
(:func:`adam_first_step`) and a numerical Jacobian (:func:`numerical_jacobian`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from atlas import activations, graph, optimizers
from atlas.graph import Value, sigmoid
from atlas.registry import Registry

# --------------------------------------------------------------- a stable softplus node


def _sigma(a: float) -> float:
    """σ(a) with exp only ever of a non-positive number (no overflow, full precision)."""
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


def softplus(a: Value | float) -> Value:
    r"""A graph node :math:`\operatorname{softplus}(a) = \log(1 + e^a)` with local derivative
    :math:`\sigma(a)`; computed as :math:`\max(a, 0) + \operatorname{log1p}(e^{-|a|})`, exact for
    any finite a (:math:`-\log\sigma(z)` as ``neg_log(sigmoid(z))`` loses digits once
    :math:`\sigma(z)` is close to 1)."""
    a = a if isinstance(a, Value) else Value(a, graph.fmt(a))
    data = max(a.data, 0.0) + math.log1p(math.exp(-abs(a.data)))
    return Value(data, op="softplus", form="softplus({})", parents=(a,),
                 local_grads=(_sigma(a.data),))


# --------------------------------------------------------------- exercise 8.4: XOR network

XOR_W = ((1.0, 1.0), (-1.0, -1.0))
XOR_B = (-0.5, 1.5)
XOR_Q = (1.0, 1.0)
XOR_C = -1.5
XOR_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
UNITS = ("sigmoid", "threshold")


def _unit(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The unit g: the sigmoid σ of :mod:`atlas.activations`, or the step [z > 0]."""
    if name == "sigmoid":
        return activations.get("sigmoid").forward
    if name == "threshold":
        return lambda z: np.heaviside(z, 0.0)
    raise ValueError(f"unit must be one of {UNITS}, got {name!r}")


@dataclass(frozen=True)
class XorForward:
    """The forward pass of the XOR network for one input: pre-activations and outputs."""

    x: np.ndarray  # (2,)
    a: np.ndarray  # hidden pre-activations W x + b, (2,)
    h: np.ndarray  # hidden outputs g(a), (2,)
    z: float  # output pre-activation q·h + c
    y_hat: float  # g(z)


def xor_forward(x: tuple[float, float] | np.ndarray, unit: str = "sigmoid",
                scale: float = 1.0) -> XorForward:
    r""":math:`h = g(s(Wx + b))`, :math:`\hat y = g(s(q \cdot h + c))` with the notes' weights.

    ``scale`` :math:`s` multiplies every weight and bias: a sigmoid network with a
    large :math:`s` approaches the threshold network (:math:`\sigma(s z) \to [z > 0]`).
    """
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    g = _unit(unit)
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (2,):
        raise ValueError(f"x must be a pair (x1, x2), got shape {x.shape}")
    a = scale * (np.array(XOR_W) @ x + np.array(XOR_B))
    h = g(a)
    z = float(scale * (np.array(XOR_Q) @ h + XOR_C))
    return XorForward(x=x, a=a, h=h, z=z, y_hat=float(g(np.float64(z))))


def xor_network(x1: float = 1.0, x2: float = 1.0, w11: float = XOR_W[0][0],
                w12: float = XOR_W[0][1], w21: float = XOR_W[1][0], w22: float = XOR_W[1][1],
                b1: float = XOR_B[0], b2: float = XOR_B[1], q1: float = XOR_Q[0],
                q2: float = XOR_Q[1], c: float = XOR_C, *, t: float = 0.0, loss: str = "bce",
                ) -> tuple[Value, dict[str, Value]]:
    """The sigmoid XOR network as a graph, ending in its loss on the target ``t``.

    ``loss="bce"``: the binary cross-entropy of :math:`\\hat y = \\sigma(z)` written on the
    logit, :math:`t\\operatorname{softplus}(-z) + (1-t)\\operatorname{softplus}(z)`, since
    :math:`-\\log\\sigma(z) = \\operatorname{softplus}(-z)`: no :math:`\\log` of a number
    near 1 and no :math:`1 - \\hat y` that cancels. ``loss="squared"``:
    :math:`\\frac12(\\hat y - t)^2`.
    """
    if loss not in ("bce", "squared"):
        raise ValueError(f"loss must be 'bce' or 'squared', got {loss!r}")
    if not 0.0 <= t <= 1.0:
        raise ValueError(f"target t must lie in [0, 1], got {t!r}")
    v = {name: Value(value, name) for name, value in dict(
        x1=x1, x2=x2, w11=w11, w12=w12, w21=w21, w22=w22, b1=b1, b2=b2, q1=q1, q2=q2,
        c=c).items()}
    a1 = (v["w11"] * v["x1"] + v["w12"] * v["x2"] + v["b1"]).named("a1")
    a2 = (v["w21"] * v["x1"] + v["w22"] * v["x2"] + v["b2"]).named("a2")
    h1, h2 = sigmoid(a1).named("h1"), sigmoid(a2).named("h2")
    z = (v["q1"] * h1 + v["q2"] * h2 + v["c"]).named("z")
    if loss == "squared":
        return (0.5 * (sigmoid(z).named("ŷ") - t) ** 2).named("L"), v
    # −log σ(z) = softplus(−z) and −log(1 − σ(z)) = softplus(z); a zero weight adds nothing
    terms = [w * softplus(u) for w, u in ((t, -z), (1 - t, z)) if w != 0]
    return sum(terms[1:], terms[0]).named("L"), v


def _softplus(xp: ModuleType, u: Any) -> Any:
    return xp.logaddexp(0.0, u)


def xor_formula(xp: ModuleType, x1: Any, x2: Any, w11: Any, w12: Any, w21: Any, w22: Any,
                b1: Any, b2: Any, q1: Any, q2: Any, c: Any, *, t: float = 0.0,
                loss: str = "bce") -> Any:
    """The same loss as :func:`xor_network`, as one expression in ``xp``."""
    h1 = xp.exp(-_softplus(xp, -(w11 * x1 + w12 * x2 + b1)))
    h2 = xp.exp(-_softplus(xp, -(w21 * x1 + w22 * x2 + b2)))
    z = q1 * h1 + q2 * h2 + c
    if loss == "squared":
        return 0.5 * (xp.exp(-_softplus(xp, -z)) - t) ** 2
    return t * _softplus(xp, -z) + (1 - t) * _softplus(xp, z)


# --------------------------------------------------------------- the exercises' registry


def neg_log_sigmoid(z: float = 0.5) -> tuple[Value, dict[str, Value]]:
    """:math:`\\ell = -\\log\\sigma(z) = \\operatorname{softplus}(-z)`, the loss of a logit z
    on a positive example: two nodes, −z and softplus."""
    z_ = Value(z, "z")
    return softplus((-z_).named("−z")).named("ℓ"), {"z": z_}


def linear_squared(a: float = -2.0, b: float = 4.0, x: float = 3.0, *, t: float = 1.0
                   ) -> tuple[Value, dict[str, Value]]:
    """:math:`L = \\frac12(ax + b - t)^2` on the graph of ``graph.linear_example``."""
    y, inputs = graph.linear_example(a=a, b=b, x=x)
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
    r"\ell = -\log\sigma(z)", neg_log_sigmoid, lambda xp, z: _softplus(xp, -z), ("z",)))
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


# --------------------------------------------------------------- vector exercises


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

