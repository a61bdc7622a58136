"""What every registry entry is: metadata, checked hyperparameters, one input policy.

Optimizers, activations and losses are frozen dataclasses registered by name
(:mod:`atlas.registry`). They share :class:`RegistryEntry`:

* the metadata class variables ``name``, ``title``, ``description`` and
  ``latex`` (the rule, appended to the class's docstring as a formula);
* hyperparameters coerced on construction to their declared kind by
  :func:`coerce` (numbers become ``float``, integers ``int``, pairs and triples
  tuples of floats, flags real ``bool`` values; non-finite numbers refused, +inf
  only where the class lists the field in ``may_be_infinite``), then range-checked
  by the subclass's :meth:`RegistryEntry.check`, where :meth:`RegistryEntry._fail`
  raises the ``ValueError`` that shows the bad value;
* one input policy for arrays, :func:`as_float_array`.
"""

from __future__ import annotations

import math
import numbers
import textwrap
from dataclasses import fields
from typing import Any, ClassVar

import numpy as np


class RegistryEntry:
    """Base class of the frozen dataclasses kept in a registry (see the module docstring)."""

    name: ClassVar[str]  # registry name, e.g. "adam"
    title: ClassVar[str]  # "Adam"
    description: ClassVar[str]  # one line, printed by ``atlas list``
    latex: ClassVar[str]  # the rule, as the body of a LaTeX ``aligned`` block
    latex_heading: ClassVar[str] = "Formula"  # what the docstring calls the rule
    # hyperparameters that may be +inf (e.g. Prodigy's growth_rate); NaN never may
    may_be_infinite: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Append the rule (``latex``) to the subclass's docstring, unless it shows one."""
        super().__init_subclass__(**kwargs)
        rule = cls.__dict__.get("latex") or getattr(cls, "latex", "")
        if rule and cls.__doc__ and ".. math::" not in cls.__doc__:
            body = textwrap.indent(f"\\begin{{aligned}}\n{rule.strip()}\n\\end{{aligned}}", "    ")
            cls.__doc__ = (f"{cls.__doc__.rstrip()}\n\n{cls.latex_heading}:\n\n"
                           f".. math::\n\n{body}\n")

    def __post_init__(self) -> None:
        for field in fields(self):  # type: ignore[arg-type]
            value = getattr(self, field.name)
            object.__setattr__(self, field.name, coerce(self, field.name, field.type, value))
        self.check()

    def check(self) -> None:
        """Range checks of the hyperparameters; raise ``ValueError`` (:meth:`_fail`)."""

    def _require_nonnegative(self, *names: str) -> None:
        """The range check most hyperparameters share: each named field is >= 0."""
        for name in names:
            if getattr(self, name) < 0:
                self._fail(name, ">= 0")

    def _fail(self, field: str, requirement: str) -> None:
        """Raise the ``ValueError`` saying ``field`` must be ``requirement``, with its value."""
        value = getattr(self, field)
        raise ValueError(f"{self.title}: {field} must be {requirement}, got {value!r}")


# Declared tuple kinds -> their length (betas of two or three decay rates, Rprop's pairs).
_TUPLES = {"tuple[float, float]": 2, "tuple[float, float, float]": 3,
           "tuple[float | None, float]": 2}


def coerce(entry: Any, name: str, kind: str, value: object) -> object:
    """Turn a hyperparameter into its declared kind, or raise a clear ``ValueError``.

    ``kind`` is the field's annotation as written (``"float"``, ``"int"``,
    ``"bool"``, ``"str"``, ``"str | None"``, ``"float | None"`` or a tuple of floats).
    """
    where = f"{type(entry).__name__}: {name}"
    if kind == "bool":
        if not isinstance(value, bool | np.bool_):
            raise ValueError(f"{where} must be True or False, got {value!r}")
        return bool(value)
    if kind == "float":
        return _real(where, value, infinite_ok=name in entry.may_be_infinite)
    if kind == "str":  # a named choice, e.g. a loss's reduction (check() validates it)
        if not isinstance(value, str):
            raise ValueError(f"{where} must be a name, got {value!r}")
        return value
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
        return tuple(coerce(entry, f"{name}[{i}]", kinds[i], value[i]) for i in range(n))
    raise TypeError(f"{where}: unsupported hyperparameter type {kind!r}")  # pragma: no cover


def _real(where: str, value: object, infinite_ok: bool = False) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a real number, got {value!r}")
    if not (math.isfinite(value) or (infinite_ok and value == math.inf)):
        raise ValueError(f"{where} must be finite, got {value!r}")
    return float(value)


def as_float_array(x: Any, what: str, like: np.ndarray | None = None, *,
                   finite: bool = True) -> np.ndarray:
    """``x`` as a real floating-point array, or a ``ValueError`` naming ``what``.

    The one input policy of optimizers, activations and losses: a float array
    passes as it is (float32 stays float32; nothing is copied); integers and bools
    become the float dtype of ``like`` (float64 without it); anything else
    (complex, strings, objects) is refused; and a NaN or infinite entry is refused.

    ``finite=False`` leaves out only that last check, where a value in flight may
    legitimately be non-finite because a run diverges: an optimizer's gradient on a
    surface that overflows (:mod:`atlas.trajectory` records the divergence from the
    step's result) and an activation's input in a network whose weights blew up
    (training reports it from the loss). Their callers check finiteness where the
    data enter: the start of a trajectory, the batches and the logits of a network.
    The checks are cheap (a dtype kind; one ``isfinite`` pass), as they run every step.
    """
    x = np.asarray(x)
    if x.dtype.kind != "f":
        if x.dtype.kind not in "iub":  # signed, unsigned, bool
            raise ValueError(f"{what} must be a real array, got dtype {x.dtype}")
        x = x.astype(np.float64 if like is None else like.dtype)
    if finite and not np.isfinite(x).all():
        raise ValueError(f"{what} must be finite, got {x[~np.isfinite(x)].ravel()[:3]!r}...")
    return x
