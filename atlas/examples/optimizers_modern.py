r"""Worked examples of the sections *Optimizers since Adam*: what each new rule does inside.

Each function runs an optimizer of :mod:`atlas.optimizers` and returns what a
figure or a table of the chapter shows, computed here, never in a page or a plot:

* :func:`averaged_path`: the path of schedule-free SGD/AdamW (:math:`y`, where the
  gradient is taken) or ASGD (its parameters) and the averaged iterate beside it
  (schedule-free's :math:`x`, ASGD's :math:`\bar a`), read with ``averaged(state)``;
* :func:`sign_moves`: Lion's moves per coordinate, each exactly :math:`\pm\gamma`,
  against the gradient's coordinates, which span orders of magnitude;
* :func:`prodigy_d`: Prodigy's step-size estimate :math:`d_t` along its path;
* :func:`factored_second_moment`: Adafactor's rank-1 second moment of a weight matrix of
  the MNIST network, next to the full one it stands for;
* :func:`muon_kappa` and :func:`normalised_momentum`: on a 2-D surface a point is a
  ``1 x 2`` matrix, whose Newton–Schulz orthogonalisation is a normalisation, so Muon
  *is* normalised momentum; written here from the formula alone, without Muon's code,
  so that :func:`muon_as_normalised_momentum` can compare the two paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas import optimizers
from atlas.optimizers import Optimizer
from atlas.surfaces import Surface
from atlas.trajectory import trajectory


@dataclass(frozen=True)
class AveragedPath:
    """A run and its averaged iterate: ``xy[k]`` and ``averaged[k]`` after step ``k``, and
    the gap :math:`f - f^*` of each (``gap``, ``averaged_gap``)."""

    xy: np.ndarray
    averaged: np.ndarray
    gap: np.ndarray
    averaged_gap: np.ndarray


def averaged_path(optimizer: Optimizer, surface: Surface, steps: int) -> AveragedPath:
    """``optimizer`` (one with ``averaged(state)``: ASGD, schedule-free) from the surface's
    start, with the averaged iterate of every step (row 0: the start for both)."""
    if not hasattr(optimizer, "averaged"):
        raise ValueError(f"{optimizer.title} keeps no averaged iterate")
    run = trajectory(optimizer, surface, None, steps, record_state=True)
    averaged = np.stack([run.xy[0]] + [np.reshape(optimizer.averaged(s), 2)
                                       for s in run.states[1:]])  # fmt: skip
    f_min = surface.f_min or 0.0
    return AveragedPath(run.xy, averaged, run.z - f_min, surface.value_xy(averaged) - f_min)


@dataclass(frozen=True)
class SignMoves:
    """Per step and coordinate: ``moves`` :math:`|\\Delta\\theta|` and ``grads`` :math:`|g|`."""

    xy: np.ndarray
    moves: np.ndarray
    grads: np.ndarray


def sign_moves(optimizer: Optimizer, surface: Surface, steps: int) -> SignMoves:
    """The moves of a sign-based rule (Lion) along its path, and the gradients it saw."""
    run = trajectory(optimizer, surface, None, steps)
    grads = np.abs(surface.gradient_xy(run.xy[:-1]))
    return SignMoves(run.xy, np.abs(np.diff(run.xy, axis=0)), grads)


def prodigy_d(optimizer: Optimizer, surface: Surface, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``(xy, d)``: Prodigy's path and its estimate :math:`d_t` after every step (``d[0]``
    is :math:`d_0`)."""
    run = trajectory(optimizer, surface, None, steps, record_state=True)
    return run.xy, np.array([float(np.reshape(s.d, -1)[0]) for s in run.states])


@dataclass(frozen=True)
class FactoredMoment:
    """One weight matrix's second moment after ``steps`` Adafactor steps: the full
    :math:`V_t` (``full``, the same decays, every entry kept) and Adafactor's
    :math:`\\hat V_t = R_t C_t / \\mathrm{mean}(R_t)` (``factored``), of shape ``shape``."""

    key: str
    steps: int
    full: np.ndarray
    factored: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        return self.full.shape

    @property
    def stored(self) -> tuple[int, int]:
        """Numbers kept: ``(m n, m + n)``, full against factored."""
        m, n = self.shape
        return m * n, m + n


def factored_second_moment(dataset: object, *, model: str = "784-200-200-10",
                           key: str = "2.W", steps: int = 40, batch_size: int = 100,
                           seed: int = 0) -> FactoredMoment:  # fmt: skip
    """Train the MNIST network with Adafactor (defaults) for ``steps`` minibatches and keep,
    beside Adafactor's factors of the weight matrix ``key``, the full second moment with
    the same decay :math:`\\hat\\beta_{2,t} = 1 - t^{\\tau}`."""
    from atlas.nn import as_features, mlp

    rng = np.random.default_rng(seed)
    net = mlp(model, "relu", rng=rng, dtype=np.float64)
    opt = optimizers.get("adafactor")
    params = net.params()
    states = {k: opt.init(v) for k, v in params.items()}
    x = as_features(dataset.x_train, np.float64)
    y = np.asarray(dataset.y_train, np.int64)
    full = np.zeros_like(params[key])
    for t in range(1, steps + 1):
        batch = rng.choice(len(x), batch_size, replace=False)
        net.loss_and_grads(x[batch], y[batch], train=True)
        grads = net.grads()
        full = full + (t**opt.beta2_decay) * (grads[key] ** 2 - full)
        for k in params:
            params[k], states[k] = opt.update(grads[k], states[k], params[k])
        net.set_params(params)
    s = states[key]
    factored = (s.row_var @ s.col_var) / np.mean(s.row_var)
    return FactoredMoment(key, steps, full, factored)


