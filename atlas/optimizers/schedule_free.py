"""Schedule-free SGD and AdamW: no learning-rate schedule, an average of the iterates instead.

Follows the authors' ``schedulefree`` package (version 1.4.1), the classes
``SGDScheduleFree`` and ``AdamWScheduleFree`` (not the "Reference" ones), after
Defazio et al. (2024), *The Road Less Scheduled*. Three sequences move together:

* :math:`z_t`, plain (S)GD or Adam-normalised steps from the gradient;
* :math:`x_t`, a weighted running average of the :math:`z`'s, the point to *evaluate*;
* :math:`y_t = (1 - \\beta_1) z_t + \\beta_1 x_t`, the point where the gradient is taken.

The package stores :math:`y` as the parameters in train mode (and :math:`z`);
``.eval()`` swaps the parameters to :math:`x`. Here the parameters are likewise
:math:`y` (so a trajectory records the points where the gradient is evaluated),
and :math:`x` is a state field, returned by :meth:`averaged`, updated by its
own recursion :math:`x_t = (1 - c_t) x_{t-1} + c_t z_t`. (The package derives it
from :math:`y` and :math:`z` as :math:`y + (1 - 1/\\beta_1)(z - y)`: the same
number up to rounding.) The average's weights are scalars of the state:
``weight_sum`` :math:`S_t` and ``lr_max``, the largest warmed-up learning rate so
far (``-1`` before the first step, as in the package).

Departures: ``SGDScheduleFree`` checks ``lr >= 0``, ``weight_decay >= 0`` and
``0 < momentum < 1`` (kept); ``AdamWScheduleFree`` checks nothing, and atlas
gives it the same checks (``0 < betas[0] < 1``, as ``.eval()`` divides by it)
plus ``0 <= betas[1] < 1`` and ``eps >= 0``. Both also require
``warmup_steps >= 0`` and ``weight_lr_power >= 0`` (a negative power of a zero
``lr_max`` divides by zero). The ``foreach`` switch (a batched form of the same
rule) has no counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, lerp, step_inputs


@dataclass(frozen=True)
class ScheduleFreeState(State):
    """``z``: the base sequence; ``x``: its weighted average (the point to evaluate);
    ``weight_sum``: :math:`S_t`, the sum of the averaging weights; ``lr_max``: the
    largest learning rate so far (``-1`` before step 1). With one learning rate per
    start, ``weight_sum`` and ``lr_max`` are arrays with a row per start."""

    z: np.ndarray
    x: np.ndarray
    weight_sum: float | np.ndarray
    lr_max: float | np.ndarray


@dataclass(frozen=True)
class ScheduleFreeAdamWState(ScheduleFreeState):
    """As :class:`ScheduleFreeState`, plus ``v``: Adam's second moment."""

    v: np.ndarray


