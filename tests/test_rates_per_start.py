"""One learning rate per start: a sweep's rates run as one batch, with the numbers of separate runs.

An optimizer that declares ``rates_per_start`` takes ``lr`` as a tuple, one rate per
start of a batch (:meth:`atlas.optimizers.Optimizer.rate`); the protocol's sweeps run
their 21 grid rates that way (:func:`atlas.protocol.grid_outcomes`). Every row must be
bit for bit the run of its rate alone, diverging or leaving the plot included.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np
import pytest

from atlas import optimizers, protocol, surfaces
from atlas.optimizers.sgd import SGD
from atlas.protocol import GRID, box, grid_outcomes, run_outcome, step_budget
from atlas.trajectory import trajectory

BATCHED = [n for n in optimizers.names() if optimizers.registry.get(n).rates_per_start]
RATES = GRID[::4]  # 1e-4 ... 10: runs that crawl, arrive, bounce, leave and diverge
SURFACES = ("rosenbrock", "himmelblau", "ackley", "saddle", "sinc_well")
STEPS = 80


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("name", BATCHED)
def test_each_row_of_a_batch_of_rates_is_its_rate_run_alone(name, surface):
    surface = surfaces.get(surface)
    starts = np.tile(surface.start, (len(RATES), 1))
    batch = trajectory(optimizers.get(name, lr=RATES), surface, starts, STEPS)
    for i, lr in enumerate(RATES):
        alone = trajectory(optimizers.get(name, lr=lr), surface, None, STEPS)
        n = len(alone.xy)  # the finite prefix; the batch holds a diverged row after it
        assert (batch.diverged_at[i] if batch.diverged_at[i] >= 0 else None) == alone.diverged_at
        np.testing.assert_array_equal(batch.xy[:n, i], alone.xy, err_msg=f"lr={lr}")
        np.testing.assert_array_equal(batch.z[:n, i], alone.z, err_msg=f"lr={lr}")


@pytest.mark.parametrize("surface", ("goldstein_price", "saddle"))
@pytest.mark.parametrize("name", BATCHED)
def test_a_sweep_in_one_batch_scores_as_one_run_per_rate(name, surface):
    surface = surfaces.get(surface)
    steps = step_budget(surface)
    batched = grid_outcomes(name, surface, GRID, steps)
    assert [asdict(o) for o in batched] == [
        asdict(run_outcome(name, surface, lr, steps)) for lr in GRID]


@dataclass(frozen=True)
class OneRateSGD(SGD):
    """SGD that does not declare ``rates_per_start`` (every registered optimizer now does)."""

    rates_per_start: ClassVar[bool] = False


def test_an_optimizer_without_rates_per_start_refuses_a_tuple_of_rates():
    assert OneRateSGD(lr=0.1).lr == 0.1
    with pytest.raises(ValueError, match="takes no rate per start"):
        OneRateSGD(lr=(0.1, 0.2))


def test_each_rate_is_checked_as_a_single_lr_and_shown():
    with pytest.raises(ValueError, match=r"lr must be >= 0, got -0.5"):
        optimizers.get("adam", lr=(0.1, -0.5))
    with pytest.raises(ValueError, match="at least one rate"):
        optimizers.get("sgd", lr=())
    assert optimizers.get("sgd", lr=[0.1, 1]).lr == (0.1, 1.0)


def test_rates_need_a_batch_of_as_many_starts():
    sgd = optimizers.get("sgd", lr=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="3 learning rates need a batch of 3 starts"):
        trajectory(sgd, "sphere", np.zeros((2, 2)), 5)
    with pytest.raises(ValueError, match="3 learning rates need a batch of 3 starts"):
        trajectory(sgd, "sphere", (1.0, 1.0), 5)


def test_a_batch_stops_when_its_last_start_has_left_the_box():
    surface = surfaces.get("goldstein_price")
    low, high = box(surface)
    sgd = optimizers.get("sgd", lr=(1e-5, 1e-4, 1e-3))
    starts = np.tile(surface.start, (3, 1))
    whole = trajectory(sgd, surface, starts, 200)
    cut = trajectory(sgd, surface, starts, 200, until_outside=(low, high))
    outside = ~np.all((whole.xy >= low) & (whole.xy <= high), axis=-1)  # (steps + 1, 3)
    first_out = [int(np.flatnonzero(outside[:, i])[0]) if outside[:, i].any() else 200
                 for i in range(3)]  # fmt: skip
    last = max(first_out)
    assert cut.xy.shape == whole.xy.shape  # held to the full length, as a batch always is
    np.testing.assert_array_equal(cut.xy[: last + 1], whole.xy[: last + 1])
    for i in range(3):
        assert protocol.outcome_of(surface, 1.0, cut.xy[:, i], cut.z[:, i], None) == \
            protocol.outcome_of(surface, 1.0, whole.xy[:, i], whole.z[:, i], None)
