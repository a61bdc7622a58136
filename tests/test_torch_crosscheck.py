"""The classic optimizers against ``torch.optim``, step for step, in float64 (the others
are cross-checked in the files named in ``ELSEWHERE``).

Both sides are fed the very same gradient (the surface's analytic gradient
at the current point), so any difference is the optimizers' arithmetic.
PyTorch runs the single-tensor code path (``foreach=False``), and its default
dtype is float64 here so that its scalar state (the step count, NAdam's
``mu_product``) is float64 too.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.trajectory import trajectory

torch = pytest.importorskip("torch")

# The torch.optim class implementing each registry entry (presets map to their base).
TORCH_CLASS = {
    "sgd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "amsgrad": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "nadam": "NAdam",
    "radam": "RAdam",
    "rprop": "Rprop",
}

# A learning rate that moves visibly on these surfaces without diverging.
LR = {
    "sgd": 1e-3, "momentum": 5e-4, "nesterov": 5e-4, "adagrad": 0.3, "rmsprop": 1e-2,
    "adadelta": 1.0, "adam": 0.05, "amsgrad": 0.05, "adamw": 0.05, "adamax": 0.05,
    "nadam": 0.05, "radam": 0.05, "rprop": 1e-2,
}  # fmt: skip

# Non-default combinations, per optimizer (on top of the lr above).
COMBOS = {
    "sgd": [{"weight_decay": 0.1}, {"momentum": 0.5, "dampening": 0.3}],
    "momentum": [{}, {"dampening": 0.5, "weight_decay": 0.05}],
    "nesterov": [{}, {"momentum": 0.7, "weight_decay": 0.05}],
    "adagrad": [{}, {"lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.1}],
    "rmsprop": [{}, {"centered": True}, {"momentum": 0.5, "alpha": 0.95, "weight_decay": 0.1},
                {"centered": True, "momentum": 0.8, "eps": 1e-6}],
    "adadelta": [{}, {"rho": 0.95, "eps": 1e-4, "weight_decay": 0.1}],
    "adam": [{}, {"amsgrad": True}, {"weight_decay": 0.1, "betas": (0.8, 0.99)}],
    "amsgrad": [{}, {"weight_decay": 0.1, "eps": 1e-4}],
    "adamw": [{}, {"amsgrad": True, "weight_decay": 0.3}],
    "adamax": [{}, {"weight_decay": 0.1, "betas": (0.8, 0.95)}],
    "nadam": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
              {"momentum_decay": 0.05, "betas": (0.8, 0.99)}],
    "radam": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "decoupled_weight_decay": True},
              {"betas": (0.9, 0.9)}],
    "rprop": [{}, {"etas": (0.3, 1.5), "step_sizes": (1e-4, 0.5)}],
}  # fmt: skip

# Surfaces, each with a factor on the lr above: Rosenbrock's gradients are ~100x larger,
# and a large step there makes the path chaotic (rounding differences then grow
# exponentially, which would test the dynamics, not the arithmetic).
SURFACES = {"ellipse": 1.0, "rosenbrock": 0.1, "himmelblau": 1.0, "saddle": 1.0}
STEPS = 100


@pytest.fixture(autouse=True)
def _torch_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def torch_path(name: str, hyper: dict, surface, start: np.ndarray, steps: int) -> np.ndarray:
    """Positions of ``torch.optim`` from ``start`` (shape (N, 2)), row per step."""
    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, TORCH_CLASS[name])([param], foreach=False, **hyper)
    rows = [param.detach().numpy().copy()]
    for _ in range(steps):
        grad = surface.gradient_xy(param.detach().numpy())
        param.grad = torch.from_numpy(np.ascontiguousarray(grad))
        opt.step()
        rows.append(param.detach().numpy().copy())
    return np.stack(rows)


# The optimizers whose reference is another package (or a newer torch.optim class), and
# the file that cross-checks each against it.
ELSEWHERE = {
    "test_crosscheck_new_optimizers.py": {"asgd", "lion", "adabelief", "yogi", "adan",
                                          "ademamix", "schedule_free_sgd",
                                          "schedule_free_adamw"},
    "test_crosscheck_matrix_optimizers.py": {"lamb", "adafactor", "prodigy", "muon", "lbfgs"},
}  # fmt: skip


def test_every_optimizer_has_a_torch_counterpart_and_combos():
    assert set(TORCH_CLASS) == set(COMBOS) == set(LR)
    elsewhere = set().union(*ELSEWHERE.values())
    assert set(TORCH_CLASS) | elsewhere == set(optimizers.names())
    assert not set(TORCH_CLASS) & elsewhere


# Paths that are chaotic: the two sides agree to rounding for dozens of steps, then
# the dynamics amplify a last-bit difference geometrically (Adadelta with rho 0.95 and
# weight decay on Himmelblau: 4e-16 at step 25, 1e-14 at 40, 1e-12 at 60, 2e-9 at 80).
# Comparing whole paths there would test the dynamics, not the arithmetic, so these are
# checked step by step from the reference's own state (test_chaotic_paths_step_by_step).
CHAOTIC = {("adadelta", 1, "himmelblau")}

CASES = [
    (name, i, surface)
    for name in TORCH_CLASS
    for i in range(len(COMBOS[name]))
    for surface in SURFACES
    if (name, i, surface) not in CHAOTIC
]


@pytest.mark.parametrize(("name", "combo", "surface_name"), CASES)
def test_matches_torch_step_for_step(name, combo, surface_name):
    surface = surfaces.get(surface_name)
    opt = optimizers.get(name, lr=LR[name] * SURFACES[surface_name], **COMBOS[name][combo])
    rng = np.random.default_rng(zlib.crc32(f"{name}{combo}{surface_name}".encode()))
    (x0, x1), (y0, y1) = surface.domain
    starts = np.vstack([surface.start, rng.uniform((x0, y0), (x1, y1), size=(3, 2)) * 0.5])
    ours = trajectory(opt, surface, starts, STEPS)
    theirs = torch_path(name, opt.hyperparameters(), surface, starts, STEPS)
    finite = np.isfinite(theirs).all(axis=(0, 2))
    assert finite.any()
    assert np.array_equal(ours.diverged_at >= 0, ~finite)
    np.testing.assert_allclose(ours.xy[:, finite], theirs[:, finite], rtol=1e-10, atol=1e-12)
    # And the path really moved: a test of a standing optimizer would prove nothing.
    assert np.abs(ours.xy[-1, finite] - starts[finite]).max() > 1e-3


# torch.optim's per-parameter state -> the atlas state of the same optimizer.
TORCH_STATE = {
    "adadelta": lambda opt, st: opt.init(st["square_avg"].numpy()).__class__(
        t=int(st["step"]), v=st["square_avg"].numpy().copy(), u=st["acc_delta"].numpy().copy()),
}


@pytest.mark.parametrize(("name", "combo", "surface_name"), sorted(CHAOTIC))
def test_chaotic_paths_step_by_step(name, combo, surface_name):
    """Every step of a chaotic path, taken by atlas from torch's position and state,
    lands where torch's step lands (rtol 1e-12): the arithmetic agrees at each step,
    whatever the dynamics later make of a last-bit difference."""
    surface = surfaces.get(surface_name)
    opt = optimizers.get(name, lr=LR[name] * SURFACES[surface_name], **COMBOS[name][combo])
    rng = np.random.default_rng(zlib.crc32(f"{name}{combo}{surface_name}".encode()))
    (x0, x1), (y0, y1) = surface.domain
    starts = np.vstack([surface.start, rng.uniform((x0, y0), (x1, y1), size=(3, 2)) * 0.5])
    param = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
    reference = getattr(torch.optim, TORCH_CLASS[name])([param], foreach=False,
                                                         **opt.hyperparameters())
    state = opt.init(starts)
    for step in range(STEPS):
        x = param.detach().numpy().copy()
        grad = surface.gradient_xy(x)
        if step:
            state = TORCH_STATE[name](opt, reference.state[param])
        ours, _ = opt.update(grad, state, x)
        param.grad = torch.from_numpy(np.ascontiguousarray(grad))
        reference.step()
        np.testing.assert_allclose(ours, param.detach().numpy(), rtol=1e-12, atol=1e-15)
    assert np.abs(param.detach().numpy() - starts).max() > 1e-3
