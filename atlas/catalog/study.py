"""The MNIST optimizer study (:mod:`atlas.nn.study`): one artifact per optimizer, one figure.

* ``mnist/study/<optimizer>``: a bundle holding ``results.json`` (the grid's
  validation errors, the rate chosen, the test error every 10 steps; the same
  bytes on every run) and ``timing.json`` (wall time of every epoch: it depends
  on the machine and its load). One artifact per optimizer, so a render with
  ``--jobs N`` trains N optimizers at a time.
* ``mnist/study/curves``: test error against the step at the chosen rate, one
  panel per group of :mod:`atlas.races.groups` and one with the best of each.

The book reads the results with :func:`results` (its table, its glued numbers).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from atlas.catalog.entry import Entry
from atlas.catalog.mnist_runs import settings, study_name, study_run
from atlas.column import DPI


def results(out: str | os.PathLike) -> dict[str, Any]:
    """``{optimizer: (Result, Timing)}`` of every registered optimizer, as ``atlas render``
    wrote them into the output directory ``out``."""
    from atlas import optimizers
    from atlas.nn import study

    return {name: study.load(Path(out) / study_name(name)) for name in optimizers.names()}


def ranking(found: Mapping[str, Any]) -> list[str]:
    """The optimizers of ``found`` (as :func:`results` gives it) by final test error, best
    first; one whose every rate diverged comes last; ties keep the registry's order."""
    return sorted(found, key=lambda name: (found[name][0].test_error or [2.0])[-1])


def curves(path: Path, formats: tuple[str, ...], inputs: Mapping[str, Path],
           dpi: int) -> None:  # fmt: skip
    """``mnist/study/curves``: every group's test-error curves, and the best of each group."""
    from atlas import optimizers
    from atlas.nn import study
    from atlas.races import groups
    from atlas.viz import study_plots
    from atlas.viz.style import optimizer_color, optimizer_marker

    found = {name: study.load(inputs[study_name(name)])[0] for name in optimizers.names()}

    def curve(result: study.Result) -> study_plots.Curve:
        title = optimizers.registry.get(result.optimizer).title
        rate = "diverged" if result.lr is None else f"{result.lr:g}"
        return study_plots.Curve(f"{title} ({rate})", result.steps, result.test_error,
                                 optimizer_color(result.optimizer),
                                 optimizer_marker(result.optimizer))  # fmt: skip

    panels = [(g.title, [curve(found[n]) for n in g.members]) for g in groups.groups()]
    best = [study.best([found[n] for n in g.members]) for g in groups.groups()]
    panels.append(("The best of each group", [curve(r) for r in best if r is not None]))
    model = next(iter(found.values())).settings["model"]
    study_plots.draw_study_curves(path, f"MNIST {model}: test error at the rate chosen on "
                                  "validation (in brackets)", panels, dpi=dpi)


def entries(quick: bool = False) -> list[Entry]:
    """An artifact per registered optimizer, then the figure that needs them all."""
    from atlas import optimizers

    chosen = settings(quick)
    found = [Entry(study_name(name), f"MNIST optimizer study: {name}, learning rate chosen on "
                   "a validation split, test error every 10 steps", study_run, "bundle",
                   {"optimizer": name, "settings": chosen}, (), ("results.json", "timing.json"))
             for name in optimizers.names()]  # fmt: skip
    found.append(Entry("mnist/study/curves", "MNIST: test error against the step of every "
                       "optimizer at the learning rate chosen on validation", curves, "image",
                       {"dpi": 40 if quick else DPI},
                       tuple(study_name(n) for n in optimizers.names()),
                       alt="Six panels of test error in per cent against the training step, "
                           "on a log scale, falling from the untrained network's error at "
                           "step 0, one panel per family of optimizers and a last one with "
                           "the best of each family."))  # fmt: skip
    return found
