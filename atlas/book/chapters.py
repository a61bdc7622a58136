"""Tables of single chapters: a computation graph's steps and nodes, an exercise's gradients,
the XOR network, the MNIST optimizer study (see
:mod:`atlas.book`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from IPython.display import HTML, Markdown

from atlas import graph, optimizers
from atlas.book.format import fixed, markdown_table, table


def graph_steps(steps: Iterable[Any]) -> Markdown:
    """The recorded steps of a computation graph (:class:`atlas.graph.Step`), one per line."""
    return Markdown("\n".join(f"{k + 1}. {step.text}" for k, step in enumerate(steps)))


def graph_nodes(recording: graph.Trace) -> Markdown:
    """Every node of a recorded graph: its operation, value and gradient."""
    out = recording.nodes[recording.root].label
    return markdown_table(
        ["node", "operation", "value", f"gradient $\\partial {out} / \\partial\\,\\text{{node}}$"],
        [(f"${node.label}$", node.op or "input", graph.fmt(node.value), graph.fmt(node.grad))
         for node in recording.nodes], "lcrr")


def gradient_table(solution: Any, keys: Iterable[str]) -> Markdown:
    """An exercise's gradients (:class:`atlas.examples.exercises.Solution`): backprop's and
    central differences' side by side, one row per input."""
    return markdown_table(
        ["input", "value", "$\\partial L/\\partial$ (backprop)", "central differences"],
        [(f"${k}$", fixed(solution.point[k], 2), fixed(solution.grads[k], 6),
          fixed(solution.numerical[k], 6)) for k in keys], "-rrr")


def xor_table(unit: str, scale: float = 1.0) -> Markdown:
    """The XOR network of exercise 8.4 on its four inputs: hidden outputs and prediction."""
    from atlas.examples import exercises_xor

    rows = []
    for x in exercises_xor.XOR_INPUTS:
        f = exercises_xor.xor_forward(x, unit, scale)
        rows.append((f"{x[0]:g}", f"{x[1]:g}", fixed(f.h[0]), fixed(f.h[1]), fixed(f.y_hat)))
    return markdown_table(["input $x_1$", "input $x_2$", "hidden $h_1$", "hidden $h_2$",
                           "output $\\hat y$"], rows, "rrrrr")


def study_table(found: dict[str, Any]) -> HTML:
    """The MNIST optimizer study (``{optimizer: (Result, Timing)}``, see
    :func:`atlas.catalog.study.results`), best test error first: each rate's validation error
    (%), the chosen one in bold, "div." where the run diverged; the test error at the chosen
    rate and the median wall time of an epoch."""
    from atlas.catalog.study import ranking

    ranked = [found[name] for name in ranking(found)]
    grid = ranked[0][0].grid
    rows = []
    for result, timing in ranked:
        cells = ["div." if e is None else f"{100 * e:.1f}" for e in result.validation_error]
        cells = [f"<strong>{c}</strong>" if lr == result.lr else c
                 for c, lr in zip(cells, grid, strict=True)]
        test = f"{100 * result.test_error[-1]:.2f}" if result.test_error else "–"
        seconds = "–" if timing.median is None else f"{timing.median:.2f}"
        rows.append((optimizers.registry.get(result.optimizer).title, *cells, test, seconds))
    return table(["optimizer", *(f"η = {lr:g}" for lr in grid), "test error (%)",
                  "s / epoch"], rows)
