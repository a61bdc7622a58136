"""The in-browser explorer (book/explorer.md), checked in headless Chromium.

Its update rules and surfaces are written by hand in JavaScript
(``book/_static/explorer/``), so the first tests load those scripts into a blank
page and compare every surface x optimizer with ``atlas.trajectory``; they need
no built site.

The parity rule: a JavaScript run equals atlas's to RTOL (relative) for its first
EXACT_STEPS steps, always; after that it equals atlas's at every step, or it *drifts*,
which is allowed only as rounding amplification, shown for each
drifting pair by two facts (see :func:`_compare`): the JavaScript rule fed atlas's own
gradients retraces atlas's run to REPLAY_RTOL (so the rule is atlas's; what differs
is a library function that may round differently in the last bit, such as numpy's
powers: the surfaces' exp, tanh, sin, cos, sinc and hypot are the same bits on both
sides, ``atlas.surfaces.elementary`` and ``elementary.js``), and
atlas's own run, with every inexact library result of its surface moved by an ulp
(:class:`_NudgedSurface`, several seeds), departs from itself at least as early and as
far as the JavaScript run departs from it.

The page-level tests (weight, no outside request, no console error, keyboard,
permalink, file://, speed, screenshots) open the built page, in ``_build/html`` as
``tests/test_site.py`` builds it, or in ``$ATLAS_SITE`` (a ``jupyter-book build
--path-output`` directory's ``_build/html``); they skip, saying so, where no built
site has the explorer.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import math
import os
import re
import threading
import types
from pathlib import Path

import numpy as np
import pytest

import atlas
from atlas import explorer, learning_rates, optimizers, surfaces
from atlas.protocol import LearningRateChoice, RunOutcome

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static" / "explorer"
SCRIPTS = ("elementary.js", "surfaces.js", "optimizers.js", "trajectory.js")
SITE = Path(os.environ.get("ATLAS_SITE", ROOT / "_build" / "html"))
PAGE = "book/explorer.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

STEPS = 100  # every parity run
EXACT_STEPS = 20  # the strict rule: equal to RTOL for these steps (counted and printed)
RTOL = 1e-9
REPLAY_RTOL = 1e-12  # a rule fed atlas's gradients: equal up to a real power's last bit
NUDGE_SEEDS = 8  # atlas's runs on nudged surfaces, per drifting pair
NUDGE_ULPS = 1  # how far each inexact result moves: the browser's and numpy's differences
AS_FAR = 2.0  # a nudged run's largest gap reaches at least 1/AS_FAR of the JavaScript's
WEIGHT_BUDGET = 1.5 * 1024 * 1024  # page + scripts + JSON + the 19 backgrounds
TIMING_BUDGET_MS = 50.0  # 6 optimizers x 1,000 steps


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def engine(browser):
    """A blank page with the explorer's four computing scripts, and its console errors."""
    errors: list[str] = []
    tab = browser.new_page()
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto("about:blank")
    for script in SCRIPTS:
        tab.add_script_tag(path=str(STATIC / script))
    tab.errors = errors
    yield tab
    tab.close()


def _hyperparameters(name: str, **changes: object) -> dict[str, object]:
    """An optimizer's hyperparameters as JSON (pairs as lists), with ``changes``."""
    values = {**optimizers.get(name).hyperparameters(), **changes}
    return {key: list(v) if isinstance(v, tuple) else v for key, v in values.items()}


def _js_runs(engine, specs: list[dict]) -> list[dict]:
    return engine.evaluate("specs => specs.map(s => atlasExplorer.trajectory(s))", specs)


# ------------------------------------------------------------------------- registries


def test_every_registered_surface_and_optimizer_is_in_the_javascript(engine):
    js_surfaces = engine.evaluate("atlasExplorer.surfaces")
    js_optimizers = engine.evaluate("atlasExplorer.optimizers")
    missing = [n for n in surfaces.names() if n not in js_surfaces]
    missing += [n for n in optimizers.names() if n not in js_optimizers]
    assert not missing, f"add these atlas registry names to book/_static/explorer/: {missing}"
    assert js_surfaces == surfaces.names()  # nothing extra, same order
    assert js_optimizers == optimizers.names()


def test_javascript_defaults_equal_atlas_defaults(engine):
    read = ("Object.fromEntries(atlasExplorer.optimizers.map("
            "n => [n, atlasExplorer.hyperparameters(n)]))")
    defaults = engine.evaluate(read)
    for name in defaults:
        assert defaults[name] == _hyperparameters(name), name
    engine.evaluate("""() => atlasExplorer.optimizers.forEach(n => {
        try { atlasExplorer.hyperparameters(n, {lr: -1}); } catch (e) { /* refused */ } })""")
    assert engine.evaluate(read) == defaults  # a run's hyperparameters never change them


def test_surface_values_and_gradients_equal_atlas(engine):
    rng = np.random.default_rng(0)
    cases = []
    for name in surfaces.names():
        (x0, x1), (y0, y1) = surfaces.get(name).domain
        points = np.column_stack([rng.uniform(x0, x1, 50), rng.uniform(y0, y1, 50)])
        points = np.vstack([points, [[0.0, 0.0], [1e-3, -1e-3], [x0, y1]]])  # tips and edges
        cases.append((name, points))
    js = engine.evaluate("""cases => cases.map(([name, points]) => points.map(([x, y]) => {
        const s = atlasExplorer.surfaceFunctions[name];
        return [s.f(x, y), ...s.grad(x, y)];
    }))""", [(name, points.tolist()) for name, points in cases])
    for (name, points), got in zip(cases, js, strict=True):
        surface = surfaces.get(name)
        want = np.column_stack([surface.value_xy(points), surface.gradient_xy(points)])
        np.testing.assert_allclose(np.array(got), want, rtol=1e-12, atol=1e-12, err_msg=name)


# ---------------------------------------------------------------------------- parity


