r"""Worked examples of the chapter *Backpropagation*: least squares, and one hidden layer by hand.

**Least squares on the notes' noisy line, by gradient descent and in closed form.**

The data: :math:`y_i = a x_i + b + \varepsilon_i` with true :math:`a = 2`,
:math:`b = 3` and noise :math:`\varepsilon_i \sim \mathcal N(0, 1)`, ten points.
The model :math:`\hat y = a x + b` is fitted by minimising the mean squared error

.. math:: L(a, b) = \frac1N \sum_i (a x_i + b - y_i)^2,

whose gradient is the chain rule through :math:`\hat y_i`:

.. math:: \frac{\partial L}{\partial a} = \sum_i \frac{\partial L}{\partial \hat y_i}\, x_i,
          \qquad \frac{\partial L}{\partial b} = \sum_i \frac{\partial L}{\partial \hat y_i},
          \qquad \frac{\partial L}{\partial \hat y_i} = \frac{2}{N}(\hat y_i - y_i).

Gradient descent converges to the *least-squares* line, which the normal
equations give directly; with noise that line is not the true one.

**Back-propagation by hand through one hidden layer of sigmoids, as the notes derive it.**

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

from atlas import activations, losses
from atlas.optimizers.base import Optimizer

# ------------------------------------------------------------------ least squares on a noisy line


@dataclass(frozen=True)
class LineData:
    """Noisy samples of the line :math:`y = a x + b`, with the truth kept for comparison."""

    x: np.ndarray
    y: np.ndarray
    a_true: float
    b_true: float
    noise_std: float


def make_line_data(rng: np.random.Generator, n: int = 10, a: float = 2.0, b: float = 3.0,
                   noise_std: float = 1.0, x_range: tuple[float, float] = (0.0, 5.0)
                   ) -> LineData:
    """``n`` points with x uniform in ``x_range`` and :math:`y = a x + b + \\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, \\text{noise\\_std}^2)`, drawn from ``rng``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2 (a line needs two points), got {n!r}")
    if not (noise_std >= 0 and np.isfinite(noise_std)):
        raise ValueError(f"noise_std must be a finite number >= 0, got {noise_std!r}")
    low, high = x_range
    if not low < high:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    x = rng.uniform(low, high, size=n)
    y = a * x + b + noise_std * rng.standard_normal(n)
    return LineData(x=x, y=y, a_true=float(a), b_true=float(b), noise_std=float(noise_std))


def closed_form(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    r"""The least-squares line from the normal equations, in centred form:

    .. math:: a = \frac{\sum_i (x_i - \bar x)(y_i - \bar y)}{\sum_i (x_i - \bar x)^2},
              \qquad b = \bar y - a \bar x.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise ValueError(f"x and y must be 1-D arrays of one length, got {x.shape}, {y.shape}")
    dx = x - x.mean()
    spread = float(dx @ dx)
    if spread == 0:
        raise ValueError("all x are equal: the slope is undetermined")
    a = float(dx @ (y - y.mean())) / spread
    return a, float(y.mean() - a * x.mean())


def loss(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """The mean squared error of the line :math:`\\theta = (a, b)` on the points."""
    a, b = theta
    return float(losses.get("mse").forward(a * x + b, y))


def grad(theta: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """:math:`(\\partial L/\\partial a, \\partial L/\\partial b)` by the chain rule through ŷ."""
    a, b = theta
    dy_hat = losses.get("mse").backward(a * x + b, y)  # ∂L/∂ŷ_i = 2(ŷ_i − y_i)/N
    return np.array([dy_hat @ x, dy_hat.sum()])  # ∂ŷ_i/∂a = x_i, ∂ŷ_i/∂b = 1


@dataclass(frozen=True)
class LineFit:
    """A gradient-descent run: ``theta[t] = (a_t, b_t)`` and ``loss[t]``, t = 0..steps."""

    theta: np.ndarray  # (steps + 1, 2)
    loss: np.ndarray  # (steps + 1,)

    @property
    def a(self) -> float:
        """The final slope."""
        return float(self.theta[-1, 0])

    @property
    def b(self) -> float:
        """The final intercept."""
        return float(self.theta[-1, 1])


def fit(data: LineData, optimizer: Optimizer, steps: int = 1000,
        start: tuple[float, float] = (0.0, 0.0)) -> LineFit:
    """Fit :math:`\\hat y = a x + b` to ``data`` by ``steps`` updates of ``optimizer``."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    theta = np.array(start, dtype=np.float64)
    state = optimizer.init(theta)
    path, values = [theta], [loss(theta, data.x, data.y)]
    for _ in range(steps):
        theta, state = optimizer.update(grad(theta, data.x, data.y), state, theta)
        path.append(theta)
        values.append(loss(theta, data.x, data.y))
    return LineFit(theta=np.stack(path), loss=np.array(values))


# ----------------------------------------------------------------------- one hidden layer by hand


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
    hidden_error = SIGMOID.vjp(saved.a, saved.h, dh)  # (4) ε q ⊙ σ'(a)
    return Backward(output_error=eps, hidden_error=hidden_error,
                    W=np.outer(hidden_error, saved.x), b=hidden_error, q=dq, c=dc, h=dh)


def notes_weight_gradient(params: Params, saved: Forward) -> np.ndarray:
    """The notes' printed :math:`\\partial L/\\partial W = (\\varepsilon q \\odot \\sigma(a))
    x^\\top`, with σ where σ' belongs: *wrong*, kept only to measure how wrong."""
    eps = saved.y_hat - saved.t
    return np.outer(eps * params.q * saved.h, saved.x)
