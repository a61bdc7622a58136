r"""The race protocol: what a race scores, and the learning rate each optimizer races at.

A race is watched on its surface's plotted box (the surface's ``domain``), so
the protocol scores what a reader of that picture sees.

1. **Grid.** 21 learning rates, :math:`\gamma = 10^{k/4}` for
   :math:`k = -16, \ldots, 4` (from :math:`10^{-4}` to 10, four per decade).
2. **Run.** Every run starts at the surface's start point and takes a fixed
   number of steps, every other hyperparameter at its PyTorch default. The
   course surfaces keep the course notes' budgets (saddle 128, tanh bowl 128,
   sinc well 1024, narrow valley 256); every other surface gets 256 steps.
3. **Leaving the plot is failing.** A run that leaves the box (by more than
   :data:`MARGIN` of its sides) or becomes non-finite has *failed*, at the step
   it left (``left_at``; None if it never does). On a surface unbounded below
   (the saddle, the monkey saddle) an escape ends by leaving the box, so there
   a run fails only if it leaves before it reaches its target.
4. **Target.** A run's score is its *steps to target*: the first step at which
   :math:`f - f^* \le \tau`, the point inside the box, and from which it stays
   so for the next :data:`HOLD` steps of the budget: a run that only passes
   through the target, as an oscillating one does for a single step, has not
   arrived, and neither has one that touches it in its last few steps.
   :math:`\tau` is declared per surface (``Surface.tau``, with its reason where
   it is not the default :math:`10^{-2}`): the largest power of ten for which
   every point with :math:`f - f^* \le \tau` lies within 2 % of the plot's
   width of a global minimum, a marker's width, where the reader sees the run
   arrive. On a
   surface unbounded below the target is *escape*: the first step at which
   :math:`f \le f(\text{start}) - \Delta` inside the box (no hold: an escape
   goes on out of the plot), :math:`\Delta` declared per surface (``Surface.delta``).
5. **Final gap.** The gap :math:`f - f^*` the run ends within: the largest over
   the last :data:`HOLD` + 1 points the reader sees (the last steps, or the last
   steps inside the box of a run that left it), so a run still bouncing at the
   end is not credited with the lowest point of a bounce; on a surface
   unbounded below :math:`f - (f(\text{start}) - \Delta)`, at most 0 once escaped.
6. **Choice.** Each optimizer races at the grid rate with the fewest steps to
   target among the rates whose runs never fail; a run that never reaches its
   target comes after every run that does, by its final gap. Ties go to the
   smaller rate, the more cautious one. Only when every grid rate fails does
   the race use a failing run, the one that stays in the plot longest (ties:
   the smaller rate), and the choice says so (``fallback``).
7. **Ranking and winners.** On each surface the optimizers' chosen runs are
   ranked the same way, failing runs last. Steps are integers: equal steps
   share a rank, and the winners are all the optimizers with the fewest steps.
   Final gaps of runs that miss the target are compared as printed, to three
   significant digits, so no rank comes from a rounding difference. A surface
   on which no chosen run reaches its target has no winner.

No clipping, no restarts, no tuning by hand, no randomness: the numbers are
the same on every machine. :func:`sweep` runs one optimizer over the grid on
one surface and makes the choice; :mod:`atlas.learning_rates` caches the
sweeps on disk.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from atlas import optimizers, surfaces
from atlas.surfaces import Surface
from atlas.trajectory import trajectory

#: The declared grid: 10^-4 ... 10^1, four points per decade (21 rates).
GRID: tuple[float, ...] = tuple(float(10.0 ** (k / 4)) for k in range(-16, 5))

#: Step budgets of the course notes' surfaces; every other surface gets DEFAULT_STEPS.
COURSE_STEPS: dict[str, int] = {
    "saddle": 128,
    "tanh_squared": 128,
    "sinc_well": 1024,
    "narrow_valley": 256,
}
DEFAULT_STEPS = 256

#: How far beyond the plotted box a run may go before it has failed, as a fraction of
#: each side: 0, the reader sees every point of a run that has not failed.
MARGIN = 0.0

#: Final gaps are compared to this many significant digits (as the tables print them).
GAP_DIGITS = 3

#: A run has arrived when it is within its target and stays there for this many more steps.
HOLD = 10

PROTOCOL = """\
Race protocol. Every optimizer gets its own learning rate on each surface, from a grid of 21
rates (lr = 10^(k/4), k = -16..4, four per decade from 1e-4 to 10). Each run starts at the
surface's start point and takes a fixed budget of steps (saddle 128, tanh bowl 128, sinc well
1024, narrow valley 256, all others 256), every other hyperparameter at its PyTorch default.
A run that leaves the plotted box or becomes non-finite has failed at that step (on a surface
unbounded below, only if it leaves before its target). The score is steps to target: the first
step with f - f* <= tau inside the box that stays so for 10 more steps (tau declared per
surface: the largest power of ten whose region f - f* <= tau lies within 2 % of the plot's
width of a global minimum); on a surface unbounded below the target is escape,
f <= f(start) - delta. The chosen rate has the fewest steps to target among the rates that
never fail; runs that miss the target come after, by their final gap (the largest over their
last 11 steps); ties go to the smaller rate. Only if every rate fails is a failing run used
(the one that stays in the plot longest), and the tables say so. Equal steps share a rank;
gaps are compared to 3 significant digits. No clipping, no restarts, no hand tuning."""


def step_budget(surface: Surface | str) -> int:
    """The fixed number of steps of every run on ``surface`` (see :data:`COURSE_STEPS`)."""
    name = surface if isinstance(surface, str) else surface.name
    return COURSE_STEPS.get(name, DEFAULT_STEPS)


def as_surface(surface: Surface | str) -> Surface:
    """The registered surface called ``surface``, or ``surface`` itself."""
    return surfaces.get(surface) if isinstance(surface, str) else surface


def bounded(surface: Surface) -> bool:
    """Whether ``surface`` has a minimum (else it is unbounded below and its target is escape)."""
    return surface.f_min is not None


def reference(surface: Surface) -> float:
    """What a gap is measured from: f* (or the escape level f(start) - delta)."""
    if bounded(surface):
        return float(surface.f_min)
    return float(surface.value_xy(np.asarray(surface.start))) - float(surface.delta)


def threshold(surface: Surface) -> float:
    """The gap at or below which a run has reached its target: tau (0 for an escape)."""
    return float(surface.tau) if bounded(surface) else 0.0


def box(surface: Surface, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """The failure box ``(low, high)``: the domain widened by ``margin`` of each side."""
    (x0, x1), (y0, y1) = surface.domain
    pad = margin * np.array([x1 - x0, y1 - y0])
    return np.array([x0, y0]) - pad, np.array([x1, y1]) + pad


@dataclass(frozen=True)
class RunOutcome:
    """What the reader sees of one run: when it arrives, where it ends, when it leaves.

    ``steps_to_target`` and ``left_at`` are step numbers (None: never);
    ``final_gap`` is the gap at the last point seen (see the module docstring).
    """

    lr: float
    steps_to_target: int | None
    final_gap: float
    left_at: int | None
    failed: bool

    @property
    def reached(self) -> bool:
        return self.steps_to_target is not None


def rounded(gap: float, digits: int = GAP_DIGITS) -> float:
    """``gap`` to ``digits`` significant digits, as the tables print it."""
    return float(f"{gap:.{digits - 1}e}") if math.isfinite(gap) else gap


def merit(outcome: RunOutcome) -> tuple[int, float]:
    """Smaller is better: reached runs by steps, then the others by their (printed) gap."""
    if outcome.reached:
        return (0, float(outcome.steps_to_target))
    return (1, rounded(outcome.final_gap))


def arrival(within: np.ndarray, hold: int) -> int | None:
    """The first step ``k`` with ``within[k : k + hold + 1]`` all true, all inside ``within``."""
    inside, outside = np.flatnonzero(within), np.flatnonzero(~within)
    following = np.searchsorted(outside, inside)  # the next step outside, for each inside
    next_out = np.append(outside, len(within))[following]
    arrived = inside[(next_out > inside + hold) & (inside + hold < len(within))]
    return int(arrived[0]) if arrived.size else None


def outcome_of(surface: Surface, lr: float, xy: np.ndarray, z: np.ndarray,
               diverged_at: int | None, margin: float = MARGIN) -> RunOutcome:  # fmt: skip
    """Score one run from its path ``xy`` (k + 1, 2) and values ``z`` (the finite prefix)."""
    low, high = box(surface, margin)
    inside = np.all((xy >= low) & (xy <= high), axis=-1)
    outside = np.flatnonzero(~inside)
    left = [int(outside[0])] if outside.size else []
    left_at = min([*left, *([diverged_at] if diverged_at is not None else [])], default=None)
    seen = len(z) if left_at is None else left_at  # the points 0 .. seen - 1 are in the plot
    gap = z[:seen] - reference(surface)
    steps_to_target = arrival(gap <= threshold(surface), HOLD if bounded(surface) else 0)
    failed = left_at is not None and (bounded(surface) or steps_to_target is None)
    final_gap = float(gap[-(HOLD + 1):].max())  # the gap it ends within (module doc, 5)
    return RunOutcome(float(lr), steps_to_target, final_gap, left_at, failed)


def run_outcome(optimizer_name: str, surface: Surface | str, lr: float,
                steps: int | None = None) -> RunOutcome:  # fmt: skip
    """Run ``optimizer_name`` at ``lr`` from the start of ``surface`` and score it."""
    surface = as_surface(surface)
    steps = step_budget(surface) if steps is None else steps
    # What the reader sees ends where the run leaves the box: the rest is not computed.
    run = trajectory(optimizers.get(optimizer_name, lr=lr), surface, surface.start, steps,
                     until_outside=box(surface))
    return outcome_of(surface, lr, run.xy, run.z, run.diverged_at)


def choose(outcomes: Sequence[RunOutcome]) -> tuple[int, bool]:
    """``(index, fallback)`` of the protocol's choice among one grid's ``outcomes``."""
    if not outcomes:
        raise ValueError("nothing to choose from: the grid is empty")
    index = range(len(outcomes))
    safe = [i for i in index if not outcomes[i].failed]
    if safe:
        return min(safe, key=lambda i: (merit(outcomes[i]), outcomes[i].lr)), False
    # Every rate fails: the run the reader sees longest (left_at is set for every failed run).
    return min(index, key=lambda i: (-(outcomes[i].left_at or 0), outcomes[i].lr)), True


@dataclass(frozen=True)
class LearningRateChoice:
    """One optimizer over the whole grid on one surface, and the protocol's choice."""

    optimizer: str
    surface: str
    steps: int  # the step budget
    outcomes: tuple[RunOutcome, ...]  # one per grid rate, in grid order
    chosen: int  # index of the chosen rate
    fallback: bool  # True: every rate fails, the chosen run is a failing one

    @property
    def outcome(self) -> RunOutcome:
        """The chosen run's outcome."""
        return self.outcomes[self.chosen]

    @property
    def lr(self) -> float:
        return self.outcome.lr

    @property
    def grid(self) -> tuple[float, ...]:
        return tuple(o.lr for o in self.outcomes)

    @property
    def score(self) -> float:
        """The chosen run's final gap (the number the explorer shows)."""
        return self.outcome.final_gap

    @property
    def diverged(self) -> bool:
        """Whether no rate stayed in the plot (the same as :attr:`fallback`)."""
        return self.fallback


