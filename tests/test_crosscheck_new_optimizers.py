"""The elementwise optimizers beyond ``torch.optim``'s classics, against their references.

ASGD against ``torch.optim.ASGD``; Lion against ``lion-pytorch``; AdaBelief
against the authors' ``adabelief-pytorch``; Yogi, Adan and AdEMAMix against
``pytorch_optimizer``; schedule-free SGD and AdamW against the authors'
``schedulefree`` (``SGDScheduleFree``, ``AdamWScheduleFree``). Step for step in
float64, as ``tests/test_torch_crosscheck.py`` does: both sides get the same
analytic gradient at the current point, so any difference is arithmetic. The
averaged iterates are compared too (ASGD's ``ax``; schedule-free's ``x``, the
point the package's ``.eval()`` swaps in). Each reference is an optional test
dependency (``.ci/run`` installs pinned versions): its tests skip without it.
The last tests pin each documented departure from a reference.
"""

from __future__ import annotations

import dataclasses
import importlib
import zlib

import numpy as np
import pytest

from atlas import optimizers, surfaces
from atlas.trajectory import trajectory

torch = pytest.importorskip("torch")

# name -> (module, class) of the reference implementation.
REFERENCE = {
    "asgd": ("torch.optim", "ASGD"),
    "lion": ("lion_pytorch", "Lion"),
    "adabelief": ("adabelief_pytorch", "AdaBelief"),
    "yogi": ("pytorch_optimizer", "Yogi"),
    "adan": ("pytorch_optimizer", "Adan"),
    "ademamix": ("pytorch_optimizer", "AdEMAMix"),
    "schedule_free_sgd": ("schedulefree", "SGDScheduleFree"),
    "schedule_free_adamw": ("schedulefree", "AdamWScheduleFree"),
}
# Keyword arguments of the reference that are no hyperparameter of the rule: the
# single-tensor / per-parameter code path, and no console messages.
EXTRA = {
    "asgd": {"foreach": False},
    "adabelief": {"print_change_log": False},
    "yogi": {"foreach": False},
    "adan": {"foreach": False},
    "ademamix": {"foreach": False},
}

# A learning rate that moves visibly on these surfaces without diverging.
LR = {
    "asgd": 1e-3, "lion": 1e-2, "adabelief": 1e-2, "yogi": 0.05, "adan": 0.05,
    "ademamix": 0.02, "schedule_free_sgd": 1e-3, "schedule_free_adamw": 0.05,
}  # fmt: skip

# Defaults first, then non-default combinations reaching every branch (with the lr above,
# or the combination's own "lr": some combinations make a path chaotic at the lr above, near a
# minimum or a ridge, and rounding differences then grow exponentially, which would test the
# dynamics, not the arithmetic).
COMBOS = {
    "asgd": [{}, {"t0": 10.0, "lambd": 1e-2, "alpha": 0.5, "weight_decay": 0.1},
             {"t0": 0.0, "lambd": 0.0}, {"t0": 50.0, "lambd": 0.5, "alpha": 1.5}],
    "lion": [{}, {"betas": (0.5, 0.9), "weight_decay": 0.1},
             {"weight_decay": 0.5, "decoupled_weight_decay": True}, {"betas": (0.0, 1.0)}],
    "adabelief": [{}, {"rectify": False}, {"amsgrad": True}, {"amsgrad": True, "rectify": False},
                  {"weight_decouple": False, "weight_decay": 0.1},
                  {"fixed_decay": True, "weight_decay": 0.01}, {"degenerated_to_sgd": False},
                  {"eps": 1e-8, "betas": (0.8, 0.9), "weight_decay": 0.1},
                  {"betas": (0.3, 0.6), "rectify": True}],
    "yogi": [{}, {"weight_decouple": False, "weight_decay": 0.1},
             {"fixed_decay": True, "weight_decay": 0.01},
             {"initial_accumulator": 0.0, "eps": 1e-6, "betas": (0.3, 0.9)}],
    "adan": [{}, {"weight_decay": 0.1}, {"weight_decay": 0.1, "weight_decouple": True},
             {"betas": (0.9, 0.8, 0.9), "eps": 1e-6, "lr": 0.02},
             {"betas": (0.3, 0.0, 0.9), "lr": 0.02}],
    "ademamix": [{}, {"t_alpha_beta3": 50.0},
                 {"alpha": 2.0, "betas": (0.5, 0.9, 0.99), "t_alpha_beta3": 200.0,
                  "weight_decay": 0.1},
                 {"weight_decouple": True, "weight_decay": 0.1, "fixed_decay": True},
                 {"weight_decouple": True, "weight_decay": 0.1, "betas": (0.2, 0.9, 1.0)}],
    "schedule_free_sgd": [{}, {"warmup_steps": 20, "r": 1.0, "weight_lr_power": 1.0},
                          {"momentum": 0.5, "weight_decay": 0.1},
                          {"weight_lr_power": 0.0, "momentum": 0.2, "warmup_steps": 200}],
    "schedule_free_adamw": [{}, {"warmup_steps": 20, "r": 0.5, "weight_lr_power": 1.0,
                                 "weight_decay": 0.1},
                            {"betas": (0.5, 0.9), "eps": 1e-6, "lr": 0.02},
                            {"betas": (0.2, 0.5), "weight_lr_power": 0.0, "warmup_steps": 500}],
}  # fmt: skip