def _relative_gaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per step, the largest coordinate difference relative to the larger point."""
    n = min(len(a), len(b))
    scale = np.maximum(np.abs(a[:n]).max(axis=1), np.abs(b[:n]).max(axis=1))
    return np.abs(a[:n] - b[:n]).max(axis=1) / np.maximum(scale, 1e-300)


INEXACT = ("sin", "cos", "tan", "exp", "expm1", "log", "log1p", "tanh", "hypot", "sinc",
           "arctan2")  # numpy's functions that need not round as the browser's do (and t**k)


def _nudger(seed: int, ulps: int):
    """A function moving each float it is given by a random whole number of ulps in
    [-ulps, ulps], drawn from a generator seeded with ``seed``; scalars stay scalars."""
    rng = np.random.default_rng(seed)
    drawn: list[int] = []

    def draw(k: int) -> list[int]:
        if len(drawn) < k:
            drawn.extend(rng.integers(-ulps, ulps + 1, size=max(k, 4096)).tolist())
        taken = drawn[:k]
        del drawn[:k]
        return taken

    def nudge(a):
        if np.ndim(a) == 0:
            value, (n,) = float(a), draw(1)
            if math.isfinite(value):
                for _ in range(abs(n)):
                    value = math.nextafter(value, math.copysign(math.inf, n))
            return np.float64(value) if isinstance(a, np.generic) else np.asarray(value)
        a = np.asarray(a, dtype=np.float64)
        n = np.array(draw(a.size)).reshape(a.shape)
        with np.errstate(all="ignore"):
            return np.where(np.isfinite(a), a + n * np.spacing(np.abs(a)), a)

    return nudge


class _NudgedNumpy:
    """numpy, but for INEXACT functions, whose results are nudged."""

    def __init__(self, nudge) -> None:
        self._nudge = nudge

    def __getattr__(self, name: str):
        attr = getattr(np, name)
        if name in INEXACT:
            return lambda *args, **kwargs: self._nudge(attr(*args, **kwargs))
        return attr


class _Coordinate(np.ndarray):
    """x or y as atlas hands them to a surface (an array, of length 1 for one point), and
    every array computed from them: numpy's own numbers, but for powers ``t**k`` (numpy's
    power, not always correctly rounded), which are nudged."""

    nudge = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [x.view(np.ndarray) if isinstance(x, _Coordinate) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc is np.power and method == "__call__":
            result = self.nudge(result)
        if not isinstance(result, np.ndarray) or result.dtype.kind != "f":
            return result
        result = result.view(_Coordinate)
        result.nudge = self.nudge
        return result


def _rebound(func, nudge):
    """``func`` with its module's ``np`` (and so its module's helpers' ``np``) nudged."""
    namespace = dict(func.__globals__)
    namespace["np"] = _NudgedNumpy(nudge)

    def copy(f):
        return types.FunctionType(f.__code__, namespace, f.__name__, f.__defaults__,
                                  f.__closure__)  # fmt: skip

    for name, value in list(namespace.items()):
        if isinstance(value, types.FunctionType) and value.__globals__ is func.__globals__:
            namespace[name] = copy(value)
    return copy(func)


class _NudgedSurface:
    """``surface`` for one start, every inexact result moved by up to ``ulps`` ulps.

    The results moved: numpy's transcendental functions, hypot and powers (INEXACT),
    wherever the surface's formulas call them, and the value and gradient themselves (for
    the optimizers' own inexact steps, such as a real power). That is how far the browser's
    results may differ from numpy's (measured: by one ulp, rarely two or three). With
    ``ulps=0`` the run is atlas's, bit for bit (tested).
    """

    def __init__(self, surface, seed: int, ulps: int = NUDGE_ULPS) -> None:
        self.nudge = _nudger(seed, ulps)
        self._f = _rebound(surface.f, self.nudge)
        self._grad = _rebound(surface.grad, self.nudge)

    def _coordinates(self, p):  # as Surface.value_xy: columns of the (1, 2) points
        flat = np.asarray(p, dtype=np.float64).reshape(-1, 2)
        if len(flat) != 1:
            raise ValueError(f"one point, got shape {np.shape(p)}")
        x, y = flat[:, 0].view(_Coordinate), flat[:, 1].view(_Coordinate)
        x.nudge = y.nudge = self.nudge
        return x, y

    def value_xy(self, p):
        z = np.asarray(self._f(*self._coordinates(p)), dtype=np.float64).view(np.ndarray)
        return self.nudge(np.broadcast_to(z, (1,)).reshape(()).copy())

    def gradient_xy(self, p):
        gx, gy = self._grad(*self._coordinates(p))
        out = np.empty((1, 2), dtype=np.float64)
        out[:, 0], out[:, 1] = gx, gy
        return self.nudge(out.reshape(2))


def _departure(reference, xy: np.ndarray, diverged_at) -> tuple[int | None, float]:
    """Where a run ``(xy, diverged_at)`` departs from ``reference`` (a Trajectory): the first
    step whose relative gap exceeds RTOL, or where one run diverged and not the other
    (None: never), and how far: the largest gap, infinite if their divergences differ."""
    gaps = _relative_gaps(reference.xy, xy)
    first = int(np.argmax(gaps > RTOL)) if (gaps > RTOL).any() else None
    if diverged_at != reference.diverged_at or len(xy) != len(reference.xy):
        common = min(len(xy), len(reference.xy))
        return (common if first is None else min(first, common)), math.inf
    return first, float(gaps.max()) if len(gaps) else 0.0


def _nudged_departures(optimizer, surface, reference) -> list[tuple[int | None, float]]:
    """:func:`_departure` of atlas's runs on the nudged surface, one per seed."""
    runs = [atlas.trajectory(optimizer, _NudgedSurface(surface, seed), surface.start, STEPS)
            for seed in range(NUDGE_SEEDS)]
    return [_departure(reference, run.xy, run.diverged_at) for run in runs]


