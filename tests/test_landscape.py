"""Loss landscapes: filter-normalised directions, slices through weight space, PCA of paths."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import nn
from atlas.nn.landscape import (
    Plane,
    filter_normalised_direction,
    flatten,
    loss_on_plane,
    path_pca,
    random_plane,
    unflatten,
)


def random_params(widths, seed):
    """Parameters shaped like an MLP's: ``"i.W"`` (n_in, n_out) and ``"i.b"`` (n_out,)."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        params[f"{2 * i}.W"] = rng.standard_normal((n_in, n_out)) * rng.uniform(0.01, 10)
        params[f"{2 * i}.b"] = rng.standard_normal(n_out)
    return params


widths = st.lists(st.integers(1, 9), min_size=2, max_size=4)


@settings(max_examples=60, deadline=None)
@given(widths=widths, seed=st.integers(0, 2**32 - 1))
def test_every_filter_has_the_norm_of_the_weights_filter(widths, seed):
    params = random_params(widths, seed)
    direction = filter_normalised_direction(params, np.random.default_rng(seed))
    assert list(direction) == list(params)
    for key, theta in params.items():
        d = direction[key]
        assert d.shape == theta.shape and np.all(np.isfinite(d))
        if theta.ndim == 1:
            assert np.all(d == 0), "biases get a zero direction"
        else:  # one filter per output unit: the columns of W
            np.testing.assert_allclose(np.linalg.norm(d, axis=0), np.linalg.norm(theta, axis=0),
                                       rtol=1e-12)


def test_a_zero_filter_gets_a_zero_direction_and_extreme_filters_stay_finite():
    params = {"0.W": np.array([[0.0, 1e-300, 1e300], [0.0, 1e-300, 1e300]]), "0.b": np.zeros(3)}
    d = filter_normalised_direction(params, np.random.default_rng(0))["0.W"]
    assert np.all(d[:, 0] == 0) and np.all(np.isfinite(d))
    np.testing.assert_allclose(np.hypot.reduce(d[:, 1:], axis=0), [np.sqrt(2) * 1e-300,
                                                                   np.sqrt(2) * 1e300], rtol=1e-12)


def test_directions_are_deterministic_for_a_seed():
    params = random_params([5, 4, 3], 1)
    one = random_plane(params, np.random.default_rng(7))
    two = random_plane(params, np.random.default_rng(7))
    other = random_plane(params, np.random.default_rng(8))
    for a, b in ((one.u, two.u), (one.v, two.v), (one.origin, two.origin)):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(one.u, other.u)
    assert not np.array_equal(one.u, one.v), "the two directions are independent draws"


@settings(max_examples=40, deadline=None)
@given(widths=widths, seed=st.integers(0, 1000))
def test_flatten_and_unflatten_are_inverse(widths, seed):
    params = random_params(widths, seed)
    back = unflatten(flatten(params), params)
    assert list(back) == list(params)
    for key in params:
        np.testing.assert_array_equal(back[key], params[key])
    with pytest.raises(ValueError, match="does not hold"):
        unflatten(np.zeros(flatten(params).size + 1), params)


# --- slices ----------------------------------------------------------------------------------


def tiny_model(dtype=np.float64, seed=0):
    return nn.mlp("6-5-4-3", "relu", rng=np.random.default_rng(seed), dtype=dtype)


def tiny_data(n=20, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 6)), rng.integers(0, 3, n)


def reference_loss(params, x, y):
    """Softmax cross-entropy of a 6-5-4-3 ReLU MLP, written out from its formula."""
    h = np.maximum(x @ params["0.W"] + params["0.b"], 0)
    h = np.maximum(h @ params["2.W"] + params["2.b"], 0)
    z = h @ params["4.W"] + params["4.b"]
    top = z.max(axis=1, keepdims=True)
    log_sum_exp = top[:, 0] + np.log(np.exp(z - top).sum(axis=1))
    return float(np.mean(log_sum_exp - z[np.arange(len(y)), y]))


def test_the_slice_at_the_origin_is_the_trained_models_loss():
    model = tiny_model(np.float32)
    x, y = tiny_data()
    x = x.astype(np.float32)
    plane = random_plane(model.params(), np.random.default_rng(3))
    steps = np.linspace(-1, 1, 5)  # holds 0
    loss = loss_on_plane(model, plane, x, y, steps, steps)
    assert loss.shape == (5, 5)
    assert loss[2, 2] == model.loss(x, y)


