"""An optimizer's state, and its layout: what every update checks a state against.

A :class:`State` is what an optimizer's ``init`` makes and its ``update`` folds: the
step count and some arrays, frozen. Its *layout* (:func:`state_layout`) is the class
``init`` returns and the shape of each of its arrays, for parameters of one shape:
:meth:`atlas.optimizers.Optimizer.check_state` compares a state against it before
every step (:mod:`atlas.optimizers.base`).

A layout is worked out once, by ``init`` on zeros, and remembered by everything it may
depend on: the optimizer's class, its hyperparameters other than the learning rate,
whether it has one rate or a tuple of how many, and the parameter shape. It never
depends on the rate's value (``tests/test_optimizers.py`` checks that for every
optimizer), so a scheduled training run, with a new rate every step, makes its layouts
once, not once a step.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from atlas.optimizers.base import Optimizer

#: A state's class and the shape of each of its arrays, by field name.
Layout = tuple[type["State"], tuple[tuple[str, tuple[int, ...]], ...]]

_LAYOUTS: dict[tuple[Any, ...], Layout] = {}  # by what a layout depends on; oldest dropped first
_MAX_LAYOUTS = 1024


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    """A dataclass's field names, looked up once per class."""
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
        for value in self.__dict__.values():  # the fields, as __init__ has just set them
            if isinstance(value, np.ndarray):
                value.setflags(write=False)  # as flags.writeable = False, in half the time

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays of this state, by field name (per coordinate, or per tensor)."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }


def state_layout(opt: Optimizer, shape: tuple[int, ...]) -> Layout:
    """The class of the state ``opt.init`` makes for parameters of ``shape``, and the
    shape of each of its arrays (see the module docstring for what it is remembered by).

    Only the number of rates enters, not their values: a tuple of rates may make an
    array of what is otherwise a number (ASGD's ``eta``, one per start).
    """
    rates = getattr(opt, "lr", None)
    others = tuple(getattr(opt, name) for name in _field_names(type(opt)) if name != "lr")
    key = (type(opt), len(rates) if isinstance(rates, tuple) else None, others, shape)
    layout = _LAYOUTS.get(key)
    if layout is None:
        state = opt.init(np.zeros(shape))
        layout = (type(state), tuple((name, a.shape) for name, a in state.arrays().items()))
        if len(_LAYOUTS) >= _MAX_LAYOUTS:
            del _LAYOUTS[next(iter(_LAYOUTS))]
        _LAYOUTS[key] = layout
    return layout
