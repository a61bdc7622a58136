"""The optimizers: hand-worked steps, convergence, shapes, purity and validation.

Every test is table-driven over ``optimizers.names()``; a new registry entry
fails :func:`test_tables_cover_every_optimizer` until it has its hand-worked
steps and its convergence settings.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atlas import optimizers, surfaces
from atlas.registry import UnknownNameError
from atlas.trajectory import trajectory

NAMES = optimizers.names()

# ---------------------------------------------------------------- hand-worked steps
# Each function runs the algorithm as written in the PyTorch documentation on ONE
# coordinate with plain Python floats: an independent second reading of the formula.


def hand_sgd(h, p, gs):
    lr, mu, tau, wd, nesterov = (h[k] for k in ("lr", "momentum", "dampening",
                                                 "weight_decay", "nesterov"))  # fmt: skip
    b, out = 0.0, []
    for t, g in enumerate(gs, start=1):
        g = g + wd * p
        if mu != 0:
            b = g if t == 1 else mu * b + (1 - tau) * g
            g = g + mu * b if nesterov else b
        p = p - lr * g
        out.append(p)
    return out


def hand_adagrad(h, p, gs):
    s, out = h["initial_accumulator_value"], []
    for t, g in enumerate(gs, start=1):
        g = g + h["weight_decay"] * p
        clr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
        s = s + g * g
        p = p - clr * g / (math.sqrt(s) + h["eps"])
        out.append(p)
    return out


def hand_rmsprop(h, p, gs):
    a, v, g_ave, b, out = h["alpha"], 0.0, 0.0, 0.0, []
    for g in gs:
        g = g + h["weight_decay"] * p
        v = a * v + (1 - a) * g * g
        var = v
        if h["centered"]:
            g_ave = a * g_ave + (1 - a) * g
            var = v - g_ave * g_ave
        if h["momentum"] > 0:
            b = h["momentum"] * b + g / (math.sqrt(var) + h["eps"])
            p = p - h["lr"] * b
        else:
            p = p - h["lr"] * g / (math.sqrt(var) + h["eps"])
        out.append(p)
    return out


def hand_adadelta(h, p, gs):
    rho, eps, v, u, out = h["rho"], h["eps"], 0.0, 0.0, []
    for g in gs:
        g = g + h["weight_decay"] * p
        v = rho * v + (1 - rho) * g * g
        dx = math.sqrt(u + eps) / math.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * dx * dx
        p = p - h["lr"] * dx
        out.append(p)
    return out


def hand_adam(h, p, gs, decoupled=False):
    (b1, b2), lr, wd = h["betas"], h["lr"], h["weight_decay"]
    m, v, v_max, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        if decoupled:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = max(v_max, v)
        v_hat = (v_max if h["amsgrad"] else v) / (1 - b2**t)
        p = p - lr * (m / (1 - b1**t)) / (math.sqrt(v_hat) + h["eps"])
        out.append(p)
    return out


def hand_adamax(h, p, gs):
    (b1, b2), m, u, out = h["betas"], 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        g = g + h["weight_decay"] * p
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, abs(g) + h["eps"])
        p = p - h["lr"] * m / ((1 - b1**t) * u)
        out.append(p)
    return out


def hand_nadam(h, p, gs):
    (b1, b2), lr, wd, psi = h["betas"], h["lr"], h["weight_decay"], h["momentum_decay"]
    mu_at = lambda t: b1 * (1 - 0.5 * 0.96 ** (t * psi))  # noqa: E731
    m, v, out = 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        if h["decoupled_weight_decay"]:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        prod_t = math.prod(mu_at(i) for i in range(1, t + 1))
        m_hat = mu_at(t + 1) * m / (1 - prod_t * mu_at(t + 1)) + (1 - mu_at(t)) * g / (1 - prod_t)
        p = p - lr * m_hat / (math.sqrt(v / (1 - b2**t)) + h["eps"])
        out.append(p)
    return out


def hand_radam(h, p, gs):
    (b1, b2), lr, wd = h["betas"], h["lr"], h["weight_decay"]
    rho_inf = 2 / (1 - b2) - 1
    m, v, out = 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        if h["decoupled_weight_decay"]:
            p = p - lr * wd * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2**t) / (math.sqrt(v) + h["eps"])
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))  # fmt: skip
            p = p - lr * m_hat * l_t * r_t
        else:
            p = p - lr * m_hat
        out.append(p)
    return out


def hand_rprop(h, p, gs):
    (eta_minus, eta_plus), (lo, hi) = h["etas"], h["step_sizes"]
    eta, g_prev, out = h["lr"], 0.0, []
    for g in gs:
        if g * g_prev > 0:
            eta = min(eta * eta_plus, hi)
        elif g * g_prev < 0:
            eta, g = max(eta * eta_minus, lo), 0.0
        else:
            eta = min(max(eta, lo), hi)
        p = p - eta * (g > 0) + eta * (g < 0)
        g_prev = g
        out.append(p)
    return out


def hand_asgd(h, p, gs):
    lr, lambd, wd = h["lr"], h["lambd"], h["weight_decay"]
    eta, out = lr, []
    for t, g in enumerate(gs, start=1):
        g = g + wd * p
        p = p * (1 - lambd * eta) - eta * g
        eta = lr / (1 + lambd * lr * t) ** h["alpha"]
        out.append(p)
    return out


def hand_lion(h, p, gs):
    (b1, b2), lr = h["betas"], h["lr"]
    wd = h["weight_decay"] / lr if h["decoupled_weight_decay"] else h["weight_decay"]
    m, out = 0.0, []
    for g in gs:
        c = b1 * m + (1 - b1) * g
        p = p - lr * wd * p - lr * ((c > 0) - (c < 0))
        m = b2 * m + (1 - b2) * g
        out.append(p)
    return out


def hand_adabelief(h, p, gs):
    (b1, b2), lr, wd, eps = h["betas"], h["lr"], h["weight_decay"], h["eps"]
    rho_inf = 2 / (1 - b2) - 1
    m, s, s_max, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        if h["weight_decouple"]:
            p = p - (wd if h["fixed_decay"] else lr * wd) * p
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        s = b2 * s + (1 - b2) * (g - m) ** 2 + eps
        s_max = max(s_max, s)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if not h["rectify"]:
            s_hat = (s_max if h["amsgrad"] else s) / (1 - b2**t)
            p = p - lr * m / (1 - b1**t) / (math.sqrt(s_hat) + eps)
        elif rho_t >= 5:
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t))  # fmt: skip
            p = p - lr * r_t * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (math.sqrt(s) + eps)
        elif h["degenerated_to_sgd"]:
            p = p - lr * m / (1 - b1**t)
        out.append(p)
    return out


def decayed(h, p, g):
    """pytorch_optimizer's weight decay: decoupled (optionally fixed) or added to g."""
    if h["weight_decouple"]:
        return p * (1 - h["weight_decay"] * (1 if h.get("fixed_decay") else h["lr"])), g
    return p, g + h["weight_decay"] * p