def _replay(engine, cases: list[tuple[str, dict, tuple, list]]) -> list[np.ndarray]:
    """Each JavaScript rule fed the gradients ``grads`` from ``start``: its points."""
    specs = [{"optimizer": o, "h": h, "start": list(start), "grads": grads}
             for o, h, start, grads in cases]
    replayed = engine.evaluate("""specs => specs.map(({optimizer, h, start, grads}) => {
        const rule = atlasExplorer.optimizerRules[optimizer];
        const hp = atlasExplorer.hyperparameters(optimizer, h);
        let p = start, state = rule.init(p, hp);
        const xy = [p];
        for (const g of grads) { [p, state] = rule.update(g, state, p, hp); xy.push(p); }
        return xy;
    })""", specs)
    return [np.array(xy, dtype=np.float64).reshape(-1, 2) for xy in replayed]


def _gradients(surface, run) -> list:
    """The gradients atlas's run took: at every point but the last."""
    with np.errstate(all="ignore"):  # the last finite points of a diverging run
        return surface.gradient_xy(run.xy[:-1]).tolist()


@pytest.fixture(scope="module")
def js_optimizers(engine) -> list[str]:
    """The atlas optimizers the JavaScript implements (all of them, by the registry test)."""
    implemented = engine.evaluate("atlasExplorer.optimizers")
    return [name for name in optimizers.names() if name in implemented]


@pytest.fixture(scope="module")
def chosen_rates(js_optimizers) -> dict[tuple[str, str], float]:
    """The rates the explorer starts at, the race protocol's choices (the races' rates):
    those of its rendered data.json where there is one (in $ATLAS_SITE's bundle, else
    book/_generated's, written from the learning_rates/<surface> sweeps when it was
    rendered), else the protocol's, computed (slow)."""
    bundles = [SITE / "_generated" / "explorer", ROOT / "book" / "_generated" / "explorer"]
    rendered = [b / explorer.DATA_FILE for b in bundles if (b / explorer.DATA_FILE).is_file()]
    table = json.loads(rendered[0].read_text())["rates"] if rendered else {}
    return {(s, o): table[s][o]["lr"] if o in table.get(s, {})
            else learning_rates.best_learning_rate(o, s).lr
            for s in surfaces.names() for o in js_optimizers}


def _compare(engine, cases: list[tuple[str, str, dict]]) -> dict[str, list[str]]:
    """Run every (surface, optimizer, hyperparameters) case in atlas and in the browser.

    A case *equals* atlas when every point agrees to RTOL and both runs diverge (or not)
    at the same step. Any other case *drifts*, which is allowed only by rounding
    amplification, shown by both:

    * the rule: the JavaScript rule, fed the gradients of atlas's run, retraces that run
      to REPLAY_RTOL at every step (the formulas are atlas's);
    * the sensitivity: of atlas's runs on the surface nudged by an ulp
      (:class:`_NudgedSurface`, NUDGE_SEEDS seeds), one departs from atlas's own run
      (:func:`_departure`) at the JavaScript's step or earlier, and one gets at least
      1/AS_FAR as far from it as the JavaScript run does.

    Fails listing every other case; returns the labels of the cases that ``equal``, that
    ``drift`` and, of those, that drift ``early`` (within EXACT_STEPS steps).
    """
    specs = [{"surface": s, "optimizer": o, "hyperparameters": h,
              "start": list(surfaces.get(s).start), "steps": STEPS} for s, o, h in cases]
    js_runs = _js_runs(engine, specs)
    outcome: dict[str, list[str]] = {"equal": [], "drift": [], "early": []}
    drifting = []
    for (s, o, h), js in zip(cases, js_runs, strict=True):
        surface, optimizer = surfaces.get(s), optimizers.get(o, **h)
        run = atlas.trajectory(optimizer, surface, surface.start, STEPS)
        got = np.array(js["xy"], dtype=np.float64).reshape(-1, 2)
        step, distance = _departure(run, got, js["diverged_at"])
        label = f"{s}/{o}/lr={h['lr']:.3g}"
        if step is None:
            outcome["equal"].append(label)
        else:
            drifting.append((label, surface, optimizer, o, h, run, step, distance))
    replays = _replay(engine, [(o, h, surface.start, _gradients(surface, run))
                               for _, surface, _, o, h, run, _, _ in drifting])
    failures = []
    for (label, surface, optimizer, _, _, run, step, distance), replayed in zip(
            drifting, replays, strict=True):
        rule_gap = _relative_gaps(run.xy, replayed).max() if len(replayed) == len(run.xy) \
            else math.inf
        nudged = _nudged_departures(optimizer, surface, run)
        steps = [d for d, _ in nudged if d is not None]
        earliest = min(steps) if steps else None
        farthest = max(far for d, far in nudged if d is not None) if steps else 0.0
        why = f"{label} departs at step {step} (largest gap {distance:.1e}); "
        if not rule_gap <= REPLAY_RTOL:
            failures.append(why + f"its rule on atlas's gradients differs by {rule_gap:.1e}")
        elif earliest is None or earliest > step or farthest < distance / AS_FAR:
            failures.append(why + f"atlas nudged by {NUDGE_ULPS} ulp departs at {earliest} "
                            f"(largest gap {farthest:.1e}): not shown to be rounding")
        else:
            outcome["drift"].append(f"{label} (step {step}, nudged atlas {earliest})")
            if step <= EXACT_STEPS:
                outcome["early"].append(f"{label} (step {step}, nudged atlas {earliest})")
    assert not failures, "\n".join(failures)
    return outcome


def test_every_surface_and_optimizer_equals_atlas_trajectory(engine, js_optimizers,
                                                           chosen_rates):
    """19 surfaces x every optimizer x (the chosen rate, 10x it), 100 steps each: equal to
    atlas for the first EXACT_STEPS steps, and after them equal or drifting by rounding
    amplification (shown, see :func:`_compare`)."""
    cases = [(s, o, {**_hyperparameters(o), "lr": rate * factor})
             for s in surfaces.names() for o in js_optimizers
             for rate in [chosen_rates[(s, o)]] for factor in (1.0, 10.0)]
    outcome = _compare(engine, cases)
    print(f"\nexplorer parity: {len(cases)} pairs compared over {STEPS} steps; "
          f"{len(outcome['equal'])} equal atlas to {RTOL:g} at every step; "
          f"{len(outcome['drift'])} drift by rounding amplification (shown); "
          f"{len(cases) - len(outcome['early'])} meet the strict rule (equal for the first "
          f"{EXACT_STEPS} steps); {len(outcome['early'])} drift within {EXACT_STEPS} steps: "
          + (", ".join(outcome["early"]) or "none"))
    assert len(outcome["equal"]) + len(outcome["drift"]) == len(cases)
    assert not outcome["early"]  # the strict rule: every pair equals atlas for EXACT_STEPS steps
    assert not engine.errors


