"""Worked examples of *Optimizers since Adam* (atlas.examples.optimizers_modern)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.examples import optimizers_modern as om
from atlas.optimizers.orthogonal import newton_schulz


def test_muon_kappa_is_newton_schulz_on_a_unit_row():
    muon = optimizers.get("muon")
    kappa = om.muon_kappa(muon.ns_coefficients, muon.ns_steps)
    row = np.array([[0.6, -0.8]])
    out = newton_schulz(row, muon.ns_coefficients, muon.ns_steps, muon.eps)
    assert np.linalg.norm(out) == pytest.approx(kappa, rel=1e-14)
    np.testing.assert_allclose(out, kappa * row, rtol=1e-14)
    assert 0.69 < kappa < 0.70


@pytest.mark.parametrize("surface", ["ellipse", "rosenbrock"])
def test_muon_is_normalised_momentum_on_a_surface(surface):
    comparison = om.muon_as_normalised_momentum(surfaces.get(surface), 0.05, 200)
    assert comparison.step_error < 1e-13
    assert comparison.agree >= 90
    np.testing.assert_allclose(comparison.muon[:comparison.agree + 1],
                               comparison.normalised[:comparison.agree + 1], atol=1e-12)


def test_normalised_momentum_steps_have_constant_length_without_decay():
    path = om.normalised_momentum(surfaces.get("rosenbrock"), 0.01, 30, momentum=0.9,
                                  nesterov=False, weight_decay=0.0, eps=1e-7, length=1.0)
    np.testing.assert_allclose(np.linalg.norm(np.diff(path, axis=0), axis=1), 0.01, rtol=1e-12)


def test_schedule_free_average_is_its_x_and_asgd_with_t0_0_averages_from_step_2():
    surface = surfaces.get("ellipse")
    free = optimizers.get("schedule_free_sgd", lr=0.1)
    run = om.averaged_path(free, surface, 20)
    assert not np.allclose(run.xy[1:], run.averaged[1:])
    np.testing.assert_allclose(run.gap, surface.value_xy(run.xy) - surface.f_min)
    asgd = om.averaged_path(optimizers.get("asgd", lr=0.05, t0=0.0), surface, 12)
    for k in range(2, 13):
        np.testing.assert_allclose(asgd.averaged[k], asgd.xy[2:k + 1].mean(axis=0), rtol=1e-12)
    with pytest.raises(ValueError, match="no averaged iterate"):
        om.averaged_path(optimizers.get("adam"), surface, 3)


def test_lion_moves_every_coordinate_by_exactly_its_rate():
    moves = om.sign_moves(optimizers.get("lion", lr=0.01), surfaces.get("rosenbrock"), 40)
    np.testing.assert_allclose(moves.moves, 0.01, rtol=1e-9)
    assert moves.grads.max() / moves.grads.min() > 50  # gradients of very different sizes


def test_prodigy_d_starts_at_d0_and_never_shrinks():
    xy, d = om.prodigy_d(optimizers.get("prodigy"), surfaces.get("rosenbrock"), 60)
    assert len(d) == len(xy) and d[0] == optimizers.get("prodigy").d0
    assert np.all(np.diff(d) >= 0) and d[-1] > 1000 * d[0]


@dataclass(frozen=True)
class Tiny:
    x_train: np.ndarray
    y_train: np.ndarray


def test_factored_moment_keeps_the_row_and_column_means_of_the_full_one():
    rng = np.random.default_rng(0)
    data = Tiny(rng.standard_normal((200, 8)).astype(np.float32), rng.integers(0, 3, 200))
    moment = om.factored_second_moment(data, model="8-6-5-3", key="2.W", steps=7,
                                       batch_size=20)
    assert moment.shape == (6, 5) and moment.stored == (30, 11)
    np.testing.assert_allclose(moment.factored.mean(axis=1), moment.full.mean(axis=1), rtol=1e-9)
    np.testing.assert_allclose(moment.factored.mean(axis=0), moment.full.mean(axis=0), rtol=1e-9)
    assert not np.allclose(moment.factored, moment.full)  # rank 1, not the whole matrix
