"""What every optimizer is: hyperparameters, a pure ``init`` and a pure ``update``.

Modelled on optax: an optimizer is an immutable bundle of hyperparameters with
two pure functions,

.. math::

    s_0 = \\mathrm{init}(\\theta_0), \\qquad
    (\\theta_t, s_t) = \\mathrm{update}(g_t, s_{t-1}, \\theta_{t-1}),

so a run is a fold over gradients and any step can be replayed or inspected.

Two kinds of rule (the class variable ``elementwise``):

* **Elementwise** (``elementwise = True``, most of them): every coordinate is
  updated from its own gradient and state alone, hence parameters of any
  shape: one point ``(2,)``, ``N`` points ``(N, 2)`` or a layer's weight matrix.
* **Per tensor** (``elementwise = False``: Adafactor, L-BFGS, Muon, LAMB,
  Prodigy): the rule reduces over a whole parameter tensor (norms, factored
  moments, matrix products, dot products). Such an optimizer reads ``params``
  so: a 1-D array is one vector; an array with two or more axes is a *stack*
  of matrices, its last two axes one matrix and its leading axes a batch of
  independent problems (:func:`tensor_axes` gives the axes one tensor spans).
  So ``(N, 1, 2)`` is ``N`` independent ``1 x 2`` matrices and gives exactly
  the numbers of ``N`` separate runs: the trajectory runner runs ``N`` starts
  that way, and a single start ``(2,)`` as one ``1 x 2`` matrix; a network's
  weight matrix ``(in, out)`` is one matrix. Every state array of such an
  optimizer has the batch as its leading axes (a per-tensor number, such as
  Prodigy's ``d``, is an array of the batch's shape).

Every ``update`` first checks its state (:meth:`Optimizer.check_state`): a
state made by another optimizer, or for parameters of another shape, is a
``ValueError`` naming the problem, never a missing attribute or a broadcasting
error deep in a formula. The base class wraps each subclass's ``update`` with
that check, so no optimizer has to remember it.

Each concrete optimizer follows *exactly* its reference implementation (the
``_single_tensor_*`` functions in ``torch/optim``, or the package its docstring
names), with the same hyperparameter names and defaults, so a float64 run
equals the reference's step for step.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np

from atlas.optimizers.state import Layout, State, state_layout
from atlas.registry_entry import RegistryEntry
from atlas.registry_entry import as_float_array as _as_float_array


@dataclass(frozen=True)
class Optimizer(RegistryEntry):
    """Base class: a frozen dataclass whose fields are the hyperparameters.

    Subclasses set the class variables of :class:`atlas.registry_entry.RegistryEntry`
    (``name``, ``title``, ``description``, ``latex``: the update rule) and the ones
    below, declare their hyperparameters as fields (``float``, ``int``, ``bool``,
    ``float | None``, ``str | None``, or a pair or triple ``tuple[float, float]`` /
    ``tuple[float, float, float]``; coerced on construction by
    :func:`atlas.registry_entry.coerce`), implement :meth:`check` (range checks,
    raising through ``_fail`` the :class:`ValueError` that shows the value),
    :meth:`init` and :meth:`update`.
    """

    latex_heading: ClassVar[str] = "Update rule"
    # True: coordinate by coordinate; False: per tensor (see the module docstring)
    elementwise: ClassVar[bool] = True
    # True: a model is evaluated at ``averaged(state)``, not at the parameters (schedule-free)
    evaluate_averaged: ClassVar[bool] = False
    # True: ``lr`` may be a tuple of rates, one per start of a batch (see :meth:`rate`)
    rates_per_start: ClassVar[bool] = False

    def __post_init__(self) -> None:
        """Coerce and check the hyperparameters; a tuple ``lr`` rate by rate.

        ``lr`` given as a sequence (where :attr:`rates_per_start`) is one learning rate
        per start of a batch: each must pass the checks a single ``lr`` passes, and
        ``lr`` keeps them as a tuple of floats (so the optimizer stays hashable).
        """
        rates = getattr(self, "lr", None)
        if isinstance(rates, str) or not isinstance(rates, Sequence | np.ndarray):
            super().__post_init__()
            return
        if not self.rates_per_start:
            raise ValueError(f"{self.title}: lr must be one real number (this optimizer "
                             f"takes no rate per start), got {rates!r}")
        if len(rates) == 0:
            raise ValueError(f"{self.title}: lr must hold at least one rate, got {rates!r}")
        checked = []
        for rate in rates:  # the checks of a single lr, for each rate
            object.__setattr__(self, "lr", rate)
            super().__post_init__()
            checked.append(self.lr)
        object.__setattr__(self, "lr", tuple(checked))

    def rate(self, params: np.ndarray) -> float | np.ndarray:
        """The learning rate :math:`\\gamma` for a step on ``params``: ``lr`` itself, or,
        with one rate per start, an array of them that broadcasts along the batch's
        leading axis: ``(N, 1)`` against ``N`` points ``(N, 2)``.

        This is how a learning-rate sweep runs all its rates as one batch
        (:func:`atlas.protocol.sweep`): each row's numbers are those of its own run,
        since every operation the rate enters is elementwise.
        """
        rates = self.lr  # type: ignore[attr-defined]
        if not isinstance(rates, tuple):
            return rates
        shape = _shape(params)
        if len(shape) < 2 or shape[0] != len(rates):
            raise ValueError(f"{self.title}: {len(rates)} learning rates need a batch of "
                             f"{len(rates)} starts, got params of shape {shape}")
        column = self._rate_columns.get(len(shape))
        if column is None:  # made once per number of axes, read-only since it is shared
            column = np.reshape(rates, (len(rates),) + (1,) * (len(shape) - 1))
            column.setflags(write=False)
            self._rate_columns[len(shape)] = column
        return column

    @functools.cached_property
    def _rate_columns(self) -> dict[int, np.ndarray]:
        """:meth:`rate`'s arrays of a tuple of rates, by the parameters' number of axes
        (not a field, like :attr:`_checked_layouts`)."""
        return {}

    def tensor_rate(self, params: np.ndarray) -> float | np.ndarray:
        """:meth:`rate` for a per-tensor number (``elementwise = False``): ``lr``, or an
        array of the batch's shape, ``(N,)`` for a stack ``(N, 1, 2)``, as Prodigy's ``d``."""
        rate = self.rate(params)
        if not isinstance(rate, np.ndarray):
            return rate
        return np.reshape(rate, np.shape(params)[: np.ndim(params) - len(tensor_axes(params))])

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check the state before each step (:meth:`check_state`) of the subclass's own
        ``update`` (the base class appends the update rule to its docstring)."""
        super().__init_subclass__(**kwargs)
        if "update" in cls.__dict__:
            cls.update = _checking_state(cls.__dict__["update"])

    def hyperparameters(self) -> dict[str, object]:
        """Field name -> value, e.g. ``{"lr": 0.001, "betas": (0.9, 0.999), ...}``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def init(self, params: np.ndarray) -> State:  # pragma: no cover - abstract
        """The state before the first step, for parameters shaped like ``params``."""
        raise NotImplementedError

    def update(
        self, grad: np.ndarray, state: State, params: np.ndarray
    ) -> tuple[np.ndarray, State]:  # pragma: no cover - abstract
        """One step: ``(new_params, new_state)``; the inputs are never modified."""
        raise NotImplementedError

    def effective_step(self, grad: np.ndarray, state: State, params: np.ndarray,
                       new_state: State) -> np.ndarray:  # fmt: skip
        r"""The per-coordinate step size of the step ``update(grad, state, params)``, which
        made ``new_state``: what the rule multiplies its direction by in each coordinate.

        The direction is the gradient, a momentum average of it or its sign, as each
        optimizer documents (weight decay aside). This default is a plain gradient
        step's: :math:`\gamma` in every coordinate. Shaped like ``params``.
        """
        return np.full(np.shape(params), self.rate(params), dtype=float)

    def momentum_buffer(self, state: State) -> np.ndarray | None:
        """The momentum buffer the step follows (shaped like the parameters), or None."""
        return None

    def settled(self, state: State, new_state: State, params: np.ndarray,
                new_params: np.ndarray) -> np.ndarray | None:  # fmt: skip
        """Which tensors of the batch the step from ``(state, params)`` to ``(new_state,
        new_params)`` left at a fixed point, where every later step leaves them (equal as
        numbers): a boolean array of the batch's shape (per coordinate, the points'), or
        None when the rule knows of none, as by default. A batch may stop computing them
        (:func:`atlas.races.rows.endpoints`); :meth:`atlas.optimizers.LBFGS.settled` finds them.
        """
        return None

    def check_state(self, state: State, params: np.ndarray) -> None:
        """A ``ValueError`` unless ``state`` is one this optimizer makes for ``params``.

        The state must be of the class :meth:`init` returns and its arrays must have
        the shapes ``init(params)`` gives them: the layout
        :func:`atlas.optimizers.state.state_layout` works out once, which this optimizer
        remembers by parameter shape.
        Called before every :meth:`update` of every subclass.
        """
        shape = _shape(params)
        found = self._checked_layouts.get(shape)
        if found is None:
            found = self._checked_layouts[shape] = state_layout(self, shape)
        expected, layout = found
        if not isinstance(state, expected):
            made_by = f"{type(self).__name__}.init(params)"
            if isinstance(state, State):
                raise ValueError(
                    f"{self.title}: got the state of another optimizer "
                    f"({type(state).__name__}); {self.title} steps from its own "
                    f"{expected.__name__}, made by {made_by}")
            raise ValueError(f"{self.title}: state must be the {expected.__name__} that "
                             f"{made_by} makes, got {type(state).__name__}")
        for name, wanted in layout:
            got = _shape(getattr(state, name))
            if got != wanted:
                needs = "" if wanted == shape else f", for which {name} has shape {wanted}"
                raise ValueError(
                    f"{self.title}: state array {name} has shape {got}, but params have "
                    f"shape {shape}{needs}; make the state with init(params) for these "
                    "parameters")

    @functools.cached_property
    def _checked_layouts(self) -> dict[tuple[int, ...], Layout]:
        """The layouts :meth:`check_state` has used, by parameter shape alone: a step hashes
        no hyperparameters (a sweep's optimizer holds a tuple of rates, one per start).
        Not a field: no part of the optimizer's equality, hash or repr."""
        return {}


def _shape(x: Any) -> tuple[int, ...]:
    """``np.shape(x)``, an array's own attribute read without numpy's dispatch (per step)."""
    return x.shape if isinstance(x, np.ndarray) else np.shape(x)


def _checking_state(update: Any) -> Any:
    """``update`` preceded by :meth:`Optimizer.check_state`."""

    @functools.wraps(update)
    def checked_update(
        self: Optimizer, grad: np.ndarray, state: State, params: np.ndarray
    ) -> tuple[np.ndarray, State]:
        self.check_state(state, params)
        return update(self, grad, state, params)

    return checked_update


def as_float_array(x: np.ndarray, what: str) -> np.ndarray:
    """``x`` as a floating-point array, by the one input policy
    (:func:`atlas.registry_entry.as_float_array`) short of its finiteness check.

    The check sits elsewhere on purpose: a gradient or parameter handed to a step may
    be non-finite when a run diverges, and the step must then give a non-finite result
    for :mod:`atlas.trajectory` to record the divergence (training reports it from the
    loss), rather than raise. Starts and batches are checked where they enter.
    """
    return _as_float_array(x, what, finite=False)


def step_inputs(
    grad: np.ndarray, state: State, params: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """Checked ``(g, theta, t)`` for one update: matching shapes, float arrays."""
    g = as_float_array(grad, "grad")
    theta = as_float_array(params, "params")
    if g.shape != theta.shape:
        raise ValueError(f"grad shape {g.shape} does not match params shape {theta.shape}")
    if not isinstance(state, State):
        raise ValueError(f"state must be an optimizer State, got {type(state).__name__}")
    return g, theta, state.t + 1


def tensor_axes(x: np.ndarray) -> tuple[int, ...]:
    """The axes one parameter tensor spans, for a per-tensor rule (``elementwise = False``).

    The last two axes of a stack of matrices (the leading axes are a batch of
    independent tensors), the only axis of a vector, none of a scalar.
    """
    return tuple(range(-min(np.ndim(x), 2), 0))


def lerp(start: np.ndarray, end: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """``start + weight (end - start)``, evaluated as ``torch.lerp`` does.

    PyTorch takes the form that rounds best: ``start + w (end - start)`` for
    ``|w| < 0.5``, else ``end - (end - start)(1 - w)`` (exact at ``w = 1``). The
    exponential moving averages of the reference implementations are lerps. An
    array of weights (one per start, from a rate per start) takes each one's form.
    """
    if isinstance(weight, np.ndarray):
        return np.where(np.abs(weight) < 0.5, start + weight * (end - start),
                        end - (end - start) * (1 - weight))  # fmt: skip
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)