def test_update_rules_replayed_on_atlas_gradients_equal_atlas(engine, js_optimizers,
                                                            chosen_rates):
    """The rules alone, without the surfaces' library functions: each JavaScript rule, fed
    the gradients of atlas's run, retraces that run to REPLAY_RTOL at every step (chaotic
    surfaces included), for every surface x optimizer x (chosen rate, 10x it)."""
    labels, runs, cases = [], [], []
    for s in surfaces.names():
        surface = surfaces.get(s)
        for o in js_optimizers:
            for factor in (1.0, 10.0):
                h = {**_hyperparameters(o), "lr": chosen_rates[(s, o)] * factor}
                run = atlas.trajectory(optimizers.get(o, **h), surface, surface.start, STEPS)
                labels.append(f"{s}/{o}/x{factor:g}")
                runs.append(run)
                cases.append((o, h, surface.start, _gradients(surface, run)))
    replayed = _replay(engine, cases)
    gaps = [_relative_gaps(run.xy, got).max() if len(got) == len(run.xy) else math.inf
            for run, got in zip(runs, replayed, strict=True)]
    bad = [f"{label}: {gap:.1e}" for label, gap in zip(labels, gaps, strict=True)
           if not gap <= REPLAY_RTOL]
    exact = sum(gap == 0 for gap in gaps)
    print(f"\nexplorer rules: {len(cases)} runs replayed, {exact} bit for bit, {len(bad)} "
          f"differ by more than {REPLAY_RTOL:g}")
    assert not bad, bad


def test_a_nudge_of_zero_ulps_is_atlas_itself():
    """The sensitivity check's nudged surfaces move nothing when told to move 0 ulps: their
    runs are atlas's, bit for bit, on every surface (so a nudged run's departure is the
    nudges' doing); and 1 ulp does move them."""
    for name in surfaces.names():
        surface = surfaces.get(name)
        for o in ("adam", "lbfgs"):
            optimizer = optimizers.get(o, lr=0.05)
            run = atlas.trajectory(optimizer, surface, surface.start, 30)
            same = atlas.trajectory(optimizer, _NudgedSurface(surface, 0, ulps=0),
                                    surface.start, 30)
            assert np.array_equal(run.xy, same.xy) and np.array_equal(run.z, same.z), name
    surface = surfaces.get("ackley")
    nudged, p = _NudgedSurface(surface, 0), np.array(surface.start)
    exact = surface.gradient_xy(p)
    moved = np.array([nudged.gradient_xy(p) for _ in range(20)])
    assert (moved != exact).any() and np.allclose(moved, exact, rtol=1e-14, atol=0)


