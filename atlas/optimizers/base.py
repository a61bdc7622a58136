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
import math
import numbers
import textwrap
from dataclasses import dataclass, fields
from typing import Any, ClassVar

import numpy as np


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class (``update`` runs per step)."""
    return tuple(field.name for field in fields(cls))


@dataclass(frozen=True)
class State:
    """An optimizer's memory between steps: the step count ``t`` and some arrays.

    Immutable twice over: the dataclass is frozen, and every array field is made
    read-only on construction, so a recorded state can never be changed by a
    later step. (Optimizers always build their states from fresh arrays.)
    """

    t: int

    def __post_init__(self) -> None:
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays of this state, by field name (per coordinate, or per tensor)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }


@dataclass(frozen=True)
class Optimizer:
    """Base class: a frozen dataclass whose fields are the hyperparameters.

    Subclasses set the class variables below, declare their hyperparameters as
    fields (``float``, ``int``, ``bool``, ``float | None``, or a pair or triple
    ``tuple[float, float]`` / ``tuple[float, float, float]``), implement
    :meth:`check` (range checks, raising :class:`ValueError` that shows the
    value), :meth:`init` and :meth:`update`. Values are coerced on construction:
    numbers become ``float``, integers ``int``, pairs and triples tuples of
    floats, and flags must be real ``bool`` values; non-finite numbers are refused.
    """

    name: ClassVar[str]  # registry name, e.g. "adam"
    title: ClassVar[str]  # "Adam"
    description: ClassVar[str]  # one line, printed by ``atlas list``
    latex: ClassVar[str]  # the update rule as the body of a LaTeX ``aligned`` block
    # True: coordinate by coordinate; False: per tensor (see the module docstring)
    elementwise: ClassVar[bool] = True
    # hyperparameters that may be +inf (e.g. Prodigy's growth_rate); NaN never may
    may_be_infinite: ClassVar[tuple[str, ...]] = ()
    # True: a model is evaluated at ``averaged(state)``, not at the parameters (schedule-free)
    evaluate_averaged: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check the state before each step (:meth:`check_state`) of the subclass's own
        ``update``; append the update rule (``latex``) to its docstring."""
        super().__init_subclass__(**kwargs)
        if "update" in cls.__dict__:
            cls.update = _checking_state(cls.__dict__["update"])
        rule = cls.__dict__.get("latex") or getattr(cls, "latex", "")
        if rule and cls.__doc__ and ".. math::" not in cls.__doc__:
            body = textwrap.indent(f"\\begin{{aligned}}\n{rule.strip()}\n\\end{{aligned}}", "    ")
            cls.__doc__ = f"{cls.__doc__.rstrip()}\n\nUpdate rule:\n\n.. math::\n\n{body}\n"

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            object.__setattr__(self, field.name, _coerce(self, field.name, field.type, value))
        self.check()

    def check(self) -> None:
        """Range checks of the hyperparameters; raise ``ValueError`` on a bad one."""

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

    def check_state(self, state: State, params: np.ndarray) -> None:
        """A ``ValueError`` unless ``state`` is one this optimizer makes for ``params``.

        The state must be of the class :meth:`init` returns and its arrays must have
        the shapes ``init(params)`` gives them (worked out once per parameter shape).
        Called before every :meth:`update` of every subclass.
        """
        shape = np.shape(params)
        expected, layout = _state_layout(self, shape)
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
            got = np.shape(getattr(state, name))
            if got != wanted:
                needs = "" if wanted == shape else f", for which {name} has shape {wanted}"
                raise ValueError(
                    f"{self.title}: state array {name} has shape {got}, but params have "
                    f"shape {shape}{needs}; make the state with init(params) for these "
                    "parameters")

    def _require_nonnegative(self, *names: str) -> None:
        """The range check most hyperparameters share: each named field is >= 0."""
        for name in names:
            if getattr(self, name) < 0:
                self._fail(name, ">= 0")

    def _fail(self, field: str, requirement: str) -> None:
        value = getattr(self, field)
        raise ValueError(f"{self.title}: {field} must be {requirement}, got {value!r}")


def _checking_state(update: Any) -> Any:
    """``update`` preceded by :meth:`Optimizer.check_state`."""

    @functools.wraps(update)
    def checked_update(
        self: Optimizer, grad: np.ndarray, state: State, params: np.ndarray
    ) -> tuple[np.ndarray, State]:
        self.check_state(state, params)
        return update(self, grad, state, params)

    return checked_update


@functools.lru_cache(maxsize=1024)
def _state_layout(
    opt: Optimizer, shape: tuple[int, ...]
) -> tuple[type[State], tuple[tuple[str, tuple[int, ...]], ...]]:
    """The class of the state ``opt.init`` makes for parameters of ``shape``, and the
    shape of each of its arrays (an optimizer is hashable: a frozen dataclass)."""
    state = opt.init(np.zeros(shape))
    return type(state), tuple((name, a.shape) for name, a in state.arrays().items())


# Declared tuple kinds -> their length (betas of two or three decay rates, Rprop's pairs).
_TUPLES = {"tuple[float, float]": 2, "tuple[float, float, float]": 3,
           "tuple[float | None, float]": 2}


def _coerce(opt: Optimizer, name: str, kind: str, value: object) -> object:
    """Turn a hyperparameter into its declared kind, or raise a clear error."""
    where = f"{type(opt).__name__}: {name}"
    if kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{where} must be True or False, got {value!r}")
        return bool(value)
    if kind == "float":
        return _real(where, value, infinite_ok=name in opt.may_be_infinite)
    if kind == "str | None":  # a named variant, e.g. Muon's adjust_lr_fn (check() validates it)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{where} must be a name or None, got {value!r}")
        return value
    if kind == "float | None":  # an optional number, e.g. a schedule that None switches off
        return None if value is None else _real(where, value)
    if kind == "int":
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
            raise ValueError(f"{where} must be an integer, got {value!r}")
        return int(value)
    if kind in _TUPLES:
        n = _TUPLES[kind]
        if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != n:
            what = "a pair of numbers" if n == 2 else f"{n} numbers"
            raise ValueError(f"{where} must be {what}, got {value!r}")
        kinds = kind[len("tuple[") : -1].split(", ")  # e.g. Adafactor's (float | None, float)
        return tuple(_coerce(opt, f"{name}[{i}]", kinds[i], value[i]) for i in range(n))
    raise TypeError(f"{where}: unsupported hyperparameter type {kind!r}")  # pragma: no cover


def _real(where: str, value: object, infinite_ok: bool = False) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a real number, got {value!r}")
    if not (math.isfinite(value) or (infinite_ok and value == math.inf)):
        raise ValueError(f"{where} must be finite, got {value!r}")
    return float(value)


def as_float_array(x: np.ndarray, what: str) -> np.ndarray:
    """``x`` as a floating-point array (integers become float64; float32 stays)."""
    x = np.asarray(x)
    if x.dtype.kind != "f":  # not a real floating type (checked per step: kept cheap)
        if not np.issubdtype(x.dtype, np.number) or np.issubdtype(x.dtype, np.complexfloating):
            raise ValueError(f"{what} must be a real array, got dtype {x.dtype}")
        x = x.astype(np.float64)
    return x


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


def lerp(start: np.ndarray, end: np.ndarray, weight: float) -> np.ndarray:
    """``start + weight (end - start)``, evaluated as ``torch.lerp`` does.

    PyTorch takes the form that rounds best: ``start + w (end - start)`` for
    ``|w| < 0.5``, else ``end - (end - start)(1 - w)`` (exact at ``w = 1``). The
    exponential moving averages of the reference implementations are lerps.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1 - weight)
