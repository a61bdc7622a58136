"""L-BFGS: a quasi-Newton direction from the last few steps and gradient changes.

Follows ``torch.optim.LBFGS`` (``torch/optim/lbfgs.py``, PyTorch 2.13) with
``max_iter=1`` and ``line_search_fn=None``: one gradient per step, like every
other optimizer of the atlas, so races stay fair step for step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs, tensor_axes

#: PyTorch's threshold on :math:`y^\top s` below which a pair is not stored (curvature test).
CURVATURE_THRESHOLD = 1e-10


@dataclass(frozen=True)
class LBFGSState(State):
    """Per tensor (leading axes: the batch, see :mod:`atlas.optimizers.base`):

    ``direction`` :math:`d` and ``step_length`` :math:`\\alpha` of the last step;
    ``g_prev`` the gradient it was computed from; ``y_history`` and
    ``s_history`` the stored pairs :math:`y_i, s_i` (history axis after the
    batch, oldest first, ``count`` of them valid) and ``rho`` their
    :math:`1/y_i^\\top s_i`; ``h_diag`` the scale :math:`\\gamma_H` of the initial
    inverse Hessian; ``n_iter`` the number of steps taken (a step whose gradient
    was already below ``tolerance_grad`` does not count).
    """

    direction: np.ndarray
    step_length: np.ndarray
    g_prev: np.ndarray
    y_history: np.ndarray
    s_history: np.ndarray
    rho: np.ndarray
    count: np.ndarray
    h_diag: np.ndarray
    n_iter: np.ndarray


@dataclass(frozen=True)
class LBFGS(Optimizer):
    """L-BFGS (Liu & Nocedal, 1989): Newton's step with a Hessian learnt from the path.

    Each step stores the change of position :math:`s = \\alpha d` and of gradient
    :math:`y = g_t - g_{t-1}` (if :math:`y^\\top s > 10^{-10}`, which keeps the
    estimate positive definite), at most ``history_size`` pairs, and the
    two-loop recursion turns them into :math:`d = -H_t g_t`, with :math:`H_t` the
    BFGS inverse-Hessian estimate built on :math:`\\gamma_H I`,
    :math:`\\gamma_H = y^\\top s / y^\\top y`. The first step is a gradient step
    of length :math:`\\gamma \\min(1, 1/\\lVert g\\rVert_1)`, the others have
    length :math:`\\gamma` (``lr``; 1 is the Newton step).

    As in PyTorch with ``max_iter=1``: a step whose largest gradient
    coordinate is at most ``tolerance_grad`` does nothing (and leaves the state
    alone); a direction that is not a descent direction by more than
    ``tolerance_change`` (:math:`g^\\top d > -\\text{tolerance\\_change}`) is
    stored but not taken. ``max_iter`` (fixed at 1) and ``line_search_fn``
    (always none) are not hyperparameters here.

    Shapes (see :mod:`atlas.optimizers.base`): the rule's dot products run over
    one whole tensor (a vector, or a matrix read as its entries); leading axes
    of a stack are independent problems. PyTorch's ``LBFGS`` concatenates *all*
    the parameters of a model into one vector; ``atlas train`` gives each
    parameter array its own L-BFGS, as one ``torch.optim.LBFGS`` per tensor would.
    """

    name: ClassVar[str] = "lbfgs"
    title: ClassVar[str] = "L-BFGS"
    description: ClassVar[str] = "Quasi-Newton steps from the last gradient changes, no line search"
    latex: ClassVar[str] = r"""
&\textbf{input}: \gamma \text{ (lr)},\ \tau_g, \tau_c \text{ (tolerances)},
  \ m \text{ (history size)} \\
&\textbf{initialize}: \text{history} \leftarrow \emptyset,\ \gamma_H \leftarrow 1 \\
&\textbf{for}\ t = 1, 2, \ldots \\
&\quad g_t \leftarrow \nabla_\theta f(\theta_{t-1});
  \ \textbf{if}\ \lVert g_t \rVert_\infty \le \tau_g:\ \theta_t \leftarrow \theta_{t-1},
  \ \textbf{next}\ t \\
&\quad \textbf{if}\ \text{first step}:\ d_t \leftarrow -g_t,
  \ \alpha_t \leftarrow \gamma \min(1, 1 / \lVert g_t \rVert_1) \\
&\quad \textbf{else}: \\
&\qquad y \leftarrow g_t - g_{prev},\ s \leftarrow \alpha_{t-1} d_{t-1};
  \ \textbf{if}\ y^\top s > 10^{-10}:\ \text{store}\ (y, s, \rho = 1 / y^\top s)
  \ \text{(at most}\ m),\ \gamma_H \leftarrow y^\top s / y^\top y \\
&\qquad q \leftarrow -g_t;\ \textbf{for}\ i\ \text{newest to oldest}:
  \ a_i \leftarrow \rho_i s_i^\top q,\ q \leftarrow q - a_i y_i \\
