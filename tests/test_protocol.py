"""The race protocol: targets, what a run scores, how a rate is chosen (atlas.protocol)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from atlas import optimizers, protocol, surfaces
from atlas.protocol import GRID, RunOutcome, choose, outcome_of, run_outcome, step_budget, sweep
from atlas.surfaces import TAU, Surface
from atlas.trajectory import trajectory


def test_grid_is_four_per_decade_from_1e_minus_4_to_10():
    assert len(GRID) == 21
    assert GRID[0] == pytest.approx(1e-4, rel=1e-15) and GRID[-1] == pytest.approx(10.0)
    np.testing.assert_allclose(np.array(GRID[1:]) / np.array(GRID[:-1]), 10**0.25, rtol=1e-13)


def test_step_budgets_keep_the_course_notes_budgets():
    assert [step_budget(s) for s in ("saddle", "tanh_squared", "sinc_well", "narrow_valley")] \
        == [128, 128, 1024, 256]  # fmt: skip
    assert step_budget(surfaces.get("rosenbrock")) == protocol.DEFAULT_STEPS == 256
    assert set(protocol.COURSE_STEPS) <= set(surfaces.names())


# ------------------------------------------------------------------ the surfaces' targets


def sublevel_radius(surface: Surface, tau: float, n: int = 801) -> float:
    """How far (as a fraction of the plot's width) the region f - f* <= tau reaches from a
    global minimum, on an n x n grid of the box."""
    (x0, x1), (y0, y1) = surface.domain
    x, y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    near = surface.value(x, y) - surface.f_min <= tau
    distance = np.min([np.hypot(x - m.x, y - m.y) for m in surface.minima], axis=0)
    return float(distance[near].max(initial=0.0)) / max(x1 - x0, y1 - y0)


BOUNDED = [name for name in surfaces.names() if surfaces.get(name).f_min is not None]
UNBOUNDED = [name for name in surfaces.names() if surfaces.get(name).f_min is None]


@pytest.mark.parametrize("name", BOUNDED)
def test_tau_is_the_largest_power_of_ten_seen_within_a_marker_of_the_minimum(name):
    surface = surfaces.get(name)
    assert math.log10(surface.tau) == round(math.log10(surface.tau))
    assert sublevel_radius(surface, surface.tau) <= 0.02
    assert sublevel_radius(surface, 10 * surface.tau) > 0.02  # 10 tau would be too coarse
    assert (surface.tau == TAU) != bool(surface.target_note)  # a reason where not the default
    start = float(surface.value_xy(np.array(surface.start)))
    assert start - surface.f_min > surface.tau  # no race starts at its target


@pytest.mark.parametrize("name", UNBOUNDED)
def test_escape_levels_lie_inside_the_plot(name):
    surface = surfaces.get(name)
    assert surface.delta > 0 and surface.target_note
    (x0, x1), (y0, y1) = surface.domain
    x, y = np.meshgrid(np.linspace(x0, x1, 401), np.linspace(y0, y1, 401))
    level = protocol.reference(surface)
    assert level == float(surface.value_xy(np.array(surface.start))) - surface.delta
    assert surface.value(x, y).min() < level  # reachable in the box
    assert protocol.threshold(surface) == 0.0


def test_a_surface_declares_its_target_consistently():
    base = {f: getattr(surfaces.get("sphere"), f) for f in
            ("title", "latex", "description", "f", "grad", "domain", "start", "minima")}
    for bad, match in [({"tau": 0.0}, "tau must be > 0"), ({"tau": math.nan}, "tau"),
                       ({"delta": 1.0, "target_note": "x"}, "only such a surface"),
                       ({"tau": 1e-3}, "target_note"), ({"target_note": "why"}, "only such"),
                       ({"minima": (), "delta": None}, "delta")]:  # fmt: skip
        with pytest.raises(ValueError, match=match):
            Surface(name="bad", **{**base, **bad})


# ------------------------------------------------------------------ what a run scores


def test_a_run_is_scored_by_its_steps_to_target_sgd_on_the_sphere():
    # f = 25 / 4^k for SGD at lr 0.25 (each coordinate halves): first f <= 1e-2 at k = 6.
    outcome = run_outcome("sgd", "sphere", 0.25)
    assert outcome == RunOutcome(0.25, 6, outcome.final_gap, None, False)
    assert outcome.final_gap == pytest.approx(25 / 4**256, rel=1e-9)
    # lr 1 flips the sign of every coordinate: it never arrives and never leaves.
    stuck = run_outcome("sgd", "sphere", 1.0)
    assert (stuck.steps_to_target, stuck.left_at, stuck.failed) == (None, None, False)
    assert stuck.final_gap == pytest.approx(25.0)
    # lr 1.5 doubles and flips: (-4, 3) -> (8, -6), out of [-5, 5]^2 at step 1: failed there.
    out = run_outcome("sgd", "sphere", 1.5)
    assert (out.left_at, out.failed, out.steps_to_target) == (1, True, None)
    assert out.final_gap == pytest.approx(25.0)  # the last point seen: the start


def test_passing_through_the_target_is_not_arriving():
    within = np.zeros(40, dtype=bool)
    within[5] = True  # a single step in the target, as an oscillating run passes through it
    within[12:20] = True  # eight steps: still passing
    within[25:] = True  # from step 25 on it stays
    assert protocol.arrival(within, protocol.HOLD) == 25
    assert protocol.arrival(within, 0) == 5
    assert protocol.arrival(within[:36], protocol.HOLD) == 25  # steps 25..35: just enough
    assert protocol.arrival(within[:35], protocol.HOLD) is None  # the budget ends too soon
    assert protocol.arrival(np.zeros(5, dtype=bool), 3) is None
    sphere = surfaces.get("sphere")
    x = np.r_[-4.0, 0.0, -3.0, np.zeros(20)]  # at the minimum at step 1, away, then back
    xy = np.column_stack([x, np.zeros_like(x)])
    outcome = outcome_of(sphere, 0.1, xy, sphere.value_xy(xy), None)
    assert outcome.steps_to_target == 3 and not outcome.failed


def test_leaving_the_plot_and_non_finite_values_are_failures_at_their_step():
    sphere = surfaces.get("sphere")
    xy = np.array([[-4.0, 3.0]] + [[0.01, 0.0]] * 12 + [[6.0, 0.0], [0.0, 0.0]])
    z = sphere.value_xy(xy)
    outcome = outcome_of(sphere, 0.1, xy, z, None)
    # In the target from step 1 (and for 11 steps), but out of the box at step 13:
    # on a bounded surface, failed.
    assert (outcome.steps_to_target, outcome.left_at, outcome.failed) == (1, 13, True)
    assert outcome.final_gap == pytest.approx(1e-4)  # over the last 11 points seen
    short = outcome_of(sphere, 0.1, xy[[0, 1, 13]], z[[0, 1, 13]], None)
    assert (short.steps_to_target, short.left_at, short.final_gap) == (None, 2, 25.0)
    diverged = outcome_of(sphere, 0.1, xy[:2], z[:2], diverged_at=2)
    assert (diverged.left_at, diverged.failed) == (2, True)
    settled = np.vstack([xy[:2], np.zeros((12, 2))])
    never = outcome_of(sphere, 0.1, settled, sphere.value_xy(settled), None)
    assert (never.left_at, never.failed, never.final_gap) == (None, False, 0.0)


def test_the_final_gap_is_the_one_the_run_ends_within():
    sphere = surfaces.get("sphere")
    # It bounces through the minimum and ends at f = 0.25: it ends within 4, not 0.25.
    bouncing = np.array([[-4.0, 3.0]] + [[2.0, 0.0], [0.0, 0.0]] * 10 + [[0.5, 0.0]])
    outcome = outcome_of(sphere, 0.1, bouncing, sphere.value_xy(bouncing), None)
    assert outcome.final_gap == 4.0 and outcome.steps_to_target is None


def test_on_a_surface_unbounded_below_leaving_after_the_escape_is_no_failure():
    saddle = surfaces.get("saddle")  # start f = 16, escape: f <= -4 inside the box
    escaped = np.array([[1e-4, 4.0], [1.0, 1.0], [3.0, 0.0], [9.0, 0.0]])
    outcome = outcome_of(saddle, 0.1, escaped, saddle.value_xy(escaped), None)
    assert (outcome.steps_to_target, outcome.left_at, outcome.failed) == (2, 3, False)
    assert outcome.final_gap == pytest.approx(16.0 - 1e-8 - (16.0 - 1e-8 - 20.0))  # at step 0
    # Leaving before the escape fails; f <= -4 OUTSIDE the box is not an escape.
    early = np.array([[1e-4, 4.0], [9.0, 0.0], [3.0, 0.0]])
    outcome = outcome_of(saddle, 0.1, early, saddle.value_xy(early), None)
    assert (outcome.steps_to_target, outcome.left_at, outcome.failed) == (None, 1, True)


# NAdam and Lion leave Goldstein-Price after 96 and 62 steps, Adam stays, SGD leaves at once.
LEAVING = [("nadam", 10 ** -0.5), ("lion", 1.0), ("adam", 0.1), ("sgd", 10.0)]


@pytest.mark.parametrize("name, lr", LEAVING)
def test_a_run_stops_where_it_leaves_the_box_and_scores_as_the_whole_run(name, lr):
    surface = surfaces.get("goldstein_price")
    low, high = protocol.box(surface)
    steps = step_budget(surface)
    whole = trajectory(optimizers.get(name, lr=lr), surface, None, steps)
    cut = trajectory(optimizers.get(name, lr=lr), surface, None, steps, until_outside=(low, high))
    outside = np.flatnonzero(~np.all((whole.xy >= low) & (whole.xy <= high), axis=-1))
    assert len(cut.xy) == (outside[0] + 1 if outside.size else len(whole.xy))
    np.testing.assert_array_equal(cut.xy, whole.xy[: len(cut.xy)])
    assert outcome_of(surface, lr, cut.xy, cut.z, cut.diverged_at) == outcome_of(
        surface, lr, whole.xy, whole.z, whole.diverged_at)
    assert run_outcome(name, surface, lr) == outcome_of(
        surface, lr, whole.xy, whole.z, whole.diverged_at)


# ------------------------------------------------------------------ how a rate is chosen


def o(lr, steps=None, gap=1.0, left=None, failed=False):
    return RunOutcome(lr, steps, gap, left, failed)


def test_the_choice_takes_the_fewest_steps_among_rates_that_never_fail():
    outcomes = [o(0.1, 30), o(0.2, 12), o(0.4, 5, left=7, failed=True), o(0.8, None, 0.5)]
    assert choose(outcomes) == (1, False)
    # Ties go to the smaller rate.
    assert choose([o(0.1, 12), o(0.2, 12), o(0.4, 13)]) == (0, False)


def test_runs_that_miss_the_target_come_after_by_their_gap_as_printed():
    assert choose([o(0.1, None, 0.5), o(0.2, 200), o(0.4, None, 1e-9)]) == (1, False)
    assert choose([o(0.1, None, 0.5), o(0.2, None, 0.25)]) == (1, False)
    # 0.8161646291 and 0.8161646290 print alike (0.816): a tie, the smaller rate wins.
    assert choose([o(0.1, None, 0.8161646291), o(0.2, None, 0.8161646290)]) == (0, False)


def test_only_when_every_rate_fails_is_a_failing_run_used_the_one_seen_longest():
    outcomes = [o(0.1, None, left=5, failed=True), o(0.2, 3, left=9, failed=True),
                o(0.4, None, left=9, failed=True), o(0.8, None, left=1, failed=True)]
    assert choose(outcomes) == (1, True)
    with pytest.raises(ValueError, match="empty"):
        choose([])


def test_a_sweep_runs_every_rate_and_its_choice_is_the_rule_applied_to_them():
    choice = sweep("sgd", "sphere", grid=(0.0316, 0.25, 0.5, 1.5), steps=64)
    assert [r.lr for r in choice.outcomes] == [0.0316, 0.25, 0.5, 1.5]
    assert choice.outcomes[1].steps_to_target == 6 and choice.outcomes[2].steps_to_target == 1
    assert choice.lr == 0.5 and not choice.fallback  # lr 0.5 lands on the minimum in one step
    assert choice.outcomes[3].failed and choice.score == choice.outcome.final_gap
    sphere = surfaces.get("sphere")
    for outcome in choice.outcomes:  # each outcome is its own trajectory's
        run = trajectory(optimizers.get("sgd", lr=outcome.lr), sphere, None, 64)
        assert outcome == outcome_of(sphere, outcome.lr, run.xy, run.z, run.diverged_at)
    assert sweep("sgd", "sphere", grid=(0.0316, 0.25, 0.5, 1.5), steps=64) is choice  # memoised
    protocol._sweep.cache_clear()
    assert sweep("sgd", "sphere", grid=(0.0316, 0.25, 0.5, 1.5), steps=64) == choice  # same


def test_every_rate_failing_is_flagged():
    hopeless = sweep("sgd", "sphere", grid=(1.5, 3.0), steps=8)
    assert hopeless.fallback and hopeless.diverged and hopeless.lr == 1.5
    assert all(r.failed for r in hopeless.outcomes)


def test_bad_grids_and_names():
    with pytest.raises(ValueError, match="grid"):
        sweep("sgd", "sphere", grid=())
    with pytest.raises(ValueError, match="grid"):
        sweep("sgd", "sphere", grid=(0.1, -1.0))
    with pytest.raises(ValueError, match="unknown optimizer 'adma'"):
        sweep("adma", "sphere")


def test_the_summary_states_the_declared_numbers():
    for fragment in ("1e-4", "four per decade", "128", "1024", "256", "fails", "tau",
                     "smaller rate", "escape", "2 %", "3 significant digits",
                     "stays so for 10 more steps"):  # fmt: skip
        assert fragment in protocol.PROTOCOL
    assert "within 2 % of the plot's" in protocol.__doc__