VARIANTS = {  # every branch of every rule: momentum, flags, weight decay, schedules
    "sgd": [{"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}],
    "nesterov": [{"momentum": 0.7, "weight_decay": 0.05}],
    "adagrad": [{"lr_decay": 0.01, "initial_accumulator_value": 0.5, "weight_decay": 0.1}],
    "rmsprop": [{"centered": True, "momentum": 0.8}, {"alpha": 0.5, "eps": 1e-3}],
    "adadelta": [{"rho": 0.5, "eps": 1e-3, "weight_decay": 0.1}],
    "adam": [{"betas": [0.5, 0.9], "eps": 1e-3, "weight_decay": 0.1}, {"amsgrad": True}],
    "amsgrad": [{"betas": [0.0, 0.5]}],
    "adamw": [{"weight_decay": 0.5}],
    "adamax": [{"betas": [0.5, 0.99], "weight_decay": 0.1}],
    "nadam": [{"momentum_decay": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"weight_decay": 0.1}],
    "radam": [{"betas": [0.8, 0.9], "weight_decay": 0.1, "decoupled_weight_decay": True},
              {"weight_decay": 0.1}],
    "rprop": [{"etas": [0.3, 1.5], "step_sizes": [1e-3, 0.5]}],
    "asgd": [{"lambd": 0.01, "alpha": 0.5, "t0": 5.0, "weight_decay": 0.1}],
    "schedule_free_sgd": [{"momentum": 0.5, "weight_decay": 0.1, "warmup_steps": 10, "r": 1.0,
                           "weight_lr_power": 1.0}],
    "adabelief": [{"amsgrad": True, "rectify": False, "weight_decouple": False,
                   "weight_decay": 0.1},
                  {"fixed_decay": True, "weight_decay": 0.01, "degenerated_to_sgd": False},
                  {"rectify": False, "eps": 1e-8, "betas": [0.5, 0.9]}],
    "yogi": [{"weight_decouple": False, "weight_decay": 0.1, "initial_accumulator": 0.5},
             {"fixed_decay": True, "weight_decay": 0.01, "betas": [0.5, 0.9]}],
    "adan": [{"weight_decay": 0.1},
             {"weight_decay": 0.1, "weight_decouple": True, "betas": [0.9, 0.8, 0.95]}],
    "ademamix": [{"t_alpha_beta3": 20.0, "alpha": 2.0},
                 {"weight_decay": 0.1, "weight_decouple": True, "fixed_decay": True},
                 {"weight_decay": 0.1, "betas": [0.5, 0.9, 0.99]}],
    "schedule_free_adamw": [{"betas": [0.5, 0.99], "weight_decay": 0.1, "warmup_steps": 5}],
    "lion": [{"weight_decay": 0.1},
             {"weight_decay": 0.1, "decoupled_weight_decay": True, "betas": [0.5, 0.9]}],
    "lamb": [{"weight_decay": 0.1}, {"weight_decouple": False, "weight_decay": 0.1},
             {"fixed_decay": True, "weight_decay": 0.01, "grad_averaging": False},
             {"adam": True}],
    "adafactor": [{"eps": [1e-3, 1e-2], "d": 2.0, "weight_decay": 0.1, "beta2_decay": -0.5}],
    "prodigy": [{"use_bias_correction": True, "safeguard_warmup": True, "d_coef": 0.5,
                 "growth_rate": 1.05},
                {"weight_decay": 0.1, "decouple": False, "beta3": 0.9, "slice_p": 2},
                {"weight_decay": 0.1, "betas": [0.0, 0.99]}],
    "muon": [{"nesterov": False, "momentum": 0.8, "ns_steps": 3,
              "adjust_lr_fn": "match_rms_adamw"},
             {"weight_decay": 0.0, "adjust_lr_fn": "original"}],
    "lbfgs": [{"history_size": 2, "tolerance_change": 1e-3}, {"tolerance_grad": 1e-2}],
}


def test_every_optimizer_has_variants():
    assert set(VARIANTS) | {"momentum", "amsgrad", "adamw"} >= set(optimizers.names())


@pytest.mark.parametrize("surface", ["ellipse", "rosenbrock", "himmelblau"])
def test_non_default_hyperparameters_equal_atlas(engine, surface):
    cases = [(surface, name, {**_hyperparameters(name), "lr": lr, **change})
             for name, changes in VARIANTS.items() for change in changes
             for lr in (1e-2, 1e-1)]
    outcome = _compare(engine, cases)
    assert len(outcome["equal"]) + len(outcome["drift"]) == len(cases)


def test_schedule_free_averages_equal_atlas(engine):
    """The thin second path of a schedule-free run: x, the average (atlas's ``averaged``)."""
    surface = surfaces.get("rosenbrock")
    for name in ("schedule_free_sgd", "schedule_free_adamw"):
        optimizer = optimizers.get(name, lr=0.01)
        run = atlas.trajectory(optimizer, surface, surface.start, 50, record_state=True)
        js = _js_runs(engine, [{"surface": "rosenbrock", "optimizer": name,
                                "hyperparameters": {"lr": 0.01}, "start": list(surface.start),
                                "steps": 50}])[0]
        want = np.array([optimizer.averaged(state) for state in run.states]).reshape(-1, 2)
        np.testing.assert_array_equal(np.array(js["averaged"]), want)
    assert "averaged" not in _js_runs(engine, [{"surface": "rosenbrock", "optimizer": "adam",
                                                "start": [0, 0], "steps": 3}])[0]


def test_divergence_semantics_equal_atlas(engine):
    """A run that overflows is truncated to its finite prefix, as atlas's one-start runs."""
    spec = {"surface": "rosenbrock", "optimizer": "sgd", "hyperparameters": {"lr": 1.0},
            "start": [-1.2, 1.0], "steps": 50}
    js = _js_runs(engine, [spec])[0]
    run = atlas.trajectory(optimizers.get("sgd", lr=1.0), surfaces.get("rosenbrock"),
                           (-1.2, 1.0), 50)
    assert run.diverged_at is not None and js["diverged_at"] == run.diverged_at
    assert len(js["xy"]) == len(run.xy) == run.diverged_at
    calm = _js_runs(engine, [{**spec, "hyperparameters": {"lr": 1e-4}}])[0]
    assert calm["diverged_at"] is None and len(calm["xy"]) == 51


@pytest.mark.parametrize("spec, message", [
    ({"surface": "nope"}, "unknown surface"),
    ({"optimizer": "adamm"}, "unknown optimizer"),
    ({"hyperparameters": {"lr": -1}}, "lr must be >= 0"),
    ({"hyperparameters": {"betas": [1.0, 0.9]}}, "betas[0] must be in [0, 1)"),
    ({"hyperparameters": {"momentum": 0.9}}, "has no hyperparameter"),
    ({"hyperparameters": {"amsgrad": 1}}, "amsgrad must be true or false, got 1"),
    ({"hyperparameters": {"betas": [0.9]}}, "betas must be 2 numbers, got [0.9]"),
    ({"hyperparameters": {"eps": None}}, "eps must be a finite number, got null"),
    ({"hyperparameters": {"lr": math.inf}}, "lr must be a finite number, got Infinity"),
    ({"optimizer": "prodigy", "hyperparameters": {"growth_rate": 0.5}},
     "growth_rate must be >= 1, got 0.5"),
    ({"optimizer": "muon", "hyperparameters": {"ns_steps": 2.5}},
     "ns_steps must be an integer, got 2.5"),
    ({"optimizer": "muon", "hyperparameters": {"adjust_lr_fn": "fast"}},
     "adjust_lr_fn must be None, 'original' or 'match_rms_adamw'"),
    ({"optimizer": "lion", "hyperparameters": {"lr": 0}}, "lr must be > 0"),
    ({"optimizer": "adafactor", "hyperparameters": {"eps": [-1, 1e-3]}}, "eps must be (eps1"),
    ({"optimizer": "schedule_free_sgd", "hyperparameters": {"momentum": 1.0}},
     "momentum must be in (0, 1)"),
    ({"optimizer": "ademamix", "hyperparameters": {"betas": [0.9, 0.999, 1.5]}},
     "betas[2] must be in [0, 1]"),
    ({"optimizer": "lbfgs", "hyperparameters": {"history_size": 0}}, "history_size must be >= 1"),
    ({"steps": -1}, "steps must be an integer"),
    ({"start": [0, "x"]}, "start must be a finite point"),
])
def test_bad_input_throws_one_clear_error(engine, spec, message):
    base = {"surface": "sphere", "optimizer": "adam", "start": [1, 1], "steps": 3}
    error = engine.evaluate("""spec => { try { atlasExplorer.trajectory(spec); return null; }
                                         catch (e) { return e.message; } }""", {**base, **spec})
    assert error is not None and message in error, error


def test_six_runs_of_a_thousand_steps_are_fast(engine):
    """Any six optimizers x 1,000 steps (with the internals the page draws) well under a
    display frame budget: each optimizer timed alone (best of 5), the six slowest summed."""
    ms = engine.evaluate("""() => Object.fromEntries(atlasExplorer.optimizers.map(o => {
        let best = Infinity;
        for (let i = 0; i < 5; i++) {
            const t0 = performance.now();
            atlasExplorer.trajectory({surface: "rosenbrock", optimizer: o,
                hyperparameters: {lr: 1e-3}, start: [-1.2, 1], steps: 1000, parts: true});
            best = Math.min(best, performance.now() - t0);
        }
        return [o, best];
    }))""")
    slowest = sorted(ms, key=ms.get, reverse=True)[:6]
    total = sum(ms[o] for o in slowest)
    print(f"\nexplorer: the six slowest optimizers x 1,000 steps in {total:.1f} ms (headless "
          "Chromium): " + ", ".join(f"{o} {ms[o]:.1f}" for o in slowest))
    assert total < TIMING_BUDGET_MS


# ------------------------------------------------------------------------ atlas's side


def test_data_comes_from_the_registries():
    from atlas.viz.style import optimizer_color

    entry = explorer.optimizer_entry("adam")
    assert entry["color"] == optimizer_color("adam")
    assert entry["defaults"] == _hyperparameters("adam")
    entries = [explorer.optimizer_entry(name) for name in optimizers.names()]
    json.dumps(entries, allow_nan=False)  # valid JSON: an infinite default is a string
    prodigy = entries[optimizers.names().index("prodigy")]["defaults"]
    assert prodigy["growth_rate"] == "Infinity" and prodigy["beta3"] is None
    assert entries[optimizers.names().index("adafactor")]["defaults"]["eps"] == [None, 1e-3]
    rosenbrock = explorer.surface_entry(surfaces.get("rosenbrock"))
    assert rosenbrock["box"] == [[-2.0, 2.0], [-1.0, 3.0]] and rosenbrock["start"] == [-1.2, 1.0]
    assert rosenbrock["image"]["extent"] == [-2.0, 2.0, -1.0, 3.0]
    assert explorer.image_size(surfaces.get("six_hump_camel"), 480) == (480, 240)  # to scale
    assert explorer.files() == ("data.json", *(f"{s}.png" for s in surfaces.names()))


def _choice(fallback: bool) -> LearningRateChoice:
    """A made-up sweep of three rates: the middle one reaches the target in 7 steps, the
    largest leaves the plot at step 3 (or, for a fallback, all three leave)."""
    outcomes = (RunOutcome(0.01, None, 0.5, 9 if fallback else None, fallback),
                RunOutcome(0.1, None if fallback else 7, 2e-4, 12 if fallback else None,
                           fallback),
                RunOutcome(1.0, None, math.inf, 3, True))
    return LearningRateChoice("adam", "rosenbrock", 256, outcomes, 1, fallback)


def test_rates_are_the_race_protocols_choices_with_their_outcome():
    """data.json's rates: the chosen grid rate, what its run does and the fallback flag."""
    fine, fails = _choice(False), _choice(True)
    assert explorer.rate_entry(fine) == {"lr": 0.1, "fallback": False, "steps_to_target": 7,
                                         "final_gap": 2e-4, "left_at": None}
    assert explorer.rate_entry(fails) == {"lr": 0.1, "fallback": True, "steps_to_target": None,
                                          "final_gap": 2e-4, "left_at": 12}
    gone = LearningRateChoice("sgd", "beale", 256, fine.outcomes, 2, True)
    assert explorer.rate_entry(gone)["final_gap"] is None  # JSON has no infinity
    table = explorer.rates([fine, gone])
    assert table == {"rosenbrock": {"adam": explorer.rate_entry(fine)},
                     "beale": {"sgd": explorer.rate_entry(gone)}}
    json.dumps(table, allow_nan=False)


def test_explorer_needs_every_surfaces_race_sweeps():
    """The bundle is built from the learning_rates/<surface> artifacts, the races' own."""
    from atlas import catalog
    from atlas.catalog.races import rates_name

    entry = catalog.get("explorer")
    assert entry.needs == tuple(rates_name(s) for s in surfaces.names())
    assert all(catalog.get(need).kind == "data" for need in entry.needs)


@pytest.mark.parametrize("surface", ["rosenbrock", "goldstein_price"])
def test_rendered_rates_equal_the_race_protocols(surface: str):
    """The rendered data.json (the built site's, else book/_generated's) starts every slider
    where the races run: at the protocol's choice, computed here afresh, with its outcome."""
    bundles = [SITE / "_generated" / "explorer", ROOT / "book" / "_generated" / "explorer"]
    rendered = [b / explorer.DATA_FILE for b in bundles if (b / explorer.DATA_FILE).is_file()]
    if not rendered:
        pytest.skip("no rendered explorer data (atlas render explorer)")
    table = json.loads(rendered[0].read_text())
    assert table["version"] == explorer.VERSION, f"{rendered[0]} is stale: render it again"
    expected = {name: explorer.rate_entry(choice)
                for name, choice in learning_rates.surface_choices(surface).items()}
    assert table["rates"][surface] == expected


def test_background_is_a_small_deterministic_png_of_the_declared_size():
    from PIL import Image

    surface = surfaces.get("six_hump_camel")
    first, second = explorer.background_png(surface, 120), explorer.background_png(surface, 120)
    assert first == second
    image = Image.open(__import__("io").BytesIO(first))
    assert image.size == explorer.image_size(surface, 120) == (120, 60)
    assert image.mode == "P" and len(first) < 20_000


# ------------------------------------------------------------------- the built page


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / PAGE).is_file():
        pytest.skip(f"no built explorer page at {SITE / PAGE}: build the book "
                    "(jupyter-book build .), or point ATLAS_SITE at a built _build/html")
    return SITE


@pytest.fixture(scope="module")
def server(site: Path):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _open(browser, url: str, width: int = 1280, reduced_motion: str = "no-preference"):
    """The explorer page at ``url``, ready; with the list of problems seen while loading."""
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  reduced_motion=reduced_motion)
    tab = context.new_page()
    local = url.split("/book/")[0]
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
           if m.type == "error" else None)
    tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    tab.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    tab.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
           if r.status >= 400 else None)
    tab.on("request", lambda r: problems.append(f"outside the site: {r.url}")
           if not r.url.startswith((local, "data:", "blob:")) else None)
    tab.goto(url, wait_until="load")
    tab.wait_for_selector("#atlas-explorer.ax-ready")
    tab.problems = problems
    return context, tab


