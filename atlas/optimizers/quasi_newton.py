"""L-BFGS: a quasi-Newton direction from the last few steps and gradient changes.

Follows ``torch.optim.LBFGS`` (``torch/optim/lbfgs.py``, PyTorch 2.13) with
``max_iter=1`` and ``line_search_fn=None``: one gradient per step, like every
other optimizer of the atlas, so races stay fair step for step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from atlas.optimizers.base import Optimizer, State, as_float_array, step_inputs, tensor_axes
from atlas.optimizers.two_loop import Pair, PairUsers, two_loop

#: PyTorch's threshold on :math:`y^\top s` below which a pair is not stored (curvature test).
CURVATURE_THRESHOLD = 1e-10


def _columns(a: np.ndarray) -> np.ndarray | None:
    """A stack of two-entry tensors (the points of a basin map) as ``(..., 2)``, else None."""
    return a.reshape(*a.shape[:-2], 2) if a.ndim > 2 and a.shape[-2] * a.shape[-1] == 2 else None


def _tensor_sum(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``np.sum(a, axis=axes)``, the same bits: for two-entry tensors ``(0 + a_0) + a_1``
    from the two columns, as numpy's reduction adds them (from 0), in a tenth of the time
    numpy takes to reduce over two short trailing axes."""
    two = _columns(a)
    return np.sum(a, axis=axes) if two is None else (0.0 + two[..., 0]) + two[..., 1]


