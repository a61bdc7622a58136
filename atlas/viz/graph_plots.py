"""A computation graph animated forward, then backward, as in the course notes.

Nodes sit where :mod:`atlas.graph`'s layout puts them. The animation first
reveals the values in forward order, then the gradients in backward order,
showing the chain-rule product of the current step. Every number is taken
from the graph module's trace: nothing is typed here.

The frames are described by plain data (:func:`graph_frames`), so a test can
read exactly what each frame says without looking at pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from atlas import graph as autodiff

VALUE_COLOR = "#0072B2"  # blue: forward values
GRAD_COLOR = "#D55E00"  # vermillion: gradients
ACTIVE_COLOR = "#E69F00"  # orange: the node of the current step


@dataclass(frozen=True)
class GraphFrame:
    """What one step of the animation shows."""

    values: dict[int, str]  # node id -> its value, for the nodes known so far
    grads: dict[int, str]  # node id -> its gradient, for the nodes known so far
    active: int | None  # the node the current step computes
    caption: str  # the step in words / the chain-rule product


def fmt(number: float) -> str:
    """Four decimals, integers without them, with a true minus sign (−)."""
    text = f"{number:.0f}" if float(number).is_integer() else f"{number:.4f}"
    return text.replace("-", "\N{MINUS SIGN}")


def example(name: str) -> Any:
    """The trace of one of the graph module's named examples ("linear" or "logistic")."""
    builders = {"linear": autodiff.linear_example, "logistic": autodiff.logistic_example}
    if name not in builders:
        raise ValueError(f"graph example must be one of {sorted(builders)}, got {name!r}")
    root, _inputs = builders[name]()
    return autodiff.trace(root)


def graph_frames(trace: Any) -> list[GraphFrame]:
    """One frame per step: inputs, each forward op, the seed, each backward step."""
    nodes = {node.id: node for node in trace.nodes}
    values: dict[int, str] = {}
    grads: dict[int, str] = {}
    frames = []
    inputs = [node.id for node in trace.nodes if not node.parents]
    for node_id in inputs:
        values[node_id] = fmt(nodes[node_id].value)
    names = ", ".join(f"{nodes[i].label} = {values[i]}" for i in inputs)
    frames.append(GraphFrame(dict(values), {}, None, f"Inputs: {names}"))
    for step in trace.forward_steps:
        node = nodes[step.node]
        values[node.id] = fmt(node.value)
        frames.append(GraphFrame(dict(values), {}, node.id, f"Forward: {step.text}"))
    for step in trace.backward_steps:
        node = nodes[step.node]
        grads[node.id] = fmt(node.grad)
        frames.append(GraphFrame(dict(values), dict(grads), node.id, f"Backward: {step.text}"))
    return frames


def _positions(trace: Any) -> dict[int, tuple[float, float]]:
    """Layout in [0, 1]² mapped into the axes with a margin for the labels."""
    return {i: (0.08 + 0.84 * x, 0.18 + 0.66 * y) for i, (x, y) in trace.layout.items()}


def draw_graph(ax: Any, trace: Any, radius: float = 0.045) -> dict[str, Any]:
    """Static nodes and edges, plus the (animated) texts; returns the animated artists."""
    pos = _positions(trace)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    for parent, child, _local in trace.edges:
        ax.add_patch(FancyArrowPatch(pos[parent], pos[child], arrowstyle="-|>", mutation_scale=14,
                                     shrinkA=18, shrinkB=18, color="0.45", lw=1.3))
    for node in trace.nodes:
        ax.add_patch(Circle(pos[node.id], radius, fc="#f4f4f4", ec="0.25", lw=1.4, zorder=2))
        ax.text(*pos[node.id], node.label, ha="center", va="center", fontsize=12, zorder=3)
    halo = Circle((0, 0), radius * 1.25, fc="none", ec=ACTIVE_COLOR, lw=3.0, zorder=4,
                  animated=True, visible=False)
    ax.add_patch(halo)
    values = {n.id: ax.text(pos[n.id][0], pos[n.id][1] + 1.6 * radius, "", ha="center",
                            va="bottom", color=VALUE_COLOR, fontsize=11, animated=True)
              for n in trace.nodes}
    grads = {n.id: ax.text(pos[n.id][0], pos[n.id][1] - 1.6 * radius, "", ha="center",
                           va="top", color=GRAD_COLOR, fontsize=11, animated=True)
             for n in trace.nodes}
    caption = ax.text(0.5, 0.03, "", ha="center", va="bottom", fontsize=11, animated=True,
                      transform=ax.transAxes, wrap=True)
    return {"halo": halo, "values": values, "grads": grads, "caption": caption, "pos": pos}


def show_frame(artists: dict[str, Any], frame: GraphFrame) -> None:
    """Set the animated artists to show ``frame``."""
    for node_id, text in artists["values"].items():
        text.set_text(frame.values.get(node_id, ""))
    for node_id, text in artists["grads"].items():
        grad = frame.grads.get(node_id)
        text.set_text("" if grad is None else f"grad {grad}")
    artists["caption"].set_text(frame.caption)
    artists["halo"].set_visible(frame.active is not None)
    if frame.active is not None:
        artists["halo"].center = artists["pos"][frame.active]


def animated_artists(artists: dict[str, Any]) -> Sequence[Any]:
    return [artists["halo"], *artists["values"].values(), *artists["grads"].values(),
            artists["caption"]]


def draw_graph_animation(path: Path | str, formats: tuple[str, ...], example: str = "linear",
                         fps: int = 4, hold: int = 4, dpi: int = 100) -> list[GraphFrame]:
    """Write the forward-then-backward animation; each step is held ``hold`` frames."""
    from atlas.viz.animation import render_animation
    from atlas.viz.function_plots import constrained_figure
    from atlas.viz.style import style

    trace = globals()["example"](example)
    frames = graph_frames(trace)
    order = np.repeat(np.arange(len(frames)), hold)
    with style():
        fig = constrained_figure((8.0, 4.6), dpi)
        ax = fig.add_subplot()
        artists = draw_graph(ax, trace)
        ax.set_title(f"{trace.title}: values forward (blue), gradients backward (orange)")

        def update(i: int) -> None:
            show_frame(artists, frames[int(order[i])])

        render_animation(fig, animated_artists(artists), update, int(order.size), path, fps=fps,
                         formats=formats)
    return frames
