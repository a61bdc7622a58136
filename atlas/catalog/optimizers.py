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

from atlas.catalog.entry import Entry
from atlas.catalog.races import chosen_rates, rates_name

#: The three contrasting surfaces of every optimizer's figure: an ill-conditioned
#: bowl, a curved valley and a surface without minimum; and the one whose path
#: shows the optimizer's internal state.
OPTIMIZER_SURFACES = ("ellipse", "rosenbrock", "saddle")
STATE_SURFACE = "rosenbrock"


def _path(optimizer: str, surface: str, lr: float):  # -> atlas.viz.optimizer_plots.OptimizerPath
    """The optimizer's race alone on ``surface`` at ``lr``, as the figures draw it."""
    from atlas.races.race import run_race
    from atlas.viz.optimizer_plots import OptimizerPath

    alone = run_race(surface, [optimizer], lrs={optimizer: lr})
    run = alone.runs[0]
    return OptimizerPath(alone.surface, optimizer, run.lr, alone.steps, run.xy, run.diverged_at)


def optimizer_paths(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                    optimizer: str, surfaces: list[str], dpi: int) -> None:  # fmt: skip
    """``optimizer/<name>``: its path on three contrasting surfaces."""
    from atlas import optimizers
    from atlas.viz import optimizer_plots

    paths = [_path(optimizer, s, chosen_rates(inputs, s)[optimizer]) for s in surfaces]
    title = optimizers.registry.get(optimizer).title
    optimizer_plots.draw_optimizer_paths(path, title, paths, dpi=dpi)


def optimizer_state(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
                    optimizer: str, surface: str, dpi: int) -> None:  # fmt: skip
    """``optimizer/<name>/state``: its internal state along the path on ``surface``."""
    from atlas import optimizers
    from atlas.examples.optimizers import state_trace
    from atlas.viz import optimizer_plots

    run = _path(optimizer, surface, chosen_rates(inputs, surface)[optimizer])
    chosen = optimizers.get(optimizer, lr=run.lr)
    trace = state_trace(chosen, run.surface, run.steps)
    optimizer_plots.draw_optimizer_state(path, chosen.title, run, trace.momentum,
                                         trace.step_sizes, dpi=dpi)  # fmt: skip


def entries(quick: bool = False) -> list[Entry]:
    """Two figures per registered optimizer."""
    from atlas import optimizers

    dpi = 40 if quick else 100
    found = []
    for name in optimizers.names():
        title = optimizers.registry.get(name).title
        paths = {"optimizer": name, "surfaces": list(OPTIMIZER_SURFACES), "dpi": dpi}
        state = {"optimizer": name, "surface": STATE_SURFACE, "dpi": dpi}
        found += [
            Entry(f"optimizer/{name}", f"{title}: its path on three contrasting surfaces",
                  optimizer_paths, "image", paths, tuple(map(rates_name, OPTIMIZER_SURFACES))),
            Entry(f"optimizer/{name}/state", f"{title}: its internal state along the path",
                  optimizer_state, "image", state, (rates_name(STATE_SURFACE),)),
        ]
    return found
