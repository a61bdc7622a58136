"""What the optimizers since Adam do inside: one figure each where the book shows it.

* ``optimizer/<name>/internals`` for ASGD and schedule-free SGD and AdamW (the
  path and its averaged iterate as a second, thin path), Lion (its moves and the
  gradients per coordinate), Prodigy (its estimate :math:`d_t`), each on
  :data:`SURFACE` at the rate the race protocol chose there, for the race's step
  budget; and Adafactor (its factored second moment of a weight matrix of the
  MNIST network);
* ``optimizer/muon/normalised``: Muon against normalised momentum written from
  the formula (:mod:`atlas.examples.optimizers_modern`) and SGD with momentum,
  on :data:`MUON_SURFACE`.

The numbers come from :mod:`atlas.examples.optimizers_modern`; the drawing from
:mod:`atlas.viz.internals_plots`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from atlas.catalog.entry import Entry
from atlas.catalog.races import chosen_rates, rates_name
from atlas.column import DPI

SURFACE = "rosenbrock"
MUON_SURFACE = "ellipse"
#: The optimizers with an internals figure drawn on SURFACE, and how.
ON_SURFACE = {"asgd": "averaged", "schedule_free_sgd": "averaged",
              "schedule_free_adamw": "averaged", "lion": "sign", "prodigy": "d"}
#: What each internals figure shows, by optimizer (and Muon's comparison under "muon").
ALT = {
    "asgd": (
        "ASGD's path on the Rosenbrock function with its running average drawn as a thin line "
        "that lags behind it, next to a log-scale plot of f minus its minimum for both."),
    "schedule_free_sgd": (
        "Schedule-free SGD's gradient point y on the Rosenbrock function as a thick line and "
        "its average x as a thin line close to it, next to f minus its minimum at both."),
    "schedule_free_adamw": (
        "Schedule-free AdamW's gradient point y on the Rosenbrock function as a thick line "
        "and its average x as a thin line, next to f minus its minimum at both."),
    "lion": (
        "Lion's path on the Rosenbrock function next to a log-scale plot in which both "
        "coordinates' moves stay on one flat line at the learning rate while the gradients "
        "range over several orders of magnitude."),
    "prodigy": (
        "Prodigy's path on the Rosenbrock function next to a log-log plot of its estimate d, "
        "which climbs from one millionth in a few steps and then stays flat."),
    "adafactor": (
        "Two heat maps of a square weight matrix, the full second moment and Adafactor's "
        "factored estimate, which show the same row and column stripes, and a log-log scatter "
        "plot of one against the other clustered along the diagonal."),
    "muon": (
        "On an elongated bowl, Muon's path and the normalised-momentum path lie on top of "
        "each other while SGD with momentum swings more widely; beside it, their step "
        "lengths: nearly constant for Muon and normalised momentum, shrinking geometrically "
        "for SGD with momentum."),
}  # fmt: skip
#: ASGD averages from step t0 on; PyTorch's default 1e6 would never start in a race.
ASGD_T0 = 0.0


def _setting(name: str, inputs: Mapping[str, Path], surface: str):  # -> (Optimizer, Surface, int)
    from atlas import optimizers, protocol, surfaces

    lr = chosen_rates(inputs, surface)[name]
    extra = {"t0": ASGD_T0} if name == "asgd" else {}
    steps = protocol.step_budget(surface)
    return optimizers.get(name, lr=lr, **extra), surfaces.get(surface), steps


def internals(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], optimizer: str,
              surface: str, dpi: int) -> None:  # fmt: skip
    """``optimizer/<name>/internals`` of the optimizers of :data:`ON_SURFACE`."""
    from atlas.examples import optimizers_modern as om
    from atlas.viz import internals_plots as ip
    from atlas.viz.style import CYCLE, FOREGROUND, optimizer_color

    opt, where, steps = _setting(optimizer, inputs, surface)
    color, rate = optimizer_color(optimizer), f"learning rate {opt.lr:.3g}"
    kind = ON_SURFACE[optimizer]
    if kind == "averaged":
        run = om.averaged_path(opt, where, steps)
        labels = (("y (gradient point)", "x (average)") if optimizer != "asgd"
                  else ("parameters", "average ā (t₀ = 0)"))  # fmt: skip
        ip.draw_averaged(path, f"{opt.title}, {rate}: the path and its average", where, labels,
                         run.xy, run.averaged, (run.gap, run.averaged_gap), color, dpi=dpi)
    elif kind == "sign":
        run = om.sign_moves(opt, where, steps)
        series = [ip.Line("|move x|", run.moves[:, 0], color, 2.4),
                  ip.Line("|move y|", run.moves[:, 1], FOREGROUND, 1.0, (4.0, 2.0)),
                  ip.Line("|gradient x|", run.grads[:, 0], CYCLE[0], 1.1),
                  ip.Line("|gradient y|", run.grads[:, 1], CYCLE[1], 1.1)]  # fmt: skip
        ip.draw_series(path, f"{opt.title}, {rate}: every move is ± the rate", where,
                       [ip.Line(opt.title, run.xy, color)], series, "per coordinate",
                       ylim=(1e-4, 1e3), dpi=dpi)  # fmt: skip
    else:
        xy, d = om.prodigy_d(opt, where, steps)
        ip.draw_series(path, f"{opt.title}, {rate}: its step-size estimate d", where,
                       [ip.Line(opt.title, xy, color)], [ip.Line("$d_t$", d[1:], color)],
                       "$d_t$ after step $t$", log_x=True, dpi=dpi)  # fmt: skip


def factored(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], key: str,
             steps: int, model: str, dpi: int) -> None:  # fmt: skip
    """``optimizer/adafactor/internals``: a weight matrix's full and factored second moment."""
    from atlas import data
    from atlas.examples import optimizers_modern as om
    from atlas.viz import internals_plots as ip

    moment = om.factored_second_moment(data.load("mnist_small", download=False), model=model,
                                       key=key, steps=steps)  # fmt: skip
    full, kept = moment.stored
    m, n = moment.shape
    ip.draw_factored(path, f"Adafactor, MNIST {model}: second moment of the {m} × {n} "
                     f"matrix, {steps} steps", moment.full, moment.factored,
                     {"full": f"full V: {full:,} numbers", "factored": f"R C / mean R: {kept}",
                      "scatter": "every entry", "scatter_x": "full", "scatter_y": "factored",
                      "rows": "input unit", "columns": "output unit"}, dpi=dpi)  # fmt: skip


