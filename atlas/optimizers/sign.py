"""Lion: every coordinate moves by exactly the learning rate, in the sign of a momentum.

Follows the ``lion-pytorch`` package (``lion_pytorch.Lion`` and its
``update_fn``, version 0.2.5), the reference implementation of Chen et al.
(2023), *Symbolic Discovery of Optimization Algorithms*.

Departures: the package also refuses ``lr <= 0`` and betas outside
:math:`[0, 1]` (kept here), but checks nothing else; atlas also refuses a
negative ``weight_decay``. Its ``use_triton`` switch (a GPU kernel of the same
rule) has no counterpart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs


@dataclass(frozen=True)
class LionState(State):
    """``m``: the momentum, an exponential moving average of the gradients (:math:`\\beta_2`);
    ``lr0``: the learning rate at :meth:`Lion.init` (the package's ``_init_lr``)."""

    m: np.ndarray
    lr0: float | np.ndarray  # one per start where lr holds one rate per start


@dataclass(frozen=True)
class Lion(Optimizer):
    """Lion (Chen et al., 2023): the sign of an interpolated momentum, found by program search.

    The step direction mixes the momentum and the current gradient with
    :math:`\\beta_1`, and only its sign is kept, so every coordinate moves by
    exactly :math:`\\gamma` (plus the weight decay). The momentum itself is
    updated afterwards with the slower :math:`\\beta_2`. With
    ``decoupled_weight_decay`` the decay is divided by the learning rate
    :math:`\\gamma_0` the optimizer had at ``init`` (kept in the state; the
    package keeps it on the optimizer), so at a constant learning rate each step shrinks the
    weights by :math:`\\lambda` itself, and under a schedule by
    :math:`\\lambda \\gamma_t / \\gamma_0`.
    """

    name: ClassVar[str] = "lion"
    rates_per_start: ClassVar[bool] = True
    title: ClassVar[str] = "Lion"
    description: ClassVar[str] = "Sign of an interpolated momentum: every coordinate moves by lr"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \beta_1, \beta_2 \text{ (betas)},
  \ \lambda \text{ (weight decay)},\ \textit{decoupled\_weight\_decay} \\
&\textbf{initialize}: m_0 \leftarrow 0,
  \ \lambda' \leftarrow \begin{cases} \lambda / \gamma_0 & \textit{decoupled\_weight\_decay} \\
  \lambda & \text{otherwise} \end{cases}
  \quad (\gamma_0\text{: the lr at init}) \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1}) \\
&\quad c_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad \theta_t \leftarrow \theta_{t-1} (1 - \gamma \lambda') - \gamma \operatorname{sign}(c_t) \\
&\quad m_t \leftarrow \beta_2 m_{t-1} + (1 - \beta_2) g_t
"""

    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.99)
    weight_decay: float = 0.0
    decoupled_weight_decay: bool = False

    def check(self) -> None:
        if not self.lr > 0:
            self._fail("lr", "> 0")
        self._require_nonnegative("weight_decay")
        for i, beta in enumerate(self.betas):
            if not 0 <= beta <= 1:
                raise ValueError(f"{self.title}: betas[{i}] must be in [0, 1], "
                                 f"got {beta!r} in betas={self.betas!r}")

    def init(self, params: np.ndarray) -> LionState:
        theta = as_float_array(params, "params")
        return LionState(t=0, m=np.zeros_like(theta), lr0=self.rate(theta))

    def update(
        self, grad: np.ndarray, state: LionState, params: np.ndarray
    ) -> tuple[np.ndarray, LionState]:
        g, theta, t = step_inputs(grad, state, params)
        lr, (beta1, beta2), wd = self.rate(params), self.betas, self.weight_decay
        if self.decoupled_weight_decay:
            wd = wd / state.lr0  # the package divides by the lr it was built with
        c = beta1 * state.m + (1 - beta1) * g
        theta = theta * (1 - lr * wd) - lr * np.sign(c)
        m = beta2 * state.m + (1 - beta2) * g
        return theta, LionState(t=t, m=m, lr0=state.lr0)

    def effective_step(self, grad: np.ndarray, state: LionState, params: np.ndarray,
                       new_state: LionState) -> np.ndarray:  # fmt: skip
        r""":math:`\gamma` in every coordinate, per unit of :math:`\operatorname{sign} c_t`:
        every coordinate moves by exactly :math:`\gamma` (weight decay aside)."""
        return np.full(np.shape(params), self.rate(params))

    def momentum_buffer(self, state: LionState) -> np.ndarray | None:
        """The momentum :math:`m_t`."""
        return state.m
