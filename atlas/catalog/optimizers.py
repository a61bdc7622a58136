"""One optimizer at a time: its paths on three contrasting surfaces, and its internal state.

* ``optimizer/<name>``: the optimizer alone on an ill-conditioned bowl, a curved
  valley and a surface without minimum, each at the learning rate the protocol
  chose for it there (read from the surfaces' ``learning_rates/<surface>``);
* ``optimizer/<name>/state``: its path on :data:`STATE_SURFACE` with its momentum
  buffer and its per-coordinate step size (:meth:`atlas.optimizers.Optimizer.effective_step`)
  at every step (:func:`atlas.examples.optimizers.state_trace`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from atlas.catalog.entry import Entry, write_alt
from atlas.catalog.races import chosen_rates, rates_name
from atlas.column import DPI

#: The three contrasting surfaces of every optimizer's figure: an ill-conditioned
#: bowl, a curved valley and a surface without minimum; and the one whose path
#: shows the optimizer's internal state.
OPTIMIZER_SURFACES = ("ellipse", "rosenbrock", "saddle")
STATE_SURFACE = "rosenbrock"

#: What each optimizer's state figure shows, by optimizer (others: :func:`_state_alt`).
STATE_ALT = {
    "sgd": (
        "The path of SGD on the Rosenbrock function, next to a plot of its step size against "
        "the step number."),
    "momentum": (
        "The momentum optimizer's path on the Rosenbrock function with arrows showing its "
        "momentum buffer along the way."),
    "nesterov": (
        "The Nesterov optimizer's path on the Rosenbrock function with arrows showing its "
        "momentum buffer."),
    "adagrad": (
        "Adagrad's path on the Rosenbrock function next to a log-scale plot of each "
        "coordinate's effective step size, which decreases steadily."),
    "rmsprop": (
        "RMSprop's path on the Rosenbrock function next to a log-scale plot of each "
        "coordinate's effective step size."),
    "adadelta": (
        "Adadelta's path on the Rosenbrock function next to a log-scale plot of its "
        "per-coordinate step size."),
    "adam": (
        "Adam's path on the Rosenbrock function with arrows for its first moment, next to a "
        "log-scale plot of its per-coordinate effective step."),
    "amsgrad": (
        "AMSGrad's path on the Rosenbrock function with its first moment as arrows, next to "
        "its per-coordinate effective step."),
    "adamw": (
        "AdamW's path on the Rosenbrock function with its first moment as arrows, next to its "
        "per-coordinate effective step."),
    "adamax": (
        "Adamax's path on the Rosenbrock function with its first moment as arrows, next to "
        "its per-coordinate effective step."),
    "nadam": (
        "NAdam's path on the Rosenbrock function with its first moment as arrows, next to its "
        "per-coordinate effective step."),
    "radam": (
        "RAdam's path on the Rosenbrock function with its first moment as arrows, next to its "
        "per-coordinate effective step."),
    "rprop": (
        "Rprop's path on the Rosenbrock function next to a log-scale plot of its "
        "per-coordinate step sizes, which grow and shrink."),
}  # fmt: skip


def _path(optimizer: str, surface: str, lr: float):  # -> (OptimizerPath, its outcome in words)
    """The optimizer's race alone on ``surface`` at ``lr``, as the figures draw it, and
    how it ends (:func:`atlas.races.outcome_text.run_outcome`)."""
    from atlas.races.outcome_text import run_outcome
    from atlas.races.race import run_race
    from atlas.viz.optimizer_plots import OptimizerPath

    alone = run_race(surface, [optimizer], lrs={optimizer: lr})
    run = alone.runs[0]
    ends = run_outcome(run, alone.steps, alone.surface.title, alone.surface.f_min is None)
    return OptimizerPath(alone.surface, optimizer, run.lr, alone.steps, run.xy,
                         run.diverged_at), ends  # fmt: skip


def optimizer_paths(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                    optimizer: str, surfaces: list[str], dpi: int) -> None:  # fmt: skip
    """``optimizer/<name>``: its path on three contrasting surfaces."""
    from atlas import optimizers
    from atlas.races.outcome_text import sentence
    from atlas.viz import optimizer_plots

    paths, ends = zip(*(_path(optimizer, s, chosen_rates(inputs, s)[optimizer])
                        for s in surfaces), strict=True)  # fmt: skip
    title = optimizers.registry.get(optimizer).title
    optimizer_plots.draw_optimizer_paths(path, title, list(paths), dpi=dpi)
    write_alt(path, sentence(ends))


def optimizer_state(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                    optimizer: str, surface: str, dpi: int) -> None:  # fmt: skip
    """``optimizer/<name>/state``: its internal state along the path on ``surface``."""
    from atlas import optimizers
    from atlas.examples.optimizers import state_trace
    from atlas.races.outcome_text import sentence
    from atlas.viz import optimizer_plots

    run, ends = _path(optimizer, surface, chosen_rates(inputs, surface)[optimizer])
    chosen = optimizers.get(optimizer, lr=run.lr)
    trace = state_trace(chosen, run.surface, run.steps)
    optimizer_plots.draw_optimizer_state(path, chosen.title, run, trace.momentum,
                                         trace.step_sizes, dpi=dpi)  # fmt: skip
    write_alt(path, sentence([ends]))


def entries(quick: bool = False) -> list[Entry]:
    """Two figures per registered optimizer."""
    from atlas import optimizers, surfaces
    from atlas.races.outcome_text import names

    dpi = 40 if quick else DPI
    surfaces_named = names([f"the {surfaces.get(s).title} surface" for s in OPTIMIZER_SURFACES])
    state_surface = surfaces.get(STATE_SURFACE).title
    found = []
    for name in optimizers.names():
        title = optimizers.registry.get(name).title
        paths = {"optimizer": name, "surfaces": list(OPTIMIZER_SURFACES), "dpi": dpi}
        state = {"optimizer": name, "surface": STATE_SURFACE, "dpi": dpi}
        found += [
            Entry(f"optimizer/{name}", f"{title}: its path on three contrasting surfaces",
                  optimizer_paths, "image", paths, tuple(map(rates_name, OPTIMIZER_SURFACES)),
                  alt=f"Three panels showing {title}'s path, at its chosen learning rate, over "
                      f"the contour lines of {surfaces_named}.", alt_from_data=True),
            Entry(f"optimizer/{name}/state", f"{title}: its internal state along the path",
                  optimizer_state, "image", state, (rates_name(STATE_SURFACE),),
                  alt=STATE_ALT.get(name, f"{title}'s path on the {state_surface} surface next "
                                          f"to its per-coordinate effective step size against "
                                          f"the step."), alt_from_data=True),
        ]
    return found