def _largest(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``np.max(a, axis=axes, initial=0.0)``, the same bits, as :func:`_tensor_sum`."""
    two = _columns(a)
    if two is None:
        return np.max(a, axis=axes, initial=0.0)
    return np.maximum(np.maximum(0.0, two[..., 0]), two[..., 1])


@dataclass(frozen=True)
class LBFGSState(State):
    """Per tensor (leading axes: the batch, see :mod:`atlas.optimizers.base`):

    ``direction`` :math:`d` and ``step_length`` :math:`\\alpha` of the last step;
    ``g_prev`` the gradient it was computed from; ``pairs`` the stored pairs
    :math:`(y_i, s_i, \\rho_i = 1/y_i^\\top s_i)`, oldest first, each shaped like
    the parameters (its ``rho`` like the batch), of which each tensor uses its
    last ``count`` (at most ``history_size``) with a nonzero ``rho``;
    ``h_diag`` the scale :math:`\\gamma_H` of the initial inverse Hessian;
    ``n_iter`` the number of steps taken (a step whose gradient was already below
    ``tolerance_grad`` does not count); ``users``, for a batch of points, which
    tensors use each pair (:class:`atlas.optimizers.two_loop.PairUsers`): derived from
    ``pairs`` alone, carried so a step need not count it again; None (a state made
    elsewhere, or cut to some rows by :func:`atlas.races.rows.take_rows`) counts it.

    ``pairs`` is a tuple, shared with the states before it: a step appends one
    pair (if any tensor stores one) and drops the oldest pairs no tensor uses, so
    a step costs no copy of the history. A single tensor holds exactly its
    ``count`` pairs, as ``torch.optim.LBFGS``'s lists; in a batch, a tensor that
    stored nothing at a step has a zero there, and one that skipped steps reaches
    further back than the newest ``history_size`` pairs.
    """

    direction: np.ndarray
    step_length: np.ndarray
    g_prev: np.ndarray
    pairs: tuple[Pair, ...]
    count: np.ndarray
    h_diag: np.ndarray
    n_iter: np.ndarray
    users: PairUsers | None = field(default=None, compare=False, repr=False,
                                    metadata={"derived": True})  # fmt: skip

    def __post_init__(self) -> None:
        """Read-only arrays, the shared history's too: its pairs newer than the newest
        already read-only one (a step adds one; the older ones were made read-only with it)."""
        super().__post_init__()
        for pair in reversed(self.pairs):
            if not any(a.flags.writeable for a in pair):
                break
            for a in pair:
                a.setflags(write=False)


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
    rates_per_start: ClassVar[bool] = True
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
        batch = theta.shape[: theta.ndim - len(tensor_axes(theta))]
        zeros = np.zeros(batch, dtype=theta.dtype)
        return LBFGSState(
            t=0, direction=np.zeros_like(theta), step_length=zeros, g_prev=np.zeros_like(theta),
            pairs=(), count=np.zeros(batch, dtype=np.int64),
            h_diag=np.ones(batch, dtype=theta.dtype), n_iter=np.zeros(batch, dtype=np.int64),
        )  # fmt: skip

    def update(
        self, grad: np.ndarray, state: LBFGSState, params: np.ndarray
    ) -> tuple[np.ndarray, LBFGSState]:
        g, theta, t = step_inputs(grad, state, params)
        axes = tensor_axes(theta)
        k = len(axes)
        if state.pairs and state.pairs[-1][0].shape != theta.shape:
            raise ValueError(f"{self.title}: the state's pairs have shape "
                             f"{state.pairs[-1][0].shape}, but params have shape {theta.shape}")

        def per(a: np.ndarray) -> np.ndarray:  # a per-tensor number against the tensor's axes
            return np.reshape(a, np.shape(a) + (1,) * k)

        def dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return _tensor_sum(a * b, axes)

        active = ~(_largest(np.abs(g), axes) <= self.tolerance_grad)
        n_iter = state.n_iter + active
        first = active & (n_iter == 1)
        later = active & ~first

        # Memory: the pair (y, s) of the previous step, if its curvature y^T s is positive.
        y = g - state.g_prev
        s = state.direction * per(state.step_length)
        ys = dot(y, s)
        store = later & (ys > CURVATURE_THRESHOLD)
        pairs = state.pairs
        if store.any():
            rho = np.where(store, 1.0 / np.where(store, ys, 1.0), 0.0).astype(theta.dtype)
            if not store.all():  # a tensor that stores nothing here gets an empty slot
                y, s = np.where(per(store), y, 0.0), np.where(per(store), s, 0.0)
            if theta.size == 2 * store.size > 2:  # a batch of points: each coordinate in a row
                y, s = np.asfortranarray(y), np.asfortranarray(s)
            pairs = (*pairs, (y, s, rho))
        count = np.where(store, np.minimum(state.count + 1, self.history_size), state.count)
        h_diag = np.where(store, ys / np.where(store, dot(y, y), 1), state.h_diag)

        r, oldest, users = two_loop(g, pairs, h_diag, self.history_size, axes, state.users)
        # A selection that selects nothing is skipped (a batch rarely holds a first step, a
        # small gradient or a refused step): the same arrays, without passes over them.
        direction = np.where(per(first), -g, r) if first.any() else r

        lr = self.tensor_rate(theta)  # one per tensor with a rate per start
        if first.any():
            l1 = _tensor_sum(np.abs(g), axes)
            first_length = np.minimum(1.0, np.divide(1.0, l1, out=np.full_like(l1, np.inf),
                                                     where=l1 > 0)) * lr  # fmt: skip
            step_length = np.where(first, first_length, lr).astype(theta.dtype)
        else:
            step_length = np.broadcast_to(lr, first.shape).astype(theta.dtype)
        move = active & ~(dot(g, direction) > -self.tolerance_change)  # as torch's test
        step = theta + per(step_length) * direction
        theta = step if move.all() else np.where(per(move), step, theta)

        if active.all():
            return theta, LBFGSState(
                t=t, direction=direction, step_length=step_length, g_prev=g.copy(),
                pairs=pairs[oldest:], count=count, h_diag=h_diag, n_iter=n_iter, users=users,
            )  # fmt: skip
        keep = per(active)  # a tensor whose gradient is already small keeps its state
        return theta, LBFGSState(
            t=t, direction=np.where(keep, direction, state.direction),
            step_length=np.where(active, step_length, state.step_length),
            g_prev=np.where(keep, g, state.g_prev), pairs=pairs[oldest:], count=count,
            h_diag=h_diag, n_iter=n_iter, users=users,
        )  # fmt: skip

    def settled(self, state: LBFGSState, new_state: LBFGSState, params: np.ndarray,
                new_params: np.ndarray) -> np.ndarray:  # fmt: skip
        """The tensors this step left at a fixed point: it was not their first step, stored
        no pair for them and changed, as numbers, none of their entries (all finite) nor
        their ``direction`` (finite), ``step_length``, ``g_prev``, ``h_diag`` or ``count``.

        Every later step then repeats it, its inputs being this step's: the gradient at the
        same point; the same state (the rule never reads ``t``, and reads ``n_iter`` only to
        know the first step, which is past); the same pairs in the tensor's window, since it
        stores none and no pair goes while a tensor uses it. The other tensors' newer pairs
        are empty slots for it, which add nothing to a finite recursion but possibly a
        zero's sign (its direction is finite, so is every number of its recursion: an
        infinity or NaN would reach the direction). The step's operations are sums,
        differences, products, comparisons and divisions by numbers checked nonzero, so
        equal inputs give equal outputs (a zero's sign aside, as between a batch and single
        runs): the same point and state again.
        """
        axes = tensor_axes(new_params)

        def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # per tensor, finite
            return np.all((a == b) & np.isfinite(a), axis=axes)

        fixed = (same(new_params, params) & same(new_state.direction, state.direction)
                 & same(new_state.g_prev, state.g_prev)
                 & (new_state.step_length == state.step_length)
                 & (new_state.h_diag == state.h_diag) & (new_state.count == state.count)
                 & ((state.n_iter >= 1) | (new_state.n_iter == state.n_iter)))  # fmt: skip
        newest = new_state.pairs[-1] if new_state.pairs else None
        if newest is not None and (not state.pairs or newest is not state.pairs[-1]):
            fixed &= newest[2] == 0  # a pair stored this step: not by these
        return fixed

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
