"""Learning-rate schedules: the factor by which the base learning rate is scaled.

A schedule maps the step index :math:`s = 0, 1, \\ldots, S - 1` of a run of
:math:`S` optimizer steps to a factor :math:`f(s)`; step :math:`s` then uses
:math:`\\gamma_s = f(s)\\,\\gamma`. The training loop applies it by rebuilding
the (immutable) optimizer with the new ``lr``; the optimizer state is kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from atlas.registry import Registry

registry: Registry[type[Schedule]] = Registry("schedule")


@dataclass(frozen=True)
class Schedule:
    """Base class: ``factor(step, total_steps)`` is the multiplier of the base lr."""

    description: ClassVar[str]
    latex: ClassVar[str]

    def factor(self, step: int, total_steps: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


@registry.decorator("constant")
@dataclass(frozen=True)
class Constant(Schedule):
    """The same learning rate throughout."""

    description: ClassVar[str] = "Constant learning rate"
    latex: ClassVar[str] = r"f(s) = 1"

    def factor(self, step: int, total_steps: int) -> float:
        return 1.0


@registry.decorator("cosine")
@dataclass(frozen=True)
class Cosine(Schedule):
    """Cosine annealing to ``min_factor`` (Loshchilov & Hutter, 2017), no restarts.

    The same curve as ``torch.optim.lr_scheduler.CosineAnnealingLR`` stepped
    once per batch with ``T_max`` the number of steps.
    """

    description: ClassVar[str] = "Cosine decay from lr to min_factor * lr over the run"
    latex: ClassVar[str] = r"f(s) = f_{min} + \tfrac{1}{2}(1 - f_{min})(1 + \cos(\pi s / S))"

    min_factor: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.min_factor <= 1:
            raise ValueError(f"cosine: min_factor must be in [0, 1], got {self.min_factor!r}")

    def factor(self, step: int, total_steps: int) -> float:
        progress = step / max(total_steps, 1)
        return self.min_factor + 0.5 * (1 - self.min_factor) * (1 + math.cos(math.pi * progress))


@registry.decorator("step")
@dataclass(frozen=True)
class StepDecay(Schedule):
    """Multiply the learning rate by ``gamma`` at each milestone (a fraction of the run)."""

    description: ClassVar[str] = "Step decay: lr times gamma at 50% and 75% of the run"
    latex: ClassVar[str] = r"f(s) = \gamma^{\#\{m \in M : s \geq m S\}}"

    gamma: float = 0.1
    milestones: tuple[float, ...] = (0.5, 0.75)

    def __post_init__(self) -> None:
        if not 0 < self.gamma <= 1:
            raise ValueError(f"step: gamma must be in (0, 1], got {self.gamma!r}")
        if any(not 0 < m < 1 for m in self.milestones):
            raise ValueError(
                f"step: milestones must be fractions in (0, 1), got {self.milestones!r}"
            )

    def factor(self, step: int, total_steps: int) -> float:
        passed = sum(step >= m * total_steps for m in self.milestones)
        return self.gamma**passed


def get(name: str, **params: Any) -> Schedule:
    """A schedule by name, e.g. ``get("cosine")`` or ``get("step", gamma=0.5)``."""
    return registry.get(name)(**params)


def names() -> list[str]:
    """Every schedule name."""
    return registry.names()
