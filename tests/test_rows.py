"""Basin maps' run with the failed and settled starts dropped: the same numbers as every
start run through.

For every registered optimizer, a surface and rate of a ladder at which a good share
of a small grid fails at several different steps; there the compacted
:func:`atlas.races.rows.endpoints` must give, bit for bit, the plain loop's failed mask
and final points of the starts that did not fail (and :func:`atlas.trajectory`'s).
L-BFGS's starts that settle (:meth:`atlas.optimizers.LBFGS.settled`) never move again
and dropping them changes no final point; no other optimizer reports any.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.optimizers import Optimizer, State
from atlas.optimizers.two_loop import count_users
from atlas.protocol import box, step_budget
from atlas.races import basins, rows
from atlas.trajectory import trajectory

#: Tried in this order until a good share of starts fails at several steps.
SURFACES = ("goldstein_price", "three_hump_camel", "six_hump_camel", "himmelblau")
LADDER = tuple(10.0 ** (k / 2) for k in range(-5, 7))  # 0.00316 ... 1000
N, STEPS = 24, 60


def _grid(surface) -> np.ndarray:
    x, y = basins.start_grid(surface, N)
    gx, gy = np.meshgrid(x, y)
    return np.column_stack([gx.ravel(), gy.ravel()])


@pytest.fixture
def drops(monkeypatch):
    """How many times ``endpoints`` dropped rows from the state (a list to read after a run)."""
    calls: list[int] = []
    take = rows.take_rows

    def counting(state: State, keep: np.ndarray) -> State:
        calls.append(int(np.count_nonzero(~keep)))
        return take(state, keep)

    monkeypatch.setattr(rows, "take_rows", counting)
    return calls


def _failing_case(name: str, drops: list[int]):
    """The first (surface, lr) where 15-85 % of the starts fail, at 4 or more steps."""
    for surface_name in SURFACES:
        surface = surfaces.get(surface_name)
        low, high = box(surface)
        for lr in LADDER:
            drops.clear()
            _, failed = rows.endpoints(optimizers.get(name, lr=lr), surface, _grid(surface),
                                       STEPS, low, high, check_every=1, drop_share=0.0)  # fmt: skip
            if 0.15 <= failed.mean() <= 0.85 and len(drops) >= 4:
                return surface, lr
    pytest.fail(f"{name}: no surface of {SURFACES} and rate of the ladder where a good share "
                "of the starts fails at several steps")


@pytest.mark.parametrize("name", optimizers.names())
def test_dropping_failed_starts_changes_no_bit_of_the_others(name, drops):
    surface, lr = _failing_case(name, drops)
    optimizer, starts, (low, high) = optimizers.get(name, lr=lr), _grid(surface), box(surface)
    plain_final, plain_failed = rows.endpoints(optimizer, surface, starts, STEPS, low, high,
                                               check_every=0)  # fmt: skip
    live = ~plain_failed
    run = trajectory(optimizer, surface, starts, STEPS)  # every start, independent of endpoints
    assert np.array_equal(run.xy[-1][live], plain_final[live])
    for every, share in ((1, 0.0), (3, 0.1), (rows.CHECK_EVERY, rows.DROP_SHARE)):
        drops.clear()
        final, failed = rows.endpoints(optimizer, surface, starts, STEPS, low, high,
                                       check_every=every, drop_share=share)  # fmt: skip
        assert drops, f"{name} on {surface.name} at lr {lr}: nothing was dropped"
        assert np.array_equal(failed, plain_failed)
        assert np.array_equal(final[live], plain_final[live])  # bitwise: no tolerance
        assert np.isfinite(final[live]).all()


def test_a_start_that_fails_is_dropped_and_the_run_ends_when_none_is_left():
    surface = surfaces.get("himmelblau")
    low, high = box(surface)
    gradients = []

    @dataclass(frozen=True)
    class Counting:  # the surface, counting the steps taken
        def value_xy(self, p):
            return surface.value_xy(p)

        def gradient_xy(self, p):
            gradients.append(len(p))
            return surface.gradient_xy(p)

    starts = np.array([[4.9, 4.9], [3.1, 2.1], [-4.9, 4.9]])  # leave at steps 1, never, 10
    sgd = optimizers.get("sgd", lr=0.03)
    final, failed = rows.endpoints(sgd, Counting(), starts, 50, low, high, check_every=2,
                                   drop_share=0.0)  # fmt: skip
    assert failed.tolist() == [True, False, True]
    assert gradients == [3] * 2 + [2] * 8 + [1] * 40  # dropped at the checks after steps 2, 10
    plain, _ = rows.endpoints(sgd, surface, starts, 50, low, high, check_every=0)
    assert np.array_equal(final[1], plain[1])
    gradients.clear()
    _, failed = rows.endpoints(sgd, Counting(), starts[[0, 2]], 50, low, high, check_every=2,
                               drop_share=0.0)  # fmt: skip
    assert failed.all() and gradients == [2] * 2 + [1] * 8  # none left: the run stops


@pytest.mark.parametrize("name", ["sgd", "lbfgs"])  # elementwise, and per tensor
def test_a_rate_per_start_is_dropped_with_its_start(name):
    surface = surfaces.get("himmelblau")
    low, high = box(surface)
    starts = _grid(surface)[::7]
    rates = tuple(np.geomspace(0.003, 3.0, len(starts)))
    optimizer = optimizers.get(name, lr=rates)
    plain, plain_failed = rows.endpoints(optimizer, surface, starts, STEPS, low, high,
                                         check_every=0)  # fmt: skip
    final, failed = rows.endpoints(optimizer, surface, starts, STEPS, low, high, check_every=1,
                                   drop_share=0.0)  # fmt: skip
    assert 0.1 < failed.mean() < 0.9 and np.array_equal(failed, plain_failed)
    assert np.array_equal(final[~failed], plain[~failed])
    for i in np.flatnonzero(~failed)[::5]:  # and each is its rate's own run
        alone, _ = rows.endpoints(optimizers.get(name, lr=rates[i]), surface, starts[i:i + 1],
                                  STEPS, low, high)  # fmt: skip
        assert np.array_equal(alone[0], final[i])


def _leaves(value):
    """Every array of a state field, in order (through tuples of tuples)."""
    if isinstance(value, tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value] if isinstance(value, np.ndarray) else []


@pytest.mark.parametrize("name", optimizers.names())
def test_take_rows_keeps_the_rows_of_every_array_of_every_state(name):
    """After a few steps (L-BFGS has stored pairs), every batch array is subset, in order,
    and the next step from the subset state is the full state's next step on those rows."""
    optimizer = optimizers.get(name, lr=0.01)
    points = np.array([[0.5, -0.3], [1.2, 0.7], [-0.8, 0.4], [0.1, 0.9], [-1.1, -0.6]])
    shape = points.shape if optimizer.elementwise else (len(points), 1, 2)
    surface = surfaces.get("six_hump_camel")
    p, state = points.reshape(shape), optimizer.init(points.reshape(shape))
    for _ in range(4):
        p, state = optimizer.update(surface.gradient_xy(p.reshape(-1, 2)).reshape(shape), state, p)
    keep = np.array([True, False, True, True, False])
    kept = rows.take_rows(state, keep)
    assert type(kept) is type(state) and kept.t == state.t
    for field in state.__dataclass_fields__:
        old, new = _leaves(getattr(state, field)), _leaves(getattr(kept, field))
        assert len(old) == len(new)
        for a, b in zip(old, new, strict=True):
            assert np.array_equal(b, a[keep]) and not b.flags.writeable
    if name == "lbfgs":
        assert len(state.pairs) >= 2
    g = surface.gradient_xy(p.reshape(-1, 2)).reshape(shape)
    full, _ = optimizer.update(g, state, p)
    some, _ = optimizer.update(g[keep], kept, p[keep])
    assert np.array_equal(some, full[keep])