def _every_optimizer_six_at_a_time(browser, url: str, problems: list[str]):
    """The explorer at ``url`` followed by each six of the optimizers in turn (six panels is
    the page's limit): yields ``(first, group, tab)``; the problems each page saw while it
    was open join ``problems``."""
    names = optimizers.names()
    for first in range(0, len(names), 6):
        group = names[first:first + 6]
        context, tab = _open(browser, url + ",".join(group))
        yield first, group, tab
        context.close()
        problems += tab.problems


def _counter(tab) -> str:
    return tab.locator(".ax-counter").inner_text()


def _backgrounds_loaded(tab) -> list[str]:
    return tab.evaluate("""performance.getEntriesByType("resource").map(e => e.name)
                           .filter(n => n.includes("/_generated/explorer/"))""")


def _weight(path: Path) -> int:
    data = path.read_bytes()
    return len(gzip.compress(data, mtime=0)) if path.suffix in {".html", ".js", ".css",
                                                                ".json"} else len(data)


def test_page_scripts_json_and_backgrounds_weigh_at_most_1_5_mb(site: Path):
    """The explorer's own bytes (text gzipped as served): the page, its scripts and style,
    data.json and the 19 backgrounds (loaded one at a time, as shown). The theme's shared
    files (fonts, MathJax, styles: the same on every page, cached after the first) are
    counted apart, and the whole first visit is held to test_site.py's page budget."""
    html_path = site / PAGE
    html = html_path.read_text(encoding="utf-8")
    shared = set()
    for ref in re.findall(r'(?:src|href)="([^"#?]+)', html):
        target = (html_path.parent / ref).resolve()
        if "://" not in ref and target.is_file() and target.suffix != ".html":
            shared.add(target)
    bundle = site / "_generated" / "explorer"
    assert {p.name for p in bundle.iterdir()} == set(explorer.files())
    own = {html_path, *bundle.iterdir(), *(site / "_static" / "explorer").iterdir()}
    total = sum(_weight(p) for p in own)
    theme = sum(_weight(p) for p in shared - own)
    print(f"\nexplorer weight: {total / 2**20:.2f} MB (backgrounds "
          f"{sum(_weight(p) for p in bundle.glob('*.png')) / 2**20:.2f} MB, page "
          f"{_weight(html_path) / 2**10:.0f} KB); the theme's shared files "
          f"{theme / 2**20:.2f} MB more on a first visit")
    assert total <= WEIGHT_BUDGET
    assert total + theme <= 3 * 1024 * 1024


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_page_works_offline_over_http_and_from_file(browser, server: str, site: Path,
                                                    scheme: str):
    url = f"{server}/{PAGE}" if scheme == "http" else (site / PAGE).resolve().as_uri()
    context, tab = _open(browser, url)
    assert _counter(tab).startswith("step 0 / ")
    tab.get_by_role("button", name="Step", exact=True).click()
    assert _counter(tab).startswith("step 1 / ")
    tab.wait_for_selector("#atlas-explorer[data-background=rosenbrock]")  # the image arrived
    if scheme == "http":  # one background fetched: the one shown (file:// is not timed)
        assert [n.rsplit("/", 1)[1] for n in _backgrounds_loaded(tab)] == ["rosenbrock.png"]
    rows = tab.locator(".ax-readout tbody tr")
    assert rows.count() == 4 and "in the plot" in rows.first.inner_text()
    context.close()
    assert not tab.problems, tab.problems


