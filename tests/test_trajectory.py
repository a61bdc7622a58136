"""The trajectory runner: shapes, divergence handling, vectorisation and validation."""

from __future__ import annotations

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.trajectory import Trajectory, trajectory


def test_single_start_shapes_and_first_row():
    surface = surfaces.get("rosenbrock")
    run = trajectory(optimizers.get("adam", lr=0.01), surface, None, 30, record_state=True)
    assert isinstance(run, Trajectory)
    assert run.xy.shape == (31, 2) and run.z.shape == (31,) and run.steps == 30
    np.testing.assert_array_equal(run.xy[0], surface.start)
    np.testing.assert_array_equal(run.z, surface.value_xy(run.xy))
    assert run.diverged_at is None and run.diverged is False
    assert len(run.states) == 31 and [s.t for s in run.states] == list(range(31))


def test_follows_the_optimizer_step_by_step():
    surface = surfaces.get("himmelblau")
    opt = optimizers.get("nadam", lr=0.05)
    run = trajectory(opt, surface, (0.5, -1.0), 20)
    p, state = np.array([0.5, -1.0]), opt.init(np.zeros(2))
    for k in range(1, 21):
        p, state = opt.update(surface.gradient_xy(p), state, p)
        np.testing.assert_array_equal(run.xy[k], p)


def test_zero_steps_and_name_shortcut():
    run = trajectory("sgd", surfaces.get("sphere"), [1.0, 2.0], 0)
    assert run.xy.shape == (1, 2) and run.z.tolist() == [5.0]
    assert run.states is None and isinstance(run.optimizer, optimizers.SGD)


@pytest.mark.parametrize("name", optimizers.names())
def test_many_starts_equal_separate_runs(name):
    surface = surfaces.get("rosenbrock")
    rng = np.random.default_rng(1)
    starts = rng.uniform(-1.5, 1.5, size=(5, 2))
    opt = optimizers.get(name, lr=1e-3)
    together = trajectory(opt, surface, starts, 40, record_state=True)
    assert together.xy.shape == (41, 5, 2) and together.z.shape == (41, 5)
    assert together.diverged_at.tolist() == [-1] * 5
    for i, start in enumerate(starts):
        alone = trajectory(opt, surface, start, 40, record_state=True)
        np.testing.assert_array_equal(together.xy[:, i], alone.xy)
        np.testing.assert_array_equal(together.z[:, i], alone.z)
        for s_all, s_one in zip(together.states, alone.states, strict=True):
            for key, value in s_one.arrays().items():
                np.testing.assert_array_equal(s_all.arrays()[key][i], value)


def test_divergence_of_a_single_start_is_reported_and_truncated():
    surface = surfaces.get("rosenbrock")
    run = trajectory(optimizers.get("sgd", lr=10.0), surface, None, 100, record_state=True)
    assert isinstance(run.diverged_at, int) and 1 <= run.diverged_at < 100
    assert len(run.xy) == len(run.z) == len(run.states) == run.diverged_at
    assert np.isfinite(run.xy).all() and np.isfinite(run.z).all()
    assert run.diverged is True


def test_divergence_of_some_starts_holds_their_rows():
    surface = surfaces.get("rosenbrock")
    starts = np.array([[0.0, 0.0], [30.0, -30.0], [-1.0, 1.0]])
    run = trajectory(optimizers.get("sgd", lr=1e-3), surface, starts, 50, record_state=True)
    assert run.xy.shape == (51, 3, 2) and len(run.states) == 51
    at = run.diverged_at
    assert at[0] == -1 and at[2] == -1 and at[1] >= 1
    assert run.diverged.tolist() == [False, True, False]
    assert np.isfinite(run.xy).all() and np.isfinite(run.z).all()
    held = run.xy[at[1] - 1 :, 1]
    assert (held == held[0]).all() and (run.z[at[1] - 1 :, 1] == run.z[at[1] - 1, 1]).all()
    # The healthy starts are untouched by their neighbour's divergence.
    np.testing.assert_array_equal(
        run.xy[:, 2], trajectory(optimizers.get("sgd", lr=1e-3), surface, starts[2], 50).xy
    )


def test_all_starts_diverged_keeps_full_length():
    surface = surfaces.get("rosenbrock")
    run = trajectory(optimizers.get("sgd", lr=10.0), surface, [[-1.2, 1.0], [2.0, 2.0]], 60)
    assert run.xy.shape == (61, 2, 2) and (run.diverged_at > 0).all()
    assert np.isfinite(run.xy).all()


class Plain:
    """A stand-in surface with only the two methods a run needs: f = x^2 + 3 y^2."""

    def value_xy(self, p):
        return p[..., 0] ** 2 + 3 * p[..., 1] ** 2

    def gradient_xy(self, p):
        return np.stack([2 * p[..., 0], 6 * p[..., 1]], axis=-1)


def test_any_object_with_value_and_gradient_is_a_surface():
    run = trajectory(optimizers.get("sgd", lr=0.1), Plain(), (1.0, 1.0), 2)
    np.testing.assert_allclose(run.xy, [[1.0, 1.0], [0.8, 0.4], [0.64, 0.16]])


@pytest.mark.parametrize("steps", [-1, 2.5, "10", True, None])
def test_bad_steps(steps):
    with pytest.raises(ValueError, match="steps"):
        trajectory("sgd", Plain(), (0.0, 0.0), steps)


@pytest.mark.parametrize(
    "start", [(1.0,), (1.0, 2.0, 3.0), [[1.0, 2.0, 3.0]], np.zeros((0, 2)), np.zeros((2, 2, 2)),
              (np.nan, 0.0), (np.inf, 1.0), "ab", [[1.0], [2.0, 3.0]]],
)  # fmt: skip
def test_bad_start(start):
    with pytest.raises(ValueError, match="start"):
        trajectory("sgd", Plain(), start, 5)