@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(-2, 2), beta=st.floats(-2, 2), seed=st.integers(0, 1000))
def test_every_point_of_the_slice_matches_the_loss_formula(alpha, beta, seed):
    model = tiny_model(seed=seed)
    x, y = tiny_data(seed=seed)
    before = flatten(model.params())
    plane = random_plane(model.params(), np.random.default_rng(seed))
    loss = loss_on_plane(model, plane, x, y, np.array([alpha, 0.0]), np.array([beta]))
    expected = reference_loss(unflatten(plane.point(alpha, beta), model.params()), x, y)
    np.testing.assert_allclose(loss[0, 0], expected, rtol=1e-10)
    np.testing.assert_allclose(loss[0, 1], reference_loss(unflatten(plane.point(0, beta),
                                                                     model.params()), x, y),
                               rtol=1e-10)
    np.testing.assert_array_equal(flatten(model.params()), before)  # the model is not moved


def test_the_slice_of_a_model_without_a_linear_first_layer_uses_the_full_forward():
    model = nn.Sequential([nn.ActivationLayer("tanh"), *tiny_model().layers])
    x, y = tiny_data()
    plane = random_plane(model.params(), np.random.default_rng(0))
    loss = loss_on_plane(model, plane, x, y, np.array([0.5]), np.array([-0.25]))
    params = unflatten(plane.point(0.5, -0.25), model.params())
    shifted = {k.replace("1.", "0.").replace("3.", "2.").replace("5.", "4."): v
               for k, v in params.items()}
    np.testing.assert_allclose(loss[0, 0], reference_loss(shifted, np.tanh(x), y), rtol=1e-10)


def test_a_plane_of_the_wrong_size_is_refused():
    model = tiny_model()
    x, y = tiny_data()
    n = model.n_params() + 1
    with pytest.raises(ValueError, match="coordinates"):
        loss_on_plane(model, Plane(np.zeros(n), np.zeros(n), np.zeros(n)), x, y, [0.0], [0.0])
    with pytest.raises(ValueError, match="plane u"):
        Plane(np.zeros(3), np.zeros(4), np.zeros(3))


# --- PCA of paths ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 40), steps=st.integers(2, 30), seed=st.integers(0, 10_000),
       scale=st.sampled_from([1e-6, 1.0, 1e4]))
def test_a_straight_path_projects_onto_the_first_axis(n, steps, seed, scale):
    rng = np.random.default_rng(seed)
    start, velocity = rng.standard_normal(n), scale * rng.standard_normal(n)
    t = np.sort(rng.uniform(0, 1, steps))
    t[0], t[-1] = 0.0, 1.0
    path = start + t[:, None] * velocity
    pca = path_pca([path])
    xy = pca.project(path)
    speed = np.linalg.norm(velocity)
    # The points start + t v are rounded at the scale of |start|: with a slow path
    # (scale 1e-6) that rounding, not the PCA, bounds how straight the path is.
    atol = 1e-9 * speed + 64 * np.finfo(float).eps * np.linalg.norm(start)
    np.testing.assert_allclose(xy[:, 1], 0.0, atol=atol)
    np.testing.assert_allclose(xy[:, 0], (t - t.mean()) * speed, rtol=1e-9, atol=atol)
    np.testing.assert_allclose(pca.explained[0], 1.0, rtol=1e-9)
    np.testing.assert_allclose(pca.plane.u, velocity / speed, rtol=1e-7, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), counts=st.lists(st.integers(2, 12), min_size=1, max_size=3))
def test_pca_directions_are_orthonormal_and_oriented_along_the_first_path(seed, counts):
    rng = np.random.default_rng(seed)
    paths = [np.cumsum(rng.standard_normal((c, 15)), axis=0) for c in counts]
    pca = path_pca(paths)
    basis = np.stack([pca.plane.u, pca.plane.v])
    np.testing.assert_allclose(basis @ basis.T, np.eye(2), atol=1e-12)
    everything = np.concatenate(paths)
    np.testing.assert_allclose(pca.plane.origin, everything.mean(axis=0), rtol=1e-12)
    moved = pca.project(paths[0][-1:]) - pca.project(paths[0][:1])
    assert np.all(moved >= -1e-12)
    # the first two components keep at least as much variance as any other orthonormal pair
    centred = everything - everything.mean(axis=0)
    other = np.linalg.qr(rng.standard_normal((15, 2)))[0]
    kept = np.sum((centred @ basis.T) ** 2)
    assert kept >= np.sum((centred @ other) ** 2) - 1e-9
    np.testing.assert_allclose(pca.explained.sum(), kept / np.sum(centred**2), rtol=1e-9)


def test_pca_refuses_a_path_that_does_not_move():
    with pytest.raises(ValueError, match="does not move"):
        path_pca([np.ones((4, 3))])
    with pytest.raises(ValueError, match="at least 2"):
        path_pca([np.ones((1, 3))])
    with pytest.raises(ValueError, match="non-empty"):
        path_pca([])