def _muon_comparison(inputs: Mapping[str, Path], surface: str):  # -> MuonComparison
    from atlas.examples import optimizers_modern as om

    opt, where, steps = _setting("muon", inputs, surface)
    return om.muon_as_normalised_momentum(where, opt.lr, steps)


def muon_comparison(out: str | os.PathLike):  # -> atlas.examples...MuonComparison
    """The comparison ``optimizer/muon/normalised`` draws, with the rate ``atlas render`` chose
    into the output directory ``out`` (for the book's numbers)."""
    from atlas import catalog

    sweeps = catalog.get(rates_name(MUON_SURFACE))
    return _muon_comparison({sweeps.name: sweeps.product(out)}, MUON_SURFACE)


def muon(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path], surface: str,
         dpi: int) -> None:  # fmt: skip
    """``optimizer/muon/normalised``: Muon, normalised momentum and SGD with momentum."""
    from atlas import optimizers, surfaces
    from atlas.trajectory import trajectory
    from atlas.viz import internals_plots as ip
    from atlas.viz.style import FOREGROUND, optimizer_color

    opt, where, steps = _setting("muon", inputs, surface)
    compared = _muon_comparison(inputs, surface)
    rate = chosen_rates(inputs, surface)["momentum"]
    momentum = trajectory(optimizers.get("momentum", lr=rate), surfaces.get(surface), None,
                          steps).xy  # fmt: skip
    lines = [("SGD with momentum", momentum, optimizer_color("momentum"), 1.8, None),
             ("Muon", compared.muon, optimizer_color("muon"), 3.2, None),
             ("normalised momentum", compared.normalised, FOREGROUND, 1.0, (3.0, 2.0))]
    paths = [ip.Line(label, xy, c, w, dash) for label, xy, c, w, dash in lines]
    lengths = [ip.Line(label, np.linalg.norm(np.diff(xy, axis=0), axis=1), c, w, dash)
               for label, xy, c, w, dash in lines]  # fmt: skip
    ip.draw_series(path, f"Muon on a 1 × 2 matrix is normalised momentum (rate {opt.lr:.3g})",
                   where, paths, lengths, "step length", dpi=dpi)


def entries(quick: bool = False) -> list[Entry]:
    """The internals figures, each needing the sweeps of its surface."""
    from atlas import optimizers

    dpi = 40 if quick else DPI
    registered = set(optimizers.names())
    found = [Entry(f"optimizer/{name}/internals", f"{optimizers.registry.get(name).title}: "
                   "what it does inside, along its path", internals, "image",
                   {"optimizer": name, "surface": SURFACE, "dpi": dpi}, (rates_name(SURFACE),),
                   alt=ALT[name])
             for name in ON_SURFACE if name in registered]  # fmt: skip
    if "adafactor" in registered:
        mnist = {"model": "784-32-32-10", "steps": 5} if quick else {"model": "784-200-200-10",
                                                                     "steps": 40}
        found.append(Entry("optimizer/adafactor/internals", "Adafactor: the factored second "
                           "moment of a weight matrix of the MNIST network", factored, "image",
                           {"key": "2.W", "dpi": dpi, **mnist}, alt=ALT["adafactor"]))  # fmt: skip
    if "muon" in registered:
        found.append(Entry("optimizer/muon/normalised", "Muon on a 2-D surface is normalised "
                           "momentum: the two paths and SGD with momentum's", muon, "image",
                           {"surface": MUON_SURFACE, "dpi": dpi}, (rates_name(MUON_SURFACE),),
                           alt=ALT["muon"]))
    return found
