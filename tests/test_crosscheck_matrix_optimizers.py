"""The per-tensor optimizers against their reference implementations, step for step.

Adafactor, L-BFGS (``max_iter=1``, no line search) and Muon against
``torch.optim``; LAMB against ``pytorch_optimizer.Lamb``; Prodigy against
``prodigyopt.Prodigy``. In float64, 100 steps, from several starts on four
surfaces (each start a ``1 x 2`` matrix, one reference optimizer per start) and
on random least-squares problems whose parameter is a matrix (tall and wide) or
a vector, at default and non-default hyperparameters, to ``rtol=1e-10``. Both
sides get the very same gradients. The references are optional test
dependencies: each test skips where its package is absent.

Muon: PyTorch runs Newton–Schulz in bfloat16, atlas in the parameters' dtype.
The step-for-step comparison therefore patches PyTorch's Newton–Schulz to
float64 (:func:`ns_float64`, its code without the cast), which must give
atlas's numbers; :func:`test_muon_bfloat16_difference_is_bfloat16_sized`
compares with the unpatched bfloat16 PyTorch.
"""

from __future__ import annotations

import math
import zlib
from functools import partial

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.trajectory import trajectory

torch = pytest.importorskip("torch")

PER_TENSOR = ["lamb", "adafactor", "prodigy", "muon", "lbfgs"]
STEPS = 100

# The surface runs' learning rate (times the surface's factor below), chosen so that
# the paths move visibly without being chaotic: on a chaotic path (a normalised step
# bouncing around a minimum, L-BFGS without line search on a curved valley) rounding
# differences of 1e-16 grow exponentially, which tests the dynamics, not the arithmetic.
# The least-squares runs use each optimizer's default learning rate.
LR = {"lamb": 0.01, "adafactor": 1e-2, "prodigy": 1.0, "muon": 0.01, "lbfgs": 0.25}
SURFACES = {"ellipse": 1.0, "rosenbrock": 0.1, "himmelblau": 1.0, "saddle": 1.0}

# Non-default hyperparameters (the first combination of each is the defaults).
COMBOS = {
    "lamb": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "weight_decouple": False},
             {"weight_decay": 0.05, "fixed_decay": True, "grad_averaging": False,
              "betas": (0.8, 0.99)}, {"adam": True, "eps": 1e-8}],
    "adafactor": [{}, {"beta2_decay": -0.6, "d": 2.0, "weight_decay": 0.1},
                  {"eps": (1e-3, 1e-2), "d": 1.0}],
    "prodigy": [{}, {"safeguard_warmup": True, "d0": 1e-4},
                {"weight_decay": 0.05, "decouple": False, "d_coef": 0.5},
                {"weight_decay": 0.1, "growth_rate": 1.05, "beta3": 0.9, "eps": 1e-6},
                {"slice_p": 2}],
    "muon": [{}, {"nesterov": False, "momentum": 0.9, "weight_decay": 0.0},
             {"adjust_lr_fn": "match_rms_adamw", "ns_steps": 3},
             {"momentum": 0.3, "ns_coefficients": (2.0, -1.5, 0.5), "eps": 1e-3}],
    "lbfgs": [{}, {"history_size": 3}, {"tolerance_grad": 1e-3, "tolerance_change": 1e-4}],
}  # fmt: skip

# Paths left out because they are chaotic (measured: differences start at 1e-16 and grow
# geometrically, to 3e-10 and 1.3e-9 for L-BFGS at lr=1 on the least-squares problems,
# 5e-2 for L-BFGS with 3 pairs on Rosenbrock, 4e-2 for Adafactor's fast-forgetting
# variant on the vector problem, 7.5e-11 and rising for LAMB with coupled decay bouncing
# around Himmelblau's minima). Each step of them is checked from the reference's own
# state instead (test_*_each_step_from_*_state), as are the Prodigy settings whose paths
# amplify rounding (bias correction, beta1 = 0).
CHAOTIC = {("lbfgs", 0, "tall"), ("lbfgs", 0, "wide"), ("lbfgs", 1, "rosenbrock"),
           ("adafactor", 1, "vector"), ("lamb", 2, "himmelblau")}  # fmt: skip


