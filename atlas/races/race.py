r"""A race: several optimizers from one start on one surface, at the protocol's rates.

Every optimizer starts at the surface's start point with the learning rate the
protocol (:mod:`atlas.protocol`) chose for it there, and runs the surface's
step budget. :func:`run_race` computes the paths; :mod:`atlas.viz.race` draws
a :class:`Race` it is handed. :func:`race_specs` lists the races the book
animates: each group's race on each course surface, and the opening race of
the course notes' four optimizers; on the sinc well (1024 steps, a path that
circles for hundreds of them) the drawn trail is capped at :data:`TRAILS` steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from atlas import learning_rates, optimizers, protocol
from atlas.protocol import COURSE_STEPS, LearningRateChoice, as_surface, outcome_of, step_budget
from atlas.races.groups import OPENING, OPENING_SURFACE, Group, groups
from atlas.surfaces import Surface
from atlas.trajectory import trajectory

#: Surfaces whose races draw only the last k steps of each path (the trail), by name.
TRAILS: dict[str, int] = {"sinc_well": 48}


@dataclass(frozen=True)
class Run:
    """One optimizer's path in a race (the finite prefix if it diverged), and its score.

    ``left_at`` is the first step outside the plotted box (or not finite),
    ``steps_to_target`` the protocol's score of this path; ``fallback`` says
    the protocol found no rate of its grid that stays in the plot.
    """

    optimizer: str  # registry name
    title: str  # "Adam"
    lr: float
    xy: np.ndarray  # (k + 1, 2), k <= steps
    z: np.ndarray  # (k + 1,)
    diverged_at: int | None
    left_at: int | None = None
    steps_to_target: int | None = None
    fallback: bool = False

    @property
    def lr_text(self) -> str:
        """The learning rate as the tables write it (:func:`atlas.learning_rates.format_lr`)."""
        return learning_rates.format_lr(self.lr)

    @property
    def label(self) -> str:
        """``"Adam  lr=0.0316"``, and where it diverged, if it did."""
        text = f"{self.title}  lr={self.lr_text}"
        if self.diverged_at is not None:
            return f"{text}  diverged at step {self.diverged_at}"
        return text

    @property
    def path_label(self) -> str:
        """:attr:`label`, or where the path left the plot (the domain) if it did."""
        if self.diverged_at is None and self.left_at is not None:
            return f"{self.label}  left the plot at step {self.left_at}"
        return self.label

    def upto(self, step: int) -> slice:
        """The rows of the path at steps ``0 .. step`` (fewer if it diverged earlier)."""
        return slice(0, min(step, len(self.xy) - 1) + 1)


@dataclass(frozen=True)
class Race:
    """A surface, a step budget and one :class:`Run` per optimizer."""

    surface: Surface
    steps: int
    runs: tuple[Run, ...]

    @property
    def escape(self) -> bool:
        """Whether the target is an escape (the surface has no minimum, :mod:`atlas.protocol`)."""
        return not protocol.bounded(self.surface)

    @property
    def target(self) -> float:
        r"""Where a plot of the race marks its target: the gap :math:`\tau` on
        :math:`f - f^*`, or, for an escape, the level of :math:`f` to get below."""
        return protocol.threshold(self.surface) + (protocol.reference(self.surface)
                                                   if self.escape else 0.0)  # fmt: skip


def run_race(
    surface: Surface | str,
    optimizer_names: Iterable[str] | None = None,
    *,
    steps: int | None = None,
    lrs: Mapping[str, float] | None = None,
    sweeps: Mapping[str, LearningRateChoice] | None = None,
) -> Race:
    """Race ``optimizer_names`` (all by default) on ``surface`` from its start.

    ``steps`` defaults to the protocol's budget. Each learning rate is
    ``lrs[name]`` where given, else the protocol's choice: from ``sweeps`` (the
    surface's sweeps by optimizer, as :func:`atlas.learning_rates.read_sweeps`
    gives them) where given, else computed (:func:`atlas.learning_rates.best_learning_rate`).
    """
    surface = as_surface(surface)
    names = list(optimizers.names() if optimizer_names is None else optimizer_names)
    steps = step_budget(surface) if steps is None else steps
    runs = []
    for name in names:
        fallback = False
        if lrs is not None and name in lrs:
            lr = float(lrs[name])
        else:
            choice = (sweeps[name] if sweeps is not None and name in sweeps
                      else learning_rates.best_learning_rate(name, surface, steps=steps))
            lr, fallback = choice.lr, choice.fallback
        optimizer = optimizers.get(name, lr=lr)
        path = trajectory(optimizer, surface, surface.start, steps)
        outcome = outcome_of(surface, lr, path.xy, path.z, path.diverged_at)
        runs.append(Run(name, optimizer.title, lr, path.xy, path.z, path.diverged_at,
                        outcome.left_at, outcome.steps_to_target, fallback))  # fmt: skip
    return Race(surface, steps, tuple(runs))


@dataclass(frozen=True)
class RaceSpec:
    """One race the book animates: which optimizers on which surface, and how it is drawn.

    ``name`` is a suggested catalog name; ``trail`` caps the drawn trail at the
    last ``trail`` steps of each path (None: the whole path).
    """

    name: str
    surface: str
    optimizers: tuple[str, ...]
    title: str
    trail: int | None = None

    def race(self, sweeps: Mapping[str, LearningRateChoice] | None = None) -> Race:
        """Run this race at the protocol's rates (from ``sweeps``, see :func:`run_race`)."""
        return run_race(self.surface, self.optimizers, sweeps=sweeps)


def race_specs(surface_names: Iterable[str] | None = None) -> tuple[RaceSpec, ...]:
    """The opening race, then each group's race on each of ``surface_names`` (the course's).

    The opening: the course notes' four optimizers on :data:`OPENING_SURFACE`.
    """
    surface_names = list(COURSE_STEPS if surface_names is None else surface_names)
    specs = [RaceSpec("race/opening", OPENING_SURFACE, OPENING,
                      "SGD, Adagrad, RMSprop and Adam, as in the course notes",
                      TRAILS.get(OPENING_SURFACE))]  # fmt: skip
    for surface in surface_names:
        as_surface(surface)  # an unknown name fails here
        for group in groups():
            specs.append(RaceSpec(f"race/{surface}/{group.name}", surface, group.members,
                                  group.title, TRAILS.get(surface)))  # fmt: skip
    return tuple(specs)


def group_races(surface: Surface | str, sweeps: Mapping[str, LearningRateChoice] | None = None
                ) -> list[tuple[Group, Race]]:  # fmt: skip
    """Every group's race on ``surface`` (the data of the all-optimizer summary still)."""
    return [(group, run_race(surface, group.members, sweeps=sweeps)) for group in groups()]
