r"""Back-propagation by hand through one hidden layer of sigmoids, as the notes derive it.

For one input :math:`x \in \mathbb R^D` and target :math:`t`, with :math:`H` hidden units:

.. math::

    a = W x + b, \qquad h = \sigma(a), \qquad \hat y = q \cdot h + c, \qquad
    L = \tfrac12 (\hat y - t)^2 .

Backwards, one local derivative at a time (the notes' equations (1)–(4)):

.. math::

    \varepsilon = \frac{\partial L}{\partial \hat y} = \hat y - t, \qquad
    \frac{\partial L}{\partial q} = \varepsilon\, h, \qquad
    \frac{\partial L}{\partial c} = \varepsilon, \qquad
    \frac{\partial L}{\partial h} = \varepsilon\, q,

.. math::

    \varepsilon_m = \frac{\partial L}{\partial a_m} = \varepsilon\, q_m\, \sigma'(a_m), \qquad
    \frac{\partial L}{\partial W} = \varepsilon_{\text{hidden}}\, x^\top, \qquad
    \frac{\partial L}{\partial b} = \varepsilon_{\text{hidden}},

with :math:`\sigma'(a) = \sigma(a)(1 - \sigma(a))`. The notes print :math:`\sigma(a_m)`
where :math:`\sigma'(a_m)` belongs; :func:`notes_weight_gradient` computes that printed
formula so the book can show how far off it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import activations

SIGMOID = activations.get("sigmoid")


@dataclass(frozen=True)
class Params:
    """Weights of the network: ``W`` (H, D), ``b`` (H,), ``q`` (H,), ``c`` (a number)."""

    W: np.ndarray
    b: np.ndarray
    q: np.ndarray
    c: float

    def __post_init__(self) -> None:
        H = self.b.shape[0] if self.b.ndim == 1 else -1
        if self.W.ndim != 2 or self.W.shape[0] != H or self.q.shape != (H,):
            raise ValueError(f"need W (H, D), b (H,), q (H,); got {self.W.shape}, "
                             f"{self.b.shape}, {self.q.shape}")


def init_params(rng: np.random.Generator, n_in: int, n_hidden: int) -> Params:
    """Standard-normal weights from ``rng`` (a small example, not a training recipe)."""
    for name, n in (("n_in", n_in), ("n_hidden", n_hidden)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return Params(W=rng.standard_normal((n_hidden, n_in)), b=rng.standard_normal(n_hidden),
                  q=rng.standard_normal(n_hidden), c=float(rng.standard_normal()))


@dataclass(frozen=True)
class Forward:
    """What the forward pass saves for the backward pass: a, h, ŷ, and the loss."""

    x: np.ndarray
    t: float
    a: np.ndarray
    h: np.ndarray
    y_hat: float
    loss: float


def forward(params: Params, x: np.ndarray, t: float) -> Forward:
    """:math:`a = Wx + b`, :math:`h = \\sigma(a)`, :math:`\\hat y = q \\cdot h + c`,
    :math:`L = \\frac12(\\hat y - t)^2`."""
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (params.W.shape[1],):
        raise ValueError(f"x must have shape ({params.W.shape[1]},), got {x.shape}")
    a = params.W @ x + params.b
    h = SIGMOID.forward(a)
    y_hat = float(params.q @ h + params.c)
    return Forward(x=x, t=float(t), a=a, h=h, y_hat=y_hat, loss=0.5 * (y_hat - t) ** 2)


@dataclass(frozen=True)
class Backward:
    """Every gradient of the backward pass, named after the notes' symbols."""

    output_error: float  # ε = ∂L/∂ŷ = ŷ − t
    hidden_error: np.ndarray  # ε_m = ∂L/∂a_m = ε q_m σ'(a_m)
    W: np.ndarray
    b: np.ndarray
    q: np.ndarray
    c: float
    h: np.ndarray  # ∂L/∂h = ε q


def backward(params: Params, saved: Forward) -> Backward:
    """Equations (1)–(4): the output error flows back through q and each unit's slope σ'."""
    eps = saved.y_hat - saved.t  # (1) ∂L/∂ŷ
    dq, dc = eps * saved.h, eps  # (2) ∂L/∂q, ∂L/∂c
    dh = eps * params.q  # (3) ∂L/∂h
    hidden_error = SIGMOID.backward(saved.a, saved.h, dh)  # (4) ε q ⊙ σ'(a)
    return Backward(output_error=eps, hidden_error=hidden_error,
                    W=np.outer(hidden_error, saved.x), b=hidden_error, q=dq, c=dc, h=dh)


def notes_weight_gradient(params: Params, saved: Forward) -> np.ndarray:
    """The notes' printed :math:`\\partial L/\\partial W = (\\varepsilon q \\odot \\sigma(a))
    x^\\top`, with σ where σ' belongs: *wrong*, kept only to measure how wrong."""
    eps = saved.y_hat - saved.t
    return np.outer(eps * params.q * saved.h, saved.x)