@pytest.fixture(autouse=True)
def _torch_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def ns_float64(grad, ns_coefficients, ns_steps, eps):
    """``torch.optim._muon._zeropower_via_newtonschulz`` without its cast to bfloat16."""
    a, b, c = ns_coefficients
    ortho = grad.clone()
    if grad.size(0) > grad.size(1):
        ortho = ortho.T
    ortho = ortho / ortho.norm().clamp(min=eps)
    for _ in range(ns_steps):
        gram = ortho @ ortho.T
        ortho = torch.addmm(ortho, torch.addmm(gram, gram, gram, beta=b, alpha=c), ortho, beta=a)
    return ortho.T if grad.size(0) > grad.size(1) else ortho


@pytest.fixture
def muon_in_float64(monkeypatch):
    import torch.optim._muon as muon_module

    monkeypatch.setattr(muon_module, "_zeropower_via_newtonschulz", ns_float64)


def reference(name: str, hyper: dict, param):
    """The reference optimizer of ``name`` for the one tensor ``param``."""
    if name == "lamb":
        return pytest.importorskip("pytorch_optimizer").Lamb([param], **hyper)
    if name == "prodigy":
        return pytest.importorskip("prodigyopt").Prodigy([param], **hyper)
    if name == "lbfgs":
        return torch.optim.LBFGS([param], max_iter=1, line_search_fn=None, **hyper)
    return {"adafactor": torch.optim.Adafactor, "muon": torch.optim.Muon}[name]([param], **hyper)


def reference_path(name, hyper, starts, gradient, value, steps=STEPS) -> np.ndarray:
    """Each start run by its own reference optimizer; rows ``(steps + 1, len(starts), ...)``.

    ``gradient(i, x)`` and ``value(i, x)`` are problem ``i``'s gradient and value.
    """
    params = [torch.tensor(x, requires_grad=True) for x in starts]
    opts = [reference(name, hyper, p) for p in params]
    rows = [np.stack([p.detach().numpy().copy() for p in params])]
    for _ in range(steps):
        for i, (p, opt) in enumerate(zip(params, opts, strict=True)):

            def closure(i=i, p=p):
                x = p.detach().numpy()
                p.grad = torch.from_numpy(np.ascontiguousarray(gradient(i, x)))
                return torch.tensor(float(np.sum(value(i, x))))

            if name == "lbfgs":
                opt.step(closure)
            else:
                closure()
                opt.step()
        rows.append(np.stack([p.detach().numpy().copy() for p in params]))
    return np.stack(rows)


def assert_same_path(ours: np.ndarray, theirs: np.ndarray, starts: np.ndarray) -> None:
    finite = np.isfinite(theirs).reshape(len(theirs), len(starts), -1).all(axis=(0, 2))
    assert finite.any()
    np.testing.assert_allclose(ours[:, finite], theirs[:, finite], rtol=1e-10, atol=1e-12)
    # The path really moved: a test of a standing optimizer would prove nothing.
    assert np.abs(ours[-1, finite] - starts[finite]).max() > 1e-3


SURFACE_CASES = [(name, i, surface) for name in PER_TENSOR
                 for i in range(len(COMBOS[name])) for surface in SURFACES
                 if (name, i, surface) not in CHAOTIC]  # fmt: skip


@pytest.mark.usefixtures("muon_in_float64")
@pytest.mark.parametrize(("name", "combo", "surface_name"), SURFACE_CASES)
def test_matches_reference_on_surfaces(name, combo, surface_name):
    surface = surfaces.get(surface_name)
    opt = optimizers.get(name, lr=LR[name] * SURFACES[surface_name], **COMBOS[name][combo])
    rng = np.random.default_rng(zlib.crc32(f"{name}{combo}{surface_name}".encode()))
    (x0, x1), (y0, y1) = surface.domain
    starts = np.vstack([surface.start, rng.uniform((x0, y0), (x1, y1), size=(3, 2)) * 0.5])
    ours = trajectory(opt, surface, starts, STEPS).xy
    theirs = reference_path(name, opt.hyperparameters(), starts[:, None, :],
                            lambda i, x: surface.gradient_xy(x),
                            lambda i, x: surface.value_xy(x))  # fmt: skip
    assert_same_path(ours, theirs[:, :, 0], starts)


