"""The in-browser explorer (book/explorer.md), checked in headless Chromium.

Its update rules and surfaces are written by hand in JavaScript
(``book/_static/explorer/``), so the first tests load those scripts into a blank
page and compare every surface x optimizer with ``atlas.trajectory``; they need
no built site. The page-level tests (weight, no outside request, no console
error, keyboard, permalink, file://, speed, screenshots) open the built page, in
``_build/html`` as ``tests/test_site.py`` builds it, or in ``$ATLAS_SITE``
(a ``jupyter-book build --path-output`` directory's ``_build/html``); they skip,
saying so, where no built site has the explorer.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import threading
from pathlib import Path

import numpy as np
import pytest

import atlas
from atlas import explorer, learning_rates, optimizers, surfaces

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "book" / "_static" / "explorer"
SCRIPTS = ("surfaces.js", "optimizers.js", "trajectory.js")
SITE = Path(os.environ.get("ATLAS_SITE", ROOT / "_build" / "html"))
PAGE = "book/explorer.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"

STEPS = 100  # every parity run
EXACT_STEPS = 20  # equal to RTOL for these steps, whatever the surface
RTOL = 1e-9
REPLAY_RTOL = 1e-12  # a rule fed atlas's gradients: equal up to pow's last bit
FIRST_STEP_RTOL = 1e-13
SENSITIVE = 1e-10  # see _sensitive  # a drifting run's first step: a few ulps, not a formula error
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
    """A blank page with the explorer's three computing scripts, and its console errors."""
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
    defaults = engine.evaluate("Object.fromEntries(atlasExplorer.optimizers.map("
                               "n => [n, atlasExplorer.hyperparameters(n)]))")
    for name in defaults:
        assert defaults[name] == _hyperparameters(name), name


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


class _Rounded:
    """A surface whose gradient is off by a few units in the last place (ULPS), at every step.

    That is how far numpy's and the browser's sin, cos, tanh, exp and hypot (and so the
    gradients built from them) can differ. A run of atlas on it that separates from the
    run on the exact surface is *sensitive to rounding*: there, the JavaScript run may
    drift from atlas's by rounding amplification alone.
    """

    ULPS = 4

    def __init__(self, surface) -> None:
        self.surface = surface
        self.factor = 1.0 + self.ULPS * 2.0**-52

    def value_xy(self, p):
        return self.surface.value_xy(p)

    def gradient_xy(self, p):
        return self.surface.gradient_xy(p) * self.factor


def _sensitive(optimizer, surface, start) -> bool:
    """Whether atlas's own run moves by more than SENSITIVE when its gradients move a few
    ulps: an amplification of rounding by 10^5 or more."""
    a = atlas.trajectory(optimizer, surface, start, STEPS)
    b = atlas.trajectory(optimizer, _Rounded(surface), start, STEPS)
    return a.diverged_at != b.diverged_at or bool((_relative_gaps(a.xy, b.xy) > SENSITIVE).any())


@pytest.fixture(scope="module")
def js_optimizers(engine) -> list[str]:
    """The atlas optimizers the JavaScript implements (all of them, by the registry test)."""
    implemented = engine.evaluate("atlasExplorer.optimizers")
    return [name for name in optimizers.names() if name in implemented]


@pytest.fixture(scope="module")
def chosen_rates(js_optimizers) -> dict[tuple[str, str], float]:
    """The rates the explorer starts at: those of its rendered data.json where there is one
    (the protocol's choices when it was rendered), else the protocol's, computed."""
    rendered = ROOT / "book" / "_generated" / "explorer" / explorer.DATA_FILE
    table = json.loads(rendered.read_text())["rates"] if rendered.is_file() else {}
    return {(s, o): table[s][o]["lr"] if o in table.get(s, {})
            else learning_rates.best_learning_rate(o, s).lr
            for s in surfaces.names() for o in js_optimizers}


def _compare(engine, cases: list[tuple[str, str, dict]]) -> tuple[int, list[str], list[str]]:
    """Run every (surface, optimizer, hyperparameters) case in atlas and in the browser.

    A case *equals* atlas when every point agrees to RTOL and both runs diverge (or not)
    at the same step. Any other case *drifts*, which is allowed only by rounding
    amplification: its first step agrees to FIRST_STEP_RTOL (the formulas are the same)
    and atlas's own run is sensitive to a few ulps in its gradients (:func:`_sensitive`).
    Returns the number of cases, the drifting ones, and those that drift within
    EXACT_STEPS steps.
    """
    specs = [{"surface": s, "optimizer": o, "hyperparameters": h,
              "start": list(surfaces.get(s).start), "steps": STEPS} for s, o, h in cases]
    js_runs = _js_runs(engine, specs)
    drifting, early, failures = [], [], []
    for (s, o, h), js in zip(cases, js_runs, strict=True):
        surface = surfaces.get(s)
        optimizer = optimizers.get(o, **h)
        run = atlas.trajectory(optimizer, surface, surface.start, STEPS)
        got = np.array(js["xy"], dtype=np.float64).reshape(-1, 2)
        gaps = _relative_gaps(run.xy, got)
        if js["diverged_at"] == run.diverged_at and len(got) == len(run.xy) \
                and (gaps <= RTOL).all():
            continue
        label = f"{s}/{o}/lr={h['lr']:.3g}"
        first_bad = int(np.argmax(gaps > RTOL)) if (gaps > RTOL).any() else len(gaps)
        if len(gaps) < 2 or gaps[1] > FIRST_STEP_RTOL or not _sensitive(optimizer, surface,
                                                                          surface.start):
            failures.append(f"{label}: differs from step {first_bad} (first step "
                            f"{gaps[1] if len(gaps) > 1 else float('nan'):.1e}, max "
                            f"{gaps.max():.1e}; diverged at {run.diverged_at} vs "
                            f"{js['diverged_at']}) on a run not sensitive to rounding")
            continue
        drifting.append(label)
        if first_bad <= EXACT_STEPS:
            early.append(f"{label} (step {first_bad})")
    assert not failures, "\n".join(failures)
    return len(cases), drifting, early