def check_grid(grid: Sequence[float] | None) -> tuple[float, ...]:
    """``grid`` (default :data:`GRID`) as a tuple of positive finite rates."""
    grid = tuple(float(lr) for lr in (GRID if grid is None else grid))
    if not grid or any(not (math.isfinite(lr) and lr > 0) for lr in grid):
        raise ValueError(f"grid must be a non-empty list of positive learning rates, got {grid}")
    return grid


def sweep(optimizer_name: str, surface: Surface | str, grid: Sequence[float] | None = None,
          steps: int | None = None) -> LearningRateChoice:  # fmt: skip
    """Run ``optimizer_name`` at every rate of ``grid`` on ``surface``; make the choice.

    ``grid`` defaults to :data:`GRID` and ``steps`` to :func:`step_budget`.
    Results are kept in memory (the same arguments give the same object).
    """
    surface = as_surface(surface)
    optimizers.registry.get(optimizer_name)  # an unknown name fails here, with suggestions
    steps = int(step_budget(surface) if steps is None else steps)
    return _sweep(optimizer_name, surface, check_grid(grid), steps)


def grid_outcomes(optimizer_name: str, surface: Surface, grid: Sequence[float],
                  steps: int) -> tuple[RunOutcome, ...]:  # fmt: skip
    """:func:`run_outcome` at every rate of ``grid``: all in one batch of starts, one rate
    each, where the optimizer takes a rate per start (the same numbers, see
    :meth:`atlas.optimizers.Optimizer.rate`), else one run after another."""
    if not optimizers.registry.get(optimizer_name).rates_per_start:
        return tuple(run_outcome(optimizer_name, surface, lr, steps) for lr in grid)
    starts = np.tile(np.asarray(surface.start, dtype=np.float64), (len(grid), 1))
    run = trajectory(optimizers.get(optimizer_name, lr=tuple(grid)), surface, starts, steps,
                     until_outside=box(surface))
    outcomes = []
    for i, lr in enumerate(grid):
        diverged_at = int(run.diverged_at[i]) if run.diverged_at[i] >= 0 else None
        end = len(run.xy) if diverged_at is None else diverged_at  # the finite prefix
        outcomes.append(outcome_of(surface, lr, run.xy[:end, i], run.z[:end, i], diverged_at))
    return tuple(outcomes)


@cache
def _sweep(name: str, surface: Surface, grid: tuple[float, ...], steps: int) -> LearningRateChoice:
    outcomes = grid_outcomes(name, surface, grid, steps)
    chosen, fallback = choose(outcomes)
    return LearningRateChoice(name, surface.name, steps, outcomes, chosen, fallback)