class LeastSquares:
    """``N`` independent problems :math:`f_i(W) = \\frac12 \\lVert A_i W - B_i \\rVert^2`."""

    def __init__(self, seed: int, n: int, shape: tuple[int, ...]):
        rng = np.random.default_rng(seed)
        rows = shape[0] + 2
        self.a = rng.normal(size=(n, rows, shape[0])) / math.sqrt(shape[0])
        self.b = rng.normal(size=(n, rows, *shape[1:]))
        self.starts = rng.normal(size=(n, *shape))

    def residual(self, i, w):
        return self.a[i] @ w - self.b[i]

    def gradient(self, i, w):
        return np.swapaxes(self.a[i], -1, -2) @ self.residual(i, w)

    def value(self, i, w):
        return 0.5 * np.sum(self.residual(i, w) ** 2)


# Tall and wide matrices, and a vector (Adafactor's unfactored branch; Muon: 1 x n).
SHAPES = {"tall": (5, 3), "wide": (3, 6), "vector": (7,)}
MATRIX_CASES = [(name, i, shape) for name in PER_TENSOR
                for i in range(len(COMBOS[name])) for shape in SHAPES
                if (name, i, shape) not in CHAOTIC]  # fmt: skip


@pytest.mark.usefixtures("muon_in_float64")
@pytest.mark.parametrize(("name", "combo", "shape"), MATRIX_CASES)
def test_matches_reference_on_matrices(name, combo, shape):
    """Defaults (lr included) and each combination, on 3 random least-squares problems.

    Matrices run in atlas as one stack ``(3, m, n)``: the batch gives each
    problem exactly its own reference run. A vector runs alone. Muon's vector
    runs in PyTorch as the ``1 x n`` matrix atlas takes it for.
    """
    problems = LeastSquares(zlib.crc32(f"{name}{combo}{shape}".encode()), 3, SHAPES[shape])
    opt = optimizers.get(name, **COMBOS[name][combo])
    starts = problems.starts
    if shape == "vector":
        ours = np.stack([run(opt, lambda w, i=i: problems.gradient(i, w), starts[i])
                         for i in range(len(starts))], axis=1)  # fmt: skip
    else:
        ours = run(opt, lambda w: np.stack([problems.gradient(i, w[i]) for i in range(3)]),
                   starts)  # fmt: skip
    if name == "muon" and shape == "vector":
        theirs = reference_path(name, opt.hyperparameters(), starts[:, None, :],
                                lambda i, x: problems.gradient(i, x[0])[None, :],
                                lambda i, x: problems.value(i, x[0]))[:, :, 0]  # fmt: skip
    else:
        theirs = reference_path(name, opt.hyperparameters(), starts, problems.gradient,
                                problems.value)  # fmt: skip
    assert_same_path(ours, theirs, starts)


def run(opt, gradient, start, steps=STEPS) -> np.ndarray:
    """Parameters after each of ``steps`` updates (row 0: ``start``)."""
    params, state, rows = start, opt.init(start), [start]
    for _ in range(steps):
        params, state = opt.update(gradient(params), state, params)
        rows.append(params)
    return np.stack(rows)


# ---------------------------------------------------------------- steps from the reference's state


def forced_problems(seed: int) -> list:
    """``(start, gradient)``: two starts (``1 x 2``) on each surface, a problem per shape."""
    rng = np.random.default_rng(seed)
    out = []
    for name in SURFACES:
        surface = surfaces.get(name)
        (x0, x1), (y0, y1) = surface.domain
        for start in (surface.start, rng.uniform((x0, y0), (x1, y1)) * 0.5):
            out.append((np.array(start, dtype=np.float64)[None, :], surface.gradient_xy))
    for shape in SHAPES.values():
        problem = LeastSquares(seed, 1, shape)
        out.append((problem.starts[0], lambda w, problem=problem: problem.gradient(0, w)))
    return out