# Surfaces, each with a factor on the lr above (Rosenbrock's gradients are ~100x larger).
SURFACES = {"ellipse": 1.0, "rosenbrock": 0.1, "himmelblau": 1.0, "saddle": 1.0}
STEPS = 100


@pytest.fixture(autouse=True)
def _torch_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def reference(name: str, param, hyper: dict, **extra):
    """The reference optimizer of ``name`` over the one tensor ``param`` (in train mode)."""
    module, cls = REFERENCE[name]
    opt = getattr(pytest.importorskip(module), cls)([param], **hyper, **{**EXTRA.get(name, {}),
                                                                          **extra})  # fmt: skip
    if name.startswith("schedule_free"):
        opt.train()
    return opt


def reference_averaged(name: str, opt, param) -> np.ndarray | None:
    """The reference's averaged iterate now: ASGD's ``ax``; schedule-free's ``x``, as its
    ``.eval()`` computes it (``lerp(y, z, 1 - 1/beta1)``, without touching the parameters)."""
    state = opt.state[param]
    if name == "asgd":
        return state["ax"].numpy().copy() if state else np.zeros(param.shape)
    if name.startswith("schedule_free"):
        group = opt.param_groups[0]
        beta1 = group["momentum"] if "momentum" in group else group["betas"][0]
        if "z" not in state:
            return param.detach().numpy().copy()
        return torch.lerp(param.detach(), state["z"], 1 - 1 / beta1).numpy().copy()
    return None


def reference_path(name: str, hyper: dict, surface, start: np.ndarray, steps: int, **extra):
    """Positions (and averaged iterates, if any) of the reference, row per step."""
    param = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = reference(name, param, hyper, **extra)
    rows, averaged = [param.detach().numpy().copy()], [reference_averaged(name, opt, param)]
    for _ in range(steps):
        grad = surface.gradient_xy(param.detach().numpy())
        param.grad = torch.from_numpy(np.ascontiguousarray(grad))
        opt.step()
        rows.append(param.detach().numpy().copy())
        averaged.append(reference_averaged(name, opt, param))
    if name.startswith("schedule_free"):  # the package's own swap to x at the end
        opt.eval()
        np.testing.assert_allclose(param.detach().numpy(), averaged[-1], rtol=1e-13, atol=1e-15)
    return np.stack(rows), None if averaged[0] is None else np.stack(averaged)


def max_relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    scale = np.maximum(np.abs(theirs), 1e-12)
    return float(np.max(np.abs(ours - theirs) / scale))


def test_every_new_optimizer_is_registered_and_elementwise():
    for name in REFERENCE:
        assert name in optimizers.names()
        assert optimizers.registry.get(name).elementwise
    assert set(REFERENCE) == set(COMBOS) == set(LR)


