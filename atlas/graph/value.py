r"""Scalar nodes of a computation graph, the operations on them and backpropagation.

Each :class:`Value` is one scalar of an expression: its number (``data``), the
nodes it was computed from (``parents``) and, computed in the same forward
step as the value, the local derivatives
:math:`\partial\,\text{node}/\partial\,\text{parent}`. Each operation is a rule on
floats returning both, micrograd-style. :func:`backward` then applies the chain rule

.. math:: \frac{\partial L}{\partial v} = \sum_{c \,\in\, \text{children}(v)}
          \frac{\partial L}{\partial c}\,\frac{\partial c}{\partial v}

in reverse topological order, so every child's gradient is final before it is passed on."""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from atlas.registry import Registry


def fmt(number: float) -> str:
    """Four decimals, integers without them, with a true minus sign (−)."""
    number = float(number) + 0.0  # turns -0.0 into 0.0
    text = f"{number:.0f}" if number.is_integer() else f"{number:.4f}"
    return text.replace("-", "\N{MINUS SIGN}")


class Value:
    """One scalar of a computation graph: its value, how it was made and its gradient.

    ``op`` is the operation's symbol ("+", "σ", ...; "" for an input), ``form`` writes it with
    ``{}`` for its parents (``"σ({})"``); ``grad`` is :math:`\\partial L/\\partial\\,\\text{self}`
    after :func:`backward`."""

    __slots__ = ("data", "form", "grad", "label", "local_grads", "op", "parents")

    def __init__(self, data: float, label: str = "", *, op: str = "", form: str = "",
                 parents: tuple[Value, ...] = (), local_grads: tuple[float, ...] = ()) -> None:
        numbers = (float(data), *map(float, local_grads))
        if not all(map(math.isfinite, numbers)):
            raise ValueError(f"{op or 'value'} is not finite: value {data}, local grads "
                             f"{local_grads} (from {[p.data for p in parents]})")
        if len(parents) != len(local_grads):
            raise ValueError(f"need one local derivative per parent, got {local_grads}")
        self.data, *grads = numbers
        self.local_grads = tuple(grads)
        self.label, self.op, self.form, self.parents = label, op, form, tuple(parents)
        self.grad = 0.0

    def named(self, label: str) -> Value:
        """Give this node a human label (e.g. "z") and return it, for chaining."""
        self.label = label
        return self

    def __repr__(self) -> str:
        return f"Value({self.label or self.op or '?'} = {self.data:.6g}, grad={self.grad:.6g})"

    def __add__(self, other: Value | float) -> Value:
        return add(self, other)

    def __radd__(self, other: float) -> Value:
        return add(other, self)

    def __sub__(self, other: Value | float) -> Value:
        return sub(self, other)

    def __rsub__(self, other: float) -> Value:
        return sub(other, self)

    def __mul__(self, other: Value | float) -> Value:
        return mul(self, other)

    def __rmul__(self, other: float) -> Value:
        return mul(other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return div(self, other)

    def __rtruediv__(self, other: float) -> Value:
        return div(other, self)

    def __neg__(self) -> Value:
        return neg(self)

    def __pow__(self, k: float) -> Value:
        return power(self, k)


def _as_value(x: Value | float) -> Value:
    """A plain number enters the graph as a constant input labelled with its value."""
    return x if isinstance(x, Value) else Value(x, fmt(x))


# --- operations: each forward rule returns its value and its local derivatives ------------


@dataclass(frozen=True)
class Op:
    """An operation: the function that builds its node, its arity and its rule in LaTeX."""

    name: str
    arity: int
    apply: Callable[..., Value]
    latex: str
    description: str


ops: Registry[Op] = Registry("graph op")


def _operation(name: str, symbol: str, form: str, latex: str, description: str) -> Callable:
    """Turn a rule on floats, ``x -> (value, local derivatives)``, into an operation on nodes."""

    def make(rule: Callable[..., tuple[float, tuple[float, ...]]]) -> Callable[..., Value]:
        def apply(*args: Value | float) -> Value:
            parents = tuple(map(_as_value, args))
            data, local_grads = rule(*(p.data for p in parents))
            return Value(data, op=symbol, form=form, parents=parents, local_grads=local_grads)

        apply.__name__, apply.__doc__ = rule.__name__, rule.__doc__
        arity = len(inspect.signature(rule).parameters)
        ops.register(name, Op(name, arity, apply, latex, description))
        return apply

    return make


def _positive(name: str, x: float) -> None:
    if not x > 0:
        raise ValueError(f"{name} needs a positive argument, got {x}")


def _sigmoid(x: float) -> float:
    """σ(x) without overflow: exp is only ever taken of a non-positive number."""
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


@_operation("add", "+", "{} + {}", r"a + b;\ \partial_a = 1,\ \partial_b = 1", "sum a + b")
def add(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a + b; both local derivatives are 1."""
    return a + b, (1.0, 1.0)


@_operation("sub", "−", "{} − {}", r"a - b;\ \partial_a = 1,\ \partial_b = -1",
            "difference a − b")
def sub(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a − b; local derivatives 1 and −1."""
    return a - b, (1.0, -1.0)


@_operation("mul", "·", "{}·{}", r"ab;\ \partial_a = b,\ \partial_b = a", "product a·b")
def mul(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a·b; each factor's local derivative is the other factor."""
    return a * b, (b, a)


@_operation("div", "/", "{}/{}", r"a/b;\ \partial_a = 1/b,\ \partial_b = -a/b^2",
            "quotient a / b")
def div(a: float, b: float) -> tuple[float, tuple[float, ...]]:
    """a / b; local derivatives 1/b and −a/b²."""
    if b == 0:
        raise ValueError(f"division by zero: {a} / {b}")
    return a / b, (1 / b, -a / b / b)


@_operation("neg", "−", "−{}", r"-a;\ \partial_a = -1", "negation −a")
def neg(a: float) -> tuple[float, tuple[float, ...]]:
    """−a; local derivative −1."""
    return -a, (-1.0,)


@_operation("square", "²", "{}²", r"a^2;\ \partial_a = 2a", "square a²")
def square(a: float) -> tuple[float, tuple[float, ...]]:
    """a²; local derivative 2a."""
    return a * a, (2 * a,)


@_operation("exp", "exp", "exp({})", r"e^a;\ \partial_a = e^a", "exponential e^a")
def exp(a: float) -> tuple[float, tuple[float, ...]]:
    """e^a; its own derivative, so the output is saved as the local derivative."""
    if a > 709.78:  # e^709.78 is the largest float64
        raise ValueError(f"exp overflows float64 at {a}")
    e = math.exp(a)
    return e, (e,)


@_operation("log", "log", "log({})", r"\log a;\ \partial_a = 1/a", "natural logarithm")
def log(a: float) -> tuple[float, tuple[float, ...]]:
    """log a (natural); local derivative 1/a."""
    _positive("log", a)
    return math.log(a), (1 / a,)


@_operation("neg_log", "−log", "−log({})", r"-\log p;\ \partial_p = -1/p",
            "negative log-likelihood of a probability")
def neg_log(p: float) -> tuple[float, tuple[float, ...]]:
    """−log p, the loss of a predicted probability p; local derivative −1/p."""
    _positive("neg_log", p)
    return -math.log(p), (-1 / p,)


@_operation("sigmoid", "σ", "σ({})", r"\sigma(a) = \frac{1}{1+e^{-a}};\ "
            r"\partial_a = \sigma(a)\,\sigma(-a)", "logistic sigmoid")
def sigmoid(a: float) -> tuple[float, tuple[float, ...]]:
    """σ(a); local derivative σ(a)(1 − σ(a)), written σ(a)σ(−a) so it never cancels to 0."""
    s = _sigmoid(a)
    return s, (s * _sigmoid(-a),)


@_operation("tanh", "tanh", "tanh({})", r"\tanh a;\ \partial_a = 1 - \tanh^2 a = "
            r"\frac{4 e^{-2|a|}}{(1 + e^{-2|a|})^2}", "hyperbolic tangent")
def tanh(a: float) -> tuple[float, tuple[float, ...]]:
    """tanh a; local derivative 1 − tanh² a = sech² a, from q = e^{−2|a|} without cancellation."""
    q = math.exp(-2 * abs(a))
    return math.tanh(a), (4 * q / (1 + q) ** 2,)


@_operation("relu", "relu", "relu({})", r"\max(a, 0);\ \partial_a = [a > 0]",
            "rectified linear unit")
def relu(a: float) -> tuple[float, tuple[float, ...]]:
    """max(a, 0); local derivative 1 where a > 0, else 0 (0 at the kink a = 0)."""
    return max(a, 0.0), (1.0 if a > 0 else 0.0,)


_SUPERSCRIPTS = {2.0: "²", 3.0: "³", -1.0: "⁻¹"}


def power(a: Value | float, k: float) -> Value:
    """a^k for a constant exponent k; local derivative k·a^(k−1)."""
    a, k = _as_value(a), float(k)
    if not math.isfinite(k):
        raise ValueError(f"exponent must be a finite number, got {k}")
    if (a.data < 0 and not k.is_integer()) or (a.data == 0 and k < 1):
        raise ValueError(f"{a.data} ** {k} or its derivative is not a real number")
    try:
        data, local = a.data**k, k * a.data ** (k - 1)
    except OverflowError:
        raise ValueError(f"{a.data} ** {k} overflows float64") from None
    symbol = _SUPERSCRIPTS.get(k, f"^{k:g}".replace("-", "−"))
    return Value(data, op=symbol, form="{}" + symbol, parents=(a,), local_grads=(local,))


ops.register("sqrt", Op("sqrt", 1, lambda a: power(a, 0.5), r"a^{1/2};\ \partial_a = "
                        r"\tfrac12 a^{-1/2}", "square root, as power(a, 0.5)"))


# --- backpropagation ----------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each after all its parents (depth first)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:  # an explicit stack instead of recursion, so deep graphs work too
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in reversed(node.parents))
    return order


def backward(root: Value) -> list[Value]:
    """Set every node's ``grad`` to ∂root/∂node; return the nodes in the order they were done.

    Gradients are reset to 0 first, so calling ``backward`` twice gives the same
    result (nothing is counted twice). A node used k times receives k terms.
    """
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0  # the seed: ∂root/∂root
    for node in reversed(order):  # children before parents: node.grad is final here
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            parent.grad += node.grad * local  # chain rule, one term per use
    return order[::-1]


def numerical_gradient(f: Callable[..., object], inputs: Mapping[str, Value | float],
                       h: float = 1e-6) -> dict[str, float]:
    """Central differences (f(x + h e_i) − f(x − h e_i)) / 2h for each named input.

    ``f`` takes the inputs as keywords and returns a :class:`Value`, a number or an
    example's ``(root, inputs)``. It costs 2n evaluations of f for n inputs, where
    :func:`backward` costs one pass, and is accurate to about h² only.
    """
    if not (math.isfinite(h) and h > 0):
        raise ValueError(f"step h must be a positive finite number, got {h}")
    point = {name: x.data if isinstance(x, Value) else float(x) for name, x in inputs.items()}

    def f_at(name: str, shift: float) -> float:
        out = f(**{**point, name: point[name] + shift})
        out = out[0] if isinstance(out, tuple) else out
        return out.data if isinstance(out, Value) else float(out)

    return {name: (f_at(name, h) - f_at(name, -h)) / (2 * h) for name in point}
