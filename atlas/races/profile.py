r"""The Dolan–Moré performance profile of the optimizers over every surface.

Dolan & Moré (2002) compare solvers over a set of problems by one curve each.
Here a solver is an optimizer, a problem a surface, and the cost
:math:`t_{s,o}` the steps to target of optimizer :math:`o`'s chosen run on
surface :math:`s` (:mod:`atlas.protocol`); a run that misses the target, or
that the protocol had to take from a failing rate, costs :math:`\infty`. The
performance ratio divides by the best optimizer on that surface,

.. math::

    r_{s,o} = \frac{t_{s,o}}{\min_{o'} t_{s,o'}},

and the profile of :math:`o` is the fraction of surfaces it solves within a
factor :math:`\rho` of the best,

.. math::

    P_o(\rho) = \frac{|\{s : r_{s,o} \le \rho\}|}{n_s}.

:math:`P_o(1)` is the fraction of surfaces :math:`o` wins (ties shared);
:math:`P_o` never decreases and ends, for large :math:`\rho`, at the fraction of
surfaces :math:`o` solves at all. Surfaces that no optimizer solves count in
:math:`n_s` and are solved by none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from atlas import optimizers
from atlas.protocol import LearningRateChoice


@dataclass(frozen=True)
class Profile:
    """Performance ratios: ``ratios[i, j]`` of optimizer ``i`` on surface ``j`` (inf: unsolved)."""

    optimizers: tuple[str, ...]
    surfaces: tuple[str, ...]
    ratios: np.ndarray  # (n_optimizers, n_surfaces)
    titles: tuple[str, ...] = ()  # "Adam": each optimizer's title (its name if unregistered)

    def fraction(self, rho: np.ndarray | float) -> np.ndarray:
        """:math:`P_o(\\rho)` for every optimizer (rows) at every ``rho`` (columns)."""
        rho = np.atleast_1d(np.asarray(rho, dtype=np.float64))
        return (self.ratios[:, :, None] <= rho[None, None, :]).mean(axis=1)

    def solved(self) -> np.ndarray:
        """The fraction of surfaces each optimizer solves at all (the profile's end)."""
        return np.isfinite(self.ratios).mean(axis=1)

    def breakpoints(self) -> np.ndarray:
        """Every finite ratio, sorted: where some profile steps up (1 always included)."""
        finite = self.ratios[np.isfinite(self.ratios)]
        return np.unique(np.concatenate([[1.0], finite]))

    def wins(self) -> np.ndarray:
        """How many surfaces each optimizer wins (ties shared): :math:`n_s P_o(1)`."""
        return np.round(self.fraction(1.0)[:, 0] * len(self.surfaces)).astype(int)

    def solved_count(self) -> np.ndarray:
        """How many surfaces each optimizer solves at all."""
        return np.isfinite(self.ratios).sum(axis=1)


def cost(choice: LearningRateChoice) -> float:
    """:math:`t_{s,o}`: the chosen run's steps to target; inf if missed or failing."""
    steps = choice.outcome.steps_to_target
    return float(steps) if steps is not None and not choice.fallback else np.inf


def performance_profile(sweeps: Mapping[str, Mapping[str, LearningRateChoice]]) -> Profile:
    """The profile over ``{surface: {optimizer: sweep}}``; optimizers in registry order."""
    surface_names = tuple(sweeps)
    every = {name for s in surface_names for name in sweeps[s]}
    names = tuple(n for n in optimizers.names() if n in every) + tuple(
        sorted(every - set(optimizers.names())))
    costs = np.array([[cost(sweeps[s][o]) if o in sweeps[s] else np.inf for s in surface_names]
                      for o in names])  # fmt: skip
    best = costs.min(axis=0) if len(names) else np.zeros(len(surface_names))
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(np.isfinite(best), best, 1.0)
        ratios = np.where(np.isfinite(costs), costs / scale, np.inf)
    registered = set(optimizers.names())
    titles = tuple(optimizers.registry.get(n).title if n in registered else n for n in names)
    return Profile(names, surface_names, ratios, titles)