CASES = [
    (name, i, surface)
    for name in REFERENCE
    for i in range(len(COMBOS[name]))
    for surface in SURFACES
]


def run_both(name: str, combo: dict, surface_name: str, **extra):
    surface = surfaces.get(surface_name)
    combo = dict(combo)
    opt = optimizers.get(name, lr=combo.pop("lr", LR[name]) * SURFACES[surface_name], **combo)
    rng = np.random.default_rng(zlib.crc32(f"{name}{combo}{surface_name}".encode()))
    (x0, x1), (y0, y1) = surface.domain
    starts = np.vstack([surface.start, rng.uniform((x0, y0), (x1, y1), size=(3, 2)) * 0.5])
    ours = trajectory(opt, surface, starts, STEPS, record_state=True)
    theirs, theirs_averaged = reference_path(name, opt.hyperparameters(), surface, starts,
                                             STEPS, **extra)  # fmt: skip
    return opt, starts, ours, theirs, theirs_averaged


@pytest.mark.parametrize(("name", "combo", "surface_name"), CASES)
def test_matches_the_reference_step_for_step(name, combo, surface_name):
    opt, starts, ours, theirs, theirs_averaged = run_both(name, COMBOS[name][combo], surface_name)
    finite = np.isfinite(theirs).all(axis=(0, 2))
    assert finite.any()
    assert np.array_equal(ours.diverged_at >= 0, ~finite)
    np.testing.assert_allclose(ours.xy[:, finite], theirs[:, finite], rtol=1e-10, atol=1e-12)
    if theirs_averaged is not None:
        averaged = np.stack([opt.averaged(state) for state in ours.states])
        np.testing.assert_allclose(averaged[:, finite], theirs_averaged[:, finite],
                                   rtol=1e-10, atol=1e-12)  # fmt: skip
    # And the path really moved: a test of a standing optimizer would prove nothing.
    assert np.abs(ours.xy[-1, finite] - starts[finite]).max() > 1e-3


@pytest.mark.parametrize("name", ["yogi", "adan", "ademamix", "schedule_free_sgd",
                                  "schedule_free_adamw"])  # fmt: skip