def muon_kappa(coefficients: tuple[float, float, float], steps: int) -> float:
    """:math:`p^{(k)}(1)`: the singular value 1 after ``steps`` rounds of
    :math:`p(\\sigma) = a\\sigma + b\\sigma^3 + c\\sigma^5`, the length Newton–Schulz gives
    a ``1 x n`` matrix normalised to length 1."""
    a, b, c = coefficients
    sigma = 1.0
    for _ in range(steps):
        sigma = a * sigma + b * sigma**3 + c * sigma**5
    return sigma


def normalised_momentum_step(theta: np.ndarray, b: np.ndarray, g: np.ndarray, lr: float, *,
                             momentum: float, nesterov: bool, weight_decay: float, eps: float,
                             length: float) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """One step of constant length :math:`\\gamma\\cdot` ``length``: ``(theta, b)`` after it.

    :math:`B_t = \\mu B_{t-1} + (1-\\mu) g_t`, :math:`\\tilde B_t = \\mu B_t + (1-\\mu) g_t`
    (Nesterov; else :math:`B_t`), :math:`\\theta_t = (1-\\gamma\\lambda)\\theta_{t-1} -
    \\gamma\\,\\text{length}\\,\\tilde B_t/\\max(\\lVert\\tilde B_t\\rVert, \\epsilon)`.
    """
    b = momentum * b + (1 - momentum) * g
    direction = momentum * b + (1 - momentum) * g if nesterov else b
    norm = max(float(np.sqrt(direction @ direction)), eps)
    return (1 - lr * weight_decay) * theta - lr * length * direction / norm, b


def normalised_momentum(surface: Surface, lr: float, steps: int, **hyper: float) -> np.ndarray:
    """The path of :func:`normalised_momentum_step` (hyperparameters ``hyper``) from the
    surface's start, one row per step (row 0 the start), up to its first non-finite point."""
    theta, b = np.asarray(surface.start, dtype=np.float64), np.zeros(2)
    path = [theta]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            theta, b = normalised_momentum_step(theta, b, surface.gradient_xy(theta), lr, **hyper)
            if not np.isfinite(theta).all():
                break
            path.append(theta)
    return np.stack(path)


@dataclass(frozen=True)
class MuonComparison:
    """Muon's path and the normalised-momentum path; ``step_error``: the largest distance
    between a Muon step and the normalised-momentum step from the same point and momentum
    buffer, relative to the step's length; ``agree``: the number of steps the two paths stay
    within ``tolerance`` of each other (after that rounding differences grow, as they do on
    any orbit that circles a minimum in steps of constant length); ``kappa``: the length
    factor :math:`\\kappa`."""

    muon: np.ndarray
    normalised: np.ndarray
    step_error: float
    agree: int
    tolerance: float
    kappa: float


def muon_as_normalised_momentum(surface: Surface, lr: float, steps: int,
                                tolerance: float = 1e-12) -> MuonComparison:  # fmt: skip
    """Muon (PyTorch defaults, rate ``lr``) against normalised momentum with the same
    hyperparameters and :math:`\\kappa` = :func:`muon_kappa`, written without Muon's code."""
    muon = optimizers.get("muon", lr=lr)
    kappa = muon_kappa(muon.ns_coefficients, muon.ns_steps)
    hyper = {"momentum": muon.momentum, "nesterov": muon.nesterov,
             "weight_decay": muon.weight_decay, "eps": muon.eps, "length": kappa}
    run = trajectory(muon, surface, None, steps, record_state=True)
    errors = []
    for k in range(1, len(run.xy)):
        theta, b = run.xy[k - 1], np.reshape(run.states[k - 1].b, 2)
        mine, _ = normalised_momentum_step(theta, b, surface.gradient_xy(theta), lr, **hyper)
        errors.append(np.linalg.norm(mine - run.xy[k]) / np.linalg.norm(run.xy[k] - theta))
    path = normalised_momentum(surface, lr, steps, **hyper)
    n = min(len(run.xy), len(path))
    apart = np.flatnonzero(np.linalg.norm(run.xy[:n] - path[:n], axis=1) > tolerance)
    agree = int(apart[0]) - 1 if len(apart) else n - 1
    return MuonComparison(run.xy, path, float(max(errors, default=0.0)), agree, tolerance, kappa)