def forced_steps(name, opt, start, gradient, to_atlas):
    """Run the reference; before each of its steps, take one atlas step from the
    reference's own state (``to_atlas(ref, param, t, x)``, None before the first
    step). Yield ``(x, ours, theirs, our new state, its new state)`` per step."""
    param = torch.tensor(start, requires_grad=True)
    ref = reference(name, opt.hyperparameters(), param)
    for t in range(STEPS):
        x = param.detach().numpy().copy()
        g = gradient(x)
        state = to_atlas(ref, param, t, x)
        with np.errstate(all="ignore"):  # a run away on the saddle overflows on both sides
            ours, our_state = opt.update(g, opt.init(x) if state is None else state, x)
        param.grad = torch.from_numpy(np.ascontiguousarray(g))
        ref.step((lambda: torch.tensor(0.0)) if name == "lbfgs" else None)
        theirs = param.detach().numpy().copy()
        if not np.isfinite(theirs).all():
            return
        yield x, ours, theirs, our_state, to_atlas(ref, param, t + 1, theirs)


def assert_same_step(x, ours, theirs):
    """Equal to 1e-11 of the step's size (so exactly equal where the reference stands).

    Measured at most 2.1e-12 (L-BFGS, on an ill-conditioned step of length ~700
    whose two-loop recursion cancels), 1.5e-13 (Prodigy), 1e-14 otherwise.
    """
    assert np.abs(ours - theirs).max() <= 1e-11 * np.abs(theirs - x).max()


def lbfgs_state(opt, ref, param, t, x):
    """``torch.optim.LBFGS``'s state as an atlas ``LBFGSState`` (None before any step)."""
    st = ref.state[param]
    if "d" not in st:
        return None
    pairs = tuple((y.numpy().reshape(x.shape).copy(), s.numpy().reshape(x.shape).copy(),
                   np.array(float(rho))) for y, s, rho in zip(st["old_dirs"], st["old_stps"],
                                                              st["ro"], strict=True))  # fmt: skip
    return optimizers.LBFGSState(
        t=t, direction=st["d"].numpy().reshape(x.shape).copy(),
        step_length=np.array(float(st["t"])),
        g_prev=st["prev_flat_grad"].numpy().reshape(x.shape).copy(), pairs=pairs,
        count=np.array(len(pairs)), h_diag=np.array(float(st["H_diag"])),
        n_iter=np.array(st["n_iter"]),
    )  # fmt: skip


LBFGS_FORCED = [{}, {"history_size": 3}, {"tolerance_grad": 1e-3, "tolerance_change": 1e-4},
                {"lr": 0.5, "history_size": 5}]  # fmt: skip


@pytest.mark.parametrize("combo", range(len(LBFGS_FORCED)))
def test_lbfgs_each_step_from_torchs_state(combo):
    """Every step, from torch's own state, equals torch's step, and so does the new state.

    This covers the paths left out of the path comparison as chaotic (CHAOTIC),
    the default lr = 1 on every surface included.
    """
    opt = optimizers.get("lbfgs", **LBFGS_FORCED[combo])
    moved = skipped = 0
    for start, gradient in forced_problems(combo):
        for x, ours, theirs, our_state, their_state in forced_steps("lbfgs", opt, start, gradient,
                                                                   partial(lbfgs_state, opt)):
            assert_same_step(x, ours, theirs)
            np.testing.assert_allclose(our_state.direction, their_state.direction, rtol=1e-11,
                                       atol=1e-11 * np.abs(their_state.direction).max())
            assert our_state.count == their_state.count
            assert our_state.n_iter == their_state.n_iter
            np.testing.assert_allclose(our_state.step_length, their_state.step_length, rtol=1e-15)
            moved += bool((theirs != x).any())
            skipped += bool((theirs == x).all())
    assert moved > 100 and skipped > 0  # both branches: steps taken, and steps refused


def adafactor_state(opt, ref, param, t, x):
    """``torch.optim.Adafactor``'s state as an atlas ``AdafactorState`` (None before any step)."""
    st = ref.state[param]
    if "step" not in st:
        return None
    row_var, col_var, variance = (st[k].numpy().copy() if k in st else None
                                  for k in ("row_var", "col_var", "variance"))  # fmt: skip
    return optimizers.AdafactorState(t=int(st["step"]), row_var=row_var, col_var=col_var,
                                     variance=variance)  # fmt: skip


