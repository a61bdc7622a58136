"""The per-tensor optimizers (``elementwise = False``) without their references.

Muon against a plain float64 loop and its closed form on a ``1 x 2`` point,
Adafactor's factored second moment worked by hand, and the batch convention of
:mod:`atlas.optimizers.base` (a stack's leading axes are independent problems).
The step-for-step comparisons with the reference implementations are in
``test_crosscheck_matrix_optimizers.py`` (they need torch).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.optimizers.base import tensor_axes
from atlas.optimizers.orthogonal import NS_COEFFICIENTS
from atlas.trajectory import trajectory

PER_TENSOR = [n for n in optimizers.names() if not optimizers.registry.get(n).elementwise]
STEPS = 100
SURFACES = ["ellipse", "rosenbrock", "himmelblau", "saddle"]


def least_squares(seed: int, shape: tuple[int, ...]):
    """``(start, gradient)`` of :math:`\\frac12 \\lVert A W - B \\rVert^2` for a random ``A, B``."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(shape[0] + 2, shape[0])) / math.sqrt(shape[0])
    b = rng.normal(size=(shape[0] + 2, *shape[1:]))
    return rng.normal(size=shape), lambda w: a.T @ (a @ w - b)


def run(opt, gradient, start, steps=STEPS) -> np.ndarray:
    params, state, rows = start, opt.init(start), [start]
    for _ in range(steps):
        params, state = opt.update(gradient(params), state, params)
        rows.append(params)
    return np.stack(rows)


def test_the_per_tensor_optimizers():
    assert PER_TENSOR == ["lamb", "adafactor", "prodigy", "muon", "lbfgs"]
    assert tensor_axes(np.zeros((4, 3, 2))) == (-2, -1) and tensor_axes(np.zeros(3)) == (-1,)


# ---------------------------------------------------------------- Muon


def muon_by_hand(h: dict, w: np.ndarray, gradient, steps: int) -> np.ndarray:
    """Muon as the paper writes it, in float64 with plain formulas (no lerp)."""
    (a, b, c), mu, lr, wd = h["ns_coefficients"], h["momentum"], h["lr"], h["weight_decay"]
    buf, rows = np.zeros_like(w), [w]
    m, n = w.shape
    for _ in range(steps):
        g = gradient(w)
        buf = mu * buf + (1 - mu) * g
        x = (1 - mu) * g + mu * buf if h["nesterov"] else buf
        x = x.T if m > n else x
        x = x / max(np.linalg.norm(x), h["eps"])
        for _ in range(h["ns_steps"]):
            gram = x @ x.T
            x = a * x + (b * gram + c * gram @ gram) @ x
        x = x.T if m > n else x
        w = (1 - lr * wd) * w - lr * math.sqrt(max(1, m / n)) * x
        rows.append(w)
    return np.stack(rows)


MUON_COMBOS = [{}, {"nesterov": False, "momentum": 0.9, "weight_decay": 0.0},
               {"ns_steps": 3}, {"momentum": 0.3, "ns_coefficients": (2.0, -1.5, 0.5)}]  # fmt: skip


@pytest.mark.parametrize("shape", [(5, 3), (3, 6)], ids=["tall", "wide"])
@pytest.mark.parametrize("combo", range(len(MUON_COMBOS)))
def test_muon_equals_a_plain_float64_loop(shape, combo):
    opt = optimizers.get("muon", lr=0.01, **MUON_COMBOS[combo])
    start, gradient = least_squares(combo, shape)
    ours = run(opt, gradient, start)
    by_hand = muon_by_hand(opt.hyperparameters(), start, gradient, STEPS)
    np.testing.assert_allclose(ours, by_hand, rtol=1e-12, atol=1e-14)
    assert np.abs(ours[-1] - ours[0]).max() > 1e-2


def test_muon_orthogonalises():
    """Newton-Schulz keeps the singular vectors and sends singular values spread over
    20x to roughly [0.68, 1.2] (not all the way to 1: the coefficients trade that for speed)."""
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.normal(size=(6, 4)))
    v, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    x = u @ np.diag([10.0, 3.0, 1.0, 0.5]) @ v.T
    o = optimizers.orthogonal.newton_schulz(x, NS_COEFFICIENTS, 5, 1e-7)
    singular = np.diag(u.T @ o @ v)  # o = U S' V^T with the same U, V
    np.testing.assert_allclose(u @ np.diag(singular) @ v.T, o, atol=1e-12)
    assert singular.min() > 0.6 and singular.max() < 1.25