@dataclass(frozen=True)
class _OddState(State):
    thing: object = None


@pytest.mark.parametrize("thing", [[np.zeros((5, 2))], np.zeros((4, 2)), np.zeros(()),
                                   (np.zeros((5, 2)), 0.5), "text"])  # fmt: skip
def test_take_rows_refuses_a_field_it_cannot_classify(thing):
    with pytest.raises(TypeError, match="thing"):
        rows.take_rows(_OddState(t=1, thing=thing), np.ones(5, dtype=bool))
    shared = rows.take_rows(_OddState(t=3, thing=0.5), np.array([True, False]))
    assert shared == _OddState(t=3, thing=0.5)  # numbers and None are shared, not subset


#: L-BFGS on the two surfaces where most starts settle at the protocol's rates.
SETTLING = (("himmelblau", 10**-0.75), ("goldstein_price", 1.0))


def _lbfgs_run(surface, lr: float):
    """L-BFGS's plain loop on ``_grid``: every step's ``(state, params, new_state, new_params)``."""
    optimizer = optimizers.get("lbfgs", lr=lr)
    p = _grid(surface).reshape(-1, 1, 2)
    state = optimizer.init(p)
    for _ in range(step_budget(surface)):
        new, new_state = optimizer.update(surface.gradient_xy(p.reshape(-1, 2)).reshape(p.shape),
                                          state, p)  # fmt: skip
        yield state, p, new_state, new
        state, p = new_state, new


