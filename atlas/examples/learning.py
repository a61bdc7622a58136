r"""Worked examples of the chapter *Learning*: the notes' first problem, one unknown parameter
and one data point.

The model is :math:`\hat y = x + b` with a single parameter :math:`b`, the data one
point :math:`(x, y) = (2, 6)`, and the loss the squared error

.. math:: L(b) = (\hat y - y)^2 = (x + b - y)^2, \qquad L'(b) = 2\,(x + b - y),

so the answer is :math:`b^* = y - x = 4`. Gradient descent
:math:`b \leftarrow b - \eta L'(b)` reaches it because :math:`L` is a parabola of
curvature :math:`L'' = 2`: every step multiplies the distance to the answer by
:math:`1 - 2\eta`,

.. math:: b_t - b^* = (1 - 2\eta)^t\,(b_0 - b^*),

which converges for :math:`0 < \eta < 1` (monotonically below :math:`\eta = 1/2`,
in one step at :math:`\eta = 1/2`, oscillating above) and diverges for :math:`\eta > 1`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas.optimizers.base import Optimizer


@dataclass(frozen=True)
class OneParameterProblem:
    r"""The model :math:`\hat y = x + b` and the squared error on one point ``(x, y)``."""

    x: float = 2.0
    y: float = 6.0

    description = "One parameter b, one point (x, y): y_hat = x + b, L(b) = (x + b - y)^2"
    model_latex = r"\hat y = x + b"
    latex = r"L(b) = (\hat y - y)^2 = (x + b - y)^2"
    derivative_latex = r"L'(b) = 2\,(x + b - y)"

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(
                    value):
                raise ValueError(f"OneParameterProblem: {name} must be a finite number, "
                                 f"got {value!r}")
            object.__setattr__(self, name, float(value))

    @property
    def solution(self) -> float:
        """The minimiser :math:`b^* = y - x`, where the prediction is exact."""
        return self.y - self.x

    @property
    def curvature(self) -> float:
        """:math:`L''(b) = 2` for every b."""
        return 2.0

    @property
    def critical_lr(self) -> float:
        """The learning rate :math:`2/L'' = 1` above which gradient descent diverges."""
        return 2.0 / self.curvature

    def predict(self, b: np.ndarray | float) -> np.ndarray:
        """:math:`\\hat y = x + b`."""
        return self.x + np.asarray(b, dtype=np.float64)

    def loss(self, b: np.ndarray | float) -> np.ndarray:
        """:math:`L(b) = (x + b - y)^2`."""
        residual = self.predict(b) - self.y
        return residual**2

    def grad(self, b: np.ndarray | float) -> np.ndarray:
        """:math:`L'(b) = 2(x + b - y)`: the chain rule, :math:`2(\\hat y - y)` times
        :math:`\\partial \\hat y/\\partial b = 1`."""
        return 2.0 * (self.predict(b) - self.y)


@dataclass(frozen=True)
class Descent:
    """Gradient descent on a :class:`OneParameterProblem`, one row per step.

    ``b[t]`` is the parameter after ``t`` steps (``b[0]`` the start); ``loss[t]``
    and ``grad[t]`` are evaluated there, so row ``t`` reads "at b_t the loss is
    ..., the gradient ..., and the next step goes to b_{t+1}".
    """

    lr: float
    b: np.ndarray
    loss: np.ndarray
    grad: np.ndarray

    @property
    def steps(self) -> np.ndarray:
        """Step numbers 0, 1, ..., T."""
        return np.arange(self.b.size)


def descend(problem: OneParameterProblem, optimizer: Optimizer, b0: float = 0.0,
            steps: int = 10) -> Descent:
    """Run ``steps`` updates of ``optimizer`` (e.g. ``optimizers.get("sgd", lr=0.1)``) from
    ``b0`` and record b, L(b) and L'(b) before each step and after the last."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    b = np.array([float(b0)])
    state = optimizer.init(b)
    path = [b]
    for _ in range(steps):
        b, state = optimizer.update(problem.grad(b), state, b)
        path.append(b)
    values = np.concatenate(path)
    return Descent(lr=float(getattr(optimizer, "lr", np.nan)), b=values,
                   loss=problem.loss(values), grad=problem.grad(values))


def contraction(problem: OneParameterProblem, lr: float) -> float:
    """The factor :math:`r = 1 - \\eta L''` by which one step of plain gradient descent with
    learning rate ``lr`` multiplies the distance :math:`b_t - b^*` to the minimum."""
    return 1.0 - lr * problem.curvature


def regime(problem: OneParameterProblem, lr: float) -> str:
    """How plain gradient descent with learning rate ``lr`` behaves on ``problem``.

    From the contraction factor :math:`r = 1 - \\eta L''`: "too small" (r ≥ 0.9, a
    crawl), "monotone" (0 < r < 0.9), "one step" (r = 0), "oscillating"
    (-1 < r < 0), "stuck oscillating" (r = -1) or "diverging" (r < -1).
    """
    if not (isinstance(lr, int | float) and lr > 0 and np.isfinite(lr)):
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    r = contraction(problem, lr)
    if r >= 0.9:
        return "too small"
    if r > 0:
        return "monotone"
    if r == 0:
        return "one step"
    if r > -1:
        return "oscillating"
    return "stuck oscillating" if r == -1 else "diverging"


# ------------------------------------------------------------------ what the figures draw


@dataclass(frozen=True)
class DescentPicture:
    """Gradient descent on a :class:`OneParameterProblem`, ready to draw.

    ``grid`` and ``curve`` are the loss :math:`L(b)` on an interval that holds every
    iterate; ``descent`` the run; ``tangents[t]`` the two end points ``(b, L)`` of the
    tangent at :math:`b_t`, :math:`L(b_t) + L'(b_t)(b - b_t)`, ``half_width`` either side.
    """

    lr: float
    regime: str
    grid: np.ndarray
    curve: np.ndarray
    descent: Descent
    tangents: np.ndarray  # (T + 1, 2, 2): step, end point, (b, L)


def picture(problem: OneParameterProblem, optimizer: Optimizer, b0: float = 0.0,
            steps: int = 10, half_width: float = 1.0, points: int = 201) -> DescentPicture:
    """:func:`descend`, the loss curve around every iterate and the tangent at each."""
    run = descend(problem, optimizer, b0, steps)
    far = float(np.max(np.abs(run.b - problem.solution))) if run.b.size else 1.0
    reach = max(far, abs(b0 - problem.solution), half_width) * 1.15
    grid = np.linspace(problem.solution - reach, problem.solution + reach, points)
    ends = run.b[:, None] + np.array([-half_width, half_width])[None, :]
    values = run.loss[:, None] + run.grad[:, None] * (ends - run.b[:, None])
    return DescentPicture(lr=run.lr, regime=regime(problem, run.lr), grid=grid,
                          curve=problem.loss(grid), descent=run,
                          tangents=np.stack([ends, values], axis=-1))