def test_the_batched_foreach_branch_gives_the_same_numbers(name):
    """The references' default batched ("foreach") branch, on one combination per surface."""
    for surface_name in SURFACES:
        combo = COMBOS[name][1]
        _, _, ours, theirs, _ = run_both(name, combo, surface_name, foreach=True)
        finite = np.isfinite(theirs).all(axis=(0, 2))
        np.testing.assert_allclose(ours.xy[:, finite], theirs[:, finite], rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------- checks and departures

# Hyperparameters the reference refuses at construction: atlas refuses them too.
BOTH_REFUSE = [
    ("asgd", {"lr": -0.1}), ("asgd", {"weight_decay": -0.1}),
    ("lion", {"lr": 0.0}), ("lion", {"betas": (1.1, 0.9)}), ("lion", {"betas": (0.9, -0.1)}),
    ("adabelief", {"lr": -0.1}), ("adabelief", {"eps": -1e-8}),
    ("adabelief", {"betas": (1.0, 0.9)}), ("adabelief", {"betas": (0.9, 1.0)}),
    ("yogi", {"lr": -0.1}), ("yogi", {"betas": (0.9, 1.0)}), ("yogi", {"eps": -1.0}),
    ("yogi", {"weight_decay": -0.1}),
    ("adan", {"betas": (0.98, 1.0, 0.99)}), ("adan", {"eps": -1.0}),
    ("adan", {"weight_decay": -0.1}),
    ("ademamix", {"alpha": -1.0}), ("ademamix", {"t_alpha_beta3": -1.0}),
    ("ademamix", {"betas": (0.9, 0.999, 1.1)}), ("ademamix", {"betas": (1.0, 0.999, 0.9999)}),
    ("schedule_free_sgd", {"momentum": 0.0}), ("schedule_free_sgd", {"momentum": 1.0}),
    ("schedule_free_sgd", {"lr": -0.1}), ("schedule_free_sgd", {"weight_decay": -0.1}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "hyper"), BOTH_REFUSE)
def test_what_the_reference_refuses_atlas_refuses(name, hyper):
    param = torch.zeros(2, requires_grad=True)
    # lion-pytorch asserts; pytorch_optimizer raises its NegativeLRError, an Exception
    with pytest.raises((ValueError, AssertionError, pytest.importorskip("pytorch_optimizer")
                        .base.exception.NegativeLRError)):  # fmt: skip
        reference(name, param, hyper)
    with pytest.raises(ValueError) as error:
        optimizers.get(name, **hyper)
    assert repr(next(iter(hyper.values()))) in str(error.value)


def docs(name: str) -> str:
    """The docstrings of an optimizer's class and module, where departures are documented."""
    cls = optimizers.registry.get(name)
    return f"{cls.__doc__}\n{importlib.import_module(cls.__module__).__doc__}"


# Documented departures: hyperparameters the reference accepts, atlas refuses, and why.
ATLAS_REFUSES = [
    ("asgd", {"lambd": -1e-4}),  # (1 + lambd lr t)^alpha turns complex
    ("lion", {"weight_decay": -0.1}),  # never checked by the package
    ("adabelief", {"weight_decay": -0.1}),  # never checked by the package
    ("yogi", {"initial_accumulator": -1e-6}),  # sqrt(v) of a negative v: NaN
    ("adan", {"betas": (0.98, 0.92, 1.0)}),  # divides by 1 - beta3^t = 0: NaN
    ("ademamix", {"t_alpha_beta3": 0.0}),  # divides by t_alpha_beta3
    ("ademamix", {"betas": (0.0, 0.999, 0.9999), "t_alpha_beta3": 10.0}),  # log(0)
    ("ademamix", {"betas": (0.99, 0.999, 0.9), "t_alpha_beta3": 10.0}),  # mix crosses 0
    ("schedule_free_adamw", {"betas": (0.0, 0.999)}),  # .eval() divides by betas[0]
    ("schedule_free_adamw", {"betas": (0.9, 1.0)}),  # divides by 1 - beta2^t = 0
    ("schedule_free_adamw", {"eps": -1e-8}),
    ("schedule_free_adamw", {"weight_decay": -0.1}),
    ("schedule_free_adamw", {"lr": -0.1}),
    ("schedule_free_sgd", {"warmup_steps": -1}),
    ("schedule_free_adamw", {"weight_lr_power": -1.0}),  # 0 ** -1 when lr = 0
]  # fmt: skip


@pytest.mark.parametrize(("name", "hyper"), ATLAS_REFUSES)
def test_documented_departures_refuse_what_the_reference_accepts(name, hyper):
    reference(name, torch.zeros(2, requires_grad=True), hyper)  # accepted
    with pytest.raises(ValueError) as error:
        optimizers.get(name, **hyper)
    field = next(iter(hyper))
    assert field in str(error.value) and repr(hyper[field]) in str(error.value)
    assert field in docs(name)  # the departure is documented


@pytest.mark.parametrize(("name", "hyper"), [
    ("yogi", {"initial_accumulator": -1e-6}),
    ("adan", {"betas": (0.98, 0.92, 1.0)}),
])  # fmt: skip
def test_the_refused_values_give_the_reference_non_finite_numbers(name, hyper):
    param = torch.tensor([1.0, -1.0], requires_grad=True)
    opt = reference(name, param, hyper)
    for _ in range(3):
        param.grad = torch.zeros(2)
        opt.step()
    assert not torch.isfinite(param).all()


@pytest.mark.parametrize(("name", "option"), [
    ("adan", "max_grad_norm"), ("adan", "use_gc"), ("adan", "adanorm"),
    ("ademamix", "cautious"), ("ademamix", "stable_adamw"), ("yogi", "adam_debias"),
    ("adabelief", "print_change_log"), ("lion", "use_triton"), ("schedule_free_sgd", "foreach"),
])  # fmt: skip
def test_left_out_options_are_refused_and_documented(name, option):
    """Per-tensor reductions (which would couple the starts of a run) and switches that do
    not change the rule are not hyperparameters here; each is named in the docstrings."""
    with pytest.raises(ValueError, match="valid hyperparameters"):
        optimizers.get(name, **{option: True})
    assert option in docs(name)


def test_adan_global_clip_would_couple_the_starts():
    """Why ``max_grad_norm`` is left out: the reference clips by the norm of all the
    gradients, so two starts run together differ from the same starts run apart."""
    surface = surfaces.get("himmelblau")
    starts = np.array([[-0.5, -1.5], [2.0, 1.0]])
    hyper = {"lr": 0.05, "max_grad_norm": 1.0}
    together, _ = reference_path("adan", hyper, surface, starts, 10)
    apart, _ = reference_path("adan", hyper, surface, starts[:1], 10)
    assert np.abs(together[:, :1] - apart).max() > 1e-6


def test_the_averaged_iterates_are_what_the_references_keep():
    """ASGD's ``ax`` is torch's state; schedule-free's ``x`` is the package's ``.eval()``
    parameters and satisfies y = (1 - beta1) z + beta1 x."""
    surface = surfaces.get("ellipse")
    opt = optimizers.get("schedule_free_adamw", lr=0.05)
    run = trajectory(opt, surface, None, 50, record_state=True)
    state = run.states[-1]
    np.testing.assert_array_equal(opt.averaged(state), state.x)
    np.testing.assert_allclose(run.xy[-1], 0.1 * state.z + 0.9 * state.x, rtol=1e-12)
    assert np.abs(state.x - run.xy[-1]).max() > 1e-3  # x and y are different points
    asgd = optimizers.get("asgd", lr=1e-3, t0=10.0)
    run = trajectory(asgd, surface, None, 50, record_state=True)
    state = run.states[-1]
    np.testing.assert_array_equal(asgd.averaged(state), state.ax)
    # Step t averages with weight mu_{t-1} = 1 / max(1, t - 1 - t0): ax is the plain mean of
    # the iterates from step t0 + 2 on (step t0 + 2 still copies the point, mu = 1).
    np.testing.assert_allclose(state.ax, run.xy[12:].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("name", list(REFERENCE))
def test_a_changing_lr_matches_the_reference_with_its_group_lr_changed(name):
    """``atlas train --schedule`` replaces the optimizer's lr between steps (keeping the
    state); the reference's counterpart sets ``param_groups[0]["lr"]``. Both must agree,
    including the lr-dependent scalars: ASGD's eta, schedule-free's lr_max and weights,
    Lion's decoupled decay (divided by the lr at init, as the package divides by its
    ``_init_lr``)."""
    surface = surfaces.get("himmelblau")
    combo = {"lion": {"weight_decay": 0.5, "decoupled_weight_decay": True},
             "schedule_free_adamw": {"warmup_steps": 20}}.get(name, COMBOS[name][-1])
    combo = {k: v for k, v in combo.items() if k != "lr"}
    opt = optimizers.get(name, lr=LR[name], **combo)
    start = np.array([[-0.5, -1.5], [1.0, 2.0]])
    factors = 0.1 + 0.9 * (1 + np.cos(np.pi * np.arange(STEPS) / STEPS)) / 2  # cosine decay
    param = torch.tensor(start, requires_grad=True)
    ref = reference(name, param, opt.hyperparameters())
    p, state = start, opt.init(start)
    for k in range(STEPS):
        grad = surface.gradient_xy(p)
        p, state = dataclasses.replace(opt, lr=LR[name] * factors[k]).update(grad, state, p)
        ref.param_groups[0]["lr"] = LR[name] * factors[k]
        param.grad = torch.from_numpy(surface.gradient_xy(param.detach().numpy()))
        ref.step()
        np.testing.assert_allclose(p, param.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert np.abs(p - start).max() > 1e-2