@dataclass(frozen=True)
class _ScheduleFree(Optimizer):
    """What both schedule-free rules share: warm-up, averaging weights, the three sequences.

    Subclasses declare ``lr``, ``weight_decay``, ``warmup_steps``, ``r`` and
    ``weight_lr_power`` (in the package's order) besides their own fields.
    """

    rates_per_start: ClassVar[bool] = True  # both rules; the weights per rate: _averaging

    def _check_schedule(self) -> None:
        """The checks both rules share (the interpolation weight is checked by each)."""
        self._require_nonnegative("lr", "weight_decay", "warmup_steps", "weight_lr_power")

    def _start(self, theta: np.ndarray) -> tuple[float | np.ndarray, float | np.ndarray]:
        """``(weight_sum, lr_max)`` before step 1: ``(0, -1)``, a row per start for a rate
        per start."""
        rate = self.rate(theta)
        if np.ndim(rate) == 0:
            return 0.0, -1.0
        return np.zeros_like(rate), np.full_like(rate, -1.0)

    def _averaging(self, state: ScheduleFreeState) -> tuple[Any, Any, Any, Any]:
        """``(lr_t, c_t, weight_sum, lr_max)`` of the step after ``state``: floats, or with
        one rate per start arrays shaped like ``state.lr_max``, each row worked out from
        its rate in Python floats as for one rate (numpy's power may differ from Python's
        in the last bit)."""
        if not isinstance(self.lr, tuple):
            return self._averaging_one(self.lr, state.t, state.weight_sum, state.lr_max)
        rows = zip(self.lr, np.ravel(state.weight_sum).tolist(), np.ravel(state.lr_max).tolist(),
                   strict=True)  # fmt: skip
        columns = zip(*(self._averaging_one(lr, state.t, s, m) for lr, s, m in rows), strict=True)
        return tuple(np.reshape(column, np.shape(state.lr_max)) for column in columns)

    def _averaging_one(self, lr: float, k: int, weight_sum: float,
                       lr_max: float) -> tuple[float, float, float, float]:  # fmt: skip
        """:meth:`_averaging` for one rate ``lr`` after step ``k``."""
        sched = (k + 1) / self.warmup_steps if k < self.warmup_steps else 1.0
        lr = lr * sched
        lr_max = max(lr, lr_max)
        weight = ((k + 1) ** self.r) * (lr_max**self.weight_lr_power)
        weight_sum = weight_sum + weight
        c = weight / weight_sum if weight_sum != 0 else 0.0  # the package's ZeroDivisionError
        return lr, c, weight_sum, lr_max

    @staticmethod
    def _sequences(
        y: np.ndarray, state: ScheduleFreeState, g_hat: np.ndarray, lr: float | np.ndarray,
        c: float | np.ndarray, beta1: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
        """New ``(y, z, x)`` from the normalised gradient ``g_hat`` (the package's order)."""
        y = lerp(y, state.z, c) + (lr * (beta1 * (1 - c) - 1)) * g_hat
        z = state.z - lr * g_hat
        return y, z, lerp(state.x, z, c)

    #: The package's users call ``.eval()`` (parameters := x) before evaluating a model.
    evaluate_averaged: ClassVar[bool] = True

    def averaged(self, state: ScheduleFreeState) -> np.ndarray:
        """The averaged iterate :math:`x_t` (``state.x``): the parameters after ``.eval()``.

        A figure can draw it as a second path: ``[opt.averaged(s) for s in run.states]``.
        """
        return state.x


_SCHEDULE = r"""
&\quad \gamma_t \leftarrow \gamma \min(1, t / T_w) \quad (\gamma \text{ if } T_w = 0),
  \quad \gamma^{max}_t \leftarrow \max(\gamma^{max}_{t-1}, \gamma_t) \\
&\quad w_t \leftarrow t^r (\gamma^{max}_t)^p,\quad S_t \leftarrow S_{t-1} + w_t,
  \quad c_t \leftarrow w_t / S_t \ (0 \text{ if } S_t = 0) \\
"""
_SEQUENCES = r"""
&\quad y_t \leftarrow (1 - c_t) y_{t-1} + c_t z_{t-1} + \gamma_t (\beta (1 - c_t) - 1) \hat g_t \\
&\quad z_t \leftarrow z_{t-1} - \gamma_t \hat g_t \\
&\quad x_t \leftarrow (1 - c_t) x_{t-1} + c_t z_t
  \quad (\text{so } y_t = (1 - \beta) z_t + \beta x_t)
"""


@dataclass(frozen=True)
class ScheduleFreeSGD(_ScheduleFree):
    """Schedule-free SGD (Defazio et al., 2024): momentum as an interpolation with an average.

    The parameters :math:`y_t` (where the gradient is taken) interpolate between
    the SGD sequence :math:`z_t` and the running average :math:`x_t` of the
    :math:`z`'s; the average does what a decaying learning-rate schedule would.
    """

    name: ClassVar[str] = "schedule_free_sgd"
    title: ClassVar[str] = "Schedule-free SGD"
    description: ClassVar[str] = "SGD at y between its iterates z and their running average x"
    latex: ClassVar[str] = (
        r"""
&\textbf{input}: \theta_0 = y_0,\ \gamma \text{ (lr)},\ \beta \text{ (momentum)},
  \ \lambda \text{ (weight decay)},\ T_w \text{ (warmup steps)},\ r,\ p \text{ (weight lr power)} \\
&\textbf{initialize}: z_0 \leftarrow \theta_0,\ x_0 \leftarrow \theta_0,
  \ S_0 \leftarrow 0,\ \gamma^{max}_0 \leftarrow -1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad \hat g_t \leftarrow \nabla_\theta f(y_{t-1}) + \lambda y_{t-1} \\"""
        + _SCHEDULE
        + _SEQUENCES
    )

    lr: float = 1.0
    momentum: float = 0.9
    weight_decay: float = 0.0
    warmup_steps: int = 0
    r: float = 0.0
    weight_lr_power: float = 2.0

    def check(self) -> None:
        self._check_schedule()
        if not 0 < self.momentum < 1:
            self._fail("momentum", "in (0, 1)")

    def init(self, params: np.ndarray) -> ScheduleFreeState:
        theta = as_float_array(params, "params")
        weight_sum, lr_max = self._start(theta)
        return ScheduleFreeState(t=0, z=theta.copy(), x=theta.copy(), weight_sum=weight_sum,
                                 lr_max=lr_max)  # fmt: skip

    def update(
        self, grad: np.ndarray, state: ScheduleFreeState, params: np.ndarray
    ) -> tuple[np.ndarray, ScheduleFreeState]:
        g, y, t = step_inputs(grad, state, params)
        lr, c, weight_sum, lr_max = self._averaging(state)
        if self.weight_decay != 0:
            g = g + self.weight_decay * y
        y, z, x = self._sequences(y, state, g, lr, c, self.momentum)
        return y, ScheduleFreeState(t=t, z=z, x=x, weight_sum=weight_sum, lr_max=lr_max)

    def effective_step(self, grad: np.ndarray, state: ScheduleFreeState, params: np.ndarray,
                       new_state: ScheduleFreeState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma_t` (after warm-up) in every coordinate: the step of the base
        sequence, :math:`z_{t-1} - z_t = \gamma_t \hat g_t`, per unit of :math:`\hat g_t`."""
        return np.full(np.shape(params), self._averaging(state)[0])


@dataclass(frozen=True)
class ScheduleFreeAdamW(_ScheduleFree):
    """Schedule-free AdamW (Defazio et al., 2024): the same averaging around Adam steps.

    The base sequence :math:`z_t` takes steps of the gradient divided by
    Adam's bias-corrected RMS (no first moment: :math:`\\beta_1` is the
    interpolation weight instead); weight decay is taken at :math:`y_t`.
    """

    name: ClassVar[str] = "schedule_free_adamw"
    title: ClassVar[str] = "Schedule-free AdamW"
    description: ClassVar[str] = "Adam-normalised steps at y, between z and their average x"
    latex: ClassVar[str] = (
        r"""
&\textbf{input}: \theta_0 = y_0,\ \gamma \text{ (lr)},\ \beta, \beta_2 \text{ (betas)},\ \epsilon,
  \ \lambda \text{ (weight decay)},\ T_w \text{ (warmup steps)},\ r,\ p \text{ (weight lr power)} \\
&\textbf{initialize}: z_0 \leftarrow \theta_0,\ x_0 \leftarrow \theta_0,
  \ v_0 \leftarrow 0,\ S_0 \leftarrow 0,\ \gamma^{max}_0 \leftarrow -1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(y_{t-1}) \\"""
        + _SCHEDULE
        + r"""
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \hat g_t \leftarrow g_t \Big/ \Big(\sqrt{v_t / (1 - \beta_2^t)} + \epsilon\Big)
  + \lambda y_{t-1} \\"""
        + _SEQUENCES
    )

    lr: float = 0.0025
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    warmup_steps: int = 0
    r: float = 0.0
    weight_lr_power: float = 2.0

    def check(self) -> None:
        self._check_schedule()
        self._require_nonnegative("eps")
        if not 0 < self.betas[0] < 1:
            self._fail("betas", "such that 0 < betas[0] < 1")
        if not 0 <= self.betas[1] < 1:
            self._fail("betas", "such that 0 <= betas[1] < 1")

    def init(self, params: np.ndarray) -> ScheduleFreeAdamWState:
        theta = as_float_array(params, "params")
        weight_sum, lr_max = self._start(theta)
        return ScheduleFreeAdamWState(t=0, z=theta.copy(), x=theta.copy(), weight_sum=weight_sum,
                                      lr_max=lr_max, v=np.zeros_like(theta))  # fmt: skip

    def update(
        self, grad: np.ndarray, state: ScheduleFreeAdamWState, params: np.ndarray
    ) -> tuple[np.ndarray, ScheduleFreeAdamWState]:
        g, y, t = step_inputs(grad, state, params)
        (beta1, beta2), eps = self.betas, self.eps
        lr, c, weight_sum, lr_max = self._averaging(state)
        v = beta2 * state.v + (1 - beta2) * (g * g)
        g_hat = g / (np.sqrt(v / (1 - beta2**t)) + eps)
        if self.weight_decay != 0:
            g_hat = g_hat + self.weight_decay * y
        y, z, x = self._sequences(y, state, g_hat, lr, c, beta1)
        new = ScheduleFreeAdamWState(t=t, z=z, x=x, weight_sum=weight_sum, lr_max=lr_max, v=v)
        return y, new

    def effective_step(self, grad: np.ndarray, state: ScheduleFreeAdamWState,
                       params: np.ndarray,
                       new_state: ScheduleFreeAdamWState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma_t / (\sqrt{v_t / (1 - \beta_2^t)} + \epsilon)`: the base sequence's
        step per unit of :math:`g_t` (weight decay aside)."""
        lr, beta2 = self._averaging(state)[0], self.betas[1]
        return lr / (np.sqrt(new_state.v / (1 - beta2**new_state.t)) + self.eps)