&\qquad r \leftarrow \gamma_H q;\ \textbf{for}\ i\ \text{oldest to newest}:
  \ r \leftarrow r + (a_i - \rho_i y_i^\top r)\, s_i \\
&\qquad d_t \leftarrow r,\ \alpha_t \leftarrow \gamma \\
&\quad g_{prev} \leftarrow g_t \\
&\quad \theta_t \leftarrow \textbf{if}\ g_t^\top d_t > -\tau_c:\ \theta_{t-1}
  \ \textbf{else}\ \theta_{t-1} + \alpha_t d_t
"""
    elementwise: ClassVar[bool] = False

    lr: float = 1.0
    tolerance_grad: float = 1e-7
    tolerance_change: float = 1e-9
    history_size: int = 100

    def check(self) -> None:
        self._require_nonnegative("lr")
        if self.history_size < 1:  # PyTorch fails on its first stored pair with 0
            self._fail("history_size", ">= 1")

    def init(self, params: np.ndarray) -> LBFGSState:
        theta = as_float_array(params, "params")
        k = len(tensor_axes(theta))
        batch = theta.shape[: theta.ndim - k]
        history = np.zeros((*batch, self.history_size, *theta.shape[theta.ndim - k :]),
                           dtype=theta.dtype)  # fmt: skip
        zeros = np.zeros(batch, dtype=theta.dtype)
        return LBFGSState(
            t=0, direction=np.zeros_like(theta), step_length=zeros, g_prev=np.zeros_like(theta),
            y_history=history, s_history=history, rho=np.zeros((*batch, self.history_size),
                                                               dtype=theta.dtype),
            count=np.zeros(batch, dtype=np.int64), h_diag=np.ones(batch, dtype=theta.dtype),
            n_iter=np.zeros(batch, dtype=np.int64),
        )  # fmt: skip

    def update(
        self, grad: np.ndarray, state: LBFGSState, params: np.ndarray
    ) -> tuple[np.ndarray, LBFGSState]:
        g, theta, t = step_inputs(grad, state, params)
        axes = tensor_axes(theta)
        k = len(axes)

        def per(a: np.ndarray) -> np.ndarray:  # a per-tensor number against the tensor's axes
            return np.reshape(a, np.shape(a) + (1,) * k)

        def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return np.sum(a * b, axis=axes)

        active = ~(np.max(np.abs(g), axis=axes, initial=0.0) <= self.tolerance_grad)
        n_iter = state.n_iter + active
        first = active & (n_iter == 1)
        later = active & ~first

        # Memory: the pair (y, s) of the previous step, if its curvature y^T s is positive.
        y = g - state.g_prev
        s = state.direction * per(state.step_length)
        ys = dot(y, s)
        store = later & (ys > CURVATURE_THRESHOLD)
        y_history, s_history, rho, count = _push(state, y, s, ys, store, self.history_size)
        h_diag = np.where(store, ys / np.where(store, dot(y, y), 1), state.h_diag)

        r = _two_loop(g, y_history, s_history, rho, count, h_diag, axes)
        direction = np.where(per(first), -g, r)

        l1 = np.sum(np.abs(g), axis=axes)
        first_length = np.minimum(1.0, np.divide(1.0, l1, out=np.full_like(l1, np.inf),
                                                 where=l1 > 0)) * self.lr  # fmt: skip
        step_length = np.where(first, first_length, self.lr).astype(theta.dtype)
        move = active & ~(dot(g, direction) > -self.tolerance_change)  # as torch's test
        theta = np.where(per(move), theta + per(step_length) * direction, theta)

        keep = per(active)  # a tensor whose gradient is already small keeps its state
        return theta, LBFGSState(
            t=t, direction=np.where(keep, direction, state.direction),
            step_length=np.where(active, step_length, state.step_length),
            g_prev=np.where(keep, g, state.g_prev), y_history=y_history, s_history=s_history,
            rho=rho, count=count, h_diag=h_diag, n_iter=n_iter,
        )  # fmt: skip

    def effective_step(self, grad: np.ndarray, state: LBFGSState, params: np.ndarray,
                       new_state: LBFGSState) -> np.ndarray:  # fmt: skip
        r""":math:`\alpha_t |d_t| / |g_t|` per unit of :math:`g_t`: the step per unit gradient
        in each coordinate that the quasi-Newton direction :math:`d_t = -H_t g_t` gives
        (:math:`\alpha_t \gamma_H` where :math:`g_t` is 0; 0 where no step was taken)."""
        g = np.asarray(grad, dtype=float)
        axes = tensor_axes(g)
        k = len(axes)

        def per(a: np.ndarray) -> np.ndarray:
            return np.reshape(a, np.shape(a) + (1,) * k)

        d, alpha = new_state.direction, per(new_state.step_length)
        taken = ((new_state.n_iter != state.n_iter)
                 & (np.sum(g * d, axis=axes) <= -self.tolerance_change))  # fmt: skip
        zero = g == 0
        ratio = np.abs(d) / np.where(zero, 1.0, np.abs(g))
        return np.where(per(taken), alpha * np.where(zero, per(new_state.h_diag), ratio), 0.0)


def _two_loop(g: np.ndarray, y_history: np.ndarray, s_history: np.ndarray, rho: np.ndarray,
              count: np.ndarray, h_diag: np.ndarray, axes: tuple[int, ...],
              ) -> np.ndarray:  # fmt: skip
    """:math:`-H g` by the two-loop recursion over the stored pairs, in torch's order.

    A slot at or beyond a tensor's ``count`` holds zeros (and rho 0), so it adds
    exactly nothing. A point (a tensor of two entries, as on the surfaces) is
    done in Python floats, one tensor at a time: the same operations without
    numpy's per-call overhead, which would be nearly all of the time there.
    """
    k = len(axes)
    n = int(count.max(initial=0))
    y_pairs, s_pairs = (np.moveaxis(h, -1 - k, 0)[:n] for h in (y_history, s_history))
    rhos = np.moveaxis(rho, -1, 0)[:n]
    if g[(0,) * (g.ndim - k)].size == 2:
        r = np.empty_like(g)
        for idx in np.ndindex(count.shape):
            c = int(count[idx])
            ys, ss = (x[(slice(None), *idx)].reshape(c, 2).tolist()
                      for x in (y_pairs[:c], s_pairs[:c]))  # fmt: skip
            g0, g1 = g[idx].ravel().tolist()
            r[idx] = np.reshape(_two_loop_point(g0, g1, ys, ss, rhos[:c, *idx].tolist(),
                                                float(h_diag[idx])), g[idx].shape)  # fmt: skip
        return r

    def per(a: np.ndarray) -> np.ndarray:
        return np.reshape(a, np.shape(a) + (1,) * k)

    q, a = -g, [None] * n
    for i in range(n - 1, -1, -1):
        a[i] = per(np.sum(s_pairs[i] * q, axis=axes) * rhos[i])
        q = q - a[i] * y_pairs[i]
    r = q * per(h_diag)
    for i in range(n):
        r = r + (a[i] - per(np.sum(y_pairs[i] * r, axis=axes) * rhos[i])) * s_pairs[i]
    return r


def _two_loop_point(g0: float, g1: float, ys: list, ss: list, rhos: list,
                    h_diag: float) -> tuple[float, float]:  # fmt: skip
    """The two-loop recursion for one two-entry tensor, in Python floats."""
    q0, q1, a = -g0, -g1, [0.0] * len(ys)
    for i in range(len(ys) - 1, -1, -1):
        (s0, s1), (y0, y1) = ss[i], ys[i]
        a_i = a[i] = (s0 * q0 + s1 * q1) * rhos[i]
        q0, q1 = q0 - a_i * y0, q1 - a_i * y1
    r0, r1 = q0 * h_diag, q1 * h_diag
    for (y0, y1), (s0, s1), rho_i, a_i in zip(ys, ss, rhos, a, strict=True):
        c = a_i - (y0 * r0 + y1 * r1) * rho_i
        r0, r1 = r0 + c * s0, r1 + c * s1
    return r0, r1


def _push(state: LBFGSState, y: np.ndarray, s: np.ndarray, ys: np.ndarray, store: np.ndarray,
          size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """The histories with ``(y, s, 1/ys)`` appended where ``store`` (the oldest dropped if full).

    New arrays every time (a state is never changed); a tensor that stores
    nothing keeps its rows as they were.
    """
    if not store.any():
        return state.y_history, state.s_history, state.rho, state.count
    k = y.ndim - state.count.ndim  # the tensor's own axes
    full = state.count == size
    slot = np.where(full, size - 1, state.count)  # where the new pair goes, after any shift
    new = (np.arange(size) == slot[..., None]) & store[..., None]  # batch + (history,)
    shift = (full & store)[..., None]  # drop the oldest pair first (none while not full)
    rho = np.where(store, 1.0 / np.where(store, ys, 1.0), 0.0).astype(state.rho.dtype)

    def append(old: np.ndarray, pair: np.ndarray, k: int) -> np.ndarray:
        pos = old.ndim - k - 1  # the history axis
        if shift.any():
            old = np.where(shift.reshape(shift.shape + (1,) * k), np.roll(old, -1, axis=pos), old)
        return np.where(new.reshape(new.shape + (1,) * k), np.expand_dims(pair, pos), old)

    y_history, s_history = append(state.y_history, y, k), append(state.s_history, s, k)
    rho_history = append(state.rho, rho, 0)
    count = np.where(store, np.minimum(state.count + 1, size), state.count)
    return y_history, s_history, rho_history, count
