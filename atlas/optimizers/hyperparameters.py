"""Hyperparameters of an optimizer: each value coerced to its declared kind, or one clear error.

:class:`atlas.optimizers.Optimizer` calls :func:`coerce` for every field on
construction: numbers become ``float``, integers ``int``, pairs and triples tuples
of floats, flags must be real ``bool`` values; non-finite numbers are refused
(+inf only where the class declares it, ``may_be_infinite``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

# Declared tuple kinds -> their length (betas of two or three decay rates, Rprop's pairs).
_TUPLES = {"tuple[float, float]": 2, "tuple[float, float, float]": 3,
           "tuple[float | None, float]": 2}


def coerce(opt: Any, name: str, kind: str, value: object) -> object:
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
        return tuple(coerce(opt, f"{name}[{i}]", kinds[i], value[i]) for i in range(n))
    raise TypeError(f"{where}: unsupported hyperparameter type {kind!r}")  # pragma: no cover


def _real(where: str, value: object, infinite_ok: bool = False) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{where} must be a real number, got {value!r}")
    if not (math.isfinite(value) or (infinite_ok and value == math.inf)):
        raise ValueError(f"{where} must be finite, got {value!r}")
    return float(value)