def hand_yogi(h, p, gs):
    (b1, b2), lr = h["betas"], h["lr"]
    m = v = h["initial_accumulator"]
    out = []
    for t, g in enumerate(gs, start=1):
        p, g = decayed(h, p, g)
        m = b1 * m + (1 - b1) * g
        v = v - (1 - b2) * math.copysign(1.0, v - g * g) * g * g if v != g * g else v
        p = p - lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + h["eps"])
        out.append(p)
    return out


def hand_adan(h, p, gs):
    (b1, b2, b3), lr, wd = h["betas"], h["lr"], h["weight_decay"]
    m, d, n, g_prev, out = 0.0, 0.0, 0.0, None, []
    for t, g in enumerate(gs, start=1):
        diff = 0.0 if g_prev is None else g - g_prev
        m = b1 * m + (1 - b1) * g
        d = b2 * d + (1 - b2) * diff
        n = b3 * n + (1 - b3) * (g + b2 * diff) ** 2
        denom = math.sqrt(n / (1 - b3**t)) + h["eps"]
        if h["weight_decouple"]:
            p = p * (1 - lr * wd)
        p = p - lr * (m / (1 - b1**t) + b2 * d / (1 - b2**t)) / denom
        if not h["weight_decouple"]:
            p = p / (1 + lr * wd)
        g_prev = g
        out.append(p)
    return out


def hand_ademamix(h, p, gs):
    (b1, b2, b3), lr, alpha, T = h["betas"], h["lr"], h["alpha"], h["t_alpha_beta3"]
    m, m_slow, v, out = 0.0, 0.0, 0.0, []
    for t, g in enumerate(gs, start=1):
        p, g = decayed(h, p, g)
        a_t, b3_t = alpha, b3
        if T is not None:
            a_t = min(t * alpha / T, alpha)
            la, lb = math.log(b1), math.log(b3)
            b3_t = min(math.exp(la * lb / ((1 - t / T) * lb + t / T * la)), b3)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_slow = b3_t * m_slow + (1 - b3_t) * g
        p = p - lr * (m / (1 - b1**t) + a_t * m_slow) / (math.sqrt(v / (1 - b2**t)) + h["eps"])
        out.append(p)
    return out


def hand_schedule_free(h, p, gs, adam=False):
    """The paper's form: z steps, x averages the z's, y = (1 - beta) z + beta x."""
    beta = h["betas"][0] if adam else h["momentum"]
    z = x = p
    v, weight_sum, lr_max, out = 0.0, 0.0, -1.0, []
    for t, g in enumerate(gs, start=1):
        lr = h["lr"] * min(1.0, t / h["warmup_steps"]) if h["warmup_steps"] else h["lr"]
        lr_max = max(lr_max, lr)
        weight = t ** h["r"] * lr_max ** h["weight_lr_power"]
        weight_sum += weight
        c = weight / weight_sum
        if adam:
            b2 = h["betas"][1]
            v = b2 * v + (1 - b2) * g * g
            g = g / (math.sqrt(v / (1 - b2**t)) + h["eps"])
        g = g + h["weight_decay"] * p
        z = z - lr * g
        x = (1 - c) * x + c * z
        p = (1 - beta) * z + beta * x
        out.append(p)
    return out


# Per-tensor rules (elementwise = False): the whole vector at once, as plain Python
# lists (P0 is one vector: Adafactor's unfactored rule, Muon's 1 x n matrix).


def _dot(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True))


def hand_lamb(h, p, gs):
    (b1, b2), lr, wd, eps = h["betas"], h["lr"], h["weight_decay"], h["eps"]
    m, v, out = [0.0] * len(p), [0.0] * len(p), []
    for t, g in enumerate(gs, start=1):
        if h["weight_decouple"]:
            p = [x * (1 - wd * (1 if h["fixed_decay"] else lr)) for x in p]
        b3 = 1 - b1 if h["grad_averaging"] else 1
        m = [b1 * mi + b3 * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]
        u = [mi / (math.sqrt(vi) + eps) for mi, vi in zip(m, v, strict=True)]
        if not h["weight_decouple"]:
            u = [ui + wd * x for ui, x in zip(u, p, strict=True)]
        w_norm, u_norm = min(math.sqrt(_dot(p, p)), 10.0), math.sqrt(_dot(u, u))
        r = 1.0 if h["adam"] or w_norm == 0 or u_norm == 0 else w_norm / (u_norm + eps)
        p = [x - lr / (1 - b1**t) * r * ui for x, ui in zip(p, u, strict=True)]
        out.append(p)
    return out