@pytest.mark.parametrize("surface_name", SURFACES)
def test_muon_on_a_surface_is_normalised_momentum(surface_name):
    """A point is a 1 x 2 matrix: theta <- (1 - lr wd) theta - lr kappa B~ / |B~|."""
    a, b, c = NS_COEFFICIENTS
    kappa = 1.0
    for _ in range(5):
        kappa = a * kappa + b * kappa**3 + c * kappa**5
    assert abs(kappa - 0.6964) < 1e-4
    surface = surfaces.get(surface_name)
    opt = optimizers.get("muon", lr=0.01, weight_decay=0.1)
    path = trajectory(opt, surface, surface.start, STEPS, record_state=True)
    mu = opt.momentum
    for k in range(1, len(path.xy)):
        g = surface.gradient_xy(path.xy[k - 1])
        b_tilde = (1 - mu) * g + mu * path.states[k].b
        unit = b_tilde / np.linalg.norm(b_tilde)
        expected = (1 - 0.01 * 0.1) * path.xy[k - 1] - 0.01 * kappa * unit
        np.testing.assert_allclose(path.xy[k], expected, rtol=1e-12, atol=1e-14)
        # every step has the same length (weight decay aside)
        length = np.linalg.norm(path.xy[k] - (1 - 1e-3) * path.xy[k - 1])
        assert abs(length - 0.01 * kappa) < 1e-12


def test_muon_takes_a_vector_as_one_row():
    """A 1-D array is a 1 x n matrix (PyTorch refuses vectors; atlas train gives biases
    to AdamW instead)."""
    opt = optimizers.get("muon", lr=0.01)
    start, gradient = least_squares(3, (6,))
    as_vector = run(opt, gradient, start)
    as_row = run(opt, lambda w: gradient(w[0])[None, :], start[None, :])
    np.testing.assert_array_equal(as_vector, as_row[:, 0])
    with pytest.raises(ValueError, match="scalar"):
        opt.init(np.float64(1.0))


# ---------------------------------------------------------------- Adafactor


def test_adafactor_factored_second_moment_by_hand():
    """Two steps on a 2 x 3 matrix: R, C and V = R C / mean(R), worked with plain floats."""
    opt = optimizers.get("adafactor", lr=0.1, weight_decay=0.0)
    theta = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, -1.0]])
    grads = [np.array([[0.5, -3.0, 0.0], [1.0, 2.0, -1.0]]),
             np.array([[-0.25, -1.0, 2.0], [0.5, 0.5, 0.5]])]  # fmt: skip
    state, p, r, c = opt.init(theta), theta.tolist(), [0.0, 0.0], [0.0, 0.0, 0.0]
    eps1, eps2 = float(np.finfo(np.float64).eps), 1e-3
    for t, g_array in enumerate(grads, start=1):
        theta, state = opt.update(g_array, state, theta)
        g = g_array.tolist()
        w = t**-0.8  # 1 - beta2_hat
        r = [(1 - w) * r[i] + w * sum(x * x for x in g[i]) / 3 for i in range(2)]
        c = [(1 - w) * c[j] + w * (g[0][j] ** 2 + g[1][j] ** 2) / 2 for j in range(3)]
        v = [[r[i] * c[j] / max((r[0] + r[1]) / 2, eps1) for j in range(3)] for i in range(2)]
        u = [[g[i][j] / max(math.sqrt(v[i][j]), eps1) for j in range(3)] for i in range(2)]
        rms = lambda a: math.sqrt(sum(x * x for row in a for x in row) / 6)  # noqa: E731
        alpha = max(eps2, rms(p)) * min(0.1, 1 / math.sqrt(t))
        p = [[p[i][j] - alpha * u[i][j] / max(1.0, rms(u)) for j in range(3)] for i in range(2)]
        np.testing.assert_allclose(state.row_var[:, 0], r, rtol=1e-14)
        np.testing.assert_allclose(state.col_var[0], c, rtol=1e-14)
        np.testing.assert_allclose(theta, p, rtol=1e-13)
    assert state.variance is None and state.row_var.shape == (2, 1)