@pytest.mark.parametrize("combo", range(len(COMBOS["adafactor"])))
def test_adafactor_each_step_from_torchs_state(combo):
    opt = optimizers.get("adafactor", **COMBOS["adafactor"][combo])
    for start, gradient in forced_problems(200 + combo):
        steps = list(forced_steps("adafactor", opt, start, gradient, partial(adafactor_state, opt)))
        assert len(steps) == STEPS
        for x, ours, theirs, our_state, their_state in steps:
            assert_same_step(x, ours, theirs)
            for key, value in their_state.arrays().items():
                np.testing.assert_allclose(our_state.arrays()[key], value, rtol=1e-13)


def lamb_state(opt, ref, param, t, x):
    """``pytorch_optimizer.Lamb``'s state as an atlas ``LambState`` (None before any step)."""
    st, group = ref.state[param], ref.param_groups[0]
    if "exp_avg" not in st:
        return None
    return optimizers.LambState(t=group["step"], m=st["exp_avg"].numpy().copy(),
                                v=st["exp_avg_sq"].numpy().copy(),
                                trust_ratio=np.array(float(st["trust_ratio"])))  # fmt: skip


@pytest.mark.parametrize("combo", range(len(COMBOS["lamb"])))
def test_lamb_each_step_from_its_state(combo):
    pytest.importorskip("pytorch_optimizer")
    opt = optimizers.get("lamb", lr=LR["lamb"], **COMBOS["lamb"][combo])
    for start, gradient in forced_problems(300 + combo):
        steps = list(forced_steps("lamb", opt, start, gradient, partial(lamb_state, opt)))
        assert len(steps) == STEPS
        for x, ours, theirs, our_state, their_state in steps:
            assert_same_step(x, ours, theirs)
            np.testing.assert_allclose(our_state.trust_ratio, their_state.trust_ratio, rtol=1e-13)


def prodigy_state(opt, ref, param, t, x):
    """``prodigyopt.Prodigy``'s state as an atlas ``ProdigyState`` (None before any step)."""
    st, group = ref.state[param], ref.param_groups[0]
    if "step" not in st:
        return None
    sliced = x.reshape(-1)[:: opt.slice_p]
    p0 = st["p0"].numpy()
    zeros = np.zeros_like(x)
    return optimizers.ProdigyState(
        t=t, m=st["exp_avg"].numpy().copy() if "exp_avg" in st else zeros,
        v=st["exp_avg_sq"].numpy().copy(), s=st["s"].numpy().copy(),
        p0=np.broadcast_to(p0, sliced.shape).copy(), d=np.array(group["d"]),
        d_max=np.array(group["d_max"]), d_numerator=np.array(group["d_numerator"]),
        k=np.array(group["k"]),
    )  # fmt: skip


PRODIGY_FORCED = [*COMBOS["prodigy"], {"use_bias_correction": True}, {"betas": (0.0, 0.99)},
                  {"weight_decay": 0.1, "decouple": False, "use_bias_correction": True},
                  {"betas": (0.0, 0.999), "slice_p": 3, "safeguard_warmup": True}]  # fmt: skip


@pytest.mark.parametrize("combo", range(len(PRODIGY_FORCED)))
def test_prodigy_each_step_from_its_state(combo):
    """Every step from prodigyopt's own state equals its step, and the new ``d`` its ``d``.

    Covers the settings whose whole paths amplify rounding (bias correction,
    beta1 = 0), and checks the estimate ``d`` that atlas keeps in its state.
    """
    pytest.importorskip("prodigyopt")
    opt = optimizers.get("prodigy", **PRODIGY_FORCED[combo])
    grew = False
    for start, gradient in forced_problems(100 + combo):
        for x, ours, theirs, our_state, their_state in forced_steps("prodigy", opt, start,
                                                                   gradient,
                                                                   partial(prodigy_state, opt)):
            assert_same_step(x, ours, theirs)
            np.testing.assert_allclose(our_state.d, their_state.d, rtol=1e-12)
            np.testing.assert_allclose(our_state.d_numerator, their_state.d_numerator,
                                       rtol=1e-12, atol=1e-300)  # fmt: skip
            grew |= bool(our_state.d > 100 * opt.d0)
    assert grew  # d really was estimated, not left at d0