def test_play_animates_and_reduced_motion_steps_instead(browser, server: str):
    context, tab = _open(browser, f"{server}/{PAGE}")
    tab.get_by_role("button", name="Play").click()
    tab.wait_for_function("!document.querySelector('.ax-counter').textContent"
                          ".startsWith('step 0 ')")
    tab.get_by_role("button", name="Pause").click()
    k = int(_counter(tab).split()[1])
    assert 0 < k < 256
    context.close()
    context, tab = _open(browser, f"{server}/{PAGE}", reduced_motion="reduce")
    tab.get_by_role("button", name="Play").click()
    assert _counter(tab) == "step 256 / 256"  # at once, no animation
    context.close()


def test_keyboard_alone_operates_the_explorer(browser, server: str):
    context, tab = _open(browser, f"{server}/{PAGE}")
    tab.focus("#ax-surface")
    tab.keyboard.press("ArrowDown")  # the next surface: Beale follows Rosenbrock
    assert tab.evaluate("location.hash").startswith("#s=beale&")
    focused = []
    for _ in range(12):  # Tab reaches the plot and the playback buttons, focus visible
        tab.keyboard.press("Tab")
        focused.append(tab.evaluate("""(() => { const e = document.activeElement;
            const style = getComputedStyle(e);
            return [e.tagName + (e.className ? '.' + e.className : '') + ':' + e.textContent,
                    style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2]; })()"""))
    names = [name for name, _ in focused]
    assert any(n.startswith("CANVAS") for n in names) and any(":Step" in n for n in names)
    assert all(visible for _, visible in focused), focused
    tab.focus("canvas.ax-plot")
    before = tab.evaluate("location.hash")
    tab.keyboard.press("ArrowRight")
    after = tab.evaluate("location.hash")
    assert before != after and re.search(r"&x=1\.18(&|$)", after), after  # 1 + 2 % of 9
    tab.keyboard.press("Space")
    tab.wait_for_function("!document.querySelector('.ax-counter').textContent"
                          ".startsWith('step 0 ')")
    tab.keyboard.press("Space")  # pause
    slider = tab.locator(".ax-panel input[type=range]").first
    slider.focus()
    lr_before = tab.evaluate("location.hash").split("lr=")[1].split(":")[0]
    tab.keyboard.press("ArrowRight")
    assert tab.evaluate("location.hash").split("lr=")[1].split(":")[0] != lr_before
    context.close()
    assert not tab.problems, tab.problems