def test_every_surface_and_optimizer_equals_atlas_trajectory(engine, js_optimizers,
                                                           chosen_rates):
    """19 surfaces x every optimizer x (the chosen rate, 10x it), 100 steps each."""
    cases = [(s, o, {**_hyperparameters(o), "lr": rate * factor})
             for s in surfaces.names() for o in js_optimizers
             for rate in [chosen_rates[(s, o)]] for factor in (1.0, 10.0)]
    count, drifting, early = _compare(engine, cases)
    print(f"\nexplorer parity: {count} pairs compared over {STEPS} steps; "
          f"{count - len(drifting)} equal atlas to {RTOL:g} at every step; {len(drifting)} "
          f"drift by rounding amplification, {len(early)} of them within {EXACT_STEPS} "
          f"steps: {', '.join(early) or 'none'}")
    assert not engine.errors


def test_update_rules_replayed_on_atlas_gradients_equal_atlas(engine, js_optimizers,
                                                            chosen_rates):
    """The rules alone, without the surfaces' transcendental functions: each JavaScript
    rule, fed the gradients of atlas's run, retraces that run to REPLAY_RTOL at every step
    (chaotic surfaces included), for every surface x optimizer x (chosen rate, 10x it)."""
    cases, specs = [], []
    for s in surfaces.names():
        surface = surfaces.get(s)
        for o in js_optimizers:
            for factor in (1.0, 10.0):
                h = {**_hyperparameters(o), "lr": chosen_rates[(s, o)] * factor}
                run = atlas.trajectory(optimizers.get(o, **h), surface, surface.start, STEPS)
                with np.errstate(all="ignore"):  # the last finite points of a diverging run
                    grads = surface.gradient_xy(run.xy[:-1]).tolist()
                cases.append((f"{s}/{o}/x{factor:g}", run.xy))
                specs.append({"optimizer": o, "h": h, "start": list(surface.start), "grads": grads})
    replayed = engine.evaluate("""specs => specs.map(({optimizer, h, start, grads}) => {
        const rule = atlasExplorer.optimizerRules[optimizer];
        const hp = atlasExplorer.hyperparameters(optimizer, h);
        let p = start, state = rule.init(p, hp);
        const xy = [p];
        for (const g of grads) { [p, state] = rule.update(g, state, p, hp); xy.push(p); }
        return xy;
    })""", specs)
    bad = [f"{label}: {_relative_gaps(xy, np.array(got)).max():.1e}"
           for (label, xy), got in zip(cases, replayed, strict=True)
           if len(got) != len(xy) or (_relative_gaps(xy, np.array(got)) > REPLAY_RTOL).any()]
    print(f"\nexplorer rules: {len(cases)} runs replayed, {len(bad)} differ by more than "
          f"{REPLAY_RTOL:g}")
    assert not bad, bad


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
}


@pytest.mark.parametrize("surface", ["ellipse", "rosenbrock", "himmelblau"])
def test_non_default_hyperparameters_equal_atlas(engine, surface):
    cases = [(surface, name, {**_hyperparameters(name), "lr": lr, **change})
             for name, changes in VARIANTS.items() for change in changes
             for lr in (1e-2, 1e-1)]
    _compare(engine, cases)


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
    ({"steps": -1}, "steps must be an integer"),
    ({"start": [0, "x"]}, "start must be a finite point"),
])
def test_bad_input_throws_one_clear_error(engine, spec, message):
    base = {"surface": "sphere", "optimizer": "adam", "start": [1, 1], "steps": 3}
    error = engine.evaluate("""spec => { try { atlasExplorer.trajectory(spec); return null; }
                                         catch (e) { return e.message; } }""", {**base, **spec})
    assert error is not None and message in error, error


def test_six_runs_of_a_thousand_steps_are_fast(engine):
    """6 optimizers x 1,000 steps, best of 5, well under a display frame budget."""
    ms = engine.evaluate("""() => {
        const names = ["sgd", "momentum", "rmsprop", "adam", "nadam", "rprop"];
        let best = Infinity;
        for (let i = 0; i < 5; i++) {
            const t0 = performance.now();
            for (const o of names) atlasExplorer.trajectory({surface: "rosenbrock", optimizer: o,
                hyperparameters: {lr: 1e-3}, start: [-1.2, 1], steps: 1000, parts: true});
            best = Math.min(best, performance.now() - t0);
        }
        return best;
    }""")
    print(f"\nexplorer: 6 x 1,000 steps in {ms:.1f} ms (headless Chromium)")
    assert ms < TIMING_BUDGET_MS


# ------------------------------------------------------------------------ atlas's side


def test_data_comes_from_the_registries():
    from atlas.viz.style import optimizer_color

    entry = explorer.optimizer_entry("adam")
    assert entry["color"] == optimizer_color("adam")
    assert entry["defaults"] == _hyperparameters("adam")
    rosenbrock = explorer.surface_entry(surfaces.get("rosenbrock"))
    assert rosenbrock["box"] == [[-2.0, 2.0], [-1.0, 3.0]] and rosenbrock["start"] == [-1.2, 1.0]
    assert rosenbrock["image"]["extent"] == [-2.0, 2.0, -1.0, 3.0]
    assert explorer.image_size(surfaces.get("six_hump_camel"), 480) == (480, 240)  # to scale
    assert explorer.files() == ("data.json", *(f"{s}.png" for s in surfaces.names()))


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