def hand_adafactor(h, p, gs):
    eps1 = h["eps"][0] if h["eps"][0] is not None else float(np.finfo(np.float64).eps)
    eps2, v, out = h["eps"][1], [0.0] * len(p), []
    rms = lambda a: math.sqrt(_dot(a, a) / len(a))  # noqa: E731
    for t, g in enumerate(gs, start=1):
        beta2_hat = 1 - t ** h["beta2_decay"]
        alpha = max(eps2, rms(p)) * min(h["lr"], 1 / math.sqrt(t))
        p = [x * (1 - h["lr"] * h["weight_decay"]) for x in p]
        v = [beta2_hat * vi + (1 - beta2_hat) * gi * gi for vi, gi in zip(v, g, strict=True)]
        u = [gi / max(math.sqrt(vi), eps1) for vi, gi in zip(v, g, strict=True)]
        p = [x - alpha * ui / max(1.0, rms(u) / h["d"]) for x, ui in zip(p, u, strict=True)]
        out.append(p)
    return out


def hand_prodigy(h, p, gs):
    (b1, b2), lr, eps, wd, d0, k = h["betas"], h["lr"], h["eps"], h["weight_decay"], h["d0"], 0
    b3 = math.sqrt(b2) if h["beta3"] is None else h["beta3"]
    sl = slice(None, None, h["slice_p"])
    p0, m, v = p[sl], [0.0] * len(p), [0.0] * len(p)
    s, r, d, d_max, out = [0.0] * len(p0), 0.0, d0, d0, []
    for g in gs:
        bc = math.sqrt(1 - b2 ** (k + 1)) / (1 - b1 ** (k + 1)) if h["use_bias_correction"] else 1
        dlr = d * lr * bc
        if not h["decouple"]:
            g = [gi + wd * x for gi, x in zip(g, p, strict=True)]
        r = b3 * r + d / d0 * dlr * _dot(g[sl], [a - x for a, x in zip(p0, p[sl], strict=True)])
        m = [b1 * mi + d * (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        v = [b2 * vi + d * d * (1 - b2) * gi * gi for vi, gi in zip(v, g, strict=True)]
        s = [b3 * si + d / d0 * (d if h["safeguard_warmup"] else dlr) * gi
             for si, gi in zip(s, g[sl], strict=True)]  # fmt: skip
        d_hat = h["d_coef"] * r / sum(abs(si) for si in s)
        d_max = max(d_max, d_hat)
        d_new = min(d_max, (max(d, d_hat) if d == d0 else d) * h["growth_rate"])
        if h["decouple"]:
            p = [x - wd * dlr * x for x in p]
        step = m if b1 > 0 else [d_new * gi for gi in g]
        p = [x - dlr * si / (math.sqrt(vi) + d_new * eps)
             for x, si, vi in zip(p, step, v, strict=True)]  # fmt: skip
        d, k = d_new, k + 1
        out.append(p)
    return out


def hand_muon(h, p, gs):
    (a, b, c), mu, lr, wd = h["ns_coefficients"], h["momentum"], h["lr"], h["weight_decay"]
    scale = 0.2 * math.sqrt(len(p)) if h["adjust_lr_fn"] == "match_rms_adamw" else 1.0
    buf, out = [0.0] * len(p), []
    for g in gs:
        buf = [mu * bi + (1 - mu) * gi for bi, gi in zip(buf, g, strict=True)]
        x = buf
        if h["nesterov"]:
            x = [(1 - mu) * gi + mu * bi for bi, gi in zip(buf, g, strict=True)]
        x = [xi / max(math.sqrt(_dot(x, x)), h["eps"]) for xi in x]
        for _ in range(h["ns_steps"]):  # X X^T of a 1 x n matrix is the number |x|^2
            gram = _dot(x, x)
            x = [a * xi + (b * gram + c * gram * gram) * xi for xi in x]
        p = [(1 - lr * wd) * pi - lr * scale * xi for pi, xi in zip(p, x, strict=True)]
        out.append(p)
    return out


def hand_lbfgs(h, p, gs):
    ys, ss, rhos, h_diag, n_iter, out = [], [], [], 1.0, 0, []
    d, step, g_prev = None, 0.0, None
    for g in gs:
        if max(abs(x) for x in g) <= h["tolerance_grad"]:
            out.append(p)
            continue
        n_iter += 1
        if n_iter == 1:
            d = [-x for x in g]
        else:
            y, s = [a - b for a, b in zip(g, g_prev, strict=True)], [step * di for di in d]
            if _dot(y, s) > 1e-10:
                if len(ys) == h["history_size"]:
                    ys, ss, rhos = ys[1:], ss[1:], rhos[1:]
                ys, ss, rhos = [*ys, y], [*ss, s], [*rhos, 1 / _dot(y, s)]
                h_diag = _dot(y, s) / _dot(y, y)
            q, al = [-x for x in g], [0.0] * len(ys)
            for i in reversed(range(len(ys))):
                al[i] = _dot(ss[i], q) * rhos[i]
                q = [qi - al[i] * yi for qi, yi in zip(q, ys[i], strict=True)]
            d = [h_diag * qi for qi in q]
            for i in range(len(ys)):
                be = _dot(ys[i], d) * rhos[i]
                d = [di + (al[i] - be) * si for di, si in zip(d, ss[i], strict=True)]
        g_prev = g
        step = min(1.0, 1 / sum(abs(x) for x in g)) * h["lr"] if n_iter == 1 else h["lr"]
        if _dot(g, d) <= -h["tolerance_change"]:
            p = [x + step * di for x, di in zip(p, d, strict=True)]
        out.append(p)
    return out


HAND = {
    "sgd": hand_sgd, "momentum": hand_sgd, "nesterov": hand_sgd, "adagrad": hand_adagrad,
    "rmsprop": hand_rmsprop, "adadelta": hand_adadelta, "adam": hand_adam,
    "amsgrad": hand_adam, "adamw": lambda h, p, gs: hand_adam(h, p, gs, decoupled=True),
    "adamax": hand_adamax, "nadam": hand_nadam, "radam": hand_radam, "rprop": hand_rprop,
    "asgd": hand_asgd, "lion": hand_lion, "adabelief": hand_adabelief, "yogi": hand_yogi,
    "adan": hand_adan, "ademamix": hand_ademamix, "schedule_free_sgd": hand_schedule_free,
    "schedule_free_adamw": lambda h, p, gs: hand_schedule_free(h, p, gs, adam=True),
    "lamb": hand_lamb, "adafactor": hand_adafactor, "prodigy": hand_prodigy,
    "muon": hand_muon, "lbfgs": hand_lbfgs,
}  # fmt: skip

# Non-default hyperparameters, to exercise every branch of each rule.
VARIANTS = {
    "sgd": {"lr": 0.1, "momentum": 0.5, "dampening": 0.25, "weight_decay": 0.1},
    "momentum": {"lr": 0.05, "weight_decay": 0.2},
    "nesterov": {"lr": 0.05, "momentum": 0.6},
    "adagrad": {"lr": 0.3, "lr_decay": 0.5, "initial_accumulator_value": 0.7,
                "weight_decay": 0.1, "eps": 1e-3},
    "rmsprop": {"lr": 0.01, "alpha": 0.8, "centered": True, "momentum": 0.7, "weight_decay": 0.1},
    "adadelta": {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1},
    "adam": {"lr": 0.1, "betas": (0.8, 0.9), "weight_decay": 0.1, "amsgrad": True},
    "amsgrad": {"lr": 0.1, "betas": (0.5, 0.5), "eps": 1e-3},
    "adamw": {"lr": 0.1, "weight_decay": 0.5, "amsgrad": True},
    "adamax": {"lr": 0.1, "betas": (0.5, 0.3), "weight_decay": 0.1, "eps": 1e-3},
    "nadam": {"lr": 0.1, "betas": (0.8, 0.9), "momentum_decay": 0.5, "weight_decay": 0.1,
              "decoupled_weight_decay": True},
    "radam": {"lr": 0.1, "betas": (0.8, 0.3), "weight_decay": 0.1},
    "rprop": {"lr": 0.1, "etas": (0.25, 2.0), "step_sizes": (0.06, 0.3)},
    "asgd": {"lr": 0.1, "lambd": 0.5, "alpha": 0.5, "t0": 0.0, "weight_decay": 0.1},
    "lion": {"lr": 0.1, "betas": (0.5, 0.8), "weight_decay": 0.5, "decoupled_weight_decay": True},
    "adabelief": {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1,
                  "weight_decouple": False, "rectify": False, "amsgrad": True},
    "yogi": {"lr": 0.1, "betas": (0.5, 0.9), "initial_accumulator": 0.5, "weight_decay": 0.1,
             "weight_decouple": False, "eps": 1e-2},
    "adan": {"lr": 0.1, "betas": (0.5, 0.3, 0.9), "weight_decay": 0.1, "eps": 1e-3},
    "ademamix": {"lr": 0.1, "betas": (0.5, 0.9, 0.99), "alpha": 2.0, "t_alpha_beta3": 2.0,
                 "weight_decay": 0.1, "weight_decouple": True},
    "schedule_free_sgd": {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "warmup_steps": 2,
                          "r": 1.0, "weight_lr_power": 1.0},
    "schedule_free_adamw": {"lr": 0.1, "betas": (0.5, 0.9), "eps": 1e-3, "weight_decay": 0.1,
                            "warmup_steps": 2, "r": 0.5, "weight_lr_power": 1.0},
    "lamb": {"lr": 0.1, "betas": (0.8, 0.9), "weight_decay": 0.1, "weight_decouple": False,
             "grad_averaging": False, "eps": 1e-3},
    "adafactor": {"lr": 0.1, "beta2_decay": -0.5, "eps": (1e-3, 0.1), "d": 1.5,
                  "weight_decay": 0.1},
    "prodigy": {"lr": 0.5, "betas": (0.8, 0.9), "beta3": 0.7, "weight_decay": 0.1,
                "decouple": False, "use_bias_correction": True, "safeguard_warmup": True,
                "d0": 1e-2, "d_coef": 2.0, "growth_rate": 1.5, "slice_p": 2},
    "muon": {"lr": 0.1, "weight_decay": 0.2, "momentum": 0.5, "nesterov": False,
             "ns_coefficients": (2.0, -1.5, 0.5), "eps": 1e-3, "ns_steps": 3,
             "adjust_lr_fn": "match_rms_adamw"},
    "lbfgs": {"lr": 0.5, "history_size": 1, "tolerance_change": 1e-2},
}  # fmt: skip

P0 = np.array([1.0, -2.0, 0.5])
# Three steps of gradients; coordinate 0 flips sign at step 2 (Rprop's rule).
GRADS = np.array([[0.5, -3.0, 0.0], [-0.25, -1.0, 2.0], [-0.5, 0.5, 1.0]])


def test_tables_cover_every_optimizer():
    assert set(HAND) == set(VARIANTS) == set(NAMES) == set(CONVERGENCE)
    assert len(NAMES) == 26


@pytest.mark.parametrize("variant", [False, True], ids=["defaults", "variant"])
@pytest.mark.parametrize("name", NAMES)
def test_steps_match_the_formula_worked_by_hand(name, variant):
    opt = optimizers.get(name, **(VARIANTS[name] if variant else {}))
    params, state, ours = P0, opt.init(P0), []
    for g in GRADS:
        params, state = opt.update(g, state, params)
        ours.append(params)
    h = opt.hyperparameters()
    if opt.elementwise:  # coordinate by coordinate
        by_hand = np.array([HAND[name](h, float(p), [float(g) for g in GRADS[:, i]])
                            for i, p in enumerate(P0)]).T  # fmt: skip
    else:  # the whole vector at once
        by_hand = np.array(HAND[name](h, P0.tolist(), GRADS.tolist()))
    np.testing.assert_allclose(np.array(ours), by_hand, rtol=1e-13, atol=1e-15)
    assert state.t == len(GRADS)
    assert not np.array_equal(ours[-1], P0)  # it moved: a test that cannot fail proves nothing


def test_known_numbers():
    """A few results small enough to check on paper."""
    g = np.array([0.5, -3.0])
    p0 = np.array([1.0, -2.0])
    sgd = optimizers.get("sgd", lr=0.1)
    np.testing.assert_allclose(sgd.update(g, sgd.init(p0), p0)[0], [0.95, -1.7], rtol=1e-15)
    # Momentum: b1 = g1; b2 = 0.9 g1 + g2 with g2 = g1: the second step is 1.9 lr g.
    mom = optimizers.get("momentum", lr=0.1)
    p1, s1 = mom.update(g, mom.init(p0), p0)
    p2, _ = mom.update(g, s1, p1)
    np.testing.assert_allclose(p2 - p1, -0.19 * g, rtol=1e-14)
    # Adam's first step moves each coordinate by lr sign(g) (up to eps).
    adam = optimizers.get("adam", lr=0.01)
    p1, _ = adam.update(g, adam.init(p0), p0)
    np.testing.assert_allclose(p1 - p0, -0.01 * np.sign(g), rtol=1e-7)
    # Adadelta's first step: lr sqrt(eps) / sqrt((1 - rho) g^2 + eps) g.
    ada = optimizers.get("adadelta")
    p1, _ = ada.update(g, ada.init(p0), p0)
    np.testing.assert_allclose(p1 - p0, -math.sqrt(1e-6) / np.sqrt(0.1 * g**2 + 1e-6) * g)
    # RAdam's first steps (rho_t <= 5) are bias-corrected momentum: step 1 is lr g.
    radam = optimizers.get("radam", lr=0.1)
    np.testing.assert_allclose(radam.update(g, radam.init(p0), p0)[0], p0 - 0.1 * g)
    # Rprop: a flipped sign halves the step size and pauses; a kept one grows by 1.2.
    rprop = optimizers.get("rprop", lr=0.1)
    p1, s1 = rprop.update(g, rprop.init(p0), p0)
    p2, s2 = rprop.update(np.array([-0.5, -3.0]), s1, p1)
    np.testing.assert_allclose(s2.eta, [0.05, 0.12])
    np.testing.assert_allclose(p2 - p1, [0.0, 0.12])
    np.testing.assert_array_equal(s2.g_prev, [0.0, -3.0])



def test_known_first_steps_of_the_newer_rules():
    """First steps small enough to check on paper."""
    g, p0 = np.array([0.5, -3.0]), np.array([1.0, -2.0])

    def first(name, **h):
        opt = optimizers.get(name, **h)
        return opt.update(g, opt.init(p0), p0)

    # Lion moves every coordinate by exactly lr, against the sign of (1 - beta1) g.
    np.testing.assert_array_equal(first("lion", lr=0.1)[0], p0 - 0.1 * np.sign(g))
    # AdaBelief's rectification is off at step 1 (rho_1 = 1 < 5): a momentum step, m_hat = g.
    np.testing.assert_allclose(first("adabelief", lr=0.1)[0], p0 - 0.1 * g, rtol=1e-15)
    # Adan's first gradient difference is 0, so its step is lr g / (|g| + eps).
    np.testing.assert_allclose(first("adan", lr=0.1)[0], p0 - 0.1 * g / (np.abs(g) + 1e-8))
    # Schedule-free: the first average weight is c_1 = 1, so y_1 = z_1 = x_1 = theta_0 - lr g.
    y1, state = first("schedule_free_sgd", lr=0.1)
    for a in (y1, state.z, state.x):
        np.testing.assert_allclose(a, p0 - 0.1 * g, rtol=1e-15)
    assert (state.weight_sum, state.lr_max) == (0.1**2, 0.1)
    # ASGD: eta_1 = lr / (1 + lambd lr)^alpha; mu stays 1 before t0, so ax is the point.
    p1, state = first("asgd", lr=0.1, lambd=0.5)
    assert state.eta == 0.1 / 1.05**0.75 and state.mu == 1.0
    np.testing.assert_array_equal(state.ax, p1)


# ---------------------------------------------------------------- convergence
# (lr, steps) per optimizer on the sphere (start (-4, 3)) and on Rosenbrock
# (start (-1.2, 1)). Rosenbrock needs thousands of steps along its curved valley;
# the slowest: SGD (steps limited by the valley's curvature), Adagrad (its
# denominator only grows), RAdam (its first steps are plain momentum steps, so
# its lr must be small enough for Rosenbrock's gradients of ~200) and Adadelta
# (its step size creeps up from sqrt(eps) and it hovers near the minimum at a
# noise floor that a small lr keeps within tolerance).
CONVERGENCE = {
    "sgd": ((0.1, 500), (2e-3, 7000)),
    "momentum": ((0.02, 500), (2e-3, 5000)),
    "nesterov": ((0.1, 500), (1e-3, 5000)),
    "adagrad": ((1.0, 500), (0.5, 10000)),
    "rmsprop": ((0.05, 500), (1e-3, 8000)),
    "adadelta": ((1.0, 2000), (0.02, 15000)),
    "adam": ((0.5, 500), (0.02, 5000)),
    "amsgrad": ((0.2, 500), (0.2, 5000)),
    "adamw": ((0.5, 500), (0.02, 5000)),
    "adamax": ((0.1, 500), (0.02, 5000)),
    "nadam": ((0.2, 500), (0.01, 8000)),
    "radam": ((0.2, 500), (3e-3, 12000)),
    "rprop": ((5e-3, 500), (1e-3, 5000)),
    "asgd": ((0.1, 500), (2e-3, 7000)),
    "lion": ((3e-3, 3000), (1e-3, 5000)),
    "adabelief": ((0.5, 500), (5e-3, 7000)),
    "yogi": ((0.5, 500), (0.5, 2000)),
    "adan": ((0.01, 2000), (0.1, 3000)),
    "ademamix": ((0.01, 10000), (0.01, 15000)),
    "schedule_free_sgd": ((1.0, 500), (5e-3, 20000)),
    "schedule_free_adamw": ((1.0, 500), (0.03, 8000)),
    "lamb": ((0.05, 500), (3e-3, 8000)),  # (slow near the origin: steps scale with |theta|)
    "adafactor": ((0.03, 4000), (1e-3, 40000)),  # relative, sign-like steps in the valley
    "prodigy": ((1.0, 500), (1.0, 5000)),
    "muon": ((1e-3, 10000), (1e-3, 5000)),
    "lbfgs": ((1.0, 500), (1.0, 500)),
}

# At a constant lr, three rules end in a cycle around the sphere's minimum instead of at it,
# of amplitude ~lr: Lion (every coordinate moves by exactly lr), Muon (on a 1 x 2 point
# every step has length 0.70 lr) and AdEMAMix (its slow momentum, a memory of ~10^4
# steps, keeps overshooting). They must reach and stay within this distance; every other
# optimizer within 1e-5.
SPHERE_ATOL = {"lion": 1e-2, "ademamix": 1e-2, "muon": 1e-2}


@pytest.mark.parametrize("name", NAMES)
def test_reaches_the_minimum(name):
    (lr_sphere, steps_sphere), (lr_rosen, steps_rosen) = CONVERGENCE[name]
    # AdamW's and Muon's decoupled decay moves Rosenbrock's minimum towards 0: switch it off.
    extra = {"weight_decay": 0.0} if name in ("adamw", "muon") else {}
    sphere = trajectory(optimizers.get(name, lr=lr_sphere), surfaces.get("sphere"), None,
                        steps_sphere)  # fmt: skip
    assert sphere.diverged_at is None
    np.testing.assert_allclose(sphere.xy[-1], [0.0, 0.0], atol=SPHERE_ATOL.get(name, 1e-5))
    rosen = trajectory(optimizers.get(name, lr=lr_rosen, **extra), surfaces.get("rosenbrock"),
                       None, steps_rosen)  # fmt: skip
    assert rosen.diverged_at is None
    np.testing.assert_allclose(rosen.xy[-1], [1.0, 1.0], atol=1e-2)


# ---------------------------------------------------------------- shapes and purity

arrays = st.integers(1, 4).flatmap(
    lambda n: st.tuples(
        *[st.lists(st.floats(-1e3, 1e3), min_size=2 * n, max_size=2 * n) for _ in range(4)]
    )
)


@settings(max_examples=40, deadline=None)
@given(data=arrays, name=st.sampled_from(NAMES))
def test_rows_update_independently(data, name):
    """N points in one (N, 2) array give exactly the numbers of N separate updates.

    A per-tensor optimizer gets them as a stack (N, 1, 2) of 1 x 2 matrices,
    each alone as one 1 x 2 matrix (as the trajectory runner presents them).
    """
    opt = optimizers.get(name)
    shape = (-1, 2) if opt.elementwise else (-1, 1, 2)
    p, g1, g2, g3 = (np.array(a).reshape(shape) for a in data)
    with np.errstate(all="raise", under="ignore"):
        together, state = p, opt.init(p)
        for g in (g1, g2, g3):
            together, state = opt.update(g, state, together)
        for i in range(len(p)):
            alone, s = p[i], opt.init(p[i])
            for g in (g1, g2, g3):
                alone, s = opt.update(g[i], s, alone)
            np.testing.assert_array_equal(together[i], alone)
    assert np.isfinite(together).all()


@pytest.mark.parametrize("name", NAMES)
def test_update_never_mutates_its_inputs(name):
    rng = np.random.default_rng(0)
    opt = optimizers.get(name, **VARIANTS[name])
    params = rng.normal(size=(3, 4))
    state = opt.init(params)
    for _ in range(3):
        grad = rng.normal(size=params.shape)
        snapshot = (params.copy(), grad.copy(),
                    {k: a.copy() for k, a in state.arrays().items()})  # fmt: skip
        params.flags.writeable = grad.flags.writeable = False
        new_params, new_state = opt.update(grad, state, params)
        np.testing.assert_array_equal(params, snapshot[0])
        np.testing.assert_array_equal(grad, snapshot[1])
        for key, value in state.arrays().items():
            np.testing.assert_array_equal(value, snapshot[2][key])
            assert not value.flags.writeable  # states are immutable data
        assert new_params.flags.writeable and not np.shares_memory(new_params, params)
        for value in new_state.arrays().values():
            assert not np.shares_memory(value, grad) and not np.shares_memory(value, params)
        params, state = new_params, new_state
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.t = 0


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_any_shape_and_dtype_preserved(name, dtype):
    opt = optimizers.get(name)
    params = np.ones((2, 3, 4), dtype=dtype)
    new, state = opt.update(np.full_like(params, 0.5), opt.init(params), params)
    assert new.shape == params.shape and new.dtype == dtype
    # A per-tensor optimizer reads (2, 3, 4) as two 3 x 4 matrices; its per-tensor numbers
    # (shape (2,)) may be counters (int) or, like the reference's Python floats, float64.
    per_tensor = () if opt.elementwise else (2,)
    assert all(a.dtype == dtype for a in state.arrays().values() if a.shape != per_tensor)
    with pytest.raises(ValueError, match="shape"):
        opt.update(np.ones(3), state, params)


def _layout(opt, params):
    """The state class and array shapes ``opt.init(params)`` makes: what check_state checks."""
    state = opt.init(params)
    return type(state), {name: a.shape for name, a in state.arrays().items()}


@pytest.mark.parametrize("name", NAMES)
def test_the_state_layout_does_not_depend_on_the_learning_rate(name):
    """The premise on which check_state remembers layouts (atlas.optimizers.state): a state's
    class and array shapes depend on the parameters' shape and the other hyperparameters,
    never on the value of the rate, nor of the rates of a tuple of one per start."""
    one, other = (optimizers.get(name, lr=lr) for lr in (1e-3, 0.7))
    for params in (np.zeros(3), np.zeros((4, 3)), np.zeros((5, 1, 2)), np.zeros((2, 3, 4))):
        assert _layout(one, params) == _layout(other, params)
        one.check_state(other.init(params), params)  # either's state passes the other's check
    with pytest.raises(ValueError, match=r"params have shape \(4, 3\)"):  # and a wrong one not
        other.check_state(one.init(np.zeros(3)), np.zeros((4, 3)))
    cls = optimizers.registry.get(name)
    if not cls.rates_per_start:
        return
    # a batch of starts as the sweeps run it: (N, 2) points, or N 1 x 2 matrices per tensor
    batch = np.zeros((3, 2) if cls.elementwise else (3, 1, 2))
    one.check_state(one.init(batch), batch)  # one rate's layout for this shape, remembered
    first, second = (optimizers.get(name, lr=lr) for lr in ((1e-3, 0.1, 2.0), (0.5, 0.5, 1e-4)))
    assert _layout(first, batch) == _layout(second, batch)
    first.check_state(second.init(batch), batch)
    if _layout(one, batch) != _layout(first, batch):  # a number per start, e.g. ASGD's eta:
        with pytest.raises(ValueError, match="has shape"):  # one rate's state is refused
            first.check_state(one.init(batch), batch)


@pytest.mark.parametrize("name", NAMES)
def test_the_state_check_tells_apart_the_layouts_of_other_hyperparameters(name):
    """A layout is remembered by the other hyperparameters too (Prodigy's ``slice_p`` makes
    its ``s`` and ``p0`` shorter): each state passes its own optimizer's check only."""
    params = np.zeros((4, 3))
    default, variant = optimizers.get(name), optimizers.get(name, **VARIANTS[name])
    default.check_state(default.init(params), params)
    variant.check_state(variant.init(params), params)
    if _layout(default, params) != _layout(variant, params):
        with pytest.raises(ValueError, match="has shape"):
            variant.check_state(default.init(params), params)


@pytest.mark.parametrize("name", NAMES)
def test_extreme_but_finite_gradients_give_finite_steps(name):
    opt = optimizers.get(name)
    params = np.array([1.0, -1.0, 0.0, 2.0])
    grad = np.array([1e100, -1e-100, 0.0, 1e-300])
    with np.errstate(all="raise", under="ignore"):
        state = opt.init(params)
        for _ in range(5):
            params, state = opt.update(grad, state, params)
    assert np.isfinite(params).all()


def test_centered_rmsprop_stays_finite_when_the_variance_rounds_negative():
    """With a constant gradient v_t - g_ave^2 -> 0 and rounding can make it negative."""
    opt = optimizers.get("rmsprop", centered=True, alpha=0.9, lr=1e-3)
    params, state = np.array([0.3]), opt.init(np.array([0.3]))
    with np.errstate(invalid="raise"):  # (in float64 this rounds negative from step ~330 on)
        for _ in range(1000):
            params, state = opt.update(np.array([0.1]), state, params)
    assert np.isfinite(params).all()


# ---------------------------------------------------------------- registry and validation


@pytest.mark.parametrize("name", NAMES)
def test_registry_entry_metadata(name):
    entry = optimizers.registry.get(name)
    opt = optimizers.get(name)
    assert opt.name == name and entry.name == name
    assert entry.description and "\n" not in entry.description and len(entry.description) < 80
    assert entry.title and "\\theta" in entry.latex and "\\\\" in entry.latex
    assert "\\begin{aligned}" in type(opt).__doc__  # the rule is in the docstring too
    assert getattr(optimizers, type(opt).__name__) is type(opt)
    assert optimizers.get(name, **opt.hyperparameters()) == opt


def test_presets_are_their_base_with_other_defaults():
    sgd_09 = optimizers.SGD(momentum=0.9).hyperparameters()
    assert optimizers.get("momentum").hyperparameters() == sgd_09
    assert optimizers.get("nesterov").hyperparameters() == {**sgd_09, "nesterov": True}
    amsgrad = optimizers.get("amsgrad")
    assert amsgrad.amsgrad and isinstance(amsgrad, optimizers.Adam) and amsgrad.name == "amsgrad"
    assert optimizers.get("momentum", momentum=0.5).momentum == 0.5
    assert optimizers.get("adamw").weight_decay == 1e-2


def test_unknown_name_and_hyperparameter():
    with pytest.raises(UnknownNameError, match=r"Did you mean .*'adam'"):
        optimizers.get("adma")
    with pytest.raises(ValueError, match="valid hyperparameters: lr, betas, eps"):
        optimizers.get("adam", momentum=0.9)


# (name, field, bad value): every constraint of every optimizer.
BAD = [
    *[(n, "lr", -0.1) for n in NAMES],
    *[(n, "weight_decay", -1.0) for n in NAMES if n not in ("rprop", "lbfgs")],
    *[(n, "eps", -1e-8) for n in NAMES
      if n not in ("sgd", "momentum", "nesterov", "rprop", "asgd", "lion", "schedule_free_sgd",
                   "lbfgs")],
    *[(n, "betas", b) for n in ("adam", "amsgrad", "adamw", "adamax", "nadam", "radam")
      for b in ((1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9, -0.5))],
    ("sgd", "momentum", -0.5), ("rmsprop", "momentum", -0.5),
    ("nesterov", "momentum", 0.0), ("nesterov", "dampening", 0.1),
    ("adagrad", "lr_decay", -1.0), ("adagrad", "initial_accumulator_value", -1.0),
    ("rmsprop", "alpha", 1.5), ("rmsprop", "alpha", -0.1),
    ("adadelta", "rho", 1.1), ("adadelta", "rho", -0.1), ("nadam", "momentum_decay", -1.0),
    ("rprop", "etas", (1.0, 1.2)), ("rprop", "etas", (0.0, 1.2)), ("rprop", "etas", (0.5, 1.0)),
    ("rprop", "step_sizes", (0.0, 1.0)), ("rprop", "step_sizes", (2.0, 1.0)),
    ("adam", "amsgrad", 1), ("sgd", "nesterov", "yes"), ("adam", "betas", 0.9),
    ("sgd", "lr", "0.1"), ("sgd", "lr", True),
    ("asgd", "lambd", -1e-4), ("lion", "lr", 0.0), ("lion", "betas", (1.5, 0.9)),
    ("lion", "betas", (0.9, -0.1)),
    *[(n, "betas", b) for n in ("adabelief", "yogi", "schedule_free_adamw")
      for b in ((1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9, -0.5))],
    ("schedule_free_adamw", "betas", (0.0, 0.999)),
    *[("adan", "betas", b) for b in ((1.0, 0.9, 0.9), (0.9, 1.0, 0.9), (0.9, 0.9, 1.0),
                                     (0.9, 0.9, -0.1), (0.9, 0.9))],
    ("ademamix", "betas", (0.9, 0.999, 1.5)), ("ademamix", "betas", (0.9, 1.0, 0.9999)),
    ("ademamix", "alpha", -1.0), ("ademamix", "t_alpha_beta3", 0.0),
    ("ademamix", "t_alpha_beta3", -5.0), ("ademamix", "t_alpha_beta3", "10"),
    ("yogi", "initial_accumulator", -1.0), ("adabelief", "rectify", 1),
    ("schedule_free_sgd", "momentum", 0.0), ("schedule_free_sgd", "momentum", 1.0),
    *[(n, field, v) for n in ("schedule_free_sgd", "schedule_free_adamw")
      for field, v in (("warmup_steps", -1), ("warmup_steps", 2.5), ("warmup_steps", True),
                       ("weight_lr_power", -1.0))],
    *[(n, "betas", b) for n in ("lamb", "prodigy")
      for b in ((1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9, -0.5))],
    ("adafactor", "beta2_decay", 0.5), ("adafactor", "d", 0.5),
    ("adafactor", "eps", (-1.0, 1e-3)), ("adafactor", "eps", (None, -1e-3)),
    ("adafactor", "eps", (None,)),
    ("prodigy", "lr", 0.0), ("prodigy", "d0", 0.0), ("prodigy", "eps", 0.0),
    ("prodigy", "beta3", 1.5), ("prodigy", "growth_rate", 0.5), ("prodigy", "slice_p", 0),
    ("prodigy", "slice_p", 1.5), ("prodigy", "decouple", "yes"),
    ("muon", "momentum", -0.5), ("muon", "ns_steps", 100), ("muon", "ns_steps", -1),
    ("muon", "ns_steps", 2.5), ("muon", "adjust_lr_fn", "fast"), ("muon", "adjust_lr_fn", 1),
    ("muon", "ns_coefficients", (1.0, 2.0)), ("lbfgs", "history_size", 0),
    ("lbfgs", "history_size", 10.0),
]  # fmt: skip


@pytest.mark.parametrize(("name", "field", "value"), BAD)
def test_bad_hyperparameter_is_refused_with_its_value(name, field, value):
    with pytest.raises(ValueError) as error:
        optimizers.get(name, **{field: value})
    message = str(error.value)
    assert field in message and repr(value) in message


@pytest.mark.parametrize("name", NAMES)
def test_every_number_must_be_finite(name):
    opt = optimizers.get(name)
    for field, value in opt.hyperparameters().items():
        bad = [math.nan, math.inf]
        if field in opt.may_be_infinite:  # e.g. Prodigy's growth_rate (default inf)
            assert optimizers.get(name, **{field: math.inf}).hyperparameters()[field] == math.inf
            bad = [math.nan]
        elif isinstance(value, tuple):
            bad = [(math.nan, value[1]), (value[0], math.inf)]
        elif isinstance(value, bool):
            continue
        for b in bad:
            with pytest.raises(ValueError, match=field):
                optimizers.get(name, **{field: b})