def test_adafactor_on_a_point_is_its_unfactored_rule():
    """A 1 x 2 matrix's factored estimate is its column factor: the vector rule, up to rounding."""
    opt = optimizers.get("adafactor", weight_decay=0.1)
    surface = surfaces.get("himmelblau")
    as_matrix = trajectory(opt, surface, surface.start, STEPS).xy  # (2,) runs as 1 x 2
    as_vector = run(opt, surface.gradient_xy, np.array(surface.start, dtype=np.float64))
    np.testing.assert_allclose(as_matrix, as_vector, rtol=1e-12)


# ---------------------------------------------------------------- the batch convention


@pytest.mark.parametrize("name", PER_TENSOR)
def test_a_stack_is_independent_problems(name):
    """(3, 4, 5) is three 4 x 5 matrices: each gives exactly its run alone."""
    rng = np.random.default_rng(0)
    opt = optimizers.get(name)
    starts = rng.normal(size=(3, 4, 5))
    targets = rng.normal(size=(3, 4, 5)) * np.array([1.0, 10.0, 0.1])[:, None, None]
    together = run(opt, lambda w: w - targets, starts, 30)
    for i in range(3):
        alone = run(opt, lambda w, i=i: w - targets[i], starts[i], 30)
        np.testing.assert_array_equal(together[:, i], alone)
    assert np.abs(together[-1] - starts).max() > 1e-3


@pytest.mark.parametrize("name", PER_TENSOR)
def test_a_single_start_runs_as_a_1x2_matrix(name):
    """The trajectory runner presents (2,) as one 1 x 2 matrix, (N, 2) as N of them."""
    surface = surfaces.get("ellipse")
    opt = optimizers.get(name)
    path = trajectory(opt, surface, surface.start, 20)
    as_matrix = run(opt, lambda w: surface.gradient_xy(w), np.array([surface.start], float), 20)
    np.testing.assert_array_equal(path.xy, as_matrix[:, 0])


def test_lbfgs_stops_where_the_gradient_is_small_and_keeps_its_state():
    """As torch's max_iter=1 step: below tolerance_grad nothing moves and the state stays."""
    opt = optimizers.get("lbfgs", tolerance_grad=1e-3)
    theta = np.array([1.0, 2.0])
    state = opt.init(theta)
    new, new_state = opt.update(np.array([1e-4, -1e-4]), state, theta)
    np.testing.assert_array_equal(new, theta)
    assert new_state.n_iter == 0 and new_state.count == 0 and new_state.t == 1
    # the first real step is a gradient step of length lr min(1, 1/|g|_1)
    new, new_state = opt.update(np.array([3.0, -1.0]), state, theta)
    np.testing.assert_allclose(new, theta - 0.25 * np.array([3.0, -1.0]))


def test_lbfgs_batch_whose_tensors_skip_different_steps_equals_each_alone():
    """A tensor that does not store a pair at some step (negative curvature on Rastrigin)
    reaches further back than the batch's newest ``history_size`` pairs; each tensor of
    the batch still steps exactly as it does alone, and no pair is copied."""
    surface = surfaces.get("rastrigin")
    starts = np.random.default_rng(3).uniform(-2, 2, size=(24, 1, 2))
    opt = optimizers.get("lbfgs", lr=0.05, history_size=3)
    together, state, longest = starts, opt.init(starts), 0
    for _ in range(60):
        before = {id(pair) for pair in state.pairs}
        together, state = opt.update(surface.gradient_xy(together), state, together)
        longest = max(longest, len(state.pairs))
        assert all(id(pair) in before for pair in state.pairs[:-1])  # shared, not copied
    assert longest > opt.history_size and 0 < state.count.min() <= opt.history_size
    for i, start in enumerate(starts):
        alone, s = start, opt.init(start)
        for _ in range(60):
            alone, s = opt.update(surface.gradient_xy(alone), s, alone)
        np.testing.assert_array_equal(together[i], alone)
        assert len(s.pairs) == s.count <= opt.history_size


def test_prodigy_starts_at_d0_and_estimates_d():
    opt = optimizers.get("prodigy")
    start, gradient = least_squares(5, (4, 3))
    state, theta = opt.init(start), start
    assert state.d == opt.d0 and state.k == 0
    ds = []
    for _ in range(STEPS):
        theta, state = opt.update(gradient(theta), state, theta)
        ds.append(float(state.d))
    assert ds[-1] > 1e3 * opt.d0 and all(b >= a for a, b in itertools.pairwise(ds))