@pytest.mark.parametrize(("name", "lr"), SETTLING)
def test_a_start_lbfgs_calls_settled_never_moves_again(name, lr):
    """Every later point of a settled start equals the one where it settled."""
    surface, optimizer = surfaces.get(name), optimizers.get("lbfgs", lr=lr)
    where = np.full((N * N, 2), np.nan)  # the point where each start settled, if it did
    for state, params, new_state, new in _lbfgs_run(surface, lr):
        points = new.reshape(-1, 2)
        held = ~np.isnan(where[:, 0])
        assert np.array_equal(points[held], where[held])
        settled = optimizer.settled(state, new_state, params, new)
        assert settled.shape == (N * N,) and settled.dtype == bool
        where[settled & ~held] = points[settled & ~held]
    assert np.mean(~np.isnan(where[:, 0])) > 0.8  # most of them settle


@pytest.mark.parametrize(("name", "lr"), SETTLING)
def test_dropping_settled_starts_changes_no_final_point(name, lr, drops):
    surface, optimizer = surfaces.get(name), optimizers.get("lbfgs", lr=lr)
    starts, (low, high) = _grid(surface), box(surface)
    steps = step_budget(surface)
    plain, plain_failed = rows.endpoints(optimizer, surface, starts, steps, low, high,
                                         check_every=0)  # fmt: skip
    live = ~plain_failed
    for every, share in ((1, 0.0), (rows.CHECK_EVERY, rows.DROP_SHARE)):
        drops.clear()
        final, failed = rows.endpoints(optimizer, surface, starts, steps, low, high,
                                       check_every=every, drop_share=share)  # fmt: skip
        assert sum(drops) > len(starts) / 2 + np.count_nonzero(failed)  # most settled, gone
        assert np.array_equal(failed, plain_failed)
        assert np.array_equal(final[live], plain[live])


@pytest.mark.parametrize("name", [n for n in optimizers.names() if n != "lbfgs"])
def test_no_other_optimizer_reports_settled_starts(name):
    """The default hook, never settled: endpoints computes their starts to the end."""
    optimizer = optimizers.get(name, lr=0.01)
    assert type(optimizer).settled is Optimizer.settled
    p = np.array([[0.5, -0.3], [1.2, 0.7]])
    p = p if optimizer.elementwise else p.reshape(2, 1, 2)
    state = optimizer.init(p)
    new, new_state = optimizer.update(np.zeros_like(p), state, p)  # a step that moves nothing
    assert optimizer.settled(state, new_state, p, new) is None


def test_lbfgs_carries_which_starts_use_each_pair_as_counted_afresh():
    """The pairs' users a step carries (``LBFGSState.users``) equal a count from the pairs
    alone at every step, the older pairs of starts that skipped steps included; a state
    cut to some rows counts them again."""
    surface = surfaces.get("rastrigin")
    p = np.random.default_rng(5).uniform(-2, 2, size=(300, 1, 2))
    optimizer = optimizers.get("lbfgs", lr=0.02, history_size=7)
    state, longest = optimizer.init(p), 0
    for k in range(120):
        p, state = optimizer.update(surface.gradient_xy(p.reshape(-1, 2)).reshape(p.shape),
                                    state, p)  # fmt: skip
        counted = count_users(state.pairs, optimizer.history_size, len(p))
        assert np.array_equal(state.users.recent, counted.recent)
        assert len(state.users.users) == len(counted.users) == len(state.pairs)
        for carried, fresh in zip(state.users.users, counted.users, strict=True):
            assert (carried is None and fresh is None) or np.array_equal(carried, fresh)
        longest = max(longest, len(state.pairs))
        if k == 60:
            keep = np.arange(len(p)) % 3 > 0
            state, p = rows.take_rows(state, keep), p[keep]
            assert state.users is None
    assert longest > 2 * optimizer.history_size  # older pairs, some starts reaching back