def test_permalink_restores_the_exact_configuration(browser, server: str):
    context, tab = _open(browser, f"{server}/{PAGE}")
    tab.select_option("#ax-surface", "beale")
    box = tab.locator("canvas.ax-plot").bounding_box()
    tab.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.3)
    tab.check("#ax-pick-nadam")
    tab.uncheck("#ax-pick-sgd")
    tab.locator("#ax-adam-betas0").fill("0.5")  # beta1 = 0.5
    for _ in range(7):
        tab.get_by_role("button", name="Step", exact=True).click()
    tab.check("#ax-internals")
    url, readout = tab.url, tab.locator(".ax-readout").inner_text()
    assert "o=momentum:" in url and "nadam:" in url and "betas=0.5/0.999" in url and "&k=7&" in url
    context.close()
    context, again = _open(browser, url)
    again.check("#ax-internals")
    assert again.url == url
    assert again.locator(".ax-readout").inner_text() == readout
    assert _counter(again) == "step 7 / 256"
    assert again.locator("#ax-surface").input_value() == "beale"
    context.close()
    assert not tab.problems and not again.problems, tab.problems + again.problems


def test_every_optimizer_gets_its_sliders(browser, server: str):
    """Each optimizer's panel has its learning rate (a log scale, starting at the protocol's
    rate) and a slider for each of its betas, its momentum and its epsilon (the second of
    Adafactor's pair), each showing its default; and the page draws all of them, six at a
    time (the schedule-free ones with their average x). A screenshot of six newer ones."""
    table = json.loads((SITE / "_generated" / "explorer" / explorer.DATA_FILE).read_text())
    problems: list[str] = []
    url = f"{server}/{PAGE}#s=rosenbrock&x=-1.2&y=1&k=100&o="
    for first, group, tab in _every_optimizer_six_at_a_time(browser, url, problems):
        for name in group:
            defaults = _hyperparameters(name)
            betas = defaults.get("betas", ())
            expected = [("lr", None)] + [("betas", i) for i in range(len(betas))]
            expected += [(key, None) for key in ("momentum",) if key in defaults]
            if isinstance(defaults.get("eps"), float):
                expected.append(("eps", None))
            elif "eps" in defaults:
                expected.append(("eps", 1))
            for key, index in expected:
                slider_id = f"ax-{name}-{key}{'' if index is None else index}"
                slider = tab.locator(f"#{slider_id}")
                if slider.count() != 1:
                    problems.append(f"{name}: no slider for {key} {index}")
                    continue
                value = defaults[key] if index is None else defaults[key][index]
                if key == "lr":
                    value = table["rates"]["rosenbrock"][name]["lr"]
                    position = float(slider.input_value())
                    if abs(position - math.log10(value)) > float(slider.get_attribute("step")):
                        problems.append(f"{name}: lr slider at 10^{position}, lr {value}")
                shown = tab.locator(f"output[for={slider_id}]").inner_text()
                if float(shown) != pytest.approx(value, rel=5e-3):
                    problems.append(f"{name}: {key} {index} shows {shown}, not {value}")
        assert tab.locator(".ax-readout tbody tr").count() == len(group)
        if first == 18:  # schedule_free_adamw, rprop, lion, lamb, adafactor, prodigy
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            tab.locator("#atlas-explorer").screenshot(path=str(SCREENSHOTS / "explorer_newer.png"))
    assert not problems, problems


def test_each_panel_says_what_the_protocols_rate_does_and_marks_a_fallback(browser,
                                                                           server: str):
    """Under each optimizer's sliders: the protocol's rate and what its run does, as in the
    races' table; where every grid rate leaves the plot, the line says it is a fallback
    (in words, and with its own mark). Checked on a surface with a fallback where the
    rendered data has one, and on Rosenbrock."""
    table = json.loads((SITE / "_generated" / "explorer" / explorer.DATA_FILE).read_text())
    table = table["rates"]
    fallbacks = [(s, o) for s in table for o in table[s] if table[s][o]["fallback"]]
    surface = fallbacks[0][0] if fallbacks else "rosenbrock"
    x, y = surfaces.get(surface).start
    problems: list[str] = []
    url = f"{server}/{PAGE}#s={surface}&x={x}&y={y}&k=0&o="
    for _, group, tab in _every_optimizer_six_at_a_time(browser, url, problems):
        for name in group:
            pair = table[surface][name]
            note = tab.locator(f"#ax-{name}-rate-note")
            text, marked = note.inner_text(), "ax-rate-fails" in note.get_attribute("class")
            if pair["fallback"] != marked or pair["fallback"] != text.startswith("Fallback"):
                problems.append(f"{surface}/{name}: fallback {pair['fallback']}, note {text!r}")
            elif pair["steps_to_target"] is not None and not pair["fallback"] and (
                    f"in {pair['steps_to_target']} step" not in text):
                problems.append(f"{surface}/{name}: {pair['steps_to_target']} steps, {text!r}")
            elif pair["fallback"] and pair["left_at"] is not None and (
                    f"step {pair['left_at']})" not in text):
                problems.append(f"{surface}/{name}: leaves at {pair['left_at']}, {text!r}")
    assert not problems, problems


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_and_no_sideways_scrolling(browser, server: str, width: int):
    context, tab = _open(browser, f"{server}/{PAGE}", width=width)
    for _ in range(60):
        tab.get_by_role("button", name="Step", exact=True).click()
    tab.check("#ax-internals")
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    explorer_box = tab.locator("#atlas-explorer").bounding_box()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.evaluate("window.scrollTo(0, 0)")
    top = tab.evaluate("document.querySelector('#atlas-explorer').getBoundingClientRect().top")
    box = {**explorer_box, "y": top}  # in page coordinates: a full-page shot has no sticky bar
    tab.screenshot(path=str(SCREENSHOTS / f"explorer_{width}.png"), full_page=True, clip=box)
    context.close()
    assert overflow <= 0 and explorer_box["x"] + explorer_box["width"] <= width
    assert not tab.problems, tab.problems