# ---------------------------------------------------------------- Muon and bfloat16

#: Largest deviation of PyTorch's bfloat16 Muon step from atlas's (relative to the
#: step's largest entry) measured over the runs of the test below: 0.061.
MUON_BFLOAT16_RTOL = 0.1


def test_muon_bfloat16_difference_is_bfloat16_sized():
    """Atlas's Muon against the unpatched PyTorch (Newton–Schulz in bfloat16).

    Along atlas's own float64 paths (the surfaces and the least-squares
    problems, 100 steps, lr=0.01), PyTorch takes each step from atlas's position
    and momentum buffer. The buffers agree to 1e-13: only Newton–Schulz differs.
    The steps differ by at most 6.1 % of the step's largest entry (measured;
    tolerance 10 %): bfloat16 keeps 8 significant bits (relative rounding 2^-9
    ~ 0.2 % per operation), and the quintic iteration, whose slope at small
    singular values is a = 3.4 per step (3.4^5 ~ 460 over five), amplifies the
    rounding of the small directions. Not much smaller either: at least 0.1 %.
    """
    opt = optimizers.get("muon", lr=0.01)
    worst = 0.0
    for start, gradient in forced_problems(7):
        matrix = start if start.ndim == 2 else start[None, :]
        param = torch.tensor(matrix, requires_grad=True)
        ref = torch.optim.Muon([param], **opt.hyperparameters())
        x, state = start, opt.init(start)
        for _ in range(STEPS):
            g = gradient(x)
            new_x, new_state = opt.update(g, state, x)
            with torch.no_grad():
                param.copy_(torch.from_numpy(np.reshape(x, matrix.shape)))
            if ref.state[param]:
                ref.state[param]["momentum_buffer"].copy_(
                    torch.from_numpy(np.reshape(state.b, matrix.shape).copy()))  # fmt: skip
            param.grad = torch.from_numpy(np.reshape(g, matrix.shape).copy())
            ref.step()
            buffer = ref.state[param]["momentum_buffer"].numpy()
            np.testing.assert_allclose(buffer, np.reshape(new_state.b, matrix.shape), rtol=1e-13)
            ours = np.reshape(new_x - x, matrix.shape)
            theirs = param.detach().numpy() - np.reshape(x, matrix.shape)
            worst = max(worst, np.abs(theirs - ours).max() / np.abs(ours).max())
            x, state = new_x, new_state
    assert 1e-3 < worst < MUON_BFLOAT16_RTOL


# ---------------------------------------------------------------- Prodigy: one d per tensor


def test_every_per_tensor_optimizer_is_checked_here():
    per_tensor = {n for n in optimizers.names() if not optimizers.registry.get(n).elementwise}
    assert per_tensor == set(PER_TENSOR) == set(COMBOS) == set(LR)


def test_prodigy_keeps_one_d_per_tensor_where_prodigyopt_shares_one():
    """The documented departure: atlas (as ``atlas train`` uses it: one state per array)
    equals one prodigyopt instance per tensor, not one instance for all tensors."""
    prodigyopt = pytest.importorskip("prodigyopt")
    matrix, vector = LeastSquares(1, 1, (5, 3)), LeastSquares(2, 1, (4,))
    problems = [matrix, vector]
    opt = optimizers.get("prodigy")
    ours = [run(opt, lambda w, p=p: p.gradient(0, w), p.starts[0])[-1] for p in problems]
    separate = [reference_path("prodigy", {}, p.starts, p.gradient, p.value)[-1, 0]
                for p in problems]  # fmt: skip
    params = [torch.tensor(p.starts[0], requires_grad=True) for p in problems]
    shared = prodigyopt.Prodigy(params)
    for _ in range(STEPS):
        for p, param in zip(problems, params, strict=True):
            param.grad = torch.from_numpy(p.gradient(0, param.detach().numpy()))
        shared.step()
    for w, alone, together in zip(ours, separate, params, strict=True):
        np.testing.assert_allclose(w, alone, rtol=1e-10)
        assert np.abs(w - together.detach().numpy()).max() > 1e-3
